//! The formatter of rules files: a canonical layout that keeps the YAML data, the
//! comments and the blank-line groups of a file.
//!
//! [`format`] reads the file with `falco-yaml` and writes each entry of each
//! document's root collection again, from its nodes and the text around them:
//!
//! - entries of the root at column 0, block collections [`INDENT`](layout) deeper
//!   than their key or `-` (a sequence under a key is indented too);
//! - the keys of rules, macros and lists in one order (`layout.rs`), keys the
//!   order does not name after the others;
//! - `key: value` with one space; scalars and flow collections as written (their
//!   continuation lines move with their entry), block scalars two columns deeper
//!   than their key with the relative indentation of their lines kept;
//! - conditions broken before `and`/`or` (`condition.rs` says where a style lets
//!   line breaks go without changing the value);
//! - comments kept where they are relative to what follows them (end-of-line
//!   comments on their line); a run of blank lines becomes one; no blank lines at
//!   the start or end of the file; no trailing spaces; one line break at the end.
//!
//! **Guarantees.** The output is read as the same YAML data as the input
//! ([`same_data`]): every entry is checked after it is written and kept as written
//! if it differs, and the whole output is checked again before it is returned.
//! Formatting the output again gives it back. An entry the layout does not handle
//! (anchors and aliases, tags, complex keys, `|+`/`>+` blocks, tabs) is kept as
//! written, moved with its root.

mod condition;
mod layout;
mod print;
mod source;
mod verify;

#[cfg(test)]
mod tests;

use std::ops::Range;

use falco_span::FileId;
use falco_yaml::{Document, Node, NodeKind};

use crate::print::{Columns, Printer};
use crate::source::{Source, Verbatim};
pub use crate::verify::same_data;

/// A formatted file: its pieces, which cover the original text in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Formatted {
    /// One piece per entry of a root collection (with the comments and blank lines
    /// before it), and a last one for what follows the last entry.
    pub pieces: Vec<Piece>,
}

/// A part of the original text and its formatted text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// The byte range of the original text it replaces (whole lines).
    pub original: Range<usize>,
    /// The formatted text.
    pub text: String,
}

impl Formatted {
    /// The whole formatted text.
    pub fn text(&self) -> String {
        self.pieces
            .iter()
            .map(|piece| piece.text.as_str())
            .collect()
    }

    /// The pieces that differ from `original`, the text that was formatted.
    pub fn changes<'s>(&'s self, original: &'s str) -> impl Iterator<Item = &'s Piece> {
        self.pieces
            .iter()
            .filter(move |piece| original.get(piece.original.clone()) != Some(&piece.text))
    }
}

/// Why a file cannot be formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The file is not valid YAML.
    InvalidYaml {
        /// Where the YAML reader stopped (a byte offset).
        offset: usize,
        /// What it said.
        message: String,
    },
    /// The file uses something the formatter does not handle.
    Unsupported {
        /// Where (a byte offset).
        offset: usize,
        /// What.
        what: &'static str,
    },
    /// The formatted text would not hold the same data (a bug: the file is left as
    /// it is).
    DataChanged,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::InvalidYaml { message, .. } => write!(f, "{message}"),
            FormatError::Unsupported { what, .. } => write!(f, "{what} cannot be formatted"),
            FormatError::DataChanged => write!(
                f,
                "the formatted text would not hold the same YAML data (a formatter bug); the file is left as it is"
            ),
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats a rules file (see the crate documentation for the layout).
pub fn format(text: &str) -> Result<Formatted, FormatError> {
    if let Some(offset) = text.find('\r') {
        return Err(FormatError::Unsupported {
            offset,
            what: "a file with carriage returns (CRLF line endings)",
        });
    }
    let (documents, diagnostics) = falco_yaml::parse(FileId(0), text);
    if let Some(error) = diagnostics.first() {
        return Err(FormatError::InvalidYaml {
            offset: error.primary.span.span.start as usize,
            message: error.message.clone(),
        });
    }
    let src = Source { text };
    let mut pieces = Vec::new();
    let mut prev_end = None;
    for document in &documents {
        let Some(root) = &document.root else {
            continue;
        };
        for entry in root_entries(root, src) {
            let piece = format_entry(src, entry, prev_end)?;
            prev_end = Some(piece.1);
            pieces.push(piece.0);
        }
    }
    pieces.push(trailer(src, prev_end)?);
    let formatted = Formatted { pieces };
    let (output, errors) = falco_yaml::parse(FileId(0), &formatted.text());
    if !errors.is_empty() || !same_documents(&documents, &output) {
        return Err(FormatError::DataChanged);
    }
    Ok(formatted)
}

/// An entry of a root collection, or a root the layout keeps as written.
#[derive(Clone, Copy)]
enum Entry<'n> {
    Item(&'n Node),
    Pair(&'n Node, &'n Node),
    Kept(&'n Node),
}

/// The entries of a document's root: those of a block collection, or the root
/// itself when it is a scalar or a flow collection (nothing to lay out).
fn root_entries<'n>(root: &'n Node, src: Source<'_>) -> Vec<Entry<'n>> {
    match &root.kind {
        _ if src.is_flow(root) => vec![Entry::Kept(root)],
        NodeKind::Sequence(items) => items.iter().map(Entry::Item).collect(),
        NodeKind::Mapping(pairs) => pairs.iter().map(|(k, v)| Entry::Pair(k, v)).collect(),
        NodeKind::Scalar(_) if print::is_empty(root) => Vec::new(),
        NodeKind::Scalar(_) => vec![Entry::Kept(root)],
    }
}

/// Formats one root entry with the lines before it; returns the piece and where the
/// entry ends.
fn format_entry(
    src: Source<'_>,
    entry: Entry<'_>,
    prev_end: Option<usize>,
) -> Result<(Piece, usize), FormatError> {
    let start = match entry {
        Entry::Item(node) => src.dash_before(node.span.span.start as usize, print::is_empty(node)),
        Entry::Pair(key, _) => Ok(key.span.span.start as usize),
        Entry::Kept(node) => Ok(node.span.span.start as usize),
    }
    .map_err(|Verbatim| FormatError::Unsupported {
        offset: 0,
        what: "a root sequence entry without its `-`",
    })?;
    let piece_start = prev_end.map_or(0, |end| src.next_line(end));
    let line = src.line_start(start);
    if line < piece_start {
        return Err(FormatError::Unsupported {
            offset: start,
            what: "an entry that starts on the line of the entry before it",
        });
    }
    let unsupported = |_| FormatError::Unsupported {
        offset: piece_start,
        what: "content between entries",
    };
    let trivia = src
        .trivia_lines(piece_start, line, true)
        .map_err(unsupported)?;
    let columns = Columns {
        old: src.column(start),
        new: 0,
    };
    let mut printer = Printer::new(src, prev_end.is_none());
    printer.trivia(&trivia, columns);
    let written = match entry {
        Entry::Item(node) => printer.root_item(node, columns),
        Entry::Pair(key, value) => printer.root_pair(key, value, columns),
        Entry::Kept(_) => Err(Verbatim),
    };
    let end = match entry {
        Entry::Item(node) | Entry::Kept(node) => src.content_end(node),
        Entry::Pair(_, value) => src.content_end(value).max(start),
    };
    let piece_end = src.next_line(end);
    let text = match written {
        Ok(_) if keeps_data(printer.text(), entry) => printer.finish(),
        _ => {
            let mut kept = Printer::new(src, prev_end.is_none());
            kept.trivia(&trivia, columns);
            kept.verbatim(line, piece_end, columns);
            kept.finish()
        }
    };
    Ok((
        Piece {
            original: piece_start..piece_end,
            text,
        },
        end,
    ))
}

/// Whether `text`, read alone, holds `entry`'s data.
fn keeps_data(text: &str, entry: Entry<'_>) -> bool {
    let (documents, errors) = falco_yaml::parse(FileId(0), text);
    let [document] = documents.as_slice() else {
        return false;
    };
    if !errors.is_empty() {
        return false;
    }
    match (document.root.as_ref().map(|root| &root.kind), entry) {
        (Some(NodeKind::Sequence(items)), Entry::Item(node)) => {
            matches!(&items[..], [item] if same_data(item, node))
        }
        (Some(NodeKind::Mapping(pairs)), Entry::Pair(key, value)) => {
            matches!(&pairs[..], [(k, v)] if same_data(k, key) && same_data(v, value))
        }
        _ => false,
    }
}

/// The lines after the last entry: comments kept, blank lines dropped.
fn trailer(src: Source<'_>, prev_end: Option<usize>) -> Result<Piece, FormatError> {
    let start = prev_end.map_or(0, |end| src.next_line(end));
    let end = src.text.len();
    let trivia =
        src.trivia_lines(start, end, true)
            .map_err(|Verbatim| FormatError::Unsupported {
                offset: start,
                what: "content after the last entry",
            })?;
    let mut printer = Printer::new(src, prev_end.is_none());
    printer.trivia(&trivia, Columns { old: 0, new: 0 });
    Ok(Piece {
        original: start..end,
        text: printer.finish(),
    })
}

fn same_documents(a: &[Document], b: &[Document]) -> bool {
    let roots = |documents: &[Document]| -> Vec<Node> {
        documents
            .iter()
            .filter_map(|document| document.root.clone())
            .filter(|root| !(root.is_null() && root.span.span.is_empty()))
            .collect()
    };
    let (a, b) = (roots(a), roots(b));
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| same_data(x, y))
}
