//! Output formats for an [`Analysis`]: the human rendering (ariadne), the JSON
//! contract v1, SARIF 2.1.0, GitHub Actions workflow commands and GitLab's Code Quality
//! report.
//!
//! **Architecture invariant:** only this module knows the serialized shapes. Each format
//! has its own `Serialize` structs, converted by hand from the internal types; the
//! internal `Diagnostic` never derives `Serialize`.

mod excerpt;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod sarif;

use falco_analysis::{Analysis, SourceFile};
use falco_span::{FileSpan, Position};

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Code frames for a person (ariadne), then a summary line.
    Human,
    /// The JSON contract v1.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
    /// GitLab's Code Quality report.
    Gitlab,
}

/// Renders every diagnostic of `analysis` in `format`. `color` only affects
/// [`Format::Human`].
pub fn render(analysis: &Analysis, format: Format, color: bool) -> String {
    match format {
        Format::Human => human::render(analysis, color),
        Format::Json => json::render(analysis),
        Format::Sarif => sarif::render(analysis),
        Format::Github => github::render(analysis),
        Format::Gitlab => gitlab::render(analysis),
    }
}

/// A span as a person reads it: the file's path and the 1-based positions (columns in
/// characters) of its first character and of the character after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location<'a> {
    /// The file's path, as the user gave it.
    pub path: &'a str,
    /// Where the span starts.
    pub start: Position,
    /// Where the span ends (exclusive).
    pub end: Position,
}

/// The path shown when a span points into a file the analysis does not have.
pub const UNKNOWN_FILE: &str = "<unknown>";

/// Locates `span`; a span into a file the analysis does not have is placed at the start
/// of [`UNKNOWN_FILE`].
pub fn locate(analysis: &Analysis, span: FileSpan) -> Location<'_> {
    match analysis.file(span.file) {
        Some(file) => locate_in(file, span),
        None => {
            let start = Position { line: 1, column: 1 };
            Location {
                path: UNKNOWN_FILE,
                start,
                end: start,
            }
        }
    }
}

fn locate_in(file: &SourceFile, span: FileSpan) -> Location<'_> {
    Location {
        path: &file.path,
        start: file.line_index.position(&file.text, span.span.start),
        end: file.line_index.position(&file.text, span.span.end),
    }
}

/// "1 error", "2 warnings": a count with its noun, pluralized.
pub(crate) fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests;
