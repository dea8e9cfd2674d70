//! Conditions: assemble, substitute lists, parse, bind macro references; then
//! the unused-item warnings.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use falco_condition::ast::{Check, Expr, Value};
use falco_condition::{ParseError, parse_condition, parse_output};
use falco_diagnostics::{Code, Diagnostic, Fix, did_you_mean};
use falco_span::{FileSpan, MappedText, Span};
use rayon::prelude::*;

use crate::Broken;
use crate::collect::{Collected, CollectedMacro, last_file};
use crate::exceptions::append_exceptions;
use crate::lists::build_lists;
use crate::loops::report_loops;
use crate::memo::{Parse, ParseMemo, TextMemo, parse_with};
use crate::model::{Condition, ListId, Macro, MacroRef, Rule, Ruleset, SupersededMacro};
use crate::subst_memo::Substituted;
use crate::substitute::{ListIndex, substitute};

/// Builds the ruleset from what the collector gathered, reusing and keeping the
/// parses of `memo` when there is one.
pub(crate) fn build(
    collected: Collected,
    broken: &Broken,
    diagnostics: &mut Vec<Diagnostic>,
    mut memo: Option<&mut ParseMemo>,
) -> Ruleset {
    let mut lists = build_lists(&collected.lists);
    let index = ListIndex::new(&lists);
    if let Some(memo) = memo.as_deref_mut()
        && memo.substitutions.begin(&lists)
    {
        memo.near_lists = TextMemo::default();
    }

    let macro_ids: FxHashMap<&str, usize> = collected
        .macros
        .iter()
        .enumerate()
        .map(|(id, item)| (item.name.as_str(), id))
        .collect();

    let macro_texts: Vec<(&MappedText, FileSpan)> = collected
        .macros
        .iter()
        .map(|item| (&item.condition, item.origin.definition))
        .collect();
    let parsed = parse_many(&macro_texts, &index, memo.as_deref());
    let mut parsed_macros = store_parses(parsed, memo.as_deref_mut()).into_iter();
    let mut macros = Vec::with_capacity(collected.macros.len());
    for item in &collected.macros {
        let Some((mut condition, mut found)) = parsed_macros.next() else {
            break;
        };
        diagnostics.append(&mut found);
        bind_macros(
            &mut condition,
            &macro_ids,
            &collected.macros,
            Some(item),
            broken,
            diagnostics,
        );
        let near = memo.as_deref_mut().map(|memo| &mut memo.near_lists);
        lint_list_literals(&condition, &index, near, diagnostics);
        macros.push(Macro {
            name: item.name.clone(),
            origin: item.origin.clone(),
            condition,
            used: false,
            looped: false,
        });
    }
    report_loops(&mut macros, diagnostics);
    let superseded_macros = build_superseded(
        &collected,
        &macro_ids,
        &index,
        broken,
        memo.as_deref_mut(),
        diagnostics,
    );

    let rule_texts: Vec<MappedText> = collected
        .rules
        .iter()
        .map(|item| {
            let mut source_text = item.condition.clone();
            append_exceptions(&mut source_text, &item.exceptions);
            source_text
        })
        .collect();
    let to_parse: Vec<(&MappedText, FileSpan)> = collected
        .rules
        .iter()
        .zip(&rule_texts)
        .filter(|(item, _)| !item.unknown_source)
        .map(|(item, text)| (text, item.origin.definition))
        .collect();
    let parsed = parse_many(&to_parse, &index, memo.as_deref());
    let mut parsed_rules = store_parses(parsed, memo.as_deref_mut()).into_iter();
    let mut rules = Vec::with_capacity(collected.rules.len());
    for item in collected.rules {
        let (condition, output_ast) = if item.unknown_source {
            (
                unparsed(&item.condition),
                Arc::new(falco_condition::ast::Output { parts: Vec::new() }),
            )
        } else {
            let Some((mut condition, mut found)) = parsed_rules.next() else {
                break;
            };
            diagnostics.append(&mut found);
            condition.source = item.condition.clone();
            bind_macros(
                &mut condition,
                &macro_ids,
                &collected.macros,
                None,
                broken,
                diagnostics,
            );
            let near = memo.as_deref_mut().map(|memo| &mut memo.near_lists);
            lint_list_literals(&condition, &index, near, diagnostics);
            let outputs = memo.as_deref().map(|memo| &memo.outputs);
            let ((output_ast, errors), fresh) = parse_with(outputs, &item.output.text, |text| {
                let (output, errors) = parse_output(text);
                (Arc::new(output), errors)
            });
            report(&errors, &item.output, item.origin.definition, diagnostics);
            if let Some(memo) = memo.as_deref_mut().filter(|_| fresh) {
                memo.parsed += 1;
                memo.outputs
                    .insert(item.output.text.clone(), (Arc::clone(&output_ast), errors));
            }
            (condition, output_ast)
        };
        rules.push(Rule {
            name: item.name,
            origin: item.origin,
            source: item.source,
            unknown_source: item.unknown_source,
            desc: item.desc,
            priority: item.priority,
            enabled: item.enabled,
            tags: item.tags,
            exceptions: item.exceptions,
            condition,
            output: item.output,
            output_ast,
            capture: item.capture,
            capture_duration: item.capture_duration,
            warn_evttypes: item.warn_evttypes,
            skip_if_unknown_filter: item.skip_if_unknown_filter,
            rejected_value: item.rejected_value,
        });
    }

    crate::expansion::check_rules(&macros, &rules, diagnostics);

    let macro_uses: Vec<(usize, FileSpan)> = macros
        .iter()
        .map(|item| &item.condition)
        .chain(rules.iter().map(|rule| &rule.condition))
        .flat_map(|condition| {
            condition.macro_refs.iter().filter_map(|reference| {
                Some((reference.target?, condition.to_file(reference.span)?))
            })
        })
        .collect();
    let list_uses: Vec<(usize, FileSpan)> = macros
        .iter()
        .map(|item| &item.condition)
        .chain(rules.iter().map(|rule| &rule.condition))
        .flat_map(|condition| condition.list_uses.iter())
        .chain(lists.iter().flat_map(|list| list.list_uses.iter()))
        .map(|list_use| (list_use.list, list_use.span))
        .collect();
    // A use counts for an item when it is in a file up to the item's last change:
    // a redefinition in a later file replaces the text (and the references) that
    // the first file had.
    let mut macros_used_early = vec![false; macros.len()];
    for (id, at) in macro_uses {
        macros[id].used = true;
        macros_used_early[id] |= at.file <= last_file(&macros[id].origin);
    }
    // A macro used above its definition has an E203 there that points at it, and
    // moving it is the fix: calling it unused as well would contradict that error.
    let macro_index: FxHashMap<&str, usize> = macros
        .iter()
        .enumerate()
        .map(|(id, item)| (item.name.as_str(), id))
        .collect();
    let used_too_early = macros
        .iter()
        .map(|item| &item.condition)
        .flat_map(|condition| condition.macro_refs.iter())
        .filter(|reference| reference.target.is_none())
        .filter_map(|reference| macro_index.get(reference.name.as_str()).copied());
    for id in used_too_early {
        macros_used_early[id] = true;
    }
    let mut lists_used_early = vec![false; lists.len()];
    for (id, at) in list_uses {
        lists[id].used = true;
        lists_used_early[id] |= at.file <= last_file(&lists[id].origin);
    }
    if !broken.any_condition_lost {
        unused_warnings(
            &macros,
            &macros_used_early,
            &lists,
            &lists_used_early,
            diagnostics,
        );
    }

    Ruleset {
        lists,
        macros,
        rules,
        required_engine_version: collected.required_engine_version,
        plugin_requirements: collected.plugin_requirements,
        superseded_macros,
    }
}

/// Parses and binds each macro definition a later file replaced, as it stood
/// when Falco compiled it. Its errors are reported at it, with the replacement
/// named: the later definition does not undo the earlier load's error.
fn build_superseded(
    collected: &Collected,
    macro_ids: &FxHashMap<&str, usize>,
    index: &ListIndex<'_>,
    broken: &Broken,
    memo: Option<&mut ParseMemo>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<SupersededMacro> {
    let texts: Vec<(&MappedText, FileSpan)> = collected
        .superseded_macros
        .iter()
        .map(|old| (&old.item.condition, old.item.origin.definition))
        .collect();
    let parsed = parse_many(&texts, index, memo.as_deref());
    let parsed = store_parses(parsed, memo);
    let mut superseded = Vec::with_capacity(parsed.len());
    for (old, (mut condition, mut found)) in collected.superseded_macros.iter().zip(parsed) {
        bind_macros(
            &mut condition,
            macro_ids,
            &collected.macros,
            Some(&old.item),
            broken,
            &mut found,
        );
        let item = SupersededMacro {
            name: old.item.name.clone(),
            origin: old.item.origin.clone(),
            condition,
            active_until: old.active_until,
            replaced_by: old.replaced_by,
        };
        diagnostics.extend(
            found
                .into_iter()
                .filter(Diagnostic::is_error)
                .map(|diagnostic| item.explain(diagnostic)),
        );
        superseded.push(item);
    }
    superseded
}

fn unparsed(text: &MappedText) -> Condition {
    Condition {
        source: text.clone(),
        expanded: text.clone(),
        ast: Arc::new(Expr::Error(Span::new(0, text.text.len() as u32))),
        list_uses: Vec::new(),
        macro_refs: Vec::new(),
        has_syntax_errors: false,
    }
}

/// A parsed condition, its diagnostics, and what is new to the memo.
type Parsed = (Condition, Vec<Diagnostic>, Fresh);

/// What a condition's resolution did afresh, for the memo to keep: the list
/// substitution (with the lists it used) and the parse.
#[derive(Default)]
struct Fresh {
    substitution: Option<(Vec<ListId>, Substituted)>,
    parse: Option<Parse<Arc<Expr>>>,
}

/// Substitutes lists into each text and parses it (or takes the parse from
/// `memo`), on the worker threads: conditions are independent until their macro
/// references are bound. Results come back in input order, each with its own
/// diagnostics.
fn parse_many(
    texts: &[(&MappedText, FileSpan)],
    index: &ListIndex<'_>,
    memo: Option<&ParseMemo>,
) -> Vec<Parsed> {
    texts
        .par_iter()
        .map(|(text, fallback)| {
            let mut found = Vec::new();
            let (condition, fresh) = parse_text(text, index, *fallback, memo, &mut found);
            (condition, found, fresh)
        })
        .collect()
}

/// Stores the new parses in `memo` (keyed by the parsed text) and returns the
/// conditions with their diagnostics.
fn store_parses(
    parsed: Vec<Parsed>,
    mut memo: Option<&mut ParseMemo>,
) -> Vec<(Condition, Vec<Diagnostic>)> {
    parsed
        .into_iter()
        .map(|(condition, found, fresh)| {
            if let Some(memo) = memo.as_deref_mut() {
                if let Some((lists, substituted)) = fresh.substitution {
                    memo.substituted += 1;
                    memo.substitutions
                        .insert(&condition.source, lists, substituted);
                }
                if let Some(parse) = fresh.parse {
                    memo.parsed += 1;
                    memo.conditions
                        .insert(condition.expanded.text.clone(), parse);
                }
            }
            (condition, found)
        })
        .collect()
}

/// Substitutes lists into `text` and parses it, or takes the substitution and
/// the parse from `memo`. With a memo, what was done afresh is returned too, for
/// the memo to keep.
fn parse_text(
    text: &MappedText,
    index: &ListIndex<'_>,
    fallback: FileSpan,
    memo: Option<&ParseMemo>,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Condition, Fresh) {
    let mut kept = Fresh::default();
    let (expanded, list_uses) = match memo.and_then(|memo| memo.substitutions.get(text)) {
        Some(substituted) => substituted,
        None => {
            let (expanded, list_uses, lists) = substitute(text, index);
            if memo.is_some() {
                kept.substitution = Some((lists, (expanded.clone(), list_uses.clone())));
            }
            (expanded, list_uses)
        }
    };
    let parses = memo.map(|memo| &memo.conditions);
    let ((ast, errors), fresh) = parse_with(parses, &expanded.text, |text| {
        let (ast, errors) = parse_condition(text);
        (Arc::new(ast), errors)
    });
    report(&errors, &expanded, fallback, diagnostics);
    let has_syntax_errors = !errors.is_empty();
    kept.parse = (fresh && memo.is_some()).then(|| (Arc::clone(&ast), errors));
    let condition = Condition {
        source: text.clone(),
        expanded,
        ast,
        list_uses,
        macro_refs: Vec::new(),
        has_syntax_errors,
    };
    (condition, kept)
}

/// Turns parse errors (spans in `text`) into diagnostics with file spans.
fn report(
    errors: &[ParseError],
    text: &MappedText,
    fallback: FileSpan,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for error in errors {
        let span = text.to_file(error.span).unwrap_or(fallback);
        let mut diagnostic = Diagnostic::new(error.code, span, error.message.clone());
        if let Some(label) = &error.label {
            diagnostic = diagnostic.with_label(label.clone());
        }
        diagnostic = diagnostic.with_optional_help(error.help.clone());
        diagnostics.push(diagnostic);
    }
}

/// Binds every macro reference of `condition`. `owner` is the macro being
/// resolved (it sees only macros defined before its visibility point); `None`
/// means a rule, which sees every macro.
fn bind_macros(
    condition: &mut Condition,
    macro_ids: &FxHashMap<&str, usize>,
    macros: &[CollectedMacro],
    owner: Option<&CollectedMacro>,
    broken: &Broken,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut references = Vec::new();
    walk(&condition.ast, &mut |expr| {
        if let Expr::Macro(ident) = expr {
            references.push(ident.clone());
        }
    });
    for ident in references {
        let found = macro_ids.get(ident.name.as_str()).copied();
        let visible =
            found.filter(|&id| owner.is_none_or(|owner| macros[id].index < owner.visibility));
        if visible.is_none() && !broken.contains("macro", &ident.name) {
            let span = condition.to_file(ident.span).unwrap_or_default();
            let mut diagnostic = Diagnostic::new(
                Code::E203,
                span,
                format!("undefined macro `{}`", ident.name),
            )
            .with_label("no macro by this name is visible here");
            match (found, owner) {
                (Some(id), Some(owner)) => {
                    diagnostic = diagnostic
                        .with_related(
                            macros[id].origin.definition,
                            format!("`{}` is defined here, after this macro", ident.name),
                        )
                        .with_help(format!(
                            "a macro sees only the macros defined before it: move `{}` above `{}`",
                            ident.name, owner.name
                        ));
                }
                _ => {
                    let candidates = macros
                        .iter()
                        .filter(|item| owner.is_none_or(|owner| item.index < owner.visibility))
                        .map(|item| item.name.as_str());
                    if let Some(near) = did_you_mean(&ident.name, candidates) {
                        diagnostic = diagnostic.with_did_you_mean(&ident.name, near);
                    }
                }
            }
            diagnostics.push(diagnostic);
        }
        condition.macro_refs.push(MacroRef {
            name: ident.name,
            span: ident.span,
            target: visible,
        });
    }
}

/// Words in list literals that look like references to lists that do not exist:
/// Falco silently takes them as strings. The nearest list name of each word is
/// taken from `near` when it holds it, and kept there (it depends on the word and
/// the list names alone).
fn lint_list_literals(
    condition: &Condition,
    index: &ListIndex<'_>,
    mut near: Option<&mut TextMemo<Option<String>>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    walk(&condition.ast, &mut |expr| {
        let Expr::Check(check) = expr else {
            return;
        };
        let Check {
            right: Some(Value::List(items, _)),
            ..
        } = check.as_ref()
        else {
            return;
        };
        for item in items {
            if item.quote.is_some() || !looks_like_list_name(&item.value) {
                continue;
            }
            // Only words written in the condition itself: items substituted from a
            // list map into the list's definition, outside the condition's text.
            let Some(span) = condition.to_file(item.span) else {
                continue;
            };
            if condition
                .source
                .map
                .file_to_text(span.file, span.span.start)
                .is_none()
            {
                continue;
            }
            let kept = near
                .as_deref()
                .and_then(|memo| memo.get(&item.value))
                .cloned();
            let nearest = kept.unwrap_or_else(|| {
                let found = did_you_mean(&item.value, index.names()).map(str::to_owned);
                if let Some(memo) = near.as_deref_mut() {
                    memo.insert(item.value.clone(), found.clone());
                }
                found
            });
            if nearest.is_none() && !has_list_suffix(&item.value) {
                continue;
            }
            let help = match &nearest {
                Some(near) => format!(
                    "did you mean the list `{near}`? otherwise quote the value to keep it a string"
                ),
                None => {
                    "define the list, or quote the value to make clear it is a string".to_owned()
                }
            };
            let mut diagnostic = Diagnostic::new(
                Code::W406,
                span,
                format!(
                    "`{}` looks like a list name, but no such list exists",
                    item.value
                ),
            )
            .with_label("taken as a plain string")
            .with_help(help);
            if let Some(near) = nearest {
                diagnostic = diagnostic.with_fix(Fix::replace(span, &item.value, near));
            }
            diagnostics.push(diagnostic);
        }
    });
}

fn looks_like_list_name(word: &str) -> bool {
    word.contains('_')
        && word.starts_with(|ch: char| ch.is_ascii_lowercase())
        && word
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
}

fn has_list_suffix(word: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "_binaries",
        "_list",
        "_lists",
        "_dirs",
        "_directories",
        "_files",
        "_names",
        "_images",
        "_ports",
        "_procs",
        "_processes",
        "_users",
        "_domains",
        "_cidrs",
    ];
    SUFFIXES.iter().any(|suffix| word.ends_with(suffix))
}

/// Falco recompiles the whole ruleset after each file and warns about items unused
/// at that point, so an item counts as unused when nothing loaded up to its own
/// file refers to it (even if a later file does).
fn unused_warnings(
    macros: &[Macro],
    macros_used: &[bool],
    lists: &[crate::model::List],
    lists_used: &[bool],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (item, _) in macros.iter().zip(macros_used).filter(|(_, used)| !**used) {
        diagnostics.push(
            Diagnostic::new(
                Code::W201,
                item.origin.definition,
                format!("macro `{}` is never used", item.name),
            )
            .with_label("no rule or macro refers to it")
            .with_help("use it in a condition, or remove it"),
        );
    }
    for (list, _) in lists.iter().zip(lists_used).filter(|(_, used)| !**used) {
        diagnostics.push(
            Diagnostic::new(
                Code::W202,
                list.origin.definition,
                format!("list `{}` is never used", list.name),
            )
            .with_label("no rule, macro or list refers to it")
            .with_help("use it in a condition, or remove it"),
        );
    }
}

/// Calls `visit` on every expression of `expr`, parents first.
pub(crate) fn walk(expr: &Expr, visit: &mut dyn FnMut(&Expr)) {
    visit(expr);
    match expr {
        Expr::And(items, _) | Expr::Or(items, _) => {
            for item in items {
                walk(item, visit);
            }
        }
        Expr::Not(inner, _) | Expr::Paren(inner, _) => walk(inner, visit),
        Expr::Macro(_) | Expr::Check(_) | Expr::Error(_) => {}
    }
}
