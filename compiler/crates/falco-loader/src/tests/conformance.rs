//! The loader conformance corpus: for the codes Falco produces while reading items
//! (YAML parse and shape, unknown keys and items, deprecated forms, invalid names),
//! our codes must match Falco's; and no case Falco accepts may get an error.

use super::*;
use serde_json::Value;

/// Falco codes produced at this stage.
const STAGE_ERRORS: &[&str] = &["LOAD_ERR_YAML_PARSE", "LOAD_ERR_YAML_VALIDATE"];
const STAGE_WARNINGS: &[&str] = &[
    "LOAD_UNKNOWN_KEY",
    "LOAD_UNKNOWN_ITEM",
    "LOAD_DEPRECATED_ITEM",
    "LOAD_INVALID_MACRO_NAME",
    "LOAD_INVALID_LIST_NAME",
];

fn read_json(name: &str) -> Value {
    let path = shared().join("corpus/loader").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Our view of a case, cut like Falco's: diagnostics up to the first error.
struct Ours {
    first_error: Option<(String, String)>,
    warnings: Vec<String>,
    any_error: bool,
}

fn run_case(case: &Value) -> Ours {
    let mut ours = Ours {
        first_error: None,
        warnings: Vec::new(),
        any_error: false,
    };
    let files = case["files"].as_array().cloned().unwrap_or_default();
    for (index, file) in files.iter().enumerate() {
        let text = file["yaml"].as_str().unwrap_or_default();
        let loaded = load_file(FileId(index as u32), text);
        for diagnostic in &loaded.diagnostics {
            if diagnostic.is_error() {
                ours.any_error = true;
            }
            if ours.first_error.is_some() {
                continue;
            }
            // Falco does not warn about the integer engine version.
            if diagnostic.code == Code::I101 {
                continue;
            }
            let falco = diagnostic.code.falco_code().unwrap_or("none").to_string();
            if diagnostic.is_error() {
                ours.first_error = Some((
                    falco,
                    format!("{}: {}", diagnostic.code.as_str(), diagnostic.message),
                ));
            } else {
                ours.warnings.push(falco);
            }
        }
    }
    ours
}

#[test]
fn loader_cases_agree_with_falco() {
    let cases = read_json("loader_cases.json");
    let verdicts = read_json("loader_cases_falco_verdicts.json");
    let verdicts: Vec<Value> = verdicts["cases"].as_array().cloned().unwrap_or_default();
    let mut compared = 0;
    let mut agreed = 0;
    let mut false_errors = Vec::new();
    let mut accepted = 0;
    let mut disagreements = Vec::new();
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap_or_default();
        let Some(verdict) = verdicts.iter().find(|v| v["name"] == name) else {
            continue;
        };
        let ours = run_case(case);
        let falco_errors = strings(&verdict["errors"]);
        let falco_accepts = falco_errors.is_empty();
        accepted += usize::from(falco_accepts);
        if falco_accepts && ours.any_error {
            false_errors.push(format!("{name}: {:?}", ours.first_error));
        }
        let falco_error = falco_errors.first().cloned();
        let stage_error = falco_error
            .as_ref()
            .filter(|code| STAGE_ERRORS.contains(&code.as_str()));
        let mut falco_warnings: Vec<String> = strings(&verdict["warnings"])
            .into_iter()
            .filter(|code| STAGE_WARNINGS.contains(&code.as_str()))
            .collect();
        let mut our_warnings: Vec<String> = ours
            .warnings
            .iter()
            .filter(|code| STAGE_WARNINGS.contains(&code.as_str()))
            .cloned()
            .collect();
        falco_warnings.sort();
        our_warnings.sort();
        let relevant = stage_error.is_some()
            || !falco_warnings.is_empty()
            || !our_warnings.is_empty()
            || ours.first_error.is_some();
        if !relevant {
            continue;
        }
        compared += 1;
        let our_error = ours.first_error.as_ref().map(|(code, _)| code.clone());
        let errors_agree = match stage_error {
            Some(code) => our_error.as_deref() == Some(code.as_str()),
            // A later-stage error in Falco: we must not invent one.
            None => our_error.is_none(),
        };
        // Deprecated fields (a later stage) also give LOAD_DEPRECATED_ITEM.
        let deprecated =
            |list: &[String]| list.iter().filter(|c| *c == "LOAD_DEPRECATED_ITEM").count();
        let others = |list: &[String]| -> Vec<String> {
            list.iter()
                .filter(|c| *c != "LOAD_DEPRECATED_ITEM")
                .cloned()
                .collect()
        };
        let warnings_agree = others(&falco_warnings) == others(&our_warnings)
            && deprecated(&our_warnings) <= deprecated(&falco_warnings);
        if errors_agree && warnings_agree {
            agreed += 1;
        } else {
            disagreements.push(format!(
                "{name}: falco error {falco_error:?} warnings {falco_warnings:?}; ours error {:?} warnings {our_warnings:?}",
                ours.first_error
            ));
        }
    }
    println!("loader conformance: {agreed}/{compared} cases at this stage agree with Falco");
    println!(
        "loader conformance: {}/{accepted} cases Falco accepts load with no error",
        accepted - false_errors.len()
    );
    for line in &disagreements {
        println!("  disagree: {line}");
    }
    for line in &false_errors {
        println!("  false error: {line}");
    }
    assert!(
        false_errors.is_empty(),
        "errors on cases Falco accepts: {false_errors:#?}"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements",
        disagreements.len()
    );
}
