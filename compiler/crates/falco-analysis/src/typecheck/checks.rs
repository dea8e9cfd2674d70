//! Running the typechecker on conditions and outputs, or taking its results from
//! the memo, on the worker threads: macros per (macro, source) pair, then rules.

use std::collections::HashMap;
use std::sync::Arc;

use falco_diagnostics::Diagnostic;
use falco_resolve::{Condition, MacroId, Rule, Ruleset};
use falco_schema::Schema;
use falco_typeck::{Context, TypeError, TypedExpr, check_condition, check_output};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::diagnostic::{is_unknown_filter, to_diagnostic};
use super::reach::MacroReach;
use crate::memo::CheckMemo;

/// Runs the typechecker, or takes its result from the memo when there is one.
pub(super) struct Checks<'a> {
    /// The field schemas checked against.
    pub(super) schema: &'a Schema,
    /// Earlier results, by source and text.
    pub(super) memo: Option<&'a CheckMemo>,
}

/// A checked condition.
pub(super) struct CheckedCondition {
    /// Its typed tree.
    pub(super) tree: Arc<TypedExpr>,
    /// Its type errors and warnings, spans into its expanded text.
    pub(super) errors: Vec<TypeError>,
    /// Whether it was checked afresh rather than taken from the memo.
    pub(super) fresh: bool,
}

/// A checked output.
pub(super) struct CheckedOutput {
    /// Its type errors and warnings, spans into its text.
    pub(super) errors: Vec<TypeError>,
    /// Whether it was checked afresh rather than taken from the memo.
    pub(super) fresh: bool,
}

/// A rule's checked condition and output.
pub(super) struct CheckedRule {
    /// The condition.
    pub(super) condition: CheckedCondition,
    /// The output.
    pub(super) output: CheckedOutput,
}

impl CheckedRule {
    /// Keeps in `memo` what was checked afresh.
    pub(super) fn remember(&self, rule: &Rule, memo: &mut CheckMemo) {
        if self.condition.fresh {
            let text = rule.condition.expanded.text.clone();
            let checked = (
                Arc::clone(&self.condition.tree),
                self.condition.errors.clone(),
            );
            memo.store_condition(&rule.source, text, checked);
        }
        if self.output.fresh {
            let text = rule.output.text.clone();
            memo.store_output(&rule.source, text, self.output.errors.clone());
        }
    }
}

impl Checks<'_> {
    /// The check of `condition` under `source`.
    pub(super) fn condition(&self, condition: &Condition, source: &str) -> CheckedCondition {
        let text = &condition.expanded.text;
        match self.memo.and_then(|memo| memo.condition(source, text)) {
            Some((tree, errors)) => CheckedCondition {
                tree: Arc::clone(tree),
                errors: errors.clone(),
                fresh: false,
            },
            None => {
                let ctx = Context::new(self.schema, source);
                let (tree, errors) = check_condition(&condition.ast, &ctx);
                CheckedCondition {
                    tree: Arc::new(tree),
                    errors,
                    fresh: true,
                }
            }
        }
    }

    /// The check of a rule's output.
    fn output(&self, rule: &Rule) -> CheckedOutput {
        let text = &rule.output.text;
        match self.memo.and_then(|memo| memo.output(&rule.source, text)) {
            Some(errors) => CheckedOutput {
                errors: errors.clone(),
                fresh: false,
            },
            None => {
                let ctx = Context::new(self.schema, &rule.source);
                CheckedOutput {
                    errors: check_output(&rule.output_ast, &ctx).1,
                    fresh: true,
                }
            }
        }
    }
}

/// The checked macros, by (macro, source).
pub(super) struct CheckedMacros<'r> {
    /// The typed condition of each pair.
    pub(super) trees: HashMap<(MacroId, String), Arc<TypedExpr>>,
    /// Its type errors and warnings, spans into the macro's expanded text.
    pub(super) errors: FxHashMap<(MacroId, &'r str), Vec<TypeError>>,
}

/// Checks each (macro, source) pair `reach` gives, keeps the fresh checks in
/// `memo`, and reports each pair's errors once (an unknown field only when a rule
/// that does not skip unknown fields reaches the macro). Warnings are reported per
/// rule, by [`RuleReport`](super::rule::RuleReport).
pub(super) fn check_macros<'r>(
    ruleset: &'r Ruleset,
    reach: &MacroReach<'r>,
    schema: &Schema,
    mut memo: Option<&mut CheckMemo>,
    diagnostics: &mut Vec<Diagnostic>,
) -> CheckedMacros<'r> {
    let pairs = reach.pairs();
    let checks = Checks {
        schema,
        memo: memo.as_deref(),
    };
    let checked: Vec<CheckedCondition> = pairs
        .par_iter()
        .map(|&(id, source)| checks.condition(&ruleset.macros[id].condition, source))
        .collect();
    let mut macros = CheckedMacros {
        trees: HashMap::with_capacity(pairs.len()),
        errors: FxHashMap::default(),
    };
    for ((id, source), checked) in pairs.into_iter().zip(checked) {
        let item = &ruleset.macros[id];
        if let Some(memo) = memo.as_deref_mut().filter(|_| checked.fresh) {
            let text = item.condition.expanded.text.clone();
            memo.store_condition(
                source,
                text,
                (Arc::clone(&checked.tree), checked.errors.clone()),
            );
        }
        let strict = reach.strict(id, source);
        for error in checked.errors.iter().filter(|error| error.is_error()) {
            if strict || !is_unknown_filter(error) {
                diagnostics.push(to_diagnostic(
                    error,
                    &item.condition,
                    item.origin.definition,
                ));
            }
        }
        macros.errors.insert((id, source), checked.errors);
        macros.trees.insert((id, source.to_owned()), checked.tree);
    }
    macros
}

/// Checks every rule's condition and output (`None` for rules of an unknown
/// source): rules are independent of each other.
pub(super) fn check_rules(ruleset: &Ruleset, checks: &Checks<'_>) -> Vec<Option<CheckedRule>> {
    let check = |rule: &Rule| {
        (!rule.unknown_source).then(|| CheckedRule {
            condition: checks.condition(&rule.condition, &rule.source),
            output: checks.output(rule),
        })
    };
    ruleset.rules.par_iter().map(check).collect()
}
