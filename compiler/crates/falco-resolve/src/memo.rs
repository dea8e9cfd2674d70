//! Results kept between resolutions of the same workspace, for an editor that
//! resolves again after every keystroke.
//!
//! Parsing a condition or an output depends on its text alone, and the parser's
//! spans are offsets into that text, so a parse can be reused for any item whose
//! text is the same, wherever the item sits in its file: the text's own
//! `MappedText` (built afresh on every resolution) maps those spans to files.
//! Keys are whole texts, never positions, so an edit that moves an item cannot
//! make it pick up a stale result.

use rustc_hash::FxHashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use falco_condition::ParseError;
use falco_condition::ast::{Expr, Output};
use falco_span::FileEdit;

use crate::subst_memo::SubstitutionMemo;

/// Values keyed by a text, kept while they are used: each [`TextMemo::sweep`]
/// forgets those not looked up or stored since the one before. Lookups take
/// `&self`, so they may run on several threads at once.
#[derive(Debug)]
pub struct TextMemo<T> {
    entries: FxHashMap<String, Entry<T>>,
    round: u64,
}

#[derive(Debug)]
struct Entry<T> {
    value: T,
    /// The round that last used it.
    used: AtomicU64,
}

impl<T> Default for TextMemo<T> {
    fn default() -> TextMemo<T> {
        TextMemo {
            entries: FxHashMap::default(),
            round: 1,
        }
    }
}

impl<T> TextMemo<T> {
    /// The value stored for `text`, marked as used in this round.
    pub fn get(&self, text: &str) -> Option<&T> {
        let entry = self.entries.get(text)?;
        entry.used.store(self.round, Ordering::Relaxed);
        Some(&entry.value)
    }

    /// Stores the value of `text` (used in this round).
    pub fn insert(&mut self, text: String, value: T) {
        let used = AtomicU64::new(self.round);
        self.entries.insert(text, Entry { value, used });
    }

    /// Forgets the values not used since the last sweep, and starts a new round.
    pub fn sweep(&mut self) {
        let round = self.round;
        self.entries
            .retain(|_, entry| entry.used.load(Ordering::Relaxed) == round);
        self.round += 1;
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A parse: the tree and the syntax errors, with spans into the parsed text.
pub(crate) type Parse<T> = (T, Vec<ParseError>);

/// The parses of conditions (after list substitution and exceptions) and of
/// outputs, by text, kept between calls of [`resolve_memoized`](crate::resolve_memoized).
#[derive(Debug, Default)]
pub struct ParseMemo {
    pub(crate) conditions: TextMemo<Parse<Arc<Expr>>>,
    pub(crate) outputs: TextMemo<Parse<Arc<Output>>>,
    /// List substitutions into conditions, by input (text and map).
    pub(crate) substitutions: SubstitutionMemo,
    /// The list name nearest to each word of a list literal that looks like one
    /// (for W406), while the list names stay the same.
    pub(crate) near_lists: TextMemo<Option<String>>,
    /// Texts the last resolution had to parse (the others were reused).
    pub(crate) parsed: usize,
    /// Conditions the last resolution had to substitute lists into.
    pub(crate) substituted: usize,
}

impl ParseMemo {
    /// How many condition and output texts the last resolution parsed afresh.
    pub fn parsed(&self) -> usize {
        self.parsed
    }

    /// How many conditions the last resolution substituted lists into afresh.
    pub fn substituted(&self) -> usize {
        self.substituted
    }

    /// Follows `edit` of one file between two resolutions: what is kept by
    /// position (list substitutions) moves with it, or is forgotten where the
    /// edit touches it. Call it for every file edited since the last resolution;
    /// parses are kept by text alone and need nothing.
    pub fn edited(&mut self, edit: &FileEdit) {
        self.substitutions.edited(edit);
    }

    /// Forgets everything kept by position (for files numbered afresh).
    pub fn forget_positions(&mut self) {
        self.substitutions.clear();
    }
}

/// Parses `text` with `parse`, or takes the parse `memo` holds for it. The flag
/// says whether it was parsed afresh (and should be stored).
pub(crate) fn parse_with<T: Clone>(
    memo: Option<&TextMemo<Parse<T>>>,
    text: &str,
    parse: impl FnOnce(&str) -> Parse<T>,
) -> (Parse<T>, bool) {
    match memo.and_then(|memo| memo.get(text)) {
        Some(parsed) => (parsed.clone(), false),
        None => (parse(text), true),
    }
}

#[cfg(test)]
mod tests {
    use super::TextMemo;

    #[test]
    fn a_sweep_keeps_what_was_used_since_the_last_one() {
        let mut memo = TextMemo::default();
        memo.insert("a".to_owned(), 1);
        memo.insert("b".to_owned(), 2);
        memo.sweep();
        assert_eq!(memo.get("a"), Some(&1));
        memo.sweep();
        assert_eq!(memo.get("a"), Some(&1));
        assert_eq!(memo.get("b"), None);
        memo.sweep();
        memo.sweep();
        assert!(memo.is_empty());
    }
}
