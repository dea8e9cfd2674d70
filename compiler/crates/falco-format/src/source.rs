//! What the formatter reads from the text around the YAML nodes: lines, columns,
//! comments and blank lines. The node tree has no comments; they live in the gaps
//! between nodes, where YAML allows only indentation, indicators and comments.

use falco_yaml::{Node, NodeKind, ScalarStyle};

/// Why a piece of the text is kept as written instead of being laid out: something
/// the layout does not handle (anchors, tags on collections, complex keys, content
/// where only comments may be). Nothing is lost: the piece is copied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Verbatim;

/// A line between two entries that holds no YAML content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Trivia {
    /// An empty (or all-blank) line.
    Blank,
    /// A comment on a line of its own: its column and its text from `#`.
    Comment { column: usize, text: String },
    /// A document marker or directive (`---`, `...`, `%YAML`), kept at column 0.
    Marker(String),
}

/// The text being formatted, with the positions the layout asks about.
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub(crate) text: &'a str,
}

impl<'a> Source<'a> {
    /// The start of the line holding `pos`.
    pub(crate) fn line_start(self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        self.text[..pos].rfind('\n').map_or(0, |at| at + 1)
    }

    /// The end of the line holding `pos` (its `\n`, or the end of the text).
    pub(crate) fn line_end(self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |at| pos + at)
    }

    /// The start of the line after the one holding `pos` (the end of the text on the
    /// last line).
    pub(crate) fn next_line(self, pos: usize) -> usize {
        (self.line_end(pos) + 1).min(self.text.len())
    }

    /// The column of `pos`, in bytes (indentation is spaces, so bytes are columns).
    pub(crate) fn column(self, pos: usize) -> usize {
        pos.min(self.text.len()) - self.line_start(pos)
    }

    /// The text of `start..end`.
    pub(crate) fn slice(self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or_default()
    }

    /// The lines strictly between the line of `prev_end` and the line of `start`,
    /// which must be blank lines or comments (or, with `markers`, document markers).
    pub(crate) fn trivia_between(
        self,
        prev_end: usize,
        start: usize,
        markers: bool,
    ) -> Result<Vec<Trivia>, Verbatim> {
        let from = self.line_end(prev_end) + 1;
        let to = self.line_start(start);
        self.trivia_lines(from, to, markers)
    }

    /// Classifies the lines of `from..to` (line starts).
    pub(crate) fn trivia_lines(
        self,
        from: usize,
        to: usize,
        markers: bool,
    ) -> Result<Vec<Trivia>, Verbatim> {
        let mut lines = Vec::new();
        let mut at = from;
        while at < to {
            let end = self.line_end(at);
            lines.push(trivia_line(self.slice(at, end), markers)?);
            at = end + 1;
        }
        Ok(lines)
    }

    /// The comment after `end` on its line, if any; anything else there is content
    /// the layout does not expect.
    pub(crate) fn trailing_comment(self, end: usize) -> Result<Option<&'a str>, Verbatim> {
        let rest = self.slice(end, self.line_end(end));
        let comment = rest.trim_start_matches(' ');
        if comment.is_empty() {
            Ok(None)
        } else if comment.starts_with('#') && comment.len() < rest.len() {
            Ok(Some(comment.trim_end()))
        } else {
            Err(Verbatim)
        }
    }

    /// Where the `:` after a mapping key is, if only spaces come between.
    pub(crate) fn colon_after(self, key_end: usize) -> Result<usize, Verbatim> {
        let rest = self.slice(key_end, self.line_end(key_end));
        let spaces = rest.len() - rest.trim_start_matches(' ').len();
        match rest.as_bytes().get(spaces) {
            Some(b':') => Ok(key_end + spaces),
            _ => Err(Verbatim),
        }
    }

    /// Where the `-` of a sequence entry starting at `content` is: before it on the
    /// same line, with only spaces between, or on an earlier line with nothing but a
    /// line break and indentation between. An empty entry starts right after its
    /// `-` and the spaces that follow it.
    pub(crate) fn dash_before(self, content: usize, empty: bool) -> Result<usize, Verbatim> {
        let before = self.text.get(..content).ok_or(Verbatim)?;
        let trimmed = before.trim_end_matches([' ', '\n']);
        if trimmed.ends_with('-') && (empty || trimmed.len() < before.len()) {
            Ok(trimmed.len() - 1)
        } else {
            Err(Verbatim)
        }
    }

    /// Where a node's content ends: for a scalar or flow collection, the end of its
    /// text (a block scalar's span takes in the line breaks after it, and so may a
    /// flow collection's); for a block collection, the furthest end among its
    /// children (an alias is a copy of its anchor's node, spans included, so the
    /// last child need not end last). A block scalar with keep chomping (`|+`)
    /// also owns the blank lines after it: they are part of its value.
    pub(crate) fn content_end(self, node: &Node) -> usize {
        let span = node.span.span;
        let start = span.start as usize;
        let end = (span.end as usize).min(self.text.len());
        match &node.kind {
            NodeKind::Sequence(items) if !self.is_flow(node) => items
                .iter()
                .map(|item| self.content_end(item))
                .fold(start, usize::max),
            NodeKind::Mapping(pairs) if !self.is_flow(node) => pairs
                .iter()
                .map(|(key, value)| self.content_end(key).max(self.content_end(value)))
                .fold(start, usize::max),
            _ => {
                let text_end = start + self.slice(start, end).trim_end_matches([' ', '\n']).len();
                if self.keeps_trailing_lines(node) {
                    self.blank_lines_after(text_end)
                } else {
                    text_end
                }
            }
        }
    }

    /// Whether `node` is a block scalar with keep chomping.
    fn keeps_trailing_lines(self, node: &Node) -> bool {
        match &node.kind {
            NodeKind::Scalar(scalar)
                if matches!(scalar.style, ScalarStyle::Literal | ScalarStyle::Folded) =>
            {
                let start = node.span.span.start as usize;
                self.slice(start, self.line_end(start))
                    .split([' ', '#'])
                    .next()
                    .is_some_and(|indicators| indicators.contains('+'))
            }
            _ => false,
        }
    }

    /// The end of the last of the blank lines that follow the line of `end` (`end`
    /// when there are none).
    fn blank_lines_after(self, end: usize) -> usize {
        let mut last = end;
        let mut at = self.line_end(end) + 1;
        while at <= self.text.len() {
            let line_end = self.line_end(at);
            if !self.slice(at, line_end).trim_start_matches(' ').is_empty() {
                break;
            }
            last = line_end;
            if line_end >= self.text.len() {
                break;
            }
            at = line_end + 1;
        }
        last
    }

    /// Whether a collection is written in flow style (`[...]`, `{...}`): its span
    /// starts with the bracket, before its first child (a block collection's span
    /// starts where its first child does, which may be a bracket too).
    pub(crate) fn is_flow(self, node: &Node) -> bool {
        let start = node.span.span.start;
        let first_child = match &node.kind {
            NodeKind::Scalar(_) => return false,
            NodeKind::Sequence(items) => items.first(),
            NodeKind::Mapping(pairs) => pairs.first().map(|(key, _)| key),
        };
        matches!(self.text.as_bytes().get(start as usize), Some(b'[' | b'{'))
            && first_child.is_none_or(|child| child.span.span.start > start)
    }
}

fn trivia_line(line: &str, markers: bool) -> Result<Trivia, Verbatim> {
    let content = line.trim_start_matches(' ');
    if content.trim_end().is_empty() {
        return Ok(Trivia::Blank);
    }
    if content.starts_with('#') {
        return Ok(Trivia::Comment {
            column: line.len() - content.len(),
            text: content.trim_end().to_owned(),
        });
    }
    let marker = content.len() == line.len()
        && (line.starts_with('%') || is_marker(line, "---") || is_marker(line, "..."));
    if markers && marker {
        return Ok(Trivia::Marker(line.trim_end().to_owned()));
    }
    Err(Verbatim)
}

/// Whether `line` is the marker alone, or followed by a comment.
fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker).is_some_and(|rest| {
        let comment = rest.trim_start_matches(' ');
        comment.trim_end().is_empty() || (comment.starts_with('#') && comment.len() < rest.len())
    })
}
