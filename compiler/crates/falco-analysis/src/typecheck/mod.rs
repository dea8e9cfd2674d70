//! Typechecking a resolved ruleset: each rule under its source, each macro under
//! the sources of the rules that reach it, outputs, and the event-type warning.
//!
//! [`check_ruleset`] runs these steps in order:
//! 1. [`MacroReach`]: the macros each rule reaches, hence the sources each macro is
//!    checked under;
//! 2. [`check_macros`]: every (macro, source) pair is checked once, its errors
//!    reported once;
//! 3. [`check_rules`]: every rule's condition and output are checked;
//! 4. [`RuleReport`]: per rule, the diagnostics Falco gives for it (exception
//!    fields, `skip-if-unknown-filter`, errors, outputs, the event-type
//!    warning), then the warnings inside macros, once each, at the macro;
//! 5. [`check_superseded`]: macro definitions a later file replaced, as Falco
//!    checked them when it loaded the files before that one.
//!
//! Steps 2 and 3 run on the worker threads and take what the memo holds.

mod checks;
mod diagnostic;
mod event_types;
mod reach;
mod rule;
mod superseded;

use std::collections::HashMap;
use std::sync::Arc;

use falco_diagnostics::Diagnostic;
use falco_resolve::{MacroId, Ruleset};
use falco_schema::Schema;
use falco_typeck::TypedExpr;

use super::memo::CheckMemo;
use checks::{Checks, check_macros, check_rules};
use reach::MacroReach;
use rule::RuleReport;
use superseded::check_superseded;

/// The typed conditions of a ruleset, by rule and by (macro, source).
#[derive(Clone, Debug, Default)]
pub struct TypedRuleset {
    /// Typed condition of each rule (index as in `Ruleset::rules`); `None` for rules
    /// that are skipped (unknown source).
    pub rules: Vec<Option<Arc<TypedExpr>>>,
    /// Typed condition of each macro, per source it is used with.
    pub macros: HashMap<(MacroId, String), Arc<TypedExpr>>,
    /// Typed condition of each superseded macro definition (index as in
    /// `Ruleset::superseded_macros`), per source it was checked under.
    pub superseded_macros: HashMap<(usize, String), Arc<TypedExpr>>,
}

/// Typechecks every rule and reachable macro, appending diagnostics. With a
/// memo, each condition and output whose (source, text) it holds is not checked
/// again, and the new checks are stored in it.
pub(crate) fn check_ruleset(
    ruleset: &Ruleset,
    schema: &Schema,
    diagnostics: &mut Vec<Diagnostic>,
    mut memo: Option<&mut CheckMemo>,
) -> TypedRuleset {
    let reach = MacroReach::of(ruleset);
    let macros = check_macros(ruleset, &reach, schema, memo.as_deref_mut(), diagnostics);
    let checks = Checks {
        schema,
        memo: memo.as_deref(),
    };
    let checked = check_rules(ruleset, &checks);
    let mut rules = Vec::with_capacity(ruleset.rules.len());
    let report = RuleReport::new(ruleset, schema, &reach, &macros);
    for ((index, rule), checked) in ruleset.rules.iter().enumerate().zip(checked) {
        let Some(checked) = checked else {
            rules.push(None);
            continue;
        };
        if let Some(memo) = memo.as_deref_mut() {
            checked.remember(rule, memo);
        }
        rules.push(Some(report.rule(
            index,
            rule,
            checked,
            memo.as_deref_mut(),
            diagnostics,
        )));
    }
    report.macro_warnings(diagnostics);
    let superseded_macros = check_superseded(ruleset, &reach, schema, memo, diagnostics);
    TypedRuleset {
        rules,
        macros: macros.trees,
        superseded_macros,
    }
}
