//! Exit codes, input gathering and order, explain.

use crate::support::*;

#[test]
fn clean_ruleset_exits_0() {
    let dir = scratch();
    let file = write(&dir, "rules.yaml", CLEAN);
    let run = run_in(
        &dir,
        &["lint", "--format", "json", file.to_str().unwrap()],
        &[],
    );
    let json = run.json();
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["summary"]["rules"], 1, "{}", run.stdout);
    assert_eq!(json["summary"]["lists"], 1, "{}", run.stdout);
    assert_eq!(json["summary"]["errors"], 0);
}

#[test]
fn errors_exit_1() {
    let dir = scratch();
    let file = write(&dir, "rules.yaml", UNKNOWN_FIELD);
    let run = run_in(
        &dir,
        &["lint", "--format", "json", file.to_str().unwrap()],
        &[],
    );
    assert!(
        codes(&run.json()).contains(&"E401".to_owned()),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn warnings_exit_1_only_when_denied() {
    let dir = scratch();
    let file = write(&dir, "rules.yaml", UNUSED_LIST);
    let path = file.to_str().unwrap();
    let allowed = run_in(&dir, &["lint", "--format", "json", path], &[]);
    assert_eq!(allowed.code, 0, "{}", allowed.stdout);
    assert_eq!(codes(&allowed.json()), ["W202"], "{}", allowed.stdout);
    let denied = run_in(&dir, &["lint", "--deny-warnings", path], &[]);
    assert_eq!(denied.code, 1, "{}", denied.stdout);
}

#[test]
fn missing_files_exit_2_and_are_named() {
    let dir = scratch();
    let good = write(&dir, "good.yaml", CLEAN);
    let run = run_in(
        &dir,
        &["lint", "nope.yaml", good.to_str().unwrap(), "gone.yml"],
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty(), "nothing is linted: {}", run.stdout);
    assert!(run.stderr.contains("nope.yaml"), "{}", run.stderr);
    assert!(run.stderr.contains("gone.yml"), "{}", run.stderr);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["lint", "--format", "xml"][..],
        &["lint", "--no-such-flag"][..],
        &["explain"][..],
    ] {
        let run = run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.is_empty(), "{args:?}");
    }
    assert_eq!(run(&["lint", "--help"]).code, 0);
}

#[test]
fn help_lists_exit_codes_and_version_is_the_workspace_one() {
    let help = run(&["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Exit codes:"), "{}", help.stdout);
    let version = run(&["--version"]);
    assert_eq!(version.code, 0);
    assert_eq!(
        version.stdout,
        format!("falco-rulec {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unusable_configs_exit_2() {
    let dir = scratch();
    let missing = run_in(&dir, &["lint", "--config", "falco.yaml"], &[]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("falco.yaml"), "{}", missing.stderr);
    write(&dir, "bad.yaml", "rules_files: [a.yaml\n");
    assert_eq!(run_in(&dir, &["lint", "--config", "bad.yaml"], &[]).code, 2);
    write(&dir, "shape.yaml", "rules_files: {a: b}\n");
    assert_eq!(
        run_in(&dir, &["lint", "--config", "shape.yaml"], &[]).code,
        2
    );
    write(&dir, "dangling.yaml", "rules_files: [missing.yaml]\n");
    let dangling = run_in(&dir, &["lint", "--config", "dangling.yaml"], &[]);
    assert_eq!(dangling.code, 2);
    assert!(
        dangling.stderr.contains("missing.yaml"),
        "{}",
        dangling.stderr
    );
}

/// `inner.yaml` defines a macro that `outer.yaml`'s macro uses; a macro sees only the
/// macros defined before it, so loading `outer` first is an undefined-macro error.
const OUTER: &str = "\
- macro: outer
  condition: inner and proc.name = bash

- rule: uses outer
  desc: d
  condition: outer
  output: o (%proc.name)
  priority: NOTICE
";
const INNER: &str = "\
- macro: inner
  condition: evt.type = execve
";

#[test]
fn directories_load_in_name_order() {
    let dir = scratch();
    write(&dir, "rules/1-inner.yaml", INNER);
    write(&dir, "rules/2-outer.yml", OUTER);
    write(&dir, "rules/0-ignored.txt", "not: [yaml");
    let ordered = run_in(&dir, &["lint", "--format", "json", "rules"], &[]);
    assert_eq!(
        ordered.json()["summary"]["files"],
        2,
        "only *.yaml and *.yml"
    );
    assert!(
        !codes(&ordered.json()).contains(&"E203".to_owned()),
        "{}",
        ordered.stdout
    );

    let other = scratch();
    write(&other, "rules/1-outer.yaml", OUTER);
    write(&other, "rules/2-inner.yaml", INNER);
    let reversed = run_in(&other, &["lint", "--format", "json", "rules"], &[]);
    assert!(
        codes(&reversed.json()).contains(&"E203".to_owned()),
        "{}",
        reversed.stdout
    );
}

#[test]
fn config_rules_files_load_in_order_before_files() {
    let dir = scratch();
    write(&dir, "etc/inner.yaml", INNER);
    write(&dir, "etc/outer.yaml", OUTER);
    write(
        &dir,
        "etc/good.yaml",
        "rules_files:\n  - inner.yaml\n  - outer.yaml\n",
    );
    write(
        &dir,
        "etc/bad.yaml",
        "rules_file:\n  - outer.yaml\n  - inner.yaml\n",
    );
    let good = run_in(
        &dir,
        &["lint", "--format", "json", "--config", "etc/good.yaml"],
        &[],
    );
    assert_eq!(good.json()["summary"]["files"], 2);
    assert!(
        !codes(&good.json()).contains(&"E203".to_owned()),
        "{}",
        good.stdout
    );
    let bad = run_in(
        &dir,
        &["lint", "--format", "json", "--config", "etc/bad.yaml"],
        &[],
    );
    assert!(
        codes(&bad.json()).contains(&"E203".to_owned()),
        "{}",
        bad.stdout
    );
    // Config files come before the files given: `inner` from the config precedes `outer`.
    write(&dir, "etc/only-inner.yaml", "rules_files: [inner.yaml]\n");
    let mixed = run_in(
        &dir,
        &[
            "lint",
            "--format",
            "json",
            "--config",
            "etc/only-inner.yaml",
            "etc/outer.yaml",
        ],
        &[],
    );
    assert!(
        !codes(&mixed.json()).contains(&"E203".to_owned()),
        "{}",
        mixed.stdout
    );
}

#[test]
fn no_arguments_lint_the_embedded_defaults_cleanly() {
    let run = run(&["lint", "--format", "json", "--deny-warnings"]);
    let json = run.json();
    assert!(
        json["summary"]["files"].as_u64().unwrap_or(0) >= 1,
        "{}",
        run.stdout
    );
    assert_eq!(
        run.code, 0,
        "the default rules must lint clean:\n{}",
        run.stdout
    );
}

#[test]
fn no_color_and_pipes_get_plain_text() {
    let dir = scratch();
    let file = write(&dir, "rules.yaml", UNKNOWN_FIELD);
    let path = file.to_str().unwrap();
    let piped = run_in(&dir, &["lint", path], &[]);
    assert!(!piped.stdout.contains('\x1b'), "{}", piped.stdout);
    let forced = run_in(&dir, &["lint", "--color", "always", path], &[]);
    assert!(forced.stdout.contains('\x1b'), "{}", forced.stdout);
    let no_color = run_in(
        &dir,
        &["lint", "--color", "auto", path],
        &[("NO_COLOR", "1")],
    );
    assert!(!no_color.stdout.contains('\x1b'), "{}", no_color.stdout);
}

#[test]
fn explain_prints_docs_and_lists_codes() {
    let by_code = run(&["explain", "e401"]);
    assert_eq!(by_code.code, 0, "{}", by_code.stderr);
    assert!(
        by_code.stdout.starts_with("# E401: unknown-field"),
        "{}",
        by_code.stdout
    );
    let by_name = run(&["explain", "UNKNOWN-FIELD"]);
    assert_eq!(by_name.stdout, by_code.stdout);

    let unknown = run(&["explain", "E4011"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean `E401`?"),
        "{}",
        unknown.stderr
    );

    let list = run(&["explain", "--list"]);
    assert_eq!(list.code, 0);
    assert!(
        list.stdout
            .lines()
            .any(|line| line.starts_with("W201  unused-macro")),
        "{}",
        list.stdout
    );
}
