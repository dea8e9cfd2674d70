//! The byte layout (see `docs/bundle-format.md`): header, hash, then the tables in a
//! fixed order. Encoding is deterministic: it walks vectors in order and writes no
//! time or randomness.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use sha2::{Digest, Sha256};

use crate::codec::{Reader, Writer};
use crate::error::BundleError;
use crate::model::*;

/// The first eight bytes of every bundle.
pub const MAGIC: [u8; 8] = *b"FALCORB\0";
/// The layout version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Magic, format version and hash.
pub const HEADER_LEN: usize = 8 + 4 + 32;

/// Encodes a bundle. Same bundle, same bytes.
pub fn encode(bundle: &Bundle) -> Vec<u8> {
    let payload = encode_payload(bundle);
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&payload));
    out.extend_from_slice(&payload);
    out
}

/// The sha256 content hash recorded in an encoded bundle's header, as hex, if the
/// header is there.
pub fn content_hash(bytes: &[u8]) -> Option<String> {
    let hash = bytes.get(12..HEADER_LEN)?;
    Some(hash.iter().map(|b| format!("{b:02x}")).collect())
}

/// Recomputes the content hash of an edited bundle in place (for tools and tests
/// that change bytes on purpose). Too-short input is left alone.
pub fn reseal(bytes: &mut [u8]) {
    if bytes.len() < HEADER_LEN {
        return;
    }
    let digest = Sha256::digest(bytes.get(HEADER_LEN..).unwrap_or_default());
    if let Some(hash) = bytes.get_mut(12..HEADER_LEN) {
        hash.copy_from_slice(&digest);
    }
}

/// Decodes and verifies a bundle: header, hash, tables, then every cross-reference
/// (see [`crate::verify`]). Never panics; every refusal says where and why.
pub fn decode(bytes: &[u8]) -> Result<Bundle, BundleError> {
    let mut r = Reader::new(bytes, 0);
    let magic = r.take(8, "magic")?;
    if magic != MAGIC {
        return Err(BundleError::at(0, "not a rule bundle (bad magic)"));
    }
    let version = r.u32("format version")?;
    if version != FORMAT_VERSION {
        return Err(BundleError::at(
            8,
            format!(
                "format version {version} is not supported (this build reads {FORMAT_VERSION})"
            ),
        ));
    }
    let hash = r.take(32, "content hash")?;
    let payload = bytes.get(HEADER_LEN..).unwrap_or_default();
    if Sha256::digest(payload).as_slice() != hash {
        return Err(BundleError::at(
            12,
            "content hash mismatch: the bundle is corrupt or was modified",
        ));
    }
    let bundle = decode_payload(&mut r)?;
    if r.remaining() != 0 {
        return Err(r.error("trailing bytes after the last table"));
    }
    crate::verify::verify(&bundle)?;
    Ok(bundle)
}

fn encode_payload(b: &Bundle) -> Vec<u8> {
    let mut w = Writer::default();
    w.str(&b.engine_version);
    w.opt_str(b.required_engine_version.as_deref());
    w.len(b.plugins.len());
    for p in &b.plugins {
        w.str(&p.name);
        w.str(&p.version);
        w.len(p.alternatives.len());
        for (name, version) in &p.alternatives {
            w.str(name);
            w.str(version);
        }
    }
    w.strs(&b.sources);
    w.len(b.fields.len());
    for f in &b.fields {
        w.u32(f.source);
        w.str(&f.name);
        w.opt_str(f.arg.as_deref());
    }
    w.len(b.consts.len());
    for c in &b.consts {
        encode_const(&mut w, c);
    }
    w.len(b.operands.len());
    for o in &b.operands {
        encode_operand(&mut w, o);
    }
    w.len(b.checks.len());
    for c in &b.checks {
        w.u32(c.lhs);
        w.u8(op_code(c.op));
        w.u8(match c.quant {
            None => 0,
            Some(Quant::ExactlyOne) => 1,
            Some(Quant::Any) => 2,
            Some(Quant::All) => 3,
        });
        match &c.rhs {
            Rhs::None => w.u8(0),
            Rhs::Const(i) => {
                w.u8(1);
                w.u32(*i);
            }
            Rhs::List(v) => {
                w.u8(2);
                w.u32s(v);
            }
            Rhs::Operand(i) => {
                w.u8(3);
                w.u32(*i);
            }
        }
    }
    w.len(b.code.len());
    for insn in &b.code {
        let (tag, arg) = match *insn {
            Insn::Check(i) => (0, i),
            Insn::JumpIfFalse(t) => (1, t),
            Insn::JumpIfTrue(t) => (2, t),
            Insn::Not => (3, 0),
            Insn::Set(v) => (4, u32::from(v)),
            Insn::Return => (5, 0),
        };
        w.u8(tag);
        w.u32(arg);
    }
    w.len(b.rules.len());
    for r in &b.rules {
        encode_rule(&mut w, r);
    }
    w.u8(u8::from(b.syscalls.all));
    w.strs(&b.syscalls.names);
    w.out
}

fn encode_const(w: &mut Writer, c: &Const) {
    match c {
        Const::Str(s) => {
            w.u8(0);
            w.bytes(s);
        }
        Const::Int(v) => {
            w.u8(1);
            w.u64(*v as u64);
        }
        Const::UInt(v) => {
            w.u8(2);
            w.u64(*v);
        }
        Const::Double(v) => {
            w.u8(3);
            w.u64(v.to_bits());
        }
        Const::Bool(v) => {
            w.u8(4);
            w.u8(u8::from(*v));
        }
        Const::Ip(ip) => {
            w.u8(5);
            encode_ip(w, ip);
        }
        Const::Net(ip, prefix) => {
            w.u8(6);
            encode_ip(w, ip);
            w.u8(*prefix);
        }
    }
}

fn encode_ip(w: &mut Writer, ip: &IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            w.u8(4);
            w.out.extend_from_slice(&v4.octets());
        }
        IpAddr::V6(v6) => {
            w.u8(6);
            w.out.extend_from_slice(&v6.octets());
        }
    }
}

fn encode_operand(w: &mut Writer, o: &Operand) {
    match o {
        Operand::Field(f) => {
            w.u8(0);
            w.u32(*f);
        }
        Operand::Transform { kind, args, arg } => {
            w.u8(1);
            w.u8(transform_code(*kind));
            w.u32s(args);
            w.opt_str(arg.as_deref());
        }
        Operand::Literal(s) => {
            w.u8(2);
            w.str(s);
        }
        Operand::List(items) => {
            w.u8(3);
            w.u32s(items);
        }
    }
}

fn encode_rule(w: &mut Writer, r: &Rule) {
    w.str(&r.name);
    w.str(&r.desc);
    w.u8(r.priority as u8);
    w.strs(&r.tags);
    w.u32(r.source);
    w.u8(u8::from(r.enabled));
    w.len(r.output.len());
    for part in &r.output {
        match part {
            OutputPart::Text(t) => {
                w.u8(0);
                w.str(t);
            }
            OutputPart::Field(f) => {
                w.u8(1);
                w.u32(*f);
            }
        }
    }
    w.u32(r.code_start);
    w.u32(r.code_len);
    match &r.event_types {
        EventTypes::All => w.u8(0),
        EventTypes::None => w.u8(1),
        EventTypes::Only(names) => {
            w.u8(2);
            w.strs(names);
        }
        EventTypes::AllExcept(names) => {
            w.u8(3);
            w.strs(names);
        }
    }
    w.u32s(&r.fields);
}

fn op_code(op: CmpOp) -> u8 {
    CmpOp::ALL.iter().position(|&o| o == op).unwrap_or(0) as u8
}

fn transform_code(t: Transform) -> u8 {
    Transform::ALL.iter().position(|&k| k == t).unwrap_or(0) as u8
}

fn decode_payload(r: &mut Reader<'_>) -> Result<Bundle, BundleError> {
    let engine_version = r.str("engine version")?;
    let required_engine_version = r.opt_str("required engine version")?;
    let n = r.count(8, "plugin requirements")?;
    let mut plugins = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.str("plugin name")?;
        let version = r.str("plugin version")?;
        let m = r.count(8, "plugin alternatives")?;
        let mut alternatives = Vec::with_capacity(m);
        for _ in 0..m {
            alternatives.push((r.str("alternative name")?, r.str("alternative version")?));
        }
        plugins.push(PluginRequirement {
            name,
            version,
            alternatives,
        });
    }
    let sources = r.strs("sources")?;
    let n = r.count(9, "fields")?;
    let mut fields = Vec::with_capacity(n);
    for _ in 0..n {
        fields.push(Field {
            source: r.u32("field source")?,
            name: r.str("field name")?,
            arg: r.opt_str("field argument")?,
        });
    }
    let n = r.count(2, "constants")?;
    let mut consts = Vec::with_capacity(n);
    for _ in 0..n {
        consts.push(decode_const(r)?);
    }
    let n = r.count(5, "operands")?;
    let mut operands = Vec::with_capacity(n);
    for _ in 0..n {
        operands.push(decode_operand(r)?);
    }
    let n = r.count(7, "checks")?;
    let mut checks = Vec::with_capacity(n);
    for _ in 0..n {
        checks.push(decode_check(r)?);
    }
    let n = r.count(5, "code")?;
    let mut code = Vec::with_capacity(n);
    for _ in 0..n {
        let at = r.pos();
        let tag = r.u8("instruction")?;
        let arg = r.u32("instruction operand")?;
        code.push(match tag {
            0 => Insn::Check(arg),
            1 => Insn::JumpIfFalse(arg),
            2 => Insn::JumpIfTrue(arg),
            3 => Insn::Not,
            4 if arg <= 1 => Insn::Set(arg == 1),
            5 => Insn::Return,
            _ => return Err(BundleError::at(at, format!("bad instruction {tag}/{arg}"))),
        });
    }
    let n = r.count(30, "rules")?;
    let mut rules = Vec::with_capacity(n);
    for _ in 0..n {
        rules.push(decode_rule(r)?);
    }
    let all = decode_bool(r, "syscall set")?;
    let names = r.strs("syscall names")?;
    Ok(Bundle {
        engine_version,
        required_engine_version,
        plugins,
        sources,
        fields,
        consts,
        operands,
        checks,
        code,
        rules,
        syscalls: SyscallSet { all, names },
    })
}

fn decode_bool(r: &mut Reader<'_>, what: &str) -> Result<bool, BundleError> {
    match r.u8(what)? {
        0 => Ok(false),
        1 => Ok(true),
        v => Err(r.error(format!("{what}: bad boolean {v}"))),
    }
}

fn decode_const(r: &mut Reader<'_>) -> Result<Const, BundleError> {
    let at = r.pos();
    Ok(match r.u8("constant")? {
        0 => Const::Str(r.bytes("string constant")?.to_vec()),
        1 => Const::Int(r.u64("integer constant")? as i64),
        2 => Const::UInt(r.u64("integer constant")?),
        3 => Const::Double(f64::from_bits(r.u64("double constant")?)),
        4 => Const::Bool(decode_bool(r, "boolean constant")?),
        5 => Const::Ip(decode_ip(r)?),
        6 => {
            let ip = decode_ip(r)?;
            let prefix = r.u8("network prefix")?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            if prefix > max {
                return Err(r.error(format!("network prefix /{prefix} is too long")));
            }
            Const::Net(ip, prefix)
        }
        tag => return Err(BundleError::at(at, format!("bad constant kind {tag}"))),
    })
}

fn decode_ip(r: &mut Reader<'_>) -> Result<IpAddr, BundleError> {
    match r.u8("address family")? {
        4 => {
            let b = r.take(4, "IPv4 address")?;
            let mut a = [0u8; 4];
            a.copy_from_slice(b);
            Ok(IpAddr::V4(Ipv4Addr::from(a)))
        }
        6 => {
            let b = r.take(16, "IPv6 address")?;
            let mut a = [0u8; 16];
            a.copy_from_slice(b);
            Ok(IpAddr::V6(Ipv6Addr::from(a)))
        }
        v => Err(r.error(format!("bad address family {v}"))),
    }
}

fn decode_operand(r: &mut Reader<'_>) -> Result<Operand, BundleError> {
    let at = r.pos();
    Ok(match r.u8("operand")? {
        0 => Operand::Field(r.u32("operand field")?),
        1 => {
            let code = r.u8("transformer")?;
            let kind = *Transform::ALL
                .get(code as usize)
                .ok_or_else(|| r.error(format!("bad transformer {code}")))?;
            Operand::Transform {
                kind,
                args: r.u32s("transformer arguments")?,
                arg: r.opt_str("transformer argument")?,
            }
        }
        2 => Operand::Literal(r.str("literal")?),
        3 => Operand::List(r.u32s("operand list")?),
        tag => return Err(BundleError::at(at, format!("bad operand kind {tag}"))),
    })
}

fn decode_check(r: &mut Reader<'_>) -> Result<Check, BundleError> {
    let lhs = r.u32("check operand")?;
    let code = r.u8("operator")?;
    let op = *CmpOp::ALL
        .get(code as usize)
        .ok_or_else(|| r.error(format!("bad operator {code}")))?;
    let quant = match r.u8("quantifier")? {
        0 => None,
        1 => Some(Quant::ExactlyOne),
        2 => Some(Quant::Any),
        3 => Some(Quant::All),
        q => return Err(r.error(format!("bad quantifier {q}"))),
    };
    let rhs = match r.u8("right side")? {
        0 => Rhs::None,
        1 => Rhs::Const(r.u32("constant index")?),
        2 => Rhs::List(r.u32s("constant list")?),
        3 => Rhs::Operand(r.u32("operand index")?),
        t => return Err(r.error(format!("bad right side kind {t}"))),
    };
    Ok(Check {
        lhs,
        op,
        quant,
        rhs,
    })
}

fn decode_rule(r: &mut Reader<'_>) -> Result<Rule, BundleError> {
    let name = r.str("rule name")?;
    let desc = r.str("rule description")?;
    let p = r.u8("priority")?;
    let priority = *Priority::ALL
        .get(p as usize)
        .ok_or_else(|| r.error(format!("bad priority {p}")))?;
    let tags = r.strs("tags")?;
    let source = r.u32("rule source")?;
    let enabled = decode_bool(r, "enabled")?;
    let n = r.count(5, "output parts")?;
    let mut output = Vec::with_capacity(n);
    for _ in 0..n {
        let at = r.pos();
        output.push(match r.u8("output part")? {
            0 => OutputPart::Text(r.str("output text")?),
            1 => OutputPart::Field(r.u32("output field")?),
            t => return Err(BundleError::at(at, format!("bad output part {t}"))),
        });
    }
    let code_start = r.u32("code start")?;
    let code_len = r.u32("code length")?;
    let at = r.pos();
    let event_types = match r.u8("event types")? {
        0 => EventTypes::All,
        1 => EventTypes::None,
        2 => EventTypes::Only(r.strs("event type names")?),
        3 => EventTypes::AllExcept(r.strs("event type names")?),
        t => return Err(BundleError::at(at, format!("bad event type set {t}"))),
    };
    let fields = r.u32s("rule fields")?;
    Ok(Rule {
        name,
        desc,
        priority,
        tags,
        source,
        enabled,
        output,
        code_start,
        code_len,
        event_types,
        fields,
    })
}
