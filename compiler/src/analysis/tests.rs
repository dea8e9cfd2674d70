//! Driver tests, including agreement with Falco's loader on the upstream loader cases.

use std::collections::BTreeSet;
use std::path::PathBuf;

use falco_diagnostics::Severity;
use serde_json::Value;

use super::*;

fn corpus(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(path)
}

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(corpus(path)).expect("the corpus is beside the repository");
    serde_json::from_str(&text).expect("corpus JSON")
}

fn codes(analysis: &Analysis, severity: Severity) -> BTreeSet<String> {
    analysis
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == severity)
        .filter_map(|diagnostic| diagnostic.code.falco_code())
        .map(str::to_owned)
        .collect()
}

/// Lints every loader case and compares with what a real Falco reported.
#[test]
fn loader_cases_agree_with_falco() {
    let cases = read_json("loader/loader_cases.json");
    let verdicts = read_json("loader/loader_cases_falco_verdicts.json");
    let verdicts = verdicts["cases"].as_array().expect("cases");
    let mut agreed = 0;
    let mut disagreements = Vec::new();
    for case in cases.as_array().expect("array of cases") {
        let name = case["name"].as_str().unwrap_or_default();
        let Some(verdict) = verdicts
            .iter()
            .find(|verdict| verdict["name"] == case["name"])
        else {
            continue;
        };
        let files: Vec<(String, String)> = case["files"]
            .as_array()
            .map(|files| {
                files
                    .iter()
                    .map(|file| {
                        (
                            file["name"].as_str().unwrap_or("rules.yaml").to_owned(),
                            file["yaml"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let analysis = analyze(files);
        let errors = codes(&analysis, Severity::Error);
        let warnings = codes(&analysis, Severity::Warning);
        let expected_errors: BTreeSet<String> = verdict["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|code| code.as_str().map(str::to_owned))
            .collect();
        let expected_warnings: BTreeSet<String> = verdict["warnings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|code| code.as_str().map(str::to_owned))
            .collect();
        let ok = match verdict["falco"].as_str() {
            Some("error") => !errors.is_empty() && expected_errors.is_subset(&errors),
            _ => errors.is_empty() && warnings == expected_warnings,
        };
        if ok {
            agreed += 1;
        } else {
            let ours: Vec<String> = analysis
                .diagnostics
                .iter()
                .map(|diagnostic| format!("{} {}", diagnostic.code.as_str(), diagnostic.message))
                .collect();
            disagreements.push(format!(
                "{name}: falco {} errors {expected_errors:?} warnings {expected_warnings:?}\n    ours: {ours:#?}",
                verdict["falco"]
            ));
        }
    }
    let total = agreed + disagreements.len();
    let rate = agreed as f64 * 100.0 / total as f64;
    println!("loader agreement: {agreed}/{total} = {rate:.1}%");
    for disagreement in &disagreements {
        println!("DISAGREE {disagreement}");
    }
    assert!(rate >= 97.0, "loader agreement {rate:.1}% is below 97%");
}
