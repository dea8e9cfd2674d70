//! `falco-rulec show RULE`: a rule as Falco compiles it, each piece with its origin.

use crate::support::*;

const BASE: &str = "\
- list: shells
  items: [bash, zsh]

- macro: spawned_process
  condition: evt.type in (execve, execveat) and proc.name exists

- macro: container
  condition: container.id != host

- rule: shell in container
  desc: a shell started in a container
  condition: spawned_process and container and proc.name in (shells)
  output: shell started (command=%proc.cmdline)
  priority: NOTICE
  exceptions:
    - name: known_parents
      fields: [proc.pname, user.name]
      values:
        - [sshd, root]
";

const LOCAL: &str = "\
- list: shells
  items: [fish]
  override:
    items: append

- rule: shell in container
  condition: and not proc.pname contains cron
  override:
    condition: append

- rule: shell in container
  exceptions:
    - name: known_images
      fields: container.image.repository
      comps: in
      values: [docker.io/library/debug]
  override:
    exceptions: append
";

fn show(args: &[&str]) -> Run {
    let dir = scratch();
    write(&dir, "base_rules.yaml", BASE);
    write(&dir, "local_rules.yaml", LOCAL);
    let mut all = vec!["show"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["base_rules.yaml", "local_rules.yaml"]);
    run_in(&dir, &all, &[])
}

#[test]
fn a_rule_with_macros_lists_appends_and_exceptions() {
    let run = show(&["shell in container"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn json_has_the_same_tree() {
    let run = show(&["shell in container", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["version"], 1);
    assert_eq!(json["rule"], "shell in container");
    assert_eq!(json["event_types"], "execve, execveat");
    assert_eq!(
        json["amended_at"],
        serde_json::json!(["local_rules.yaml:6", "local_rules.yaml:11"])
    );
    let root = &json["condition"];
    assert_eq!(root["label"], "and");
    let first = &root["children"][0]["children"][0];
    assert_eq!(first["label"], "macro spawned_process");
    assert_eq!(first["event_types"], "execve, execveat");
    assert_eq!(
        first["fields"],
        serde_json::json!(["evt.type", "proc.name"])
    );
    assert_eq!(first["instructions"], 3);
    let list = &root["children"][0]["children"][2];
    assert_eq!(list["label"], "proc.name in (bash, zsh, fish)");
    assert_eq!(
        list["origins"],
        serde_json::json!(["list shells at base_rules.yaml:1, amended at local_rules.yaml:1"])
    );
    let total: u64 = root["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|child| child["instructions"].as_u64().unwrap())
        .sum();
    // Two jumps join the three operands of the outer `and`.
    assert_eq!(root["instructions"].as_u64().unwrap(), total + 2);
}

#[test]
fn unknown_rules_and_broken_rulesets_are_refused() {
    let run = show(&["shell in containers"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no rule is named `shell in containers`"),
        "{}",
        run.stderr
    );
    let dir = scratch();
    let rules = write(&dir, "rules.yaml", UNKNOWN_FIELD);
    let run = run_in(
        &dir,
        &["show", "shell spawned", rules.to_str().unwrap()],
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("1 error(s)"), "{}", run.stderr);
}
