//! Driver tests, including agreement with Falco's loader on the upstream loader cases.

use std::collections::BTreeSet;
use std::path::PathBuf;

use falco_diagnostics::Severity;
use serde_json::Value;

use super::*;

fn corpus(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/corpus")
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

/// One typical mistake: the rules text, the code expected, and the 1-based line and
/// column where the diagnostic must point.
struct Mistake {
    name: &'static str,
    files: &'static [&'static str],
    code: &'static str,
    file: u32,
    line: u32,
    column: u32,
}

const MISTAKES: &[Mistake] = &[
    Mistake {
        name: "unknown field inside a folded block scalar",
        files: &[
            "- rule: r\n  desc: d\n  condition: >\n    evt.type = execve and\n    proc.nmae = bash\n  output: o\n  priority: INFO\n",
        ],
        code: "E401",
        file: 0,
        line: 5,
        column: 5,
    },
    Mistake {
        name: "unknown field in an output",
        files: &[
            "- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: started %proc.nmae\n  priority: INFO\n",
        ],
        code: "E502",
        file: 0,
        line: 4,
        column: 20,
    },
    Mistake {
        name: "undefined macro in a literal block scalar",
        files: &[
            "- rule: r\n  desc: d\n  condition: |\n    evt.type = execve\n      and spawned_proces\n  output: o\n  priority: INFO\n",
        ],
        code: "E203",
        file: 0,
        line: 5,
        column: 11,
    },
    Mistake {
        name: "bad operator",
        files: &[
            "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name equals bash\n  output: o\n  priority: INFO\n",
        ],
        code: "E306",
        file: 0,
        line: 3,
        column: 46,
    },
    Mistake {
        name: "missing value",
        files: &[
            "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name =\n  output: o\n  priority: INFO\n",
        ],
        code: "E303",
        file: 0,
        line: 3,
        column: 47,
    },
    Mistake {
        name: "unbalanced parentheses",
        files: &[
            "- rule: r\n  desc: d\n  condition: >\n    evt.type = execve and\n    (proc.name = bash\n  output: o\n  priority: INFO\n",
        ],
        code: "E302",
        file: 0,
        line: 5,
        column: 5,
    },
    Mistake {
        name: "missing required key",
        files: &["- rule: r\n  desc: d\n  condition: evt.type = execve\n  priority: INFO\n"],
        code: "E104",
        file: 0,
        line: 1,
        column: 9,
    },
    Mistake {
        name: "unknown priority",
        files: &[
            "- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: URGENT\n",
        ],
        code: "E107",
        file: 0,
        line: 5,
        column: 13,
    },
    Mistake {
        name: "field of another source",
        files: &[
            "- rule: r\n  desc: d\n  condition: evt.type = execve and ka.verb = create\n  output: o\n  priority: INFO\n",
        ],
        code: "E402",
        file: 0,
        line: 3,
        column: 36,
    },
    Mistake {
        name: "non-numeric value for a numeric field",
        files: &[
            "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.pid = abc\n  output: o\n  priority: INFO\n",
        ],
        code: "E404",
        file: 0,
        line: 3,
        column: 47,
    },
    Mistake {
        name: "operator on the wrong type",
        files: &[
            "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.pid glob 1*\n  output: o\n  priority: INFO\n",
        ],
        code: "E403",
        file: 0,
        line: 3,
        column: 45,
    },
    Mistake {
        name: "transformer on the wrong type",
        files: &[
            "- rule: r\n  desc: d\n  condition: evt.type = execve and tolower(proc.pid) = 1\n  output: o\n  priority: INFO\n",
        ],
        code: "E407",
        file: 0,
        line: 3,
        column: 36,
    },
    Mistake {
        name: "non-numeric index",
        files: &[
            "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.aname[x] = bash\n  output: o\n  priority: INFO\n",
        ],
        code: "E406",
        file: 0,
        line: 3,
        column: 47,
    },
    Mistake {
        name: "append to a rule that does not exist, in a second file",
        files: &[
            "- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n",
            "- rule: rr\n  condition: and proc.name = bash\n  override:\n    condition: append\n",
        ],
        code: "E202",
        file: 1,
        line: 1,
        column: 9,
    },
    Mistake {
        name: "exception arity mismatch",
        files: &[
            "- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n  exceptions:\n    - name: e\n      fields: [proc.name, proc.pname]\n      values:\n        - [bash]\n",
        ],
        code: "E205",
        file: 0,
        line: 10,
        column: 11,
    },
    Mistake {
        name: "YAML syntax error",
        files: &[
            "- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: [o\n  priority: INFO\n",
        ],
        code: "E101",
        file: 0,
        line: 5,
        column: 11,
    },
];

#[test]
fn typical_mistakes_point_at_their_line_and_column() {
    let mut failures = Vec::new();
    for mistake in MISTAKES {
        let files = mistake
            .files
            .iter()
            .enumerate()
            .map(|(index, text)| (format!("f{index}.yaml"), text.to_string()))
            .collect();
        let analysis = analyze(files);
        let found = analysis
            .diagnostics
            .iter()
            .find(|d| d.code.as_str() == mistake.code);
        let Some(diagnostic) = found else {
            failures.push(format!(
                "{}: no {} in {:?}",
                mistake.name,
                mistake.code,
                summary(&analysis)
            ));
            continue;
        };
        let file = analysis.file(diagnostic.primary.span.file).expect("file");
        let position = file
            .line_index
            .position(&file.text, diagnostic.primary.span.span.start);
        let at = (
            diagnostic.primary.span.file.0,
            position.line,
            position.column,
        );
        if at != (mistake.file, mistake.line, mistake.column) || !diagnostic.is_error() {
            failures.push(format!(
                "{}: {} at {at:?} ({}), expected {:?}",
                mistake.name,
                mistake.code,
                diagnostic.severity,
                (mistake.file, mistake.line, mistake.column)
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn summary(analysis: &Analysis) -> Vec<String> {
    analysis
        .diagnostics
        .iter()
        .map(|d| {
            let file = analysis.file(d.primary.span.file).expect("file");
            let position = file
                .line_index
                .position(&file.text, d.primary.span.span.start);
            format!(
                "{} {}:{} {}",
                d.code.as_str(),
                position.line,
                position.column,
                d.message
            )
        })
        .collect()
}

fn lint_corpus(paths: &[&str]) -> Analysis {
    analyze(
        paths
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(corpus(path)).expect("corpus file");
                (path.to_string(), text)
            })
            .collect(),
    )
}

fn count(analysis: &Analysis, code: &str, message_part: &str) -> usize {
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == code && d.message.contains(message_part))
        .count()
}

#[test]
fn current_upstream_rules_lint_clean() {
    let analysis = lint_corpus(&[
        "upstream-rules/falco_rules.yaml",
        "upstream-rules/falco-incubating_rules.yaml",
        "upstream-rules/falco-sandbox_rules.yaml",
    ]);
    assert_eq!(analysis.error_count(), 0, "{:#?}", summary(&analysis));
    assert_eq!(analysis.warning_count(), 0, "{:#?}", summary(&analysis));
}

#[test]
fn rules_of_2021_give_the_warnings_falco_gives() {
    let analysis = lint_corpus(&[
        "upstream-rules-2021/falco_rules.yaml",
        "upstream-rules-2021/k8s_audit_rules.yaml",
    ]);
    assert_eq!(analysis.error_count(), 0, "{:#?}", summary(&analysis));
    // Falco warns about `evt.dir` 50 times, once per rule that reaches each
    // use; we warn once per use (15), at the macro or rule where it is written.
    assert_eq!(count(&analysis, "W401", "`evt.dir`"), 15);
    assert_eq!(count(&analysis, "W401", "`%container.info`"), 19);
    assert_eq!(count(&analysis, "W206", ""), 3);
    assert_eq!(count(&analysis, "W202", ""), 1);
    assert_eq!(
        analysis.warning_count(),
        15 + 19 + 3 + 1,
        "{:#?}",
        summary(&analysis)
    );
}

#[test]
fn plugin_rules_lint_without_errors() {
    for files in [
        &[
            "plugin-rules/k8s_audit_rules.yaml",
            "plugin-rules/k8s_audit_rules_gke.yaml",
        ][..],
        &["plugin-rules/aws_cloudtrail_rules.yaml"],
        &["plugin-rules/gcp_auditlog_rules.yaml"],
        &["plugin-rules/github.yaml"],
        &["plugin-rules/okta_rules.yaml"],
        &["plugin-rules/k8smeta_example_rule.yaml"],
    ] {
        let analysis = lint_corpus(files);
        assert_eq!(
            analysis.error_count(),
            0,
            "{files:?}: {:#?}",
            summary(&analysis)
        );
    }
}

fn lint_text(text: &str) -> Analysis {
    analyze(vec![("rules.yaml".to_owned(), text.to_owned())])
}

#[test]
fn a_rule_with_a_type_error_gets_no_event_type_warning() {
    // Falco stops at the error; the rule never reaches the event-type check.
    for condition in [
        "proc.nam = bash",
        "spawned and proc.name = bash",
        "proc.name = bash",
    ] {
        let text = format!(
            "- macro: spawned\n  condition: proc.pnam = bash\n- rule: r\n  desc: d\n  condition: {condition}\n  output: o\n  priority: INFO\n"
        );
        let analysis = lint_text(&text);
        let has = |code: &str| count(&analysis, code, "") > 0;
        match condition {
            "proc.name = bash" => assert!(has("W206"), "{:#?}", summary(&analysis)),
            _ => assert!(
                analysis.error_count() > 0 && !has("W206"),
                "{condition}: {:#?}",
                summary(&analysis)
            ),
        }
    }
    // A rule the loader rejected a value of: Falco never compiles it either.
    let bad_priority = lint_text(
        "- rule: r\n  desc: d\n  condition: proc.name = bash\n  output: o\n  priority: WARN\n",
    );
    assert_eq!(
        summary(&bad_priority).len(),
        1,
        "{:#?}",
        summary(&bad_priority)
    );
    assert_eq!(count(&bad_priority, "E107", ""), 1);
    let output_error = lint_text(
        "- rule: r\n  desc: d\n  condition: proc.name = bash\n  output: o %proc.nam\n  priority: INFO\n",
    );
    assert_eq!(
        count(&output_error, "W206", ""),
        0,
        "{:#?}",
        summary(&output_error)
    );
}

#[test]
fn a_macro_loop_is_an_error_and_its_rules_get_no_event_type_warning() {
    let analysis = lint_text(
        "- macro: a\n  condition: evt.type = open\n- macro: b\n  condition: a\n- macro: a\n  condition: b or evt.type = close\n- rule: r\n  desc: d\n  condition: a\n  output: o\n  priority: INFO\n",
    );
    assert_eq!(count(&analysis, "E208", ""), 1, "{:#?}", summary(&analysis));
    assert_eq!(count(&analysis, "W206", ""), 0, "{:#?}", summary(&analysis));
}

const BROKEN_MACRO_AND_RULE: &str = "- macro: m\n  condition: proc.nam = x\n- rule: r\n  desc: d\n  condition: evt.type = open and m\n  output: o\n  priority: INFO\n";
const FIXED_MACRO: &str = "- macro: m\n  condition: proc.name = x\n";

fn two_files(first: &str, second: &str) -> Analysis {
    analyze(vec![
        ("a.yaml".to_owned(), first.to_owned()),
        ("b.yaml".to_owned(), second.to_owned()),
    ])
}

#[test]
fn a_macro_replaced_by_a_later_file_is_checked_as_falco_loaded_it() {
    // Falco compiles the rules after a.yaml: "filter_check called with
    // nonexistent field proc.nam", although b.yaml fixes the macro.
    let override_replace =
        "- macro: m\n  condition: proc.name = x\n  override:\n    condition: replace\n";
    for replacement in [FIXED_MACRO, override_replace] {
        let analysis = two_files(BROKEN_MACRO_AND_RULE, replacement);
        let errors: Vec<&Diagnostic> = analysis
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.is_error())
            .collect();
        assert_eq!(errors.len(), 1, "{:#?}", summary(&analysis));
        let error = errors[0];
        assert_eq!(error.primary.span.file, FileId(0));
        let at = BROKEN_MACRO_AND_RULE.find("proc.nam").unwrap() as u32;
        assert_eq!(error.primary.span.span.start, at);
        assert_eq!(error.related.len(), 1, "{error:#?}");
        assert_eq!(error.related[0].span.file, FileId(1));
        assert_eq!(error.related[0].span.span.start, 9);
        assert!(error.related[0].message.contains("replaced"), "{error:#?}");
        assert_eq!(analysis.ruleset.superseded_macros.len(), 1);
        assert_eq!(analysis.typed.superseded_macros.len(), 1);
    }
}

#[test]
fn a_replaced_macro_that_no_loaded_rule_reached_is_not_compiled() {
    // Falco: a.yaml "Ok, with warnings" (unused macro), b.yaml Ok.
    let broken_macro = "- macro: m\n  condition: proc.nam = x\n";
    let rule =
        "- rule: r\n  desc: d\n  condition: evt.type = open and m\n  output: o\n  priority: INFO\n";
    let analysis = two_files(broken_macro, &format!("{FIXED_MACRO}{rule}"));
    assert_eq!(analysis.error_count(), 0, "{:#?}", summary(&analysis));
    // Replaced in the same file: Falco never compiled the first definition.
    let analysis = lint_text(&format!("{BROKEN_MACRO_AND_RULE}{FIXED_MACRO}"));
    assert_eq!(analysis.error_count(), 0, "{:#?}", summary(&analysis));
    assert!(analysis.ruleset.superseded_macros.is_empty());
}

#[test]
fn a_replaced_macro_with_a_syntax_error_or_an_undefined_macro_is_an_error() {
    for broken in [
        "- macro: m\n  condition: proc.name = (\n",
        "- macro: m\n  condition: not_defined_yet\n",
    ] {
        let analysis = two_files(broken, FIXED_MACRO);
        let errors: Vec<&Diagnostic> = analysis
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.is_error())
            .collect();
        assert!(!errors.is_empty(), "{broken}: {:#?}", summary(&analysis));
        for error in errors {
            assert_eq!(error.primary.span.file, FileId(0), "{error:#?}");
            assert_eq!(error.related.len(), 1, "{error:#?}");
        }
    }
}

#[test]
fn a_warning_inside_a_macro_is_reported_once_at_the_macro() {
    let text = "- macro: opened\n  condition: evt.dir = < and fd.name = /etc/shadow\n- rule: a\n  desc: d\n  condition: evt.type = open and opened\n  output: o\n  priority: INFO\n- rule: b\n  desc: d\n  condition: evt.type = openat and opened\n  output: o\n  priority: INFO\n";
    let analysis = lint_text(text);
    let warnings: Vec<&Diagnostic> = analysis
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == falco_diagnostics::Code::W401)
        .collect();
    assert_eq!(warnings.len(), 1, "{:#?}", summary(&analysis));
    let warning = warnings[0];
    let at = text.find("evt.dir").unwrap() as u32;
    assert_eq!(warning.primary.span.span.start, at);
    let related: Vec<(u32, &str)> = warning
        .related
        .iter()
        .map(|label| (label.span.span.start, label.message.as_str()))
        .collect();
    assert_eq!(
        related,
        [
            (
                text.find("and opened").unwrap() as u32 + 4,
                "rule `a` reaches the macro here"
            ),
            (
                text.rfind("and opened").unwrap() as u32 + 4,
                "rule `b` reaches the macro here"
            ),
        ]
    );
}

/// A macro and a rule with four independent errors. Falco 0.44.1 (`falco -V`)
/// reports one per run, and each fix brings up the next: `Invalid priority`, then
/// `Can't decode YAML scalar value` (`enabled`), then the output's unknown field,
/// then `'startswith' operator not supported for numeric filters` (in the macro).
const FOUR_ERRORS: &str = "- macro: spawned
  condition: evt.type = execve and proc.pid startswith 1
- rule: Shell spawned
  desc: a shell was spawned
  condition: spawned and proc.name = bash
  output: \"shell %proc.nmae by %user.name\"
  priority: WARN
  enabled: maybe
";

/// The fixes of [`FOUR_ERRORS`], in the order Falco asks for them: what is
/// replaced, by what, and the code of the error it fixes.
const FIXES: &[(&str, &str, &str)] = &[
    ("priority: WARN", "priority: WARNING", "E107"),
    ("enabled: maybe", "enabled: true", "E106"),
    ("%proc.nmae", "%proc.name", "E502"),
    ("proc.pid startswith 1", "proc.pid = 1", "E403"),
];

/// Every error of an item is reported in one run: fixing one removes exactly that
/// one and brings up nothing new (no warning either), down to a clean file. With
/// `FALCO_BIN` and `FALCO_CONFIG` set, each step's file also goes through Falco,
/// whose one error must be one of ours.
#[test]
fn independent_errors_are_reported_in_one_run_and_a_fix_brings_up_nothing_new() {
    let mut text = FOUR_ERRORS.to_owned();
    for step in 0..=FIXES.len() {
        let mut expected: Vec<&str> = FIXES[step..].iter().map(|fix| fix.2).collect();
        expected.sort_unstable();
        let analysis = lint_text(&text);
        let mut ours: Vec<&str> = analysis
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.code.as_str())
            .collect();
        ours.sort_unstable();
        assert_eq!(ours, expected, "{text}\n{:#?}", summary(&analysis));
        if let Some(theirs) = falco_errors(&text) {
            let falco_codes: Vec<&str> = analysis
                .diagnostics
                .iter()
                .filter_map(|diagnostic| diagnostic.code.falco_code())
                .collect();
            assert!(
                theirs.len() <= 1
                    && theirs
                        .iter()
                        .all(|code| falco_codes.contains(&code.as_str())),
                "Falco: {theirs:?}, ours: {falco_codes:?}\n{text}"
            );
            assert_eq!(theirs.is_empty(), expected.is_empty(), "{text}");
        }
        if let Some((from, to, _)) = FIXES.get(step) {
            text = text.replace(from, to);
        }
    }
}

/// The error codes a real Falco reports for `text` (`falco -V`), when `FALCO_BIN`
/// and `FALCO_CONFIG` name one.
fn falco_errors(text: &str) -> Option<Vec<String>> {
    let (Ok(falco), Ok(config)) = (std::env::var("FALCO_BIN"), std::env::var("FALCO_CONFIG"))
    else {
        return None;
    };
    let path = std::env::temp_dir().join(format!("falco-recovery-{}.yaml", std::process::id()));
    std::fs::write(&path, text).expect("scratch file");
    let output = std::process::Command::new(falco)
        .args(["-c", &config, "-o", "json_output=true", "-V"])
        .arg(&path)
        .output()
        .expect("Falco runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let start = stdout.find('{').expect("Falco prints its load results");
    let results: Value = serde_json::Deserializer::from_str(&stdout[start..])
        .into_iter()
        .next()
        .expect("one JSON document")
        .expect("Falco's JSON");
    Some(
        results["falco_load_results"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|file| file["errors"].as_array().into_iter().flatten())
            .filter_map(|error| error["code"].as_str().map(str::to_owned))
            .collect(),
    )
}

/// A rules text built around one long value (`{a255}`, `{a256}`: that many `a`s;
/// `{h255}`, `{h256}`: that many bytes as hex) and whether Falco 0.44.1 loads it
/// (`falco -V`, checked by hand on each case: "filter parameter too long").
struct LongValueCase {
    name: &'static str,
    yaml: &'static str,
    falco_loads: bool,
}

const RULE_WITH: &str = "- rule: r\n  desc: d\n  condition: evt.type = open and {condition}\n  output: o %proc.name\n  priority: WARNING\n  enabled: {enabled}\n";

const LONG_VALUE_CASES: &[LongValueCase] = &[
    LongValueCase {
        name: "= with 255 bytes",
        yaml: "proc.name = {a255}",
        falco_loads: true,
    },
    LongValueCase {
        name: "= with 256 bytes",
        yaml: "proc.name = {a256}",
        falco_loads: false,
    },
    LongValueCase {
        name: "quoted, 256 bytes",
        yaml: "proc.name = \"{a256}\"",
        falco_loads: false,
    },
    LongValueCase {
        name: "contains",
        yaml: "proc.cmdline contains {a256}",
        falco_loads: false,
    },
    LongValueCase {
        name: "in",
        yaml: "proc.name in (x, {a256})",
        falco_loads: false,
    },
    LongValueCase {
        name: "startswith",
        yaml: "fd.name startswith {a256}",
        falco_loads: false,
    },
    LongValueCase {
        name: "regex",
        yaml: "fd.name regex {a256}",
        falco_loads: false,
    },
    LongValueCase {
        name: "under a transformer",
        yaml: "tolower(proc.name) = {a256}",
        falco_loads: false,
    },
    LongValueCase {
        name: "an event argument",
        yaml: "evt.arg.name = {a256}",
        falco_loads: false,
    },
    LongValueCase {
        name: "bcontains with 255 bytes",
        yaml: "evt.buffer bcontains {h255}",
        falco_loads: true,
    },
    LongValueCase {
        name: "bcontains with 256 bytes",
        yaml: "evt.buffer bcontains {h256}",
        falco_loads: false,
    },
    LongValueCase {
        name: "a number field takes a longer text",
        yaml: "proc.pid = 0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
        falco_loads: true,
    },
    LongValueCase {
        name: "in a disabled rule",
        yaml: "DISABLED proc.name = {a256}",
        falco_loads: false,
    },
    LongValueCase {
        name: "through a list",
        yaml: "- list: l\n  items: [x, {a256}]\n- rule: r\n  desc: d\n  condition: evt.type = open and proc.name in (l)\n  output: o\n  priority: WARNING\n",
        falco_loads: false,
    },
    LongValueCase {
        name: "through a macro",
        yaml: "- macro: m\n  condition: proc.name = {a256}\n- rule: r\n  desc: d\n  condition: evt.type = open and m\n  output: o\n  priority: WARNING\n",
        falco_loads: false,
    },
    LongValueCase {
        name: "an unused list",
        yaml: "- list: l\n  items: [x, {a256}]\n",
        falco_loads: true,
    },
    LongValueCase {
        name: "an unused macro",
        yaml: "- macro: m\n  condition: proc.name = {a256}\n",
        falco_loads: true,
    },
];

fn long_value_case_text(case: &LongValueCase) -> String {
    let text = case
        .yaml
        .replace("{a255}", &"a".repeat(255))
        .replace("{a256}", &"a".repeat(256))
        .replace("{h255}", &"61".repeat(255))
        .replace("{h256}", &"61".repeat(256));
    if text.starts_with("- ") {
        return text;
    }
    let (condition, enabled) = match text.strip_prefix("DISABLED ") {
        Some(condition) => (condition, "false"),
        None => (text.as_str(), "true"),
    };
    RULE_WITH
        .replace("{condition}", condition)
        .replace("{enabled}", enabled)
}

/// Issue 12: Falco refuses values over 255 bytes and lint accepted them. Each case
/// agrees with Falco's verdict: an error is E411 alone, on the long value (in the
/// list's definition when a list supplies it).
#[test]
fn long_values_are_refused_where_falco_refuses_them() {
    let mut disagreements = Vec::new();
    for case in LONG_VALUE_CASES {
        let text = long_value_case_text(case);
        let analysis = lint_text(&text);
        let errors: Vec<&Diagnostic> = analysis
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.is_error())
            .collect();
        let agrees = if case.falco_loads {
            errors.is_empty()
        } else {
            errors.len() == 1
                && errors[0].code.as_str() == "E411"
                && text
                    .get(errors[0].primary.span.span.range())
                    .is_some_and(|value| value.trim_matches('"').len() >= 256)
        };
        if !agrees {
            disagreements.push(format!(
                "{}: Falco loads it: {}; ours: {:#?}",
                case.name,
                case.falco_loads,
                summary(&analysis)
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
