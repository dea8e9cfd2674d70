use super::*;

#[test]
fn codes_are_unique_and_parse_back() {
    let mut names: Vec<_> = Code::ALL.iter().map(|code| code.name()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), Code::ALL.len());
    for code in Code::ALL {
        assert_eq!(Code::parse(code.as_str()), Some(*code));
        assert_eq!(Code::parse(code.name()), Some(*code));
        let prefix = match code.default_severity() {
            Severity::Error => 'E',
            Severity::Warning => 'W',
            Severity::Info => 'I',
        };
        assert!(code.as_str().starts_with(prefix), "{code:?}");
    }
}

#[test]
fn did_you_mean_prefers_the_closest_name() {
    let fields = ["proc.name", "proc.pname", "fd.name"];
    assert_eq!(did_you_mean("proc.nam", fields), Some("proc.name"));
    assert_eq!(did_you_mean("zzz", fields), None);
}

#[test]
fn did_you_mean_allows_a_third_of_the_name_in_characters() {
    // Up to 3 edits for a 9-character name, never the name itself, ties by name.
    assert_eq!(did_you_mean("proc.name", ["proc.name"]), None);
    assert_eq!(did_you_mean("sitting", ["kitten"]), None);
    assert_eq!(did_you_mean("sittingxx", ["kittenxx"]), Some("kittenxx"));
    assert_eq!(did_you_mean("abcdefghi", ["abcdxxxxi"]), None);
    assert_eq!(did_you_mean("ab", ["xb", "ax"]), Some("ax"));
    // Characters, not bytes: `é` is one edit away from `e`.
    assert_eq!(did_you_mean("café", ["cafe"]), Some("cafe"));
    assert_eq!(did_you_mean("x", ["é"]), Some("é"));
}

#[test]
fn yaml_blocks_are_the_fenced_yaml_bodies_in_order() {
    let doc = "# E1\n\n```text\nno\n```\n\n```yaml\n- rule: a\n  x: 1\n```\n\n  ```yml\n- b\n  ```\n\n```yaml\nunterminated\n";
    assert_eq!(yaml_blocks(doc), vec!["- rule: a\n  x: 1\n", "- b\n"]);
    assert!(yaml_blocks("no blocks").is_empty());
}

#[test]
fn a_did_you_mean_carries_its_fix() {
    use falco_span::{FileId, FileSpan, Span};
    let span = FileSpan::new(FileId(0), Span::new(4, 12));
    let diagnostic = Diagnostic::new(Code::E401, span, "unknown field `proc.nam`")
        .with_did_you_mean("proc.nam", "proc.name");
    assert_eq!(
        diagnostic.help.as_deref(),
        Some("did you mean `proc.name`?")
    );
    assert_eq!(
        diagnostic.fixes,
        vec![Fix {
            title: "Replace `proc.nam` with `proc.name`".to_owned(),
            edits: vec![Replacement {
                span,
                replaced: "proc.nam".to_owned(),
                text: "proc.name".to_owned(),
            }],
        }]
    );
}

#[test]
fn counted_nouns_agree_with_their_number() {
    assert_eq!(crate::counted(0, "element"), "0 elements");
    assert_eq!(crate::counted(1, "element"), "1 element");
    assert_eq!(crate::counted(2, "field"), "2 fields");
}
