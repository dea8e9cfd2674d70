//! Warnings about values that are probably mistakes (libsinsp's compiler warnings):
//! a value that names a field or a transformer (W404), and a `regex` that a plain
//! operator could do (W405).

use falco_condition::ast::{Op, TransformKind};
use falco_diagnostics::Code;
use falco_span::Span;

use crate::check::Checker;
use crate::error::TypeError;

/// Checks one constant value of a check that compiled.
pub(crate) fn value_hints(checker: &mut Checker<'_, '_>, text: &str, span: Span, op: Op) {
    if op == Op::Regex && checker.ctx.options.regex_hints {
        regex_hint(checker, text, span);
    }
    // A field name has a dot and a transformer call a parenthesis: most values
    // (list items, paths without dots) have neither and need no further look.
    if !checker.ctx.options.value_hints || !text.contains(['.', '(']) {
        return;
    }
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if looks_like_field_name(&compact)
        && checker
            .ctx
            .resolver
            .is_field_name(checker.ctx.source, &compact)
    {
        checker.report(
            TypeError::new(
                Code::W404,
                span,
                format!(
                    "`{}` names a field but is compared as a string",
                    text.escape_debug()
                ),
            )
            .with_label("a constant string")
            .with_help(format!(
                "to compare with the field's value, write `val({compact})`"
            )),
        );
    }
    for kind in TransformKind::ALL {
        let name = kind.as_str();
        let is_call = compact.len() >= name.len() + 2
            && compact.starts_with(name)
            && compact[name.len()..].starts_with('(')
            && compact.ends_with(')');
        if is_call {
            checker.report(
                TypeError::new(
                    Code::W404,
                    span,
                    format!(
                        "`{}` looks like a transformer but is compared as a string",
                        text.escape_debug()
                    ),
                )
                .with_label("a constant string")
                .with_help("remove the quotes to apply the transformer to a field"),
            );
        }
    }
}

/// A cheap pre-filter before asking the schema: `word.word...`, optionally `[...]`.
fn looks_like_field_name(text: &str) -> bool {
    let name = text.split('[').next().unwrap_or("");
    name.contains('.')
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Regex metacharacters that make a pattern need a regex.
const SPECIAL: &[u8] = b".+*?^$()[]{}|\\";

/// Whether a pattern could be `=`, `contains`, `startswith` or `endswith`: only
/// literal characters, besides the implicit anchors `^`/`$` and a leading or trailing
/// `.*`, `.+`, `.?`. Follows libsinsp's heuristic.
pub(crate) fn regex_is_simple(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    let len = bytes.len();
    let mut i = 0;
    while i < len {
        let byte = bytes[i];
        if (i == 0 && byte == b'^') || (i + 1 == len && byte == b'$') {
            i += 1;
            continue;
        }
        let at_edge = (i == 0 && len > 1) || i + 2 == len;
        if at_edge && byte == b'.' && matches!(bytes.get(i + 1), Some(b'+' | b'*' | b'?')) {
            i += 2;
            continue;
        }
        if SPECIAL.contains(&byte) {
            return false;
        }
        i += 1;
    }
    true
}

/// The plain operator and value a simple pattern amounts to, when it is exact
/// (only `.*` wildcards).
fn simpler_form(pattern: &str) -> Option<(&'static str, &str)> {
    let core = pattern.strip_prefix('^').unwrap_or(pattern);
    let core = core.strip_suffix('$').unwrap_or(core);
    let (open_start, core) = match core.strip_prefix(".*") {
        Some(rest) => (true, rest),
        None => (false, core),
    };
    let (open_end, core) = match core.strip_suffix(".*") {
        Some(rest) => (true, rest),
        None => (false, core),
    };
    if core.is_empty() || core.bytes().any(|byte| SPECIAL.contains(&byte)) {
        return None;
    }
    let op = match (open_start, open_end) {
        (true, true) => "contains",
        (true, false) => "endswith",
        (false, true) => "startswith",
        (false, false) => "=",
    };
    Some((op, core))
}

fn regex_hint(checker: &mut Checker<'_, '_>, pattern: &str, span: Span) {
    if !regex_is_simple(pattern) {
        return;
    }
    let help = match simpler_form(pattern) {
        Some((op, value)) => format!("write `{op} {value}` instead; it is faster"),
        None => "use `=`, `contains`, `startswith` or `endswith`, which are faster".to_owned(),
    };
    checker.report(
        TypeError::new(
            Code::W405,
            span,
            format!(
                "regex `{}` needs no regular expression",
                pattern.escape_debug()
            ),
        )
        .with_label("only literal text and edge wildcards")
        .with_help(help),
    );
}
