//! Falco's regression traces as a conformance suite: every test of Falco 0.34.1's
//! `falco_tests.yaml` (`../shared/corpus/falco-traces`) that needs only rules files and a
//! capture file compiles the rules, replays the capture through the VM with the test's
//! options (minimum priority, rules disabled by name or tag, rules enabled by tag) and
//! compares what Falco expected: whether anything fired, the priorities of the alerts,
//! the count per rule, and text the output must contain.
//!
//! Prints every test's verdict, the rate, and each disagreement (`-- --nocapture`). Tests
//! that need something else (a Falco configuration file, gRPC, output files, the default
//! rules of 0.34.1, a trace the corpus does not have, only rule validation) are listed as
//! not applicable with the reason. See "Falco's regression traces" in
//! `docs/conformance.md`.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use falco_analysis::inputs;
use falco_rulec::cli::compile::compile_files;
use falco_rulec_tests::corpus_dir;
use falco_span::FileId;
use falco_vm::{Engine, OutputOptions, Priority, RuleMatching};
use falco_yaml::Node;

/// Tests that do not agree, with why (each explained in docs/conformance.md). An entry that
/// starts passing makes the test fail, so the list stays honest.
const ALLOWED_FAILURES: &[(&str, &str)] = &[];

/// Why counts halved since 0.34.1 (see `TODAYS_COUNTS`).
const ENTER_EVENTS_DROPPED: &str = "libs 0.25 drops enter events before the rules: a rule \
     without evt.dir matches once per syscall, not twice";

/// Counts today's Falco (0.44.1 with libs 0.25.4, run on the same traces) gives where 0.34.1
/// expected otherwise: `(test, rule, count, why)`. The suite checks these; the 0.34.1 value
/// is printed beside.
const TODAYS_COUNTS: &[(&str, &str, u64, &str)] = &[
    (
        "rule_names_with_regex_chars",
        "Open From Cat ($\\.*+?()[]{}|^)",
        4,
        ENTER_EVENTS_DROPPED,
    ),
    (
        "multiple_rules_suppress_info",
        "open_from_cat",
        4,
        ENTER_EVENTS_DROPPED,
    ),
    ("catchall_order", "dev_null", 3, ENTER_EVENTS_DROPPED),
];

fn traces() -> PathBuf {
    corpus_dir().join("falco-traces")
}

/// One test of `falco_tests.yaml`, as far as this suite reads it.
#[derive(Debug, Default)]
struct Test {
    name: String,
    rules: Vec<PathBuf>,
    trace: Option<PathBuf>,
    detect: Option<bool>,
    levels: Vec<String>,
    counts: BTreeMap<String, u64>,
    min_priority: Option<String>,
    disabled_rules: Vec<String>,
    disable_tags: Vec<String>,
    run_tags: Vec<String>,
    json: bool,
    iso_8601: bool,
    json_output_property: bool,
    json_tags_property: bool,
    stdout_contains: Vec<String>,
    /// Why the test is not one of this suite's, if it is not.
    not_applicable: Option<String>,
}

fn strings(node: Option<&Node>) -> Vec<String> {
    match node {
        Some(n) => match n.as_sequence() {
            Some(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            None => n.as_str().map(str::to_owned).into_iter().collect(),
        },
        None => Vec::new(),
    }
}

fn flag(node: Option<&Node>) -> Option<bool> {
    node.and_then(Node::as_str)
        .map(|s| s.eq_ignore_ascii_case("true"))
}

fn load_tests() -> Vec<Test> {
    let path = traces().join("falco_tests.yaml");
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let (documents, diagnostics) = falco_yaml::parse(FileId(0), &source);
    assert!(diagnostics.is_empty(), "falco_tests.yaml does not parse");
    let root = documents
        .into_iter()
        .find_map(|d| d.root)
        .expect("falco_tests.yaml has a document");
    let tests = root
        .get("trace_files")
        .and_then(Node::as_mapping)
        .expect("falco_tests.yaml has `trace_files`");
    tests
        .iter()
        .map(|(name, body)| read_test(name.as_str().unwrap_or_default(), body))
        .collect()
}

fn read_test(name: &str, body: &Node) -> Test {
    let get = |key: &str| body.get(key);
    let mut test = Test {
        name: name.to_owned(),
        rules: strings(get("rules_file"))
            .iter()
            .map(|r| traces().join(r))
            .collect(),
        trace: get("trace_file")
            .and_then(Node::as_str)
            .map(|t| traces().join(t)),
        detect: flag(get("detect")),
        levels: strings(get("detect_level")),
        min_priority: get("priority").and_then(Node::as_str).map(str::to_owned),
        disabled_rules: strings(get("disabled_rules")),
        disable_tags: strings(get("disable_tags")),
        run_tags: strings(get("run_tags")),
        json: flag(get("json_output")) == Some(true),
        iso_8601: flag(get("time_iso_8601")) == Some(true),
        json_output_property: flag(get("json_include_output_property")) != Some(false),
        json_tags_property: flag(get("json_include_tags_property")) != Some(false),
        stdout_contains: strings(get("stdout_contains")),
        ..Test::default()
    };
    if let Some(items) = get("detect_counts").and_then(Node::as_sequence) {
        for item in items {
            for (rule, count) in item.as_mapping().unwrap_or_default() {
                let count = count.as_str().and_then(|c| c.parse().ok()).unwrap_or(0);
                test.counts
                    .insert(rule.as_str().unwrap_or_default().to_owned(), count);
            }
        }
    }
    for (name, rule, count, why) in TODAYS_COUNTS {
        if *name == test.name {
            let old = test.counts.insert((*rule).to_owned(), *count);
            println!("today {name}: `{rule}` {count} (0.34.1: {old:?}): {why}");
        }
    }
    let needs = |key: &str, why: &str| get(key).is_some().then(|| why.to_owned());
    test.not_applicable = needs("conf_file", "needs a Falco configuration file")
        .or_else(|| needs("grpc", "reads alerts over gRPC"))
        .or_else(|| needs("output_strictly_contains", "compares with output files"))
        .or_else(|| {
            needs(
                "validate_rules_file",
                "validates rules only (the loader cases cover that)",
            )
        })
        .or_else(|| needs("exit_status", "checks Falco's command line, not rules"))
        .or_else(|| {
            test.rules
                .is_empty()
                .then(|| "uses Falco 0.34.1's default rules, not in the corpus".to_owned())
        })
        .or_else(|| match &test.trace {
            Some(t) if t.exists() => None,
            Some(t) => Some(format!("its trace {} is not in the corpus", t.display())),
            None => Some("has no trace file".to_owned()),
        });
    test
}

/// The rules files of the test, directories expanded as Falco does.
fn rules_texts(rules: &[PathBuf]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for path in rules {
        let files = inputs::expand(path).map_err(|e| format!("{}: {e}", path.display()))?;
        for file in files {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            out.push((file.display().to_string(), text));
        }
    }
    Ok(out)
}

/// The VM for a test: its rules compiled through bundle bytes, with its rule selection
/// (`-D`: names containing a text, `-T`: tags disabled, `-t`: only these tags).
fn engine(test: &Test) -> Result<Engine, String> {
    let (analysis, compiled) = compile_files(rules_texts(&test.rules)?);
    let compiled = compiled.map_err(|e| {
        let first = analysis
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .map(|d| d.message.clone())
            .unwrap_or_default();
        format!("rules do not compile: {e} (first error: {first})")
    })?;
    let mut bundle = falco_bundle::decode(&compiled.bytes).map_err(|e| e.to_string())?;
    for rule in &mut bundle.rules {
        let tagged = |tags: &[String]| rule.tags.iter().any(|t| tags.contains(t));
        if test
            .disabled_rules
            .iter()
            .any(|d| rule.name.contains(d.as_str()))
            || tagged(&test.disable_tags)
            || (!test.run_tags.is_empty() && !tagged(&test.run_tags))
        {
            rule.enabled = false;
        }
    }
    let mut engine = Engine::from_bundle(bundle).map_err(|e| e.to_string())?;
    engine.set_rule_matching(RuleMatching::First);
    if let Some(p) = &test.min_priority {
        engine.set_min_priority(Priority::parse(p).ok_or(format!("bad priority {p}"))?);
    }
    Ok(engine)
}

/// Falco's priority name for a test's level (`WARNING`, `INFO`, ...).
fn same_priority(actual: Priority, expected: &str) -> bool {
    let expected = match expected.to_ascii_lowercase().as_str() {
        "info" => "informational".to_owned(),
        other => other.to_owned(),
    };
    actual.name().eq_ignore_ascii_case(&expected)
}

/// Runs one test; `Err` says how it disagrees.
fn run(test: &Test) -> Result<(), String> {
    let engine = engine(test)?;
    let trace = test.trace.as_deref().unwrap_or(Path::new(""));
    let file = std::fs::File::open(trace).map_err(|e| format!("{}: {e}", trace.display()))?;
    let reader = falco_scap::ScapReader::open(BufReader::new(file)).map_err(|e| e.to_string())?;
    let options = OutputOptions {
        json_include_output_property: test.json_output_property,
        json_include_tags_property: test.json_tags_property,
        time_format_iso_8601: test.iso_8601,
        ..OutputOptions::default()
    };
    let mut scratch = engine.scratch();
    let mut fired: BTreeMap<String, u64> = BTreeMap::new();
    let mut priorities = Vec::new();
    let mut lines = Vec::new();
    for event in reader {
        let event = event.map_err(|e| format!("reading the trace: {e}"))?;
        for alert in engine.process(&event, &mut scratch) {
            *fired.entry(alert.rule.clone()).or_default() += 1;
            priorities.push(alert.priority);
            lines.push(if test.json {
                alert.to_json(&options)
            } else {
                alert.to_text(&options)
            });
        }
    }
    let mut problems = Vec::new();
    match test.detect {
        Some(false) if !fired.is_empty() => {
            problems.push(format!("expected no alert, got {fired:?}"))
        }
        Some(true) if fired.is_empty() => problems.push("expected alerts, got none".into()),
        _ => {}
    }
    if test.detect == Some(true) {
        for level in &test.levels {
            if !priorities.iter().any(|p| same_priority(*p, level)) {
                problems.push(format!("no alert of level {level} (alerts: {fired:?})"));
            }
        }
    }
    for (rule, count) in &test.counts {
        let actual = fired.get(rule).copied().unwrap_or(0);
        if actual != *count {
            problems.push(format!(
                "`{rule}`: expected {count}, got {actual} (all: {fired:?})"
            ));
        }
    }
    for pattern in &test.stdout_contains {
        // `^(?!X)` (the runner's Python `re.search` on all of stdout) says X is absent; the
        // regex crate has no look-ahead, and X is checked on every alert line instead.
        match pattern
            .strip_prefix("^(?!")
            .and_then(|p| p.strip_suffix(')'))
        {
            Some(absent) => {
                let re = regex::Regex::new(absent).map_err(|e| e.to_string())?;
                if let Some(line) = lines.iter().find(|l| re.is_match(l)) {
                    problems.push(format!("an alert matches `{absent}`: {line}"));
                }
            }
            None => {
                let re = regex::Regex::new(pattern).map_err(|e| e.to_string())?;
                if !lines.iter().any(|l| re.is_match(l)) {
                    problems.push(format!(
                        "no output line matches `{pattern}` (first: {:?})",
                        lines.first()
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[test]
fn falco_regression_traces_agree() {
    let tests = load_tests();
    assert!(
        tests.len() > 90,
        "falco_tests.yaml has {} tests",
        tests.len()
    );
    let mut applicable = 0;
    let mut passed = 0;
    let mut unexpected = Vec::new();
    let mut allowed_but_passing = Vec::new();
    for test in &tests {
        if let Some(why) = &test.not_applicable {
            println!("n/a   {}: {why}", test.name);
            continue;
        }
        applicable += 1;
        let result = run(test);
        let allowed = ALLOWED_FAILURES.iter().find(|(name, _)| *name == test.name);
        match (&result, allowed) {
            (Ok(()), None) => {
                passed += 1;
                println!("pass  {}", test.name);
            }
            (Ok(()), Some(_)) => allowed_but_passing.push(test.name.clone()),
            (Err(why), Some((_, reason))) => {
                println!("known {}: {why} ({reason})", test.name);
            }
            (Err(why), None) => {
                println!("FAIL  {}: {why}", test.name);
                unexpected.push(test.name.clone());
            }
        }
    }
    println!(
        "Falco regression traces: {passed}/{applicable} applicable tests agree ({:.1}%), {} not applicable",
        100.0 * passed as f64 / applicable.max(1) as f64,
        tests.len() - applicable
    );
    assert!(unexpected.is_empty(), "tests disagree: {unexpected:?}");
    assert!(
        allowed_but_passing.is_empty(),
        "allowed failures now pass, remove them: {allowed_but_passing:?}"
    );
}
