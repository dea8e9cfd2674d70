//! `falco-rulec diff`: what changed between two versions of a ruleset, item by item,
//! whether each changed rule now matches more or fewer events, and the version class
//! the changes call for (`class.rs`, with the meaning of falcosecurity/rules'
//! `rules-check compare`).
//!
//! [`diff`] compares two analyses; the CLI (`cli/diff.rs`) loads the sides and
//! renders the result as text, JSON or Markdown.

mod class;
mod facts;
mod shape;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use falco_loader::Version;
use falco_typeck::EventTypeSet;

pub use class::{Class, Kind};
pub use shape::{Effect, Shape};

use facts::{ListFacts, MacroFacts, RuleFacts, Side};
use falco_analysis::Analysis;

/// What changed between two rulesets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Changes to `required_engine_version` and `required_plugin_versions`.
    pub ruleset: Vec<Change>,
    /// Rules added, removed, renamed or changed, by name.
    pub rules: Vec<ItemDiff>,
    /// Macros added, removed or changed, by name.
    pub macros: Vec<ItemDiff>,
    /// Lists added, removed or changed, by name.
    pub lists: Vec<ItemDiff>,
}

/// One change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// What kind of change (its class follows).
    pub kind: Kind,
    /// What changed, for people.
    pub message: String,
}

impl Change {
    fn new(kind: Kind, message: impl Into<String>) -> Change {
        Change {
            kind,
            message: message.into(),
        }
    }
}

/// How an item changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Only the new side has it.
    Added,
    /// Only the old side has it.
    Removed,
    /// A rule the old side had under this other name (same condition and output).
    Renamed {
        /// The old name.
        from: String,
    },
    /// Both sides have it, and something about it changed.
    Changed,
}

/// A rule, macro or list that changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemDiff {
    /// Its name (the new name of a renamed rule).
    pub name: String,
    /// How it changed.
    pub status: Status,
    /// Its changes.
    pub changes: Vec<Change>,
    /// For a changed rule: whether it matches more or fewer events.
    pub effect: Option<Effect>,
    /// For a changed rule: the changed macros it uses (directly or not).
    pub via_macros: Vec<String>,
    /// For a changed rule: the changed lists it uses (directly or not).
    pub via_lists: Vec<String>,
    /// For a macro or list: the rules that use it (directly or not), on the new
    /// side (the old one for a removed item).
    pub used_by: Vec<String>,
}

impl ItemDiff {
    /// A changed item with nothing recorded yet.
    fn new(name: &str) -> ItemDiff {
        ItemDiff {
            name: name.to_owned(),
            status: Status::Changed,
            changes: Vec::new(),
            effect: None,
            via_macros: Vec::new(),
            via_lists: Vec::new(),
            used_by: Vec::new(),
        }
    }

    /// The class its changes call for.
    pub fn class(&self) -> Option<Class> {
        self.changes.iter().map(|change| change.kind.class()).max()
    }
}

impl Diff {
    /// Every change, with the item it belongs to.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.ruleset.iter().chain(
            [&self.rules, &self.macros, &self.lists]
                .into_iter()
                .flatten()
                .flat_map(|item| &item.changes),
        )
    }

    /// The class of the whole diff: the highest of its changes; `None` without any.
    pub fn class(&self) -> Option<Class> {
        self.changes().map(|change| change.kind.class()).max()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes().next().is_none()
    }
}

/// Compares two analysed rulesets.
pub fn diff(old: &Analysis, new: &Analysis) -> Diff {
    let old = Side::of(old);
    let new = Side::of(new);
    let lists = lists(&old, &new);
    let macros = macros(&old, &new);
    // Rules that use a macro or list that changed (not one added or removed: using
    // those is a change of the rule's own condition).
    let changed = |items: &[ItemDiff]| -> BTreeSet<String> {
        items
            .iter()
            .filter(|item| item.status == Status::Changed)
            .map(|item| item.name.clone())
            .collect()
    };
    let (changed_macros, changed_lists) = (changed(&macros), changed(&lists));
    let rules = rules(&old, &new, &changed_macros, &changed_lists);
    Diff {
        ruleset: ruleset_changes(&old, &new),
        rules,
        macros: with_users(macros, &old, &new, |facts, name| {
            facts.macros.contains(name)
        }),
        lists: with_users(lists, &old, &new, |facts, name| facts.lists.contains(name)),
    }
}

/// Fills in the rules that use each changed macro or list.
fn with_users(
    mut items: Vec<ItemDiff>,
    old: &Side<'_>,
    new: &Side<'_>,
    uses: impl Fn(&RuleFacts<'_>, &str) -> bool,
) -> Vec<ItemDiff> {
    for item in &mut items {
        let side = if item.status == Status::Removed {
            old
        } else {
            new
        };
        item.used_by = side
            .rules
            .iter()
            .filter(|(_, facts)| uses(facts, &item.name))
            .map(|(name, _)| (*name).to_owned())
            .collect();
    }
    items
}

fn rules(
    old: &Side<'_>,
    new: &Side<'_>,
    changed_macros: &BTreeSet<String>,
    changed_lists: &BTreeSet<String>,
) -> Vec<ItemDiff> {
    let mut out = Vec::new();
    let mut removed: Vec<&RuleFacts<'_>> = Vec::new();
    let mut added: Vec<&RuleFacts<'_>> = Vec::new();
    for (name, facts) in &old.rules {
        if !new.rules.contains_key(name) {
            removed.push(facts);
        }
    }
    for (name, facts) in &new.rules {
        match old.rules.get(name) {
            None => added.push(facts),
            Some(before) => {
                if let Some(item) = rule_changes(before, facts, changed_macros, changed_lists) {
                    out.push(item);
                }
            }
        }
    }
    // A removed rule whose condition and output an added one has was renamed.
    for gone in removed {
        let twin = added.iter().position(|facts| {
            facts.shape == gone.shape && facts.rule.output.text == gone.rule.output.text
        });
        match twin {
            Some(at) => {
                let renamed = added.remove(at);
                let (from, to) = (&gone.rule.name, &renamed.rule.name);
                out.push(ItemDiff {
                    status: Status::Renamed { from: from.clone() },
                    changes: vec![Change::new(
                        Kind::RuleRenamed,
                        format!("rule `{from}` was renamed to `{to}`"),
                    )],
                    ..ItemDiff::new(to)
                });
            }
            None => out.push(bare(
                &gone.rule.name,
                Status::Removed,
                Kind::RuleRemoved,
                "rule",
            )),
        }
    }
    out.extend(
        added
            .into_iter()
            .map(|facts| bare(&facts.rule.name, Status::Added, Kind::RuleAdded, "rule")),
    );
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// An item that was only added or removed.
fn bare(name: &str, status: Status, kind: Kind, what: &str) -> ItemDiff {
    let verb = if status == Status::Added {
        "added"
    } else {
        "removed"
    };
    ItemDiff {
        status,
        changes: vec![Change::new(kind, format!("{what} `{name}` was {verb}"))],
        ..ItemDiff::new(name)
    }
}

fn rule_changes(
    old: &RuleFacts<'_>,
    new: &RuleFacts<'_>,
    changed_macros: &BTreeSet<String>,
    changed_lists: &BTreeSet<String>,
) -> Option<ItemDiff> {
    let (a, b) = (old.rule, new.rule);
    let mut changes = Vec::new();
    let mut push = |kind: Kind, message: String| changes.push(Change::new(kind, message));
    match (a.enabled, b.enabled) {
        (false, true) => push(Kind::RuleEnabled, "enabled by default".into()),
        (true, false) => push(Kind::RuleDisabled, "disabled by default".into()),
        _ => {}
    }
    if a.source != b.source {
        push(
            Kind::SourceChanged,
            format!("source `{}` -> `{}`", a.source, b.source),
        );
    }
    if a.priority != b.priority {
        let (kind, how) = if b.priority < a.priority {
            (Kind::PriorityRaised, "more urgent")
        } else {
            (Kind::PriorityLowered, "less urgent")
        };
        push(
            kind,
            format!(
                "priority {} -> {} ({how})",
                a.priority.name(),
                b.priority.name()
            ),
        );
    }
    let (tags_added, tags_removed) = set_changes(&a.tags, &b.tags);
    if !tags_added.is_empty() {
        push(
            Kind::TagsAdded,
            format!("tags added: {}", tags_added.join(", ")),
        );
    }
    if !tags_removed.is_empty() {
        push(
            Kind::TagsRemoved,
            format!("tags removed: {}", tags_removed.join(", ")),
        );
    }
    if !covers(&new.event_types, &old.event_types) {
        push(
            Kind::EventTypesNarrowed,
            format!(
                "event types narrowed: {} -> {}",
                types_text(&old.event_types),
                types_text(&new.event_types)
            ),
        );
    }
    if !covers(&old.event_types, &new.event_types) {
        push(
            Kind::EventTypesWidened,
            format!(
                "event types widened: {} -> {}",
                types_text(&old.event_types),
                types_text(&new.event_types)
            ),
        );
    }
    if old.own != new.own {
        push(Kind::ConditionChanged, "condition changed".into());
    }
    let via_macros: Vec<String> = new
        .macros
        .iter()
        .filter(|name| changed_macros.contains(**name))
        .map(|name| (*name).to_owned())
        .collect();
    let via_lists: Vec<String> = new
        .lists
        .iter()
        .filter(|name| changed_lists.contains(**name))
        .map(|name| (*name).to_owned())
        .collect();
    let via: Vec<String> = via_macros
        .iter()
        .map(|name| format!("macro `{name}`"))
        .chain(via_lists.iter().map(|name| format!("list `{name}`")))
        .collect();
    if !via.is_empty() {
        push(
            Kind::ReachedChanged,
            format!("uses changed {}", via.join(", ")),
        );
    }
    exception_changes(old, new, &mut push);
    let (fields_added, fields_removed) = set_changes(&old.fields, &new.fields);
    if !fields_added.is_empty() || !fields_removed.is_empty() {
        push(
            Kind::FieldsChanged,
            added_removed("fields", &fields_added, &fields_removed),
        );
    }
    if a.output.text.trim() != b.output.text.trim() {
        push(Kind::OutputChanged, "output changed".into());
    }
    let (out_added, out_removed) = set_changes(&old.output_fields, &new.output_fields);
    if !out_added.is_empty() || !out_removed.is_empty() {
        push(
            Kind::OutputFieldsChanged,
            added_removed("output fields", &out_added, &out_removed),
        );
    }
    if a.desc.trim() != b.desc.trim() {
        push(Kind::DescChanged, "description changed".into());
    }
    let options = [
        ("capture", a.capture != b.capture),
        ("capture_duration", a.capture_duration != b.capture_duration),
        ("warn_evttypes", a.warn_evttypes != b.warn_evttypes),
        (
            "skip-if-unknown-filter",
            a.skip_if_unknown_filter != b.skip_if_unknown_filter,
        ),
    ];
    for (option, changed) in options {
        if changed {
            push(Kind::OptionChanged, format!("`{option}` changed"));
        }
    }
    if changes.is_empty() {
        return None;
    }
    let effect = if a.enabled != b.enabled || a.source != b.source {
        Effect::Changed
    } else {
        shape::compare(&old.shape, &new.shape)
    };
    Some(ItemDiff {
        changes,
        effect: Some(effect),
        via_macros,
        via_lists,
        ..ItemDiff::new(&b.name)
    })
}

fn exception_changes(
    old: &RuleFacts<'_>,
    new: &RuleFacts<'_>,
    push: &mut impl FnMut(Kind, String),
) {
    let names = |facts: &RuleFacts<'_>| -> Vec<String> {
        facts
            .exceptions
            .keys()
            .map(|name| (*name).to_owned())
            .collect()
    };
    let (added, removed) = set_changes(&names(old), &names(new));
    if !added.is_empty() {
        push(
            Kind::ExceptionsAdded,
            format!("exceptions added: {}", added.join(", ")),
        );
    }
    if !removed.is_empty() {
        push(
            Kind::ExceptionsRemoved,
            format!("exceptions removed: {}", removed.join(", ")),
        );
    }
    for (name, before) in &old.exceptions {
        if new
            .exceptions
            .get(name)
            .is_some_and(|after| after != before)
        {
            push(
                Kind::ExceptionValuesChanged,
                format!("exception `{name}` changed"),
            );
        }
    }
}

fn macros(old: &Side<'_>, new: &Side<'_>) -> Vec<ItemDiff> {
    let mut out = Vec::new();
    for (name, facts) in &old.macros {
        if !new.macros.contains_key(name) {
            out.push(bare(name, Status::Removed, Kind::MacroRemoved, "macro"));
        } else if let Some(item) = macro_changes(facts, &new.macros[name]) {
            out.push(item);
        }
    }
    for name in new
        .macros
        .keys()
        .filter(|name| !old.macros.contains_key(*name))
    {
        out.push(bare(name, Status::Added, Kind::MacroAdded, "macro"));
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn macro_changes(old: &MacroFacts<'_>, new: &MacroFacts<'_>) -> Option<ItemDiff> {
    let mut changes = Vec::new();
    if old.own != new.own {
        changes.push(Change::new(
            Kind::MacroConditionChanged,
            "condition changed",
        ));
    }
    if let (Some(before), Some(after)) = (&old.event_types, &new.event_types)
        && before != after
    {
        changes.push(Change::new(
            Kind::MacroEventTypesChanged,
            format!(
                "event types {} -> {}",
                types_text(before),
                types_text(after)
            ),
        ));
    }
    (!changes.is_empty()).then(|| ItemDiff {
        changes,
        ..ItemDiff::new(&new.item.name)
    })
}

fn lists(old: &Side<'_>, new: &Side<'_>) -> Vec<ItemDiff> {
    let mut out = Vec::new();
    for (name, facts) in &old.lists {
        match new.lists.get(name) {
            None => out.push(bare(name, Status::Removed, Kind::ListRemoved, "list")),
            Some(after) => out.extend(list_changes(facts, after)),
        }
    }
    for name in new
        .lists
        .keys()
        .filter(|name| !old.lists.contains_key(*name))
    {
        out.push(bare(name, Status::Added, Kind::ListAdded, "list"));
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn list_changes(old: &ListFacts<'_>, new: &ListFacts<'_>) -> Option<ItemDiff> {
    let added: Vec<&str> = new.items.difference(&old.items).copied().collect();
    let removed: Vec<&str> = old.items.difference(&new.items).copied().collect();
    if added.is_empty() && removed.is_empty() {
        return None;
    }
    Some(ItemDiff {
        changes: vec![Change::new(
            Kind::ListItemsChanged,
            added_removed("items", &added, &removed),
        )],
        ..ItemDiff::new(&new.item.name)
    })
}

fn ruleset_changes(old: &Side<'_>, new: &Side<'_>) -> Vec<Change> {
    let mut out = Vec::new();
    let version = |side: &Side<'_>| side.ruleset.required_engine_version;
    match (version(old), version(new)) {
        (Some(a), Some(b)) if b > a => out.push(Change::new(
            Kind::EngineVersionIncremented,
            format!("required_engine_version {a} -> {b}"),
        )),
        (None, Some(b)) => out.push(Change::new(
            Kind::EngineVersionIncremented,
            format!("required_engine_version {b} is required now"),
        )),
        (Some(a), Some(b)) if b < a => out.push(Change::new(
            Kind::EngineVersionDecremented,
            format!("required_engine_version {a} -> {b}"),
        )),
        (Some(a), None) => out.push(Change::new(
            Kind::EngineVersionDecremented,
            format!("required_engine_version {a} is no longer required"),
        )),
        _ => {}
    }
    plugin_changes(&plugins(old), &plugins(new), &mut out);
    out
}

/// Each plugin requirement: the versions of the plugin and of its alternatives, by
/// name.
fn plugins(side: &Side<'_>) -> Vec<BTreeMap<String, Version>> {
    side.ruleset
        .plugin_requirements
        .iter()
        .map(|requirement| {
            std::iter::once((requirement.name.value.clone(), requirement.version.value))
                .chain(
                    requirement.alternatives.iter().map(|alternative| {
                        (alternative.name.value.clone(), alternative.version.value)
                    }),
                )
                .collect()
        })
        .collect()
}

/// `rules-check compare`'s plugin rules: a requirement is found by any of its
/// names; losing a whole requirement is a patch change, losing an alternative of
/// one that stays is major; a new requirement is minor, a new alternative a patch;
/// a version going up is minor, going down a patch.
fn plugin_changes(
    old: &[BTreeMap<String, Version>],
    new: &[BTreeMap<String, Version>],
    out: &mut Vec<Change>,
) {
    let find = |requirements: &[BTreeMap<String, Version>], name: &str| {
        requirements
            .iter()
            .position(|requirement| requirement.contains_key(name))
    };
    for requirement in old {
        let missing: Vec<&String> = requirement
            .keys()
            .filter(|name| find(new, name).is_none())
            .collect();
        if missing.len() == requirement.len() {
            for name in missing {
                out.push(Change::new(
                    Kind::PluginRemoved,
                    format!("plugin `{name}` is no longer required"),
                ));
            }
        } else if requirement.len() > 1 {
            for name in missing {
                out.push(Change::new(
                    Kind::AlternativeRemoved,
                    format!("plugin alternative `{name}` was removed"),
                ));
            }
        }
        for (name, version) in requirement {
            let Some(after) = find(new, name).and_then(|at| new[at].get(name)) else {
                continue;
            };
            if after > version {
                out.push(Change::new(
                    Kind::PluginIncremented,
                    format!("plugin `{name}` {version} -> {after}"),
                ));
            } else if after < version {
                out.push(Change::new(
                    Kind::PluginDecremented,
                    format!("plugin `{name}` {version} -> {after}"),
                ));
            }
        }
    }
    for requirement in new {
        let before = requirement.keys().find_map(|name| find(old, name));
        match before {
            None => {
                let names: Vec<&str> = requirement.keys().map(String::as_str).collect();
                out.push(Change::new(
                    Kind::PluginAdded,
                    format!("plugin `{}` is required now", names.join("` or `")),
                ));
            }
            Some(at) => {
                for name in requirement
                    .keys()
                    .filter(|name| !old[at].contains_key(*name))
                {
                    out.push(Change::new(
                        Kind::AlternativeAdded,
                        format!("plugin alternative `{name}` was added"),
                    ));
                }
            }
        }
    }
}

/// Whether every event type `b` matches, `a` matches too.
fn covers(a: &EventTypeSet, b: &EventTypeSet) -> bool {
    match (a, b) {
        (EventTypeSet::All, _) | (_, EventTypeSet::None) => true,
        (EventTypeSet::None, _) | (EventTypeSet::Only(_), EventTypeSet::All) => false,
        (EventTypeSet::Only(a), EventTypeSet::Only(b)) => b.is_subset(a),
        (EventTypeSet::AllExcept(a), EventTypeSet::Only(b)) => a.is_disjoint(b),
        (EventTypeSet::AllExcept(a), EventTypeSet::AllExcept(b)) => a.is_subset(b),
        (EventTypeSet::AllExcept(_), EventTypeSet::All)
        | (EventTypeSet::Only(_), EventTypeSet::AllExcept(_)) => false,
    }
}

fn types_text(types: &EventTypeSet) -> String {
    match types {
        EventTypeSet::None => "none".to_owned(),
        EventTypeSet::All => "all".to_owned(),
        EventTypeSet::Only(names) => format!("({})", join(names)),
        EventTypeSet::AllExcept(names) => format!("all but ({})", join(names)),
    }
}

fn join<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|item| item.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `new` has that `old` lacks, and the other way round, sorted.
fn set_changes<T: Ord + AsRef<str>>(
    old: impl IntoIterator<Item = T>,
    new: impl IntoIterator<Item = T>,
) -> (Vec<String>, Vec<String>) {
    let old: BTreeSet<String> = old
        .into_iter()
        .map(|item| item.as_ref().to_owned())
        .collect();
    let new: BTreeSet<String> = new
        .into_iter()
        .map(|item| item.as_ref().to_owned())
        .collect();
    (
        new.difference(&old).cloned().collect(),
        old.difference(&new).cloned().collect(),
    )
}

fn added_removed<S: AsRef<str>>(what: &str, added: &[S], removed: &[S]) -> String {
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("{what} added: {}", join(added)));
    }
    if !removed.is_empty() {
        parts.push(format!("{what} removed: {}", join(removed)));
    }
    parts.join("; ")
}
