//! The canonical layout, as data: the order of each item kind's keys, and the width
//! a condition may take before it is broken.

/// A condition longer than this (in columns, counting its indentation) is broken at
/// its `and`/`or` operators.
pub(crate) const WIDTH: usize = 100;

/// How deep a block collection sits below its key or `-`, and a block scalar's
/// lines below their key.
pub(crate) const INDENT: usize = 2;

/// The key that names each kind of item (in the order the loader tries them), and
/// the order of its keys. Keys not listed keep their order, after the listed ones.
const KEY_ORDER: &[(&str, &[&str])] = &[
    ("list", &["list", "items", "append", "override"]),
    ("macro", &["macro", "condition", "append", "override"]),
    (
        "rule",
        &[
            "rule",
            "desc",
            "condition",
            "enabled",
            "output",
            "priority",
            "source",
            "tags",
            "exceptions",
            "capture",
            "capture_duration",
            "warn_evttypes",
            "skip-if-unknown-filter",
            "append",
            "override",
        ],
    ),
];

/// The key order of an item whose keys are `keys`, when it is a rule, macro or
/// list (the item's kind is the first listed naming key it has).
pub(crate) fn key_order(keys: &[&str]) -> Option<&'static [&'static str]> {
    KEY_ORDER
        .iter()
        .find(|(kind, _)| keys.contains(kind))
        .map(|(_, order)| *order)
}

/// Whether items with these keys hold a condition the layout breaks at its
/// operators (rules and macros).
pub(crate) fn has_condition(keys: &[&str]) -> bool {
    keys.contains(&"rule") || keys.contains(&"macro")
}
