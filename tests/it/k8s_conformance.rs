//! Falco's own expectations for Kubernetes audit events: every case of
//! `../shared/corpus/k8s-audit-events/expected.yaml` (both suites) compiles the named rules
//! files, replays the named event file through the VM (`rule_matching: first`, as Falco
//! runs them) and compares the detections: the same rules with the same counts, an alert of
//! the expected priority, and no alert where none is expected. Cases that read a bad event
//! file expect the reader's error instead.
//!
//! Prints the pass rate and every disagreement (`-- --nocapture`). See the "Kubernetes
//! audit conformance" section of `docs/conformance.md`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use falco_events::{Source, read_events};
use falco_rulec::cli::compile::compile_files;
use falco_rulec_tests::corpus_dir;
use falco_span::FileId;
use falco_yaml::Node;

/// Cases that cannot pass, with why. Empty: every case agrees. An entry that starts
/// passing makes the test fail, so the list stays honest.
const ALLOWED_FAILURES: &[(&str, &str)] = &[];

/// One case of `expected.yaml`.
struct Case {
    suite: String,
    name: String,
    event_file: PathBuf,
    rules_files: Vec<PathBuf>,
    expect_detection: Option<bool>,
    priority: Option<String>,
    detections: BTreeMap<String, u64>,
    stderr: Option<String>,
}

fn corpus() -> PathBuf {
    corpus_dir().join("k8s-audit-events")
}

/// The rules file a `rules_files` entry names. The placeholders stand for files the corpus
/// keeps elsewhere: falco_rules.yaml of falco-rules-1.0.1 (syscall rules; its lists are
/// used by the old audit rules), and the installed k8s audit rules (nearest copy named in
/// the placeholder).
fn rules_path(entry: &str) -> PathBuf {
    let dir = corpus();
    if entry.starts_with("<falco_rules.yaml") {
        dir.join("rules/falco_rules-1.0.1.yaml")
    } else if let Some(rest) = entry.strip_prefix("<installed k8s_audit_rules.yaml") {
        let copy = rest
            .split("nearest copy: ")
            .nth(1)
            .map(|s| s.trim_end_matches('>'))
            .unwrap_or("../plugin-rules/k8s_audit_rules.yaml");
        dir.join(copy)
    } else {
        dir.join(entry)
    }
}

fn text(node: &Node) -> String {
    node.as_str().unwrap_or_default().to_owned()
}

fn load_cases() -> Vec<Case> {
    let path = corpus().join("expected.yaml");
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let (documents, diagnostics) = falco_yaml::parse(FileId(0), &source);
    assert!(diagnostics.is_empty(), "expected.yaml does not parse");
    let root = documents
        .into_iter()
        .find_map(|d| d.root)
        .expect("expected.yaml has a document");
    let mut cases = Vec::new();
    for suite in ["legacy_python_suite", "testing_repo_suite"] {
        let items = root
            .get(suite)
            .and_then(Node::as_sequence)
            .unwrap_or_else(|| panic!("expected.yaml has no `{suite}`"));
        for item in items {
            let field = |key: &str| item.get(key).map(text);
            let detections = item
                .get("detections")
                .and_then(Node::as_mapping)
                .map(|pairs| {
                    pairs
                        .iter()
                        .map(|(k, v)| (text(k), text(v).parse().expect("a count")))
                        .collect()
                })
                .unwrap_or_default();
            cases.push(Case {
                suite: suite.to_owned(),
                name: field("name").expect("a case name"),
                event_file: corpus().join(field("event_file").expect("an event file")),
                rules_files: item
                    .get("rules_files")
                    .and_then(Node::as_sequence)
                    .unwrap_or_default()
                    .iter()
                    .map(|n| rules_path(&text(n)))
                    .collect(),
                expect_detection: item
                    .get("expect_detection")
                    .and_then(Node::as_str)
                    .map(|s| s == "true"),
                priority: field("priority"),
                detections,
                stderr: field("stderr_contains").or_else(|| field("stderr_regexp")),
            });
        }
    }
    cases
}

/// Whether Falco's priority name `actual` (`Informational`) is the test's `expected`
/// (`INFO`): Falco reads priorities without case, and `info` for `informational`.
fn same_priority(actual: &str, expected: &str) -> bool {
    let expected = expected.to_ascii_lowercase();
    let expected = if expected == "info" {
        "informational"
    } else {
        expected.as_str()
    };
    actual.eq_ignore_ascii_case(expected)
}

/// Compiled rules, by the list of rules files (several cases share one).
type Engines = HashMap<Vec<PathBuf>, Result<falco_vm::Engine, String>>;

/// Compiles `rules_files` into a VM, through the bundle bytes (so the verifier runs).
fn engine(rules_files: &[PathBuf]) -> Result<falco_vm::Engine, String> {
    let mut files = Vec::new();
    for path in rules_files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        files.push((path.display().to_string(), text));
    }
    let (analysis, compiled) = compile_files(files);
    let compiled = compiled.map_err(|e| {
        let first = analysis
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .map(|d| d.message.clone())
            .unwrap_or_default();
        format!("rules do not compile: {e} (first error: {first})")
    })?;
    falco_vm::Engine::load(&compiled.bytes).map_err(|e| e.to_string())
}

/// Runs one case; `Err` says how it disagrees.
fn run_case(case: &Case, engines: &mut Engines) -> Result<(), String> {
    let engine = engines
        .entry(case.rules_files.clone())
        .or_insert_with(|| engine(&case.rules_files))
        .as_ref()
        .map_err(Clone::clone)?;
    let events_text = std::fs::read_to_string(&case.event_file)
        .map_err(|e| format!("cannot read {}: {e}", case.event_file.display()))?;
    let mut scratch = engine.scratch();
    let mut fired: BTreeMap<String, u64> = BTreeMap::new();
    let mut priorities = Vec::new();
    let mut read_errors = Vec::new();
    for event in read_events(Source::K8sAudit, &events_text) {
        match event {
            Ok(event) => {
                for alert in engine.process(&event, &mut scratch) {
                    *fired.entry(alert.rule.clone()).or_default() += 1;
                    priorities.push(alert.priority.name().to_owned());
                }
            }
            Err(error) => read_errors.push(error.to_string()),
        }
    }
    let mut problems = Vec::new();
    match &case.stderr {
        Some(expected) if !read_errors.iter().any(|e| e.contains(expected.as_str())) => {
            problems.push(format!(
                "expected the reader error `{expected}`, got {read_errors:?}"
            ));
        }
        None if !read_errors.is_empty() => {
            problems.push(format!("unexpected reader errors {read_errors:?}"));
        }
        _ => {}
    }
    match case.expect_detection {
        Some(false) if !fired.is_empty() => {
            problems.push(format!("expected no alert, got {fired:?}"));
        }
        Some(true) if fired.is_empty() => problems.push("expected alerts, got none".into()),
        _ => {}
    }
    for (rule, count) in &case.detections {
        let actual = fired.get(rule).copied().unwrap_or(0);
        if actual != *count {
            problems.push(format!(
                "`{rule}`: expected {count}, got {actual} (all: {fired:?})"
            ));
        }
    }
    // The priority is that of at least one alert, so it says nothing when none is expected.
    if let Some(priority) = &case.priority
        && case.expect_detection != Some(false)
        && !priorities.iter().any(|p| same_priority(p, priority))
    {
        problems.push(format!(
            "no alert with priority {priority} (got {priorities:?})"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[test]
fn k8s_audit_expectations_hold() {
    let cases = load_cases();
    assert_eq!(cases.len(), 132, "expected.yaml has 66 + 66 cases");
    let mut engines = Engines::new();
    let results: Vec<(&Case, Result<(), String>)> = cases
        .iter()
        .map(|case| (case, run_case(case, &mut engines)))
        .collect();
    let mut unexpected = Vec::new();
    let mut allowed_but_passing = Vec::new();
    for (case, result) in &results {
        let allowed = ALLOWED_FAILURES.iter().find(|(name, _)| *name == case.name);
        match (result, allowed) {
            (Ok(()), None) => {}
            (Ok(()), Some(_)) => allowed_but_passing.push(case.name.clone()),
            (Err(why), Some((_, reason))) => {
                println!("allowed: {}/{}: {why} ({reason})", case.suite, case.name);
            }
            (Err(why), None) => unexpected.push(format!("{}/{}: {why}", case.suite, case.name)),
        }
    }
    for suite in ["legacy_python_suite", "testing_repo_suite"] {
        let of_suite = results.iter().filter(|(c, _)| c.suite == suite);
        let total = of_suite.clone().count();
        let ok = of_suite.filter(|(_, r)| r.is_ok()).count();
        println!("k8s audit conformance, {suite}: {ok}/{total}");
    }
    let passed = results.iter().filter(|(_, r)| r.is_ok()).count();
    println!(
        "k8s audit conformance: {passed}/{} ({:.1}%)",
        results.len(),
        100.0 * passed as f64 / results.len() as f64
    );
    for line in &unexpected {
        println!("FAIL {line}");
    }
    assert!(unexpected.is_empty(), "{} cases disagree", unexpected.len());
    assert!(
        allowed_but_passing.is_empty(),
        "allowed failures now pass, remove them: {allowed_but_passing:?}"
    );
}

/// The file names of the corpus resolve (a renamed corpus file must not silently turn
/// cases into "no alert").
#[test]
fn k8s_audit_cases_name_existing_files() {
    for case in load_cases() {
        assert!(
            case.event_file.is_file(),
            "{}: {}",
            case.name,
            case.event_file.display()
        );
        for path in &case.rules_files {
            assert!(
                Path::new(path).is_file(),
                "{}: {}",
                case.name,
                path.display()
            );
        }
    }
}
