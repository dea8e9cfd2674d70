//! `falco-rulec test`: the report, exit codes, positions of errors, and the JSON output.

use std::path::{Path, PathBuf};

use crate::support::*;

const RULES: &str = "\
- list: shells
  items: [bash, zsh]

- rule: shell spawned
  desc: a shell started
  condition: evt.type = execve and proc.name in (shells) and not proc.pname = sshd
  output: shell started (command=%proc.cmdline parent=%proc.pname user=%user.name)
  priority: NOTICE

- rule: shadow read
  desc: the shadow file was opened
  condition: evt.type = openat and fd.name = /etc/shadow
  output: shadow opened (file=%fd.name command=%proc.cmdline)
  priority: WARNING

- rule: exec into pod
  desc: kubectl exec
  condition: ka.target.subresource = exec and ka.stage = ResponseStarted
  output: exec (user=%ka.user.name pod=%ka.target.name)
  priority: NOTICE
  source: k8s_audit
";

/// Three passing cases: inline syscall events, an events file, k8s audit events.
const PASSING: &str = r#"rules: [rules.yaml]
cases:
  - name: bash from a terminal
    events:
      - {type: execve, res: 0, thread: {pid: 10, user: root, exepath: /bin/bash, args: [-i]},
         ancestors: [{pid: 9, name: tmux}]}
    fire:
      - rule: shell spawned
        count: 1
        output_fields: {proc.cmdline: bash -i, proc.pname: tmux, user.name: root}
    not_fire: others
  - name: shell from sshd, read from a file
    events_file: events/sshd.jsonl
    not_fire: [shell spawned]
  - name: kubectl exec
    source: k8s_audit
    events:
      - stage: ResponseStarted
        user: {username: bob}
        objectRef: {resource: pods, subresource: exec, name: web-1}
    fire:
      - rule: exec into pod
        output_fields: {ka.user.name: bob, ka.target.name: web-1}
    not_fire: others
"#;

const SSHD_EVENTS: &str = r#"{"ts": 1, "type": "execve", "res": 0, "thread": {"pid": 12, "exepath": "/bin/bash"}, "ancestors": [{"pid": 9, "name": "sshd"}]}
"#;

/// Every kind of failure: wrong count, a rule that must not fire, a wrong output field,
/// a field the output does not have, and a rule that did not fire.
const FAILING: &str = r#"rules: [rules.yaml]
rule_matching: all
cases:
  - name: two shells counted as one
    events:
      - {type: execve, res: 0, thread: {pid: 10, exepath: /bin/bash}}
      - {type: execve, res: 0, thread: {pid: 11, exepath: /bin/zsh}}
    fire:
      - rule: shell spawned
        count: 1
  - name: shadow read by cat
    events:
      - type: openat
        res: 3
        args: {fd: 3, name: /etc/shadow, flags: 0}
        thread: {pid: 20, exepath: /bin/cat, args: [/etc/shadow]}
        fd: {num: 3, type: file, name: /etc/shadow}
    fire:
      - rule: shadow read
        output_fields: {fd.name: /etc/gshadow, proc.name: cat}
    not_fire: others
  - name: quiet case that is not quiet
    events:
      - {type: execve, res: 0, thread: {pid: 10, exepath: /bin/bash}}
    fire: [shadow read]
    not_fire: [shell spawned]
  - name: this one passes
    events:
      - {type: execve, res: 0, thread: {pid: 10, exepath: /usr/bin/ls}}
    not_fire: others
"#;

/// Mistakes of the test file itself.
const INVALID: &str = r#"rules: [rules.yaml]
cases:
  - name: typos
    evnets: []
    fire: [shell spawned]
  - name: bad count and not_fire
    events:
      - {type: execve, thread: {pid: 1}}
    fire:
      - rule: shell spawned
        count: zero
    not_fire: nothing
  - name: both event kinds
    events: [{type: execve}]
    events_file: x.jsonl
    not_fire: others
"#;

fn setup(files: &[(&str, &str)]) -> PathBuf {
    let dir = scratch();
    write(&dir, "rules.yaml", RULES);
    write(&dir, "events/sshd.jsonl", SSHD_EVENTS);
    for (name, text) in files {
        write(&dir, name, text);
    }
    dir
}

fn test_in(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["test"];
    all.extend_from_slice(args);
    run_in(dir, &all, &[])
}

#[test]
fn passing_cases_exit_0() {
    let dir = setup(&[("pass.yaml", PASSING)]);
    let run = test_in(&dir, &["pass.yaml"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn failures_are_explained_and_exit_1() {
    let dir = setup(&[("fail.yaml", FAILING)]);
    let run = test_in(&dir, &["fail.yaml"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn invalid_test_files_name_each_mistake_with_its_position_and_exit_2() {
    let dir = setup(&[("bad.yaml", INVALID)]);
    let run = test_in(&dir, &["bad.yaml"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn unknown_rule_names_are_errors_not_passing_negatives() {
    let text = "rules: [rules.yaml]\ncases:\n  - name: typo\n    events: [{type: execve}]\n    not_fire: [shell spawnd]\n";
    let dir = setup(&[("typo.yaml", text)]);
    let run = test_in(&dir, &["typo.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("typo.yaml:5:16: no rule named `shell spawnd` is loaded"),
        "{}",
        run.stdout
    );
}

#[test]
fn bad_inline_events_are_placed_in_the_test_file() {
    let text = "rules: [rules.yaml]\ncases:\n  - name: bad event\n    events:\n      - {type: execve}\n      - {type: execve, thred: {pid: 1}}\n    not_fire: others\n";
    let dir = setup(&[("ev.yaml", text)]);
    let run = test_in(&dir, &["ev.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout.contains("ERROR bad event (line 3)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("ev.yaml:6:9: event 2: "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("thred"), "{}", run.stdout);
}

#[test]
fn yaml_syntax_errors_have_positions() {
    let text = "rules: [rules.yaml]\ncases:\n  - name: x\n    events: [{type: execve]\n";
    let dir = setup(&[("syn.yaml", text)]);
    let run = test_in(&dir, &["syn.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.contains("syn.yaml:4:"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("no `cases`"),
        "no follow-on errors: {}",
        run.stdout
    );
}

#[test]
fn rules_with_errors_exit_1_with_the_lint_report() {
    let dir = setup(&[(
        "broken.yaml",
        "- rule: r\n  desc: d\n  condition: proc.nam = x\n  output: o\n  priority: INFO\n",
    )]);
    let text = "rules: [broken.yaml]\ncases:\n  - name: x\n    events: [{type: execve}]\n    not_fire: others\n";
    write(&dir, "t.yaml", text);
    let run = test_in(&dir, &["t.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("the rules have errors, no case was run"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("proc.nam"), "{}", run.stdout);
}

#[test]
fn missing_files_and_no_arguments_exit_2() {
    let dir = setup(&[]);
    let run = test_in(&dir, &["nope.yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("cannot read `nope.yaml`"),
        "{}",
        run.stdout
    );
    let run = test_in(&dir, &[]);
    assert_eq!(run.code, 2);
    let missing_rules = "rules: [gone.yaml]\ncases:\n  - name: x\n    events: [{type: execve}]\n    not_fire: others\n";
    write(&dir, "m.yaml", missing_rules);
    let run = test_in(&dir, &["m.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.contains("gone.yaml"), "{}", run.stdout);
}

#[test]
fn an_events_file_source_is_detected() {
    let audit = "{\"kind\": \"Event\", \"apiVersion\": \"audit.k8s.io/v1\", \"auditID\": \"a\", \"stage\": \"ResponseStarted\", \"stageTimestamp\": \"2024-01-01T00:00:00Z\", \"user\": {\"username\": \"bob\"}, \"objectRef\": {\"resource\": \"pods\", \"subresource\": \"exec\", \"name\": \"web-1\"}}\n";
    let text = "rules: [rules.yaml]\ncases:\n  - name: exec from a file\n    events_file: events/exec.json\n    fire: [exec into pod]\n    not_fire: others\n";
    let dir = setup(&[("events/exec.json", audit), ("file.yaml", text)]);
    let run = test_in(&dir, &["file.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn the_embedded_stdlib_is_the_default() {
    let text = "cases:\n  - name: nsenter\n    events:\n      - {type: setns, res: 0, thread: {pid: 5, exepath: /usr/bin/nsenter}}\n    fire: [Namespace Entered By Unexpected Process]\n    not_fire: others\n";
    let dir = setup(&[("std.yaml", text)]);
    let run = test_in(&dir, &["std.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("(rules: stdlib)"), "{}", run.stdout);
}

#[test]
fn directories_run_their_files_in_name_order() {
    // Rules and events stay outside the directory: every *.yaml in it is a test file.
    let nested = |text: &str| {
        text.replace("rules: [rules.yaml]", "rules: [../rules.yaml]")
            .replace("events/sshd.jsonl", "../events/sshd.jsonl")
    };
    let dir = setup(&[
        ("suite/b.yaml", &nested(PASSING)),
        ("suite/a.yaml", &nested(FAILING)),
    ]);
    let run = test_in(&dir, &["suite"]);
    assert_eq!(run.code, 1);
    let a = run.stdout.find("suite/a.yaml").expect("a.yaml reported");
    let b = run.stdout.find("suite/b.yaml").expect("b.yaml reported");
    assert!(a < b);
    assert!(
        run.stdout
            .ends_with("test result: FAILED. 4 passed, 3 failed\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn json_report_for_ci() {
    let dir = setup(&[("fail.yaml", FAILING), ("pass.yaml", PASSING)]);
    let run = test_in(&dir, &["--format", "json", "fail.yaml", "pass.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["version"], 1);
    assert_eq!(json["summary"]["passed"], 4);
    assert_eq!(json["summary"]["failed"], 3);
    let first = &json["files"][0]["cases"][0];
    assert_eq!(first["name"], "two shells counted as one");
    assert_eq!(first["status"], "fail");
    assert_eq!(first["fired"][0]["rule"], "shell spawned");
    assert_eq!(first["fired"][0]["count"], 2);
    assert_eq!(first["failures"][0]["kind"], "count");
    assert_eq!(first["failures"][0]["expected"], "1");
    assert_eq!(first["failures"][0]["actual"], "2");
    let field = &json["files"][0]["cases"][1]["failures"][0];
    assert_eq!(field["kind"], "output_field");
    assert_eq!(field["field"], "fd.name");
    assert_eq!(field["expected"], "/etc/gshadow");
    assert_eq!(field["actual"], "/etc/shadow");
    assert_eq!(json["files"][1]["cases"][2]["status"], "pass");
}

/// A capture (`.scap`, as Falco and sysdig record them) serves as an events file.
#[test]
fn a_capture_is_an_events_file() {
    let trace = corpus("falco-traces/trace_files/cat_write.scap");
    let rules = "- rule: open from cat\n  desc: cat opens a file\n  condition: evt.type = open and proc.name = cat\n  output: \"open by %proc.cmdline (file=%fd.name)\"\n  priority: WARNING\n";
    let text = format!(
        "rules: [rules.yaml]\ncases:\n  - name: cat writes\n    events_file: {}\n    fire:\n      - rule: open from cat\n        count: 4\n    not_fire: others\n",
        trace.display()
    );
    let dir = setup(&[("rules.yaml", rules), ("t.yaml", &text)]);
    let run = test_in(&dir, &["t.yaml"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("pass  cat writes"), "{}", run.stdout);
}
