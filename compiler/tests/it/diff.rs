//! `falco-rulec diff OLD NEW`: the contract of issue 17 (exit 0 without changes, 1
//! with changes, 2 for usage or input errors; the JSON names the overall class
//! `major`, `minor` or `patch`), the side forms and the three formats.

use std::path::Path;
use std::process::Command;

use crate::support::*;

const V1: &str = "\
- required_engine_version: 0.50.0
- list: shells
  items: [bash, zsh]
- rule: shell spawned
  desc: a shell started
  condition: evt.type = execve and proc.name in (shells)
  output: shell started (command=%proc.cmdline)
  priority: NOTICE
  tags: [shell]
";

fn json_of(dir: &Path, old: &str, new: &str) -> (i32, serde_json::Value) {
    let run = run_in(dir, &["diff", old, new, "--format", "json"], &[]);
    (run.code, run.json())
}

#[test]
fn no_change_exits_0_and_each_class_is_named_in_the_json() {
    let dir = scratch();
    write(&dir, "v1.yaml", V1);
    let relaid = V1.replace(" and proc.name", "\n    and proc.name");
    write(&dir, "same.yaml", &relaid);
    let (code, json) = json_of(&dir, "v1.yaml", "same.yaml");
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["class"], serde_json::Value::Null);
    assert_eq!(json["version"], 1);

    let cases = [
        ("patch", V1.replace("[bash, zsh]", "[bash, zsh, fish]")),
        (
            "minor",
            format!("{V1}- macro: never\n  condition: evt.num = 0\n"),
        ),
        ("major", V1.replace("NOTICE", "DEBUG")),
    ];
    for (class, text) in cases {
        write(&dir, "v2.yaml", &text);
        let (code, json) = json_of(&dir, "v1.yaml", "v2.yaml");
        assert_eq!(code, 1, "{class}: {json}");
        assert_eq!(json["class"], class, "{json}");
        assert!(json["counts"][class].as_u64() > Some(0), "{json}");
    }
    // The list change reaches the rule, which matches more events.
    write(
        &dir,
        "v2.yaml",
        &V1.replace("[bash, zsh]", "[bash, zsh, fish]"),
    );
    let (_, json) = json_of(&dir, "v1.yaml", "v2.yaml");
    assert_eq!(json["lists"][0]["name"], "shells");
    assert_eq!(json["lists"][0]["used_by"][0], "shell spawned");
    assert_eq!(json["rules"][0]["matches"], "more");
    assert_eq!(json["rules"][0]["via"]["lists"][0], "shells");
    assert_eq!(
        json["rules"][0]["changes"][0]["kind"],
        "reached_item_changed"
    );
}

#[test]
fn human_and_markdown_name_the_class_and_the_changes() {
    let dir = scratch();
    write(&dir, "v1.yaml", V1);
    write(
        &dir,
        "v2.yaml",
        &V1.replace("- rule: shell spawned", "- rule: shell started"),
    );
    let human = run_in(&dir, &["diff", "v1.yaml", "v2.yaml"], &[]);
    assert_eq!(human.code, 1);
    assert!(
        human
            .stdout
            .starts_with("1 major, 0 minor, 0 patch changes: major\n"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("renamed  `shell spawned` -> `shell started` [major]"),
        "{}",
        human.stdout
    );
    let markdown = run_in(
        &dir,
        &["diff", "v1.yaml", "v2.yaml", "--format", "markdown"],
        &[],
    );
    assert_eq!(markdown.code, 1);
    assert!(
        markdown.stdout.contains(
            "**Major** changes:\n* Rule `shell spawned` was renamed to `shell started`\n"
        ),
        "{}",
        markdown.stdout
    );
    let same = run_in(
        &dir,
        &["diff", "v1.yaml", "v1.yaml", "--format", "markdown"],
        &[],
    );
    assert_eq!(
        (same.code, same.stdout.as_str()),
        (0, "No changes detected\n")
    );
}

#[test]
fn usage_and_input_errors_exit_2() {
    let dir = scratch();
    write(&dir, "v1.yaml", V1);
    write(
        &dir,
        "broken.yaml",
        &V1.replace("proc.name in", "proc.nam in"),
    );
    for args in [
        &["diff", "v1.yaml"][..],
        &["diff", "v1.yaml", "v1.yaml", "--format", "xml"][..],
        &["diff", "v1.yaml", "missing.yaml"][..],
        &["diff", "v1.yaml", "git:no-such-rev:v1.yaml"][..],
    ] {
        let run = run_in(&dir, args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
        assert!(!run.stderr.is_empty(), "{args:?}");
    }
    let run = run_in(&dir, &["diff", "v1.yaml", "broken.yaml"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("new side `broken.yaml`: the rules have 1 error")
            && run.stderr.contains("broken.yaml:6:"),
        "{}",
        run.stderr
    );
}

#[test]
fn sides_may_be_directories_configurations_lists_and_git_revisions() {
    let dir = scratch();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("git runs");
        assert!(status.status.success(), "git {args:?}: {status:?}");
    };
    git(&["init", "-q"]);
    write(&dir, "rules/a.yaml", V1);
    write(
        &dir,
        "rules/b.yaml",
        "- macro: m\n  condition: evt.num = 0\n",
    );
    write(&dir, "falco.yaml", "rules_files:\n  - rules\n");
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "v1"]);
    write(&dir, "next/a.yaml", V1);
    write(
        &dir,
        "next/b.yaml",
        "- macro: m\n  condition: evt.num = 1\n",
    );
    // A directory, a configuration, a list of files and the same at a revision
    // are the same ruleset.
    for old in [
        "rules",
        "falco.yaml",
        "rules/a.yaml,rules/b.yaml",
        "git:HEAD:rules",
        "git:HEAD:falco.yaml",
    ] {
        let (code, json) = json_of(&dir, old, "next");
        assert_eq!(code, 1, "{old}: {json}");
        assert_eq!(json["macros"][0]["name"], "m", "{old}: {json}");
        assert_eq!(json["class"], "patch", "{old}: {json}");
    }
    let (code, _) = json_of(&dir, "git:HEAD:rules/a.yaml", "rules/a.yaml");
    assert_eq!(code, 0);
}

#[test]
fn the_2021_upstream_rules_against_the_current_ones_are_a_major_change() {
    let corpus = corpus("");
    let old = corpus.join("upstream-rules-2021/falco_rules.yaml");
    let new = corpus.join("upstream-rules/falco_rules.yaml");
    let run = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["class"], "major");
    let removed = |kind: &str, name: &str| {
        json[kind]
            .as_array()
            .into_iter()
            .flatten()
            .any(|item| item["name"] == name && item["status"] == "removed")
    };
    // Moved to the sandbox file (falco-rules 2.0.0), and dropped.
    assert!(removed("rules", "Launch Privileged Container"), "{json}");
    assert!(removed("macros", "consider_all_chmods"));
    assert_eq!(
        json["ruleset"][0]["kind"], "engine_version_incremented",
        "{}",
        json["ruleset"]
    );
}
