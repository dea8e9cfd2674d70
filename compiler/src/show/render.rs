//! A shown rule as text (an indented tree) and as JSON (`docs/show.md`).

use std::fmt::Write as _;

use serde::Serialize;

use super::{Piece, Shown};

/// The text: the rule's facts, then its condition, one piece per line, indented by
/// nesting, with its instructions in brackets and its origins after it.
pub fn text(shown: &Shown) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "rule {}", shown.name);
    let _ = writeln!(
        out,
        "  source {}, priority {}, {}",
        shown.source,
        shown.priority,
        if shown.enabled { "enabled" } else { "disabled" }
    );
    let _ = writeln!(out, "  defined at {}", shown.defined_at);
    for at in &shown.amended_at {
        let _ = writeln!(out, "  amended at {at}");
    }
    let _ = writeln!(out, "  event types: {}", shown.event_types);
    let _ = writeln!(out, "  fields: {}", shown.fields.join(", "));
    for (name, at) in &shown.exceptions {
        let _ = writeln!(out, "  exception {name} at {at}");
    }
    let _ = writeln!(
        out,
        "  bytecode: {} instructions as compiled; {} with one check per operand, as below",
        shown.instructions, shown.condition.instructions
    );
    out.push_str("\ncondition [instructions]:\n");
    piece_lines(&shown.condition, 1, &mut out);
    out
}

fn piece_lines(piece: &Piece, depth: usize, out: &mut String) {
    let _ = write!(
        out,
        "{:indent$}{} [{}]",
        "",
        piece.label,
        piece.instructions,
        indent = depth * 2
    );
    let mut notes: Vec<String> = piece.origins.clone();
    if let Some(types) = &piece.event_types {
        notes.push(format!("event types: {types}"));
    }
    if !piece.fields.is_empty() {
        notes.push(format!("fields: {}", piece.fields.join(", ")));
    }
    if !notes.is_empty() {
        let _ = write!(out, "  ({})", notes.join("; "));
    }
    out.push('\n');
    for child in &piece.children {
        piece_lines(child, depth + 1, out);
    }
}

#[derive(Serialize)]
struct JsonShown<'a> {
    version: u32,
    rule: &'a str,
    source: &'a str,
    priority: &'a str,
    enabled: bool,
    defined_at: &'a str,
    amended_at: &'a [String],
    event_types: &'a str,
    fields: &'a [String],
    exceptions: Vec<JsonException<'a>>,
    instructions: u32,
    condition: JsonPiece<'a>,
}

#[derive(Serialize)]
struct JsonException<'a> {
    name: &'a str,
    at: &'a str,
}

#[derive(Serialize)]
struct JsonPiece<'a> {
    label: &'a str,
    at: Option<&'a str>,
    origins: &'a [String],
    instructions: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_types: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    fields: &'a [String],
    children: Vec<JsonPiece<'a>>,
}

fn json_piece(piece: &Piece) -> JsonPiece<'_> {
    JsonPiece {
        label: &piece.label,
        at: piece.at.as_deref(),
        origins: &piece.origins,
        instructions: piece.instructions,
        event_types: piece.event_types.as_deref(),
        fields: &piece.fields,
        children: piece.children.iter().map(json_piece).collect(),
    }
}

/// The JSON document (version 1).
pub fn json(shown: &Shown) -> String {
    let document = JsonShown {
        version: 1,
        rule: &shown.name,
        source: &shown.source,
        priority: &shown.priority,
        enabled: shown.enabled,
        defined_at: &shown.defined_at,
        amended_at: &shown.amended_at,
        event_types: &shown.event_types,
        fields: &shown.fields,
        exceptions: shown
            .exceptions
            .iter()
            .map(|(name, at)| JsonException { name, at })
            .collect(),
        instructions: shown.instructions,
        condition: json_piece(&shown.condition),
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
