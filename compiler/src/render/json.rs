//! The JSON contract, version 2. CI tools parse this: change it only by adding a new
//! version. Version 2 is version 1 with `notes` added to each diagnostic.
//!
//! ```text
//! {"version": 2,
//!  "diagnostics": [{"code", "severity", "message", "file", "line", "column",
//!                   "end_line", "end_column", "help", "notes",
//!                   "related": [{"message", "file", "line", "column"}]}],
//!  "summary": {"files", "rules", "macros", "lists", "errors", "warnings"}}
//! ```
//!
//! Lines and columns are 1-based; columns count characters; `end_line`/`end_column`
//! point at the character after the span; `help` is `null` when absent; `notes` is a
//! list of strings, empty when there are none.

use super::locate;
use falco_analysis::Analysis;
use falco_diagnostics::Diagnostic;
use serde::Serialize;

/// The contract's version number.
pub const VERSION: u32 = 2;

/// The whole document.
#[derive(Serialize)]
struct JsonOutput<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    help: Option<&'a str>,
    notes: &'a [String],
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    rules: usize,
    macros: usize,
    lists: usize,
    errors: usize,
    warnings: usize,
}

/// Renders `analysis` as the JSON contract (pretty-printed, with a final newline).
pub fn render(analysis: &Analysis) -> String {
    let output = JsonOutput {
        version: VERSION,
        diagnostics: analysis
            .diagnostics
            .iter()
            .map(|diagnostic| to_json(analysis, diagnostic))
            .collect(),
        summary: JsonSummary {
            files: analysis.summary.files,
            rules: analysis.summary.rules,
            macros: analysis.summary.macros,
            lists: analysis.summary.lists,
            errors: analysis.error_count(),
            warnings: analysis.warning_count(),
        },
    };
    // Serializing plain structs of strings and integers cannot fail.
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_default();
    text.push('\n');
    text
}

fn to_json<'a>(analysis: &'a Analysis, diagnostic: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let location = locate(analysis, diagnostic.primary.span);
    JsonDiagnostic {
        code: diagnostic.code.as_str(),
        severity: diagnostic.severity.as_str(),
        message: &diagnostic.message,
        file: location.path,
        line: location.start.line,
        column: location.start.column,
        end_line: location.end.line,
        end_column: location.end.column,
        help: diagnostic.help.as_deref(),
        notes: &diagnostic.notes,
        related: diagnostic
            .related
            .iter()
            .map(|label| {
                let location = locate(analysis, label.span);
                JsonRelated {
                    message: &label.message,
                    file: location.path,
                    line: location.start.line,
                    column: location.start.column,
                }
            })
            .collect(),
    }
}
