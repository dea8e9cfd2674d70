//! `${VAR}` in configuration values, as Falco resolves them when it loads a file.
//!
//! Falco replaces `${NAME}` in every scalar value (not in keys) with the environment
//! variable `NAME`, or with nothing when it is unset, and turns `$${...}` into `${...}`.
//! Two of its quirks are kept: a `$` followed by anything else ends the scan of that
//! value (later references stay as written), and so does a `${` without a closing `}`.
//! One is not: Falco scans the text it has just put in again, so a variable whose value
//! names itself never ends; here the inserted text is taken as it is.

use crate::tree::{Kind, Value};

/// Resolves the references in every scalar value below `value`, reading variables with
/// `lookup`.
pub(crate) fn expand(value: &mut Value, lookup: &dyn Fn(&str) -> Option<String>) {
    match &mut value.kind {
        Kind::Scalar(text) => {
            if text.contains('$') {
                *text = expand_text(text, lookup);
            }
        }
        Kind::Seq(items) => items.iter_mut().for_each(|item| expand(item, lookup)),
        Kind::Map(entries) => entries
            .iter_mut()
            .for_each(|entry| expand(&mut entry.value, lookup)),
        Kind::Null => {}
    }
}

/// `text` with its references resolved.
pub(crate) fn expand_text(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        rest = &rest[dollar..];
        if let Some(reference) = rest.strip_prefix("${") {
            let Some(close) = reference.find('}') else {
                break;
            };
            out.push_str(&lookup(&reference[..close]).unwrap_or_default());
            rest = &reference[close + 1..];
        } else if rest.starts_with("$${") {
            if !rest.contains('}') {
                break;
            }
            out.push('$');
            rest = &rest[2..];
            // The `{` after the kept `$` is not a reference: copy it and scan on.
            out.push('{');
            rest = &rest[1..];
        } else {
            break;
        }
    }
    out.push_str(rest);
    out
}
