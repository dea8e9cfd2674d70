//! The fixes diagnostics carry: each one is there where a did-you-mean is, replaces
//! the text it names, and applying it removes its diagnostic.

use falco_diagnostics::{Code, Fix};

use super::analyze;

/// One misspelling per place that suggests a name.
const TYPOS: &str = r#"
- list: shell_binaries
  items: [bash, zsh]

- macro: spawned_process
  condition: evt.type = execve

- macr: opened_file
  condition: evt.type = openat

- list: shell_binarie
  items: [sh]
  override:
    items: append

- rule: misspelt key
  desc: d
  conditon: proc.name = bash
  output: o
  priority: WARNING

- rule: misspelt priority
  desc: d
  condition: proc.name = bash
  output: o
  priority: WARNNG

- rule: typos
  desc: d
  condition: >
    spawned_proces and proc.nmae = bash and evt.type != opnat
    and proc.pname in (shell_binarie)
  output: "started %proc.exepaht"
  priority: WARNING
  tag: [shell]
  exceptions:
    - name: by_parent
      fields: [proc.pnmae, proc.cmdline]
      comps: [=, startswith]

- rule: misspelt operator
  desc: d
  condition: evt.type = execve
  output: o
  priority: WARNING
  exceptions:
    - name: by_command
      fields: [proc.cmdline]
      comps: [startwith]
"#;

fn edits_of(fix: &Fix) -> Vec<(std::ops::Range<usize>, &str, &str)> {
    fix.edits
        .iter()
        .map(|edit| {
            (
                edit.span.span.range(),
                edit.replaced.as_str(),
                edit.text.as_str(),
            )
        })
        .collect()
}

fn apply(text: &str, fix: &Fix) -> String {
    let mut text = text.to_owned();
    let mut edits = edits_of(fix);
    edits.sort_by_key(|(range, ..)| std::cmp::Reverse(range.start));
    for (range, _, new) in edits {
        text.replace_range(range, new);
    }
    text
}

/// The diagnostics with `code` that start at `start` of the text.
fn at(text: &str, code: Code, start: u32) -> usize {
    analyze(vec![("rules.yaml".to_owned(), text.to_owned())])
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == code && diagnostic.primary.span.span.start == start)
        .count()
}

#[test]
fn every_did_you_mean_carries_a_fix_that_removes_its_diagnostic() {
    let analysis = analyze(vec![("rules.yaml".to_owned(), TYPOS.to_owned())]);
    let mut fixed = Vec::new();
    for diagnostic in &analysis.diagnostics {
        if diagnostic
            .help
            .as_deref()
            .is_some_and(|help| help.starts_with("did you mean `"))
        {
            assert!(!diagnostic.fixes.is_empty(), "no fix for {diagnostic:?}");
        }
        for fix in &diagnostic.fixes {
            for (range, replaced, _) in edits_of(fix) {
                assert_eq!(&TYPOS[range], replaced, "{fix:?}");
            }
            let start = diagnostic.primary.span.span.start;
            assert_eq!(at(TYPOS, diagnostic.code, start), 1);
            assert_eq!(
                at(&apply(TYPOS, fix), diagnostic.code, start),
                0,
                "{fix:?} leaves {diagnostic:?}"
            );
            fixed.push(format!("{}: {}", diagnostic.code.as_str(), fix.title));
        }
    }
    fixed.sort();
    assert_eq!(
        fixed,
        [
            "E104: Replace `conditon` with `condition`",
            "E107: Replace `WARNNG` with `Warning`",
            "E202: Replace `shell_binarie` with `shell_binaries`",
            "E203: Replace `spawned_proces` with `spawned_process`",
            "E206: Replace `proc.pnmae` with `proc.pname`",
            "E206: Replace `startwith` with `startswith`",
            "E401: Replace `proc.nmae` with `proc.name`",
            "E405: Replace `opnat` with `openat`",
            "E502: Replace `proc.exepaht` with `proc.exepath`",
            "W101: Replace `macr` with `macro`",
            "W102: Replace `conditon` with `condition`",
            "W102: Replace `tag` with `tags`",
            "W406: Replace `shell_binarie` with `shell_binaries`",
        ]
    );
}
