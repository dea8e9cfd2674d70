//! Diagnostics: the code registry and the model every stage emits.
//!
//! **Architecture invariant:** a code is declared only in [`registry`]; no stage
//! writes a code as a string. Stages never fail: they return their output plus a
//! `Vec<Diagnostic>`. Rendering (ariadne, JSON, SARIF, GitHub) lives in the CLI.

mod diagnostic;
pub mod registry;

pub use diagnostic::{Diagnostic, Fix, Label, Replacement, Severity};
pub use registry::Code;

/// Suggests the candidate closest to `name`, for a `help: did you mean` line.
///
/// A candidate qualifies when its edit distance (Levenshtein, over characters) is
/// small for the name's length: at most a third of it, between 1 and 3. Ties go to
/// the first name in byte order.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let length = char_count(name);
    let limit = (length / 3).clamp(1, 3);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        // The distance is at least the difference in length: skipping the
        // candidates it rules out makes a suggestion about 6 times cheaper
        // (`benches/did_you_mean.rs`, docs/perf.md).
        if char_count(candidate).abs_diff(length) > limit {
            continue;
        }
        let distance = strsim::levenshtein(name, candidate);
        if distance == 0 || distance > limit {
            continue;
        }
        let better = best.is_none_or(|(best_distance, best_name)| {
            (distance, candidate) < (best_distance, best_name)
        });
        if better {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// `n` and a noun that agrees with it: `counted(1, "element")` is `1 element`,
/// `counted(2, "element")` is `2 elements` (every noun the messages count takes `s`).
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The bodies of the ```` ```yaml ```` (or ```` ```yml ````) blocks of a markdown
/// text, in order, such as a code doc's example and its fixed version. A block
/// without its closing fence is not returned.
pub fn yaml_blocks(markdown: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut start = None;
    let mut offset = 0;
    for line in markdown.split_inclusive('\n') {
        let fence = line.trim();
        match start {
            None if fence == "```yaml" || fence == "```yml" => start = Some(offset + line.len()),
            Some(body) if fence == "```" => {
                blocks.push(&markdown[body..offset]);
                start = None;
            }
            _ => {}
        }
        offset += line.len();
    }
    blocks
}

/// The length of `text` in characters (the unit of the edit distance).
fn char_count(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

#[cfg(test)]
mod tests;
