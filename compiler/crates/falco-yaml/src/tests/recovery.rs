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

/// A rule whose `tags` hold the scalar `x` at level `depth` (the document's sequence
/// is level 1, the item's mapping level 2, each nested block sequence one more), then
/// a list.
fn nested(depth: usize) -> String {
    format!(
        "- rule: a\n  tags:\n    {}x\n- list: after\n  items: [y]\n",
        "- ".repeat(depth - 3)
    )
}

#[test]
fn nodes_nest_as_deep_as_yaml_cpp_allows_and_no_deeper() {
    // The scalar `x` sits one level below the innermost sequence.
    let (_, diags) = parse(FILE, &nested(MAX_NESTING - 1));
    assert!(diags.is_empty(), "{diags:?}");
    let text = nested(MAX_NESTING);
    let (docs, diags) = parse(FILE, &text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, Code::E111);
    // The node at level 500: the scalar `x` in 497 sequences.
    assert_eq!(
        diags[0].primary.span.span.start as usize,
        text.find('x').expect("x")
    );
    // Reading goes on with the next item.
    let names: Vec<&str> = docs
        .iter()
        .filter_map(|doc| doc.root.as_ref()?.as_sequence())
        .flatten()
        .filter_map(|item| item.get("list")?.as_str())
        .collect();
    assert_eq!(names, ["after"]);
}

#[test]
fn deep_nesting_is_refused_without_reading_it_all() {
    let text = format!("- rule: a\n  tags:\n    {}x\n", "- ".repeat(1 << 20));
    let (_, diags) = parse(FILE, &text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, Code::E111, "{diags:?}");
    // The YAML parser itself stops flow collections at 255 levels.
    let text = format!("- rule: a\n  tags: {}\n", "[".repeat(1 << 20));
    let (_, diags) = parse(FILE, &text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, Code::E111, "{diags:?}");
    assert!(diags[0].message.contains("255"), "{diags:?}");
}

#[test]
fn aliases_share_the_anchored_node() {
    // "Billion laughs": nine levels of nine aliases stand for 9^9 scalars.
    let mut text = String::from("- rule: r\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let aliases = vec![format!("*a{}", level - 1); 9].join(", ");
        text.push_str(&format!("  a{level}: &a{level} [{aliases}]\n"));
    }
    let docs = parse_ok(&text);
    let item = &docs[0]
        .root
        .as_ref()
        .expect("root")
        .as_sequence()
        .expect("items")[0];
    let top = item.get("a9").expect("a9").as_sequence().expect("sequence");
    let (NodeKind::Sequence(first), NodeKind::Sequence(second)) = (&top[0].kind, &top[1].kind)
    else {
        panic!("aliases of a sequence are sequences");
    };
    assert!(std::sync::Arc::ptr_eq(first, second));
    // The alias keeps the anchored node's span.
    assert_eq!(top[0].span, item.get("a8").expect("a8").span);
}
