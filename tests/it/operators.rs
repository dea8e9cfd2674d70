//! The operator table has one home, `falco_condition::ast::Op`. The schema's
//! `operators.json` states it as data for what is not Rust; these tests check that
//! both say the same, and that the VS Code grammars generated from that data are
//! up to date.

use std::collections::BTreeSet;
use std::process::Command;

use falco_condition::ast::{Modifier, Op};
use falco_rulec_tests::repo_root;
use serde_json::Value;

fn operators_json() -> Value {
    let path = repo_root().join("rules-stdlib/schema/operators.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The strings of the array `key` of `doc`, as a set.
fn names(doc: &Value, key: &str) -> BTreeSet<String> {
    doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("operators.json: `{key}` is not an array"))
        .iter()
        .map(|name| {
            name.as_str()
                .unwrap_or_else(|| panic!("operators.json: `{key}` holds a non-string"))
                .to_owned()
        })
        .collect()
}

fn spellings(ops: impl Iterator<Item = Op>) -> BTreeSet<String> {
    ops.map(|op| op.as_str().to_owned()).collect()
}

#[test]
fn operators_json_states_the_parsers_operator_table() {
    let doc = operators_json();
    let all = || Op::ALL.iter().copied();
    assert_eq!(names(&doc, "operators"), spellings(all()), "operators");
    assert_eq!(
        names(&doc, "modifier_ops"),
        spellings(all().filter(|op| op.takes_modifier())),
        "modifier_ops"
    );
    assert_eq!(
        names(&doc, "list_ops"),
        spellings(all().filter(|op| op.takes_list())),
        "list_ops"
    );
    let modifiers: BTreeSet<String> = Modifier::ALL
        .iter()
        .map(|m| m.as_str().to_owned())
        .collect();
    assert_eq!(names(&doc, "modifiers"), modifiers, "modifiers");
    // Every operator the type groups allow is one the parser knows.
    let known = spellings(all());
    let groups = doc["ops_by_group"].as_object().cloned().unwrap_or_default();
    for (group, ops) in groups {
        for op in ops.as_array().into_iter().flatten() {
            let op = op.as_str().unwrap_or_default();
            assert!(known.contains(op), "ops_by_group.{group}: unknown `{op}`");
        }
    }
    for op in names(&doc, "list_field_ops") {
        assert!(known.contains(&op), "list_field_ops: unknown `{op}`");
    }
}

#[test]
fn vscode_grammars_are_generated_from_the_current_tables() {
    let script = repo_root().join("editors/vscode/scripts/gen_grammars.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg("--check")
        .output()
        .unwrap_or_else(|error| {
            panic!("python3 {}: {error} (python3 is needed)", script.display())
        });
    assert!(
        output.status.success(),
        "the committed grammars are stale: run python3 {}\n{}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}
