//! The output formats, end to end: the JSON contract, SARIF, GitHub, GitLab, human.

use crate::support::*;
use serde_json::Value;

/// Two files whose diagnostics include a related label in the other file (a rule
/// redefined) and an error.
fn two_files() -> (std::path::PathBuf, Vec<String>) {
    let dir = scratch();
    let first = write(&dir, "a.yaml", CLEAN);
    let second = write(&dir, "b,c:d.yaml", UNKNOWN_FIELD);
    (
        dir,
        vec![first.display().to_string(), second.display().to_string()],
    )
}

fn lint(format: &str) -> Run {
    let (dir, files) = two_files();
    let mut args = vec!["lint", "--format", format];
    args.extend(files.iter().map(String::as_str));
    run_in(&dir, &args, &[])
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .map(|object| object.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    keys
}

fn is_position(value: &Value) -> bool {
    value.as_u64().is_some_and(|n| n >= 1)
}

#[test]
fn json_contract_keys_and_types() {
    let run = lint("json");
    let json = run.json();
    assert_eq!(keys(&json), ["diagnostics", "summary", "version"]);
    assert_eq!(json["version"], 2);
    assert_eq!(
        keys(&json["summary"]),
        ["errors", "files", "lists", "macros", "rules", "warnings"]
    );
    for key in ["errors", "files", "lists", "macros", "rules", "warnings"] {
        assert!(json["summary"][key].is_u64(), "summary.{key}");
    }
    let diagnostics = json["diagnostics"].as_array().expect("diagnostics array");
    assert!(!diagnostics.is_empty(), "{}", run.stdout);
    let mut related_seen = 0;
    for diagnostic in diagnostics {
        assert_eq!(
            keys(diagnostic),
            [
                "code",
                "column",
                "end_column",
                "end_line",
                "file",
                "help",
                "line",
                "message",
                "notes",
                "related",
                "severity"
            ]
        );
        assert!(
            diagnostic["notes"]
                .as_array()
                .expect("notes")
                .iter()
                .all(Value::is_string)
        );
        let code = diagnostic["code"].as_str().expect("code");
        assert!(falco_diagnostics::Code::parse(code).is_some(), "{code}");
        assert!(
            ["error", "warning", "info"]
                .contains(&diagnostic["severity"].as_str().expect("severity"))
        );
        assert!(diagnostic["message"].is_string());
        assert!(
            diagnostic["file"]
                .as_str()
                .expect("file")
                .ends_with(".yaml")
        );
        for key in ["line", "column", "end_line", "end_column"] {
            assert!(is_position(&diagnostic[key]), "{key}: {diagnostic}");
        }
        assert!(diagnostic["help"].is_string() || diagnostic["help"].is_null());
        for related in diagnostic["related"].as_array().expect("related array") {
            related_seen += 1;
            assert_eq!(keys(related), ["column", "file", "line", "message"]);
            assert!(related["message"].is_string() && related["file"].is_string());
            assert!(is_position(&related["line"]) && is_position(&related["column"]));
        }
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .count();
    assert_eq!(json["summary"]["errors"], errors);
    assert_eq!(json["summary"]["files"], 2);
    // The rule is redefined in the second file: its diagnostic points back at the first.
    assert!(related_seen > 0, "{}", run.stdout);
    assert_eq!(run.code, 1);
}

#[test]
fn sarif_is_well_formed() {
    let run = lint("sarif");
    let sarif = run.json();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif-2.1.0"))
    );
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "falco-rulec");
    let rules = driver["rules"].as_array().expect("rules");
    for rule in rules {
        let id = rule["id"].as_str().expect("id");
        let code = falco_diagnostics::Code::parse(id).expect("known code");
        assert_eq!(rule["name"], code.name());
        assert_eq!(rule["helpUri"], code.url());
        assert!(rule["shortDescription"]["text"].is_string());
    }
    let results = runs[0]["results"].as_array().expect("results");
    assert!(!results.is_empty(), "{}", run.stdout);
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().expect("level")));
        assert!(result["message"]["text"].is_string());
        let region = &result["locations"][0]["physicalLocation"]["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(is_position(&region[key]), "{key}: {result}");
        }
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(!uri.contains(',') && !uri.contains(' '), "{uri}");
    }
}

#[test]
fn github_commands_are_escaped() {
    let run = lint("github");
    assert!(!run.stdout.is_empty());
    for line in run.stdout.lines() {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
        let (properties, _message) = line[2..].split_once("::").expect("two parts");
        assert!(
            properties.contains(",line=") && properties.contains(",title="),
            "{line}"
        );
    }
    assert!(run.stdout.contains("b%2Cc%3Ad.yaml"), "{}", run.stdout);
    assert!(
        run.stdout.contains("title=E401 unknown-field::"),
        "{}",
        run.stdout
    );
}

#[test]
fn gitlab_code_quality_report_is_an_array_of_issues() {
    let run = lint("gitlab");
    assert_eq!(run.code, 1, "an error fails the step: {}", run.stdout);
    let json = run.json();
    let issues = json.as_array().expect("an array");
    let unknown = issues
        .iter()
        .find(|issue| issue["check_name"] == "E401 unknown-field")
        .expect("the misspelled field is reported");
    assert_eq!(
        keys(unknown),
        [
            "check_name",
            "description",
            "fingerprint",
            "location",
            "severity"
        ]
    );
    assert_eq!(unknown["severity"], "major");
    assert!(
        unknown["location"]["path"]
            .as_str()
            .is_some_and(|path| path.ends_with("b,c:d.yaml")),
        "{unknown}"
    );
    assert!(is_position(&unknown["location"]["lines"]["begin"]));
}

#[test]
fn human_output_ends_with_a_summary() {
    let run = lint("human");
    let last = run.stdout.lines().last().unwrap_or_default();
    assert!(last.starts_with("linted 2 files ("), "{last}");
    assert!(run.stdout.contains("[E401] error: "), "{}", run.stdout);
}

/// E107's list of valid priorities is a note: every machine format carries it.
#[test]
fn notes_reach_json_sarif_and_github() {
    let dir = scratch();
    let file = write(
        &dir,
        "rules.yaml",
        "- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: BOGUS\n",
    );
    let file = file.to_str().expect("utf-8");
    let json = run_in(&dir, &["lint", "--format", "json", file], &[]).json();
    let e107 = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "E107")
        .cloned()
        .expect("E107");
    let notes = e107["notes"].as_array().expect("notes");
    assert!(!notes.is_empty(), "{e107}");
    let note = notes[0].as_str().expect("a string");
    assert!(note.contains("Informational"), "{note}");
    let sarif = run_in(&dir, &["lint", "--format", "sarif", file], &[]).json();
    let message = sarif["runs"][0]["results"][0]["message"]["text"]
        .as_str()
        .expect("message");
    assert!(message.contains(&format!("\nnote: {note}")), "{message}");
    let github = run_in(&dir, &["lint", "--format", "github", file], &[]);
    assert!(github.stdout.contains("%0Anote: "), "{}", github.stdout);
}
