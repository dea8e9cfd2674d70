use super::*;
use falco_analysis::{Analysis, SourceFile, Summary};
use falco_diagnostics::{Code, Diagnostic, Severity};
use falco_span::{FileId, FileSpan, Span};

const RULES: &str = "- macro: spawned\n  condition: evt.type = execve\n\n- rule: shell\n  desc: a shell ran\n  condition: spawned and proc.nam = bash\n  output: \"shell ran (%proc.name)\"\n  priority: WARNING\n";
const LOCAL: &str =
    "- rule: shell\n  condition: proc.name = zsh\n  override:\n    condition: replace\n";

fn span_of(file: u32, text: &str, needle: &str) -> FileSpan {
    let start = text.find(needle).expect("needle in fixture") as u32;
    FileSpan::new(FileId(file), Span::new(start, start + needle.len() as u32))
}

/// Two files; an error with a related label in the other file, help and a note; a
/// warning; an info.
fn fixture() -> Analysis {
    let files = vec![
        SourceFile::new(FileId(0), "rules/base.yaml", RULES),
        SourceFile::new(FileId(1), "rules/local, new:1.yaml", LOCAL),
    ];
    let diagnostics = vec![
        Diagnostic::new(
            Code::E401,
            span_of(0, RULES, "proc.nam"),
            "unknown field `proc.nam`",
        )
        .with_label("no schema defines this field")
        .with_related(span_of(1, LOCAL, "shell"), "the rule is overridden here")
        .with_help("did you mean `proc.name`?")
        .with_note("fields come from the `syscall` schema"),
        Diagnostic::new(
            Code::W201,
            span_of(0, RULES, "spawned"),
            "macro `spawned` is never used",
        ),
        Diagnostic::new(
            Code::I201,
            span_of(1, LOCAL, "shell"),
            "rule `shell` replaces an earlier definition",
        )
        .with_related(span_of(0, RULES, "shell"), "first defined here"),
    ];
    Analysis {
        files,
        diagnostics,
        summary: Summary {
            files: 2,
            rules: 1,
            macros: 1,
            lists: 0,
        },
        ..Analysis::default()
    }
}

#[test]
fn human_rendering_has_frames_labels_help_and_notes() {
    let text = human::render(&fixture(), false);
    insta::assert_snapshot!(text);
    assert!(!text.contains('\x1b'), "no colour codes when colour is off");
}

#[test]
fn human_rendering_is_coloured_on_request() {
    let text = human::render(&fixture(), true);
    assert!(text.contains('\x1b'));
}

#[test]
fn human_summary_counts() {
    let analysis = fixture();
    assert_eq!(
        human::summary_line(&analysis),
        "linted 2 files (1 rule, 1 macro, 0 lists): 1 error, 1 warning, 1 info"
    );
    let clean = Analysis {
        diagnostics: Vec::new(),
        ..analysis
    };
    assert_eq!(
        human::summary_line(&clean),
        "linted 2 files (1 rule, 1 macro, 0 lists): no problems found"
    );
}

#[test]
fn human_rendering_survives_awkward_spans() {
    // Spans inside a multi-byte character, over line breaks, past the end, empty at
    // the end, and into a file that does not exist.
    let text = "- rule: é\n  condition: a\r\n";
    let analysis = Analysis {
        files: vec![SourceFile::new(FileId(0), "x.yaml", text)],
        diagnostics: [(9, 10), (8, 11), (0, 500), (27, 27), (11, 11), (12, 24)]
            .into_iter()
            .map(|(start, end)| {
                Diagnostic::new(
                    Code::E101,
                    FileSpan::new(FileId(0), Span::new(start, end)),
                    "odd span",
                )
            })
            .chain([Diagnostic::new(
                Code::E100,
                FileSpan::new(FileId(7), Span::new(0, 1)),
                "no such file",
            )
            .with_help("check the path")])
            .collect(),
        summary: Summary::default(),
        ..Analysis::default()
    };
    let rendered = human::render(&analysis, false);
    assert_eq!(rendered.matches("odd span").count(), 6, "{rendered}");
    assert!(
        rendered.contains("[E100] error: no such file"),
        "{rendered}"
    );
    assert!(rendered.contains("help: check the path"), "{rendered}");
}

#[test]
fn json_follows_the_contract() {
    let text = json::render(&fixture());
    insta::assert_snapshot!(text);
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let first = &value["diagnostics"][0];
    // `proc.nam` is on line 6, after "  condition: spawned and ".
    assert_eq!(first["line"], 6);
    assert_eq!(first["column"], 26);
    assert_eq!(first["end_line"], 6);
    assert_eq!(first["end_column"], 34);
    assert_eq!(first["related"][0]["file"], "rules/local, new:1.yaml");
    assert_eq!(value["diagnostics"][1]["help"], serde_json::Value::Null);
    assert_eq!(value["summary"]["errors"], 1);
    assert_eq!(value["summary"]["warnings"], 1);
}

#[test]
fn json_columns_count_characters() {
    let text = "- rule: é ü x\n";
    let analysis = Analysis {
        files: vec![SourceFile::new(FileId(0), "x.yaml", text)],
        diagnostics: vec![Diagnostic::new(Code::E101, span_of(0, text, "x"), "m")],
        summary: Summary::default(),
        ..Analysis::default()
    };
    let value: serde_json::Value = serde_json::from_str(&json::render(&analysis)).expect("JSON");
    assert_eq!(value["diagnostics"][0]["column"], 13);
    assert_eq!(value["diagnostics"][0]["end_column"], 14);
}

#[test]
fn sarif_lists_rules_and_locations() {
    let text = sarif::render(&fixture());
    insta::assert_snapshot!(text);
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(value["version"], "2.1.0");
    let run = &value["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<_> = rules
        .iter()
        .map(|rule| rule["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, ["E401", "W201", "I201"]);
    for (index, result) in run["results"]
        .as_array()
        .expect("results")
        .iter()
        .enumerate()
    {
        let rule = &rules[result["ruleIndex"].as_u64().expect("index") as usize];
        assert_eq!(rule["id"], result["ruleId"], "result {index}");
    }
    assert_eq!(run["results"][2]["level"], "note");
    assert_eq!(
        run["results"][0]["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "rules/local%2C%20new%3A1.yaml"
    );
}

#[test]
fn github_escapes_properties_and_data() {
    let text = github::render(&fixture());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        "::error file=rules/base.yaml,line=6,col=26,endLine=6,endColumn=34,title=E401 unknown-field::unknown field `proc.nam`%0Ahelp: did you mean `proc.name`?%0Anote: fields come from the `syscall` schema"
    );
    assert!(lines[1].starts_with("::warning file=rules/base.yaml,"));
    assert!(
        lines[2].starts_with("::notice file=rules/local%2C new%3A1.yaml,"),
        "{}",
        lines[2]
    );
    assert_eq!(github::escape_data("50%\r\nx"), "50%25%0D%0Ax");
    assert_eq!(github::escape_property("a:b,c%"), "a%3Ab%2Cc%25");
}

#[test]
fn severities_map_per_format() {
    assert_eq!(sarif::level(Severity::Error), "error");
    assert_eq!(sarif::level(Severity::Warning), "warning");
    assert_eq!(sarif::level(Severity::Info), "note");
}

/// One diagnostic at `needle` of a one-file analysis of `text`.
fn one_diagnostic(path: &str, text: &str, needle: &str) -> Analysis {
    Analysis {
        files: vec![SourceFile::new(FileId(0), path, text)],
        diagnostics: vec![
            Diagnostic::new(
                Code::E401,
                span_of(0, text, needle),
                format!("unknown field `{needle}`"),
            )
            .with_label("no schema defines this field"),
        ],
        ..Analysis::default()
    }
}

#[test]
fn human_rendering_cuts_long_lines_to_a_window_around_the_label() {
    let filler = "x".repeat(1 << 20);
    let text = format!("- rule: r\n  condition: proc.name = {filler} and proc.nam = y\n");
    let rendered = human::render(&one_diagnostic("long.yaml", &text, "proc.nam "), false);
    assert!(rendered.len() < 2_000, "{} bytes", rendered.len());
    let column = 1 + text
        .lines()
        .nth(1)
        .expect("line 2")
        .find("proc.nam ")
        .expect("in line");
    assert!(
        rendered.contains(&format!("long.yaml:2:{column}")),
        "{rendered}"
    );
    assert!(rendered.contains("…"), "{rendered}");
    assert!(rendered.contains("and proc.nam = y"), "{rendered}");
}

#[test]
fn human_rendering_counts_lines_as_yaml_does() {
    // A lone CR ends a line; a form feed and U+2028 do not (ariadne alone would
    // break lines at them).
    let text = "- rule: r\r  desc: a\x0cb\u{2028}c\n  condition: proc.nam = y\n";
    let rendered = human::render(&one_diagnostic("cr.yaml", text, "proc.nam"), false);
    assert!(rendered.contains("cr.yaml:3:14"), "{rendered}");
    let json: serde_json::Value =
        serde_json::from_str(&json::render(&one_diagnostic("cr.yaml", text, "proc.nam")))
            .expect("json");
    assert_eq!(json["diagnostics"][0]["line"], 3);
    assert_eq!(json["diagnostics"][0]["column"], 14);
}

#[test]
fn sarif_keeps_a_backslash_in_a_file_name() {
    assert_eq!(sarif::uri_reference(r"rules/a\b.yaml"), "rules/a%5Cb.yaml");
    let text = sarif::render(&one_diagnostic(r"dir\name.yaml", RULES, "proc.nam"));
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(
        value["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "dir%5Cname.yaml"
    );
}

#[test]
fn gitlab_report_has_one_issue_per_diagnostic_with_stable_fingerprints() {
    let analysis = fixture();
    let report: serde_json::Value =
        serde_json::from_str(&gitlab::render(&analysis)).expect("the report is JSON");
    let issues = report.as_array().expect("an array of issues");
    assert_eq!(issues.len(), 3);
    assert_eq!(issues[0]["check_name"], "E401 unknown-field");
    assert_eq!(issues[0]["severity"], "major");
    assert_eq!(issues[1]["severity"], "minor");
    assert_eq!(issues[2]["severity"], "info");
    assert_eq!(issues[0]["location"]["path"], "rules/base.yaml");
    assert_eq!(issues[0]["location"]["lines"]["begin"], 6);
    assert_eq!(issues[0]["location"]["positions"]["begin"]["column"], 26);
    assert_eq!(
        issues[0]["description"],
        "unknown field `proc.nam` (help: did you mean `proc.name`?)"
    );
    for issue in issues {
        let fingerprint = issue["fingerprint"].as_str().expect("a fingerprint");
        assert_eq!(fingerprint.len(), 32, "{fingerprint}");
    }

    // The same finding moved down a line keeps its fingerprint; a second copy of it in
    // the same file gets another one (GitLab would merge equal fingerprints).
    let mut moved = fixture();
    let text = format!("\n{RULES}");
    moved.files[0] = SourceFile::new(FileId(0), "rules/base.yaml", &text);
    moved.diagnostics[0].primary.span = span_of(0, &text, "proc.nam");
    let copy = moved.diagnostics[0].clone();
    moved.diagnostics.push(copy);
    let moved: serde_json::Value =
        serde_json::from_str(&gitlab::render(&moved)).expect("the report is JSON");
    assert_eq!(moved[0]["location"]["lines"]["begin"], 7);
    assert_eq!(moved[0]["fingerprint"], issues[0]["fingerprint"]);
    assert_ne!(moved[3]["fingerprint"], moved[0]["fingerprint"]);
}

#[test]
fn gitlab_report_of_a_clean_ruleset_is_an_empty_array() {
    let analysis = Analysis::default();
    assert_eq!(gitlab::render(&analysis), "[]\n");
}

/// The `lint` fuzz target found that a related label in a second file, after
/// multi-byte characters, made ariadne's byte mode cut a character in two (a panic).
/// Labels go to ariadne in characters; both files' headers and labels still read
/// right.
#[test]
fn a_related_label_after_multi_byte_characters_in_a_second_file_renders() {
    let first = "- rule: r\n  condition: proc.nam = x\n";
    let second = "# ééé 日本語 ���\n- rule: r\n  condition: proc.name = y\n";
    let analysis = Analysis {
        files: vec![
            SourceFile::new(FileId(0), "a.yaml", first),
            SourceFile::new(FileId(1), "b.yaml", second),
        ],
        diagnostics: vec![
            Diagnostic::new(Code::E401, span_of(0, first, "proc.nam"), "unknown field")
                .with_label("here")
                .with_related(span_of(1, second, "proc.name = y"), "compare this"),
        ],
        ..Analysis::default()
    };
    let rendered = human::render(&analysis, false);
    assert!(rendered.contains("a.yaml:2:14"), "{rendered}");
    assert!(rendered.contains("b.yaml:3:14"), "{rendered}");
    assert!(rendered.contains("compare this"), "{rendered}");
}
