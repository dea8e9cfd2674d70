//! Builds the node tree from the parser's events, and recovers from syntax errors.

use crate::chars::CharIndex;
use crate::scalar::{self, ScalarSource};
use crate::{Document, Node, NodeKind, Scalar, ScalarStyle};
use falco_diagnostics::{Code, Diagnostic};
use falco_span::{FileId, FileSpan, Span};
use saphyr_parser::{Event, Parser, ScanError};
use std::collections::HashMap;
use std::sync::Arc;

/// Parses `text`; after a syntax error, reads on from the next top-level item.
///
/// When a flow collection has under-indented lines, its lines are joined first (see
/// [`crate::repair`]). Returns the joined text too when that reading is the one kept.
pub(crate) fn parse_all(
    file: FileId,
    text: &str,
) -> (Vec<Document>, Vec<Diagnostic>, Option<String>) {
    // Upstream files close flow sequences with a `]` at the key's column; try the
    // joined reading first when a line starts with a closing bracket.
    let suspicious = closes_flow_at_line_start(text);
    let repaired = if suspicious {
        crate::repair::join_flow_lines(text)
    } else {
        None
    };
    let repaired = match repaired {
        Some(repaired) => {
            let joined = parse_with_resume(file, &repaired);
            if joined.1.is_empty() {
                return (joined.0, joined.1, Some(repaired));
            }
            Some(repaired)
        }
        None => None,
    };
    let plain = parse_with_resume(file, text);
    if plain.1.is_empty() {
        return (plain.0, plain.1, None);
    }
    let repaired = repaired.or_else(|| {
        if suspicious {
            None
        } else {
            crate::repair::join_flow_lines(text)
        }
    });
    match repaired {
        Some(repaired) => {
            // Both readings have errors: keep the one closer to the text as written,
            // unless joining removed some of them.
            let joined = parse_with_resume(file, &repaired);
            if joined.1.len() < plain.1.len() {
                (joined.0, joined.1, Some(repaired))
            } else {
                (plain.0, plain.1, None)
            }
        }
        None => (plain.0, plain.1, None),
    }
}

/// Whether a line starts (after spaces) with `]` or `}`: the sign of a flow
/// collection closed at its key's column, which [`parse_all`] reads joined first.
pub(crate) fn closes_flow_at_line_start(text: &str) -> bool {
    text.split('\n').any(|line| {
        matches!(
            line.trim_start_matches(' ').as_bytes().first(),
            Some(b']' | b'}')
        )
    })
}

pub(crate) fn parse_with_resume(file: FileId, text: &str) -> (Vec<Document>, Vec<Diagnostic>) {
    let mut documents = Vec::new();
    let mut diagnostics = Vec::new();
    let mut blanked: Option<String> = None;
    loop {
        let src = blanked.as_deref().unwrap_or(text);
        let Some(error_at) = parse_pass(file, src, &mut documents, &mut diagnostics) else {
            break;
        };
        let Some(resume) = resume_point(text, error_at) else {
            break;
        };
        blanked = Some(blank_prefix(text, resume));
    }
    (documents, diagnostics)
}

/// The start of the first line after the one holding `error_at` that begins a new
/// top-level item (`- `) or document (`---`).
fn resume_point(text: &str, error_at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut pos = error_at.min(bytes.len());
    loop {
        let newline = bytes.get(pos..)?.iter().position(|&b| b == b'\n')?;
        pos += newline + 1;
        let rest = bytes.get(pos..)?;
        if rest.first() == Some(&b'-') {
            let next = rest.get(1).copied();
            let item = next.is_none_or(|b| b == b' ' || b == b'\n' || b == b'\r' || b == b'\t');
            if item || rest.starts_with(b"---") {
                return Some(pos);
            }
        }
    }
}

/// `text` with every byte before `upto` replaced by a space (line breaks kept), so
/// offsets and lines stay the same.
fn blank_prefix(text: &str, upto: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in &text.as_bytes()[..upto] {
        out.push(if byte == b'\n' { '\n' } else { ' ' });
    }
    out.push_str(&text[upto..]);
    out
}

/// A collection being read.
struct Frame {
    mapping: bool,
    /// A sequence's entries.
    items: Vec<Node>,
    /// A mapping's pairs, and a key waiting for its value.
    pairs: Vec<(Node, Node)>,
    key: Option<Node>,
    start: usize,
    /// End of the closing bracket of a flow collection.
    flow: bool,
    /// Column of a block collection (its indentation).
    column: usize,
    anchor: usize,
    tag: Option<String>,
}

impl Frame {
    /// Turns the frame into a node; a mapping key without its value is dropped.
    fn into_node(self, file: FileId, end: Option<usize>) -> (Node, usize) {
        let last = if self.mapping {
            self.pairs.last().map(|(_, value)| value)
        } else {
            self.items.last()
        };
        let last_end = last.map_or(self.start, |child| child.span.span.end as usize);
        let end = end.unwrap_or(last_end).max(self.start);
        let kind = if self.mapping {
            NodeKind::Mapping(self.pairs.into())
        } else {
            NodeKind::Sequence(self.items.into())
        };
        let node = Node {
            kind,
            span: FileSpan::new(file, Span::new(self.start as u32, end as u32)),
            tag: self.tag,
        };
        (node, self.anchor)
    }
}

struct State<'a> {
    file: FileId,
    src: &'a str,
    chars: CharIndex,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    /// Root of the open document, and its start.
    root: Option<Node>,
    doc_start: Option<usize>,
    /// End of the previous event (where a block scalar's header search starts).
    last_end: usize,
}

/// One pass of the parser. Returns the byte offset of a syntax error, if any.
fn parse_pass(
    file: FileId,
    src: &str,
    documents: &mut Vec<Document>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let mut state = State {
        file,
        src,
        chars: CharIndex::new(src),
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        doc_start: None,
        last_end: 0,
    };
    let mut parser = Parser::new_from_str(src);
    loop {
        match parser.next_event() {
            None => return None,
            Some(Ok((event, span))) => {
                let start = state.chars.byte(span.start.index());
                let end = state.chars.byte(span.end.index());
                if state.too_deep(&event) {
                    diagnostics.push(nesting_error(file, src, start));
                    state.abandon(documents);
                    return Some(start);
                }
                // Document events can span the first node; they are no floor for the
                // search of a block scalar's header.
                let node_event = !matches!(event, Event::DocumentStart(_) | Event::DocumentEnd);
                if state.event(event, start, end, documents) {
                    return None;
                }
                if node_event {
                    state.last_end = state.last_end.max(end);
                }
            }
            Some(Err(error)) => {
                let at = state.chars.byte(error.marker().index());
                diagnostics.push(syntax_error(file, src, at, &error));
                state.abandon(documents);
                return Some(at);
            }
        }
    }
}

/// The span of the character at `at` (empty at a line break or the end).
fn char_span(file: FileId, src: &str, at: usize) -> FileSpan {
    let width = src
        .get(at..)
        .and_then(|rest| rest.chars().next())
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(0, char::len_utf8);
    FileSpan::new(file, Span::new(at as u32, (at + width) as u32))
}

/// How deep flow collections (`[...]`, `{...}`) may nest: the YAML parser's own
/// limit, below yaml-cpp's [`crate::MAX_NESTING`].
pub(crate) const MAX_FLOW_NESTING: usize = u8::MAX as usize;

/// E111 at the node that starts at `at`, one level too deep.
fn nesting_error(file: FileId, src: &str, at: usize) -> Diagnostic {
    Diagnostic::new(
        Code::E111,
        char_span(file, src, at),
        format!(
            "yaml nodes nest deeper than {} levels",
            crate::MAX_NESTING - 1
        ),
    )
    .with_label(format!("this node is at level {}", crate::MAX_NESTING))
    .with_help("Falco's YAML reader refuses such files; flatten the structure")
}

fn syntax_error(file: FileId, src: &str, at: usize, error: &ScanError) -> Diagnostic {
    let span = char_span(file, src, at);
    let info = error.info();
    if info == "recursion limit exceeded" {
        // saphyr-parser counts flow levels in a byte.
        return Diagnostic::new(
            Code::E111,
            span,
            format!("yaml flow collections nest deeper than {MAX_FLOW_NESTING} levels"),
        )
        .with_label("the yaml parser stopped here")
        .with_help("flatten the structure");
    }
    let diagnostic = Diagnostic::new(Code::E101, span, format!("invalid yaml: {}", reword(info)))
        .with_label("the yaml parser stopped here");
    let help = if info.contains("mapping values are not allowed") && is_key_of_its_own(src, at) {
        Some("this key is indented differently from the keys above it; align it with them")
    } else if info.contains("mapping values are not allowed") {
        Some(
            "a `: ` inside an unquoted value starts a nested key; quote the value, or use `>` for long text",
        )
    } else if info.contains("tab") {
        Some("indent with spaces; YAML does not allow tabs for indentation")
    } else if info.contains("did not find expected") || info.contains("invalid indentation") {
        Some("check the indentation of this line against the lines above it")
    } else {
        None
    };
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// Whether the `:` at `at` ends a key that stands alone at the start of its line
/// (`   output: o`), so that the line's indentation is the mistake, not the value
/// of the line above.
fn is_key_of_its_own(src: &str, at: usize) -> bool {
    let Some(before) = src.get(..at) else {
        return false;
    };
    let line = &before[before.rfind('\n').map_or(0, |newline| newline + 1)..];
    let key = line.trim_start_matches(' ').trim_start_matches("- ");
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The parser's message, lowercase and without a trailing period.
fn reword(info: &str) -> String {
    let trimmed = info.trim().trim_end_matches('.');
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "syntax error".to_string(),
    }
}

impl State<'_> {
    /// Whether `event` starts a node at level [`crate::MAX_NESTING`] (the root is
    /// level 1).
    fn too_deep(&self, event: &Event<'_>) -> bool {
        let starts_node = matches!(
            event,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(_)
        );
        starts_node && self.stack.len() + 1 >= crate::MAX_NESTING
    }

    /// Handles one event; returns true at the end of the stream.
    fn event(
        &mut self,
        event: Event<'_>,
        start: usize,
        end: usize,
        docs: &mut Vec<Document>,
    ) -> bool {
        match event {
            Event::StreamEnd => return true,
            Event::StreamStart | Event::Nothing => {}
            Event::DocumentStart(_) => {
                self.root = None;
                self.doc_start = Some(start);
            }
            Event::DocumentEnd => {
                let doc_start = self.doc_start.take().unwrap_or(start);
                let root = self.root.take();
                let doc_end = root
                    .as_ref()
                    .map_or(end, |root| (root.span.span.end as usize).max(end));
                docs.push(Document {
                    root,
                    span: FileSpan::new(self.file, Span::new(doc_start as u32, doc_end as u32)),
                    complete: true,
                });
                self.anchors.clear();
            }
            Event::Alias(id) => {
                // The anchored node itself, shared (see the crate's compatibility notes).
                let node = self.anchors.get(&id).cloned().unwrap_or_else(|| Node {
                    kind: NodeKind::Scalar(Arc::new(Scalar {
                        text: Default::default(),
                        style: ScalarStyle::Plain,
                    })),
                    span: FileSpan::new(self.file, Span::new(start as u32, end as u32)),
                    tag: None,
                });
                self.attach(node, 0);
            }
            Event::Scalar(value, style, anchor, tag) => {
                let node = self.scalar(&value, style, tag.is_some(), start, end);
                self.attach(node, anchor);
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(false, anchor, tag.is_some(), start);
            }
            Event::MappingStart(anchor, tag) => {
                self.open(true, anchor, tag.is_some(), start);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let close = frame.flow.then_some(end);
                    let (node, anchor) = frame.into_node(self.file, close);
                    self.attach(node, anchor);
                }
            }
        }
        false
    }

    fn open(&mut self, mapping: bool, anchor: usize, tagged: bool, start: usize) {
        let bytes = self.src.as_bytes();
        let flow = matches!(bytes.get(start), Some(b'[' | b'{'));
        let (tag, start) = if tagged {
            let (tag, content) = self.properties(start, self.src.len());
            (tag, content)
        } else {
            (None, start)
        };
        self.stack.push(Frame {
            mapping,
            items: Vec::new(),
            pairs: Vec::new(),
            key: None,
            start,
            flow: flow || matches!(bytes.get(start), Some(b'[' | b'{')),
            column: column_of(self.src, start),
            anchor,
            tag,
        });
    }

    /// Adds a finished node to the open collection, or makes it the document root.
    fn attach(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some(frame) if !frame.mapping => frame.items.push(node),
            Some(frame) => match frame.key.take() {
                Some(key) => frame.pairs.push((key, node)),
                None => frame.key = Some(node),
            },
            None => self.root = Some(node),
        }
    }

    /// Skips a node's properties (tag, anchor) starting at `start`; returns the tag as
    /// written and where the content starts (never past `limit`).
    fn properties(&self, start: usize, limit: usize) -> (Option<String>, usize) {
        let bytes = self.src.as_bytes();
        let limit = limit.min(bytes.len());
        let mut pos = start;
        let mut tag = None;
        while pos < limit {
            match bytes[pos] {
                b'!' | b'&' => {
                    let token_start = pos;
                    while pos < limit && !bytes[pos].is_ascii_whitespace() {
                        pos += 1;
                    }
                    if bytes[token_start] == b'!' {
                        tag = self.src.get(token_start..pos).map(str::to_string);
                    }
                }
                b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
                b'#' => {
                    while pos < limit && bytes[pos] != b'\n' {
                        pos += 1;
                    }
                }
                _ => break,
            }
        }
        (tag, pos)
    }

    /// Finds a block scalar's `|`/`>` header between the previous event and `limit`.
    fn block_header(&self, limit: usize) -> Option<usize> {
        let bytes = self.src.as_bytes();
        let limit = limit.min(bytes.len());
        let mut pos = self.last_end.min(limit);
        while pos < limit {
            match bytes[pos] {
                b'|' | b'>' => return Some(pos),
                b'#' => {
                    while pos < limit && bytes[pos] != b'\n' {
                        pos += 1;
                    }
                }
                b'!' | b'&' => {
                    while pos < limit && !bytes[pos].is_ascii_whitespace() {
                        pos += 1;
                    }
                }
                _ => pos += 1,
            }
        }
        None
    }

    /// Indentation of the innermost block collection (-1 at top level).
    fn parent_indent(&self) -> isize {
        self.stack
            .iter()
            .rev()
            .find(|frame| !frame.flow)
            .map_or(-1, |frame| frame.column as isize)
    }

    fn scalar(
        &self,
        value: &str,
        style: saphyr_parser::ScalarStyle,
        tagged: bool,
        start: usize,
        end: usize,
    ) -> Node {
        let style = match style {
            saphyr_parser::ScalarStyle::Plain => ScalarStyle::Plain,
            saphyr_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            saphyr_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            saphyr_parser::ScalarStyle::Literal => ScalarStyle::Literal,
            saphyr_parser::ScalarStyle::Folded => ScalarStyle::Folded,
        };
        let (tag, content) = if tagged || matches!(self.src.as_bytes().get(start), Some(b'&')) {
            self.properties(start, end)
        } else {
            (None, start)
        };
        let token_start = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                self.block_header(end.max(start)).unwrap_or(content)
            }
            _ => content,
        };
        let mapped = scalar::map(
            &ScalarSource {
                src: self.src,
                file: self.file,
                style,
                start: token_start,
                end,
                parent_indent: self.parent_indent(),
            },
            value,
        );
        debug_assert!(mapped.exact || cfg!(not(test)), "inexact map for {value:?}");
        Node {
            kind: NodeKind::Scalar(Arc::new(Scalar {
                text: mapped.text,
                style,
            })),
            span: FileSpan::new(self.file, mapped.span),
            tag: if tagged { tag } else { None },
        }
    }

    /// After a syntax error: keeps the completed top-level entries of the open
    /// document and closes it.
    fn abandon(&mut self, docs: &mut Vec<Document>) {
        let Some(doc_start) = self.doc_start.take() else {
            return;
        };
        let mut frames = std::mem::take(&mut self.stack).into_iter();
        let root = match frames.next() {
            Some(frame) => Some(frame.into_node(self.file, None).0),
            None => self.root.take(),
        };
        let doc_end = root
            .as_ref()
            .map_or(doc_start, |root| root.span.span.end as usize);
        docs.push(Document {
            root,
            span: FileSpan::new(self.file, Span::new(doc_start as u32, doc_end as u32)),
            complete: false,
        });
    }
}

/// The column (in bytes, which equals chars for indentation) of `offset`.
fn column_of(src: &str, offset: usize) -> usize {
    let before = src.as_bytes().get(..offset).unwrap_or_default();
    offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |newline| newline + 1)
}
