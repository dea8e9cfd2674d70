//! The human rendering: one ariadne report per diagnostic, then a summary line.

use super::excerpt::Excerpt;
use super::plural;
use ariadne::{Cache, Color, Config, IndexType, Label, Report, ReportKind, Source};
use falco_analysis::Analysis;
use falco_diagnostics::{Diagnostic, Severity};
use falco_span::FileSpan;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

/// Renders every diagnostic, then [`summary_line`].
pub fn render(analysis: &Analysis, color: bool) -> String {
    let mut sources = Sources::new(analysis, &analysis.diagnostics);
    let mut out = String::new();
    for diagnostic in &analysis.diagnostics {
        out.push_str(&render_one(&mut sources, diagnostic, color));
        out.push('\n');
    }
    out.push_str(&summary_line(analysis));
    out.push('\n');
    out
}

/// Renders one diagnostic of `analysis` (its spans point into `analysis.files`).
pub fn render_diagnostic(analysis: &Analysis, diagnostic: &Diagnostic, color: bool) -> String {
    render_one(
        &mut Sources::new(analysis, std::slice::from_ref(diagnostic)),
        diagnostic,
        color,
    )
}

/// One line: how much was linted and what was found.
pub fn summary_line(analysis: &Analysis) -> String {
    let summary = analysis.summary;
    let linted = format!(
        "linted {} ({}, {}, {})",
        plural(summary.files, "file"),
        plural(summary.rules, "rule"),
        plural(summary.macros, "macro"),
        plural(summary.lists, "list"),
    );
    let errors = analysis.error_count();
    let warnings = analysis.warning_count();
    let infos = analysis.diagnostics.len() - errors - warnings;
    if analysis.diagnostics.is_empty() {
        return format!("{linted}: no problems found");
    }
    let mut found = vec![plural(errors, "error"), plural(warnings, "warning")];
    if infos > 0 {
        found.push(format!("{infos} info"));
    }
    format!("{linted}: {}", found.join(", "))
}

fn render_one(sources: &mut Sources<'_>, diagnostic: &Diagnostic, color: bool) -> String {
    let Some(primary) = sources.key_and_range(diagnostic.primary.span) else {
        return render_without_source(diagnostic);
    };
    // ariadne writes `path:line:column` from the shown text, where a cut line has
    // fewer characters before the label: note what it will write, and the truth.
    let headers = sources.header_fixes(&primary, diagnostic);
    let primary = sources.shown(primary);
    let (kind, label_color) = kind(diagnostic.severity);
    let config = Config::default()
        .with_index_type(IndexType::Char)
        .with_color(color);
    let mut report = Report::build(kind, primary.clone())
        .with_config(config)
        .with_code(diagnostic.code.as_str())
        .with_message(&diagnostic.message);
    // (span, message, colour) of every label that has a file.
    let mut labels = vec![(primary.clone(), &diagnostic.primary.message, label_color)];
    for related in &diagnostic.related {
        match sources.key_and_range(related.span) {
            Some(span) => labels.push((sources.shown(span), &related.message, Color::Blue)),
            None => report = report.with_note(format!("related: {}", related.message)),
        }
    }
    // ariadne draws labels in `order`, starting a new snippet whenever the file changes
    // or a label lies above the previous one. Ordering by position keeps each file's
    // labels in one snippet, with the primary label's file first.
    labels
        .sort_by_key(|((key, range), _, _)| (key.index != primary.0.index, key.index, range.start));
    for (order, (span, message, label_color)) in (0..).zip(labels) {
        // ariadne underlines only labels that have a message; an empty one still counts.
        report = report.with_label(
            Label::new(span)
                .with_color(label_color)
                .with_order(order)
                .with_message(message),
        );
    }
    if let Some(help) = &diagnostic.help {
        report = report.with_help(help);
    }
    for note in &diagnostic.notes {
        report = report.with_note(note);
    }
    let mut bytes = Vec::new();
    if report.finish().write(&mut *sources, &mut bytes).is_err() {
        return render_without_source(diagnostic);
    }
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    for (written, real) in headers {
        text = text.replacen(&written, &real, 1);
    }
    if color {
        text
    } else {
        trim_line_ends(&strip_sgr(&text))
    }
}

/// Removes trailing spaces, which ariadne leaves after empty labels.
fn trim_line_ends(text: &str) -> String {
    text.split('\n')
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The report kind (lowercase, as rustc writes it) and the primary label's colour.
fn kind(severity: Severity) -> (ReportKind<'static>, Color) {
    match severity {
        Severity::Error => (ReportKind::Custom("error", Color::Red), Color::Red),
        Severity::Warning => (ReportKind::Custom("warning", Color::Yellow), Color::Yellow),
        Severity::Info => (ReportKind::Custom("info", Color::Cyan), Color::Cyan),
    }
}

/// A diagnostic whose primary span points into no known file: header, help and notes.
fn render_without_source(diagnostic: &Diagnostic) -> String {
    let mut out = format!(
        "[{}] {}: {}\n",
        diagnostic.code.as_str(),
        diagnostic.severity,
        diagnostic.message
    );
    if let Some(help) = &diagnostic.help {
        out.push_str(&format!("  help: {help}\n"));
    }
    for note in &diagnostic.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
}

/// Removes ANSI SGR sequences (`ESC [ ... m`). ariadne colours a custom report kind
/// even when colour is off, so the uncoloured rendering is cleaned afterwards.
fn strip_sgr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("\x1b[") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let params = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[params..].starts_with('m') {
            rest = &after[params + 1..];
        } else {
            out.push_str("\x1b[");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Identifies a source for ariadne: its index (so two files with one path stay apart)
/// and its path (what is shown).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct SourceKey<'a> {
    index: u32,
    path: &'a str,
}

impl fmt::Display for SourceKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path)
    }
}

/// The analysis's files as an ariadne cache of their shown texts ([`Excerpt`]),
/// built lazily so that rendering a few diagnostics of a large ruleset only reads
/// the files they point into.
struct Sources<'a> {
    analysis: &'a Analysis,
    /// The label starts and ends of the diagnostics to render, by file, sorted.
    points: HashMap<u32, Vec<usize>>,
    shown: HashMap<u32, (Excerpt, Source<String>)>,
}

impl<'a> Sources<'a> {
    fn new(analysis: &'a Analysis, diagnostics: &[Diagnostic]) -> Sources<'a> {
        let mut points: HashMap<u32, Vec<usize>> = HashMap::new();
        let spans = diagnostics.iter().flat_map(|diagnostic| {
            std::iter::once(diagnostic.primary.span)
                .chain(diagnostic.related.iter().map(|related| related.span))
        });
        for span in spans {
            let file = points.entry(span.file.0).or_default();
            file.push(span.span.start as usize);
            file.push(span.span.end as usize);
        }
        for file in points.values_mut() {
            file.sort_unstable();
            file.dedup();
        }
        Sources {
            analysis,
            points,
            shown: HashMap::new(),
        }
    }

    /// The shown text of a file (built on first use).
    fn excerpt(&mut self, index: u32) -> Option<&(Excerpt, Source<String>)> {
        if !self.shown.contains_key(&index) {
            let file = self.analysis.files.get(index as usize)?;
            let points = self.points.get(&index).map_or(&[][..], Vec::as_slice);
            let excerpt = Excerpt::new(&file.text, &file.line_index, points);
            let source = Source::from(excerpt.text.clone());
            self.shown.insert(index, (excerpt, source));
        }
        self.shown.get(&index)
    }

    /// A span of a file (from [`Sources::key_and_range`]) moved into its shown text,
    /// in characters: ariadne's byte mode takes the first label in a second file for
    /// a byte offset though it holds a character index, and cut a character in two
    /// (ariadne 0.6; found by the `lint` fuzz target).
    fn shown(
        &mut self,
        (key, range): (SourceKey<'a>, Range<usize>),
    ) -> (SourceKey<'a>, Range<usize>) {
        match self.excerpt(key.index) {
            Some((excerpt, source)) => {
                let start = char_index(source, excerpt.offset(range.start));
                let end = char_index(source, excerpt.offset(range.end));
                (key, start..end)
            }
            None => (key, range),
        }
    }

    /// The (as ariadne writes it, as it should read) pairs of the report's
    /// `path:line:column` headers that differ: each file's header locates the
    /// primary label in its file, else its first label.
    fn header_fixes(
        &mut self,
        primary: &(SourceKey<'a>, Range<usize>),
        diagnostic: &Diagnostic,
    ) -> Vec<(String, String)> {
        let mut starts: HashMap<u32, usize> = HashMap::new();
        for (key, range) in diagnostic
            .related
            .iter()
            .filter_map(|related| self.key_and_range(related.span))
        {
            let start = starts.entry(key.index).or_insert(range.start);
            *start = (*start).min(range.start);
        }
        starts.insert(primary.0.index, primary.1.start);
        let analysis = self.analysis;
        let mut fixes = Vec::new();
        for (index, start) in starts {
            let Some(file) = analysis.files.get(index as usize) else {
                continue;
            };
            let Some((excerpt, _)) = self.excerpt(index) else {
                continue;
            };
            let real = file.line_index.position(&file.text, start as u32);
            let written = excerpt.column(excerpt.offset(start));
            if written != real.column as usize {
                let at = |column| format!("{}:{}:{column}", file.path, real.line);
                fixes.push((at(written), at(real.column as usize)));
            }
        }
        fixes
    }

    /// The ariadne span of `span`, moved onto character boundaries and off trailing
    /// line breaks (ariadne slices lines with it and must not split a character).
    fn key_and_range(&self, span: FileSpan) -> Option<(SourceKey<'a>, Range<usize>)> {
        let file = self.analysis.file(span.file)?;
        let text = file.text.as_str();
        let mut start = floor_char_boundary(text, span.span.start as usize);
        let mut end = ceil_char_boundary(text, (span.span.end as usize).max(start));
        while end > start && text[..end].ends_with(is_line_break) {
            end = floor_char_boundary(text, end - 1);
        }
        if end == start {
            // An empty span on a line break: show it at the break itself.
            start = floor_char_boundary(text, start);
            end = start;
        }
        let key = SourceKey {
            index: span.file.0,
            path: &file.path,
        };
        Some((key, start..end))
    }
}

/// The character index of byte `offset` (a character boundary) of `source`.
fn char_index(source: &Source<String>, offset: usize) -> usize {
    match source.get_byte_line(offset) {
        Some((line, _, column)) => {
            let before = source
                .get_line_text(line)
                .and_then(|text| text.get(..column));
            line.offset() + before.map_or(column, |text| text.chars().count())
        }
        None => source.len(),
    }
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r')
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn ceil_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

impl<'a> Cache<SourceKey<'a>> for Sources<'a> {
    type Storage = String;

    fn fetch(&mut self, id: &SourceKey<'a>) -> Result<&Source<String>, impl fmt::Debug> {
        match self.excerpt(id.index) {
            Some((_, source)) => Ok(source),
            None => Err(format!("no source `{}`", id.path)),
        }
    }

    fn display<'b>(&self, id: &'b SourceKey<'a>) -> Option<impl fmt::Display + 'b> {
        Some(id.path)
    }
}
