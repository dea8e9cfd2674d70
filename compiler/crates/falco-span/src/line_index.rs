//! Byte offset ↔ line/column conversion.

/// A position shown to a person: 1-based line and 1-based column counted in
/// characters (Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// Line starts of one text, for converting byte offsets into positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    /// Indexes `text`. Lines end at `\n`, `\r\n` or a lone `\r`, the line breaks of
    /// YAML and of LSP; the break belongs to the line it ends.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(line_starts_in(text.as_bytes(), 1, text.len()));
        LineIndex { line_starts }
    }

    /// The index of `new`, given that `self` indexes the text that `edit` (see
    /// [`FileEdit::between`](crate::FileEdit::between)) turned into `new`: line
    /// starts before the first changed byte are kept, those after the last one
    /// move by the change in length, and only the changed bytes are scanned. Equal
    /// to `LineIndex::new(new)`.
    pub fn edited(&self, new: &str, edit: &crate::FileEdit) -> LineIndex {
        let (start, old_end, new_end) = (
            edit.start as usize,
            edit.old_end as usize,
            edit.new_end as usize,
        );
        let delta = new_end as i64 - old_end as i64;
        // Whether a line starts at `p` depends on the bytes at `p - 1` and `p`: keep
        // the starts whose two bytes are both before the edit, rescan those that touch
        // it, and move those whose two bytes are both after it.
        let kept = self
            .line_starts
            .partition_point(|&line| (line as usize) < start)
            .max(1);
        let moved = self
            .line_starts
            .partition_point(|&line| line as usize <= old_end);
        let mut line_starts = Vec::with_capacity(self.line_starts.len() + 1);
        line_starts.extend_from_slice(&self.line_starts[..kept]);
        line_starts.extend(line_starts_in(new.as_bytes(), start.max(1), new_end));
        line_starts.extend(
            self.line_starts[moved.max(kept)..]
                .iter()
                .map(|&line| (i64::from(line) + delta) as u32),
        );
        LineIndex { line_starts }
    }

    /// Number of lines (a text that ends with a newline has an empty last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where the 0-based `line` starts, if it exists.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.line_starts.get(line as usize).copied()
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: u32) -> u32 {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line as u32,
            Err(next) => next as u32 - 1,
        }
    }

    /// The 1-based line and character column of `offset` in `text` (the text this
    /// index was built from). Offsets past the end, or inside a multi-byte
    /// character, are clamped to the nearest valid position.
    pub fn position(&self, text: &str, offset: u32) -> Position {
        let offset = clamp_to_char_boundary(text, offset);
        let line = self.line_of(offset);
        let start = self.line_starts[line as usize] as usize;
        let column = text[start..offset as usize].chars().count() as u32;
        Position {
            line: line + 1,
            column: column + 1,
        }
    }

    /// 0-based line and UTF-16 column of `offset`, as LSP counts them.
    pub fn utf16_position(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = clamp_to_char_boundary(text, offset);
        let line = self.line_of(offset);
        let start = self.line_starts[line as usize] as usize;
        let column: usize = text[start..offset as usize]
            .chars()
            .map(char::len_utf16)
            .sum();
        (line, column as u32)
    }

    /// The byte offset of a 0-based line and UTF-16 column. A column past the end
    /// of the line is clamped to the line's end (before its line break).
    pub fn offset_of_utf16(&self, text: &str, line: u32, column: u32) -> u32 {
        let Some(start) = self.line_start(line) else {
            return text.len() as u32;
        };
        let next = self.line_start(line + 1).map(|next| next as usize);
        utf16_column_offset(text, start as usize, next, column)
    }
}

/// [`LineIndex::offset_of_utf16`] without an index: finds the line by scanning `text`
/// up to it, so a caller that converts one position of a text it is about to change
/// (an editor's edit) does not index the whole text. Both give the same offsets.
pub fn offset_of_utf16(text: &str, line: u32, column: u32) -> u32 {
    let mut start = 0;
    for _ in 0..line {
        match next_line_start(text, start) {
            Some(next) => start = next,
            None => return text.len() as u32,
        }
    }
    utf16_column_offset(text, start, next_line_start(text, start), column)
}

/// The byte offset of UTF-16 `column` in the line starting at `start` (the next line
/// starting at `next`, if any), clamped to the line's end.
fn utf16_column_offset(text: &str, start: usize, next: Option<usize>, column: u32) -> u32 {
    let end = next.map_or(text.len(), |next| content_end(text.as_bytes(), next));
    let mut units = 0u32;
    for (i, ch) in text[start..end].char_indices() {
        if units >= column {
            return (start + i) as u32;
        }
        units += ch.len_utf16() as u32;
    }
    end as u32
}

/// Whether a line starts at byte `at` of `bytes` (`at > 0`): after a `\n`, or after a
/// `\r` that no `\n` follows.
pub fn is_line_start(bytes: &[u8], at: usize) -> bool {
    match at.checked_sub(1).and_then(|before| bytes.get(before)) {
        Some(b'\n') => true,
        Some(b'\r') => bytes.get(at) != Some(&b'\n'),
        _ => false,
    }
}

/// The start of the first line that begins after byte `from` of `text` (see
/// [`LineIndex::new`] for what ends a line), if one does.
pub fn next_line_start(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let at = from + memchr::memchr2(b'\n', b'\r', bytes.get(from..)?)?;
    Some(if bytes.get(at..at + 2) == Some(b"\r\n") {
        at + 2
    } else {
        at + 1
    })
}

/// The end of a line's content, given the start of the line after it: before its
/// `\n`, `\r\n` or `\r`.
pub fn content_end(bytes: &[u8], next_line_start: usize) -> usize {
    let mut end = next_line_start.saturating_sub(1);
    if bytes.get(end) == Some(&b'\n') && end > 0 && bytes.get(end - 1) == Some(&b'\r') {
        end -= 1;
    }
    end
}

/// The line starts `p` with `from <= p <= to` (`1 <= from`, `to <= bytes.len()`).
fn line_starts_in(bytes: &[u8], from: usize, to: usize) -> impl Iterator<Item = u32> + '_ {
    let breaks = bytes.get(from - 1..to).unwrap_or_default();
    memchr::memchr2_iter(b'\n', b'\r', breaks)
        .map(move |at| from + at)
        .filter(move |&at| is_line_start(bytes, at))
        .map(|at| at as u32)
}

fn clamp_to_char_boundary(text: &str, offset: u32) -> u32 {
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset as u32
}
