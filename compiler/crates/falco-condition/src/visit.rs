//! Walking condition trees, so later stages need not re-write the traversal.
//!
//! Trees from [`crate::parse_condition`] are at most a few hundred levels deep (the
//! nesting limit is checked before parsing), so plain recursion is safe here.

use crate::ast::{Check, Expr, FieldRef, Ident, Operand, Value};

/// Calls `f` on every expression node, parents before children, in text order.
pub fn walk_exprs<'a>(expr: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    f(expr);
    match expr {
        Expr::And(items, _) | Expr::Or(items, _) => {
            for item in items {
                walk_exprs(item, f);
            }
        }
        Expr::Not(inner, _) | Expr::Paren(inner, _) => walk_exprs(inner, f),
        Expr::Macro(_) | Expr::Check(_) | Expr::Error(_) => {}
    }
}

/// Calls `f` on every macro reference (bare identifier used as a condition).
pub fn visit_macros<'a>(expr: &'a Expr, mut f: impl FnMut(&'a Ident)) {
    walk_exprs(expr, &mut |e| {
        if let Expr::Macro(ident) = e {
            f(ident);
        }
    });
}

/// Calls `f` on every field check.
pub fn visit_checks<'a>(expr: &'a Expr, mut f: impl FnMut(&'a Check)) {
    walk_exprs(expr, &mut |e| {
        if let Expr::Check(check) = e {
            f(check);
        }
    });
}

/// Calls `f` on every operand of a check: the left side, operands on the right
/// side, and everything inside transformer calls and transformer lists, parents
/// before children.
pub fn walk_operands<'a>(operand: &'a Operand, f: &mut impl FnMut(&'a Operand)) {
    f(operand);
    match operand {
        Operand::Transform(t) => {
            for arg in &t.args {
                walk_operands(arg, f);
            }
        }
        Operand::List(items, _) => {
            for item in items {
                walk_operands(item, f);
            }
        }
        Operand::Field(_) | Operand::Literal(_) | Operand::Error(_) => {}
    }
}

/// Calls `f` on every operand of `check` (see [`walk_operands`]).
pub fn walk_check_operands<'a>(check: &'a Check, f: &mut impl FnMut(&'a Operand)) {
    walk_operands(&check.left, f);
    if let Some(Value::Operand(operand)) = &check.right {
        walk_operands(operand, f);
    }
}

/// Calls `f` on every field reference of the condition, including fields inside
/// transformers and `val(...)`.
pub fn visit_fields<'a>(expr: &'a Expr, mut f: impl FnMut(&'a FieldRef)) {
    visit_checks(expr, |check| {
        walk_check_operands(check, &mut |operand| {
            if let Operand::Field(field) = operand {
                f(field);
            }
        });
    });
}

/// Calls `f` on every bare identifier used as a list after a list operator or a
/// modifier (`proc.name in shell_binaries`, `= oneof my_list`).
pub fn visit_list_refs<'a>(expr: &'a Expr, mut f: impl FnMut(&'a Ident)) {
    visit_checks(expr, |check| {
        if let Some(Value::ListRef(ident)) = &check.right {
            f(ident);
        }
    });
}
