//! The condition and output-format parsers on one text (bytes that are not UTF-8
//! are replaced).
//!
//! Contract: no panic; every error's span lies inside the text; bounded in time and
//! memory.

use std::path::Path;

use falco_condition::{parse_condition, parse_output};

/// Parses `data` as a condition and as an output format.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (_, errors) = parse_condition(&text);
    for error in &errors {
        assert!(
            error.span.end as usize <= text.len() && error.span.start <= error.span.end,
            "error span {:?} outside a text of {} bytes",
            error.span,
            text.len()
        );
    }
    let (_, errors) = parse_output(&text);
    for error in &errors {
        assert!(
            error.span.end as usize <= text.len() && error.span.start <= error.span.end,
            "output error span {:?} outside a text of {} bytes",
            error.span,
            text.len()
        );
    }
}

/// The libsinsp parser, compiler and evaluation cases of the corpus.
pub fn seeds(corpus: &Path) -> Vec<Vec<u8>> {
    let Ok(text) = std::fs::read_to_string(corpus.join("conditions/libs_filter_cases.json")) else {
        return Vec::new();
    };
    let Ok(serde_json::Value::Array(cases)) = serde_json::from_str(&text) else {
        return Vec::new();
    };
    cases
        .iter()
        .filter_map(|case| case["condition"].as_str())
        .map(|condition| condition.as_bytes().to_vec())
        .collect()
}
