//! No crash under abuse: thousands of random edits, with requests in between;
//! the server keeps answering, and its final diagnostics are what `analyze`
//! gives for the final text.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use crate::client::{Client, position, temp_dir, upstream};

/// One random edit, in terms of fractions of the current text.
#[derive(Clone, Debug)]
enum Edit {
    Insert(f64, String),
    Delete(f64, f64),
    PasteHalf(f64, bool),
    Replace(f64, f64, String),
}

fn snippet() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("proc.name".to_owned()),
        Just(" and ".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("\n".to_owned()),
        Just("\n- macro: m\n  condition: >\n    a and\n".to_owned()),
        Just("condition: ".to_owned()),
        Just("\"".to_owned()),
        Just("é".to_owned()),
        Just("😀".to_owned()),
        Just("\t".to_owned()),
        "[a-z_. ]{0,12}",
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (0.0..1.0f64, snippet()).prop_map(|(at, text)| Edit::Insert(at, text)),
        3 => (0.0..1.0f64, 0.0..0.02f64).prop_map(|(at, len)| Edit::Delete(at, len)),
        1 => (0.0..1.0f64, any::<bool>()).prop_map(|(at, first)| Edit::PasteHalf(at, first)),
        2 => (0.0..1.0f64, 0.0..0.01f64, snippet()).prop_map(|(at, len, text)| Edit::Replace(at, len, text)),
    ]
}

/// The char boundary at or before a fraction of the text.
fn boundary(text: &str, fraction: f64) -> usize {
    let mut at = ((text.len() as f64) * fraction) as usize;
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The (start, end, new text) an edit makes of `text`.
fn plan(text: &str, original: &str, edit: &Edit) -> (usize, usize, String) {
    let (start, end, new) = match edit {
        Edit::Insert(at, new) => {
            let at = boundary(text, *at);
            (at, at, new.clone())
        }
        Edit::Delete(at, len) | Edit::Replace(at, len, _) => {
            let start = boundary(text, *at);
            let end = boundary(text, (*at + *len).min(1.0)).max(start);
            let new = match edit {
                Edit::Replace(_, _, new) => new.clone(),
                _ => String::new(),
            };
            (start, end, new)
        }
        Edit::PasteHalf(at, first) => {
            let at = boundary(text, *at);
            let half = boundary(original, 0.5);
            let piece = if text.len() > 48_000 {
                ""
            } else if *first {
                &original[..half]
            } else {
                &original[half..]
            };
            (at, at, piece.to_owned())
        }
    };
    (start, end, new)
}

/// What the server must publish for `text` loaded alone: (code, range) per
/// diagnostic, computed with `analyze` directly.
fn expected(path: &str, text: &str) -> Vec<(String, Value)> {
    let analysis = falco_analysis::analyze(vec![(path.to_owned(), text.to_owned())]);
    let file = &analysis.files[0];
    analysis
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let span = diagnostic.primary.span.span;
            let point = |offset: u32| {
                let (line, character) = file.line_index.utf16_position(&file.text, offset);
                json!({"line": line, "character": character})
            };
            (
                diagnostic.code.as_str().to_owned(),
                json!({"start": point(span.start), "end": point(span.end)}),
            )
        })
        .collect()
}

#[test]
fn random_edits_never_crash_and_end_like_lint() {
    // The first items of the upstream file (up to an item boundary near 16 KB):
    // big enough to hold every kind of item, small enough for a debug build to
    // analyse a few hundred times in seconds.
    let full = std::fs::read_to_string(upstream("falco_rules.yaml")).expect("corpus");
    let cut = full[16_000..]
        .find("\n- ")
        .map_or(full.len(), |at| 16_000 + at + 1);
    let original = full[..cut].to_owned();
    let root = temp_dir("abuse");
    let path = root.join("abuse_rules.yaml");
    std::fs::write(&path, &original).expect("write");
    // A short debounce lets a burst of edits coalesce into one analysis, as it
    // does for a person typing.
    let mut client = Client::start(&root, json!({"debounceMs": 20}));
    let (uri, _) = client.open(&path);
    // A fixed seed: the run is reproducible. (A stateful server does not shrink
    // well, so the edits are generated once rather than searched.)
    let mut runner = TestRunner::deterministic();
    let edits = proptest::collection::vec(edit(), 2000..2001)
        .new_tree(&mut runner)
        .expect("generate edits")
        .current();
    let mut text = original.clone();
    for (index, edit) in edits.iter().enumerate() {
        let (start, end, new) = plan(&text, &original, edit);
        let range = json!({"start": position(&text, start), "end": position(&text, end)});
        text.replace_range(start..end, &new);
        client.change(&uri, range, &new);
        if index % 100 == 0 {
            let at = position(&text, boundary(&text, 0.5));
            for method in [
                "textDocument/hover",
                "textDocument/completion",
                "textDocument/definition",
            ] {
                let answer = client.request_raw(
                    method,
                    json!({"textDocument": {"uri": uri}, "position": at}),
                );
                assert!(answer.get("error").is_none(), "{method}: {answer}");
            }
            let tokens = client.request_raw(
                "textDocument/semanticTokens/full",
                json!({"textDocument": {"uri": uri}}),
            );
            assert!(tokens.get("error").is_none(), "{tokens}");
        }
    }
    let want = expected(&path.display().to_string(), &text);
    let got = client.wait_diagnostics(&uri, |list| {
        let got: Vec<(String, Value)> = list
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap_or("").to_owned(),
                    d["range"].clone(),
                )
            })
            .collect();
        got == want
    });
    assert_eq!(got.len(), want.len());
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&root);
}
