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
/// A candidate qualifies when its edit distance is small for the name's length.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let name: Vec<char> = name.chars().collect();
    let limit = (name.len() / 3).clamp(1, 3);
    let mut rows = (Vec::new(), Vec::new());
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        // The distance is at least the difference in length: skip hopeless
        // candidates before paying for the full computation.
        let length = if candidate.is_ascii() {
            candidate.len()
        } else {
            candidate.chars().count()
        };
        if length.abs_diff(name.len()) > limit {
            continue;
        }
        let Some(distance) = bounded_distance(&name, candidate, limit, &mut rows) else {
            continue;
        };
        if distance == 0 {
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

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    bounded_distance(&a, b, usize::MAX, &mut (Vec::new(), Vec::new())).unwrap_or(usize::MAX)
}

/// The edit distance between `a` and `b` if it is at most `limit`; stops as soon
/// as a whole row exceeds the limit. `rows` are reused buffers.
fn bounded_distance(
    a: &[char],
    b: &str,
    limit: usize,
    rows: &mut (Vec<usize>, Vec<usize>),
) -> Option<usize> {
    let (previous, current) = rows;
    previous.clear();
    previous.extend(0..=a.len());
    for (i, cb) in b.chars().enumerate() {
        current.clear();
        current.push(i + 1);
        let mut row_min = i + 1;
        for (j, ca) in a.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != &cb);
            let value = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            row_min = row_min.min(value);
            current.push(value);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(previous, current);
    }
    previous
        .last()
        .copied()
        .filter(|distance| *distance <= limit)
}

#[cfg(test)]
mod tests;
