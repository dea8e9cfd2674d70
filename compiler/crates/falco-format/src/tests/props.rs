//! Property tests: whatever the text, formatting never panics, and when it succeeds
//! its output formats to itself (the data check runs inside [`format`]); each input
//! within the test budget (`falco_test_budget::bounded`: time and memory).

use falco_test_budget::bounded;
use proptest::prelude::*;

use super::corpus::{corpus_texts, first_difference};
use crate::format;

/// A corpus file cut, with some bytes replaced by YAML's special characters.
fn mutated() -> impl Strategy<Value = String> {
    let texts: Vec<String> = corpus_texts()
        .into_iter()
        .map(|(_, text)| text)
        .filter(|text| text.len() < 20_000)
        .collect();
    (
        proptest::sample::select(texts),
        proptest::collection::vec((any::<prop::sample::Index>(), 0usize..12), 0..6),
    )
        .prop_map(|(text, edits)| {
            let mut bytes = text.into_bytes();
            for (at, choice) in edits {
                if bytes.is_empty() {
                    break;
                }
                let at = at.index(bytes.len());
                let replacement = b" \n-:#'\"[]>|&"[choice];
                bytes[at] = replacement;
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(falco_test_budget::cases(200)))]

    #[test]
    fn formatting_mutated_files_never_panics_and_is_idempotent(text in mutated()) {
        bounded(format!("{text:?}"), || {
            if let Ok(formatted) = format(&text) {
                let once = formatted.text();
                let again = format(&once).map(|again| again.text());
                prop_assert!(again.as_ref() == Ok(&once), "{}", match &again {
                    Ok(again) => first_difference(&once, again),
                    Err(error) => error.to_string(),
                });
            }
            Ok(())
        })?;
    }
}
