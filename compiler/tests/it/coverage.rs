//! `falco-rulec test --coverage`: what the cases made of each operand and exception
//! row, on a hand-built case whose answer is known; as text, JSON and lcov.

use std::path::{Path, PathBuf};

use crate::support::*;

/// A macro, a list check, a negated check and a two-row exception in one rule; a
/// second rule no case reaches, and a disabled one.
const RULES: &str = "\
- list: shells
  items: [bash, zsh]

- macro: spawned
  condition: evt.type = execve

- rule: shell spawned
  desc: a shell started
  condition: >
    spawned and proc.name in (shells)
    and not proc.pname = sshd
  output: shell started (command=%proc.cmdline)
  priority: NOTICE
  exceptions:
    - name: parents
      fields: [proc.pname, user.name]
      values:
        - [tmux, alice]
        - [screen, bob]

- rule: shadow read
  desc: the shadow file was opened
  condition: evt.type = openat and fd.name = /etc/shadow
  output: shadow opened (file=%fd.name)
  priority: WARNING

- rule: never on
  desc: disabled
  condition: evt.type = execve and proc.name = nc
  output: nc (command=%proc.cmdline)
  priority: WARNING
  enabled: false
";

/// Three execve events. bash by root: every operand runs, no row holds, the rule
/// fires. cat: `proc.name in (shells)` is false, nothing after it runs. bash by
/// alice under tmux: row 1 holds (the event is excepted), so row 2 does not run.
const TESTS: &str = "\
rules: [rules.yaml]
cases:
  - name: bash by root
    events:
      - {type: execve, res: 0, thread: {pid: 10, user: root, exepath: /bin/bash}, ancestors: [{pid: 9, name: tmux}]}
    fire: [shell spawned]
  - name: cat is no shell
    events:
      - {type: execve, res: 0, thread: {pid: 11, user: root, exepath: /bin/cat}, ancestors: [{pid: 9, name: tmux}]}
    not_fire: others
  - name: alice under tmux is excepted
    events:
      - {type: execve, res: 0, thread: {pid: 12, user: alice, exepath: /bin/bash}, ancestors: [{pid: 9, name: tmux}]}
    not_fire: others
";

fn setup() -> PathBuf {
    let dir = scratch();
    write(&dir, "rules.yaml", RULES);
    write(&dir, "cases.yaml", TESTS);
    dir
}

fn test_in(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["test"];
    all.extend_from_slice(args);
    run_in(dir, &all, &[])
}

#[test]
fn text_lists_what_the_cases_left_out_by_line() {
    let dir = setup();
    let run = test_in(&dir, &["--coverage", "cases.yaml"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let coverage = run
        .stdout
        .split_once("\ncoverage: ")
        .map(|(_, tail)| tail)
        .unwrap_or_else(|| panic!("no coverage in:\n{}", run.stdout));
    assert_eq!(
        coverage,
        "\
1 of 3 rules reached; 2 of 10 operands and exception rows seen true and false (2 only true, 2 only false, 4 never evaluated)
  rules.yaml
    line 5: `evt.type = execve` only true (3)
    line 10: macro `spawned` only true (3)
    line 11: `proc.pname = sshd` only false (2)
    line 19: exception `parents` row 2 (`- [screen, bob]`) only false (1)
    line 21: rule `shadow read` not reached by any test
    line 23: `evt.type = openat` never evaluated
    line 23: `fd.name = /etc/shadow` never evaluated
    line 27: rule `never on` not reached by any test (disabled)
    line 29: `evt.type = execve` never evaluated
    line 29: `proc.name = nc` never evaluated
"
    );
}

#[test]
fn json_counts_true_and_false_per_operand_and_row() {
    let dir = setup();
    let run = test_in(&dir, &["--coverage", "--format", "json", "cases.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    let file = &json["coverage"]["files"][0];
    assert_eq!(file["path"], "rules.yaml");
    let rule = &file["rules"][0];
    assert_eq!(
        (
            &rule["name"],
            &rule["line"],
            &rule["evaluations"],
            &rule["matches"]
        ),
        (&"shell spawned".into(), &7.into(), &3.into(), &1.into())
    );
    let points: Vec<String> = file["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|point| {
            format!(
                "{}:{}-{}:{} {} `{}` {}/{}",
                point["line"],
                point["column"],
                point["end_line"],
                point["end_column"],
                point["kind"].as_str().unwrap_or_default(),
                point["text"].as_str().unwrap_or_default(),
                point["true"],
                point["false"]
            )
        })
        .collect();
    assert_eq!(
        points[..6],
        [
            "5:14-5:31 check `evt.type = execve` 3/0",
            "10:5-10:12 macro `spawned` 3/0",
            "10:17-10:38 check `proc.name in (shells)` 2/1",
            "11:13-11:30 check `proc.pname = sshd` 0/2",
            "18:1-18:24 exception_row `- [tmux, alice]` 1/1",
            "19:1-19:24 exception_row `- [screen, bob]` 0/1",
        ]
    );
    assert_eq!(file["points"][4]["exception"], "parents");
    assert_eq!(file["points"][4]["row"], 1);
    assert_eq!(json["coverage"]["summary"]["rules_reached"], 1);
    // Without --coverage the report has no `coverage` member.
    let plain = test_in(&dir, &["--format", "json", "cases.yaml"]).json();
    assert!(plain.get("coverage").is_none(), "{plain}");
}

#[test]
fn lcov_has_rules_as_functions_and_operands_as_branches() {
    let dir = setup();
    let run = test_in(&dir, &["--lcov", "out.lcov", "cases.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lcov = std::fs::read_to_string(dir.join("out.lcov")).expect("lcov written");
    for line in [
        "SF:rules.yaml",
        "FN:7,shell spawned",
        "FNDA:3,shell spawned",
        "FNDA:0,shadow read",
        "FNF:3",
        "FNH:1",
        // Row 1 of the exception: true once, false once; row 2 false once.
        "BRDA:18,4,0,1",
        "BRDA:18,4,1,1",
        "BRDA:19,5,0,0",
        "BRDA:19,5,1,1",
        // Never evaluated: `-`, as lcov writes untaken blocks.
        "BRDA:23,7,0,-",
        "DA:10,6",
        "DA:23,0",
        "end_of_record",
    ] {
        assert!(lcov.lines().any(|l| l == line), "no `{line}` in:\n{lcov}");
    }
}

#[test]
fn an_lcov_file_that_cannot_be_written_exits_2() {
    let dir = setup();
    let run = test_in(&dir, &["--lcov", "no/such/dir/out.lcov", "cases.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("no/such/dir/out.lcov"),
        "{}",
        run.stderr
    );
}

/// The VS Code extension's unit tests read a coverage report saved from this binary
/// (`editors/vscode/test/unit/fixtures/coverage_tests.report.json`): it must still be
/// what `falco-rulec test --coverage --format json` prints for its fixtures.
#[test]
fn the_vscode_fixture_is_what_falco_rulec_prints() {
    let fixtures = repo_root().join("editors/vscode/test/unit/fixtures");
    let run = run_in(
        &fixtures,
        &[
            "test",
            "--coverage",
            "--format",
            "json",
            "coverage_tests.yaml",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let saved = std::fs::read_to_string(fixtures.join("coverage_tests.report.json"))
        .expect("read the saved report");
    let saved: serde_json::Value = serde_json::from_str(&saved).expect("saved report is JSON");
    assert_eq!(
        run.json(),
        saved,
        "regenerate it: cd editors/vscode/test/unit/fixtures && falco-rulec test --coverage \
         --format json coverage_tests.yaml > coverage_tests.report.json"
    );
}
