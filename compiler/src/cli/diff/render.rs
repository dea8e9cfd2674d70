//! The three renderings of a diff: text for a terminal, the JSON contract
//! (version 1), and Markdown for a pull-request comment (its `**Major** changes:`
//! blocks read like `rules-check compare`'s).

use serde::Serialize;

use crate::diff::{Change, Class, Diff, ItemDiff, Status};

/// Text for a terminal: the class, then each changed item with its changes.
pub fn human(diff: &Diff) -> String {
    let mut out = String::new();
    if diff.is_empty() {
        out.push_str("no changes\n");
        return out;
    }
    out.push_str(&format!("{}\n", headline(diff)));
    if !diff.ruleset.is_empty() {
        out.push_str("\nruleset\n");
        for change in &diff.ruleset {
            out.push_str(&format!(
                "  {} [{}]\n",
                change.message,
                change.kind.class().as_str()
            ));
        }
    }
    for (title, items) in [
        ("rules", &diff.rules),
        ("macros", &diff.macros),
        ("lists", &diff.lists),
    ] {
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title}\n"));
        for item in items {
            out.push_str(&format!("  {}\n", item_line(item)));
            if item.status == Status::Changed {
                for change in &item.changes {
                    out.push_str(&format!(
                        "      {} [{}]\n",
                        change.message,
                        change.kind.class().as_str()
                    ));
                }
            }
        }
    }
    out
}

/// `2 major, 1 minor, 3 patch changes: major`.
fn headline(diff: &Diff) -> String {
    let counts: Vec<String> = [Class::Major, Class::Minor, Class::Patch]
        .into_iter()
        .map(|class| format!("{} {}", count(diff, class), class.as_str()))
        .collect();
    let class = diff.class().map_or("none", Class::as_str);
    format!("{} changes: {class}", counts.join(", "))
}

fn count(diff: &Diff, class: Class) -> usize {
    diff.changes()
        .filter(|change| change.kind.class() == class)
        .count()
}

/// One line about an item: what happened to it, and who it reaches.
fn item_line(item: &ItemDiff) -> String {
    let class = item.class().map_or("", Class::as_str);
    let mut line = match &item.status {
        Status::Added => format!("added    `{}` [{class}]", item.name),
        Status::Removed => format!("removed  `{}` [{class}]", item.name),
        Status::Renamed { from } => format!("renamed  `{from}` -> `{}` [{class}]", item.name),
        Status::Changed => format!("changed  `{}`", item.name),
    };
    if let Some(effect) = item.effect {
        line.push_str(&format!(" (matches {} events)", effect_words(effect)));
    }
    if !item.used_by.is_empty() && item.status != Status::Added {
        line.push_str(&format!(
            " (used by {} rule{}: {})",
            item.used_by.len(),
            if item.used_by.len() == 1 { "" } else { "s" },
            item.used_by.join(", ")
        ));
    }
    line
}

fn effect_words(effect: crate::diff::Effect) -> &'static str {
    match effect {
        crate::diff::Effect::Same => "the same",
        crate::diff::Effect::More => "more",
        crate::diff::Effect::Fewer => "fewer",
        crate::diff::Effect::Changed => "other",
    }
}

/// Markdown for a pull-request comment.
pub fn markdown(diff: &Diff) -> String {
    let mut out = String::new();
    if diff.is_empty() {
        out.push_str("No changes detected\n");
        return out;
    }
    out.push_str(&format!(
        "**Suggested version bump: {}** ({})\n\n",
        diff.class().map_or("none", Class::as_str),
        headline(diff)
    ));
    for class in [Class::Major, Class::Minor, Class::Patch] {
        let lines = bullets(diff, class);
        if lines.is_empty() {
            continue;
        }
        let title = match class {
            Class::Major => "Major",
            Class::Minor => "Minor",
            Class::Patch => "Patch",
        };
        out.push_str(&format!("**{title}** changes:\n"));
        for line in lines {
            out.push_str(&format!("* {line}\n"));
        }
        out.push('\n');
    }
    let changed: Vec<&ItemDiff> = diff
        .rules
        .iter()
        .filter(|item| item.status == Status::Changed)
        .collect();
    if !changed.is_empty() {
        out.push_str(&format!(
            "<details><summary>Changed rules ({})</summary>\n\n| rule | matches | changes |\n|---|---|---|\n",
            changed.len()
        ));
        for item in changed {
            let effect = item.effect.map_or("", |effect| effect_words(effect));
            let changes: Vec<String> = item
                .changes
                .iter()
                .map(|change| escape(&change.message))
                .collect();
            out.push_str(&format!(
                "| `{}` | {effect} events | {} |\n",
                escape(&item.name),
                changes.join("<br>")
            ));
        }
        out.push_str("\n</details>\n");
    }
    out
}

/// The bullets of one class: each change with the item it belongs to.
fn bullets(diff: &Diff, class: Class) -> Vec<String> {
    let mut lines: Vec<String> = diff
        .ruleset
        .iter()
        .filter(|change| change.kind.class() == class)
        .map(|change| escape(&change.message))
        .collect();
    for (what, items) in [
        ("Rule", &diff.rules),
        ("Macro", &diff.macros),
        ("List", &diff.lists),
    ] {
        for item in items {
            for change in item
                .changes
                .iter()
                .filter(|change| change.kind.class() == class)
            {
                lines.push(match item.status {
                    Status::Changed => format!(
                        "{what} `{}`: {}",
                        escape(&item.name),
                        escape(&change.message)
                    ),
                    _ => capitalized(&escape(&change.message)),
                });
            }
        }
    }
    lines
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Text that cannot break a Markdown table or list.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The JSON contract, version 1.
pub fn json(diff: &Diff) -> String {
    let report = JsonDiff {
        version: 1,
        class: diff.class().map(Class::as_str),
        counts: JsonCounts {
            major: count(diff, Class::Major),
            minor: count(diff, Class::Minor),
            patch: count(diff, Class::Patch),
        },
        ruleset: diff.ruleset.iter().map(JsonChange::of).collect(),
        rules: diff
            .rules
            .iter()
            .map(|item| JsonItem::of(item, true))
            .collect(),
        macros: diff
            .macros
            .iter()
            .map(|item| JsonItem::of(item, false))
            .collect(),
        lists: diff
            .lists
            .iter()
            .map(|item| JsonItem::of(item, false))
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

#[derive(Serialize)]
struct JsonDiff {
    version: u32,
    class: Option<&'static str>,
    counts: JsonCounts,
    ruleset: Vec<JsonChange>,
    rules: Vec<JsonItem>,
    macros: Vec<JsonItem>,
    lists: Vec<JsonItem>,
}

#[derive(Serialize)]
struct JsonCounts {
    major: usize,
    minor: usize,
    patch: usize,
}

#[derive(Serialize)]
struct JsonChange {
    kind: &'static str,
    class: &'static str,
    message: String,
}

impl JsonChange {
    fn of(change: &Change) -> JsonChange {
        JsonChange {
            kind: change.kind.id(),
            class: change.kind.class().as_str(),
            message: change.message.clone(),
        }
    }
}

#[derive(Serialize)]
struct JsonItem {
    name: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    renamed_from: Option<String>,
    class: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    matches: Option<&'static str>,
    changes: Vec<JsonChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<JsonVia>,
    #[serde(skip_serializing_if = "Option::is_none")]
    used_by: Option<Vec<String>>,
}

#[derive(Serialize)]
struct JsonVia {
    macros: Vec<String>,
    lists: Vec<String>,
}

impl JsonItem {
    fn of(item: &ItemDiff, rule: bool) -> JsonItem {
        let (status, renamed_from) = match &item.status {
            Status::Added => ("added", None),
            Status::Removed => ("removed", None),
            Status::Renamed { from } => ("renamed", Some(from.clone())),
            Status::Changed => ("changed", None),
        };
        JsonItem {
            name: item.name.clone(),
            status,
            renamed_from,
            class: item.class().map(Class::as_str),
            matches: item.effect.map(|effect| effect.as_str()),
            changes: item.changes.iter().map(JsonChange::of).collect(),
            via: rule.then(|| JsonVia {
                macros: item.via_macros.clone(),
                lists: item.via_lists.clone(),
            }),
            used_by: (!rule).then(|| item.used_by.clone()),
        }
    }
}
