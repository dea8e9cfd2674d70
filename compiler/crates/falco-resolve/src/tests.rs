use falco_diagnostics::Code;
use falco_loader::load_file;
use falco_span::FileId;

use super::*;

fn resolve_texts(texts: &[&str]) -> (Ruleset, Vec<falco_diagnostics::Diagnostic>, Vec<String>) {
    let loaded: Vec<LoadedFile> = texts
        .iter()
        .enumerate()
        .map(|(index, text)| load_file(FileId(index as u32), text))
        .collect();
    let mut diagnostics: Vec<_> = loaded
        .iter()
        .flat_map(|file| file.diagnostics.clone())
        .collect();
    let (ruleset, more) = resolve(&loaded, &Options::default());
    diagnostics.extend(more);
    (
        ruleset,
        diagnostics,
        texts.iter().map(|text| text.to_string()).collect(),
    )
}

fn codes(diagnostics: &[falco_diagnostics::Diagnostic]) -> Vec<Code> {
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic.code)
        .collect()
}

/// The text a diagnostic's primary span covers.
fn spanned<'a>(texts: &'a [String], diagnostic: &falco_diagnostics::Diagnostic) -> &'a str {
    let span = diagnostic.primary.span;
    &texts[span.file.0 as usize][span.span.range()]
}

const RULE_TAIL: &str = "  output: out\n  priority: INFO\n  desc: d\n";

#[test]
fn lists_are_substituted_as_text_with_quoting() {
    let text = format!(
        "- list: shells\n  items: [bash, \"my shell\"]\n- rule: r\n  condition: evt.type = execve and proc.name in (shells)\n{RULE_TAIL}"
    );
    let (ruleset, diagnostics, _) = resolve_texts(&[&text]);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let rule = ruleset.rule("r").unwrap();
    assert_eq!(
        rule.condition.expanded.text,
        "evt.type = execve and proc.name in ( bash, \"my shell\" )"
    );
    assert!(ruleset.list("shells").unwrap().used);
    assert_eq!(rule.condition.list_uses.len(), 1);
}

#[test]
fn substituted_items_map_to_their_list_entries() {
    let text = format!(
        "- list: shells\n  items: [bash, zsh]\n- rule: r\n  condition: proc.name in (shells)\n{RULE_TAIL}"
    );
    let (ruleset, _, texts) = resolve_texts(&[&text]);
    let condition = &ruleset.rule("r").unwrap().condition;
    let at = condition.expanded.text.find("zsh").unwrap() as u32;
    let span = condition
        .to_file(falco_span::Span::new(at, at + 3))
        .unwrap();
    assert_eq!(&texts[0][span.span.range()], "zsh");
    assert_eq!(span.span.start as usize, text.find("zsh").unwrap());
}

#[test]
fn empty_lists_eat_a_comma() {
    let text = format!(
        "- list: none\n  items: []\n- rule: r\n  condition: proc.name in (a, none)\n{RULE_TAIL}"
    );
    let (ruleset, _, _) = resolve_texts(&[&text]);
    assert_eq!(
        ruleset.rule("r").unwrap().condition.expanded.text,
        "proc.name in (a  )"
    );
}

#[test]
fn lists_expand_earlier_lists_only() {
    let text = format!(
        "- list: a\n  items: [x]\n- list: b\n  items: [a, c, later]\n- list: later\n  items: [z]\n- rule: r\n  condition: proc.name in (b)\n{RULE_TAIL}"
    );
    let (ruleset, _, _) = resolve_texts(&[&text]);
    let items: Vec<&str> = ruleset
        .list("b")
        .unwrap()
        .items
        .iter()
        .map(|entry| entry.value.as_str())
        .collect();
    assert_eq!(items, ["x", "c", "later"]);
    // `later` is substituted into the condition by the later pass, as Falco does.
    assert_eq!(
        ruleset.rule("r").unwrap().condition.expanded.text,
        "proc.name in ( x, c, z )"
    );
}

#[test]
fn macros_see_only_earlier_macros() {
    let text = format!(
        "- macro: first\n  condition: second\n- macro: second\n  condition: proc.name = bash\n- rule: r\n  condition: first and second\n{RULE_TAIL}"
    );
    let (ruleset, diagnostics, texts) = resolve_texts(&[&text]);
    let undefined: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.code == Code::E203)
        .collect();
    assert_eq!(undefined.len(), 1, "{diagnostics:#?}");
    assert_eq!(spanned(&texts, undefined[0]), "second");
    assert_eq!(undefined[0].related.len(), 1);
    let rule = ruleset.rule("r").unwrap();
    assert!(
        rule.condition
            .macro_refs
            .iter()
            .all(|reference| reference.target.is_some())
    );
}

#[test]
fn appended_macros_see_macros_defined_before_the_append() {
    let text = format!(
        "- macro: m\n  condition: proc.name = a\n- macro: n\n  condition: proc.name = b\n- macro: m\n  condition: or n\n  override:\n    condition: append\n- rule: r\n  condition: m\n{RULE_TAIL}"
    );
    let (ruleset, diagnostics, _) = resolve_texts(&[&text]);
    assert!(
        !codes(&diagnostics).contains(&Code::E203),
        "{diagnostics:#?}"
    );
    assert_eq!(
        ruleset.macro_named("m").unwrap().condition.expanded.text,
        "proc.name = a or n"
    );
}

#[test]
fn appends_across_files_keep_their_own_file() {
    let first = format!("- rule: r\n  condition: evt.type = open\n{RULE_TAIL}");
    let second = "- rule: r\n  condition: and proc.name = (\n  append: true\n";
    let (ruleset, diagnostics, _) = resolve_texts(&[&first, second]);
    assert_eq!(
        ruleset.rule("r").unwrap().condition.source.text,
        "evt.type = open and proc.name = ("
    );
    let syntax: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.code.as_str().starts_with("E3"))
        .collect();
    assert!(!syntax.is_empty(), "{diagnostics:#?}");
    assert!(
        syntax.iter().all(|d| d.primary.span.file == FileId(1)),
        "{syntax:#?}"
    );
}

#[test]
fn undefined_targets_and_source_mismatches_are_errors() {
    let text = format!(
        "- rule: r\n  condition: evt.type = open\n{RULE_TAIL}- rule: s\n  condition: and x\n  append: true\n- rule: r\n  condition: ka.verb = get\n  source: k8s_audit\n{RULE_TAIL}"
    );
    let (_, diagnostics, texts) = resolve_texts(&[&text]);
    let missing = diagnostics
        .iter()
        .find(|d| d.code == Code::E202)
        .expect("E202");
    assert_eq!(spanned(&texts, missing), "s");
    let mismatch = diagnostics
        .iter()
        .find(|d| d.code == Code::E204)
        .expect("E204");
    assert_eq!(spanned(&texts, mismatch), "k8s_audit");
}

#[test]
fn exceptions_become_condition_text() {
    let text = format!(
        "- rule: r\n  condition: evt.type = open\n{RULE_TAIL}  exceptions:\n    - name: e1\n      fields: [proc.name, fd.name]\n      values:\n        - [bash, /etc/x y]\n    - name: e2\n      fields: proc.name\n      values: [sh, zsh]\n"
    );
    let (ruleset, diagnostics, _) = resolve_texts(&[&text]);
    assert!(
        diagnostics.iter().all(|d| !d.is_error()),
        "{diagnostics:#?}"
    );
    assert_eq!(
        ruleset.rule("r").unwrap().condition.expanded.text,
        "(evt.type = open) and not (( proc.name = bash and fd.name = \"/etc/x y\")) and not (proc.name in (sh, zsh))"
    );
}

#[test]
fn exception_arity_is_checked() {
    let text = format!(
        "- rule: r\n  condition: evt.type = open\n{RULE_TAIL}  exceptions:\n    - name: e1\n      fields: [proc.name, fd.name]\n      comps: [=]\n      values:\n        - [bash, x]\n"
    );
    let (_, diagnostics, _) = resolve_texts(&[&text]);
    assert!(
        codes(&diagnostics).contains(&Code::E205),
        "{diagnostics:#?}"
    );
}

#[test]
fn unused_items_warn_and_unknown_sources_skip() {
    let text = format!(
        "- list: l\n  items: [a]\n- macro: m\n  condition: proc.name = a\n- rule: r\n  condition: github.x = 1\n  source: github\n{RULE_TAIL}"
    );
    let (ruleset, diagnostics, _) = resolve_texts(&[&text]);
    let found = codes(&diagnostics);
    assert!(
        found.contains(&Code::W201) && found.contains(&Code::W202) && found.contains(&Code::W203),
        "{found:?}"
    );
    assert!(ruleset.rule("r").unwrap().unknown_source);
}

/// A macro used above its definition gets E203 at the use, pointing at it; it is
/// not also "never used".
#[test]
fn a_macro_used_too_early_is_not_also_unused() {
    let text = format!(
        "- macro: uses_late\n  condition: late and proc.name = sh\n- macro: late\n  condition: proc.name = bash\n- rule: r\n  condition: evt.type = execve and uses_late\n{RULE_TAIL}"
    );
    let (_, diagnostics, _) = resolve_texts(&[&text]);
    assert_eq!(codes(&diagnostics), [Code::E203], "{diagnostics:#?}");
}

#[test]
fn list_literal_typos_warn() {
    let text = format!(
        "- list: shell_binaries\n  items: [bash]\n- rule: r\n  condition: proc.name in (shell_binarys, shell_binaries)\n{RULE_TAIL}"
    );
    let (_, diagnostics, texts) = resolve_texts(&[&text]);
    let warning = diagnostics
        .iter()
        .find(|d| d.code == Code::W406)
        .expect("W406");
    assert_eq!(spanned(&texts, warning), "shell_binarys");
}

#[test]
fn unused_items_are_judged_at_the_load_of_their_file() {
    let first = format!(
        "- list: later_use\n  items: [a]\n- list: own_use\n  items: [b]\n- rule: r\n  condition: proc.name in (own_use)\n{RULE_TAIL}"
    );
    let second = format!("- rule: s\n  condition: proc.name in (later_use)\n{RULE_TAIL}");
    let (ruleset, diagnostics, texts) = resolve_texts(&[&first, &second]);
    let unused: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.code == Code::W202)
        .map(|d| spanned(&texts, d))
        .collect();
    // Falco warns after loading the first file, before the second one uses it.
    assert_eq!(unused, ["later_use"]);
    assert!(ruleset.list("later_use").unwrap().used);
}

#[test]
fn identical_redefinitions_are_silent() {
    let text = "- list: l\n  items: [a]\n- list: l\n  items: [a]\n- list: l\n  items: [b]\n";
    let (_, diagnostics, _) = resolve_texts(&[text]);
    let redefined = diagnostics.iter().filter(|d| d.code == Code::I201).count();
    assert_eq!(redefined, 1);
}

#[test]
fn items_the_loader_dropped_cause_no_follow_on_errors() {
    // The rule is dropped for its priority; the macro it uses must not be reported
    // unused, and an append to the dropped rule is not an undefined target.
    let text = "- macro: m\n  condition: proc.name = a\n- rule: r\n  desc: d\n  condition: m\n  output: o\n  priority: URGENT\n- rule: r\n  condition: and proc.name = b\n  override:\n    condition: append\n";
    let (_, diagnostics, _) = resolve_texts(&[text]);
    assert_eq!(codes(&diagnostics), [Code::E107], "{diagnostics:#?}");
}

#[test]
fn a_macro_loop_is_one_error_at_the_reference_that_closes_it() {
    // Falco: "reference loop in macro 'b'" (LOAD_ERR_VALIDATE), used or not.
    let text = "- macro: a\n  condition: evt.type = open\n- macro: b\n  condition: a\n- macro: c\n  condition: b\n- macro: a\n  condition: c or evt.type = close\n";
    let (ruleset, diagnostics, texts) = resolve_texts(&[text]);
    let loops: Vec<_> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == Code::E208)
        .collect();
    assert_eq!(loops.len(), 1, "{diagnostics:#?}");
    let diagnostic = loops[0];
    assert!(diagnostic.is_error());
    assert_eq!(
        diagnostic.message,
        "macros refer to each other in a loop: `a` → `c` → `b` → `a`"
    );
    assert_eq!(spanned(&texts, diagnostic), "c");
    assert_eq!(
        diagnostic.primary.span.span.start,
        text.rfind("c or").unwrap() as u32
    );
    let related: Vec<(&str, &str)> = diagnostic
        .related
        .iter()
        .map(|label| (&text[label.span.span.range()], label.message.as_str()))
        .collect();
    assert_eq!(
        related,
        [("b", "`c` uses `b` here"), ("a", "`b` uses `a` again here")]
    );
    assert!(ruleset.macros.iter().all(|item| item.looped));
}

#[test]
fn a_macro_appended_with_itself_refers_to_itself() {
    let text = "- macro: a\n  condition: evt.type = open\n- macro: a\n  condition: or a\n  override:\n    condition: append\n- macro: other\n  condition: evt.type = close\n";
    let (ruleset, diagnostics, texts) = resolve_texts(&[text]);
    let loops: Vec<_> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == Code::E208)
        .collect();
    assert_eq!(loops.len(), 1, "{diagnostics:#?}");
    assert_eq!(loops[0].message, "macro `a` refers to itself");
    assert_eq!(spanned(&texts, loops[0]), "a");
    assert!(loops[0].related.is_empty());
    assert!(ruleset.macro_named("a").unwrap().looped);
    assert!(!ruleset.macro_named("other").unwrap().looped);
}

#[test]
fn a_long_chain_of_macros_is_not_a_loop() {
    let mut text = String::from("- macro: m0\n  condition: evt.type = open\n");
    for index in 1..20_000 {
        text.push_str(&format!("- macro: m{index}\n  condition: m{}\n", index - 1));
    }
    let (ruleset, diagnostics, _) = resolve_texts(&[&text]);
    assert!(!codes(&diagnostics).contains(&Code::E208));
    assert!(ruleset.macros.iter().all(|item| !item.looped));
}

/// Macros `m0` ... `mN`, each `mK` written as `body` with `{p}` standing for
/// `m(K-1)`, and a rule `r` whose condition is `mN`.
fn macro_chain(levels: usize, body: &str) -> String {
    let mut text = String::from("- macro: m0\n  condition: evt.type = open\n");
    for level in 1..=levels {
        let condition = body.replace("{p}", &format!("m{}", level - 1));
        text.push_str(&format!("- macro: m{level}\n  condition: {condition}\n"));
    }
    text.push_str(&format!("- rule: r\n  condition: m{levels}\n{RULE_TAIL}"));
    text
}

#[test]
fn doubling_macros_are_measured_once_each_and_refused_past_the_size_limit() {
    // 40 levels inline into 2^40 checks: measuring them by inlining would not end.
    let text = macro_chain(40, "{p} and {p}");
    let (_, diagnostics, texts) =
        falco_test_budget::bounded("doubling macros", || resolve_texts(&[&text]));
    assert_eq!(codes(&diagnostics), vec![Code::E211], "{diagnostics:#?}");
    let diagnostic = &diagnostics[0];
    assert_eq!(spanned(&texts, diagnostic), "m40");
    assert!(
        diagnostic.message.contains("1099511627776 field checks"),
        "{}",
        diagnostic.message
    );
    // 16 levels (65,536 checks) are within the limit, as Falco loads them too.
    let (_, diagnostics, _) = resolve_texts(&[&macro_chain(16, "{p} and {p}")]);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let (_, diagnostics, _) = resolve_texts(&[&macro_chain(17, "{p} and {p}")]);
    assert_eq!(codes(&diagnostics), vec![Code::E211]);
}

#[test]
fn macro_chains_are_refused_past_the_inlined_depth_limit() {
    // m0 is one level, each further macro one more, the rule's reference one more.
    let deepest = expansion::MAX_INLINED_DEPTH - 2;
    let (_, diagnostics, _) = resolve_texts(&[&macro_chain(deepest, "{p}")]);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let (_, diagnostics, texts) = resolve_texts(&[&macro_chain(deepest + 1, "{p}")]);
    assert_eq!(codes(&diagnostics), vec![Code::E210], "{diagnostics:#?}");
    assert_eq!(
        spanned(&texts, &diagnostics[0]),
        format!("m{}", deepest + 1)
    );
    assert!(
        diagnostics[0].message.contains("1001 levels"),
        "{}",
        diagnostics[0].message
    );
    // Operators and parentheses count too: 3 levels per macro here.
    let (_, diagnostics, _) = resolve_texts(&[&macro_chain(400, "not ({p} or proc.name = x)")]);
    assert_eq!(codes(&diagnostics), vec![Code::E210], "{diagnostics:#?}");
}

/// Each level uses the one below through two macros, once each (a diamond).
fn macro_diamonds(levels: usize) -> String {
    let mut text = String::from("- macro: m0\n  condition: evt.type = open\n");
    for level in 1..=levels {
        let below = level - 1;
        text.push_str(&format!(
            "- macro: a{level}\n  condition: m{below}\n- macro: b{level}\n  condition: proc.name = x and m{below}\n- macro: m{level}\n  condition: a{level} or b{level}\n"
        ));
    }
    text.push_str(&format!("- rule: r\n  condition: m{levels}\n{RULE_TAIL}"));
    text
}

#[test]
fn diamonds_of_macros_double_like_a_macro_used_twice() {
    let (_, diagnostics, _) = resolve_texts(&[&macro_diamonds(30)]);
    assert_eq!(codes(&diagnostics), vec![Code::E211], "{diagnostics:#?}");
    let (_, diagnostics, _) = resolve_texts(&[&macro_diamonds(10)]);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

#[test]
fn a_rule_on_a_macro_loop_gets_the_loop_error_alone() {
    let text = format!(
        "- macro: a\n  condition: evt.type = open\n- macro: b\n  condition: a\n- macro: a\n  condition: b or evt.type = close\n- rule: r\n  condition: a\n{RULE_TAIL}"
    );
    let (_, diagnostics, _) = resolve_texts(&[&text]);
    // I201: `a` is redefined.
    assert_eq!(
        codes(&diagnostics),
        vec![Code::I201, Code::E208],
        "{diagnostics:#?}"
    );
}

#[test]
fn exception_arity_messages_count_in_words() {
    let text = format!(
        "- rule: r\n  condition: evt.type = open\n{RULE_TAIL}  exceptions:\n    - name: e1\n      fields: [proc.name, fd.name]\n      values:\n        - [bash]\n"
    );
    let (_, diagnostics, _) = resolve_texts(&[&text]);
    let arity = diagnostics
        .iter()
        .find(|d| d.code == Code::E205)
        .expect("E205");
    assert_eq!(
        arity.message,
        "exception `e1` has 2 fields but this value has 1 element"
    );
    assert_eq!(arity.primary.message, "1 element here");
}

#[test]
fn a_plugin_requirement_no_release_can_meet_is_an_error() {
    // Falco 0.44.1 with container 0.7.1 loaded: "Plugin 'container' version
    // '0.7.1' is not compatible with required plugin version '100000.0.0'"; with
    // cloudtrail not loaded: "Plugin requirement not satisfied".
    let requirement = |body: &str| format!("- required_plugin_versions:\n{body}");
    let text = requirement("  - name: cloudtrail\n    version: 100000.0.0\n");
    let (_, diagnostics, texts) = resolve_texts(&[&text]);
    assert_eq!(codes(&diagnostics), [Code::E209], "{diagnostics:#?}");
    assert_eq!(spanned(&texts, &diagnostics[0]), "100000.0.0");
    assert!(
        diagnostics[0].message.contains("0.17.1"),
        "{}",
        diagnostics[0].message
    );
    // Met by a release, or by an alternative we cannot judge: no error.
    for body in [
        "  - name: cloudtrail\n    version: 0.1.0\n",
        "  - name: container\n    version: 0.4.0\n",
        "  - name: my-plugin\n    version: 100000.0.0\n",
        "  - name: cloudtrail\n    version: 100000.0.0\n    alternatives:\n      - name: my-cloudtrail\n        version: 1.0.0\n",
    ] {
        let (_, diagnostics, _) = resolve_texts(&[&requirement(body)]);
        assert!(diagnostics.is_empty(), "{body}: {diagnostics:#?}");
    }
    // Every alternative out of reach: one error, the alternatives as labels.
    let text = requirement(
        "  - name: k8saudit\n    version: 7.0.0\n    alternatives:\n      - name: k8saudit-gke\n        version: 3.0.0\n",
    );
    let (_, diagnostics, _) = resolve_texts(&[&text]);
    assert_eq!(codes(&diagnostics), [Code::E209], "{diagnostics:#?}");
    assert_eq!(diagnostics[0].related.len(), 1);
}
