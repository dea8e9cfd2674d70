//! Completion by context. The context comes from the text before the cursor (a
//! half-typed condition does not parse), the names from the analysis and the
//! schema.

use falco_condition::ast::{Modifier, Op};
use falco_loader::{Item, Priority};
use falco_schema::{Schema, ops_allowed};
use falco_span::{FileId, Span};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, CompletionTextEdit, Documentation,
    MarkupContent, MarkupKind, Position, TextEdit, Uri,
};

use crate::convert::{from_lsp_position, to_lsp_range};
use crate::handlers::hover::operator_meaning;
use crate::locate::{Owner, source_of};
use crate::workspace::World;

/// Keys a rule item accepts.
const RULE_KEYS: &[&str] = &[
    "rule",
    "desc",
    "condition",
    "output",
    "priority",
    "source",
    "tags",
    "enabled",
    "exceptions",
    "override",
    "warn_evttypes",
    "skip-if-unknown-filter",
    "capture",
    "capture_duration",
];
/// Keys a macro item accepts.
const MACRO_KEYS: &[&str] = &["macro", "condition", "override"];
/// Keys a list item accepts.
const LIST_KEYS: &[&str] = &["list", "items", "override"];
/// Keys of an entry of a rule's `exceptions`.
const EXCEPTION_KEYS: &[&str] = &["name", "fields", "comps", "values"];
/// What a top-level item can be.
const ITEM_KINDS: &[&str] = &[
    "rule",
    "macro",
    "list",
    "required_engine_version",
    "required_plugin_versions",
];

/// The completions at a position. `trigger` is the character that made the client
/// ask, if any: a space asks only where a short, relevant list exists (operators after
/// a field, values after an operator), not for every macro and field.
pub fn completion(
    world: &World<'_>,
    uri: &Uri,
    position: Position,
    trigger: Option<&str>,
) -> Option<CompletionResponse> {
    let (id, file) = world.file_of(uri)?;
    let offset = from_lsp_position(file, position) as usize;
    let text = file.text.get(..offset)?;
    let word = trailing_word(text);
    let word_span = Span::new((offset - word.len()) as u32, offset as u32);
    let range = to_lsp_range(file, word_span);
    let by_space = trigger.is_some_and(|character| character.trim().is_empty());
    let items = match yaml_context(text) {
        _ if by_space
            && word.is_empty()
            && !after_operator_or_field(world, id, offset as u32, text) =>
        {
            Vec::new()
        }
        Context::ItemKind => keywords(ITEM_KINDS.iter().copied(), CompletionItemKind::KEYWORD),
        Context::ItemKey(kind) => {
            let present = keys_present(world, id, offset as u32);
            keywords(
                match kind.as_str() {
                    "rule" => RULE_KEYS,
                    "macro" => MACRO_KEYS,
                    "list" => LIST_KEYS,
                    "name" => EXCEPTION_KEYS,
                    _ => &[],
                }
                .iter()
                .copied()
                .filter(|key| !present.iter().any(|found| found == key)),
                CompletionItemKind::PROPERTY,
            )
        }
        Context::Value { key, value } => match key.as_str() {
            "condition" => condition_items(world, id, offset as u32, &value, word),
            "fields" => field_items(&source_at(world, id, offset as u32), word),
            "comps" => keywords(
                Op::ALL.iter().map(|op| op.as_str()),
                CompletionItemKind::OPERATOR,
            ),
            "values" => list_names(world),
            "output" => output_items(world, id, offset as u32, &value, word),
            "priority" => {
                let names: Vec<String> = Priority::ALL
                    .iter()
                    .map(|priority| priority.name().to_uppercase())
                    .collect();
                keywords(
                    names.iter().map(String::as_str),
                    CompletionItemKind::ENUM_MEMBER,
                )
            }
            "source" => keywords(
                Schema::get().known_sources(),
                CompletionItemKind::ENUM_MEMBER,
            ),
            "tags" => {
                let mut tags: Vec<&str> = world
                    .analysis
                    .ruleset
                    .rules
                    .iter()
                    .flat_map(|rule| rule.tags.iter().map(String::as_str))
                    .collect();
                tags.sort_unstable();
                tags.dedup();
                keywords(tags, CompletionItemKind::VALUE)
            }
            "items" => list_names(world),
            "enabled" | "append" | "capture" | "warn_evttypes" | "skip-if-unknown-filter" => {
                keywords(["true", "false"], CompletionItemKind::VALUE)
            }
            "override" => keywords(["append", "replace"], CompletionItemKind::VALUE),
            _ => Vec::new(),
        },
    };
    let items = items
        .into_iter()
        .map(|mut item| {
            item.text_edit = Some(CompletionTextEdit::Edit(TextEdit {
                range,
                new_text: item
                    .insert_text
                    .take()
                    .unwrap_or_else(|| item.label.clone()),
            }));
            item
        })
        .collect();
    Some(CompletionResponse::Array(items))
}

/// Where in the YAML the cursor is.
#[derive(Debug, PartialEq)]
enum Context {
    /// After `- ` at the start of an item.
    ItemKind,
    /// Where a key of an item of this kind goes.
    ItemKey(String),
    /// In the value of `key`; `value` is its text up to the cursor.
    Value { key: String, value: String },
}

/// A line's indentation and, when it starts with a key, the key (with whether the
/// line starts an item with `- `) and the byte offset after the key's colon.
fn key_line(line: &str) -> (usize, Option<(bool, &str, usize)>) {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let (dash, rest, base) = match rest.strip_prefix("- ") {
        Some(after) => {
            let trimmed = after.trim_start_matches(' ');
            (true, trimmed, indent + rest.len() - trimmed.len())
        }
        None => (false, rest, indent),
    };
    let key_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let key = &rest[..key_len];
    if key.is_empty() || !rest[key_len..].starts_with(':') {
        return (indent, None);
    }
    (indent, Some((dash, key, base + key_len + 1)))
}

fn yaml_context(text: &str) -> Context {
    let line_start = text.rfind('\n').map_or(0, |at| at + 1);
    let line = &text[line_start..];
    let (indent, key) = key_line(line);
    if let Some((_, key, after_colon)) = key {
        return Context::Value {
            key: key.to_owned(),
            value: line[after_colon..].to_owned(),
        };
    }
    let stripped = line.trim_start_matches(' ');
    let word_only = stripped
        .strip_prefix("- ")
        .unwrap_or(stripped)
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if stripped.starts_with('-') && word_only && indent == 0 {
        return Context::ItemKind;
    }
    // Walk back to the line that owns this one: the first less indented key line.
    let mut end = line_start;
    while end > 0 {
        let start = text[..end - 1].rfind('\n').map_or(0, |at| at + 1);
        let above = &text[start..end - 1];
        end = start;
        if above.trim().is_empty() || above.trim_start().starts_with('#') {
            continue;
        }
        let (above_indent, above_key) = key_line(above);
        if above_indent >= indent {
            // Deeper lines, and sibling keys of the item being written, belong to
            // the same owner: keep looking up.
            continue;
        }
        match above_key {
            Some((true, key, _)) if word_only && indent == above_indent + 2 => {
                return Context::ItemKey(key.to_owned());
            }
            Some((_, key, after_colon)) => {
                return Context::Value {
                    key: key.to_owned(),
                    value: text[start + after_colon..].to_owned(),
                };
            }
            None => break,
        }
    }
    Context::Value {
        key: String::new(),
        value: String::new(),
    }
}

/// Whether the cursor, after a space, follows a field (operators are due) or an
/// operator (values are due) in a condition.
fn after_operator_or_field(world: &World<'_>, file: FileId, offset: u32, text: &str) -> bool {
    let Context::Value { key, value } = yaml_context(text) else {
        return false;
    };
    if key != "condition" {
        return false;
    }
    let before = value.trim_end();
    if value_position(&value).is_some() {
        return true;
    }
    let previous = last_token(before);
    let (name, arg) = falco_typeck::split_field_arg(previous);
    previous.contains('.')
        && Schema::get()
            .resolve(&source_at(world, file, offset), name, arg)
            .is_ok()
}

/// The keys already written in the item around `offset` (for an exception entry,
/// the keys of that entry), except one the cursor is on.
fn keys_present(world: &World<'_>, file: FileId, offset: u32) -> Vec<String> {
    let Some(item) = world.loaded(file).and_then(|loaded| {
        loaded
            .items
            .iter()
            .find(|item| item.span().span.start <= offset && offset <= item.span().span.end)
    }) else {
        return Vec::new();
    };
    let keys = match item {
        Item::Rule(rule) => {
            let in_exception = rule.exceptions.as_ref().and_then(|exceptions| {
                exceptions.value.iter().find(|exception| {
                    exception.span.span.start <= offset && offset <= exception.span.span.end
                })
            });
            if let Some(exception) = in_exception {
                let present = [
                    Some("name"),
                    exception.fields.as_ref().map(|_| "fields"),
                    exception.comps.as_ref().map(|_| "comps"),
                    exception.values.as_ref().map(|_| "values"),
                ];
                return present.into_iter().flatten().map(str::to_owned).collect();
            }
            &rule.keys
        }
        Item::Macro(item) => &item.keys,
        Item::List(item) => &item.keys,
        _ => return Vec::new(),
    };
    // The key being typed over stays on offer.
    keys.iter()
        .filter(|key| !(key.span.span.start <= offset && offset <= key.span.span.end))
        .map(|key| key.name.clone())
        .collect()
}

/// Values a field takes from a fixed set, as a condition writes them.
fn field_values(field: &str) -> Vec<CompletionItem> {
    let values: &[(&str, &str)] = match field {
        "evt.dir" => &[(">", "enter event"), ("<", "exit event")],
        "fd.typechar" => FD_TYPECHARS,
        _ => &[],
    };
    values
        .iter()
        .map(|(value, meaning)| CompletionItem {
            label: (*value).to_owned(),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: Some((*meaning).to_owned()),
            ..CompletionItem::default()
        })
        .collect()
}

/// `fd.typechar`'s letters and what they stand for (libsinsp's fd type characters).
const FD_TYPECHARS: &[(&str, &str)] = &[
    ("f", "file"),
    ("4", "IPv4 socket"),
    ("6", "IPv6 socket"),
    ("u", "unix socket or userfaultfd"),
    ("p", "pipe (FIFO)"),
    ("e", "eventfd"),
    ("s", "signalfd"),
    ("l", "eventpoll"),
    ("i", "inotify"),
    ("t", "timerfd"),
    ("n", "netlink"),
    ("b", "bpf"),
    ("r", "io_uring"),
    ("m", "memfd"),
    ("P", "pidfd"),
    ("d", "directory"),
    ("o", "unknown"),
    ("X", "unsupported"),
];

/// The identifier-like word the cursor ends.
fn trailing_word(text: &str) -> &str {
    let before = text.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    &text[before.len()..]
}

fn keywords<'a>(
    names: impl IntoIterator<Item = &'a str>,
    kind: CompletionItemKind,
) -> Vec<CompletionItem> {
    names
        .into_iter()
        .map(|name| CompletionItem {
            label: name.to_owned(),
            kind: Some(kind),
            ..CompletionItem::default()
        })
        .collect()
}

/// The event source of the item around `offset`.
fn source_at(world: &World<'_>, file: FileId, offset: u32) -> String {
    let Some(item) = world.loaded(file).and_then(|loaded| {
        loaded
            .items
            .iter()
            .find(|item| item.span().span.start <= offset && offset <= item.span().span.end)
    }) else {
        return "syscall".to_owned();
    };
    match item {
        Item::Rule(rule) => match &rule.source {
            Some(source) => source.value.clone(),
            None => world
                .analysis
                .ruleset
                .rule(&rule.name.value)
                .map_or_else(|| "syscall".to_owned(), |rule| rule.source.clone()),
        },
        Item::Macro(item) => world
            .analysis
            .ruleset
            .macros
            .iter()
            .position(|found| found.name == item.name.value)
            .map_or_else(
                || "syscall".to_owned(),
                |id| source_of(world, Owner::Macro(id)),
            ),
        _ => "syscall".to_owned(),
    }
}

fn field_items(source: &str, prefix: &str) -> Vec<CompletionItem> {
    let class = prefix.rfind('.').map_or("", |at| &prefix[..=at]);
    let mut fields: Vec<_> = Schema::get()
        .fields_for(source)
        .filter(|field| field.name.starts_with(class) && !field.flags.print_only)
        .collect();
    fields.sort_by_key(|field| field.name);
    fields.dedup_by_key(|field| field.name);
    fields
        .into_iter()
        .map(|field| CompletionItem {
            label: field.name.to_owned(),
            kind: Some(CompletionItemKind::FIELD),
            detail: Some(field.ty.name().to_owned()),
            documentation: Some(Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: field.description.to_owned(),
            })),
            ..CompletionItem::default()
        })
        .collect()
}

fn list_names(world: &World<'_>) -> Vec<CompletionItem> {
    world
        .analysis
        .ruleset
        .lists
        .iter()
        .map(|list| CompletionItem {
            label: list.name.clone(),
            kind: Some(CompletionItemKind::ENUM),
            detail: Some(format!("list, {} items", list.items.len())),
            ..CompletionItem::default()
        })
        .collect()
}

fn macro_names(world: &World<'_>) -> Vec<CompletionItem> {
    world
        .analysis
        .ruleset
        .macros
        .iter()
        .map(|item| CompletionItem {
            label: item.name.clone(),
            kind: Some(CompletionItemKind::FUNCTION),
            detail: Some("macro".to_owned()),
            documentation: Some(Documentation::String(
                item.condition.source.text.trim().to_owned(),
            )),
            ..CompletionItem::default()
        })
        .collect()
}

fn event_types() -> Vec<CompletionItem> {
    let mut names: Vec<&str> = Schema::get().event_type_names().collect();
    names.sort_unstable();
    names.dedup();
    keywords(names, CompletionItemKind::ENUM_MEMBER)
}

/// The operator (and the field before it) that a value position follows, when the
/// cursor is in a value: `field op |` or `field op (a, |`.
fn value_position(before: &str) -> Option<(&str, &str)> {
    let mut rest = before.trim_end();
    let open = rest.rfind('(');
    if let Some(open) = open
        && !rest[open..].contains(')')
    {
        let head = rest[..open].trim_end();
        if takes_list(last_token(head)) {
            rest = head;
        }
    }
    let op = last_token(rest);
    let mut head = rest[..rest.len() - op.len()].trim_end();
    let modifier = Modifier::from_spelling(op).is_some();
    if modifier {
        head = head[..head.len() - last_token(head).len()].trim_end();
    }
    let is_op = modifier || Op::from_spelling(op).is_some();
    is_op.then(|| (last_token(head), op))
}

/// Whether a value list follows `word`: a list operator or a modifier.
fn takes_list(word: &str) -> bool {
    Op::from_spelling(word).is_some_and(Op::takes_list) || Modifier::from_spelling(word).is_some()
}

/// The last whitespace- or parenthesis-separated token.
fn last_token(text: &str) -> &str {
    let before = text.trim_end_matches(|c: char| !(c.is_whitespace() || c == '(' || c == ','));
    &text[before.len()..]
}

fn condition_items(
    world: &World<'_>,
    file: FileId,
    offset: u32,
    value: &str,
    word: &str,
) -> Vec<CompletionItem> {
    let source = source_at(world, file, offset);
    if word.contains('.') {
        return field_items(&source, word);
    }
    let before = &value[..value.len() - word.len()];
    if let Some((field, op)) = value_position(before) {
        let list_op = takes_list(op);
        let mut items = if field == "evt.type" {
            event_types()
        } else {
            field_values(field)
        };
        if list_op {
            items.extend(list_names(world));
        }
        return items;
    }
    let previous = last_token(before.trim_end());
    let schema = Schema::get();
    let (name, arg) = falco_typeck::split_field_arg(previous);
    if previous.contains('.')
        && let Ok(resolved) = schema.resolve(&source, name, arg)
    {
        return ops_allowed(resolved.ty, resolved.is_list)
            .iter()
            .map(|op| {
                let meaning = Op::from_spelling(op).map(|known| operator_meaning(known).to_owned());
                CompletionItem {
                    label: (*op).to_owned(),
                    kind: Some(CompletionItemKind::OPERATOR),
                    detail: meaning,
                    ..CompletionItem::default()
                }
            })
            .collect();
    }
    let mut items = macro_names(world);
    items.extend(keywords(["not", "and", "or"], CompletionItemKind::KEYWORD));
    items.extend(field_items(&source, ""));
    items
}

fn output_items(
    world: &World<'_>,
    file: FileId,
    offset: u32,
    value: &str,
    word: &str,
) -> Vec<CompletionItem> {
    let before = &value[..value.len() - word.len()];
    if before.ends_with('%') || before.ends_with("%(") {
        let source = source_at(world, file, offset);
        return field_items(&source, word);
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::{Context, last_token, trailing_word, value_position, yaml_context};

    fn value(key: &str, value: &str) -> Context {
        Context::Value {
            key: key.to_owned(),
            value: value.to_owned(),
        }
    }

    #[test]
    fn contexts() {
        assert_eq!(yaml_context("- ru"), Context::ItemKind);
        assert_eq!(
            yaml_context("- rule: a\n  desc: b\n  con"),
            Context::ItemKey("rule".to_owned())
        );
        assert_eq!(
            yaml_context("- macro: a\n  condition: >\n    proc.na"),
            value("condition", " >\n    proc.na")
        );
        assert_eq!(
            yaml_context("- rule: a\n  priority: WA"),
            value("priority", " WA")
        );
        assert_eq!(
            yaml_context("- rule: a\n  condition: a and\n    b and\n\n    c"),
            value("condition", " a and\n    b and\n\n    c")
        );
    }

    #[test]
    fn words_end_at_character_boundaries() {
        assert_eq!(trailing_word("- rule: é"), "");
        assert_eq!(trailing_word("a é😀proc.na"), "proc.na");
        assert_eq!(last_token("x in (é"), "é");
        assert_eq!(last_token("😀"), "😀");
    }

    #[test]
    fn value_positions() {
        assert_eq!(value_position("evt.type = "), Some(("evt.type", "=")));
        assert_eq!(
            value_position("evt.type in (open, "),
            Some(("evt.type", "in"))
        );
        assert_eq!(value_position("proc.name in ("), Some(("proc.name", "in")));
        assert_eq!(
            value_position("proc.name startswith oneof ("),
            Some(("proc.name", "oneof"))
        );
        assert_eq!(value_position("a and "), None);
        assert_eq!(value_position("(a and b) and "), None);
    }
}
