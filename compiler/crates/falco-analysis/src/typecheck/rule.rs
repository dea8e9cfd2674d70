//! The diagnostics of one checked rule, as Falco gives them: its exception fields,
//! the `skip-if-unknown-filter` warning, its condition's errors and warnings, its
//! output's errors and the event-type warning (`event_types.rs`); and the
//! warnings inside macros, once per macro with the rules that reach it.

use std::sync::Arc;

use falco_diagnostics::{Code, Diagnostic};
use falco_loader::{ExceptionFields, Spanned};
use falco_resolve::{MacroId, Rule, Ruleset};
use falco_schema::{FieldError, Schema};
use falco_span::{FileSpan, Span};
use falco_typeck::{TypeError, TypedExpr, split_field_arg};
use rustc_hash::{FxHashMap, FxHashSet};

use super::checks::{CheckedMacros, CheckedRule};
use super::diagnostic::{is_unknown_filter, to_diagnostic, to_file};
use super::reach::{MacroReach, macro_entries};
use crate::memo::CheckMemo;

/// What reporting on each rule reads: the ruleset and its checked macros.
pub(super) struct RuleReport<'a> {
    ruleset: &'a Ruleset,
    pub(super) schema: &'a Schema,
    reach: &'a MacroReach<'a>,
    macros: &'a CheckedMacros<'a>,
    /// The typed macros by (name, source), for the event-type analysis.
    pub(super) macro_trees: FxHashMap<(&'a str, &'a str), &'a Arc<TypedExpr>>,
}

impl<'a> RuleReport<'a> {
    /// Indexes the checked macros by name.
    pub(super) fn new(
        ruleset: &'a Ruleset,
        schema: &'a Schema,
        reach: &'a MacroReach<'a>,
        macros: &'a CheckedMacros<'a>,
    ) -> RuleReport<'a> {
        let macro_trees = macros
            .trees
            .iter()
            .map(|((id, source), tree)| {
                let name = ruleset.macros[*id].name.as_str();
                ((name, source.as_str()), tree)
            })
            .collect();
        RuleReport {
            ruleset,
            schema,
            reach,
            macros,
            macro_trees,
        }
    }

    /// Appends the diagnostics of rule `index` and returns its typed condition.
    /// With a memo, the rule's event types are taken from it or kept in it.
    pub(super) fn rule(
        &self,
        index: usize,
        rule: &Rule,
        checked: CheckedRule,
        memo: Option<&mut CheckMemo>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Arc<TypedExpr> {
        let CheckedRule { condition, output } = checked;
        // Falco stops at a rule's first error, so a rule with one gets no
        // event-type warning on top.
        let rejected = rule.rejected_value
            || condition.errors.iter().any(TypeError::is_error)
            || output.errors.iter().any(TypeError::is_error)
            || self.reaches_errors(index, rule);
        let mut errors = condition.errors;
        let bad_fields = check_exception_fields(rule, self.schema, diagnostics);
        // An exception field already reported as such is not reported again where
        // the exception's condition text uses it.
        errors.retain(|error| {
            !(matches!(error.code, Code::E401 | Code::E402)
                && rule
                    .condition
                    .to_file(error.span)
                    .is_some_and(|span| bad_fields.contains(&span)))
        });
        if rule.skip_if_unknown_filter {
            diagnostics.extend(self.skipped(index, rule, &errors, &output.errors));
        }
        let fallback = rule.origin.definition;
        let skip = |error: &&TypeError| rule.skip_if_unknown_filter && is_unknown_filter(error);
        // Warnings already given for this rule, by code and message.
        let mut warned = FxHashSet::default();
        for error in errors.iter().filter(|error| !skip(error)) {
            if error.is_error() || warned.insert((error.code, error.message.clone())) {
                diagnostics.push(to_diagnostic(error, &rule.condition, fallback));
            }
        }
        for error in output.errors.iter().filter(|error| !skip(error)) {
            let span = rule.output.to_file(error.span).unwrap_or(fallback);
            diagnostics.push(error.to_diagnostic(span, |span| rule.output.to_file(span)));
        }
        if !rejected {
            diagnostics.extend(self.event_type_warning(rule, &condition.tree, memo));
        }
        condition.tree
    }

    /// Whether a macro rule `index` reaches is part of a reference loop or has a
    /// type error under the rule's source.
    fn reaches_errors(&self, index: usize, rule: &Rule) -> bool {
        self.reach.by_rule(index).iter().any(|&id| {
            self.ruleset.macros[id].looped
                || self
                    .macros
                    .errors
                    .get(&(id, rule.source.as_str()))
                    .is_some_and(|errors| errors.iter().any(TypeError::is_error))
        })
    }

    /// The `skip-if-unknown-filter` warning of rule `index`: the first field its
    /// source lacks, in its condition, the macros it reaches, or its output.
    fn skipped(
        &self,
        index: usize,
        rule: &Rule,
        errors: &[TypeError],
        output_errors: &[TypeError],
    ) -> Option<Diagnostic> {
        let fallback = rule.origin.definition;
        let span = errors
            .iter()
            .find(|error| is_unknown_filter(error))
            .map(|error| to_file(&rule.condition, error, fallback))
            .or_else(|| {
                self.reach.by_rule(index).iter().find_map(|&id| {
                    let errors = self.macros.errors.get(&(id, rule.source.as_str()))?;
                    let error = errors.iter().find(|error| is_unknown_filter(error))?;
                    Some(to_file(&self.ruleset.macros[id].condition, error, fallback))
                })
            })
            .or_else(|| {
                output_errors
                    .iter()
                    .find(|error| is_unknown_filter(error))
                    .and_then(|error| rule.output.to_file(error.span))
            })?;
        Some(
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
        )
    }

    /// The warnings found inside macros, each once, where the fix goes: at the
    /// macro, with a related label at the reference of each rule that reaches it
    /// (Falco warns once per rule, on the rule's expanded condition).
    pub(super) fn macro_warnings(&self, diagnostics: &mut Vec<Diagnostic>) {
        // Per macro, the rules reaching it: (rule index, reference in the rule).
        let mut reached_by: FxHashMap<MacroId, Vec<(usize, Span)>> = FxHashMap::default();
        for (index, rule) in self.ruleset.rules.iter().enumerate() {
            if rule.unknown_source {
                continue;
            }
            for (id, entry) in macro_entries(self.ruleset, &rule.condition) {
                let warns = self
                    .macros
                    .errors
                    .get(&(id, rule.source.as_str()))
                    .is_some_and(|errors| errors.iter().any(|error| !error.is_error()));
                if warns {
                    reached_by.entry(id).or_default().push((index, entry));
                }
            }
        }
        let mut ids: Vec<MacroId> = reached_by.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let item = &self.ruleset.macros[id];
            let rules = &reached_by[&id];
            let mut sources: Vec<&str> = rules
                .iter()
                .map(|&(index, _)| self.ruleset.rules[index].source.as_str())
                .collect();
            sources.sort_unstable();
            sources.dedup();
            let mut warned = FxHashSet::default();
            for source in sources {
                let Some(errors) = self.macros.errors.get(&(id, source)) else {
                    continue;
                };
                for error in errors.iter().filter(|error| !error.is_error()) {
                    if !warned.insert((error.code, error.message.clone())) {
                        continue;
                    }
                    let inside = to_file(&item.condition, error, item.origin.definition);
                    let mut diagnostic =
                        error.to_diagnostic(inside, |span| item.condition.to_file(span));
                    diagnostic.message = format!("{} (in macro `{}`)", error.message, item.name);
                    let of_source = rules
                        .iter()
                        .filter(|&&(index, _)| self.ruleset.rules[index].source == source);
                    let count = of_source.clone().count();
                    for &(index, entry) in of_source.clone().take(RULES_SHOWN) {
                        let rule = &self.ruleset.rules[index];
                        let at = rule
                            .condition
                            .to_file(entry)
                            .unwrap_or(rule.origin.definition);
                        diagnostic = diagnostic.with_related(
                            at,
                            format!("rule `{}` reaches the macro here", rule.name),
                        );
                    }
                    if count > RULES_SHOWN {
                        diagnostic = diagnostic.with_note(format!(
                            "{} more rules reach the macro; Falco warns once for each of them",
                            count - RULES_SHOWN
                        ));
                    }
                    diagnostics.push(diagnostic);
                }
            }
        }
    }
}

/// How many of the rules reaching a macro a warning inside it names.
const RULES_SHOWN: usize = 5;

/// Falco checks exception fields when it collects the rule, before any value is
/// compared: an unknown field is an invalid exception even without values.
/// Returns the spans of the fields reported.
fn check_exception_fields(
    rule: &Rule,
    schema: &Schema,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<FileSpan> {
    let mut reported = Vec::new();
    for exception in &rule.exceptions {
        let Some(fields) = &exception.fields else {
            continue;
        };
        let names: Vec<&Spanned<String>> = match &fields.value {
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
            let span = exact_scalar_span(field);
            let diagnostic = Diagnostic::new(
                Code::E206,
                span,
                format!("exception `{}`: {error}", exception.name.value),
            );
            diagnostics.push(match &error {
                FieldError::Unknown {
                    suggestion: Some(near),
                    ..
                } => {
                    // The argument, if any, stays.
                    let arg = field.value.get(name.len()..).unwrap_or_default();
                    diagnostic.with_did_you_mean(&field.value, &format!("{near}{arg}"))
                }
                _ => diagnostic.with_help(format!("use a field of the `{}` source", rule.source)),
            });
            reported.push(span);
        }
    }
    reported
}

/// The span of a scalar's value (without quotes), as the condition text maps it.
fn exact_scalar_span(field: &Spanned<String>) -> FileSpan {
    let len = field.value.len() as u32;
    let span = field.span;
    if span.span.len() == len + 2 {
        FileSpan::new(span.file, Span::new(span.span.start + 1, span.span.end - 1))
    } else {
        span
    }
}
