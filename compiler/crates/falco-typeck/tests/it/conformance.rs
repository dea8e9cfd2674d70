//! Conformance with libsinsp's filter compiler and event-type analysis, over the cases
//! extracted from its unit tests (`shared/corpus/conditions`).
//!
//! Each test prints its agreement rate and every disagreement, and fails below its
//! threshold.

use std::collections::BTreeSet;
use std::path::PathBuf;

use falco_diagnostics::Code;
use falco_schema::Schema;
use falco_typeck::{
    Context, EventTypeSet, MockFields, TypeError, TypedExpr, check_condition, event_types,
};
use serde_json::Value;

fn corpus(path: &str) -> Value {
    let root =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/corpus/conditions");
    let file = root.join(path);
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", file.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("cannot parse {}: {error}", file.display()))
}

fn str_of<'a>(case: &'a Value, key: &str) -> &'a str {
    case.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Outcome of compiling one condition: parse errors, then type diagnostics.
struct Outcome {
    parse_errors: Vec<String>,
    diagnostics: Vec<TypeError>,
    typed: TypedExpr,
}

impl Outcome {
    fn compiles(&self) -> bool {
        self.parse_errors.is_empty() && !self.diagnostics.iter().any(TypeError::is_error)
    }

    fn summary(&self) -> String {
        let mut parts: Vec<String> = self.parse_errors.clone();
        parts.extend(
            self.diagnostics
                .iter()
                .map(|d| format!("{} {}", d.code.as_str(), d.message)),
        );
        if parts.is_empty() {
            "no diagnostics".to_owned()
        } else {
            parts.join("; ")
        }
    }
}

fn compile(condition: &str, resolver: &dyn falco_typeck::FieldResolver) -> Outcome {
    let (expr, errors) = falco_condition::parse_condition(condition);
    let ctx = Context::new(resolver, "syscall");
    let (typed, diagnostics) = check_condition(&expr, &ctx);
    Outcome {
        parse_errors: errors
            .iter()
            .map(|e| format!("{} {}", e.code.as_str(), e.message))
            .collect(),
        diagnostics,
        typed,
    }
}

#[test]
fn libs_filter_cases_agree() {
    let schema = Schema::get();
    let resolver = MockFields::new(schema).with_libsinsp_test_fields();
    let cases = corpus("libs_filter_cases.json");
    let cases = cases.as_array().map(Vec::as_slice).unwrap_or_default();

    let mut total = 0usize;
    let mut agreed = 0usize;
    let mut excluded = 0usize;
    let mut per_layer: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let mut disagreements = Vec::new();
    let mut warning_total = 0usize;
    let mut warning_agreed = 0usize;
    let mut warning_disagreements = Vec::new();

    for case in cases {
        let layer = str_of(case, "layer");
        let condition = str_of(case, "condition");
        let expect_ok = str_of(case, "expect") == "ok";
        if layer == "eval" && str_of(case, "note").contains("test-specific filter factory") {
            excluded += 1;
            continue;
        }
        let outcome = compile(condition, &resolver);
        let ok = match layer {
            "parse" => outcome.parse_errors.is_empty(),
            _ => outcome.compiles(),
        };
        total += 1;
        let entry = per_layer.entry(match layer {
            "parse" => "parse",
            "compile" => "compile",
            _ => "eval",
        });
        let counts = entry.or_default();
        counts.1 += 1;
        if ok == expect_ok {
            agreed += 1;
            counts.0 += 1;
        } else {
            disagreements.push(format!(
                "  [{layer}] expect {} got {}: {condition:?} -> {}",
                if expect_ok { "ok" } else { "error" },
                if ok { "ok" } else { "error" },
                outcome.summary()
            ));
        }
        if let Some(expected) = case.get("expected_warnings").and_then(Value::as_u64) {
            warning_total += 1;
            let hints = outcome
                .diagnostics
                .iter()
                .filter(|d| matches!(d.code, Code::W404 | Code::W405))
                .count();
            if hints as u64 == expected {
                warning_agreed += 1;
            } else {
                warning_disagreements.push(format!(
                    "  expected {expected} warnings, got {hints}: {condition:?} -> {}",
                    outcome.summary()
                ));
            }
        }
    }

    println!(
        "libs filter cases: {agreed}/{total} agree ({:.2}%), {excluded} eval cases excluded (test-specific fields)",
        100.0 * agreed as f64 / total.max(1) as f64
    );
    for (layer, (ok, all)) in &per_layer {
        println!("  {layer}: {ok}/{all}");
    }
    for line in &disagreements {
        println!("{line}");
    }
    println!("compiler warnings: {warning_agreed}/{warning_total} cases with the expected count");
    for line in &warning_disagreements {
        println!("{line}");
    }
    let compile_eval: (usize, usize) = per_layer
        .iter()
        .filter(|(layer, _)| **layer != "parse")
        .fold((0, 0), |acc, (_, (ok, all))| (acc.0 + ok, acc.1 + all));
    assert!(
        compile_eval.0 as f64 >= 0.99 * compile_eval.1 as f64,
        "compile+eval agreement {}/{} is below 99%",
        compile_eval.0,
        compile_eval.1
    );
    assert!(
        agreed as f64 >= 0.99 * total as f64,
        "overall agreement {agreed}/{total} is below 99%"
    );
    assert_eq!(
        warning_agreed, warning_total,
        "compiler warning counts differ"
    );
}

fn expected_set(value: &Value) -> Option<EventTypeSet> {
    let names: BTreeSet<String> = value
        .get("types")
        .and_then(Value::as_array)
        .map(|types| {
            types
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    match value.get("kind").and_then(Value::as_str)? {
        "none" => Some(EventTypeSet::None),
        "all" => Some(EventTypeSet::All),
        "only" => Some(EventTypeSet::Only(names)),
        "all_except" => Some(EventTypeSet::AllExcept(names)),
        _ => None,
    }
}

#[test]
fn libs_evttype_cases_agree() {
    let schema = Schema::get();
    let cases = corpus("libs_evttype_cases.json");
    let cases = cases.as_array().map(Vec::as_slice).unwrap_or_default();
    let no_macros = |_: &str| -> Option<&TypedExpr> { None };
    let analyse = |condition: &str| -> (EventTypeSet, String) {
        let outcome = compile(condition, schema);
        let set = event_types(&outcome.typed, &no_macros, schema, "syscall");
        (set, outcome.summary())
    };

    let mut agreed = 0usize;
    let mut disagreements = Vec::new();
    for case in cases {
        let condition = str_of(case, "condition");
        let (got, summary) = analyse(condition);
        let expected = match (
            case.get("expected_event_types"),
            case.get("same_event_types_as"),
        ) {
            (Some(expected), _) => expected_set(expected),
            (None, Some(other)) => Some(analyse(other.as_str().unwrap_or("")).0),
            (None, None) => None,
        };
        if expected.as_ref() == Some(&got) {
            agreed += 1;
        } else {
            disagreements.push(format!(
                "  {condition:?}: expected {expected:?}, got {got:?} ({summary})"
            ));
        }
    }
    println!(
        "libs evttype cases: {agreed}/{} agree ({:.2}%)",
        cases.len(),
        100.0 * agreed as f64 / cases.len().max(1) as f64
    );
    for line in &disagreements {
        println!("{line}");
    }
    assert_eq!(
        agreed,
        cases.len(),
        "event-type analysis disagrees with libsinsp"
    );
}
