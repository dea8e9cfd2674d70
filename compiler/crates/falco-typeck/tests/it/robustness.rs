//! Nothing panics on damaged conditions: every corpus condition, cut at every
//! character and with odd text spliced in, goes through the parser, the checker and
//! the event-type analysis.

use std::path::PathBuf;

use falco_schema::Schema;
use falco_typeck::{Context, MockFields, TypedExpr, check_condition, event_types};
use serde_json::Value;

const SPLICES: &[&str] = &[
    "\\x00",
    "0x",
    "-",
    "[",
    "]",
    "(",
    ")",
    "val(",
    "join(",
    ",",
    "'",
    "\"",
    "999999999999999999999999999999999999",
    "/",
    "::",
    "<NA>",
    "evt.type",
    " in ",
    " regex ",
    "é",
    "\u{0}",
];

#[test]
fn damaged_conditions_do_not_panic() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/corpus/conditions/libs_filter_cases.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let cases: Value =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let schema = Schema::get();
    let resolver = MockFields::new(schema).with_libsinsp_test_fields();
    let ctx = Context::new(&resolver, "syscall");
    let no_macros = |_: &str| -> Option<&TypedExpr> { None };
    let mut runs = 0usize;
    let mut run = |condition: &str| {
        let (expr, _) = falco_condition::parse_condition(condition);
        let (typed, _) = check_condition(&expr, &ctx);
        let _ = event_types(&typed, &no_macros, schema, "syscall");
        runs += 1;
    };
    for case in cases.as_array().map(Vec::as_slice).unwrap_or_default() {
        let condition = case.get("condition").and_then(Value::as_str).unwrap_or("");
        if condition.len() > 300 {
            continue;
        }
        let boundaries: Vec<usize> = condition
            .char_indices()
            .map(|(i, _)| i)
            .chain([condition.len()])
            .collect();
        for &cut in boundaries.iter().step_by(3) {
            run(&condition[..cut]);
        }
        for (n, &at) in boundaries.iter().enumerate().step_by(5) {
            let splice = SPLICES[n % SPLICES.len()];
            run(&format!("{}{splice}{}", &condition[..at], &condition[at..]));
        }
    }
    println!("{runs} damaged conditions checked");
    assert!(runs > 10_000, "only {runs} runs");
}
