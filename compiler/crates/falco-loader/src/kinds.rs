//! Reading each kind of item: which keys it needs and how they decode
//! (Falco's `rule_loader::reader::read_item`).

use crate::decode::{is_list_name, is_macro_name};
use crate::exceptions::read_exceptions;
use crate::overrides::{read_amendment, read_rule_overrides};
use crate::reader::{ITEM_KINDS, ItemReader, KeyErrors, Read, broken, unknown_keys};
use crate::versions::{read_engine_version, read_plugin_versions};
use crate::{BrokenItem, Item, ListItem, MacroItem, Priority, RuleItem, Spanned};
use falco_diagnostics::{Code, Diagnostic, did_you_mean};
use falco_span::{FileId, MappedText, Span};
use falco_yaml::Node;

/// Keys a list accepts.
pub(crate) const LIST_KEYS: &[&str] = &["list", "items", "append", "override"];
/// Keys a macro accepts.
pub(crate) const MACRO_KEYS: &[&str] = &["macro", "condition", "append", "override"];
/// Keys a rule accepts.
pub(crate) const RULE_KEYS: &[&str] = &[
    "rule",
    "condition",
    "output",
    "desc",
    "priority",
    "source",
    "enabled",
    "capture",
    "capture_duration",
    "warn_evttypes",
    "skip-if-unknown-filter",
    "tags",
    "exceptions",
    "override",
    "append",
];

/// Reads one top-level item. Warnings and errors go to `diagnostics`. An error in
/// the item's shape ends it, and it is returned as broken; so is a rule whose bad key
/// values leave nothing to check (see [`KeyErrors::rule_still_checkable`]).
pub(crate) fn read_item(
    _file: FileId,
    node: &Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Option<Item>, BrokenItem> {
    let Some(mut reader) = ItemReader::new(node, "item") else {
        diagnostics.push(
            Diagnostic::new(
                Code::E103,
                node.span,
                format!("an item must be a mapping, found a {}", node.kind_name()),
            )
            .with_label("not a mapping")
            .with_help("start the item with its kind and name, e.g. `- rule: my rule`"),
        );
        return Err(BrokenItem {
            kind: "item",
            name: None,
            span: node.span,
        });
    };
    let Some(kind) = ITEM_KINDS.iter().copied().find(|kind| reader.has(kind)) else {
        diagnostics.push(unknown_item(&reader));
        return Ok(None);
    };
    reader.kind = match kind {
        "required_engine_version" => "required_engine_version",
        "required_plugin_versions" => "required_plugin_versions",
        other => other,
    };
    let mut warnings = Vec::new();
    let mut key_errors = KeyErrors::default();
    let (mut outcome, valid): (Read<Item>, &[&str]) = match kind {
        "required_engine_version" => (
            read_engine_version(&reader, &mut warnings).map(Item::RequiredEngineVersion),
            &["required_engine_version"],
        ),
        "required_plugin_versions" => (
            read_plugin_versions(&reader).map(Item::RequiredPluginVersions),
            &["required_plugin_versions"],
        ),
        "list" => (
            read_list(&mut reader, &mut warnings).map(Item::List),
            LIST_KEYS,
        ),
        "macro" => (
            read_macro(&mut reader, &mut warnings).map(Item::Macro),
            MACRO_KEYS,
        ),
        _ => (
            read_rule(&mut reader, &mut warnings, &mut key_errors).map(Item::Rule),
            RULE_KEYS,
        ),
    };
    diagnostics.append(&mut warnings);
    let checkable = match &mut outcome {
        Ok(Item::Rule(rule)) => {
            rule.rejected_value = !key_errors.errors.is_empty();
            key_errors.rule_still_checkable(rule.amendment.is_definition())
        }
        _ => true,
    };
    diagnostics.append(&mut key_errors.errors);
    let result = match outcome {
        Ok(item) if checkable => Ok(Some(item)),
        Ok(_) => Err(broken(&reader)),
        Err(error) => {
            diagnostics.push(error);
            Err(broken(&reader))
        }
    };
    unknown_keys(&reader, valid, diagnostics);
    result
}

fn unknown_item(reader: &ItemReader<'_>) -> Diagnostic {
    let first = reader.entries.first();
    let span = first.map_or(reader.node.span, |(key, _)| key.span);
    let name = first.and_then(|(key, _)| key.as_str()).unwrap_or_default();
    let diagnostic = Diagnostic::new(
        Code::W101,
        span,
        format!("unknown top-level item `{name}`, it is ignored"),
    )
    .with_label("not a rule, macro, list or version requirement");
    match did_you_mean(name, ITEM_KINDS.iter().copied()) {
        Some(suggestion) => diagnostic.with_did_you_mean(name, suggestion),
        None => diagnostic.with_note(
            "an item starts with one of `rule`, `macro`, `list`, `required_engine_version`, `required_plugin_versions`",
        ),
    }
}

/// Reads the item's name (the value of its kind key).
fn read_name(reader: &mut ItemReader<'_>) -> Read<Spanned<String>> {
    let name = reader
        .string(reader.kind, false)?
        .unwrap_or_else(|| Spanned {
            value: String::new(),
            span: reader.node.span,
        });
    reader.name = Some(name.clone());
    Ok(name)
}

fn read_list(reader: &mut ItemReader<'_>, warnings: &mut Vec<Diagnostic>) -> Read<ListItem> {
    let name = read_name(reader)?;
    if !is_list_name(&name.value) {
        warnings.push(
            Diagnostic::new(
                Code::W107,
                name.span,
                format!(
                    "list name `{}` cannot be referenced from a condition",
                    name.value
                ),
            )
            .with_label("invalid list name")
            .with_help("use a name without spaces, quotes, parentheses, `=` or `,`"),
        );
    }
    let items = reader.scalar_list("items", false)?;
    let amendment = read_amendment(reader, &["items"], &["items"], warnings)?;
    Ok(ListItem {
        name,
        items,
        amendment,
        keys: reader.keys(),
        span: reader.node.span,
    })
}

fn read_macro(reader: &mut ItemReader<'_>, warnings: &mut Vec<Diagnostic>) -> Read<MacroItem> {
    let name = read_name(reader)?;
    if !is_macro_name(&name.value) {
        warnings.push(
            Diagnostic::new(
                Code::W106,
                name.span,
                format!(
                    "macro name `{}` cannot be referenced from a condition",
                    name.value
                ),
            )
            .with_label("invalid macro name")
            .with_help("start the name with a letter and use only letters, digits and `_`"),
        );
    }
    let condition = reader.mapped("condition", false)?;
    let amendment = read_amendment(reader, &["condition"], &["condition"], warnings)?;
    let (condition, condition_span) = condition.unzip();
    Ok(MacroItem {
        name,
        condition,
        condition_span,
        amendment,
        keys: reader.keys(),
        span: reader.node.span,
    })
}

/// Whitespace Falco's `trim` removes from an output.
fn is_trimmed(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}')
}

/// `text` without leading and trailing whitespace, keeping its map.
pub(crate) fn trim_mapped(text: &MappedText) -> MappedText {
    let trimmed_start = text.text.len() - text.text.trim_start_matches(is_trimmed).len();
    let trimmed_end = text
        .text
        .trim_end_matches(is_trimmed)
        .len()
        .max(trimmed_start);
    text.slice(Span::new(trimmed_start as u32, trimmed_end as u32))
}

/// A priority, checked.
pub(crate) fn read_priority(reader: &ItemReader<'_>) -> Read<Spanned<Priority>> {
    let Some(text) = reader.string("priority", false)? else {
        return Err(reader.missing(&["priority"], RULE_KEYS));
    };
    match Priority::parse(&text.value) {
        Some(value) => Ok(Spanned {
            value,
            span: text.span,
        }),
        None => {
            let lower = text.value.to_ascii_lowercase();
            let names: Vec<String> = Priority::ALL
                .iter()
                .map(|priority| priority.name().to_ascii_lowercase())
                .collect();
            let suggestion =
                did_you_mean(&lower, names.iter().map(String::as_str)).and_then(|found| {
                    Priority::ALL
                        .iter()
                        .find(|priority| priority.name().eq_ignore_ascii_case(found))
                });
            let diagnostic = Diagnostic::new(
                Code::E107,
                text.span,
                format!("invalid priority `{}`", text.value),
            )
            .with_label("not a priority");
            Err(match suggestion {
                Some(priority) => diagnostic.with_did_you_mean(&text.value, priority.name()),
                None => diagnostic.with_note(
                    "priorities are Emergency, Alert, Critical, Error, Warning, Notice, Informational (or Info) and Debug, in any case",
                ),
            })
        }
    }
}

/// An empty rule with only its name and keys, filled in by the readers.
fn empty_rule(reader: &ItemReader<'_>, name: Spanned<String>) -> RuleItem {
    RuleItem {
        name,
        condition: None,
        condition_span: None,
        output: None,
        output_span: None,
        desc: None,
        priority: None,
        source: None,
        enabled: None,
        tags: None,
        exceptions: None,
        capture: None,
        capture_duration: None,
        warn_evttypes: None,
        skip_if_unknown_filter: None,
        amendment: Default::default(),
        rejected_value: false,
        keys: reader.keys(),
        span: reader.node.span,
    }
}

/// Reads `key` of a rule into `rule`, with the decoding each key needs. A bad value
/// goes to `errors` and leaves the key unset.
pub(crate) fn read_rule_key(
    reader: &ItemReader<'_>,
    rule: &mut RuleItem,
    key: &'static str,
    optional: bool,
    appending: bool,
    errors: &mut KeyErrors,
) {
    if errors.failed(key) {
        return;
    }
    match key {
        "condition" => {
            let (text, span) = errors
                .keep(key, reader.mapped(key, optional))
                .flatten()
                .unzip();
            rule.condition = text;
            rule.condition_span = span;
        }
        "output" => {
            let (text, span) = errors
                .keep(key, reader.mapped(key, optional))
                .flatten()
                .unzip();
            rule.output = text;
            rule.output_span = span;
        }
        "desc" => rule.desc = errors.keep(key, reader.string(key, optional)).flatten(),
        "priority" => rule.priority = errors.keep(key, read_priority(reader)),
        "source" => rule.source = errors.keep(key, reader.string(key, optional)).flatten(),
        "enabled" => rule.enabled = errors.keep(key, reader.boolean(key, optional)).flatten(),
        "capture" => rule.capture = errors.keep(key, reader.boolean(key, optional)).flatten(),
        "capture_duration" => {
            let read = reader.unsigned(key, optional, u64::from(u32::MAX));
            rule.capture_duration = errors.keep(key, read).flatten();
        }
        "warn_evttypes" => {
            rule.warn_evttypes = errors.keep(key, reader.boolean(key, optional)).flatten()
        }
        "skip-if-unknown-filter" => {
            rule.skip_if_unknown_filter = errors.keep(key, reader.boolean(key, optional)).flatten()
        }
        "tags" => {
            let read = reader.scalar_list(key, optional);
            rule.tags = errors.keep(key, read).flatten().map(|tags| Spanned {
                value: tags
                    .value
                    .into_iter()
                    .map(|entry| Spanned {
                        value: entry.value,
                        span: entry.span,
                    })
                    .collect(),
                span: tags.span,
            });
        }
        "exceptions" => {
            rule.exceptions = errors
                .keep(key, read_exceptions(reader, appending))
                .flatten()
        }
        _ => {}
    }
}

fn read_rule(
    reader: &mut ItemReader<'_>,
    warnings: &mut Vec<Diagnostic>,
    errors: &mut KeyErrors,
) -> Read<RuleItem> {
    let name = read_name(reader)?;
    let mut rule = empty_rule(reader, name);
    // `source` may be empty for amendments; a definition checks it again below.
    errors.keep("source", reader.scalar("source", true, true));
    rule.source = reader
        .entry("source")
        .map(|(_, value)| value)
        .filter(|value| !value.is_null())
        .map(crate::reader::spanned_string);
    rule.amendment = read_amendment(
        reader,
        crate::overrides::RULE_APPEND,
        crate::overrides::RULE_REPLACE,
        warnings,
    )?;
    let appending = rule
        .amendment
        .append
        .as_ref()
        .is_some_and(|append| append.value);
    if !rule.amendment.overrides.is_empty() {
        read_rule_overrides(reader, &mut rule, errors)?;
    } else if appending {
        for key in ["condition", "exceptions"] {
            if reader.has(key) {
                read_rule_key(reader, &mut rule, key, false, true, errors);
            }
        }
    } else if ["condition", "output", "desc", "priority"]
        .iter()
        .all(|key| !reader.has(key))
    {
        if !reader.has("enabled") {
            return Err(reader
                .missing(&["condition", "output", "desc", "priority"], RULE_KEYS)
                .with_note(
                    "an item with only `rule` and `enabled` turns an existing rule on or off",
                ));
        }
        rule.enabled = reader.boolean("enabled", false)?;
        warnings.push(
            Diagnostic::new(
                Code::W104,
                reader.anchor(),
                format!(
                    "{} only sets `enabled`; this form is deprecated",
                    reader.what()
                ),
            )
            .with_label("standalone `enabled`")
            .with_help("add `override: {enabled: replace}` to the item"),
        );
    } else {
        let missing: Vec<&str> = ["condition", "output", "desc", "priority"]
            .into_iter()
            .filter(|key| !reader.has(key))
            .collect();
        if !missing.is_empty() {
            return Err(reader.missing(&missing, RULE_KEYS));
        }
        for key in ["condition", "output", "desc", "priority"] {
            read_rule_key(reader, &mut rule, key, false, false, errors);
        }
        rule.output = rule.output.as_ref().map(trim_mapped);
        for key in [
            "source",
            "enabled",
            "capture",
            "capture_duration",
            "warn_evttypes",
            "skip-if-unknown-filter",
            "tags",
            "exceptions",
        ] {
            read_rule_key(reader, &mut rule, key, true, false, errors);
        }
    }
    Ok(rule)
}
