//! What the cursor is on: an item name, a macro or list reference, a field or an
//! operator, found through the analysis (never by parsing again), and where each
//! macro, list and rule is defined and used.

use falco_condition::ast::{Op, OutputPart};
use falco_condition::visit::{visit_checks, visit_fields};
use falco_loader::Item;
use falco_resolve::{Condition, ListId, MacroId, Ruleset};
use falco_span::{FileId, FileSpan, Span};

use crate::workspace::World;

/// The kinds of named items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `- macro:`
    Macro,
    /// `- list:`
    List,
    /// `- rule:`
    Rule,
}

/// Something under the cursor.
#[derive(Clone, Debug)]
pub enum Target {
    /// A field of a condition or output, looked up under `source`.
    Field {
        /// The name as written (without a bracket argument).
        name: String,
        /// The bracket argument.
        arg: Option<String>,
        /// The event source it is read in.
        source: String,
        /// Where it is.
        span: FileSpan,
    },
    /// A macro, list or rule name (definition or use).
    Named {
        /// Which kind.
        kind: Kind,
        /// The name.
        name: String,
        /// Where the name is written under the cursor.
        span: FileSpan,
    },
    /// An operator.
    Operator {
        /// Which.
        op: Op,
        /// Where it is.
        span: FileSpan,
    },
}

/// Whether `offset` touches `span` (its end included, for a cursor after a word).
fn touches(span: Span, offset: u32) -> bool {
    span.start <= offset && offset <= span.end
}

/// What is at `offset` of `file`.
pub fn target_at(world: &World<'_>, file: FileId, offset: u32) -> Option<Target> {
    item_name_at(world, file, offset)
        .or_else(|| list_use_at(world, file, offset))
        .or_else(|| condition_target_at(world, file, offset))
        .or_else(|| output_field_at(world, file, offset))
}

fn item_name_at(world: &World<'_>, file: FileId, offset: u32) -> Option<Target> {
    let loaded = world.loaded(file)?;
    loaded.items.iter().find_map(|item| {
        let (kind, name) = item_name(item)?;
        let span = exact_name_span(world, name.span, &name.value)?;
        touches(span.span, offset).then(|| Target::Named {
            kind,
            name: name.value.clone(),
            span,
        })
    })
}

/// The kind and name of a macro, list or rule item.
pub fn item_name(item: &Item) -> Option<(Kind, &falco_loader::Spanned<String>)> {
    match item {
        Item::Macro(item) => Some((Kind::Macro, &item.name)),
        Item::List(item) => Some((Kind::List, &item.name)),
        Item::Rule(item) => Some((Kind::Rule, &item.name)),
        _ => None,
    }
}

/// The span of exactly `name` at `span` (quotes around it left out), if the text
/// there is the name.
pub fn exact_name_span(world: &World<'_>, span: FileSpan, name: &str) -> Option<FileSpan> {
    let text = world.text_at(span)?;
    if text == name {
        return Some(span);
    }
    let inner = text.get(1..text.len().checked_sub(1)?)?;
    (inner == name && text.len() >= 2)
        .then(|| FileSpan::new(span.file, Span::new(span.span.start + 1, span.span.end - 1)))
}

fn list_use_at(world: &World<'_>, file: FileId, offset: u32) -> Option<Target> {
    let ruleset = &world.analysis.ruleset;
    all_list_uses(ruleset)
        .find(|(_, span)| span.file == file && touches(span.span, offset))
        .map(|(id, span)| Target::Named {
            kind: Kind::List,
            name: ruleset.lists[id].name.clone(),
            span,
        })
}

/// Every use of a list: in conditions and inside other lists.
pub fn all_list_uses(ruleset: &Ruleset) -> impl Iterator<Item = (ListId, FileSpan)> + '_ {
    let in_conditions = conditions(ruleset)
        .flat_map(|(condition, _)| condition.list_uses.iter())
        .map(|list_use| (list_use.list, list_use.span));
    let in_lists = ruleset
        .lists
        .iter()
        .flat_map(|list| list.list_uses.iter())
        .map(|list_use| (list_use.list, list_use.span));
    in_conditions.chain(in_lists)
}

/// Where a condition belongs.
#[derive(Clone, Copy, Debug)]
pub enum Owner {
    /// A rule, by index.
    Rule(usize),
    /// A macro, by id.
    Macro(MacroId),
    /// A macro definition that a later file replaced, by index in
    /// `Ruleset::superseded_macros`.
    Superseded(usize),
}

/// Every rule and macro condition with its owner, superseded macro definitions
/// included (Falco compiled them too, so they read like any other).
pub fn conditions(ruleset: &Ruleset) -> impl Iterator<Item = (&Condition, Owner)> {
    let rules = ruleset
        .rules
        .iter()
        .enumerate()
        .map(|(index, rule)| (&rule.condition, Owner::Rule(index)));
    let macros = ruleset
        .macros
        .iter()
        .enumerate()
        .map(|(id, item)| (&item.condition, Owner::Macro(id)));
    let superseded = ruleset
        .superseded_macros
        .iter()
        .enumerate()
        .map(|(index, item)| (&item.condition, Owner::Superseded(index)));
    rules.chain(macros).chain(superseded)
}

/// The event source a condition's fields are read in: the rule's, or for a macro
/// (superseded or not) the first source it was checked under (`syscall` when
/// none).
pub fn source_of(world: &World<'_>, owner: Owner) -> String {
    match owner {
        Owner::Rule(index) => world.analysis.ruleset.rules[index].source.clone(),
        Owner::Macro(id) => world
            .analysis
            .typed
            .macros
            .keys()
            .filter(|(macro_id, _)| *macro_id == id)
            .map(|(_, source)| source.clone())
            .min()
            .unwrap_or_else(|| "syscall".to_owned()),
        Owner::Superseded(index) => world
            .analysis
            .typed
            .superseded_macros
            .keys()
            .filter(|(old, _)| *old == index)
            .map(|(_, source)| source.clone())
            .min()
            .unwrap_or_else(|| "syscall".to_owned()),
    }
}

/// The condition covering `offset` of `file`, with the offset in its expanded text.
pub fn condition_at<'w>(
    world: &'w World<'_>,
    file: FileId,
    offset: u32,
) -> Option<(&'w Condition, Owner, u32)> {
    conditions(&world.analysis.ruleset).find_map(|(condition, owner)| {
        let text_offset = condition.expanded.map.file_to_text(file, offset)?;
        Some((condition, owner, text_offset))
    })
}

/// Maps a span of a condition's expanded text to the file, only when the file
/// shows exactly that text there (not a substituted list or generated text).
pub fn exact_file_span(
    world: &World<'_>,
    text: &str,
    map: &falco_span::TextMap,
    span: Span,
) -> Option<FileSpan> {
    let mapped = map.to_file(span)?;
    (world.text_at(mapped)? == text.get(span.range())?).then_some(mapped)
}

fn condition_target_at(world: &World<'_>, file: FileId, offset: u32) -> Option<Target> {
    let (condition, owner, at) = condition_at(world, file, offset)?;
    let expanded = &condition.expanded;
    let to_file = |span: Span| exact_file_span(world, &expanded.text, &expanded.map, span);
    if let Some(reference) = condition.macro_refs.iter().find(|r| touches(r.span, at)) {
        return Some(Target::Named {
            kind: Kind::Macro,
            name: reference.name.clone(),
            span: to_file(reference.span)?,
        });
    }
    let mut found = None;
    visit_fields(&condition.ast, |field| {
        if found.is_none() && touches(field.name_span, at) {
            found = Some(field);
        }
    });
    if let Some(field) = found {
        return Some(Target::Field {
            name: field.name.clone(),
            arg: field.arg.as_ref().map(|arg| arg.value.clone()),
            source: source_of(world, owner),
            span: to_file(field.name_span)?,
        });
    }
    let mut op = None;
    visit_checks(&condition.ast, |check| {
        if op.is_none() && touches(check.op.span, at) {
            op = Some((check.op.op, check.op.span));
        }
    });
    let (op, span) = op?;
    Some(Target::Operator {
        op,
        span: to_file(span)?,
    })
}

fn output_field_at(world: &World<'_>, file: FileId, offset: u32) -> Option<Target> {
    world.analysis.ruleset.rules.iter().find_map(|rule| {
        let at = rule.output.map.file_to_text(file, offset)?;
        rule.output_ast.parts.iter().find_map(|part| match part {
            OutputPart::Field { field, .. } if touches(field.name_span, at) => {
                Some(Target::Field {
                    name: field.name.clone(),
                    arg: field.arg.as_ref().map(|arg| arg.value.clone()),
                    source: rule.source.clone(),
                    span: exact_file_span(
                        world,
                        &rule.output.text,
                        &rule.output.map,
                        field.name_span,
                    )?,
                })
            }
            _ => None,
        })
    })
}

/// The definition and every amendment (append, override, redefinition) of a
/// named item, definition first.
pub fn declarations(world: &World<'_>, kind: Kind, name: &str) -> Vec<FileSpan> {
    let ruleset = &world.analysis.ruleset;
    let origin = match kind {
        Kind::Macro => ruleset.macro_named(name).map(|item| &item.origin),
        Kind::List => ruleset.list(name).map(|item| &item.origin),
        Kind::Rule => ruleset.rule(name).map(|item| &item.origin),
    };
    let Some(origin) = origin else {
        return Vec::new();
    };
    std::iter::once(origin.definition)
        .chain(origin.amendments.iter().copied())
        .filter_map(|span| exact_name_span(world, span, name))
        .collect()
}

/// Every use of a macro or list (not its declarations), in load order.
pub fn uses(world: &World<'_>, kind: Kind, name: &str) -> Vec<FileSpan> {
    let ruleset = &world.analysis.ruleset;
    let mut out: Vec<FileSpan> = match kind {
        Kind::Macro => {
            let Some(id) = ruleset.macros.iter().position(|item| item.name == name) else {
                return Vec::new();
            };
            conditions(ruleset)
                .flat_map(|(condition, _)| {
                    condition
                        .macro_refs
                        .iter()
                        .filter(move |reference| reference.target == Some(id))
                        .filter_map(move |reference| {
                            exact_file_span(
                                world,
                                &condition.expanded.text,
                                &condition.expanded.map,
                                reference.span,
                            )
                        })
                })
                .collect()
        }
        Kind::List => {
            let Some(id) = ruleset.lists.iter().position(|item| item.name == name) else {
                return Vec::new();
            };
            all_list_uses(ruleset)
                .filter(|(list, _)| *list == id)
                .filter_map(|(_, span)| exact_name_span(world, span, name))
                .collect()
        }
        Kind::Rule => Vec::new(),
    };
    out.sort();
    out.dedup();
    out
}

/// Every place `name` is written as a macro or list of `kind` in the loaded items of
/// every file, superseded items included (a macro or rule that a later file
/// redefines is gone from the resolved ruleset, but its text still names things, and
/// loading fewer files brings it back): the names of its `- macro:`/`- list:` items,
/// and its uses in conditions and list items.
///
/// A macro is used where a condition's syntax has a bare identifier. A list is used
/// where its name stands between Falco's substitution delimiters in a condition
/// (blanks, `(`, `)`, `,`, `=`), and as an entry of another list.
pub fn written_names(world: &World<'_>, kind: Kind, name: &str) -> Vec<FileSpan> {
    let mut out = Vec::new();
    for id in world.ids() {
        let Some(loaded) = world.loaded(id) else {
            continue;
        };
        for item in &loaded.items {
            if let Some((item_kind, item_name)) = item_name(item)
                && item_kind == kind
                && item_name.value == name
                && let Some(span) = exact_name_span(world, item_name.span, name)
            {
                out.push(span);
            }
            let condition = match item {
                Item::Macro(item) => item.condition.as_ref(),
                Item::Rule(item) => item.condition.as_ref(),
                _ => None,
            };
            if let Some(condition) = condition {
                let spans = match kind {
                    Kind::Macro => macro_names_in(&condition.text, name),
                    Kind::List => list_names_in(&condition.text, name),
                    Kind::Rule => Vec::new(),
                };
                out.extend(spans.into_iter().filter_map(|span| {
                    exact_file_span(world, &condition.text, &condition.map, span)
                }));
            }
            if kind == Kind::List
                && let Item::List(list) = item
                && let Some(items) = &list.items
            {
                out.extend(
                    items
                        .value
                        .iter()
                        .filter(|entry| entry.value == name)
                        .filter_map(|entry| exact_name_span(world, entry.span, name)),
                );
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The spans of the macro references to `name` in a condition text.
fn macro_names_in(text: &str, name: &str) -> Vec<Span> {
    let (expr, _) = falco_condition::parse_condition(text);
    let mut spans = Vec::new();
    falco_condition::visit::visit_macros(&expr, |ident| {
        if ident.name == name {
            spans.push(ident.span);
        }
    });
    spans
}

/// The spans where `name` stands between list-substitution delimiters in a
/// condition text.
fn list_names_in(text: &str, name: &str) -> Vec<Span> {
    let delimiter = |byte: Option<&u8>| {
        byte.is_none_or(|byte| {
            matches!(
                byte,
                b' ' | b'\t' | b'\n' | b'\r' | b'(' | b')' | b',' | b'='
            )
        })
    };
    let bytes = text.as_bytes();
    text.match_indices(name)
        .filter(|(at, _)| {
            let before = at.checked_sub(1).and_then(|index| bytes.get(index));
            delimiter(before) && delimiter(bytes.get(at + name.len()))
        })
        .map(|(at, _)| Span::new(at as u32, (at + name.len()) as u32))
        .collect()
}

/// The macro or list item named `name` in any file (superseded ones included), for a
/// clash check: its kind and where its name is.
pub fn item_named(world: &World<'_>, name: &str) -> Option<(Kind, FileSpan)> {
    world.ids().find_map(|id| {
        world.loaded(id)?.items.iter().find_map(|item| {
            let (kind, item_name) = item_name(item)?;
            (kind != Kind::Rule && item_name.value == name).then_some((kind, item_name.span))
        })
    })
}
