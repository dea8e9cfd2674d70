//! [`to_falco_string`]: libsinsp's `ast::as_string` rendering of a condition.
//!
//! Falco prints conditions in this form (e.g. the compiled conditions of a loaded
//! ruleset), so reproducing it lets tests compare with Falco's output. The form:
//! `and`/`or` groups in parentheses with the keyword between operands, `not x`,
//! parentheses otherwise dropped, a check as `left op right`, lists as `(a, b)`,
//! transformer calls as `name(a,b)`, and values quoted only when they contain a
//! blank, `=`, a quote, a backslash or a control character.

use crate::ast::{Check, Expr, FieldArg, FieldRef, Operand, Str, Value};

/// Renders `expr` like libsinsp's `ast::as_string`. Double negations written as
/// `not not x` collapse as libsinsp's parser collapses them. Recovered nodes print
/// as `<error>`.
pub fn to_falco_string(expr: &Expr) -> String {
    let mut out = Vec::new();
    write_expr(&mut out, expr);
    String::from_utf8_lossy(&out).into_owned()
}

fn write_expr(out: &mut Vec<u8>, expr: &Expr) {
    match expr {
        Expr::And(items, _) => write_logical(out, items, b" and "),
        Expr::Or(items, _) => write_logical(out, items, b" or "),
        Expr::Not(inner, _) => {
            // libsinsp toggles a flag for each `not` of one chain, so `not not x`
            // is `x`; a parenthesis starts a new chain.
            let mut negated = true;
            let mut inner = inner.as_ref();
            while let Expr::Not(next, _) = inner {
                negated = !negated;
                inner = next;
            }
            if negated {
                out.extend_from_slice(b"not ");
            }
            write_expr(out, inner);
        }
        Expr::Paren(inner, _) => write_expr(out, inner),
        Expr::Macro(ident) => out.extend_from_slice(ident.name.as_bytes()),
        Expr::Check(check) => write_check(out, check),
        Expr::Error(_) => out.extend_from_slice(b"<error>"),
    }
}

fn write_logical(out: &mut Vec<u8>, items: &[Expr], op: &[u8]) {
    out.push(b'(');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(op);
        }
        write_expr(out, item);
    }
    out.push(b')');
}

fn write_check(out: &mut Vec<u8>, check: &Check) {
    write_operand(out, &check.left);
    out.push(b' ');
    out.extend_from_slice(check.op.op.as_str().as_bytes());
    if let Some(modifier) = check.op.modifier {
        out.push(b' ');
        out.extend_from_slice(modifier.as_str().as_bytes());
    }
    if let Some(right) = &check.right {
        out.push(b' ');
        write_value(out, right);
    }
}

fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Str(text) => escape(out, text.as_bytes()),
        Value::List(items, _) => {
            out.push(b'(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                escape(out, item.as_bytes());
            }
            out.push(b')');
        }
        Value::ListRef(ident) => escape(out, ident.name.as_bytes()),
        Value::Operand(operand) => write_operand(out, operand),
    }
}

fn write_operand(out: &mut Vec<u8>, operand: &Operand) {
    match operand {
        Operand::Field(field) => write_field(out, field),
        Operand::Transform(t) => {
            out.extend_from_slice(t.kind.as_str().as_bytes());
            write_args(out, &t.args);
            write_arg(out, t.arg.as_ref());
        }
        Operand::Literal(text) => write_literal(out, text),
        Operand::List(items, _) => write_args(out, items),
        Operand::Error(_) => out.extend_from_slice(b"<error>"),
    }
}

fn write_args(out: &mut Vec<u8>, args: &[Operand]) {
    out.push(b'(');
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_operand(out, arg);
    }
    out.push(b')');
}

fn write_literal(out: &mut Vec<u8>, text: &Str) {
    escape(out, text.as_bytes());
}

fn write_field(out: &mut Vec<u8>, field: &FieldRef) {
    out.extend_from_slice(field.name.as_bytes());
    write_arg(out, field.arg.as_ref());
}

fn write_arg(out: &mut Vec<u8>, arg: Option<&FieldArg>) {
    let Some(arg) = arg else { return };
    if arg.value.is_empty() {
        out.extend_from_slice(b"[\"\"]");
    } else {
        out.push(b'[');
        escape(out, arg.value.as_bytes());
        out.push(b']');
    }
}

/// libsinsp's `escape_str`: control characters, backslashes and double quotes are
/// escaped, and the value is double-quoted when anything needed escaping or it
/// contains a blank, `=` or a single quote.
fn escape(out: &mut Vec<u8>, value: &[u8]) {
    let mut body = Vec::with_capacity(value.len());
    let mut quote = false;
    for &b in value {
        let escaped: &[u8] = match b {
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            b'\\' => b"\\\\",
            b'"' => b"\\\"",
            b' ' | b'=' | b'\'' | 0 => {
                quote = true;
                body.push(b);
                continue;
            }
            _ => {
                body.push(b);
                continue;
            }
        };
        quote = true;
        body.extend_from_slice(escaped);
    }
    if quote {
        out.push(b'"');
        out.extend_from_slice(&body);
        out.push(b'"');
    } else {
        out.extend_from_slice(&body);
    }
}
