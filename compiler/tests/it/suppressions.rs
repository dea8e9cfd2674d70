//! Suppressions from the command line and the project file, and baselines
//! (docs/suppressions.md).

use crate::support::*;

/// `n` unused macros: `n` W201 warnings, and nothing else.
fn unused_macros(range: std::ops::Range<usize>) -> String {
    range
        .map(|n| format!("- macro: unused_{n}\n  condition: proc.name = p{n}\n"))
        .collect()
}

/// The adoption story: a ruleset with 50 warnings is adopted with
/// `--write-baseline`; afterwards the old warnings pass, and a new one fails.
#[test]
fn a_baseline_adopts_50_warnings_and_a_new_one_fails() {
    let dir = scratch();
    write(&dir, "rules/app_rules.yaml", &unused_macros(0..50));
    let lint = |extra: &[&str]| {
        let mut args = vec![
            "lint",
            "rules",
            "--format",
            "json",
            "--deny-warnings",
            "--baseline",
            "falco-rulec-baseline.json",
        ];
        args.extend_from_slice(extra);
        run_in(&dir, &args, &[])
    };
    let missing = lint(&[]);
    assert_eq!(missing.code, 2, "no baseline yet: {}", missing.stderr);
    assert!(
        missing.stderr.contains("--write-baseline"),
        "{}",
        missing.stderr
    );

    let adopt = lint(&["--write-baseline"]);
    assert_eq!(adopt.code, 0, "{}{}", adopt.stdout, adopt.stderr);
    assert!(
        adopt.stderr.contains("50 findings accepted"),
        "{}",
        adopt.stderr
    );
    assert_eq!(adopt.json()["summary"]["warnings"], 0);

    let again = lint(&[]);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert!(codes(&again.json()).is_empty());
    assert!(
        again.stderr.contains("50 findings accepted"),
        "{}",
        again.stderr
    );

    // Lines move (a new first item), and one new unused macro comes in.
    let grown = format!(
        "- list: used\n  items: [a]\n- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name in (used)\n  output: o\n  priority: INFO\n{}",
        unused_macros(0..51)
    );
    write(&dir, "rules/app_rules.yaml", &grown);
    let new = lint(&[]);
    assert_eq!(new.code, 1, "{}", new.stdout);
    let json = new.json();
    assert_eq!(codes(&json), ["W201"], "{}", new.stdout);
    assert_eq!(
        json["diagnostics"][0]["message"],
        "macro `unused_50` is never used"
    );
}

#[test]
fn allow_warn_and_deny_take_codes_or_names() {
    let dir = scratch();
    write(&dir, "rules.yaml", UNUSED_LIST);
    let lint = |extra: &[&str]| {
        let mut args = vec!["lint", "rules.yaml", "--format", "json"];
        args.extend_from_slice(extra);
        run_in(&dir, &args, &[])
    };
    let plain = lint(&[]);
    assert_eq!(
        (plain.code, codes(&plain.json())),
        (0, vec!["W202".to_owned()])
    );
    let allowed = lint(&["--allow", "unused-list", "--deny-warnings"]);
    assert_eq!((allowed.code, codes(&allowed.json())), (0, vec![]));
    let denied = lint(&["--deny", "W202"]);
    assert_eq!(denied.code, 1);
    assert_eq!(denied.json()["diagnostics"][0]["severity"], "error");
    let warned = lint(&["--warn", "w202", "--deny-warnings"]);
    assert_eq!(warned.code, 1);
    for (args, problem) in [
        (&["--allow", "E401"][..], "Falco rejects"),
        (&["--allow", "W2O2"][..], "did you mean `W202`?"),
        (
            &["--allow", "W202", "--deny", "unused-list"][..],
            "both --allow and --deny",
        ),
        (&["--write-baseline"][..], "--baseline"),
    ] {
        let run = lint(args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains(problem), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn the_project_file_is_found_from_the_working_directory_up() {
    let dir = scratch();
    write(
        &dir,
        ".falco-rulec.yaml",
        "lint:\n  deny: [W202]\n  per-file-ignores:\n    \"vendor/**\": [W202]\n",
    );
    write(&dir, "mine/rules.yaml", UNUSED_LIST);
    write(
        &dir,
        "vendor/x/rules.yaml",
        &UNUSED_LIST
            .replace("unused_things", "vendored_things")
            .replace("shell spawned", "vendored rule"),
    );
    let run = run_in(
        &dir.join("mine"),
        &[
            "lint",
            "rules.yaml",
            "../vendor/x/rules.yaml",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "W202 is denied: {}", run.stdout);
    let json = run.json();
    assert_eq!(codes(&json), ["W202"]);
    assert_eq!(json["diagnostics"][0]["file"], "rules.yaml");
    // The flags override the file.
    let run = run_in(
        &dir.join("mine"),
        &["lint", "rules.yaml", "--allow", "W202"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    // compile applies the project file too: a denied warning stops the bundle.
    let out = dir.join("out.frb");
    let run = run_in(
        &dir.join("mine"),
        &["compile", "rules.yaml", "-o", out.to_str().expect("utf-8")],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!out.exists());
    write(&dir, ".falco-rulec.yaml", "lint:\n  deny: [E999]\n");
    let run = run_in(&dir.join("mine"), &["lint", "rules.yaml"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(".falco-rulec.yaml"), "{}", run.stderr);
}
