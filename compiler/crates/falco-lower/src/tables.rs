//! The bundle's shared tables, filled with interning so that equal things get one
//! index. Indices are handed out in first-use order, which makes the output depend
//! only on the input (no hash-map iteration order reaches the bundle).

use std::collections::HashMap;

use falco_bundle::{Check, Const, Field, Operand};

/// Builds the tables of a bundle.
#[derive(Default)]
pub(crate) struct Tables {
    pub(crate) sources: Vec<String>,
    pub(crate) fields: Vec<Field>,
    pub(crate) consts: Vec<Const>,
    pub(crate) operands: Vec<Operand>,
    pub(crate) checks: Vec<Check>,
    field_ids: HashMap<Field, u32>,
    const_ids: HashMap<Vec<u8>, u32>,
    operand_ids: HashMap<String, u32>,
    check_ids: HashMap<String, u32>,
}

fn index(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Tables {
    pub(crate) fn source(&mut self, name: &str) -> u32 {
        match self.sources.iter().position(|s| s == name) {
            Some(i) => index(i),
            None => {
                self.sources.push(name.to_owned());
                index(self.sources.len() - 1)
            }
        }
    }

    pub(crate) fn field(&mut self, field: Field) -> u32 {
        if let Some(&id) = self.field_ids.get(&field) {
            return id;
        }
        let id = index(self.fields.len());
        self.fields.push(field.clone());
        self.field_ids.insert(field, id);
        id
    }

    pub(crate) fn constant(&mut self, c: Const) -> u32 {
        let key = const_key(&c);
        if let Some(&id) = self.const_ids.get(&key) {
            return id;
        }
        let id = index(self.consts.len());
        self.consts.push(c);
        self.const_ids.insert(key, id);
        id
    }

    pub(crate) fn operand(&mut self, o: Operand) -> u32 {
        let key = format!("{o:?}");
        if let Some(&id) = self.operand_ids.get(&key) {
            return id;
        }
        let id = index(self.operands.len());
        self.operands.push(o);
        self.operand_ids.insert(key, id);
        id
    }

    pub(crate) fn check(&mut self, c: Check) -> u32 {
        let key = format!("{c:?}");
        if let Some(&id) = self.check_ids.get(&key) {
            return id;
        }
        let id = index(self.checks.len());
        self.checks.push(c);
        self.check_ids.insert(key, id);
        id
    }
}

/// A key that tells constants apart exactly (doubles by their bits).
fn const_key(c: &Const) -> Vec<u8> {
    let mut key = Vec::new();
    match c {
        Const::Str(s) => {
            key.push(0);
            key.extend_from_slice(s);
        }
        Const::Int(v) => {
            key.push(1);
            key.extend_from_slice(&v.to_le_bytes());
        }
        Const::UInt(v) => {
            key.push(2);
            key.extend_from_slice(&v.to_le_bytes());
        }
        Const::Double(v) => {
            key.push(3);
            key.extend_from_slice(&v.to_bits().to_le_bytes());
        }
        Const::Bool(v) => key.extend_from_slice(&[4, u8::from(*v)]),
        Const::Ip(ip) => {
            key.push(5);
            key.extend_from_slice(ip.to_string().as_bytes());
        }
        Const::Net(ip, prefix) => {
            key.push(6);
            key.extend_from_slice(ip.to_string().as_bytes());
            key.push(*prefix);
        }
    }
    key
}
