//! The whole lint of one or two rules files: load, resolve, typecheck, and every
//! output format. The input is the first file, then (after a NUL byte, if any) the
//! second; bytes that are not UTF-8 are replaced, as the CLI does.
//!
//! Contract: no panic, and the run is bounded in time and memory (libFuzzer's
//! `-timeout` and `-rss_limit_mb`).

use std::path::Path;

use falco_analysis::analyze;
use falco_rulec::render::{Format, render};

use crate::seeds::{item_chunks, rules_files};

/// Lints the one or two files `data` holds.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let files = match text.split_once('\0') {
        Some((first, second)) => vec![
            ("first.yaml".to_owned(), first.to_owned()),
            ("second.yaml".to_owned(), second.to_owned()),
        ],
        None => vec![("first.yaml".to_owned(), text.into_owned())],
    };
    let analysis = analyze(files);
    for format in [Format::Human, Format::Json, Format::Sarif, Format::Github] {
        let _ = render(&analysis, format, false);
    }
}

/// The corpus's rules files cut into pieces of a few items, and pairs of pieces
/// (a macro defined in one file and used in the other).
pub fn seeds(corpus: &Path) -> Vec<Vec<u8>> {
    let chunks: Vec<String> = rules_files(corpus)
        .iter()
        .flat_map(|text| item_chunks(text))
        .collect();
    let mut seeds: Vec<Vec<u8>> = chunks
        .iter()
        .map(|chunk| chunk.clone().into_bytes())
        .collect();
    for pair in chunks.windows(2).step_by(7) {
        let mut seed = pair[0].clone().into_bytes();
        seed.push(0);
        seed.extend_from_slice(pair[1].as_bytes());
        seeds.push(seed);
    }
    seeds
}
