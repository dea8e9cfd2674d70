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
    /// Indexes `text`. Lines end at `\n`; a `\r` before it belongs to the line.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
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
        // A line starts after a line break: keep those whose break is unchanged.
        let kept = self
            .line_starts
            .partition_point(|&line| line as usize <= start);
        let moved = self
            .line_starts
            .partition_point(|&line| line as usize <= old_end);
        let mut line_starts = Vec::with_capacity(self.line_starts.len() + 1);
        line_starts.extend_from_slice(&self.line_starts[..kept]);
        line_starts.extend(
            new.as_bytes()[start..new_end]
                .iter()
                .enumerate()
                .filter(|(_, byte)| **byte == b'\n')
                .map(|(at, _)| (start + at) as u32 + 1),
        );
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
    /// of the line is clamped to the line's end (before its newline).
    pub fn offset_of_utf16(&self, text: &str, line: u32, column: u32) -> u32 {
        let Some(start) = self.line_start(line) else {
            return text.len() as u32;
        };
        let end = self
            .line_start(line + 1)
            .map(|next| next - 1)
            .unwrap_or(text.len() as u32);
        let mut units = 0u32;
        for (i, ch) in text[start as usize..end as usize].char_indices() {
            if units >= column {
                return start + i as u32;
            }
            units += ch.len_utf16() as u32;
        }
        end
    }
}

fn clamp_to_char_boundary(text: &str, offset: u32) -> u32 {
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset as u32
}
