//! What re-analysis keeps between runs after loading: the parse of every
//! condition and output (in [`ParseMemo`]) and their typechecks (in
//! [`CheckMemo`]).
//!
//! Typechecking a condition depends only on its parsed text and the rule's
//! source (macros are not expanded, the schema is fixed), and its spans are
//! offsets into that text, so both memos are keyed by text: an item that moved
//! in its file reuses its results, mapped to the file by its own fresh
//! `MappedText`. Entries not used by a run are dropped after it.

use rustc_hash::FxHashMap;

use std::sync::Arc;

use falco_resolve::{ParseMemo, TextMemo};
use falco_typeck::{EventTypeSet, TypeError, TypedExpr};

/// A typechecked condition: its tree (shared with the analyses that use it) and
/// errors, spans into its expanded text.
pub(crate) type Checked = (Arc<TypedExpr>, Vec<TypeError>);

/// Everything kept between analyses after loading.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    /// Parses of conditions and outputs, by text.
    pub(crate) parses: ParseMemo,
    /// Typechecks of conditions and outputs, by source and text.
    pub(crate) checks: CheckMemo,
}

/// Typechecks by event source, then by the text checked.
#[derive(Debug, Default)]
pub(crate) struct CheckMemo {
    conditions: FxHashMap<String, TextMemo<Checked>>,
    outputs: FxHashMap<String, TextMemo<Vec<TypeError>>>,
    /// Event types of syscall rules, by condition text.
    event_types: TextMemo<EventTypes>,
    /// Conditions and outputs checked since the last sweep.
    checking: usize,
    /// Conditions and outputs the last run had to check.
    checked: usize,
}

impl CheckMemo {
    /// The check of condition text `text` under `source`.
    pub(crate) fn condition(&self, source: &str, text: &str) -> Option<&Checked> {
        self.conditions.get(source)?.get(text)
    }

    /// The errors of output text `text` under `source`.
    pub(crate) fn output(&self, source: &str, text: &str) -> Option<&Vec<TypeError>> {
        self.outputs.get(source)?.get(text)
    }

    /// Keeps the check of a condition.
    pub(crate) fn store_condition(&mut self, source: &str, text: String, checked: Checked) {
        self.checking += 1;
        memo_of(&mut self.conditions, source).insert(text, checked);
    }

    /// Keeps the errors of an output.
    pub(crate) fn store_output(&mut self, source: &str, text: String, errors: Vec<TypeError>) {
        self.checking += 1;
        memo_of(&mut self.outputs, source).insert(text, errors);
    }

    /// The event types kept for a rule with condition text `text`, if they were
    /// computed from this very `tree` and from the macro trees `lookup` gives now.
    pub(crate) fn event_types<'a>(
        &self,
        text: &str,
        tree: &Arc<TypedExpr>,
        lookup: impl Fn(&str) -> Option<&'a Arc<TypedExpr>>,
    ) -> Option<&EventTypeSet> {
        let kept = self.event_types.get(text)?;
        let same = |a: Option<&Arc<TypedExpr>>, b: Option<&Arc<TypedExpr>>| match (a, b) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        let unchanged = Arc::ptr_eq(&kept.tree, tree)
            && kept
                .macros
                .iter()
                .all(|(name, old)| same(old.as_ref(), lookup(name)));
        unchanged.then_some(&kept.set)
    }

    /// Keeps the event types of a rule with condition text `text`.
    pub(crate) fn store_event_types(&mut self, text: String, kept: EventTypes) {
        self.event_types.insert(text, kept);
    }

    /// Ends a run: forgets what it did not use.
    pub(crate) fn sweep(&mut self) {
        self.event_types.sweep();
        for memo in self.conditions.values_mut() {
            memo.sweep();
        }
        for memo in self.outputs.values_mut() {
            memo.sweep();
        }
        self.conditions.retain(|_, memo| !memo.is_empty());
        self.outputs.retain(|_, memo| !memo.is_empty());
        self.checked = std::mem::take(&mut self.checking);
    }

    /// How many conditions and outputs the last run checked afresh.
    pub(crate) fn checked(&self) -> usize {
        self.checked
    }
}

/// The event types of a rule's condition, with the typed trees they were
/// computed from: the condition's, and each macro's the analysis looked up by
/// name (`None` when there was none). Holding the trees keeps their addresses
/// from being reused, so an address match means the very same tree.
#[derive(Debug)]
pub(crate) struct EventTypes {
    pub(crate) tree: Arc<TypedExpr>,
    pub(crate) macros: LookedUp,
    pub(crate) set: EventTypeSet,
}

/// The macros an event-type analysis looked up: each name and the tree found.
pub(crate) type LookedUp = Vec<(String, Option<Arc<TypedExpr>>)>;

fn memo_of<'a, T>(
    memos: &'a mut FxHashMap<String, TextMemo<T>>,
    source: &str,
) -> &'a mut TextMemo<T> {
    memos.entry(source.to_owned()).or_default()
}

#[cfg(test)]
mod tests;
