mod corpus;
mod props;

use super::*;

/// Formats `text`, checks that formatting the result gives it back, and returns it.
fn fmt(text: &str) -> String {
    let once = format(text).expect("formats").text();
    let twice = format(&once).expect("its output formats").text();
    assert_eq!(twice, once, "formatting is not idempotent");
    once
}

#[test]
fn orders_item_keys_and_indents_collections() {
    let text = "\
- rule: r
  priority: WARNING
  tags: [a]
  output: o
  condition: evt.type = open
  desc: d
  exceptions:
      -   name: e
          fields: [proc.name]
          values:
          - [x]
- macro: m
  condition: x
- condition: y
  macro: n
";
    assert_eq!(
        fmt(text),
        "\
- rule: r
  desc: d
  condition: evt.type = open
  output: o
  priority: WARNING
  tags: [a]
  exceptions:
    - name: e
      fields: [proc.name]
      values:
        - [x]
- macro: m
  condition: x
- macro: n
  condition: y
"
    );
}

#[test]
fn keeps_comments_with_what_follows_them_and_one_blank_line_per_group() {
    let text = "\n\n\n\
# License header

- rule: r   # the rule
  desc: d
  # about the condition
  condition: x


  output: o # trailing
#  priority: commented out
  priority: INFO



# a list
- list: l
  items: [a,   # first
          b]
# the end


";
    assert_eq!(
        fmt(text),
        "\
# License header

- rule: r   # the rule
  desc: d
  # about the condition
  condition: x

  output: o # trailing
#  priority: commented out
  priority: INFO

# a list
- list: l
  items: [a,   # first
          b]
# the end
"
    );
}

#[test]
fn comments_travel_with_their_key_when_keys_are_reordered() {
    let text = "- rule: r\n  # the output\n  output: o\n  desc: d\n";
    assert_eq!(
        fmt(text),
        "- rule: r\n  desc: d\n  # the output\n  output: o\n"
    );
}

#[test]
fn block_scalars_move_under_their_key_with_their_relative_indentation() {
    let text = "\
- rule: r
  desc: |
        line one
          indented

        after a blank
  output: >-
       folded
";
    assert_eq!(
        fmt(text),
        "\
- rule: r
  desc: |
    line one
      indented

    after a blank
  output: >-
    folded
"
    );
}

#[test]
fn explicit_indentation_and_keep_chomping_are_kept() {
    let kept = "- rule: r\n  desc: |+\n    x\n\n\n- rule: s\n  desc: d\n";
    assert_eq!(fmt(kept), kept);
    let explicit = "- rule: r\n  desc: |4\n        x\n";
    assert_eq!(fmt(explicit), explicit);
}

#[test]
fn long_plain_conditions_break_before_and_or_with_nesting_aligned() {
    let text = "- macro: m\n  condition: (evt.type in (open, openat, openat2) and evt.is_open_write=true and (fd.typechar='f' or fd.typechar='d' or fd.name startswith /very/long/prefix/to/break))\n";
    assert_eq!(
        fmt(text),
        "\
- macro: m
  condition: (evt.type in (open, openat, openat2)
              and evt.is_open_write=true
              and (fd.typechar='f'
                   or fd.typechar='d'
                   or fd.name startswith /very/long/prefix/to/break))
"
    );
}

#[test]
fn short_conditions_stay_on_one_line_and_multi_line_plain_ones_are_joined() {
    let text = "- macro: m\n  condition: a and\n    b   or c\n";
    assert_eq!(fmt(text), "- macro: m\n  condition: a and b   or c\n");
}

#[test]
fn long_folded_conditions_break_at_the_block_indentation() {
    let text = "\
- rule: r
  condition: >
      spawned_process and container and shell_procs and proc.tty != 0 and container_entrypoint and not user_expected_terminal_shell_in_container_conditions
";
    assert_eq!(
        fmt(text),
        "\
- rule: r
  condition: >
    spawned_process
    and container
    and shell_procs
    and proc.tty != 0
    and container_entrypoint
    and not user_expected_terminal_shell_in_container_conditions
"
    );
}

#[test]
fn folded_conditions_with_line_breaks_in_their_value_keep_their_lines() {
    // The deeper lines put line breaks into the value: relaying them would change it.
    let text = "- macro: m\n  condition: >\n    a\n    and (b\n         or c)\n";
    assert_eq!(fmt(text), text);
}

#[test]
fn a_space_run_is_never_a_break() {
    let long = "x".repeat(95);
    let text = format!("- macro: m\n  condition: {long}  and y\n");
    assert_eq!(fmt(&text), text);
}

#[test]
fn quoted_literal_and_unparsable_conditions_are_kept() {
    for condition in [
        "'a and b'",
        "|\n    a and b",
        &format!("a and ({})", "b ".repeat(60)),
    ] {
        let text = format!("- macro: m\n  condition: {condition}\n");
        assert_eq!(fmt(&text), text);
    }
}

#[test]
fn scalars_and_flow_collections_keep_their_text_and_move_their_lines() {
    let text = "\
- list: l
  items:
    [
    a, \"b c\",
    'd'
  ]
- rule: r
  desc: !=   not a tag for the parser
  output: one
   two
";
    assert_eq!(
        fmt(text),
        "\
- list: l
  items: [
    a, \"b c\",
    'd'
    ]
- rule: r
  desc: != not a tag for the parser
  output: one
   two
"
    );
}

#[test]
fn roots_move_to_column_zero_and_root_mappings_keep_their_order() {
    assert_eq!(fmt("  - a\n  - b: 1\n    c: 2\n"), "- a\n- b: 1\n  c: 2\n");
    assert_eq!(fmt("z: 1\na:\n    - x\n    -\n"), "z: 1\na:\n  - x\n  -\n");
}

#[test]
fn documents_and_their_markers_are_kept() {
    let text = "---\n- rule: a\n  desc: d\n...\n---\n- list: l\n  items: []\n";
    assert_eq!(fmt(text), text);
    assert_eq!(fmt("This is not yaml"), "This is not yaml\n");
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n# only a comment\n\n"), "# only a comment\n");
}

#[test]
fn entries_the_layout_does_not_handle_are_kept_as_written() {
    // An anchor and an alias: the entry keeps its text.
    let text = "- list: a\n  items: &x [a]\n- list: b\n  items:    *x\n";
    assert_eq!(fmt(text), text);
}

#[test]
fn invalid_yaml_and_carriage_returns_are_errors_with_their_position() {
    let Err(FormatError::InvalidYaml { offset, message }) = format("- rule: a\n  desc: [\n") else {
        panic!("expected invalid yaml");
    };
    assert!(offset > 10, "{offset}");
    assert!(message.starts_with("invalid yaml"), "{message}");
    assert!(matches!(
        format("- a\r\n"),
        Err(FormatError::Unsupported { offset: 3, .. })
    ));
}

#[test]
fn pieces_cover_the_text_and_report_only_changes() {
    let text = "# h\n- list: a\n  items: [x]\n\n- list: b\n  items:   [y]\n# t\n";
    let formatted = format(text).expect("formats");
    let covered: String = formatted
        .pieces
        .iter()
        .map(|piece| &text[piece.original.clone()])
        .collect();
    assert_eq!(covered, text);
    let changed: Vec<&str> = formatted
        .changes(text)
        .map(|piece| piece.text.as_str())
        .collect();
    assert_eq!(changed, ["\n- list: b\n  items: [y]\n"]);
}
