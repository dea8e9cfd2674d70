//! Diagnostics: the code registry and the model every stage emits.
//!
//! **Architecture invariant:** a code is declared only in [`registry`]; no stage
//! writes a code as a string. Stages never fail: they return their output plus a
//! `Vec<Diagnostic>`. Rendering (ariadne, JSON, SARIF, GitHub) lives in the CLI.

mod diagnostic;
pub mod registry;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use registry::Code;

/// Suggests the candidate closest to `name`, for a `help: did you mean` line.
///
/// A candidate qualifies when its edit distance is small for the name's length.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests;
