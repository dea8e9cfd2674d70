//! `falco-rulec fmt`: the contract of issue 17 (rewrite in place; `--check` writes
//! nothing and exits 1 when a file would change, else 0; 2 for unreadable or
//! unformattable inputs).

use crate::support::*;

/// Not in the canonical layout: key order, indentation, a long condition.
const UNFORMATTED: &str = "\
# shells
- list: shells
  items:   [bash, zsh]

- rule: shell spawned
  priority: NOTICE
  desc: a shell started
  condition: evt.type in (execve, execveat) and proc.name in (shells) and not proc.pname in (sshd, sudo)
  output: shell started (command=%proc.cmdline)
  tags:
      - shell
";

const FORMATTED: &str = "\
# shells
- list: shells
  items: [bash, zsh]

- rule: shell spawned
  desc: a shell started
  condition: evt.type in (execve, execveat)
             and proc.name in (shells)
             and not proc.pname in (sshd, sudo)
  output: shell started (command=%proc.cmdline)
  priority: NOTICE
  tags:
    - shell
";

#[test]
fn fmt_rewrites_files_in_place_and_then_has_nothing_to_do() {
    let dir = scratch();
    let file = write(&dir, "rules.yaml", UNFORMATTED);
    let path = file.to_str().unwrap();
    let first = run_in(&dir, &["fmt", path], &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.stdout, format!("formatted {path}\n"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), FORMATTED);
    let second = run_in(&dir, &["fmt", path], &[]);
    assert_eq!((second.code, second.stdout.as_str()), (0, ""));
}

#[test]
fn check_writes_nothing_and_exits_1_when_a_file_would_change() {
    let dir = scratch();
    let messy = write(&dir, "rules/a.yaml", UNFORMATTED);
    write(&dir, "rules/b.yaml", FORMATTED);
    let run = run_in(&dir, &["fmt", "--check", "rules"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // The first changed line is named, so CI logs point at it.
    assert_eq!(run.stdout, "rules/a.yaml:3: would be reformatted\n");
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), UNFORMATTED);
    let clean = run_in(&dir, &["fmt", "--check", "rules/b.yaml"], &[]);
    assert_eq!(
        (clean.code, clean.stdout.as_str()),
        (0, ""),
        "{}",
        clean.stderr
    );
}

#[test]
fn unformattable_and_missing_inputs_exit_2_and_the_others_are_still_formatted() {
    let dir = scratch();
    write(&dir, "broken.yaml", "- rule: a\n  desc: [unclosed\n");
    let messy = write(&dir, "messy.yaml", UNFORMATTED);
    let run = run_in(
        &dir,
        &["fmt", "broken.yaml", "messy.yaml", "gone.yaml"],
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("broken.yaml:3:1: cannot format: invalid yaml"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("cannot read `gone.yaml`"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), FORMATTED);
    let check = run_in(&dir, &["fmt", "--check", "broken.yaml"], &[]);
    assert_eq!(check.code, 2, "{}", check.stderr);
    assert_eq!(run_in(&dir, &["fmt"], &[]).code, 2, "paths are required");
}
