//! SARIF 2.1.0: one run whose driver lists a rule per code used, one result per
//! diagnostic. Columns count Unicode code points (`columnKind`), like the JSON contract.

use super::{Location, locate};
use falco_analysis::Analysis;
use falco_diagnostics::{Code, Diagnostic, Severity};
use serde::Serialize;

/// The schema the output declares.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct SarifLog {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    help_uri: String,
    default_configuration: RuleConfiguration,
}

#[derive(Serialize)]
struct RuleConfiguration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    message: Text,
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

/// Renders `analysis` as a SARIF 2.1.0 log (pretty-printed, with a final newline).
pub fn render(analysis: &Analysis) -> String {
    // One rule per code used, in order of first use.
    let mut codes: Vec<Code> = Vec::new();
    let mut results = Vec::new();
    for diagnostic in &analysis.diagnostics {
        let rule_index = match codes.iter().position(|code| *code == diagnostic.code) {
            Some(index) => index,
            None => {
                codes.push(diagnostic.code);
                codes.len() - 1
            }
        };
        results.push(result(analysis, diagnostic, rule_index));
    }
    let rules = codes.iter().map(|code| rule(*code)).collect();
    let log = SarifLog {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "falco-rulec",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/falco-rulec/falco-rulec",
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    // Serializing plain structs of strings and integers cannot fail.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn rule(code: Code) -> Rule {
    Rule {
        id: code.as_str(),
        name: code.name(),
        short_description: Text {
            text: code.summary().to_owned(),
        },
        help_uri: code.url(),
        default_configuration: RuleConfiguration {
            level: level(code.default_severity()),
        },
    }
}

fn result(analysis: &Analysis, diagnostic: &Diagnostic, rule_index: usize) -> SarifResult {
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    for note in &diagnostic.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    SarifResult {
        rule_id: diagnostic.code.as_str(),
        rule_index,
        level: level(diagnostic.severity),
        message: Text { text: message },
        locations: vec![SarifLocation {
            physical_location: physical(locate(analysis, diagnostic.primary.span)),
        }],
        related_locations: diagnostic
            .related
            .iter()
            .enumerate()
            .map(|(id, label)| RelatedLocation {
                id,
                message: Text {
                    text: label.message.clone(),
                },
                physical_location: physical(locate(analysis, label.span)),
            })
            .collect(),
    }
}

fn physical(location: Location<'_>) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri_reference(location.path),
        },
        region: Region {
            start_line: location.start.line,
            start_column: location.start.column,
            end_line: location.end.line,
            end_column: location.end.column,
        },
    }
}

/// SARIF's result level for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a URI reference: every byte outside the unreserved set and `/`
/// percent-encoded. A `\\` is part of a file name on Linux, so it is encoded (`%5C`),
/// not read as a separator.
pub fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
