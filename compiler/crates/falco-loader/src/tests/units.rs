//! Unit tests of the item readers.

use super::*;

const RULE: &str =
    "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: out\n  priority: INFO\n";

fn rule(loaded: &LoadedFile, index: usize) -> &RuleItem {
    match &loaded.items[index] {
        Item::Rule(rule) => rule,
        other => panic!("not a rule: {other:?}"),
    }
}

fn only(loaded: &LoadedFile, code: Code) -> &Diagnostic {
    let found: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .collect();
    assert_eq!(found.len(), 1, "{code:?} in {:#?}", loaded.diagnostics);
    found[0]
}

fn text_at<'a>(text: &'a str, diagnostic: &Diagnostic) -> &'a str {
    &text[diagnostic.primary.span.span.range()]
}

#[test]
fn reads_a_rule() {
    let loaded = load(
        "- rule: r\n  desc: != x\n  condition: >\n    evt.type = open\n    and proc.name = cat\n  output: >\n    out %proc.name\n  priority: info\n  tags: [a, b]\n  enabled: \"yes\"\n  capture_duration: 0x10\n",
    );
    assert_eq!(codes(&loaded), vec![]);
    let rule = rule(&loaded, 0);
    assert_eq!(rule.name.value, "r");
    assert_eq!(rule.desc.as_ref().unwrap().value, "x");
    assert_eq!(
        rule.condition.as_ref().unwrap().text,
        "evt.type = open and proc.name = cat\n"
    );
    assert_eq!(rule.output.as_ref().unwrap().text, "out %proc.name");
    assert_eq!(
        rule.priority.as_ref().unwrap().value,
        Priority::Informational
    );
    assert_eq!(rule.tags.as_ref().unwrap().value.len(), 2);
    assert!(rule.enabled.as_ref().unwrap().value);
    assert_eq!(rule.capture_duration.as_ref().unwrap().value, 16);
    assert!(rule.amendment.is_definition());
}

#[test]
fn condition_offsets_map_to_the_file() {
    let text = "- macro: m\n  condition: >\n    evt.type = open and\n    proc.name = cat\n";
    let loaded = load(text);
    let Item::Macro(item) = &loaded.items[0] else {
        panic!()
    };
    let condition = item.condition.as_ref().unwrap();
    let at = condition.text.find("proc.name").unwrap() as u32;
    let span = condition
        .to_file(falco_span::Span::new(at, at + 9))
        .unwrap();
    assert_eq!(&text[span.span.range()], "proc.name");
    assert_eq!(
        &text[item.condition_span.unwrap().span.range()]
            .chars()
            .next(),
        &Some('>')
    );
}

#[test]
fn every_broken_item_reports_and_the_rest_loads() {
    let text = "- rule: a\n  desc: d\n- macro: m\n  condition: x\n- rule: b\n  desc: d\n  condition: c\n  output: o\n  priority: LOUD\n- list: l\n  items: [x]\n";
    let loaded = load(text);
    assert_eq!(codes(&loaded), vec![Code::E104, Code::E107]);
    // `b`'s bad priority is reported and `b` is still read (see below).
    assert_eq!(loaded.items.len(), 3);
    assert_eq!(loaded.broken.len(), 1);
    assert!(loaded.is_broken("rule", "a"));
}

/// A rule definition with bad values in `priority`, `enabled`, `capture_duration`
/// and `tags`: Falco reports the first (`Invalid priority`) and stops; fixing it
/// brings up the next. Here each is reported once, in Falco's reading order, and
/// the rule is kept with those keys unset, so its condition and output are checked.
#[test]
fn a_bad_key_value_is_reported_and_the_rest_of_the_rule_is_read() {
    let text = "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: WARN\n  enabled: maybe\n  capture_duration: -1\n  tags: {a: b}\n  source: syscall\n";
    let loaded = load(text);
    assert_eq!(
        codes(&loaded),
        vec![Code::E107, Code::E106, Code::E106, Code::E106]
    );
    let at: Vec<&str> = loaded
        .diagnostics
        .iter()
        .map(|diagnostic| text_at(text, diagnostic))
        .collect();
    assert_eq!(at, ["WARN", "maybe", "-1", "{a: b}"]);
    assert!(loaded.broken.is_empty(), "{:?}", loaded.broken);
    let kept = rule(&loaded, 0);
    assert!(kept.rejected_value);
    assert_eq!(kept.condition.as_ref().unwrap().text, "evt.type = open");
    assert_eq!(kept.output.as_ref().unwrap().text, "o");
    assert_eq!(kept.source.as_ref().unwrap().value, "syscall");
    assert!(kept.priority.is_none() && kept.enabled.is_none() && kept.tags.is_none());
    assert!(!rule(&load(RULE), 0).rejected_value);
}

/// Without its condition, its source or its exceptions, what a rule's condition
/// means is unknown, and an amendment without a key would be judged as another
/// amendment: such a rule is dropped as broken, after every bad value is reported.
#[test]
fn a_rule_whose_condition_cannot_be_checked_is_dropped_after_all_its_errors() {
    for (text, expected) in [
        (
            "- rule: r\n  desc: d\n  condition: [a]\n  output: o\n  priority: WARN\n",
            vec![Code::E106, Code::E107],
        ),
        (
            "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: WARN\n  source: [a]\n",
            vec![Code::E106, Code::E107],
        ),
        (
            "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: info\n  source: \"\"\n  enabled: 2\n",
            vec![Code::E105, Code::E106],
        ),
        (
            "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: WARN\n  exceptions: [x]\n",
            vec![Code::E107, Code::E106],
        ),
        (
            "- rule: r\n  condition: and c\n  priority: LOUD\n  enabled: maybe\n  override: {condition: append, priority: replace, enabled: replace}\n",
            vec![Code::E107, Code::E106],
        ),
    ] {
        let loaded = load(text);
        assert_eq!(codes(&loaded), expected, "{text}");
        assert!(loaded.items.is_empty(), "{text}");
        assert!(loaded.is_broken("rule", "r"), "{text}");
    }
}

#[test]
fn missing_keys_are_listed_together_and_typos_named() {
    let text = "- rule: r\n  desc: d\n  conditon: c\n";
    let loaded = load(text);
    let missing = only(&loaded, Code::E104);
    assert_eq!(
        missing.message,
        "rule `r` is missing required keys `condition`, `output`, `priority`"
    );
    assert_eq!(text_at(text, missing), "r");
    assert_eq!(
        missing.help.as_deref(),
        Some("rename `conditon` to `condition`")
    );
    let unknown = only(&loaded, Code::W102);
    assert_eq!(text_at(text, unknown), "conditon");
    assert_eq!(unknown.help.as_deref(), Some("did you mean `condition`?"));
}

#[test]
fn empty_and_wrongly_typed_values() {
    for (snippet, code, at) in [
        ("  desc: \"\"\n", Code::E105, "\"\""),
        ("  source:\n", Code::E105, "source"),
        ("  enabled: maybe\n", Code::E106, "maybe"),
        ("  capture_duration: \"soon\"\n", Code::E106, "\"soon\""),
        ("  capture_duration: -1\n", Code::E106, "-1"),
        ("  tags: {a: b}\n", Code::E106, "{a: b}"),
        ("  tags: [[a]]\n", Code::E106, "[a]"),
        ("  priority: Critcal\n", Code::E107, "Critcal"),
    ] {
        // The snippet replaces the base key of the same name, if any.
        let key = snippet.trim_start().split(':').next().unwrap_or_default();
        let base: String = [
            "  desc: d\n",
            "  condition: c\n",
            "  output: o\n",
            "  priority: debug\n",
        ]
        .into_iter()
        .filter(|line| !line.trim_start().starts_with(&format!("{key}:")))
        .collect();
        let text = format!("- rule: r\n{base}{snippet}");
        let loaded = load(&text);
        let diagnostic = only(&loaded, code);
        assert_eq!(text_at(&text, diagnostic), at, "{snippet}");
    }
}

#[test]
fn rule_with_neither_definition_nor_toggle() {
    let loaded = load("- rule: r\n  tags: [a]\n");
    let missing = only(&loaded, Code::E104);
    assert!(
        missing
            .message
            .ends_with("`condition`, `output`, `desc`, `priority`"),
        "{}",
        missing.message
    );
}

#[test]
fn priority_suggestion() {
    let text = RULE.replace("INFO", "Critcal");
    let loaded = load(&text);
    assert_eq!(
        only(&loaded, Code::E107).help.as_deref(),
        Some("did you mean `Critical`?")
    );
}

/// A rule's priority is the one `falco_priority::Priority` the bundle encodes too
/// (duplicates D10): each name read from a rules file is that value.
#[test]
fn priorities_are_the_one_definition() {
    for priority in falco_priority::Priority::ALL {
        let text = RULE.replace("INFO", &priority.name().to_uppercase());
        let loaded = load(&text);
        let Item::Rule(rule) = &loaded.items[0] else {
            panic!("{:?}", loaded.items[0])
        };
        let read: falco_priority::Priority = rule.priority.as_ref().expect("a priority").value;
        assert_eq!(read, priority);
    }
}

#[test]
fn engine_versions() {
    let loaded = load(
        "- required_engine_version: 9\n- required_engine_version: 0.57.0\n- required_engine_version: seven\n",
    );
    assert_eq!(codes(&loaded), vec![Code::I101, Code::E108]);
    let Item::RequiredEngineVersion(first) = &loaded.items[0] else {
        panic!()
    };
    assert_eq!(first.version.value.to_string(), "0.9.0");
    assert!(first.integer_form);
    let Item::RequiredEngineVersion(second) = &loaded.items[1] else {
        panic!()
    };
    assert_eq!(second.version.value.minor, 57);
}

#[test]
fn plugin_versions() {
    let ok = load(
        "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.7.0\n    alternatives:\n      - name: k8saudit-eks\n        version: 0.4.0\n",
    );
    assert_eq!(codes(&ok), vec![]);
    let Item::RequiredPluginVersions(item) = &ok.items[0] else {
        panic!()
    };
    assert_eq!(item.plugins[0].alternatives[0].name.value, "k8saudit-eks");
    let bad = load("- required_plugin_versions:\n  - name: a\n    version: latest\n");
    assert_eq!(codes(&bad), vec![Code::E110]);
    let twice = load(
        "- required_plugin_versions:\n  - name: a\n    version: 0.1.0\n    alternatives:\n      - name: a\n        version: 0.2.0\n",
    );
    assert_eq!(codes(&twice), vec![Code::E110]);
    let shape = load("- required_plugin_versions:\n  - name: a\n");
    assert_eq!(codes(&shape), vec![Code::E104]);
}

#[test]
fn overrides_are_checked_against_the_keys() {
    let base = RULE.to_string();
    for (item, code, at) in [
        (
            "- rule: r\n  condition: and x\n  override:\n    condition: append\n    output: append\n",
            Code::E109,
            "output",
        ),
        (
            "- rule: r\n  condition: and x\n  enabled: true\n  override:\n    condition: append\n",
            Code::E109,
            "enabled",
        ),
        (
            "- rule: r\n  priority: ERROR\n  override:\n    priority: append\n",
            Code::E109,
            "priority",
        ),
        (
            "- rule: r\n  priority: ERROR\n  override:\n    priority: prepend\n",
            Code::E109,
            "prepend",
        ),
        (
            "- rule: r\n  source: k8s_audit\n  override:\n    source: replace\n",
            Code::E109,
            "source",
        ),
        (
            "- list: l\n  items: [a]\n  override:\n    condition: append\n",
            Code::E109,
            "condition",
        ),
    ] {
        let text = format!("{base}{item}");
        let loaded = load(&text);
        let diagnostic = only(&loaded, code);
        assert_eq!(text_at(&text, diagnostic), at, "{item}");
    }
    let both = format!(
        "{base}- rule: r\n  condition: and x\n  append: true\n  override:\n    condition: append\n"
    );
    let loaded = load(&both);
    assert_eq!(codes(&loaded), vec![Code::W103, Code::E109]);
}

#[test]
fn override_items_keep_only_listed_keys() {
    let text = format!(
        "{RULE}- rule: r\n  condition: and x\n  priority: ERROR\n  override:\n    condition: append\n    priority: replace\n"
    );
    let loaded = load(&text);
    assert_eq!(codes(&loaded), vec![]);
    let amend = rule(&loaded, 1);
    assert_eq!(
        amend.amendment.mode_of("condition"),
        Some(OverrideMode::Append)
    );
    assert_eq!(
        amend.amendment.mode_of("priority"),
        Some(OverrideMode::Replace)
    );
    assert_eq!(amend.priority.as_ref().unwrap().value, Priority::Error);
    assert!(amend.output.is_none());
}

#[test]
fn deprecated_forms() {
    let text = format!(
        "{RULE}- rule: r\n  condition: and x\n  output: ignored\n  append: true\n- rule: r\n  enabled: false\n"
    );
    let loaded = load(&text);
    assert_eq!(codes(&loaded), vec![Code::W103, Code::W104]);
    let appended = rule(&loaded, 1);
    assert!(
        appended.output.is_none(),
        "Falco ignores output when appending"
    );
    assert_eq!(appended.condition.as_ref().unwrap().text, "and x");
    let toggle = rule(&loaded, 2);
    assert!(!toggle.enabled.as_ref().unwrap().value);
    assert!(toggle.condition.is_none());
}

#[test]
fn unknown_items_keys_and_names() {
    let text = "- rules: r\n- list: bad name\n  items: []\n  priority: INFO\n- macro: bad-name\n  condition: x\n";
    let loaded = load(text);
    assert_eq!(
        codes(&loaded),
        vec![Code::W101, Code::W107, Code::W102, Code::W106]
    );
    assert_eq!(
        only(&loaded, Code::W101).help.as_deref(),
        Some("did you mean `rule`?")
    );
    assert_eq!(text_at(text, only(&loaded, Code::W102)), "priority");
}

#[test]
fn document_and_item_shapes() {
    assert_eq!(codes(&load("rule: r\n")), vec![Code::E102]);
    assert_eq!(codes(&load("just text\n")), vec![Code::E102]);
    assert_eq!(
        codes(&load("- just text\n- [a]\n")),
        vec![Code::E103, Code::E103]
    );
    assert_eq!(codes(&load("-\n- ~\n- null\n")), vec![]);
    assert_eq!(codes(&load("")), vec![]);
    assert_eq!(codes(&load("# only a comment\n")), vec![]);
}

#[test]
fn yaml_errors_keep_other_items() {
    let text = format!("{RULE}- rule: x: y\n- list: l\n  items: [a]\n  prority: 1\n");
    let loaded = load(&text);
    assert_eq!(codes(&loaded), vec![Code::E101, Code::W102]);
    assert_eq!(loaded.items.len(), 2);
}

#[test]
fn exceptions_shapes() {
    let text = format!(
        "{}  exceptions:\n    - name: one\n      fields: proc.name\n      values: [a, \"b c\"]\n    - name: two\n      fields: [proc.name, fd.name]\n      comps: [=, in]\n      values:\n        - [cat, [x, y]]\n        - [dog, my_list]\n    - name: three\n      fields: [proc.name]\n      comps: in\n",
        RULE
    );
    let loaded = load(&text);
    assert_eq!(codes(&loaded), vec![]);
    let exceptions = &rule(&loaded, 0).exceptions.as_ref().unwrap().value;
    assert_eq!(exceptions.len(), 3);
    let Some(Spanned {
        value: ExceptionFields::Single(field),
        ..
    }) = &exceptions[0].fields
    else {
        panic!()
    };
    assert_eq!(field.value, "proc.name");
    let values = &exceptions[0].values.as_ref().unwrap().value;
    let ExceptionValue::Scalar(entry) = &values[1] else {
        panic!()
    };
    assert!(entry.quoted);
    assert_eq!(entry.value, "b c");
    let comps = &exceptions[1].comps.as_ref().unwrap().value;
    assert_eq!(comps[0].value, "=");
    let ExceptionValue::Tuple(tuple, _) = &exceptions[1].values.as_ref().unwrap().value[0] else {
        panic!()
    };
    assert!(matches!(&tuple[1], ExceptionTupleElement::List(items, _) if items.len() == 2));
    assert_eq!(exceptions[2].comps.as_ref().unwrap().value[0].value, "in");
    assert!(exceptions[2].values.is_none());
}

#[test]
fn exception_errors() {
    for (exception, code) in [
        ("    - fields: [a]\n", Code::E104),
        ("    - name: e\n", Code::E104),
        (
            "    - name: e\n      fields: [a]\n      values: x\n",
            Code::E106,
        ),
        (
            "    - name: e\n      fields: [a]\n      values: [\"\"]\n",
            Code::E105,
        ),
        ("    - just a string\n", Code::E106),
    ] {
        let loaded = load(&format!("{RULE}  exceptions:\n{exception}"));
        assert_eq!(codes(&loaded), vec![code], "{exception}");
    }
    // Appending exceptions may leave out the fields.
    let appended = load(&format!(
        "{RULE}- rule: r\n  exceptions:\n    - name: e\n      values: [x]\n  override:\n    exceptions: append\n"
    ));
    assert_eq!(codes(&appended), vec![]);
}

#[test]
fn yaml_cpp_scalars() {
    use crate::decode::{sinsp_version, yaml_bool, yaml_unsigned};
    assert_eq!(yaml_bool("Yes"), Some(true));
    assert_eq!(yaml_bool("OFF"), Some(false));
    assert_eq!(yaml_bool("tRUE"), None);
    assert_eq!(yaml_bool("1"), None);
    assert_eq!(yaml_unsigned("010", u64::MAX), Some(8));
    assert_eq!(yaml_unsigned("08", u64::MAX), None);
    assert_eq!(yaml_unsigned("+5 ", u64::MAX), Some(5));
    assert_eq!(yaml_unsigned(" 5", u64::MAX), None);
    assert_eq!(yaml_unsigned("4294967296", u64::from(u32::MAX)), None);
    assert_eq!(sinsp_version("0.26.0-rc1").map(|v| v.minor), Some(26));
    assert_eq!(sinsp_version("1.2"), None);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(falco_test_budget::cases(1500)))]

    /// Loading never panics, whatever the text.
    #[test]
    fn loading_never_panics(
        text in "(- (rule|macro|list|required_engine_version|required_plugin_versions|exceptions|override|items|name|values|fields|comps|append|enabled)?[: \n\\[\\]{},'\"a1.-~|>!&*#]{0,12}){0,8}"
    ) {
        let _ = load(&text);
    }
}

const SAMPLE: &str = "- required_engine_version: 0.26.0\n- required_plugin_versions:\n  - name: a\n    version: 0.1.0\n    alternatives:\n      - name: b\n        version: 0.2.0\n- list: l\n  items: [a, \"b c\"]\n- macro: m\n  condition: >\n    evt.type = open\n- rule: r\n  desc: d\n  condition: m and proc.name in (l)\n  output: o %proc.name\n  priority: INFO\n  tags: [t]\n  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=, in]\n      values:\n        - [a, [b, c]]\n- rule: r\n  condition: and x\n  override:\n    condition: append\n";

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(falco_test_budget::cases(1500)))]

    /// Loading a damaged real file never panics.
    #[test]
    fn damaged_files_never_panic(
        edits in proptest::collection::vec((0usize..SAMPLE.len(), "[: \n\\[\\]{},'\"a-~|>!&*#]{0,3}", 0usize..4), 1..6)
    ) {
        let mut text = SAMPLE.to_string();
        for (at, insert, delete) in edits {
            let at = at.min(text.len());
            let end = (at + delete).min(text.len());
            text.replace_range(at..end, &insert);
        }
        let _ = load(&text);
    }
}
