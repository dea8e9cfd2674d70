//! Rendering test results: a text report for people and a JSON document for CI.

use std::fmt::Write as _;

use serde::Serialize;

use super::coverage::Coverage;
use super::run::{CaseStatus, Failure, FileFailure, FileOutcome};

/// Counts over every file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases that could not run (unreadable events).
    pub errors: usize,
    /// Files whose cases could not run because the file or its inputs are invalid or
    /// unreadable.
    pub invalid_files: usize,
    /// Files whose rules have errors or cannot be compiled.
    pub broken_rules: usize,
}

impl Totals {
    /// Adds up the outcomes.
    pub fn of(outcomes: &[FileOutcome]) -> Totals {
        let mut totals = Totals::default();
        for outcome in outcomes {
            match &outcome.result {
                Ok(cases) => {
                    for case in cases {
                        match case.status {
                            CaseStatus::Pass => totals.passed += 1,
                            CaseStatus::Fail(_) => totals.failed += 1,
                            CaseStatus::Error(_) => totals.errors += 1,
                        }
                    }
                }
                Err(FileFailure::Invalid(_) | FileFailure::Unreadable(_)) => {
                    totals.invalid_files += 1;
                }
                Err(FileFailure::RulesErrors(_) | FileFailure::Compile(_)) => {
                    totals.broken_rules += 1;
                }
            }
        }
        totals
    }

    /// The exit code: 2 when a file or its events could not be used, else 1 when a case
    /// failed or rules did not compile, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.invalid_files > 0 || self.errors > 0 {
            crate::cli::EXIT_USAGE
        } else if self.failed > 0 || self.broken_rules > 0 {
            crate::cli::EXIT_FINDINGS
        } else {
            crate::cli::EXIT_OK
        }
    }
}

/// The text report: one block per file, a line per case, details under failing cases,
/// then a summary line.
pub fn human(outcomes: &[FileOutcome]) -> String {
    let mut out = String::new();
    for outcome in outcomes {
        if outcome.rules.is_empty() {
            let _ = writeln!(out, "{}", outcome.path);
        } else {
            let rules = outcome.rules.join(", ");
            let _ = writeln!(out, "{} (rules: {rules})", outcome.path);
        }
        match &outcome.result {
            Err(failure) => write_file_failure(&mut out, &outcome.path, failure),
            Ok(cases) => {
                for case in cases {
                    let tag = match case.status {
                        CaseStatus::Pass => "pass ",
                        CaseStatus::Fail(_) => "FAIL ",
                        CaseStatus::Error(_) => "ERROR",
                    };
                    let _ = writeln!(out, "  {tag} {} (line {})", case.name, case.line);
                    match &case.status {
                        CaseStatus::Pass => {}
                        CaseStatus::Error(message) => {
                            for line in message.lines() {
                                let _ = writeln!(out, "        {line}");
                            }
                        }
                        CaseStatus::Fail(failures) => {
                            for failure in failures {
                                let _ = writeln!(out, "        {}", describe(failure));
                            }
                            let _ = writeln!(out, "        fired: {}", fired_list(&case.fired));
                        }
                    }
                }
            }
        }
        out.push('\n');
    }
    let totals = Totals::of(outcomes);
    let verdict = if totals.exit_code() == crate::cli::EXIT_OK {
        "ok"
    } else {
        "FAILED"
    };
    let _ = write!(
        out,
        "test result: {verdict}. {} passed, {} failed",
        totals.passed, totals.failed
    );
    if totals.errors > 0 {
        let _ = write!(out, ", {} could not run", totals.errors);
    }
    if totals.invalid_files > 0 {
        let _ = write!(out, ", {} invalid test file(s)", totals.invalid_files);
    }
    if totals.broken_rules > 0 {
        let _ = write!(out, ", {} file(s) with broken rules", totals.broken_rules);
    }
    out.push('\n');
    out
}

fn write_file_failure(out: &mut String, path: &str, failure: &FileFailure) {
    match failure {
        FileFailure::Invalid(errors) => {
            for error in errors {
                match error.position {
                    Some(p) => {
                        let _ = writeln!(
                            out,
                            "  error: {path}:{}:{}: {}",
                            p.line, p.column, error.message
                        );
                    }
                    None => {
                        let _ = writeln!(out, "  error: {path}: {}", error.message);
                    }
                }
            }
        }
        FileFailure::Unreadable(message) => {
            let _ = writeln!(out, "  error: {message}");
        }
        FileFailure::RulesErrors(report) => {
            let _ = writeln!(out, "  error: the rules have errors, no case was run");
            for line in report.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        FileFailure::Compile(message) => {
            let _ = writeln!(out, "  error: the rules cannot be compiled: {message}");
        }
    }
}

/// One failure as a sentence.
pub fn describe(failure: &Failure) -> String {
    match failure {
        Failure::Count {
            rule,
            expected: None,
            ..
        } => format!("expected `{rule}` to fire, it did not"),
        Failure::Count {
            rule,
            expected: Some(expected),
            actual,
        } => format!(
            "expected `{rule}` to fire {}, it fired {}",
            times(*expected),
            times(*actual)
        ),
        Failure::Fired { rule, count } => {
            format!("expected `{rule}` not to fire, it fired {}", times(*count))
        }
        Failure::OutputField {
            rule,
            alert,
            field,
            expected,
            actual: Some(actual),
        } => format!("`{rule}` alert {alert}: {field} is `{actual}`, expected `{expected}`"),
        Failure::OutputField {
            rule,
            alert,
            field,
            expected,
            actual: None,
        } => format!(
            "`{rule}` alert {alert}: no output field {field} (expected `{expected}`); the rule's output does not use it"
        ),
    }
}

fn times(n: u64) -> String {
    if n == 1 {
        "once".to_owned()
    } else {
        format!("{n} times")
    }
}

fn fired_list(fired: &[(String, u64)]) -> String {
    if fired.is_empty() {
        return "nothing".to_owned();
    }
    fired
        .iter()
        .map(|(rule, count)| format!("{rule} ×{count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    files: Vec<JsonFile<'a>>,
    summary: JsonSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<super::coverage_report::JsonCoverage<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    passed: usize,
    failed: usize,
    errors: usize,
    invalid_files: usize,
    broken_rules: usize,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    rules: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<JsonFileError>,
    cases: Vec<JsonCase<'a>>,
}

#[derive(Serialize)]
struct JsonFileError {
    kind: &'static str,
    messages: Vec<String>,
}

#[derive(Serialize)]
struct JsonCase<'a> {
    name: &'a str,
    line: u32,
    status: &'static str,
    fired: Vec<JsonFired<'a>>,
    failures: Vec<JsonFailure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFired<'a> {
    rule: &'a str,
    count: u64,
}

#[derive(Serialize)]
struct JsonFailure {
    kind: &'static str,
    rule: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actual: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

/// The JSON report (`version` 1): files, their cases with what fired and each failure, and
/// a summary.
pub fn json<'a>(outcomes: &'a [FileOutcome], coverage: Option<&'a Coverage>) -> String {
    let totals = Totals::of(outcomes);
    let files = outcomes.iter().map(json_file).collect();
    let report = JsonReport {
        version: 1,
        files,
        summary: JsonSummary {
            passed: totals.passed,
            failed: totals.failed,
            errors: totals.errors,
            invalid_files: totals.invalid_files,
            broken_rules: totals.broken_rules,
        },
        coverage: coverage.map(super::coverage_report::json),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

fn json_file(outcome: &FileOutcome) -> JsonFile<'_> {
    let (error, cases) = match &outcome.result {
        Ok(cases) => (None, cases.iter().map(json_case).collect()),
        Err(failure) => {
            let (kind, messages) = match failure {
                FileFailure::Invalid(errors) => (
                    "invalid",
                    errors
                        .iter()
                        .map(|e| match e.position {
                            Some(p) => {
                                format!("{}:{}:{}: {}", outcome.path, p.line, p.column, e.message)
                            }
                            None => format!("{}: {}", outcome.path, e.message),
                        })
                        .collect(),
                ),
                FileFailure::Unreadable(message) => ("unreadable", vec![message.clone()]),
                FileFailure::RulesErrors(report) => ("rules_errors", vec![report.clone()]),
                FileFailure::Compile(message) => ("compile", vec![message.clone()]),
            };
            (Some(JsonFileError { kind, messages }), Vec::new())
        }
    };
    JsonFile {
        path: &outcome.path,
        rules: &outcome.rules,
        error,
        cases,
    }
}

fn json_case(case: &super::run::CaseOutcome) -> JsonCase<'_> {
    let (status, failures, error) = match &case.status {
        CaseStatus::Pass => ("pass", Vec::new(), None),
        CaseStatus::Fail(failures) => ("fail", failures.iter().map(json_failure).collect(), None),
        CaseStatus::Error(message) => ("error", Vec::new(), Some(message.as_str())),
    };
    JsonCase {
        name: &case.name,
        line: case.line,
        status,
        fired: case
            .fired
            .iter()
            .map(|(rule, count)| JsonFired {
                rule,
                count: *count,
            })
            .collect(),
        failures,
        error,
    }
}

fn json_failure(failure: &Failure) -> JsonFailure {
    let message = describe(failure);
    match failure {
        Failure::Count {
            rule,
            expected,
            actual,
        } => JsonFailure {
            kind: "count",
            rule: rule.clone(),
            message,
            expected: Some(expected.map_or_else(|| "at least 1".to_owned(), |n| n.to_string())),
            actual: Some(actual.to_string()),
            field: None,
        },
        Failure::Fired { rule, count } => JsonFailure {
            kind: "fired",
            rule: rule.clone(),
            message,
            expected: Some("0".to_owned()),
            actual: Some(count.to_string()),
            field: None,
        },
        Failure::OutputField {
            rule,
            field,
            expected,
            actual,
            ..
        } => JsonFailure {
            kind: "output_field",
            rule: rule.clone(),
            message,
            expected: Some(expected.clone()),
            actual: actual.clone(),
            field: Some(field.clone()),
        },
    }
}
