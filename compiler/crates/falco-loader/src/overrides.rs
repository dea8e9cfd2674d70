//! `append: true` and `override:`: reading them, and Falco's consistency checks
//! between the override entries and the keys an item sets.

use crate::kinds::read_rule_key;
use crate::reader::{ItemReader, KeyErrors, Read};
use crate::{Amendment, Key, Override, OverrideMode, RuleItem, Spanned};
use falco_diagnostics::{Code, Diagnostic, Fix, Replacement};

/// Rule keys that `override` may append to, in the order Falco applies them.
pub(crate) const RULE_APPEND: &[&str] = &["condition", "exceptions", "output", "desc", "tags"];
/// Rule keys that `override` may replace, in the order Falco applies them.
pub(crate) const RULE_REPLACE: &[&str] = &[
    "condition",
    "exceptions",
    "output",
    "desc",
    "tags",
    "priority",
    "capture",
    "capture_duration",
    "enabled",
    "warn_evttypes",
    "skip-if-unknown-filter",
];

fn backticked(keys: &[&str]) -> String {
    keys.iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fix of a deprecated `append: true`: `override:` with `append` for each key the
/// item has that can be appended to, in flow style on the same line. None when the
/// item also has `override` (an error of its own) or no key to append.
fn append_to_override(reader: &ItemReader<'_>, append_ok: &[&str]) -> Option<Fix> {
    if reader.has("override") {
        return None;
    }
    let (key, value) = reader.entry("append")?;
    let written = value.as_str()?;
    let entries: Vec<String> = append_ok
        .iter()
        .filter(|key| reader.has(key))
        .map(|key| format!("{key}: append"))
        .collect();
    if entries.is_empty() {
        return None;
    }
    Some(Fix {
        title: format!("Replace `append: {written}` with `override:`"),
        edits: vec![
            Replacement {
                span: key.span,
                replaced: "append".to_owned(),
                text: "override".to_owned(),
            },
            Replacement {
                span: value.span,
                replaced: written.to_owned(),
                text: format!("{{{}}}", entries.join(", ")),
            },
        ],
    })
}

/// Reads `append` and `override` (in Falco's order: `append` first, then each
/// override entry, then the check that they are not used together).
pub(crate) fn read_amendment(
    reader: &ItemReader<'_>,
    append_ok: &[&str],
    replace_ok: &[&str],
    warnings: &mut Vec<Diagnostic>,
) -> Read<Amendment> {
    let mut amendment = Amendment {
        append: reader.boolean("append", true)?,
        ..Amendment::default()
    };
    if let Some(append) = amendment.append.as_ref().filter(|append| append.value) {
        let mut warning = Diagnostic::new(Code::W103, append.span, "`append: true` is deprecated")
            .with_label("deprecated")
            .with_help(format!(
                "remove `append` and list the appended keys under `override`, e.g. `override: {{{}: append}}`",
                append_ok.first().copied().unwrap_or("condition")
            ));
        if let Some(fix) = append_to_override(reader, append_ok) {
            warning = warning.with_fix(fix);
        }
        warnings.push(warning);
    }
    let Some((override_key, value)) = reader.entry("override") else {
        return Ok(amendment);
    };
    amendment.override_span = Some(override_key.span);
    // Falco iterates the value as a mapping; a null or scalar value holds no entry.
    if value.is_null() || value.as_scalar().is_some() {
        return Ok(amendment);
    }
    let Some(entries) = value.as_mapping() else {
        return Err(Diagnostic::new(
            Code::E109,
            value.span,
            "`override` must map keys to `append` or `replace`",
        )
        .with_label(format!("found a {}", value.kind_name()))
        .with_help("write e.g. `override: {condition: append}`"));
    };
    for (key_node, mode_node) in entries {
        let Some(key) = key_node.as_str() else {
            return Err(Diagnostic::new(
                Code::E109,
                key_node.span,
                "`override` keys must be scalars",
            )
            .with_label(format!("found a {}", key_node.kind_name())));
        };
        let can_append = append_ok.contains(&key);
        let can_replace = replace_ok.contains(&key);
        let mode = match mode_node.as_str() {
            Some("append") => OverrideMode::Append,
            Some("replace") => OverrideMode::Replace,
            other => {
                let allowed: Vec<&str> = [("append", can_append), ("replace", can_replace)]
                    .into_iter()
                    .filter_map(|(mode, ok)| ok.then_some(mode))
                    .collect();
                let found = match other {
                    Some(text) => format!("`{text}`"),
                    None => format!("a {}", mode_node.kind_name()),
                };
                let diagnostic = Diagnostic::new(
                    Code::E109,
                    if mode_node.is_null() {
                        key_node.span
                    } else {
                        mode_node.span
                    },
                    format!("invalid override mode {found} for `{key}`"),
                )
                .with_label("expected `append` or `replace`");
                return Err(if allowed.is_empty() {
                    diagnostic.with_note(format!("`{key}` cannot be overridden"))
                } else {
                    diagnostic.with_help(format!("`{key}` allows {}", backticked(&allowed)))
                });
            }
        };
        let allowed = match mode {
            OverrideMode::Append => can_append,
            OverrideMode::Replace => can_replace,
        };
        if !allowed {
            let (message, help) = match mode {
                OverrideMode::Append if can_replace => (
                    format!("`{key}` cannot be appended to"),
                    format!("use `{key}: replace`"),
                ),
                OverrideMode::Append => (
                    format!("`{key}` cannot be appended to"),
                    format!("keys that can be appended to: {}", backticked(append_ok)),
                ),
                OverrideMode::Replace => (
                    format!("`{key}` cannot be replaced"),
                    format!("keys that can be replaced: {}", backticked(replace_ok)),
                ),
            };
            return Err(Diagnostic::new(Code::E109, key_node.span, message)
                .with_label("not overridable this way")
                .with_help(help));
        }
        amendment.overrides.push(Override {
            key: Key {
                name: key.to_string(),
                span: key_node.span,
            },
            mode: Spanned {
                value: mode,
                span: mode_node.span,
            },
        });
    }
    let appending = amendment.append.as_ref().filter(|append| append.value);
    if let Some(append) = appending.filter(|_| !amendment.overrides.is_empty()) {
        return Err(Diagnostic::new(
            Code::E109,
            override_key.span,
            "`override` cannot be used together with `append: true`",
        )
        .with_label("`override` here")
        .with_related(append.span, "`append: true` here")
        .with_help("remove `append: true`; the entries under `override` say what is appended"));
    }
    Ok(amendment)
}

/// The checks and reads of a rule with `override` entries: every listed key must be
/// set, and every overridable key that is set must be listed.
pub(crate) fn read_rule_overrides(
    reader: &ItemReader<'_>,
    rule: &mut RuleItem,
    errors: &mut KeyErrors,
) -> Read<()> {
    let overrides = rule.amendment.overrides.clone();
    let mut expected: Vec<&str> = RULE_REPLACE
        .iter()
        .copied()
        .filter(|key| reader.has(key))
        .collect();
    for (mode, order) in [
        (OverrideMode::Append, RULE_APPEND),
        (OverrideMode::Replace, RULE_REPLACE),
    ] {
        for &key in order {
            let Some(entry) = overrides
                .iter()
                .find(|entry| entry.key.name == key && entry.mode.value == mode)
            else {
                continue;
            };
            if !reader.has(key) {
                let mode_name = match mode {
                    OverrideMode::Append => "append",
                    OverrideMode::Replace => "replace",
                };
                return Err(Diagnostic::new(
                    Code::E109,
                    entry.key.span,
                    format!(
                        "`override` asks to {mode_name} `{key}`, but {} has no `{key}`",
                        reader.what()
                    ),
                )
                .with_label(format!("no `{key}` to {mode_name}"))
                .with_help(format!(
                    "add `{key}` to the item, or remove this override entry"
                )));
            }
            expected.retain(|candidate| *candidate != key);
            read_rule_key(
                reader,
                rule,
                key,
                false,
                mode == OverrideMode::Append,
                errors,
            );
        }
    }
    if let Some(key) = expected.first() {
        let span = reader
            .entry(key)
            .map_or(reader.anchor(), |(key_node, _)| key_node.span);
        let mut diagnostic = Diagnostic::new(
            Code::E109,
            span,
            format!("`{key}` is set but has no entry under `override`"),
        )
        .with_label("not listed under `override`");
        if let Some(override_span) = rule.amendment.override_span {
            diagnostic = diagnostic.with_related(override_span, "the overrides are listed here");
        }
        let help = if RULE_APPEND.contains(key) {
            format!("add `{key}: append` or `{key}: replace` under `override`")
        } else {
            format!("add `{key}: replace` under `override`")
        };
        return Err(diagnostic.with_help(help));
    }
    // `source` is kept as written; Falco only uses it alongside a condition.
    Ok(())
}
