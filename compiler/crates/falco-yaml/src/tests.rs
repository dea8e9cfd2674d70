use super::*;

const FILE: FileId = FileId(0);

fn parse_ok(text: &str) -> Vec<Document> {
    let (docs, diags) = parse(FILE, text);
    assert!(diags.is_empty(), "unexpected diagnostics: {diags:?}");
    docs
}

/// Every linear byte of every scalar maps to the same byte in the file.
fn check_maps(node: &Node, text: &str) {
    match &node.kind {
        NodeKind::Scalar(scalar) => {
            let value = scalar.text.text.as_bytes();
            for (i, byte) in value.iter().enumerate() {
                let span = scalar
                    .text
                    .to_file(falco_span::Span::new(i as u32, i as u32 + 1))
                    .unwrap();
                if span.span.len() == 1 {
                    assert_eq!(
                        text.as_bytes()[span.span.start as usize],
                        *byte,
                        "byte {i} of {:?}",
                        scalar.text.text
                    );
                }
            }
        }
        NodeKind::Sequence(items) => items.iter().for_each(|item| check_maps(item, text)),
        NodeKind::Mapping(entries) => entries.iter().for_each(|(k, v)| {
            check_maps(k, text);
            check_maps(v, text);
        }),
    }
}

#[test]
fn probe() {
    let text = "- rule: a\n  desc: != x\n  comps: [=, in]\n  condition: >\n    evt.type = open\n      and more\n\n    and x\n  lit: |-\n     keep\n    \n  pl: a b\n     c\n  sq: 'it''s\n    next'\n  dq: \"a\\tb \\\n     c\"\n  n:\n  t: ~\n";
    let docs = parse_ok(text);
    let root = docs[0].root.as_ref().unwrap();
    check_maps(root, text);
    let item = &root.as_sequence().unwrap()[0];
    assert_eq!(item.get("desc").unwrap().tag.as_deref(), Some("!="));
    assert_eq!(item.get("desc").unwrap().as_str(), Some("x"));
    assert!(item.get("n").unwrap().is_null());
    assert!(item.get("t").unwrap().is_null());
}
