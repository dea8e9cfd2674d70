//! Running one test file: load its rules, compile them, replay each case's events and
//! compare the alerts with the case's expectations.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use falco_events::{Event, EventError};

use super::coverage::RunCoverage;
use super::engine::{Alert, Engine};
use super::format::{self, Case, EventsSpec, NotFire, RulesSpec, TestFile, TestFileError};
use crate::cli::defaults::default_rules;
use crate::render;
use falco_analysis::inputs;
use falco_analysis::{Analysis, analyze};

/// The result of one test file.
#[derive(Debug)]
pub struct FileOutcome {
    /// The test file's path, as given.
    pub path: String,
    /// What it loaded: `stdlib` or the rules files, as paths.
    pub rules: Vec<String>,
    /// Its cases, or why none could run.
    pub result: Result<Vec<CaseOutcome>, FileFailure>,
    /// What its cases covered of its rules, when coverage was asked for.
    pub coverage: Option<RunCoverage>,
}

/// Why a test file's cases could not run.
#[derive(Debug)]
pub enum FileFailure {
    /// The test file is malformed (exit 2).
    Invalid(Vec<TestFileError>),
    /// The test file or one of its rules files cannot be read (exit 2).
    Unreadable(String),
    /// The rules have errors: the lint report, rendered (exit 1).
    RulesErrors(String),
    /// The rules lint clean but cannot be compiled (exit 1).
    Compile(String),
}

/// The result of one case.
#[derive(Debug)]
pub struct CaseOutcome {
    /// Its name.
    pub name: String,
    /// The line it starts on.
    pub line: u32,
    /// Alerts per rule, in the order rules first fired.
    pub fired: Vec<(String, u64)>,
    /// Pass, fail or error.
    pub status: CaseStatus,
}

/// How a case ended.
#[derive(Debug)]
pub enum CaseStatus {
    /// Every expectation held.
    Pass,
    /// Some did not.
    Fail(Vec<Failure>),
    /// The case could not run: its events could not be read (exit 2).
    Error(String),
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A rule under `fire` fired the wrong number of times (`expected: None` = at least
    /// once).
    Count {
        /// The rule.
        rule: String,
        /// The expected count.
        expected: Option<u64>,
        /// Its alerts.
        actual: u64,
    },
    /// A rule that must not fire did.
    Fired {
        /// The rule.
        rule: String,
        /// Its alerts.
        count: u64,
    },
    /// An alert's output field differs from the expected text.
    OutputField {
        /// The rule.
        rule: String,
        /// 1-based index among the rule's alerts.
        alert: usize,
        /// The field.
        field: String,
        /// The expected text.
        expected: String,
        /// The text in the alert; `None` if the alert has no such field.
        actual: Option<String>,
    },
}

impl CaseOutcome {
    /// True when the case passed.
    pub fn passed(&self) -> bool {
        matches!(self.status, CaseStatus::Pass)
    }
}

/// Reads, checks and runs the test file at `path`; with `coverage`, also counts what
/// its cases make of each operand of its rules.
pub fn run_file(path: &Path, coverage: bool) -> FileOutcome {
    let shown = path.display().to_string();
    let outcome = |rules: Vec<String>, result| FileOutcome {
        path: shown.clone(),
        rules,
        result,
        coverage: None,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            let message = format!("cannot read `{shown}`: {error}");
            return outcome(Vec::new(), Err(FileFailure::Unreadable(message)));
        }
    };
    let file = match format::parse(path, &text) {
        Ok(file) => file,
        Err(errors) => return outcome(Vec::new(), Err(FileFailure::Invalid(errors))),
    };
    let (label, files) = match rules_texts(&file.rules) {
        Ok(loaded) => loaded,
        Err(message) => return outcome(Vec::new(), Err(FileFailure::Unreadable(message))),
    };
    let analysis = analyze(files);
    if analysis.error_count() > 0 {
        let report = render::render(&analysis, render::Format::Human, false);
        return outcome(label, Err(FileFailure::RulesErrors(report)));
    }
    let unknown = unknown_rules(&file, &analysis);
    if !unknown.is_empty() {
        return outcome(label, Err(FileFailure::Invalid(unknown)));
    }
    let mut engine = match Engine::new(&analysis, file.rule_matching, coverage) {
        Ok(engine) => engine,
        Err(message) => return outcome(label, Err(FileFailure::Compile(message))),
    };
    let rule_order: Vec<&str> = analysis
        .ruleset
        .rules
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    let cases = file
        .cases
        .iter()
        .map(|case| run_case(&file, case, &mut engine, &rule_order))
        .collect();
    FileOutcome {
        coverage: engine.coverage(&analysis),
        ..outcome(label, Ok(cases))
    }
}

/// Rules files as (path, text), in load order.
type RulesTexts = Vec<(String, String)>;

/// The rules files of a test file, and how to show them.
fn rules_texts(spec: &RulesSpec) -> Result<(Vec<String>, RulesTexts), String> {
    match spec {
        RulesSpec::Stdlib => Ok((vec!["stdlib".to_owned()], default_rules())),
        RulesSpec::Files(paths) => {
            let mut files = Vec::new();
            for (_, path) in paths {
                let expanded = inputs::expand(path)
                    .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
                for file in expanded {
                    let text = std::fs::read_to_string(&file)
                        .map_err(|error| format!("cannot read `{}`: {error}", file.display()))?;
                    files.push((file.display().to_string(), text));
                }
            }
            let label = paths.iter().map(|(written, _)| written.clone()).collect();
            Ok((label, files))
        }
    }
}

/// Rule names the cases mention that the ruleset does not define: a typo there would make
/// a `not_fire` expectation pass for the wrong reason.
fn unknown_rules(file: &TestFile, analysis: &Analysis) -> Vec<TestFileError> {
    let mut errors = Vec::new();
    let mut check = |rule: &str, position| {
        if analysis.ruleset.rule(rule).is_none() {
            errors.push(TestFileError {
                position: Some(position),
                message: format!("no rule named `{rule}` is loaded"),
            });
        }
    };
    for case in &file.cases {
        for expectation in &case.fire {
            check(&expectation.rule, expectation.position);
        }
        if let NotFire::Rules(rules) = &case.not_fire {
            for (rule, position) in rules {
                check(rule, *position);
            }
        }
    }
    errors
}

fn run_case(file: &TestFile, case: &Case, engine: &mut Engine, rule_order: &[&str]) -> CaseOutcome {
    let mut outcome = CaseOutcome {
        name: case.name.clone(),
        line: case.position.line,
        fired: Vec::new(),
        status: CaseStatus::Pass,
    };
    let events = match read_case_events(file, case) {
        Ok(events) => events,
        Err(message) => {
            outcome.status = CaseStatus::Error(message);
            return outcome;
        }
    };
    let alerts = engine.run(&events);
    let mut by_rule: BTreeMap<&str, Vec<&Alert>> = BTreeMap::new();
    for alert in &alerts {
        if !by_rule.contains_key(alert.rule.as_str()) {
            outcome.fired.push((alert.rule.clone(), 0));
        }
        by_rule.entry(alert.rule.as_str()).or_default().push(alert);
        if let Some(entry) = outcome.fired.iter_mut().find(|(r, _)| *r == alert.rule) {
            entry.1 += 1;
        }
    }
    let count = |rule: &str| by_rule.get(rule).map_or(0, |a| a.len() as u64);
    let mut failures = Vec::new();
    for expectation in &case.fire {
        let actual = count(&expectation.rule);
        let ok = match expectation.count {
            Some(expected) => actual == expected,
            None => actual > 0,
        };
        if !ok {
            failures.push(Failure::Count {
                rule: expectation.rule.clone(),
                expected: expectation.count,
                actual,
            });
        }
        let alerts = by_rule
            .get(expectation.rule.as_str())
            .map_or(&[][..], |a| a);
        for (index, alert) in alerts.iter().enumerate() {
            for (field, expected) in &expectation.output_fields {
                let actual = alert
                    .output_fields
                    .iter()
                    .find(|(name, _)| name == field)
                    .map(|(_, value)| value.clone());
                if actual.as_deref() != Some(expected.as_str()) {
                    failures.push(Failure::OutputField {
                        rule: expectation.rule.clone(),
                        alert: index + 1,
                        field: field.clone(),
                        expected: expected.clone(),
                        actual,
                    });
                }
            }
        }
    }
    let forbidden: Vec<&str> = match &case.not_fire {
        NotFire::Rules(rules) => rules.iter().map(|(rule, _)| rule.as_str()).collect(),
        NotFire::Others => rule_order
            .iter()
            .copied()
            .filter(|rule| !case.fire.iter().any(|e| e.rule == *rule))
            .collect(),
    };
    for rule in forbidden {
        let fired = count(rule);
        if fired > 0 {
            failures.push(Failure::Fired {
                rule: rule.to_owned(),
                count: fired,
            });
        }
    }
    if !failures.is_empty() {
        outcome.status = CaseStatus::Fail(failures);
    }
    outcome
}

/// The case's events, numbered from 1, or a message naming where reading failed.
fn read_case_events(file: &TestFile, case: &Case) -> Result<Vec<Event>, String> {
    let test_path = file.path.display();
    let (text, origin) = match &case.events {
        EventsSpec::Inline { text, positions } => (text.clone(), Origin::Inline(positions)),
        EventsSpec::File(path) => match std::fs::read(path) {
            Ok(bytes) if falco_scap::is_capture(&bytes) => return read_capture(path, bytes),
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => (text, Origin::File(path)),
                Err(error) => {
                    return Err(format!(
                        "`{}` is not UTF-8 (byte {})",
                        path.display(),
                        error.utf8_error().valid_up_to()
                    ));
                }
            },
            Err(error) => return Err(format!("cannot read `{}`: {error}", path.display())),
        },
    };
    let mut events = Vec::new();
    let mut errors = Vec::new();
    let source = match (&case.events, case.source_given) {
        (EventsSpec::File(_), false) => falco_events::detect_source(&text).unwrap_or(case.source),
        _ => case.source,
    };
    for result in falco_events::read_events(source, &text) {
        match result {
            Ok(event) => events.push(event),
            Err(error) => errors.push(match &origin {
                Origin::Inline(positions) => {
                    inline_error(&test_path.to_string(), positions, &error)
                }
                Origin::File(path) => format!("{}:{error}", path.display()),
            }),
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(errors.join("\n"))
    }
}

/// The events of a capture file (`.scap`), or what is wrong with it.
fn read_capture(path: &Path, bytes: Vec<u8>) -> Result<Vec<Event>, String> {
    let reader = falco_scap::ScapReader::open(std::io::Cursor::new(bytes))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))
}

enum Origin<'a> {
    Inline(&'a [falco_span::Position]),
    File(&'a PathBuf),
}

/// An error of the event reader on the generated JSON lines, placed at the event in the
/// test file (each inline event is one line of the generated text).
fn inline_error(test_path: &str, positions: &[falco_span::Position], error: &EventError) -> String {
    match error.line.checked_sub(1).and_then(|i| positions.get(i)) {
        Some(position) => format!(
            "{test_path}:{}:{}: event {}: {}",
            position.line, position.column, error.line, error.message
        ),
        None => format!("{test_path}: {}", error.message),
    }
}
