//! List substitutions kept between resolutions.
//!
//! Unlike a parse, a substitution's result maps into the files (into the
//! condition and into the list definitions), so it depends on positions, not
//! only on texts. It is reused only for a condition whose text and map equal
//! those it was made from, while every list it substituted still has the same
//! name and entries (spans included) and every list keeps its name. After an
//! edit of a file, [`SubstitutionMemo::edited`] moves every kept position behind
//! the edit by the change in length, and forgets whatever touches the edited
//! bytes. Substitution only copies, compares and offsets positions within one
//! side of an edit, so the moved result is the substitution of the moved input.

use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use falco_loader::ListEntry;
use falco_span::{FileEdit, MappedText, TextMap};

use crate::model::{List, ListId, ListUse};

/// A substitution's result: the expanded text and the list uses.
pub(crate) type Substituted = (MappedText, Vec<ListUse>);

/// Substitutions by the text substituted into, with the lists they used.
#[derive(Debug, Default)]
pub(crate) struct SubstitutionMemo {
    /// By input text; several inputs may share a text but not a map.
    entries: FxHashMap<String, Vec<Substitution>>,
    /// The name of every list, by id, when the entries were made.
    names: Vec<String>,
    /// The entries of every list, by id, as the kept substitutions saw them;
    /// `None` once an edit touched one of them.
    lists: Vec<Option<Vec<ListEntry>>>,
    /// Whether each list is unchanged in the current resolution.
    same: Vec<bool>,
}

#[derive(Debug)]
struct Substitution {
    /// The input's map (its text is the key).
    input: TextMap,
    /// The lists substituted (all the result depends on besides the names).
    lists: Vec<ListId>,
    result: Substituted,
    /// Whether the current resolution used it.
    used: AtomicBool,
}

impl SubstitutionMemo {
    /// Starts a resolution with `lists`: forgets every substitution if a list
    /// was added, removed or renamed (and then returns true), and notes which
    /// lists did not change.
    pub(crate) fn begin(&mut self, lists: &[List]) -> bool {
        let renamed = self.names.len() != lists.len()
            || self
                .names
                .iter()
                .zip(lists)
                .any(|(old, new)| *old != new.name);
        if renamed {
            self.entries.clear();
            self.names = lists.iter().map(|list| list.name.clone()).collect();
            self.lists = vec![None; lists.len()];
        }
        self.same = self
            .lists
            .iter_mut()
            .zip(lists)
            .map(|(kept, list)| {
                let same = kept.as_ref() == Some(&list.items);
                if !same {
                    *kept = Some(list.items.clone());
                }
                same
            })
            .collect();
        renamed
    }

    /// The kept substitution into `text`, if it still holds.
    pub(crate) fn get(&self, text: &MappedText) -> Option<Substituted> {
        let found = self.entries.get(&text.text)?.iter().find(|entry| {
            entry.input == text.map
                && entry
                    .lists
                    .iter()
                    .all(|&id| self.same.get(id) == Some(&true))
        })?;
        found.used.store(true, Ordering::Relaxed);
        Some(found.result.clone())
    }

    /// Keeps the substitution of `lists` into `text`.
    pub(crate) fn insert(&mut self, text: &MappedText, lists: Vec<ListId>, result: Substituted) {
        self.entries
            .entry(text.text.clone())
            .or_default()
            .push(Substitution {
                input: text.map.clone(),
                lists,
                result,
                used: AtomicBool::new(true),
            });
    }

    /// Ends a resolution: forgets the substitutions it did not use.
    pub(crate) fn sweep(&mut self) {
        self.entries.retain(|_, entries| {
            entries.retain(|entry| entry.used.swap(false, Ordering::Relaxed));
            !entries.is_empty()
        });
    }

    /// Follows `edit` of a file: moves the kept positions behind it and forgets
    /// the substitutions and list entries that touch it.
    pub(crate) fn edited(&mut self, edit: &FileEdit) {
        for kept in &mut self.lists {
            let moved = kept.as_mut().is_some_and(|entries| {
                entries.iter_mut().all(|entry| match edit.map(entry.span) {
                    Some(span) => {
                        entry.span = span;
                        true
                    }
                    None => false,
                })
            });
            if !moved {
                *kept = None;
            }
        }
        self.entries.retain(|_, entries| {
            entries.retain_mut(|entry| entry.edited(edit));
            !entries.is_empty()
        });
    }

    /// Forgets everything (the files were renumbered).
    pub(crate) fn clear(&mut self) {
        *self = SubstitutionMemo::default();
    }
}

impl Substitution {
    /// Moves every position by `edit`; false if one touches the edited bytes.
    fn edited(&mut self, edit: &FileEdit) -> bool {
        let (output, uses) = &mut self.result;
        self.input.edited(edit)
            && output.map.edited(edit)
            && uses
                .iter_mut()
                .all(|list_use| match edit.map(list_use.span) {
                    Some(span) => {
                        list_use.span = span;
                        true
                    }
                    None => false,
                })
    }
}
