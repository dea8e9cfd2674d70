//! Macro definitions that a later file replaced, checked as Falco checked them:
//! Falco compiles the whole ruleset after each file it loads, so such a
//! definition was typechecked under the sources of the rules loaded by then that
//! reach the macro.

use std::collections::HashMap;
use std::sync::Arc;

use falco_diagnostics::Diagnostic;
use falco_resolve::{MacroId, Ruleset};
use falco_schema::Schema;
use falco_typeck::TypedExpr;
use rustc_hash::FxHashMap;

use super::checks::{CheckedCondition, Checks};
use super::diagnostic::{is_unknown_filter, to_diagnostic};
use super::reach::MacroReach;
use crate::memo::CheckMemo;

/// Typed conditions of superseded macros, by (index in
/// `Ruleset::superseded_macros`, source).
pub(super) type SupersededTrees = HashMap<(usize, String), Arc<TypedExpr>>;

/// Checks every superseded macro definition under the sources of the rules that
/// reach its name and were loaded while it was active, keeps the fresh checks in
/// `memo`, and reports its errors at it, naming the replacement.
pub(super) fn check_superseded(
    ruleset: &Ruleset,
    reach: &MacroReach<'_>,
    schema: &Schema,
    mut memo: Option<&mut CheckMemo>,
    diagnostics: &mut Vec<Diagnostic>,
) -> SupersededTrees {
    let mut trees = SupersededTrees::new();
    if ruleset.superseded_macros.is_empty() {
        return trees;
    }
    let checks = Checks {
        schema,
        memo: memo.as_deref(),
    };
    let checked: Vec<(usize, &str, bool, CheckedCondition)> = pairs(ruleset, reach)
        .into_iter()
        .map(|(index, source, strict)| {
            let condition = &ruleset.superseded_macros[index].condition;
            (index, source, strict, checks.condition(condition, source))
        })
        .collect();
    for (index, source, strict, checked) in checked {
        let old = &ruleset.superseded_macros[index];
        if let Some(memo) = memo.as_deref_mut().filter(|_| checked.fresh) {
            memo.store_condition(
                source,
                old.condition.expanded.text.clone(),
                (Arc::clone(&checked.tree), checked.errors.clone()),
            );
        }
        for error in checked.errors.iter().filter(|error| error.is_error()) {
            if strict || !is_unknown_filter(error) {
                let diagnostic = to_diagnostic(error, &old.condition, old.origin.definition);
                diagnostics.push(old.explain(diagnostic));
            }
        }
        trees.insert((index, source.to_owned()), checked.tree);
    }
    trees
}

/// Every (superseded macro, source) pair to check: the sources of the rules that
/// reach the macro's name and were loaded while the definition was active, each
/// once, strict when such a rule does not skip unknown fields.
fn pairs<'r>(ruleset: &'r Ruleset, reach: &MacroReach<'_>) -> Vec<(usize, &'r str, bool)> {
    let ids: FxHashMap<&str, MacroId> = ruleset
        .macros
        .iter()
        .enumerate()
        .map(|(id, item)| (item.name.as_str(), id))
        .collect();
    // The rules reaching each macro that has a superseded definition.
    let mut reached_by: FxHashMap<MacroId, Vec<usize>> = ruleset
        .superseded_macros
        .iter()
        .filter_map(|old| Some((*ids.get(old.name.as_str())?, Vec::new())))
        .collect();
    for index in 0..ruleset.rules.len() {
        for id in reach.by_rule(index) {
            if let Some(rules) = reached_by.get_mut(id) {
                rules.push(index);
            }
        }
    }
    let mut pairs = Vec::new();
    for (index, old) in ruleset.superseded_macros.iter().enumerate() {
        let rules = ids
            .get(old.name.as_str())
            .and_then(|id| reached_by.get(id))
            .map_or(&[][..], Vec::as_slice);
        let mut sources: Vec<(&str, bool)> = Vec::new();
        for rule in rules.iter().map(|&rule| &ruleset.rules[rule]) {
            if rule.origin.definition.file > old.active_until {
                continue;
            }
            let strict = !rule.skip_if_unknown_filter;
            match sources
                .iter_mut()
                .find(|(source, _)| *source == rule.source)
            {
                Some(entry) => entry.1 |= strict,
                None => sources.push((&rule.source, strict)),
            }
        }
        sources.sort_unstable();
        pairs.extend(
            sources
                .into_iter()
                .map(|(source, strict)| (index, source, strict)),
        );
    }
    pairs
}
