mod maps;
mod recovery;

use super::*;
use falco_span::{LineIndex, Span};

const FILE: FileId = FileId(0);

fn parse_ok(text: &str) -> Vec<Document> {
    let (docs, diags) = parse(FILE, text);
    assert!(diags.is_empty(), "unexpected diagnostics: {diags:?}");
    docs
}

/// Every byte of every scalar maps into the scalar's span, and every byte copied
/// verbatim maps to the same byte in the file.
fn check_maps(node: &Node, text: &str) {
    match &node.kind {
        NodeKind::Scalar(scalar) => check_scalar(scalar, node.span, text),
        NodeKind::Sequence(items) => items.iter().for_each(|item| check_maps(item, text)),
        NodeKind::Mapping(entries) => entries.iter().for_each(|(key, value)| {
            check_maps(key, text);
            check_maps(value, text);
        }),
    }
}

fn check_scalar(scalar: &Scalar, span: FileSpan, text: &str) {
    let value = scalar.text.text.as_bytes();
    for (i, byte) in value.iter().enumerate() {
        let mapped = scalar
            .text
            .to_file(Span::new(i as u32, i as u32 + 1))
            .expect("every byte maps");
        let at = mapped.span;
        assert!(
            span.span.start <= at.start && at.end <= span.span.end.max(at.start),
            "byte {i} of {:?} maps to {at}, outside the scalar {}",
            scalar.text.text,
            span.span
        );
        if at.len() == 1 && *byte != b'\n' && *byte != b' ' {
            assert_eq!(
                text.as_bytes()[at.start as usize] as char,
                *byte as char,
                "byte {i} of {:?}",
                scalar.text.text
            );
        }
    }
}

/// The value node of `key` in the first item of the first document.
fn item_value<'a>(docs: &'a [Document], key: &str) -> &'a Node {
    let root = docs[0].root.as_ref().unwrap();
    let item = root.as_sequence().map_or(root, |items| &items[0]);
    item.get(key).unwrap()
}

#[test]
fn styles_keep_values_and_maps() {
    let text = "- rule: a\n  desc: != x\n  comps: [=, in]\n  condition: >\n    evt.type = open\n      and more\n\n    and x\n  lit: |-\n     keep\n    \n  pl: a b\n     c\n  sq: 'it''s\n    next'\n  dq: \"a\\tb \\\n     c\"\n  n:\n  t: ~\n";
    let docs = parse_ok(text);
    check_maps(docs[0].root.as_ref().unwrap(), text);
    let desc = item_value(&docs, "desc");
    assert_eq!(desc.tag.as_deref(), Some("!="));
    assert_eq!(desc.as_str(), Some("x"));
    let comps = item_value(&docs, "comps").as_sequence().unwrap();
    assert_eq!(comps[0].as_str(), Some("="));
    assert_eq!(
        item_value(&docs, "condition").as_str(),
        Some("evt.type = open\n  and more\n\nand x\n")
    );
    assert_eq!(item_value(&docs, "lit").as_str(), Some("keep"));
    assert_eq!(item_value(&docs, "pl").as_str(), Some("a b c"));
    assert_eq!(item_value(&docs, "sq").as_str(), Some("it's next"));
    assert_eq!(item_value(&docs, "dq").as_str(), Some("a\tb c"));
    assert!(item_value(&docs, "n").is_null());
    assert!(item_value(&docs, "t").is_null());
}

#[test]
fn folded_condition_columns_map_to_true_line_and_column() {
    let text = "- rule: r\n  condition: >\n    evt.type = open and\n    proc.name = cat\n\n    and fd.nam = x\n  output: o\n";
    let docs = parse_ok(text);
    let condition = item_value(&docs, "condition").as_scalar().unwrap();
    let value = condition.as_str();
    assert_eq!(
        value,
        "evt.type = open and proc.name = cat\nand fd.nam = x\n"
    );
    let index = LineIndex::new(text);
    let position = |needle: &str| {
        let offset = value.find(needle).unwrap() as u32;
        let span = condition
            .text
            .to_file(Span::new(offset, offset + needle.len() as u32))
            .unwrap();
        assert_eq!(&text[span.span.range()], needle);
        let position = index.position(text, span.span.start);
        (position.line, position.column)
    };
    assert_eq!(position("evt.type"), (3, 5));
    assert_eq!(position("proc.name"), (4, 5));
    assert_eq!(position("fd.nam"), (6, 9));
    // The folded break maps to the line break it replaced.
    let space = value.find(" proc.name").unwrap() as u32;
    let span = condition.text.to_file(Span::new(space, space + 1)).unwrap();
    assert_eq!(index.position(text, span.span.start).line, 3);
}

#[test]
fn several_documents_nulls_and_aliases() {
    let text = "- list: a\n  items: &xs [x, y]\n-\n- ~\n- list: b\n  items: *xs\n---\n- list: c\n  items: []\n";
    let docs = parse_ok(text);
    assert_eq!(docs.len(), 2);
    let first = docs[0].root.as_ref().unwrap().as_sequence().unwrap();
    assert_eq!(first.len(), 4);
    assert!(first[1].is_null() && first[2].is_null());
    let items = first[3].get("items").unwrap().as_sequence().unwrap();
    assert_eq!(items[1].as_str(), Some("y"));
    assert_eq!(&text[items[1].span.span.range()], "y");
    assert_eq!(item_value(&docs[1..], "list").as_str(), Some("c"));
}

#[test]
fn null_is_yaml_cpp_null() {
    let docs = parse_ok("a: null\nb: 'null'\nc: !!str\nd: NULL\ne: \"\"\n");
    let root = docs[0].root.as_ref().unwrap();
    assert!(root.get("a").unwrap().is_null());
    assert!(!root.get("b").unwrap().is_null());
    assert!(!root.get("c").unwrap().is_null());
    assert!(root.get("d").unwrap().is_null());
    assert!(!root.get("e").unwrap().is_null());
    assert_eq!(root.get("e").unwrap().as_str(), Some(""));
}

#[test]
fn non_ascii_text_maps_by_bytes() {
    let text = "- rule: é\n  desc: \"ü \\u00e9\"\n  condition: >\n    proc.name = \"ñ\"\n";
    let docs = parse_ok(text);
    check_maps(docs[0].root.as_ref().unwrap(), text);
    let desc = item_value(&docs, "desc");
    assert_eq!(desc.as_str(), Some("ü é"));
    assert_eq!(&text[desc.span.span.range()], "\"ü \\u00e9\"");
}

#[test]
fn upstream_rules_map_exactly() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/corpus");
    let mut count = 0;
    for dir in ["upstream-rules", "upstream-rules-2021", "plugin-rules"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|ext| ext != "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // An inexact map panics in the builder under `cfg(test)`.
            let docs = parse_ok(&text);
            for doc in &docs {
                if let Some(root) = &doc.root {
                    check_maps(root, &text);
                }
            }
            count += 1;
        }
    }
    assert!(count >= 5, "found only {count} rules files");
}

#[test]
fn a_reading_says_which_text_was_read() {
    // Closed at the key's column: a strict reader needs the lines joined.
    let text = "- list: a\n  items: [\n    x,\n    y\n  ]\n";
    let reading = parse_reading(FILE, text);
    let joined = reading.joined.clone().expect("read joined");
    assert_eq!(joined.len(), text.len());
    assert_eq!(
        parse_as_written(FILE, &joined),
        (reading.documents.clone(), reading.diagnostics.clone())
    );
    assert_eq!(parse(FILE, text), (reading.documents, reading.diagnostics));
    let plain = "- list: a\n  items: [x, y]\n";
    assert_eq!(parse_reading(FILE, plain).joined, None);
    assert_eq!(parse_as_written(FILE, plain), parse(FILE, plain));
}

#[test]
fn closed_pieces_join_like_the_whole_text() {
    let pieces = [
        "# header\n",
        "- list: a\n  items: [\n    x, # one\n    y\n  ]\n\n",
        "- macro: m\n  condition: >\n    a [b\n",
        "- rule: r\n  desc: \"two\n    lines\"\n  tags: [t]\n",
    ];
    let text = pieces.concat();
    let joined = pieces.map(join_piece);
    assert!(joined.iter().all(|piece| piece.closed));
    let whole: String = joined.iter().map(|piece| piece.text.as_str()).collect();
    assert_eq!(parse_reading(FILE, &text).joined, Some(whole));
    assert!(joined[1].changed && joined[1].needed && joined[1].closes_at_line_start);
    assert!(!joined[2].changed && !joined[3].needed && !joined[0].closes_at_line_start);
    // A flow collection or a quoted scalar still open at the end.
    assert!(!join_piece("- list: a\n  items: [x,\n").closed);
    assert!(!join_piece("- rule: a\n  desc: \"abc\n").closed);
    assert!(!join_piece("- rule: a\n  desc: 'it''s\n").closed);
}

/// A `: ` error on a line that is only a key blames the indentation; one inside a
/// value suggests quoting.
#[test]
fn mapping_value_errors_tell_indentation_from_unquoted_colons() {
    let help = |text: &str| {
        let (_, diagnostics) = parse(FileId(0), text);
        diagnostics
            .first()
            .and_then(|diagnostic| diagnostic.help.clone())
            .unwrap_or_default()
    };
    assert!(
        help("- rule: r\n  desc: d\n   output: o\n").contains("indented differently"),
        "{}",
        help("- rule: r\n  desc: d\n   output: o\n")
    );
    assert!(help("- rule: r\n  desc: a: b\n").contains("quote the value"));
}
