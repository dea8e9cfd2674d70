//! Re-analysis through the memos gives what a fresh [`analyze`] gives, after
//! every edit of a random sequence and after undoing it step by step (the undo
//! steps are where the memos are hit most, with items moved in their files).

use proptest::prelude::*;

use crate::incremental::Incremental;
use crate::test_support::{fingerprint, upstream_rules};
use crate::{Analysis, analyze};

/// One edit: in file `file`, at a place chosen by `anchor` among the places that
/// start with one of the anchor words, `offset` bytes further, delete `delete`
/// bytes and insert `insert`.
#[derive(Clone, Debug)]
struct Edit {
    file: usize,
    anchor: usize,
    offset: usize,
    delete: usize,
    insert: &'static str,
}

/// Where edits land: inside conditions, lists, exceptions and outputs, and at
/// the start of items (above list definitions, which then move: the kept list
/// substitutions must move with them).
const ANCHORS: &[&str] = &[
    "condition:",
    "items:",
    "values:",
    "output:",
    "- rule:",
    "- list:",
    "- macro:",
];

/// What edits insert: names of fields, macros and lists, operators, YAML syntax.
const INSERTS: &[&str] = &[
    "",
    "x",
    " ",
    "\n",
    "(",
    ")",
    ",",
    ":",
    "\"",
    " and ",
    " or not ",
    "proc.name",
    "proc.nme",
    " = bash",
    " in (a, b)",
    "shell_binaries",
    "spawned_process",
    "never_true",
    "\n- macro: late_macro\n  condition: proc.name = x\n",
    "\n- list: extra\n  items: [c]\n",
];

fn edit() -> impl Strategy<Value = Edit> {
    (
        0usize..3,
        0usize..64,
        0usize..120,
        0usize..6,
        proptest::sample::select(INSERTS),
    )
        .prop_map(|(file, anchor, offset, delete, insert)| Edit {
            file,
            anchor,
            offset,
            delete,
            insert,
        })
}

/// Applies `edit` to `files`; `false` when the file has no anchor.
fn apply(files: &mut [(String, String)], edit: &Edit) -> bool {
    let index = edit.file % files.len();
    let text = &mut files[index].1;
    let starts: Vec<usize> = ANCHORS
        .iter()
        .flat_map(|anchor| text.match_indices(anchor).map(|(at, _)| at))
        .collect();
    if starts.is_empty() {
        return false;
    }
    let floor = |mut at: usize, text: &str| {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let start = floor(starts[edit.anchor % starts.len()] + edit.offset, text);
    let end = floor(start + edit.delete, text);
    text.replace_range(start..end, edit.insert);
    true
}

/// Runs the edits one after another, then undoes them in reverse order, and
/// checks after each step that the memoised re-analysis equals `analyze`.
fn check_sequence(files: Vec<(String, String)>, edits: &[Edit]) -> Result<(), TestCaseError> {
    let mut incremental = Incremental::new();
    let mut current = files;
    let mut history = vec![current.clone()];
    prop_assert_eq!(
        fingerprint(&incremental.analyze(current.clone())),
        fingerprint(&analyze(current.clone()))
    );
    for edit in edits {
        if apply(&mut current, edit) {
            history.push(current.clone());
            prop_assert_eq!(
                fingerprint(&incremental.analyze(current.clone())),
                fingerprint(&analyze(current.clone())),
                "after {:?}",
                edit
            );
        }
    }
    history.pop();
    while let Some(previous) = history.pop() {
        prop_assert_eq!(
            fingerprint(&incremental.analyze(previous.clone())),
            fingerprint(&analyze(previous)),
            "undoing"
        );
    }
    Ok(())
}

const FILE_A: &str = r#"- required_engine_version: 0.26.0
- list: shell_binaries
  items: [bash, sh, zsh]
- list: shell_mgmt
  items: [shell_binaries, chsh]
- macro: spawned_process
  condition: evt.type in (execve, execveat) and evt.dir = <
- macro: shell_procs
  condition: proc.name in (shell_binaries)
- macro: never_true
  condition: (evt.num = 0)
- rule: Shell spawned
  desc: a shell
  condition: spawned_process and shell_procs and not proc.pname in (shell_mgmt)
  output: shell %proc.name %user.name
  priority: WARNING
  exceptions:
    - name: known
      fields: [proc.name, proc.pname]
      comps: [=, in]
      values:
        - [bash, [sshd, login]]
- rule: Write etc
  desc: write
  condition: evt.type = open and fd.name startswith /etc and not never_true
  output: write %fd.name
  priority: ERROR
- rule: K8s thing
  desc: k
  condition: ka.verb = create and ka.target.resource = pods
  output: k8s %ka.user.name
  priority: INFO
  source: k8s_audit
"#;

const FILE_B: &str = r#"- list: shell_binaries
  items: [fish]
  override:
    items: append
- macro: shell_procs
  condition: or proc.name = ksh
  override:
    condition: append
- rule: Shell spawned
  exceptions:
    - name: known
      values:
        - [zsh, [cron]]
  override:
    exceptions: append
- rule: Write etc
  condition: and proc.name != vi
  override:
    condition: append
- macro: unused_macro
  condition: proc.name = foo
- rule: Unknown field
  desc: u
  condition: spawned_process and proc.nme = x
  output: "%proc.name"
  priority: INFO
  skip-if-unknown-filter: true
"#;

const FILE_C: &str = r#"- macro: spawned_process
  condition: evt.type = execve and evt.dir = <
  override:
    condition: replace
- rule: Write etc
  enabled: false
- list: extra
  items: [a, b]
- rule: Late
  desc: l
  condition: proc.name in (extra, shell_binaries) and shell_procs
  output: late %proc.name
  priority: NOTICE
- rule: Broad
  desc: b
  condition: shell_procs and not never_true
  output: broad %proc.name
  priority: NOTICE
- rule: Near lists
  desc: n
  condition: proc.name in (shell_binarie, extra_list, ssh)
  output: near %proc.name
  priority: NOTICE
- rule: Same condition as a macro
  desc: s
  condition: (evt.num = 0)
  output: same %proc.name
  priority: NOTICE
  source: k8s_audit
"#;

fn synthetic() -> Vec<(String, String)> {
    [("a.yaml", FILE_A), ("b.yaml", FILE_B), ("c.yaml", FILE_C)]
        .into_iter()
        .map(|(name, text)| (name.to_owned(), text.to_owned()))
        .collect()
}

proptest! {
    #[test]
    fn synthetic_rulesets_equal_analyze_through_edits(
        edits in proptest::collection::vec(edit(), 1..6)
    ) {
        check_sequence(synthetic(), &edits)?;
    }
}

/// Random edits of `falco_rules.yaml` next to the other upstream files. A full
/// analysis of them is slow without optimisations, so this runs two sequences by
/// default, drawn from a fixed seed.
#[test]
fn upstream_rules_equal_analyze_through_edits() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};

    let rng = TestRng::from_seed(Default::default(), &[7; 32]);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let sequence = proptest::collection::vec(edit(), 1..4);
    for _ in 0..falco_test_budget::cases(2) {
        let edits: Vec<Edit> = sequence
            .new_tree(&mut runner)
            .expect("a sequence of edits")
            .current()
            .into_iter()
            .map(|edit| Edit { file: 0, ..edit })
            .collect();
        if let Err(error) = check_sequence(upstream_rules(), &edits) {
            panic!("{error}");
        }
    }
}

/// The memos are hit: after an edit inside one condition and its undo, only the
/// edited condition (and nothing else) is parsed and typechecked again, though
/// every item after it moved.
#[test]
fn an_edit_redoes_only_the_edited_condition() {
    let files = synthetic();
    let mut edited = files.clone();
    edited[0].1 = edited[0].1.replacen(
        "condition: proc.name in (shell_binaries)",
        "condition: proc.namex in (shell_binaries)",
        1,
    );
    let mut incremental = Incremental::new();
    drop(incremental.analyze(files.clone()));
    let (parsed, checked) = incremental.redone();
    assert!(parsed > 10 && checked > 10, "{parsed} {checked}");
    drop(incremental.analyze(files.clone()));
    assert_eq!(incremental.redone(), (0, 0));
    let analysis = incremental.analyze(edited.clone());
    assert_eq!(fingerprint(&analysis), fingerprint(&analyze(edited)));
    // The macro's condition is parsed again, and checked under the one source
    // whose rules reach it.
    assert_eq!(incremental.redone(), (1, 1));
    drop(incremental.analyze(files));
    assert_eq!(incremental.redone(), (1, 1));
}

/// A rule's event types follow the macros it uses: when only a macro changes,
/// the rule's kept event types are not reused.
#[test]
fn event_types_follow_an_edited_macro() {
    let files = synthetic();
    let mut edited = files.clone();
    edited[2].1 = edited[2]
        .1
        .replacen("evt.type = execve and evt.dir = <", "evt.dir = <", 1);
    let mut incremental = Incremental::new();
    let mut counts = Vec::new();
    for step in [&files, &edited, &files, &edited] {
        let analysis = incremental.analyze(step.clone());
        assert_eq!(fingerprint(&analysis), fingerprint(&analyze(step.clone())));
        let count = analysis
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.code == falco_diagnostics::Code::W206)
            .count();
        counts.push(count);
    }
    // The rules that use `spawned_process` lose their event-type restriction.
    assert!(counts[1] > counts[0], "{counts:?}");
    assert_eq!(counts[0], counts[2]);
    assert_eq!(counts[1], counts[3]);
}

/// An edit above list definitions moves them, and the conditions they are
/// substituted into: the kept substitutions move with them and are all reused.
/// An edit of a list's entries redoes the substitutions that use it, and only
/// those.
#[test]
fn substitutions_move_with_an_edit_above_the_lists() {
    let files = synthetic();
    let mut moved = files.clone();
    moved[0].1 = moved[0].1.replacen(
        "- list: shell_binaries",
        "# moved\n- list: shell_binaries",
        1,
    );
    let mut relisted = files.clone();
    relisted[0].1 =
        relisted[0]
            .1
            .replacen("items: [bash, sh, zsh]", "items: [bash, sh, zsh, ksh]", 1);
    let mut incremental = Incremental::new();
    drop(incremental.analyze(files.clone()));
    let all = incremental.substituted();
    assert!(all > 10, "{all}");
    for (step, fresh) in [(&moved, 0), (&files, 0), (&moved, 0)] {
        let analysis = incremental.analyze(step.clone());
        assert_eq!(fingerprint(&analysis), fingerprint(&analyze(step.clone())));
        assert_eq!(incremental.substituted(), fresh);
    }
    let analysis = incremental.analyze(relisted.clone());
    assert_eq!(fingerprint(&analysis), fingerprint(&analyze(relisted)));
    // `shell_procs`, `Late` (both name `shell_binaries`) and `Shell spawned`
    // (`shell_mgmt`, which holds its entries) substitute again.
    assert_eq!(incremental.substituted(), 3);
}

/// The nearest list name kept for a word of a list literal (W406's help)
/// follows the list names: renaming a list gives the help a fresh analysis gives.
#[test]
fn list_name_suggestions_follow_renamed_lists() {
    let files = synthetic();
    let mut renamed = files.clone();
    renamed[2].1 = renamed[2]
        .1
        .replace("- list: extra\n", "- list: extra_lists\n")
        .replace("(extra, shell_binaries)", "(extra_lists, shell_binaries)");
    let helps = |analysis: &Analysis| -> Vec<String> {
        analysis
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.code == falco_diagnostics::Code::W406)
            .map(|diagnostic| format!("{:?}", diagnostic.help))
            .collect()
    };
    let mut incremental = Incremental::new();
    let mut seen = Vec::new();
    for step in [&files, &renamed, &files, &renamed] {
        let analysis = incremental.analyze(step.clone());
        assert_eq!(fingerprint(&analysis), fingerprint(&analyze(step.clone())));
        seen.push(helps(&analysis));
    }
    assert!(
        seen[0].iter().any(|help| help.contains("`shell_binaries`")),
        "{seen:?}"
    );
    assert!(
        seen[1].iter().any(|help| help.contains("`extra_lists`")),
        "{seen:?}"
    );
    assert!(
        !seen[0].iter().any(|help| help.contains("`extra_lists`")),
        "{seen:?}"
    );
    assert_eq!(seen[0], seen[2]);
    assert_eq!(seen[1], seen[3]);
}
