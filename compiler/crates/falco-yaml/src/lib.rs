//! A YAML reader that keeps spans.
//!
//! [`parse`] reads every document of a file into a small tree of [`Node`]s. Each node
//! carries the byte span it was read from, and each scalar carries its value as a
//! [`MappedText`]: byte `i` of the value maps back to the file byte it came from. Bytes
//! copied verbatim from the file (the common case) map one to one; bytes the YAML
//! rules synthesize (a folded line break that became a space, the value of an escape,
//! a `''` in a single-quoted scalar) map to the span of the source text they stand for.
//! This holds inside block scalars (`|`, `>`, chomping and indentation indicators),
//! multi-line plain scalars and both quoted styles, so a column inside a multi-line
//! `condition: >` maps to its true line and column.
//!
//! **Architecture invariant:** parsing never fails. A syntax error becomes an `E101`
//! diagnostic; the documents and top-level items read before the error are kept, and
//! reading resumes at the next top-level `- ` line so that later items still get
//! checked.
//!
//! Compatibility notes (Falco reads rules with yaml-cpp):
//! - an alias stands for the anchored node itself, as in yaml-cpp: the node is shared,
//!   not copied (its spans stay those of the anchor's definition), so memory stays
//!   linear in the text however often aliases nest ("billion laughs");
//! - nodes nest at most [`MAX_NESTING`] levels deep, yaml-cpp's limit; a deeper node is
//!   an `E111` error, read like a syntax error;
//! - tags are kept as written (`desc: != x` is the tag `!=` on the value `x`), and are
//!   otherwise ignored, like yaml-cpp's `as<std::string>()` does;
//! - a node is null exactly when yaml-cpp says so: an untagged plain scalar that is
//!   empty, `~`, `null`, `Null` or `NULL`.

mod build;
mod chars;
mod repair;
mod scalar;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use falco_diagnostics::Diagnostic;
use falco_span::{FileId, FileSpan, MappedText};

pub use scalar::map_scalar;

/// How deep nodes may nest, counting the document's root as level 1: yaml-cpp (and so
/// Falco) refuses a node at this level (its `DepthGuard<500>`), and so do we (`E111`).
pub const MAX_NESTING: usize = 500;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    /// `value`
    Plain,
    /// `'value'`
    SingleQuoted,
    /// `"value"`
    DoubleQuoted,
    /// `|` block
    Literal,
    /// `>` block
    Folded,
}

impl ScalarStyle {
    /// Whether the scalar was quoted (single or double).
    pub fn is_quoted(self) -> bool {
        matches!(self, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
    }
}

/// A scalar's value with its map back to the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// The value as YAML defines it (escapes decoded, lines folded, indentation
    /// removed), each byte mapped to the file.
    pub text: MappedText,
    /// How it was written.
    pub style: ScalarStyle,
}

impl Scalar {
    /// The value.
    pub fn as_str(&self) -> &str {
        &self.text.text
    }
}

/// What a node holds. The contents are shared: cloning a node (as an alias does) is
/// cheap and never copies a subtree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A scalar (null nodes are scalars too; see [`Node::is_null`]).
    Scalar(Arc<Scalar>),
    /// A sequence, in order.
    Sequence(Arc<[Node]>),
    /// A mapping's key/value pairs, in order; duplicate keys are kept.
    Mapping(Arc<[(Node, Node)]>),
}

/// A YAML node with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// The content.
    pub kind: NodeKind,
    /// Where the node is written, without its tag or anchor. Quoted scalars include
    /// their quotes; block scalars start at the `|`/`>` indicator and end after their
    /// last non-blank line; collections cover their first to last child (flow ones
    /// their brackets).
    pub span: FileSpan,
    /// The tag as written (`!=`, `!!str`), if any.
    pub tag: Option<String>,
}

impl Node {
    /// Whether yaml-cpp would read this node as null: an untagged plain scalar that
    /// is empty, `~`, `null`, `Null` or `NULL`.
    pub fn is_null(&self) -> bool {
        match &self.kind {
            NodeKind::Scalar(scalar) => {
                scalar.style == ScalarStyle::Plain
                    && self.tag.is_none()
                    && matches!(scalar.as_str(), "" | "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }

    /// The scalar, when the node is a non-null scalar.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(scalar) if !self.is_null() => Some(scalar),
            _ => None,
        }
    }

    /// The scalar's value, when the node is a non-null scalar.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(Scalar::as_str)
    }

    /// The entries, when the node is a sequence.
    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Sequence(items) => Some(items),
            _ => None,
        }
    }

    /// The key/value pairs, when the node is a mapping.
    pub fn as_mapping(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// The first key/value pair whose key is the scalar `key` (like yaml-cpp's
    /// `node[key]`), when the node is a mapping.
    pub fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        self.as_mapping()?
            .iter()
            .find(|(candidate, _)| candidate.as_str() == Some(key))
    }

    /// The value of the first pair whose key is `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, value)| value)
    }

    /// What kind of node this is, in words (`null`, `scalar`, `sequence`, `mapping`).
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            _ if self.is_null() => "null",
            NodeKind::Scalar(_) => "scalar",
            NodeKind::Sequence(_) => "sequence",
            NodeKind::Mapping(_) => "mapping",
        }
    }
}

/// One YAML document of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The root node; `None` when the document holds no node at all (or a syntax
    /// error came before its first node).
    pub root: Option<Node>,
    /// From the document's first to last byte.
    pub span: FileSpan,
    /// False when a syntax error cut the document short: its root then holds only
    /// the top-level entries read completely before the error.
    pub complete: bool,
}

/// Reads every YAML document of `text`. Never fails: syntax errors become `E101`
/// diagnostics and the documents read so far are returned.
pub fn parse(file: FileId, text: &str) -> (Vec<Document>, Vec<Diagnostic>) {
    let (documents, diagnostics, _) = build::parse_all(file, text);
    (documents, diagnostics)
}

/// What [`parse_reading`] returns: [`parse`]'s result and the text it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    /// The documents, as [`parse`] gives them.
    pub documents: Vec<Document>,
    /// The syntax errors, as [`parse`] gives them.
    pub diagnostics: Vec<Diagnostic>,
    /// The same-length rewrite of the text with the lines of flow collections
    /// joined, when that is what the documents were read from; `None` when they
    /// were read from the text as written.
    pub joined: Option<String>,
}

/// [`parse`], also telling which text the documents were read from (for a reader
/// that re-parses one part of an edited file and must read it the same way).
pub fn parse_reading(file: FileId, text: &str) -> Reading {
    let (documents, diagnostics, joined) = build::parse_all(file, text);
    Reading {
        documents,
        diagnostics,
        joined,
    }
}

/// Reads `text` as written, without ever joining flow collection lines (one of the
/// readings [`parse`] chooses from; give it the joined text to get the other).
pub fn parse_as_written(file: FileId, text: &str) -> (Vec<Document>, Vec<Diagnostic>) {
    build::parse_with_resume(file, text)
}

/// What the joined reading (see [`Reading::joined`]) makes of one piece of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinedPiece {
    /// The piece with the line breaks of its flow collections joined (the same
    /// length).
    pub text: String,
    /// Whether `text` differs from the piece.
    pub changed: bool,
    /// Whether a flow collection has a line indented no deeper than its first line.
    pub needed: bool,
    /// Whether a line starts with `]` or `}` after its indentation.
    pub closes_at_line_start: bool,
    /// Whether the piece ends outside any flow collection and quoted scalar.
    ///
    /// When a text is cut at line starts into pieces that are all closed, its
    /// joined text is the pieces' `text`s put together, and [`parse`] reads it
    /// first (before the text as written) exactly when some piece
    /// `closes_at_line_start`, some piece `changed` and some piece `needed`:
    /// nothing the rewrite tracks carries over such a cut.
    pub closed: bool,
}

/// The joined reading's rewrite applied to `piece` alone (see
/// [`JoinedPiece::closed`] for when pieces make up the whole).
pub fn join_piece(piece: &str) -> JoinedPiece {
    let scan = repair::scan(piece);
    // Whole comments and ASCII line breaks are blanked, so the rewrite stays UTF-8;
    // if it ever did not, the piece is marked unusable rather than guessed at.
    let (text, closed) = match String::from_utf8(scan.out) {
        Ok(text) => (text, scan.closed),
        Err(_) => (piece.to_owned(), false),
    };
    JoinedPiece {
        text,
        changed: scan.changed,
        needed: scan.needed,
        closes_at_line_start: build::closes_flow_at_line_start(piece),
        closed,
    }
}
