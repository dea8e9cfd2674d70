//! The fixes diagnostics carry: one wherever a did-you-mean is, each replacing the
//! text it names, and applying it removes its diagnostic.

use falco_diagnostics::{Code, Fix};

use super::analyze;

/// One misspelling per place that suggests a name.
const TYPOS: &str = r#"
- list: shell_binaries
  items: [bash, zsh]

- macro: spawned_process
  condition: evt.type = execve

- macro: spawned_process
  condition: or evt.type = execveat
  append: true

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
  output: "started %prco.exepath"
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

/// The diagnostics with `code`.
fn count(text: &str, code: Code) -> usize {
    analyze(vec![("rules.yaml".to_owned(), text.to_owned())])
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == code)
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
            assert!(
                count(&apply(TYPOS, fix), diagnostic.code) < count(TYPOS, diagnostic.code),
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
            "E502: Replace `prco.exepath` with `proc.exepath`",
            "W101: Replace `macr` with `macro`",
            "W102: Replace `conditon` with `condition`",
            "W102: Replace `tag` with `tags`",
            "W103: Replace `append: true` with `override:`",
            "W406: Replace `shell_binarie` with `shell_binaries`",
        ]
    );
}
