//! Lists: earlier lists spliced into later ones, as Falco's compiler does.

use rustc_hash::FxHashMap;

use crate::collect::CollectedList;
use crate::model::{List, ListUse};

/// Builds the resolved lists. An entry that names a list defined before this list
/// (by definition index) is replaced by that list's entries (one level, as Falco
/// does); any other entry stays a literal string.
pub(crate) fn build_lists(collected: &[CollectedList]) -> Vec<List> {
    let by_name: FxHashMap<&str, usize> = collected
        .iter()
        .enumerate()
        .map(|(id, list)| (list.name.as_str(), id))
        .collect();
    let mut lists: Vec<List> = collected
        .iter()
        .map(|list| List {
            name: list.name.clone(),
            origin: list.origin.clone(),
            items: Vec::with_capacity(list.items.len()),
            list_uses: Vec::new(),
            used: false,
        })
        .collect();
    let mut used = Vec::new();
    for (id, list) in collected.iter().enumerate() {
        for entry in &list.items {
            match by_name.get(entry.value.as_str()) {
                Some(&inner) if collected[inner].index < list.visibility => {
                    used.push(inner);
                    lists[id].list_uses.push(ListUse {
                        list: inner,
                        span: entry.span,
                    });
                    lists[id]
                        .items
                        .extend(collected[inner].items.iter().cloned());
                }
                _ => lists[id].items.push(entry.clone()),
            }
        }
    }
    for id in used {
        lists[id].used = true;
    }
    lists
}
