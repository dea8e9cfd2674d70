use super::*;
use crate::analyze;

/// A rule without an event-type restriction (W206) and an unused macro (W201).
const NOISY: &str = "\
- macro: never_used
  condition: proc.name = bash

- rule: Any bash activity
  desc: anything done by bash
  condition: proc.name = bash
  output: bash did something (event=%evt.type)
  priority: DEBUG
";

fn lint(files: &[(&str, &str)]) -> Analysis {
    analyze(
        files
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect(),
    )
}

fn codes(analysis: &Analysis) -> Vec<(&'static str, Severity)> {
    analysis
        .diagnostics
        .iter()
        .map(|diagnostic| (diagnostic.code.as_str(), diagnostic.severity))
        .collect()
}

#[test]
fn noisy_has_one_w201_and_one_w206() {
    let analysis = lint(&[("a.yaml", NOISY)]);
    assert_eq!(
        codes(&analysis),
        [("W201", Severity::Warning), ("W206", Severity::Warning)]
    );
}

#[test]
fn an_inline_comment_above_or_on_an_item_allows_its_codes_there_only() {
    let above = NOISY.replace(
        "- rule: Any bash",
        "# why: bash must be watched everywhere\n# falco-rulec: allow(no-evttype-restriction)\n- rule: Any bash",
    );
    assert_eq!(
        codes(&lint(&[("a.yaml", &above)])),
        [("W201", Severity::Warning)]
    );
    let on_a_line = NOISY.replace(
        "  priority: DEBUG",
        "  priority: DEBUG  # falco-rulec: allow(W206, W201)",
    );
    let analysis = lint(&[("a.yaml", &on_a_line)]);
    assert_eq!(
        codes(&analysis),
        [("W201", Severity::Warning), ("W901", Severity::Warning)],
        "W201 is on the macro, not the rule, so the rule's comment did not use it"
    );
    assert_eq!(
        analysis.diagnostics[1].message,
        "unused suppression of `W201`"
    );
}

#[test]
fn a_comment_on_no_item_is_unused_and_says_why() {
    let text = format!("{NOISY}\n# falco-rulec: allow(W206)\n");
    let analysis = lint(&[("a.yaml", &text)]);
    let unused = analysis
        .diagnostics
        .iter()
        .find(|diagnostic| diagnostic.code == Code::W901)
        .expect("W901");
    assert!(
        unused.notes[0].contains("no rule, macro or list"),
        "{unused:?}"
    );
    assert_eq!(
        codes(&analysis)
            .iter()
            .filter(|(code, _)| *code == "W206")
            .count(),
        1,
        "a comment after a blank line is not above the rule"
    );
}

#[test]
fn malformed_unknown_and_error_codes_are_w902_and_errors_stay() {
    let text = "\
# falco-rulec: allow(E401, unused-macor)
- rule: R
  desc: d
  condition: evt.type = execve and proc.nam = x
  output: o
  priority: INFO
# falco-rulec: alow(W201)
- list: l
  items: [a]
";
    let analysis = lint(&[("a.yaml", text)]);
    let messages: Vec<&str> = analysis
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == Code::W902)
        .map(|diagnostic| diagnostic.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "`E401` is an error and cannot be allowed",
            "`unused-macor` is not a diagnostic code or name",
            "malformed suppression: expected `allow(...)`, found `alow(W201)`",
        ]
    );
    assert!(analysis.diagnostics.iter().any(|d| d.code == Code::E401));
    let help = analysis
        .diagnostics
        .iter()
        .find(|d| d.message.contains("unused-macor"));
    assert_eq!(
        help.and_then(|d| d.help.as_deref()),
        Some("did you mean `unused-macro`?")
    );
}

#[test]
fn levels_allow_warn_and_deny_but_never_touch_errors() {
    let mut settings = LintSettings::new(".");
    settings
        .set_level(Code::W201, Level::Allow)
        .expect("warning");
    settings
        .set_level(Code::W206, Level::Deny)
        .expect("warning");
    let mut analysis = lint(&[("a.yaml", NOISY)]);
    let applied = settings.apply(&mut analysis);
    assert_eq!(codes(&analysis), [("W206", Severity::Error)]);
    assert_eq!(
        applied,
        Applied {
            allowed: 1,
            baselined: 0
        }
    );
    let error = settings
        .set_level(Code::E401, Level::Allow)
        .expect_err("error code");
    assert!(error.contains("Falco rejects"), "{error}");
    assert!(settings.set_level(Code::E401, Level::Deny).is_ok());
    assert!(settings.ignore_in("*.yaml", vec![Code::E101]).is_err());
}

#[test]
fn per_file_ignores_match_globs_relative_to_the_base() {
    let base = std::env::temp_dir().join("falco-rulec-suppress-globs");
    let mut settings = LintSettings::new(&base);
    settings
        .ignore_in("legacy/*.yaml", vec![Code::W206])
        .expect("glob");
    let legacy = base.join("legacy/old.yaml").display().to_string();
    let nested = base.join("legacy/deeper/old.yaml").display().to_string();
    let fresh = base.join("new.yaml").display().to_string();
    let texts: Vec<String> = (0..3)
        .map(|n| {
            NOISY
                .replace("Any bash activity", &format!("Rule {n}"))
                .replace("never_used", &format!("m{n}"))
        })
        .collect();
    let mut analysis = lint(&[
        (&legacy, &texts[0]),
        (&nested, &texts[1]),
        (&fresh, &texts[2]),
    ]);
    settings.apply(&mut analysis);
    let w206_files: Vec<&str> = analysis
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == Code::W206)
        .filter_map(|diagnostic| analysis.file(diagnostic.primary.span.file))
        .map(|file| file.path.as_str())
        .collect();
    assert_eq!(
        w206_files,
        [nested.as_str(), fresh.as_str()],
        "`*` stays in its folder"
    );
    assert!(settings.ignore_in("legacy/[", vec![Code::W206]).is_err());
}

#[test]
fn a_baseline_accepts_what_it_recorded_and_nothing_new() {
    let dir = std::env::temp_dir().join(format!("falco-rulec-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("baseline.json");
    let file = dir.join("rules.yaml").display().to_string();
    let recorded = Baseline::record(&lint(&[(&file, NOISY)]), &path);
    assert_eq!(recorded.len(), 2);
    std::fs::write(&path, recorded.to_json()).expect("write");
    let baseline = Baseline::read(&path).expect("read back");
    assert_eq!(baseline, recorded);
    assert!(
        baseline.to_json().contains("\"file\": \"rules.yaml\""),
        "{}",
        baseline.to_json()
    );

    // Lines moved, and a second unused macro: only the new one is reported.
    let grown = format!("\n\n{NOISY}\n- macro: also_unused\n  condition: proc.name = sh\n");
    let mut analysis = lint(&[(&file, &grown)]);
    let accepted = baseline.accept(&mut analysis);
    assert_eq!(accepted, 2);
    assert_eq!(codes(&analysis), [("W201", Severity::Warning)]);
    assert!(analysis.diagnostics[0].message.contains("also_unused"));
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn baselines_refuse_other_versions_and_shapes() {
    let dir = std::env::temp_dir().join(format!("falco-rulec-baseline-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("b.json");
    std::fs::write(&path, r#"{"version": 2, "findings": []}"#).expect("write");
    assert!(Baseline::read(&path).expect_err("v2").contains("version 2"));
    std::fs::write(&path, r#"{"version": 1, "found": []}"#).expect("write");
    assert!(Baseline::read(&path).is_err());
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn the_project_file_sets_levels_ignores_and_names_the_baseline() {
    let base = Path::new("/project");
    let settings = project::settings_in(
        "rules_files: [a.yaml]\nlint:\n  allow: [W206]\n  deny: unused-macro\n  per-file-ignores:\n    \"legacy/**\": [W202]\n",
        base,
    )
    .expect("valid");
    assert_eq!(settings.level(Code::W206), Some(Level::Allow));
    assert_eq!(settings.level(Code::W201), Some(Level::Deny));
    assert_eq!(settings.per_file[0].pattern, "legacy/**");
    for (text, problem) in [
        ("lint: [W201]", "must be a mapping"),
        ("lint:\n  allow: [W201]\n  deny: [W201]", "under both"),
        ("lint:\n  allow: [W2O1]", "did you mean `W201`?"),
        ("lint:\n  allow: [E401]", "Falco rejects"),
        ("lint:\n  ignore: [W201]", "unknown key `lint.ignore`"),
        ("lint:\n  per-file-ignores: [a]", "map globs"),
        ("lint:\n  baseline: missing.json", "cannot read baseline"),
    ] {
        let error = project::settings_in(text, base)
            .expect_err(text)
            .to_string();
        assert!(error.contains(problem), "{text}: {error}");
    }
    assert!(project::settings_in("rules_files: [a.yaml]\n", base).is_ok());
}

#[test]
fn relative_paths_fold_dots_and_leave_outsiders_alone() {
    let base = Path::new("/p/q");
    assert_eq!(relative_to("/p/q/./r/../s.yaml", base), "s.yaml");
    assert_eq!(relative_to("/elsewhere/s.yaml", base), "/elsewhere/s.yaml");
}
