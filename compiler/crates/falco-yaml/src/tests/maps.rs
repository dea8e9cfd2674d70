//! Property tests: for generated scalars of every style, the value equals the YAML
//! parser's and every verbatim byte maps to the same byte in the file.

use super::*;
use proptest::prelude::*;

/// A word of condition-like characters (no YAML indicators at its start).
fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9._=()%,<>!/-]{0,8}"
}

/// Lines of words, some empty, some more indented.
fn lines() -> impl Strategy<Value = Vec<(usize, Vec<String>)>> {
    prop::collection::vec((0usize..3, prop::collection::vec(word(), 0..4)), 1..6)
}

fn join(words: &[String]) -> String {
    words.join(" ")
}

fn check_document(text: &str) -> Result<(), TestCaseError> {
    let (docs, diags) = parse(FILE, text);
    prop_assume!(diags.is_empty());
    for doc in &docs {
        if let Some(root) = &doc.root {
            check_maps(root, text);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(falco_test_budget::cases(400)))]

    #[test]
    fn block_scalars(
        literal in any::<bool>(),
        chomp in prop::sample::select(vec!["", "-", "+"]),
        explicit in any::<bool>(),
        nested in any::<bool>(),
        indent in 1usize..5,
        body in lines(),
        trailing_empty in 0usize..3,
    ) {
        let (prefix, key_indent) = if nested { ("- rule: r\n  ", 2) } else { ("", 0) };
        let style = if literal { "|" } else { ">" };
        let indicator = if explicit { indent.to_string() } else { String::new() };
        let mut text = format!("{prefix}condition: {style}{chomp}{indicator} # note\n");
        let base = key_indent + indent;
        let mut first = true;
        for (extra, words) in &body {
            let line = join(words);
            if line.is_empty() && !first {
                text.push('\n');
                continue;
            }
            let line = if line.is_empty() { "x".to_string() } else { line };
            let extra = if first && !explicit { 0 } else { *extra };
            text.push_str(&" ".repeat(base + extra));
            text.push_str(&line);
            text.push('\n');
            first = false;
        }
        for _ in 0..trailing_empty {
            text.push('\n');
        }
        text.push_str(&" ".repeat(key_indent));
        text.push_str("next: x\n");
        check_document(&text)?;
    }

    #[test]
    fn plain_multiline(nested in any::<bool>(), body in lines()) {
        let (prefix, key_indent) = if nested { ("- rule: r\n  ", 2) } else { ("", 0) };
        let mut text = format!("{prefix}condition: start");
        for (extra, words) in &body {
            text.push('\n');
            let line = join(words);
            if !line.is_empty() {
                text.push_str(&" ".repeat(key_indent + 1 + extra));
                text.push_str(&line);
            }
        }
        text.push_str(" end\n");
        check_document(&text)?;
    }

    #[test]
    fn single_quoted(body in lines(), quotes in prop::collection::vec(0usize..20, 0..3)) {
        let mut content = String::new();
        for (extra, words) in &body {
            let mut line = join(words);
            for at in &quotes {
                let at = (*at).min(line.len());
                if line.is_char_boundary(at) {
                    line.insert_str(at, "''");
                }
            }
            content.push_str(&line);
            content.push('\n');
            content.push_str(&" ".repeat(3 + extra));
        }
        let text = format!("- desc: 'a {content}z'\n");
        check_document(&text)?;
    }

    #[test]
    fn double_quoted(
        body in lines(),
        escapes in prop::collection::vec(
            prop::sample::select(vec!["\\t", "\\n", "\\\"", "\\\\", "\\x41", "\\u00e9", "\\\n   ", "\\ ", "\\/"]),
            0..4,
        ),
    ) {
        let mut content = String::new();
        for (index, (extra, words)) in body.iter().enumerate() {
            content.push_str(&join(words));
            if let Some(escape) = escapes.get(index) {
                content.push_str(escape);
            }
            content.push('\n');
            content.push_str(&" ".repeat(3 + extra));
        }
        let text = format!("- desc: \"a {content}z\"\n");
        check_document(&text)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(falco_test_budget::cases(2000)))]

    /// Arbitrary YAML-ish text: parsing never panics, and every scalar read maps
    /// exactly (the builder panics on an inexact map under `cfg(test)`).
    #[test]
    fn arbitrary_text(text in "[-a :|>'\"\n#\\[\\]{},!&*~.+12\\\\]{0,40}") {
        let (docs, _) = parse(FILE, &text);
        for doc in &docs {
            if let Some(root) = &doc.root {
                check_maps(root, &text);
            }
        }
    }
}
