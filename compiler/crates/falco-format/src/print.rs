//! The printer: writes one entry of a block collection in the canonical layout,
//! from its nodes and the text around them (comments, blank lines, the text of
//! scalars and flow collections).

use falco_yaml::{Node, NodeKind, ScalarStyle};

use crate::condition::{self, Condition};
use crate::layout::{self, INDENT};
use crate::source::{Source, Trivia, Verbatim};

/// Where a collection's entries were and where they go.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Columns {
    /// Their column in the text.
    pub(crate) old: usize,
    /// Their column in the layout.
    pub(crate) new: usize,
}

impl Columns {
    /// A column of the text inside this collection, moved with it.
    pub(crate) fn shift(self, column: usize) -> usize {
        (column + self.new).saturating_sub(self.old)
    }
}

/// A mapping pair with what surrounds it in the text.
struct Pair<'n> {
    key: &'n Node,
    value: &'n Node,
    /// The `:` after the key.
    colon: usize,
    /// The lines between the previous entry and this one.
    trivia: Vec<Trivia>,
    /// Where its content ends.
    end: usize,
}

/// A sequence entry with what surrounds it in the text.
struct Item<'n> {
    node: &'n Node,
    dash: usize,
    trivia: Vec<Trivia>,
    end: usize,
}

/// What a block scalar's header says.
struct Header<'a> {
    /// The header as written: indicators and any comment.
    text: &'a str,
    /// An explicit indentation indicator.
    explicit: bool,
}

/// Writes entries into a string.
pub(crate) struct Printer<'a> {
    src: Source<'a>,
    out: String,
    /// Whether nothing has been written to the file yet (blank lines are dropped).
    at_start: bool,
    /// Whether a blank line goes before the next line.
    blank: bool,
}

impl<'a> Printer<'a> {
    /// A printer for a piece of the file; `at_start`: the piece begins the file.
    pub(crate) fn new(src: Source<'a>, at_start: bool) -> Printer<'a> {
        Printer {
            src,
            out: String::new(),
            at_start,
            blank: false,
        }
    }

    /// What was written.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// What has been written so far.
    pub(crate) fn text(&self) -> &str {
        &self.out
    }

    /// Writes lines with no content: a run of blank lines becomes one blank line
    /// (written only when a line follows, and never at the start of the file),
    /// comments move with `columns`, markers stay at column 0.
    pub(crate) fn trivia(&mut self, lines: &[Trivia], columns: Columns) {
        for line in lines {
            match line {
                Trivia::Blank => self.blank = !self.at_start,
                Trivia::Comment { column, text } => {
                    self.indent(columns.shift(*column));
                    self.out.push_str(text);
                    self.end_line();
                }
                Trivia::Marker(text) => {
                    self.indent(0);
                    self.out.push_str(text);
                    self.end_line();
                }
            }
        }
    }

    /// Writes the lines `start..end` of the text (line starts and ends) moved with
    /// `columns`, each line's content as written: the way an entry the layout does
    /// not handle is kept.
    pub(crate) fn verbatim(&mut self, start: usize, end: usize, columns: Columns) {
        let mut at = start;
        while at < end {
            let line_end = self.src.line_end(at);
            let line = self.src.slice(at, line_end);
            let content = line.trim_start_matches(' ');
            let indent = line.len() - content.len();
            self.indent(if indent >= columns.old {
                columns.shift(indent)
            } else {
                indent
            });
            self.out.push_str(content);
            self.out.push('\n');
            at = line_end + 1;
        }
    }

    /// Writes the root sequence entry `node` at `columns.new`: rules, macros and
    /// lists get their key order and condition layout. Returns where it ends.
    pub(crate) fn root_item(&mut self, node: &Node, columns: Columns) -> Result<usize, Verbatim> {
        let item = self.item(node, self.dash(node)?)?;
        self.write_item(&item, columns, true)?;
        Ok(item.end)
    }

    /// Writes the root mapping pair at `columns.new`. Returns where it ends.
    pub(crate) fn root_pair(
        &mut self,
        key: &Node,
        value: &Node,
        columns: Columns,
    ) -> Result<usize, Verbatim> {
        let pair = self.pair(key, value, key.span.span.start as usize)?;
        self.indent(columns.new);
        self.write_pair(&pair, columns, false)?;
        Ok(pair.end)
    }

    /// Where the entry `node` of a block sequence starts: its `-`.
    pub(crate) fn dash(&self, node: &Node) -> Result<usize, Verbatim> {
        self.src
            .dash_before(node.span.span.start as usize, is_empty(node))
    }

    fn item<'n>(&self, node: &'n Node, prev_end: usize) -> Result<Item<'n>, Verbatim> {
        if node.tag.is_some() {
            return Err(Verbatim);
        }
        let dash = self.dash(node)?;
        if dash < prev_end {
            return Err(Verbatim);
        }
        Ok(Item {
            node,
            dash,
            trivia: self.src.trivia_between(prev_end, dash, false)?,
            end: self.src.content_end(node),
        })
    }

    fn pair<'n>(
        &self,
        key: &'n Node,
        value: &'n Node,
        prev_end: usize,
    ) -> Result<Pair<'n>, Verbatim> {
        let key_start = key.span.span.start as usize;
        let key_end = key.span.span.end as usize;
        let single_line = key.as_scalar().is_some()
            && key.tag.is_none()
            && !self.src.slice(key_start, key_end).contains('\n');
        if !single_line || key_start < prev_end {
            return Err(Verbatim);
        }
        let colon = self.src.colon_after(key_end)?;
        let end = if is_empty(value) {
            colon + 1
        } else {
            let tagged_block = value.tag.is_some()
                && !matches!(&value.kind, NodeKind::Scalar(scalar) if !is_block(scalar.style));
            if tagged_block || (value.span.span.start as usize) <= colon {
                return Err(Verbatim);
            }
            self.src.content_end(value)
        };
        Ok(Pair {
            key,
            value,
            colon,
            trivia: self.src.trivia_between(prev_end, key_start, false)?,
            end,
        })
    }

    fn write_item(
        &mut self,
        item: &Item<'_>,
        columns: Columns,
        root: bool,
    ) -> Result<(), Verbatim> {
        self.indent(columns.new);
        self.out.push('-');
        let node = item.node;
        if is_empty(node) {
            return self.trailing(item.end);
        }
        match &node.kind {
            NodeKind::Mapping(pairs) if !self.src.is_flow(node) => {
                self.out.push(' ');
                let pairs = self.pairs(pairs, item.dash)?;
                let first = pairs.first().ok_or(Verbatim)?;
                // The first key goes on the `-` line.
                if !first.trivia.is_empty() {
                    return Err(Verbatim);
                }
                let inner = Columns {
                    old: self.src.column(first.key.span.span.start as usize),
                    new: columns.new + INDENT,
                };
                let keys: Vec<&str> = pairs.iter().filter_map(|p| p.key.as_str()).collect();
                let order = if root { layout::key_order(&keys) } else { None };
                let conditions = root && layout::has_condition(&keys);
                self.mapping(&pairs, inner, true, order, conditions)
            }
            NodeKind::Sequence(_) if !self.src.is_flow(node) => Err(Verbatim),
            _ => {
                self.out.push(' ');
                self.value_after(node, item.dash, columns, columns.new, false)
            }
        }
    }

    fn pairs<'n>(
        &self,
        pairs: &'n [(Node, Node)],
        start: usize,
    ) -> Result<Vec<Pair<'n>>, Verbatim> {
        let mut out = Vec::with_capacity(pairs.len());
        let mut prev_end = start;
        for (key, value) in pairs {
            let pair = self.pair(key, value, prev_end)?;
            prev_end = pair.end;
            out.push(pair);
        }
        Ok(out)
    }

    fn items<'n>(&self, nodes: &'n [Node], start: usize) -> Result<Vec<Item<'n>>, Verbatim> {
        let mut out = Vec::with_capacity(nodes.len());
        let mut prev_end = start;
        for node in nodes {
            let item = self.item(node, prev_end)?;
            prev_end = item.end;
            out.push(item);
        }
        Ok(out)
    }

    /// Writes a block mapping's pairs at `columns.new`, the first one on the current
    /// line when `inline_first`; in `order` when given and the keys are unique.
    fn mapping(
        &mut self,
        pairs: &[Pair<'_>],
        columns: Columns,
        inline_first: bool,
        order: Option<&[&str]>,
        conditions: bool,
    ) -> Result<(), Verbatim> {
        let mut sequence: Vec<&Pair<'_>> = pairs.iter().collect();
        if let Some(order) = order
            && unique_keys(pairs)
        {
            let rank = |pair: &Pair<'_>| {
                pair.key
                    .as_str()
                    .and_then(|key| order.iter().position(|known| *known == key))
                    .unwrap_or(order.len())
            };
            sequence.sort_by_key(|pair| rank(pair));
            // A pair written on the `-` line cannot keep comments above it.
            if inline_first
                && sequence
                    .first()
                    .is_some_and(|first| !first.trivia.is_empty())
            {
                sequence = pairs.iter().collect();
            }
        }
        for (index, pair) in sequence.into_iter().enumerate() {
            if index > 0 || !inline_first {
                self.trivia(&pair.trivia, columns);
                self.indent(columns.new);
            }
            let condition = conditions && pair.key.as_str() == Some("condition");
            self.write_pair(pair, columns, condition)?;
        }
        Ok(())
    }

    /// Writes `key:` and its value; the line's indentation is written.
    fn write_pair(
        &mut self,
        pair: &Pair<'_>,
        columns: Columns,
        condition: bool,
    ) -> Result<(), Verbatim> {
        let key = pair.key.span.span;
        self.out
            .push_str(self.src.slice(key.start as usize, key.end as usize));
        self.out.push(':');
        let value = pair.value;
        if is_empty(value) {
            self.trailing(pair.colon + 1)?;
            return Ok(());
        }
        let start = value.span.span.start as usize;
        let between = self.src.slice(pair.colon + 1, start);
        match &value.kind {
            NodeKind::Mapping(pairs) if !self.src.is_flow(value) => {
                self.trailing(pair.colon + 1)?;
                let pairs = self.pairs(pairs, pair.colon + 1)?;
                let first = pairs.first().ok_or(Verbatim)?;
                let inner = Columns {
                    old: self.src.column(first.key.span.span.start as usize),
                    new: columns.new + INDENT,
                };
                self.mapping(&pairs, inner, false, None, false)
            }
            NodeKind::Sequence(nodes) if !self.src.is_flow(value) => {
                self.trailing(pair.colon + 1)?;
                let items = self.items(nodes, pair.colon + 1)?;
                let first = items.first().ok_or(Verbatim)?;
                let inner = Columns {
                    old: self.src.column(first.dash),
                    new: columns.new + INDENT,
                };
                for item in &items {
                    self.trivia(&item.trivia, inner);
                    self.write_item(item, inner, false)?;
                }
                Ok(())
            }
            _ => {
                // A scalar or flow collection follows on the key's line, after its
                // tag if it has one.
                let tag = between
                    .trim_start_matches([' ', '\n'])
                    .trim_end_matches(' ');
                if tag != value.tag.as_deref().unwrap_or_default() {
                    return Err(Verbatim);
                }
                self.out.push(' ');
                if !tag.is_empty() {
                    self.out.push_str(tag);
                    self.out.push(' ');
                }
                self.value_after(value, pair.colon, columns, columns.new, condition)
            }
        }
    }

    /// Writes a scalar or flow collection after `key: ` or `- `: `owner` is the
    /// column of that key or `-` in the layout.
    fn value_after(
        &mut self,
        node: &Node,
        before: usize,
        columns: Columns,
        owner: usize,
        condition: bool,
    ) -> Result<(), Verbatim> {
        let start = node.span.span.start as usize;
        let end = self.src.content_end(node);
        if start < before {
            return Err(Verbatim);
        }
        if let NodeKind::Scalar(scalar) = &node.kind
            && is_block(scalar.style)
        {
            return self.block_scalar(node, columns, owner, condition);
        }
        let value_column = self.column();
        if condition
            && let Some(Condition::Plain(lines)) =
                condition::layout(node, "", value_column, owner + INDENT)
        {
            for (index, line) in lines.iter().enumerate() {
                if index > 0 {
                    self.out.push('\n');
                }
                self.out.push_str(line);
            }
            return self.trailing(end);
        }
        let text = self.src.slice(start, end);
        for (index, line) in text.split('\n').enumerate() {
            if index == 0 {
                self.out.push_str(line.trim_end());
                continue;
            }
            self.out.push('\n');
            let content = line.trim_start_matches(' ');
            if content.trim_end().is_empty() {
                continue;
            }
            if content.starts_with('\t') {
                return Err(Verbatim);
            }
            let shifted = columns.shift(line.len() - content.len());
            self.indent(if shifted > owner {
                shifted
            } else {
                owner + INDENT
            });
            self.out.push_str(content.trim_end());
        }
        self.trailing(end)
    }

    /// Writes a `|`/`>` block: its header as written, then its lines at `owner` plus
    /// [`INDENT`] (or moved with `columns` when the header fixes the indentation),
    /// each keeping its indentation relative to the others.
    fn block_scalar(
        &mut self,
        node: &Node,
        columns: Columns,
        owner: usize,
        condition: bool,
    ) -> Result<(), Verbatim> {
        let start = node.span.span.start as usize;
        let header = self.header(start)?;
        let base = owner + INDENT;
        if condition
            && let Some(Condition::Folded { header, lines }) =
                condition::layout(node, header.text, self.column(), base)
        {
            self.out.push_str(&header);
            for line in lines {
                self.out.push('\n');
                self.indent(base);
                self.out.push_str(&line);
            }
            self.out.push('\n');
            return Ok(());
        }
        self.out.push_str(header.text);
        let first = self.src.next_line(start);
        let last = self.src.line_end(self.src.content_end(node));
        let lines: Vec<&str> = if first <= last {
            self.src.slice(first, last).split('\n').collect()
        } else {
            Vec::new()
        };
        let old_base = lines
            .iter()
            .find(|line| !line.trim_start_matches(' ').is_empty())
            .map_or(0, |line| line.len() - line.trim_start_matches(' ').len());
        let new_base = if header.explicit {
            columns.shift(old_base)
        } else {
            base
        };
        for line in lines {
            self.out.push('\n');
            let content = line.trim_start_matches(' ');
            let indent = line.len() - content.len();
            if content.starts_with('\t') {
                return Err(Verbatim);
            }
            if content.is_empty() && indent <= old_base {
                continue;
            }
            if indent < old_base {
                return Err(Verbatim);
            }
            self.indent(new_base + indent - old_base);
            self.out.push_str(content);
        }
        self.out.push('\n');
        Ok(())
    }

    /// Reads a block scalar's header at `start`. Keep chomping (`+`) is kept as
    /// written: its trailing blank lines are part of the value.
    fn header(&self, start: usize) -> Result<Header<'a>, Verbatim> {
        let text = self.src.slice(start, self.src.line_end(start)).trim_end();
        let indicators = text.split([' ', '#']).next().unwrap_or_default();
        if indicators.contains('+') {
            return Err(Verbatim);
        }
        Ok(Header {
            text,
            explicit: indicators.bytes().any(|b| b.is_ascii_digit()),
        })
    }

    /// Ends the current line, with the comment that follows `end` in the text.
    fn trailing(&mut self, end: usize) -> Result<(), Verbatim> {
        if let Some(comment) = self.src.trailing_comment(end)? {
            let rest = self.src.slice(end, self.src.line_end(end));
            let gap = rest.len() - rest.trim_start_matches(' ').len();
            self.out.push_str(&" ".repeat(gap));
            self.out.push_str(comment);
        }
        self.end_line();
        Ok(())
    }

    fn end_line(&mut self) {
        let trimmed = self.out.trim_end_matches(' ').len();
        self.out.truncate(trimmed);
        self.out.push('\n');
    }

    /// Starts a line: the blank line before it if one is due, then `width` spaces.
    fn indent(&mut self, width: usize) {
        if self.blank {
            self.out.push('\n');
            self.blank = false;
        }
        self.at_start = false;
        self.out.extend(std::iter::repeat_n(' ', width));
    }

    /// The column the next character is written at.
    fn column(&self) -> usize {
        let line = self.out.rfind('\n').map_or(0, |at| at + 1);
        self.out[line..].chars().count()
    }
}

/// Whether a scalar style is a block (`|`, `>`).
fn is_block(style: ScalarStyle) -> bool {
    matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
}

/// Whether a node is an empty value (`key:` with nothing after it).
pub(crate) fn is_empty(node: &Node) -> bool {
    node.tag.is_none()
        && matches!(&node.kind, NodeKind::Scalar(scalar)
            if scalar.style == ScalarStyle::Plain && scalar.as_str().is_empty())
}

fn unique_keys(pairs: &[Pair<'_>]) -> bool {
    pairs.iter().enumerate().all(|(index, pair)| {
        pairs[..index]
            .iter()
            .all(|other| other.key.as_str() != pair.key.as_str())
    })
}
