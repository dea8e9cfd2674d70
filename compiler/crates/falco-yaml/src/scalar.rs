//! Rebuilds a scalar's value from its source text, mapping every byte to the file.
//!
//! The parser gives the value and the scalar's bounds; this module re-reads the
//! source between those bounds and produces the same value as a [`MappedText`].
//! When the rebuilt value differs from the parser's (a case this module does not
//! know), the parser's value is used with every byte mapped to the whole scalar,
//! so the map is coarse but never wrong.

use crate::ScalarStyle;
use falco_span::{FileId, FileSpan, MappedText, Span};

/// Where a scalar lies in the source, as the builder found it.
pub(crate) struct ScalarSource<'a> {
    /// The file text (possibly with an earlier part blanked out, same offsets).
    pub src: &'a str,
    /// The file.
    pub file: FileId,
    /// The style.
    pub style: ScalarStyle,
    /// First byte of the scalar token (after any tag and anchor; the opening quote
    /// for quoted scalars; the `|`/`>` for block scalars).
    pub start: usize,
    /// One past the last byte of the token as the parser reports it.
    pub end: usize,
    /// Indentation of the enclosing block collection (-1 at top level).
    pub parent_indent: isize,
}

/// The mapped value and the node span.
pub(crate) struct Mapped {
    /// The value.
    pub text: MappedText,
    /// The scalar's span in the file.
    pub span: Span,
    /// False when the rebuilt value did not match and the coarse fallback was used.
    pub exact: bool,
}

/// Maps `expected` (the parser's value) back to the file.
pub(crate) fn map(source: &ScalarSource<'_>, expected: &str) -> Mapped {
    // An empty plain scalar (a missing value) has no text to map; the parser's span
    // for it may cover the next indicator.
    if expected.is_empty() && source.style == ScalarStyle::Plain {
        return Mapped {
            text: MappedText::new(),
            span: Span::empty(source.start as u32),
            exact: true,
        };
    }
    // Fast path: a one-line scalar whose value is its source text.
    let inner = match source.style {
        ScalarStyle::Plain => Some((source.start, source.end)),
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            Some((source.start + 1, source.end.saturating_sub(1)))
        }
        ScalarStyle::Literal | ScalarStyle::Folded => None,
    };
    if let Some((start, end)) = inner
        && source.src.get(start..end) == Some(expected)
    {
        let quote = source.style.is_quoted();
        return Mapped {
            text: MappedText::verbatim(expected, source.file, start as u32),
            span: Span::new(source.start as u32, (end + usize::from(quote)) as u32),
            exact: true,
        };
    }
    let mut builder = Builder::new(source.file);
    let span = match source.style {
        ScalarStyle::Plain => plain(source, &mut builder),
        ScalarStyle::SingleQuoted => quoted(source, &mut builder, false),
        ScalarStyle::DoubleQuoted => quoted(source, &mut builder, true),
        ScalarStyle::Literal | ScalarStyle::Folded => block(source, &mut builder),
    };
    let span = span.unwrap_or_else(|| Span::new(source.start as u32, source.end as u32));
    // A block scalar's final line breaks belong to it too.
    let span = Span::new(span.start, span.end.max(builder.max_end as u32));
    if builder.out.text == expected {
        return Mapped {
            text: builder.out,
            span,
            exact: true,
        };
    }
    let mut text = MappedText::new();
    text.push_collapsed(expected, FileSpan::new(source.file, span));
    Mapped {
        text,
        span,
        exact: false,
    }
}

/// Maps a scalar given by its file bounds, for callers outside the builder (tests,
/// tools). Returns the value and whether the fine-grained map was used.
pub fn map_scalar(
    src: &str,
    file: FileId,
    style: ScalarStyle,
    start: usize,
    end: usize,
    parent_indent: isize,
    expected: &str,
) -> (MappedText, bool) {
    let mapped = map(
        &ScalarSource {
            src,
            file,
            style,
            start,
            end,
            parent_indent,
        },
        expected,
    );
    (mapped.text, mapped.exact)
}

struct Builder {
    file: FileId,
    out: MappedText,
    /// One past the last file byte mapped so far.
    max_end: usize,
}

impl Builder {
    fn new(file: FileId) -> Builder {
        Builder {
            file,
            out: MappedText::new(),
            max_end: 0,
        }
    }

    fn linear(&mut self, src: &str, start: usize, end: usize) {
        if let Some(piece) = src.get(start..end) {
            self.out.push_linear(piece, self.file, start as u32);
            if !piece.is_empty() {
                self.max_end = self.max_end.max(end);
            }
        }
    }

    fn collapsed(&mut self, text: &str, start: usize, end: usize) {
        if !text.is_empty() {
            self.max_end = self.max_end.max(end);
        }
        self.out.push_collapsed(
            text,
            FileSpan::new(self.file, Span::new(start as u32, end as u32)),
        );
    }

    /// A `\n` standing for the line break at `at`: linear when the file has `\n` there.
    fn newline(&mut self, src: &str, at: usize) {
        let bytes = src.as_bytes();
        match bytes.get(at) {
            Some(b'\n') => self.linear(src, at, at + 1),
            Some(b'\r') if bytes.get(at + 1) == Some(&b'\n') => self.collapsed("\n", at, at + 2),
            _ => self.collapsed("\n", at, at),
        }
    }
}

fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// Length of the line break at `at` (0 when there is none).
fn break_len(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at) {
        Some(b'\n') => 1,
        Some(b'\r') if bytes.get(at + 1) == Some(&b'\n') => 2,
        Some(b'\r') => 1,
        _ => 0,
    }
}

/// Plain scalars: lines trimmed, single breaks folded to a space, `k` empty lines
/// giving `k` newlines.
fn plain(source: &ScalarSource<'_>, out: &mut Builder) -> Option<Span> {
    let src = source.src;
    let bytes = src.as_bytes();
    let end = source.end.min(bytes.len());
    let mut pos = source.start;
    let mut first = true;
    while pos < end {
        // Content of this line.
        let mut line_end = pos;
        while line_end < end && break_len(bytes, line_end) == 0 {
            line_end += 1;
        }
        let mut content_start = pos;
        if !first {
            while content_start < line_end && is_blank(bytes[content_start]) {
                content_start += 1;
            }
        }
        let mut content_end = line_end;
        while content_end > content_start && is_blank(bytes[content_end - 1]) {
            content_end -= 1;
        }
        out.linear(src, content_start, content_end);
        first = false;
        if line_end >= end {
            break;
        }
        // Fold the break(s) that follow.
        let fold_start = content_end;
        let mut next = line_end + break_len(bytes, line_end);
        let mut empty_breaks = Vec::new();
        loop {
            let mut probe = next;
            while probe < end && is_blank(bytes[probe]) {
                probe += 1;
            }
            let len = break_len(bytes, probe);
            if probe < end && len > 0 {
                empty_breaks.push(probe);
                next = probe + len;
            } else {
                break;
            }
        }
        if empty_breaks.is_empty() {
            let mut content = next;
            while content < end && is_blank(bytes[content]) {
                content += 1;
            }
            out.collapsed(" ", fold_start, content);
        } else {
            for at in empty_breaks {
                out.newline(src, at);
            }
        }
        pos = next;
    }
    Some(Span::new(source.start as u32, end as u32))
}

/// Decodes the escape after a backslash at `at`; returns the value and the escape's
/// length (backslash included).
fn escape(src: &str, at: usize) -> Option<(String, usize)> {
    let bytes = src.as_bytes();
    let code = *bytes.get(at + 1)?;
    let simple = match code {
        b'0' => Some('\0'),
        b'a' => Some('\u{7}'),
        b'b' => Some('\u{8}'),
        b't' | b'\t' => Some('\t'),
        b'n' => Some('\n'),
        b'v' => Some('\u{b}'),
        b'f' => Some('\u{c}'),
        b'r' => Some('\r'),
        b'e' => Some('\u{1b}'),
        b' ' => Some(' '),
        b'"' => Some('"'),
        b'/' => Some('/'),
        b'\'' => Some('\''),
        b'\\' => Some('\\'),
        b'N' => Some('\u{85}'),
        b'_' => Some('\u{a0}'),
        _ => None,
    };
    if let Some(value) = simple {
        return Some((value.to_string(), 2));
    }
    if code == b'L' || code == b'P' {
        // Two-byte escape letter, three-byte UTF-8 value.
        let value = if code == b'L' { '\u{2028}' } else { '\u{2029}' };
        return Some((value.to_string(), 2));
    }
    let digits = match code {
        b'x' => 2,
        b'u' => 4,
        b'U' => 8,
        _ => return None,
    };
    let hex = src.get(at + 2..at + 2 + digits)?;
    let value = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)?;
    Some((value.to_string(), 2 + digits))
}

/// Single- and double-quoted scalars.
fn quoted(source: &ScalarSource<'_>, out: &mut Builder, double: bool) -> Option<Span> {
    let src = source.src;
    let bytes = src.as_bytes();
    let quote = if double { b'"' } else { b'\'' };
    if bytes.get(source.start) != Some(&quote) {
        return None;
    }
    let mut pos = source.start + 1;
    // Start of the blanks just read, which are dropped if a line break follows.
    let mut pending: Option<usize> = None;
    // Start of the verbatim text not yet pushed.
    let mut run_start = pos;
    loop {
        let byte = *bytes.get(pos)?;
        if is_blank(byte) {
            pending.get_or_insert(pos);
            pos += 1;
            continue;
        }
        let len = break_len(bytes, pos);
        if len > 0 {
            let fold_start = pending.take().unwrap_or(pos);
            out.linear(src, run_start, fold_start);
            pos = fold_breaks(src, out, pos + len, Some(fold_start));
            run_start = pos;
            continue;
        }
        pending = None;
        if byte != quote && !(double && byte == b'\\') {
            pos += 1;
            continue;
        }
        out.linear(src, run_start, pos);
        if byte == quote {
            if !double && bytes.get(pos + 1) == Some(&b'\'') {
                out.collapsed("'", pos, pos + 2);
                pos += 2;
                run_start = pos;
                continue;
            }
            return Some(Span::new(source.start as u32, (pos + 1) as u32));
        }
        let after = pos + 1;
        let len = break_len(bytes, after);
        if len > 0 {
            // Escaped line break: no folding; empty lines still give newlines.
            pos = fold_breaks(src, out, after + len, None);
        } else {
            let (value, len) = escape(src, pos)?;
            out.collapsed(&value, pos, pos + len);
            pos += len;
        }
        run_start = pos;
    }
}

/// Skips the blank lines and the indentation after a line break ending at `next`.
/// With `fold_from`, a lone break becomes a space mapped from `fold_from` to the
/// next content; each empty line gives a newline either way. Returns the position
/// of the next content byte.
fn fold_breaks(src: &str, out: &mut Builder, mut next: usize, fold_from: Option<usize>) -> usize {
    let bytes = src.as_bytes();
    let mut empty = 0;
    loop {
        let mut probe = next;
        while probe < bytes.len() && is_blank(bytes[probe]) {
            probe += 1;
        }
        let len = break_len(bytes, probe);
        if len > 0 {
            out.newline(src, probe);
            empty += 1;
            next = probe + len;
        } else {
            if let Some(from) = fold_from.filter(|_| empty == 0) {
                out.collapsed(" ", from, probe);
            }
            return probe;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomping {
    Strip,
    Clip,
    Keep,
}

/// One line of a block scalar.
struct Line {
    /// Content bytes (after the indentation); empty for an empty line.
    content: (usize, usize),
    /// Whether it has content.
    text: bool,
    /// Where its line break starts (`None` at end of input).
    brk: Option<usize>,
}

/// Literal and folded block scalars.
fn block(source: &ScalarSource<'_>, out: &mut Builder) -> Option<Span> {
    let src = source.src;
    let bytes = src.as_bytes();
    let header = source.start;
    let literal = match bytes.get(header) {
        Some(b'|') => true,
        Some(b'>') => false,
        _ => return None,
    };
    let mut chomping = Chomping::Clip;
    let mut increment = 0usize;
    let mut pos = header + 1;
    while let Some(&byte) = bytes.get(pos) {
        match byte {
            b'-' => chomping = Chomping::Strip,
            b'+' => chomping = Chomping::Keep,
            b'1'..=b'9' => increment = usize::from(byte - b'0'),
            _ => break,
        }
        pos += 1;
    }
    // Rest of the header line (blanks, comment).
    while pos < bytes.len() && break_len(bytes, pos) == 0 {
        pos += 1;
    }
    pos += break_len(bytes, pos);
    let body = pos;

    let parent = source.parent_indent;
    let indent = if increment > 0 {
        if parent >= 0 {
            parent as usize + increment
        } else {
            increment
        }
    } else {
        let mut max_indent = 0;
        let mut probe = body;
        loop {
            let line_start = probe;
            while bytes.get(probe) == Some(&b' ') {
                probe += 1;
            }
            max_indent = max_indent.max(probe - line_start);
            let len = break_len(bytes, probe);
            if len == 0 {
                break;
            }
            probe += len;
        }
        let mut indent = max_indent.max((parent + 1).max(0) as usize);
        if parent > 0 {
            indent = indent.max(1);
        }
        indent
    };

    let mut lines: Vec<Line> = Vec::new();
    pos = body;
    while pos < bytes.len() {
        let mut spaces = 0;
        while spaces < indent && bytes.get(pos + spaces) == Some(&b' ') {
            spaces += 1;
        }
        let content_start = pos + spaces;
        let mut line_end = content_start;
        while line_end < bytes.len() && break_len(bytes, line_end) == 0 {
            line_end += 1;
        }
        let has_content = line_end > content_start;
        if has_content && spaces < indent {
            break;
        }
        if has_content && indent == 0 && pos == content_start {
            let rest = &src[content_start..];
            let marker = rest.starts_with("---") || rest.starts_with("...");
            let after = rest.as_bytes().get(3).copied();
            if marker && after.is_none_or(|b| is_blank(b) || b == b'\n' || b == b'\r') {
                break;
            }
        }
        let brk = (line_end < bytes.len()).then_some(line_end);
        lines.push(Line {
            content: (content_start, line_end),
            text: has_content,
            brk,
        });
        match brk {
            Some(at) => pos = at + break_len(bytes, at),
            None => break,
        }
    }

    let last_text = lines.iter().rposition(|line| line.text);
    let mut span_end = header + 1;
    match last_text {
        None => {
            if chomping == Chomping::Keep {
                for line in &lines {
                    if let Some(at) = line.brk {
                        out.newline(src, at);
                    }
                }
            }
        }
        Some(last) => {
            span_end = lines[last].content.1;
            let mut previous: Option<&Line> = None;
            let mut empties: Vec<usize> = Vec::new();
            for line in &lines[..=last] {
                if !line.text {
                    if let Some(at) = line.brk {
                        empties.push(at);
                    }
                    continue;
                }
                let starts_blank =
                    |line: &Line| bytes.get(line.content.0).copied().is_some_and(is_blank);
                match previous {
                    None => {
                        for &at in &empties {
                            out.newline(src, at);
                        }
                    }
                    Some(prev) => {
                        let prev_break = prev.brk.unwrap_or(prev.content.1);
                        if !literal && !starts_blank(prev) && !starts_blank(line) {
                            if empties.is_empty() {
                                out.collapsed(" ", prev_break, line.content.0);
                            }
                        } else {
                            out.newline(src, prev_break);
                        }
                        for &at in &empties {
                            out.newline(src, at);
                        }
                    }
                }
                empties.clear();
                out.linear(src, line.content.0, line.content.1);
                previous = Some(line);
            }
            if chomping != Chomping::Strip {
                let line = &lines[last];
                match line.brk {
                    Some(at) => out.newline(src, at),
                    None => out.collapsed("\n", line.content.1, line.content.1),
                }
            }
            if chomping == Chomping::Keep {
                for line in &lines[last + 1..] {
                    if let Some(at) = line.brk {
                        out.newline(src, at);
                    }
                }
            }
        }
    }
    Some(Span::new(header as u32, span_end as u32))
}
