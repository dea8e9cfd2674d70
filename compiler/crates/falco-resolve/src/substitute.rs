//! List substitution, as Falco does it: as text, before the condition is parsed.
//!
//! Falco replaces a list's name wherever it stands between delimiters (blanks,
//! `(`, `)`, `,`, `=`) with the list's items joined by `", "`, eating the blanks
//! around the name; an empty list also eats one neighbouring comma. Lists are
//! substituted one after another in definition order. We do the same on a
//! `MappedText`, so each substituted item maps to its entry in the list's
//! definition and the separators map to the list reference.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;

use falco_span::{MappedText, Span};

use crate::exceptions::push_value;
use crate::model::{List, ListId, ListUse};

/// Looks lists up by name.
pub(crate) struct ListIndex<'a> {
    lists: &'a [List],
    by_name: FxHashMap<&'a str, ListId>,
    /// Lists whose names contain a delimiter: they are never one word, but
    /// Falco's substring search still substitutes them.
    odd_names: Vec<ListId>,
}

impl<'a> ListIndex<'a> {
    /// Indexes `lists` by name.
    pub(crate) fn new(lists: &'a [List]) -> ListIndex<'a> {
        ListIndex {
            lists,
            by_name: lists
                .iter()
                .enumerate()
                .map(|(id, list)| (list.name.as_str(), id))
                .collect(),
            odd_names: lists
                .iter()
                .enumerate()
                .filter(|(_, list)| list.name.bytes().any(is_delimiter))
                .map(|(id, _)| id)
                .collect(),
        }
    }

    /// The id of the list named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<ListId> {
        self.by_name.get(name).copied()
    }

    /// Every list name.
    pub(crate) fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.lists.iter().map(|list| list.name.as_str())
    }
}

fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_delimiter(byte: u8) -> bool {
    is_blank(byte) || matches!(byte, b'(' | b')' | b',' | b'=')
}

/// The delimiter-bounded words of `text`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|ch: char| ch.is_ascii() && is_delimiter(ch as u8))
        .filter(|word| !word.is_empty())
}

/// Substitutes every list into `text`. Returns the new text, the list uses, and
/// the lists whose names and entries the result depends on (in id order).
pub(crate) fn substitute(
    text: &MappedText,
    index: &ListIndex<'_>,
) -> (MappedText, Vec<ListUse>, Vec<ListId>) {
    let mut candidates: BTreeSet<ListId> = words(&text.text)
        .filter_map(|word| index.get(word))
        .collect();
    candidates.extend(
        index
            .odd_names
            .iter()
            .copied()
            .filter(|id| text.text.contains(index.lists[*id].name.as_str())),
    );
    if candidates.is_empty() {
        return (text.clone(), Vec::new(), Vec::new());
    }
    // A substituted item may name a list that comes later in definition order,
    // which Falco's later pass would then substitute too.
    let mut pending: Vec<ListId> = candidates.iter().copied().collect();
    while let Some(id) = pending.pop() {
        for entry in &index.lists[id].items {
            for word in words(&entry.value) {
                if let Some(inner) = index.get(word).filter(|inner| *inner > id)
                    && candidates.insert(inner)
                {
                    pending.push(inner);
                }
            }
        }
    }
    let mut current = text.clone();
    let mut uses = Vec::new();
    for &id in &candidates {
        substitute_one(&mut current, id, &index.lists[id], &mut uses);
    }
    (current, uses, candidates.into_iter().collect())
}

/// One pass of Falco's `resolve_list` for one list.
fn substitute_one(current: &mut MappedText, id: ListId, list: &List, uses: &mut Vec<ListUse>) {
    let name = list.name.as_str();
    if name.is_empty() {
        return;
    }
    let mut search_from = 0usize;
    while let Some(found) = current
        .text
        .get(search_from..)
        .and_then(|rest| rest.find(name))
    {
        let start = search_from + found;
        let end = start + name.len();
        let bytes = current.text.as_bytes();
        let bounded_left = start == 0 || is_delimiter(bytes[start - 1]);
        let bounded_right = end >= bytes.len() || is_delimiter(bytes[end]);
        if !(bounded_left && bounded_right) {
            search_from = start + 1;
            continue;
        }
        let name_span = current
            .to_file(Span::new(start as u32, end as u32))
            .unwrap_or_default();
        uses.push(ListUse {
            list: id,
            span: name_span,
        });
        let mut cut_start = start;
        while cut_start > 0 && is_blank(bytes[cut_start - 1]) {
            cut_start -= 1;
        }
        let mut cut_end = end;
        while cut_end < bytes.len() && is_blank(bytes[cut_end]) {
            cut_end += 1;
        }
        if list.items.is_empty() {
            if cut_start > 0 && bytes[cut_start - 1] == b',' {
                cut_start -= 1;
            } else if cut_end < bytes.len() && bytes[cut_end] == b',' {
                cut_end += 1;
            }
        }
        let mut replacement = MappedText::new();
        if cut_start > 0 {
            replacement.push_collapsed(" ", name_span);
        }
        for (i, entry) in list.items.iter().enumerate() {
            if i > 0 {
                replacement.push_collapsed(", ", name_span);
            }
            push_value(&mut replacement, entry);
        }
        let substituted = replacement.text.len() - usize::from(cut_start > 0);
        replacement.push_collapsed(" ", name_span);
        current.splice(Span::new(cut_start as u32, cut_end as u32), &replacement);
        search_from = cut_start + substituted + 2;
    }
}
