//! Which macros each rule reaches, directly or through other macros, and so under
//! which event sources each macro is checked.

use falco_resolve::{Condition, MacroId, Ruleset};
use falco_span::Span;

/// The macros rules reach. Sets of a source or two: plain vectors, no hashing.
pub(super) struct MacroReach<'r> {
    /// Per macro, the sources of the rules that reach it.
    sources: Vec<Vec<&'r str>>,
    /// Per macro, the sources of the rules that reach it and do not skip unknown
    /// fields (`skip-if-unknown-filter`).
    strict: Vec<Vec<&'r str>>,
    /// Per rule, the macros it reaches (none for a rule of an unknown source).
    by_rule: Vec<Vec<MacroId>>,
}

impl<'r> MacroReach<'r> {
    /// Follows every rule's macro references.
    pub(super) fn of(ruleset: &'r Ruleset) -> MacroReach<'r> {
        let mut reach = MacroReach {
            sources: vec![Vec::new(); ruleset.macros.len()],
            strict: vec![Vec::new(); ruleset.macros.len()],
            by_rule: Vec::with_capacity(ruleset.rules.len()),
        };
        for rule in &ruleset.rules {
            let reached = if rule.unknown_source {
                Vec::new()
            } else {
                reachable_macros(ruleset, &rule.condition)
            };
            for &id in &reached {
                add_source(&mut reach.sources[id], &rule.source);
                if !rule.skip_if_unknown_filter {
                    add_source(&mut reach.strict[id], &rule.source);
                }
            }
            reach.by_rule.push(reached);
        }
        reach
    }

    /// Every (macro, source) pair to check, macros in order, sources sorted.
    pub(super) fn pairs(&self) -> Vec<(MacroId, &'r str)> {
        let mut pairs = Vec::new();
        for (id, sources) in self.sources.iter().enumerate() {
            let mut sources = sources.clone();
            sources.sort_unstable();
            pairs.extend(sources.into_iter().map(|source| (id, source)));
        }
        pairs
    }

    /// Whether a rule of `source` that does not skip unknown fields reaches
    /// macro `id`.
    pub(super) fn strict(&self, id: MacroId, source: &str) -> bool {
        self.strict[id].contains(&source)
    }

    /// The macros rule `index` reaches.
    pub(super) fn by_rule(&self, index: usize) -> &[MacroId] {
        &self.by_rule[index]
    }
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

/// Every macro a rule's condition reaches, with the span (in the rule's condition)
/// of the macro reference it is reached through. Falco reports warnings per rule
/// on the expanded condition, so a warning inside a macro belongs to each rule
/// that uses it.
pub(super) fn macro_entries(ruleset: &Ruleset, condition: &Condition) -> Vec<(MacroId, Span)> {
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

/// Adds `source` to the set `sources`, unless it is there.
fn add_source<'a>(sources: &mut Vec<&'a str>, source: &'a str) {
    if !sources.contains(&source) {
        sources.push(source);
    }
}
