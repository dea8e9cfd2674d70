//! GitLab's Code Quality report: a JSON array with one issue per diagnostic, which a
//! merge request's Code Quality widget shows (`artifacts: reports: codequality:`).
//!
//! GitLab reads `description`, `check_name`, `fingerprint`, `severity` and
//! `location.path` with `location.lines.begin`; `positions` adds the columns. It treats
//! issues with the same fingerprint as one, and compares fingerprints between the
//! source and target branches to tell new findings from old ones, so the fingerprint
//! leaves out line numbers (a finding that only moved stays the same) and counts
//! repeats of one finding in one file.

use super::locate;
use falco_analysis::Analysis;
use falco_diagnostics::{Diagnostic, Severity};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
    positions: Positions,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

#[derive(Serialize)]
struct Positions {
    begin: LineColumn,
    end: LineColumn,
}

#[derive(Serialize)]
struct LineColumn {
    line: u32,
    column: u32,
}

/// Renders the report: a pretty-printed JSON array, `[]` when there is nothing.
pub fn render(analysis: &Analysis) -> String {
    let mut repeats: HashMap<String, usize> = HashMap::new();
    let issues: Vec<Issue> = analysis
        .diagnostics
        .iter()
        .map(|diagnostic| issue(analysis, diagnostic, &mut repeats))
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}

fn issue(
    analysis: &Analysis,
    diagnostic: &Diagnostic,
    repeats: &mut HashMap<String, usize>,
) -> Issue {
    let location = locate(analysis, diagnostic.primary.span);
    let check_name = format!("{} {}", diagnostic.code.as_str(), diagnostic.code.name());
    let identity = format!("{}\0{}\0{}", location.path, check_name, diagnostic.message);
    let repeat = repeats.entry(identity.clone()).or_insert(0);
    *repeat += 1;
    let fingerprint = Sha256::digest(format!("{identity}\0{repeat}").as_bytes());
    let mut description = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        description.push_str(" (help: ");
        description.push_str(help);
        description.push(')');
    }
    Issue {
        description,
        check_name,
        fingerprint: falco_registry::digest::hex(&fingerprint[..16]),
        severity: severity(diagnostic.severity),
        location: IssueLocation {
            path: location.path.to_owned(),
            lines: Lines {
                begin: location.start.line,
                end: location.end.line,
            },
            positions: Positions {
                begin: LineColumn {
                    line: location.start.line,
                    column: location.start.column,
                },
                end: LineColumn {
                    line: location.end.line,
                    column: location.end.column,
                },
            },
        },
    }
}

/// GitLab's scale is info, minor, major, critical, blocker: an error blocks the lint
/// step, so it ranks above warnings, but a rules file is not a security finding.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}
