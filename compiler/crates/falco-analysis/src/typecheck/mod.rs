//! Typechecking a resolved ruleset: each rule under its source, each macro under
//! the sources of the rules that reach it, outputs, and the event-type warning.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

use falco_diagnostics::{Code, Diagnostic};
use falco_loader::ExceptionFields;
use falco_resolve::{Condition, MacroId, Ruleset};
use falco_schema::{FieldError, Schema};
use falco_span::FileSpan;
use falco_typeck::{
    Context, EventTypeSet, TypeError, TypedExpr, check_condition, check_output, event_types,
    split_field_arg,
};
use rayon::prelude::*;

use super::memo::{CheckMemo, Checked, EventTypes, LookedUp};

/// More event types than this (counted as Falco does, enter and exit events
/// separately) earns a rule the `no-evttype-restriction` warning.
const EVTTYPE_LIMIT: usize = 100;

/// The typed conditions of a ruleset, by rule and by (macro, source).
#[derive(Clone, Debug, Default)]
pub struct TypedRuleset {
    /// Typed condition of each rule (index as in `Ruleset::rules`); `None` for rules
    /// that are skipped (unknown source).
    pub rules: Vec<Option<Arc<TypedExpr>>>,
    /// Typed condition of each macro, per source it is used with.
    pub macros: HashMap<(MacroId, String), Arc<TypedExpr>>,
}

/// Typechecks every rule and reachable macro, appending diagnostics. With a
/// memo, each condition and output whose (source, text) it holds is not checked
/// again, and the new checks are stored in it.
pub(crate) fn check_ruleset(
    ruleset: &Ruleset,
    diagnostics: &mut Vec<Diagnostic>,
    mut memo: Option<&mut CheckMemo>,
) -> TypedRuleset {
    let schema = Schema::get();
    let mut typed = TypedRuleset::default();

    // Which sources each macro is compiled under, and whether only rules that skip
    // unknown fields reach it (sets of a source or two: plain vectors, no hashing).
    let mut macro_sources: Vec<Vec<&str>> = vec![Vec::new(); ruleset.macros.len()];
    let mut reached_by_strict: Vec<Vec<&str>> = vec![Vec::new(); ruleset.macros.len()];
    let mut rule_macros: Vec<Vec<MacroId>> = Vec::with_capacity(ruleset.rules.len());
    for rule in &ruleset.rules {
        let reached = if rule.unknown_source {
            Vec::new()
        } else {
            reachable_macros(ruleset, &rule.condition)
        };
        for &id in &reached {
            add_source(&mut macro_sources[id], &rule.source);
            if !rule.skip_if_unknown_filter {
                add_source(&mut reached_by_strict[id], &rule.source);
            }
        }
        rule_macros.push(reached);
    }

    // Each (macro, source) pair is checked on its own, on the worker threads.
    let mut jobs: Vec<(MacroId, &str)> = Vec::new();
    for (id, sources) in macro_sources.iter().enumerate() {
        let mut sources = sources.clone();
        sources.sort_unstable();
        jobs.extend(sources.into_iter().map(|source| (id, source)));
    }
    let checks = Checks {
        schema,
        memo: memo.as_deref(),
    };
    let checked_macros: Vec<_> = jobs
        .par_iter()
        .map(|&(id, source)| checks.condition(&ruleset.macros[id].condition, source))
        .collect();
    let mut macro_errors: FxHashMap<(MacroId, &str), Vec<TypeError>> = FxHashMap::default();
    for ((id, source), ((tree, errors), fresh)) in jobs.into_iter().zip(checked_macros) {
        let item = &ruleset.macros[id];
        if let Some(memo) = memo.as_deref_mut().filter(|_| fresh) {
            let text = item.condition.expanded.text.clone();
            memo.store_condition(source, text, (Arc::clone(&tree), errors.clone()));
        }
        for error in errors.iter().filter(|error| error.is_error()) {
            let strict = reached_by_strict[id].contains(&source);
            if strict || !is_unknown_filter(error) {
                diagnostics.push(to_diagnostic(
                    error,
                    &item.condition,
                    item.origin.definition,
                ));
            }
        }
        macro_errors.insert((id, source), errors);
        typed.macros.insert((id, source.to_owned()), tree);
    }
    // The typed macros by (name, source), for the event-type analysis.
    let macro_trees: FxHashMap<(&str, &str), &Arc<TypedExpr>> = typed
        .macros
        .iter()
        .map(|((id, source), tree)| {
            let name = ruleset.macros[*id].name.as_str();
            ((name, source.as_str()), tree)
        })
        .collect();
    let mut typed_rules = Vec::with_capacity(ruleset.rules.len());

    let checks = Checks {
        schema,
        memo: memo.as_deref(),
    };
    let mut checked = check_rules(ruleset, &checks).into_iter();
    for (index, rule) in ruleset.rules.iter().enumerate() {
        let Some(Some(((tree, mut errors), fresh, output_errors, fresh_output))) = checked.next()
        else {
            typed_rules.push(None);
            continue;
        };
        if let Some(memo) = memo.as_deref_mut() {
            if fresh {
                let text = rule.condition.expanded.text.clone();
                memo.store_condition(&rule.source, text, (Arc::clone(&tree), errors.clone()));
            }
            if fresh_output {
                let text = rule.output.text.clone();
                memo.store_output(&rule.source, text, output_errors.clone());
            }
        }
        let bad_fields = check_exception_fields(rule, schema, diagnostics);
        // An exception field already reported as such is not reported again where
        // the exception's condition text uses it.
        errors.retain(|error| {
            !(matches!(error.code, Code::E401 | Code::E402)
                && rule
                    .condition
                    .to_file(error.span)
                    .is_some_and(|span| bad_fields.contains(&span)))
        });
        let fallback = rule.origin.definition;
        if rule.skip_if_unknown_filter {
            let first_unknown = errors
                .iter()
                .find(|error| is_unknown_filter(error))
                .map(|error| to_file(&rule.condition, error, fallback))
                .or_else(|| {
                    rule_macros[index].iter().find_map(|&id| {
                        let errors = macro_errors.get(&(id, rule.source.as_str()))?;
                        let error = errors.iter().find(|error| is_unknown_filter(error))?;
                        Some(to_file(&ruleset.macros[id].condition, error, fallback))
                    })
                })
                .or_else(|| {
                    output_errors
                        .iter()
                        .find(|error| is_unknown_filter(error))
                        .and_then(|error| rule.output.to_file(error.span))
                });
            if let Some(span) = first_unknown {
                diagnostics.push(
                    Diagnostic::new(
                        Code::W403,
                        span,
                        format!(
                            "rule `{}` uses a field this source does not have, so it is skipped",
                            rule.name
                        ),
                    )
                    .with_label("not a field of this source")
                    .with_related(fallback, "the rule sets `skip-if-unknown-filter: true`"),
                );
            }
        }
        let skip = |error: &&TypeError| rule.skip_if_unknown_filter && is_unknown_filter(error);
        let mut warned = FxHashSet::default();
        for error in errors.iter().filter(|error| !skip(error)) {
            if error.is_error() || warned.insert((error.code, error.message.clone())) {
                diagnostics.push(to_diagnostic(error, &rule.condition, fallback));
            }
        }
        for (id, entry) in macro_entries(ruleset, &rule.condition) {
            let Some(errors) = macro_errors.get(&(id, rule.source.as_str())) else {
                continue;
            };
            let item = &ruleset.macros[id];
            for error in errors.iter().filter(|error| !error.is_error()) {
                if !warned.insert((error.code, error.message.clone())) {
                    continue;
                }
                let at = rule.condition.to_file(entry).unwrap_or(fallback);
                let inside = to_file(&item.condition, error, item.origin.definition);
                let mut diagnostic = type_error_diagnostic(error, at)
                    .with_label(format!("in rule `{}`, through this macro", rule.name))
                    .with_related(inside, format!("here, in macro `{}`", item.name));
                diagnostic.message = format!("{} (in macro `{}`)", error.message, item.name);
                diagnostics.push(diagnostic);
            }
        }
        for error in output_errors.iter().filter(|error| !skip(error)) {
            let span = rule.output.to_file(error.span).unwrap_or(fallback);
            diagnostics.push(type_error_diagnostic(error, span));
        }
        // An undefined macro already has its error; guessing event types without it
        // would only add noise.
        let resolved = rule
            .condition
            .macro_refs
            .iter()
            .all(|reference| reference.target.is_some());
        if rule.source == "syscall"
            && rule.warn_evttypes
            && !rule.condition.has_syntax_errors
            && resolved
        {
            let lookup = |name: &str| macro_trees.get(&(name, rule.source.as_str())).copied();
            let text = &rule.condition.expanded.text;
            let kept = memo
                .as_deref()
                .and_then(|memo| memo.event_types(text, &tree, lookup))
                .cloned();
            let set = match (kept, memo.as_deref_mut()) {
                (Some(set), _) => set,
                (None, Some(memo)) => {
                    let (set, looked_up) = rule_event_types(&tree, &lookup, &rule.source);
                    let kept = EventTypes {
                        tree: Arc::clone(&tree),
                        macros: looked_up,
                        set: set.clone(),
                    };
                    memo.store_event_types(text.clone(), kept);
                    set
                }
                (None, None) => {
                    let lookup = |name: &str| lookup(name).map(|tree| &**tree);
                    event_types(&tree, &lookup, schema, &rule.source)
                }
            };
            if let Some(count) = too_many_event_types(&set) {
                diagnostics.push(
                    Diagnostic::new(
                        Code::W206,
                        fallback,
                        format!("rule `{}` matches {count}", rule.name),
                    )
                    .with_label("no `evt.type` restriction")
                    .with_help(
                        "restrict the event types, e.g. `evt.type in (execve, execveat) and ...`, or set `warn_evttypes: false`",
                    ),
                );
            }
        }
        typed_rules.push(Some(tree));
    }
    typed.rules = typed_rules;
    typed
}

/// A rule's checked condition and its output's errors, each with whether it was
/// checked afresh (rather than taken from the memo).
type CheckedRule = (Checked, bool, Vec<TypeError>, bool);

/// Checks every rule's condition and output (`None` for skipped rules), on the
/// worker threads: rules are independent of each other.
fn check_rules(ruleset: &Ruleset, checks: &Checks<'_>) -> Vec<Option<CheckedRule>> {
    let check = |rule: &falco_resolve::Rule| {
        if rule.unknown_source {
            return None;
        }
        let (condition, fresh) = checks.condition(&rule.condition, &rule.source);
        let (output, fresh_output) = checks.output(rule);
        Some((condition, fresh, output, fresh_output))
    };
    ruleset.rules.par_iter().map(check).collect()
}

/// Runs the typechecker, or takes its result from the memo when there is one.
struct Checks<'a> {
    schema: &'a Schema,
    memo: Option<&'a CheckMemo>,
}

impl Checks<'_> {
    /// The check of `condition` under `source`, and whether it was done afresh.
    fn condition(&self, condition: &Condition, source: &str) -> (Checked, bool) {
        let text = &condition.expanded.text;
        match self.memo.and_then(|memo| memo.condition(source, text)) {
            Some(checked) => (checked.clone(), false),
            None => {
                let ctx = Context::new(self.schema, source);
                let (tree, errors) = check_condition(&condition.ast, &ctx);
                ((Arc::new(tree), errors), true)
            }
        }
    }

    /// The errors of a rule's output, and whether it was checked afresh.
    fn output(&self, rule: &falco_resolve::Rule) -> (Vec<TypeError>, bool) {
        let text = &rule.output.text;
        match self.memo.and_then(|memo| memo.output(&rule.source, text)) {
            Some(errors) => (errors.clone(), false),
            None => {
                let ctx = Context::new(self.schema, &rule.source);
                (check_output(&rule.output_ast, &ctx).1, true)
            }
        }
    }
}

/// The event types of a rule's typed condition, and the macro trees the analysis
/// looked up by name on the way.
fn rule_event_types<'a>(
    tree: &TypedExpr,
    lookup: &dyn Fn(&str) -> Option<&'a Arc<TypedExpr>>,
    source: &str,
) -> (EventTypeSet, LookedUp) {
    let looked_up = std::cell::RefCell::new(Vec::new());
    let recording = |name: &str| {
        let found = lookup(name);
        looked_up
            .borrow_mut()
            .push((name.to_owned(), found.cloned()));
        found.map(|tree| &**tree)
    };
    let set = event_types(tree, &recording, Schema::get(), source);
    (set, looked_up.into_inner())
}

/// Falco counts an event type twice (enter and exit events).
fn too_many_event_types(set: &EventTypeSet) -> Option<String> {
    match set {
        EventTypeSet::None => None,
        EventTypeSet::All => Some("every event type".to_owned()),
        EventTypeSet::AllExcept(_) => Some("nearly every event type".to_owned()),
        EventTypeSet::Only(names) if names.len() * 2 > EVTTYPE_LIMIT => {
            Some(format!("{} event types", names.len()))
        }
        EventTypeSet::Only(_) => None,
    }
}

/// Every macro a rule's condition reaches, with the span (in the rule's condition)
/// of the macro reference it is reached through. Falco reports warnings per rule
/// on the expanded condition, so a warning inside a macro belongs to each rule
/// that uses it.
fn macro_entries(ruleset: &Ruleset, condition: &Condition) -> Vec<(MacroId, falco_span::Span)> {
    let mut seen = vec![false; ruleset.macros.len()];
    let mut out = Vec::new();
    for reference in &condition.macro_refs {
        let Some(top) = reference.target else {
            continue;
        };
        let mut stack = vec![top];
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut seen[id], true) {
                continue;
            }
            out.push((id, reference.span));
            stack.extend(
                ruleset.macros[id]
                    .condition
                    .macro_refs
                    .iter()
                    .filter_map(|inner| inner.target),
            );
        }
    }
    out
}

/// Falco checks exception fields when it collects the rule, before any value is
/// compared: an unknown field is an invalid exception even without values.
/// Returns the spans of the fields reported.
fn check_exception_fields(
    rule: &falco_resolve::Rule,
    schema: &Schema,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<FileSpan> {
    let mut reported = Vec::new();
    for exception in &rule.exceptions {
        let Some(fields) = &exception.fields else {
            continue;
        };
        let names: Vec<&falco_loader::Spanned<String>> = match &fields.value {
            ExceptionFields::Single(field) => vec![field],
            ExceptionFields::List(list) => list.iter().collect(),
        };
        // A transformer such as `tolower(proc.name)` is checked where the
        // exception's condition text uses it.
        for field in names.into_iter().filter(|field| !field.value.contains('(')) {
            let (name, arg) = split_field_arg(&field.value);
            let Err(error) = schema.resolve(&rule.source, name, arg) else {
                continue;
            };
            if !matches!(
                error,
                FieldError::Unknown { .. } | FieldError::WrongSource { .. }
            ) {
                continue;
            }
            let help = match &error {
                FieldError::Unknown {
                    suggestion: Some(near),
                    ..
                } => format!("did you mean `{near}`?"),
                _ => format!("use a field of the `{}` source", rule.source),
            };
            let span = exact_scalar_span(field);
            diagnostics.push(
                Diagnostic::new(
                    Code::E206,
                    span,
                    format!("exception `{}`: {error}", exception.name.value),
                )
                .with_help(help),
            );
            reported.push(span);
        }
    }
    reported
}

/// The span of a scalar's value (without quotes), as the condition text maps it.
fn exact_scalar_span(field: &falco_loader::Spanned<String>) -> FileSpan {
    let len = field.value.len() as u32;
    let span = field.span;
    if span.span.len() == len + 2 {
        FileSpan::new(
            span.file,
            falco_span::Span::new(span.span.start + 1, span.span.end - 1),
        )
    } else {
        span
    }
}

/// Whether Falco would downgrade this error under `skip-if-unknown-filter`.
fn is_unknown_filter(error: &TypeError) -> bool {
    matches!(
        error.code,
        Code::E401 | Code::E402 | Code::E405 | Code::E502
    )
}

/// Every macro a condition reaches, directly or through other macros.
fn reachable_macros(ruleset: &Ruleset, condition: &Condition) -> Vec<MacroId> {
    let mut seen = vec![false; ruleset.macros.len()];
    let mut stack: Vec<MacroId> = condition
        .macro_refs
        .iter()
        .filter_map(|reference| reference.target)
        .collect();
    let mut out = Vec::new();
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id], true) {
            continue;
        }
        out.push(id);
        stack.extend(
            ruleset.macros[id]
                .condition
                .macro_refs
                .iter()
                .filter_map(|reference| reference.target),
        );
    }
    out
}

fn to_file(condition: &Condition, error: &TypeError, fallback: FileSpan) -> FileSpan {
    condition.to_file(error.span).unwrap_or(fallback)
}

fn to_diagnostic(error: &TypeError, condition: &Condition, fallback: FileSpan) -> Diagnostic {
    type_error_diagnostic(error, to_file(condition, error, fallback))
}

fn type_error_diagnostic(error: &TypeError, span: FileSpan) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(error.code, span, error.message.clone());
    if let Some(label) = &error.label {
        diagnostic = diagnostic.with_label(label.clone());
    }
    diagnostic = diagnostic.with_optional_help(error.help.clone());
    for note in &error.notes {
        diagnostic = diagnostic.with_note(note.clone());
    }
    diagnostic
}

/// Adds `source` to the set `sources`, unless it is there.
fn add_source<'a>(sources: &mut Vec<&'a str>, source: &'a str) {
    if !sources.contains(&source) {
        sources.push(source);
    }
}
