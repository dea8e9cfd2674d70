//! How large and how deep a rule's condition grows once its macros are inlined, as
//! Falco and our lowering (`falco-lower`) inline them, computed without inlining:
//! each macro's size and depth once, in definition order, so the work is linear in
//! the ruleset however often macros use each other (`m2: m1 and m1`, `m3: m2 and m2`,
//! ... doubles the inlined size at every level).
//!
//! A rule over [`MAX_INLINED_DEPTH`] (`E210`) or [`MAX_EXPANDED_CHECKS`] (`E211`) is
//! an error here, so that lint refuses what compile would refuse or not finish.

use falco_condition::ast::Expr;
use falco_diagnostics::{Code, Diagnostic};

use crate::model::{Condition, Macro, MacroRef, Rule};

/// How deep a rule's condition may nest once its macros are inlined, counting one
/// level per `and`, `or`, `not`, parenthesis and macro reference on the deepest
/// path. Lowering recurses once per level; 1,000 keeps it well inside the main
/// thread's stack, and admits a chain of about a thousand macros that each use the
/// next (Falco accepts longer chains; the deepest rule Falco ships nests 15 levels).
pub const MAX_INLINED_DEPTH: usize = 1_000;

/// How many field checks a rule's condition may hold once its macros are inlined.
/// The largest rule Falco ships holds 248; Falco itself takes seconds and hundreds
/// of megabytes to load a rule of 100,000.
pub const MAX_EXPANDED_CHECKS: u64 = 100_000;

/// The depth of a macro on a reference loop, and of everything that uses it: no
/// finite tree has it (E208 reports the loop).
const LOOPED: usize = usize::MAX;

/// A condition's size with its macros inlined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expansion {
    /// Field checks, counting each macro use as the checks it stands for
    /// (saturating).
    pub checks: u64,
    /// Levels on the deepest path of the inlined tree (see [`MAX_INLINED_DEPTH`];
    /// saturating).
    pub depth: usize,
}

/// The expansion of every macro (index as in `macros`), each computed once, after
/// the macros it uses (an explicit stack: a chain of thousands of macros does not
/// recurse). A macro on a loop counts as endlessly deep.
pub fn macro_expansions(macros: &[Macro]) -> Vec<Expansion> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done(Expansion),
    }
    let looped = Expansion {
        checks: 0,
        depth: LOOPED,
    };
    let mut states = vec![State::New; macros.len()];
    for root in 0..macros.len() {
        let mut stack = vec![root];
        while let Some(&id) = stack.last() {
            match states[id] {
                State::Done(_) => {
                    stack.pop();
                }
                State::New => {
                    states[id] = State::Open;
                    let targets = macros[id].condition.macro_refs.iter();
                    stack.extend(
                        targets
                            .filter_map(|reference| reference.target)
                            .filter(|&target| {
                                target < macros.len() && states[target] == State::New
                            }),
                    );
                }
                State::Open => {
                    // Every target is done now, or open below this one (a loop).
                    let expansion =
                        expansion_of(&macros[id].condition, |target| match states.get(target) {
                            Some(State::Done(expansion)) => *expansion,
                            _ => looped,
                        });
                    states[id] = State::Done(expansion);
                    stack.pop();
                }
            }
        }
    }
    states
        .into_iter()
        .map(|state| match state {
            State::Done(expansion) => expansion,
            _ => looped,
        })
        .collect()
}

/// The expansion of `condition`, given each macro's.
pub fn condition_expansion(condition: &Condition, macros: &[Expansion]) -> Expansion {
    expansion_of(condition, |target| {
        macros.get(target).copied().unwrap_or_default()
    })
}

fn expansion_of(condition: &Condition, target: impl Fn(usize) -> Expansion) -> Expansion {
    let mut checks = 0u64;
    let depth = inlined_depth(&condition.ast, &condition.macro_refs, &target, &mut checks);
    Expansion { checks, depth }
}

/// The depth of `expr` with each macro reference standing for its target's
/// expansion; adds the checks to `checks`. Recursion follows the syntax tree only,
/// which the parser bounds (E305).
fn inlined_depth(
    expr: &Expr,
    refs: &[MacroRef],
    target: &impl Fn(usize) -> Expansion,
    checks: &mut u64,
) -> usize {
    let below = match expr {
        Expr::And(items, _) | Expr::Or(items, _) => items
            .iter()
            .map(|item| inlined_depth(item, refs, target, checks))
            .max()
            .unwrap_or(0),
        Expr::Not(inner, _) | Expr::Paren(inner, _) => inlined_depth(inner, refs, target, checks),
        Expr::Check(_) => {
            *checks = checks.saturating_add(1);
            0
        }
        Expr::Macro(ident) => {
            let used = refs
                .iter()
                .find(|reference| reference.span == ident.span)
                .or_else(|| refs.iter().find(|reference| reference.name == ident.name))
                .and_then(|reference| reference.target)
                .map(target)
                .unwrap_or_default();
            *checks = checks.saturating_add(used.checks);
            used.depth
        }
        Expr::Error(_) => 0,
    };
    below.saturating_add(1)
}

/// `E210` and `E211` for each rule over a limit.
pub(crate) fn check_rules(macros: &[Macro], rules: &[Rule], diagnostics: &mut Vec<Diagnostic>) {
    let expansions = macro_expansions(macros);
    for rule in rules.iter().filter(|rule| !rule.unknown_source) {
        let condition = &rule.condition;
        let expansion = condition_expansion(condition, &expansions);
        let used = |reference: &&MacroRef| reference.target.is_some();
        if expansion.depth == LOOPED {
            // E208 reports the loop itself.
            continue;
        }
        if expansion.depth > MAX_INLINED_DEPTH {
            // The reference the deepest chain starts with.
            let deepest = condition
                .macro_refs
                .iter()
                .filter(used)
                .max_by_key(|reference| target_of(reference, &expansions).depth);
            if let Some(reference) = deepest {
                diagnostics.push(too_deep(rule, reference, expansion.depth, macros));
            }
        } else if expansion.checks > MAX_EXPANDED_CHECKS {
            let largest = condition
                .macro_refs
                .iter()
                .filter(used)
                .max_by_key(|reference| target_of(reference, &expansions).checks);
            if let Some(reference) = largest {
                diagnostics.push(too_large(
                    rule,
                    reference,
                    &expansions,
                    expansion.checks,
                    macros,
                ));
            }
        }
    }
}

fn target_of(reference: &MacroRef, expansions: &[Expansion]) -> Expansion {
    reference
        .target
        .and_then(|id| expansions.get(id).copied())
        .unwrap_or_default()
}

fn too_deep(rule: &Rule, reference: &MacroRef, depth: usize, macros: &[Macro]) -> Diagnostic {
    let span = rule.condition.to_file(reference.span).unwrap_or_default();
    let mut diagnostic = Diagnostic::new(
        Code::E210,
        span,
        format!(
            "the condition of rule `{}` nests {depth} levels deep once its macros are inlined (at most {MAX_INLINED_DEPTH})",
            rule.name
        ),
    )
    .with_label(format!(
        "`{}` uses macros that use macros ...",
        reference.name
    ))
    .with_help("inline some of the intermediate macros, or rewrite the chain as one macro");
    if let Some(item) = reference.target.and_then(|id| macros.get(id)) {
        diagnostic = diagnostic.with_related(item.origin.definition, "the chain starts here");
    }
    diagnostic
}

fn too_large(
    rule: &Rule,
    reference: &MacroRef,
    expansions: &[Expansion],
    checks: u64,
    macros: &[Macro],
) -> Diagnostic {
    let span = rule.condition.to_file(reference.span).unwrap_or_default();
    let part = target_of(reference, expansions).checks;
    let mut diagnostic = Diagnostic::new(
        Code::E211,
        span,
        format!(
            "the condition of rule `{}` grows to {checks} field checks once macros are inlined (at most {MAX_EXPANDED_CHECKS})",
            rule.name
        ),
    )
    .with_label(format!("`{}` alone stands for {part} checks", reference.name))
    .with_help(
        "a macro used twice is inlined twice: use it once (`m and m` is `m`), or split the rule",
    );
    if let Some(item) = reference.target.and_then(|id| macros.get(id)) {
        diagnostic = diagnostic.with_related(item.origin.definition, "defined here");
    }
    diagnostic
}
