//! Syntax errors: position, message, and what is kept.

use super::*;
use falco_diagnostics::Code;

#[test]
fn error_points_at_the_offending_byte() {
    let text = "- rule: a: b\n";
    let (_, diags) = parse(FILE, text);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, Code::E101);
    assert_eq!(diags[0].primary.span.span.start, 9);
    assert!(
        diags[0].message.starts_with("invalid yaml: mapping values"),
        "{}",
        diags[0].message
    );
}

#[test]
fn items_before_and_after_an_error_are_kept() {
    let text = "- list: a\n  items: [x]\n- rule: b: c\n  desc: d\n- list: e\n  items: [y]\n";
    let (docs, diags) = parse(FILE, text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let names: Vec<&str> = docs
        .iter()
        .filter_map(|doc| doc.root.as_ref()?.as_sequence())
        .flatten()
        .filter_map(|item| item.get("list")?.as_str())
        .collect();
    assert_eq!(names, ["a", "e"]);
    assert!(!docs[0].complete);
}

#[test]
fn two_broken_items_give_two_errors() {
    let text = "- rule: a: b\n- list: ok\n  items: []\n- macro: m: n\n";
    let (_, diags) = parse(FILE, text);
    assert_eq!(diags.len(), 2, "{diags:?}");
}

#[test]
fn flow_sequence_closed_at_key_column_is_accepted() {
    let text = "- list: l\n  items: [\n    \"a\", # first\n    b\n  ]\n- list: m\n  items: [c]\n";
    let docs = parse_ok(text);
    let items = item_value(&docs, "items").as_sequence().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(&text[items[1].span.span.range()], "b");
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "",
        "\n",
        "---",
        "- |",
        "- >-\n",
        "[",
        "{a: [",
        "- 'x",
        "- \"\\",
        "&a *a",
        "- !<x> y",
        "\u{feff}- a",
        "-\t- a",
        "- |0\n x",
    ] {
        let _ = parse(FILE, text);
    }
}
