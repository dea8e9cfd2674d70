use super::*;
use falco_analysis::analyze;

fn run(old: &str, new: &str) -> Diff {
    let old = analyze(vec![("old.yaml".to_owned(), old.to_owned())]);
    let new = analyze(vec![("new.yaml".to_owned(), new.to_owned())]);
    assert_eq!(old.error_count(), 0, "{:?}", old.diagnostics);
    assert_eq!(new.error_count(), 0, "{:?}", new.diagnostics);
    diff(&old, &new)
}

fn kinds(item: &ItemDiff) -> Vec<Kind> {
    item.changes.iter().map(|change| change.kind).collect()
}

const BASE: &str = "\
- required_engine_version: 0.50.0
- list: shells
  items: [bash, zsh]
- macro: spawned
  condition: evt.type = execve
- rule: shell
  desc: a shell
  condition: spawned and proc.name in (shells)
  output: shell %proc.name
  priority: WARNING
  tags: [a, b]
";

#[test]
fn nothing_changes_without_a_difference_but_layout() {
    let relaid = BASE.replace("spawned and proc.name", "spawned\n    and   proc.name");
    assert!(run(BASE, BASE).is_empty());
    assert!(run(BASE, &relaid).is_empty(), "{:?}", run(BASE, &relaid));
    assert_eq!(run(BASE, BASE).class(), None);
}

#[test]
fn list_items_added_reach_their_rules_and_match_more() {
    let diff = run(BASE, &BASE.replace("[bash, zsh]", "[bash, zsh, fish]"));
    assert_eq!(diff.lists.len(), 1);
    assert_eq!(diff.lists[0].name, "shells");
    assert_eq!(diff.lists[0].used_by, ["shell"]);
    assert_eq!(kinds(&diff.lists[0]), [Kind::ListItemsChanged]);
    assert_eq!(diff.rules.len(), 1);
    assert_eq!(kinds(&diff.rules[0]), [Kind::ReachedChanged]);
    assert_eq!(diff.rules[0].effect, Some(Effect::More));
    assert_eq!(diff.rules[0].via_lists, ["shells"]);
    assert_eq!(diff.class(), Some(Class::Patch));
    // Under `not`, more items let fewer events through.
    let negated = BASE.replace("and proc.name in", "and not proc.name in");
    let diff = run(&negated, &negated.replace("[bash, zsh]", "[bash]"));
    assert_eq!(diff.rules[0].effect, Some(Effect::More));
}

#[test]
fn operands_and_exceptions_decide_more_or_fewer() {
    let narrower = BASE.replace(
        "proc.name in (shells)",
        "proc.name in (shells) and user.uid = 0",
    );
    assert_eq!(run(BASE, &narrower).rules[0].effect, Some(Effect::Fewer));
    assert_eq!(run(&narrower, BASE).rules[0].effect, Some(Effect::More));
    let wider = BASE.replace(
        "proc.name in (shells)",
        "(proc.name in (shells) or proc.pname = sudo)",
    );
    assert_eq!(run(BASE, &wider).rules[0].effect, Some(Effect::More));
    let excepted = format!(
        "{BASE}  exceptions:\n    - name: root\n      fields: [user.uid]\n      values: [[0]]\n"
    );
    let diff = run(BASE, &excepted);
    assert_eq!(diff.rules[0].effect, Some(Effect::Fewer));
    assert!(kinds(&diff.rules[0]).contains(&Kind::ExceptionsAdded));
    let more_rows = excepted.replace("[[0]]", "[[0], [1]]");
    let diff = run(&excepted, &more_rows);
    assert_eq!(diff.rules[0].effect, Some(Effect::Fewer));
    assert_eq!(kinds(&diff.rules[0]), [Kind::ExceptionValuesChanged]);
    let other = BASE.replace("proc.name in (shells)", "proc.exe = /bin/sh");
    let diff = run(BASE, &other);
    assert_eq!(diff.rules[0].effect, Some(Effect::Changed));
    assert!(kinds(&diff.rules[0]).contains(&Kind::ConditionChanged));
    assert!(kinds(&diff.rules[0]).contains(&Kind::FieldsChanged));
}

#[test]
fn event_types_priority_tags_and_enabled_carry_rules_check_classes() {
    let wider = BASE.replace("evt.type = execve", "evt.type in (execve, execveat)");
    let diff = run(BASE, &wider);
    let rule = &diff.rules[0];
    assert!(kinds(rule).contains(&Kind::EventTypesWidened), "{rule:?}");
    assert_eq!(rule.effect, Some(Effect::More));
    assert_eq!(
        kinds(&diff.macros[0]),
        [Kind::MacroConditionChanged, Kind::MacroEventTypesChanged]
    );
    assert_eq!(diff.macros[0].used_by, ["shell"]);
    assert_eq!(
        diff.class(),
        Some(Class::Major),
        "a macro's event types changed"
    );
    let diff = run(&wider, BASE);
    assert!(kinds(&diff.rules[0]).contains(&Kind::EventTypesNarrowed));

    let changed = BASE
        .replace("WARNING", "ERROR")
        .replace("[a, b]", "[a, c]")
        .replace("  tags:", "  enabled: false\n  tags:");
    let diff = run(BASE, &changed);
    assert_eq!(
        kinds(&diff.rules[0]),
        [
            Kind::RuleDisabled,
            Kind::PriorityRaised,
            Kind::TagsAdded,
            Kind::TagsRemoved
        ]
    );
    assert_eq!(diff.class(), Some(Class::Major));
    let diff = run(&changed, BASE);
    assert_eq!(
        kinds(&diff.rules[0]),
        [
            Kind::RuleEnabled,
            Kind::PriorityLowered,
            Kind::TagsAdded,
            Kind::TagsRemoved
        ]
    );
}

#[test]
fn added_removed_and_renamed_items() {
    let added = format!(
        "{BASE}- list: editors\n  items: [vi]\n- rule: editor\n  desc: d\n  condition: spawned and proc.name in (editors)\n  output: o\n  priority: INFO\n"
    );
    let diff = run(BASE, &added);
    assert_eq!(diff.class(), Some(Class::Minor));
    assert_eq!(diff.rules[0].status, Status::Added);
    assert_eq!(diff.lists[0].status, Status::Added);
    let diff = run(&added, BASE);
    assert_eq!(diff.class(), Some(Class::Major));
    assert_eq!(diff.rules[0].status, Status::Removed);
    assert_eq!(
        diff.lists[0].used_by,
        ["editor"],
        "a removed list names its old users"
    );
    let renamed = BASE.replace("- rule: shell", "- rule: shell started");
    let diff = run(BASE, &renamed);
    assert_eq!(
        diff.rules[0].status,
        Status::Renamed {
            from: "shell".into()
        }
    );
    assert_eq!(diff.rules.len(), 1);
    assert_eq!(diff.class(), Some(Class::Major));
}

#[test]
fn engine_and_plugin_requirements_follow_rules_check() {
    let up = BASE.replace("0.50.0", "0.51.0");
    assert_eq!(
        run(BASE, &up).ruleset[0].kind,
        Kind::EngineVersionIncremented
    );
    assert_eq!(
        run(&up, BASE).ruleset[0].kind,
        Kind::EngineVersionDecremented
    );
    let plugins = |text: &str| format!("- required_plugin_versions:\n{text}{BASE}");
    let one = plugins("  - name: container\n    version: 0.4.0\n");
    let with_alternative = plugins(
        "  - name: container\n    version: 0.4.0\n    alternatives:\n      - name: k8smeta\n        version: 0.1.0\n",
    );
    let newer = plugins("  - name: container\n    version: 0.5.0\n");
    let cases = [
        (BASE, one.as_str(), vec![Kind::PluginAdded]),
        (one.as_str(), BASE, vec![Kind::PluginRemoved]),
        (one.as_str(), newer.as_str(), vec![Kind::PluginIncremented]),
        (newer.as_str(), one.as_str(), vec![Kind::PluginDecremented]),
        (
            one.as_str(),
            with_alternative.as_str(),
            vec![Kind::AlternativeAdded],
        ),
        (
            with_alternative.as_str(),
            one.as_str(),
            vec![Kind::AlternativeRemoved],
        ),
    ];
    for (old, new, expected) in cases {
        let found: Vec<Kind> = run(old, new).ruleset.iter().map(|c| c.kind).collect();
        assert_eq!(found, expected, "{old}\n->\n{new}");
    }
}

#[test]
fn every_kind_has_a_unique_id() {
    let mut ids: Vec<&str> = Kind::ALL.iter().map(|kind| kind.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), Kind::ALL.len());
}

#[test]
fn the_manual_lists_every_kind_with_its_class() {
    let manual = include_str!("../../../docs/diff.md");
    for kind in Kind::ALL {
        let row = format!("| `{}` | {} |", kind.id(), kind.class().as_str());
        assert!(manual.contains(&row), "docs/diff.md lacks `{row}`");
    }
}

/// Two versions of a ruleset whose rule reaches `base` through `levels` macros, each
/// using the one below `uses` times (`uses: 2` doubles the inlined condition at
/// every level).
fn nested(base: &str, levels: usize, uses: usize) -> Analysis {
    let mut text = format!("- macro: m0\n  condition: {base}\n");
    for level in 1..=levels {
        let below = vec![format!("m{}", level - 1); uses].join(" and ");
        text.push_str(&format!("- macro: m{level}\n  condition: {below}\n"));
    }
    text.push_str(&format!(
        "- rule: r\n  desc: d\n  condition: evt.type = execve and m{levels}\n  output: o\n  priority: NOTICE\n"
    ));
    analyze(vec![("rules.yaml".to_owned(), text)])
}

#[test]
fn doubling_macros_are_compared_in_bounded_time() {
    // 2^40 checks once inlined: lint refuses the rule (E211), and diff answers at once
    // with "changed" instead of inlining it.
    let diff = falco_test_budget::bounded("diff of 40 doubling macros", || {
        let old = nested("proc.name in (a)", 40, 2);
        let new = nested("proc.name in (a, b)", 40, 2);
        assert!(
            new.diagnostics
                .iter()
                .any(|d| d.code == falco_diagnostics::Code::E211),
            "{:?}",
            new.diagnostics
        );
        diff(&old, &new)
    });
    let rule = diff.rules.iter().find(|item| item.name == "r").expect("r");
    assert_eq!(rule.effect, Some(Effect::Changed));
    assert_eq!(rule.via_macros, ["m0"]);
    // Below the limit (2^12 checks) the shapes are built and compared: one more list
    // item, everywhere, matches more.
    let diff = falco_test_budget::bounded("diff of 12 doubling macros", || {
        super::diff(
            &nested("proc.name in (a)", 12, 2),
            &nested("proc.name in (a, b)", 12, 2),
        )
    });
    let rule = diff.rules.iter().find(|item| item.name == "r").expect("r");
    assert_eq!(rule.effect, Some(Effect::More));
}

#[test]
fn a_change_at_the_bottom_of_a_long_macro_chain_is_seen() {
    // Deeper than the 64 levels the comparison once stopped at (and so called the
    // change "same"), within lint's 1,000.
    let old = nested("proc.name in (a)", 300, 1);
    assert_eq!(old.error_count(), 0, "{:?}", old.diagnostics);
    let diff = diff(&old, &nested("proc.name in (a, b)", 300, 1));
    let rule = diff.rules.iter().find(|item| item.name == "r").expect("r");
    assert_eq!(rule.effect, Some(Effect::More));
    let diff = super::diff(&old, &nested("proc.name in (a) and fd.num = 1", 300, 1));
    let rule = diff.rules.iter().find(|item| item.name == "r").expect("r");
    assert_eq!(rule.effect, Some(Effect::Fewer));
    assert!(
        kinds(rule).contains(&Kind::FieldsChanged),
        "{:?}",
        rule.changes
    );
}
