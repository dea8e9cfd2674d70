//! Operator and transformer compatibility, from `operators.json`.
//!
//! Operators are plain `&str` names as written in conditions (`"="`, `"contains"`, `"in"`):
//! this crate knows nothing about the condition parser's `Op` type, whose table
//! (`falco_condition::ast::Op`) is the one list of operators; a test checks that
//! `operators.json` names the same ones.

use crate::tables::{LIST_ELEMENT_TYPES, LIST_FIELD_OPS, OPS_BY_GROUP, TRANSFORMERS, TYPE_GROUPS};
use crate::{FieldType, Transformer, TypeGroup};

/// The operator group of a type; types listed in no group are [`TypeGroup::Other`].
pub(crate) fn group_of(ty: FieldType) -> TypeGroup {
    TYPE_GROUPS
        .iter()
        .find(|(t, _)| *t == ty)
        .map_or(TypeGroup::Other, |(_, g)| *g)
}

/// The operators allowed on a value of type `ty`; `is_list` for list-valued fields.
///
/// `exists` is always allowed. A list field allows only `in`, `intersects` and `exists`, and
/// only when its element type is one libsinsp supports in lists (see [`list_element_ok`]);
/// otherwise only `exists`. Types in no group allow only `exists`.
pub fn ops_allowed(ty: FieldType, is_list: bool) -> &'static [&'static str] {
    if is_list {
        return if list_element_ok(ty) {
            LIST_FIELD_OPS
        } else {
            &["exists"]
        };
    }
    let group = group_of(ty);
    OPS_BY_GROUP
        .iter()
        .find(|(g, _)| *g == group)
        .map_or(&["exists"], |(_, ops)| ops)
}

/// True if `op` is allowed on a value of type `ty` (list-valued if `is_list`).
pub fn op_allowed(op: &str, ty: FieldType, is_list: bool) -> bool {
    ops_allowed(ty, is_list).contains(&op)
}

/// True if a list-valued field of element type `ty` can be compared at all (beyond `exists`).
pub fn list_element_ok(ty: FieldType) -> bool {
    LIST_ELEMENT_TYPES.contains(&ty)
}

/// All transformers the parser accepts (`toupper`, `tolower`, `b64`, `basename`, `len`, `val`,
/// `join`, `concat`, `getopt`).
pub fn transformers() -> &'static [Transformer] {
    TRANSFORMERS
}

/// A transformer by name.
pub fn transformer(name: &str) -> Option<&'static Transformer> {
    TRANSFORMERS.iter().find(|t| t.name == name)
}

impl Transformer {
    /// True if a single-value transformer accepts an input of type `ty` (list-valued if `is_list`).
    /// Transformers not checked by input type (multi-value ones, `val`) accept anything here.
    pub fn accepts(&self, ty: FieldType, is_list: bool) -> bool {
        if self.kind != "single" {
            return true;
        }
        (is_list && self.accepts_any_list) || self.input_types.contains(&ty)
    }

    /// The output type and list-ness for an input of type `ty` (list-valued if `is_list`).
    pub fn output_for(&self, ty: FieldType, is_list: bool) -> (FieldType, bool) {
        let out_ty = self.output.unwrap_or(ty);
        let out_list = if self.clears_list {
            false
        } else {
            self.output_list || is_list
        };
        (out_ty, out_list)
    }
}
