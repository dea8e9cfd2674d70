//! Inline suppressions: a `# falco-rulec: allow(CODE, ...)` comment on a rule, macro
//! or list item (on one of its lines, or on the comment lines right above it) allows
//! those codes for the diagnostics that point into the item.

use falco_diagnostics::{Code, Diagnostic, Severity};
use falco_span::{FileSpan, Span};

use crate::SourceFile;

/// Drops the warnings and infos that an inline comment allows, and adds a `W901`
/// for each comment that allowed nothing and a `W902` for each malformed one.
pub(crate) fn apply(files: &[SourceFile], diagnostics: &mut Vec<Diagnostic>) {
    let mut directives = Vec::new();
    let mut extra = Vec::new();
    for file in files {
        let (found, mut problems) = self::directives(file);
        directives.extend(found);
        extra.append(&mut problems);
    }
    if directives.is_empty() && extra.is_empty() {
        return;
    }
    diagnostics.retain(|diagnostic| {
        let Some(file) = files.get(diagnostic.primary.span.file.0 as usize) else {
            return true;
        };
        if diagnostic.severity == Severity::Error {
            return true;
        }
        let mut allowed = false;
        for directive in directives.iter_mut() {
            if !directive.covers(file, diagnostic) {
                continue;
            }
            for (code, used) in &mut directive.codes {
                if *code == diagnostic.code {
                    *used = true;
                    allowed = true;
                }
            }
        }
        !allowed
    });
    for directive in &directives {
        if let Some(unused) = directive.unused() {
            extra.push(unused);
        }
    }
    diagnostics.append(&mut extra);
}

/// What introduces a directive inside a comment.
const MARKER: &str = "falco-rulec:";

/// One `allow(...)` comment.
#[derive(Debug)]
struct Directive {
    /// The comment, from its `#` to the end of the line.
    span: FileSpan,
    /// The lines (0-based, inclusive) of the item it covers; `None` when it is on
    /// or above no item.
    item_lines: Option<(u32, u32)>,
    /// The codes it allows, each with whether it suppressed something.
    codes: Vec<(Code, bool)>,
}

impl Directive {
    /// A `W901` when some of the directive's codes suppressed nothing.
    fn unused(&self) -> Option<Diagnostic> {
        let unused: Vec<String> = self
            .codes
            .iter()
            .filter(|(_, used)| !used)
            .map(|(code, _)| format!("`{}`", code.as_str()))
            .collect();
        if unused.is_empty() {
            return None;
        }
        let diagnostic = Diagnostic::new(
            Code::W901,
            self.span,
            format!("unused suppression of {}", unused.join(", ")),
        )
        .with_label("nothing here was suppressed")
        .with_help("remove the code from the comment, or the comment");
        Some(match self.item_lines {
            Some(_) => diagnostic,
            None => diagnostic
                .with_note("the comment is on no rule, macro or list, nor right above one"),
        })
    }

    /// Whether the directive's item holds `diagnostic`'s primary span.
    fn covers(&self, file: &SourceFile, diagnostic: &Diagnostic) -> bool {
        let Some((first, last)) = self.item_lines else {
            return false;
        };
        let span = diagnostic.primary.span;
        span.file == self.span.file
            && (first..=last).contains(&file.line_index.line_of(span.span.start))
    }
}

/// The directives of `file`, and a `W902` for each malformed one or each code it
/// names that does not exist or cannot be allowed.
fn directives(file: &SourceFile) -> (Vec<Directive>, Vec<Diagnostic>) {
    let mut directives = Vec::new();
    let mut problems = Vec::new();
    if !file.text.contains(MARKER) {
        return (directives, problems);
    }
    let items = item_lines(file);
    let mut offset = 0;
    for (line_number, line) in file.text.split_inclusive('\n').enumerate() {
        let line_start = offset;
        offset += line.len();
        let Some(hash) = directive_comment(line) else {
            continue;
        };
        let content = line.trim_end_matches(['\n', '\r']);
        let span = FileSpan::new(
            file.id,
            Span::new(
                (line_start + hash) as u32,
                (line_start + content.len()) as u32,
            ),
        );
        let after_marker = content[hash + 1..]
            .trim_start()
            .get(MARKER.len()..)
            .unwrap_or("");
        let names = match parse_allow(after_marker.trim()) {
            Ok(names) => names,
            Err(why) => {
                problems.push(
                    Diagnostic::new(Code::W902, span, format!("malformed suppression: {why}"))
                        .with_label("not understood")
                        .with_help("write `# falco-rulec: allow(W206)`, or several codes or names separated by commas"),
                );
                continue;
            }
        };
        let mut codes = Vec::new();
        for name in names {
            match Code::parse(name) {
                Some(code) if code.default_severity() == Severity::Error => problems.push(
                    Diagnostic::new(
                        Code::W902,
                        span,
                        format!("`{}` is an error and cannot be allowed", code.as_str()),
                    )
                    .with_label("Falco rejects a file with this error")
                    .with_note("only warnings and infos can be allowed; the error must be fixed"),
                ),
                Some(code) => codes.push((code, false)),
                None => problems.push(
                    Diagnostic::new(
                        Code::W902,
                        span,
                        format!("`{name}` is not a diagnostic code or name"),
                    )
                    .with_label("unknown code")
                    .with_optional_help(
                        falco_diagnostics::did_you_mean(
                            name,
                            Code::ALL
                                .iter()
                                .flat_map(|code| [code.as_str(), code.name()]),
                        )
                        .map(|close| format!("did you mean `{close}`?")),
                    ),
                ),
            }
        }
        directives.push(Directive {
            span,
            item_lines: covered_item(file, &items, line_number as u32),
            codes,
        });
    }
    (directives, problems)
}

/// The byte offset of the `#` that starts a `# falco-rulec:` comment on `line`.
fn directive_comment(line: &str) -> Option<usize> {
    let marker = line.find(MARKER)?;
    let before = line[..marker].trim_end_matches([' ', '\t']);
    let hash = before.len().checked_sub(1)?;
    let starts_comment =
        before.ends_with('#') && (hash == 0 || before[..hash].ends_with([' ', '\t']));
    starts_comment.then_some(hash)
}

/// The codes of `allow(A, B)`.
fn parse_allow(body: &str) -> Result<Vec<&str>, String> {
    let Some(inner) = body
        .strip_prefix("allow")
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix('('))
    else {
        return Err(format!("expected `allow(...)`, found `{body}`"));
    };
    let Some((inner, rest)) = inner.split_once(')') else {
        return Err("`allow(` is not closed".to_owned());
    };
    if !rest.trim().is_empty() {
        return Err(format!("unexpected `{}` after `allow(...)`", rest.trim()));
    }
    let names: Vec<&str> = inner
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    if names.is_empty() {
        return Err("`allow()` names no code".to_owned());
    }
    Ok(names)
}

/// The first and last lines (0-based) of every top-level item of `file`.
fn item_lines(file: &SourceFile) -> Vec<(u32, u32)> {
    let (documents, _) = falco_yaml::parse(file.id, &file.text);
    documents
        .iter()
        .filter_map(|document| document.root.as_ref()?.as_sequence())
        .flatten()
        .map(|item| {
            let span = item.span.span;
            let last_byte = span.end.saturating_sub(1).max(span.start);
            (
                file.line_index.line_of(span.start),
                file.line_index.line_of(last_byte),
            )
        })
        .collect()
}

/// The item a directive on `line` covers: the one whose lines hold it, else the
/// next one when only blank and comment lines stand between them.
fn covered_item(file: &SourceFile, items: &[(u32, u32)], line: u32) -> Option<(u32, u32)> {
    if let Some(&item) = items
        .iter()
        .find(|(first, last)| (*first..=*last).contains(&line))
    {
        return Some(item);
    }
    let &next = items.iter().find(|(first, _)| *first > line)?;
    file.text
        .lines()
        .skip(line as usize + 1)
        .take((next.0 - line - 1) as usize)
        .map(str::trim)
        .all(|text| text.is_empty() || text.starts_with('#'))
        .then_some(next)
}
