//! Converts the parser's character indexes to byte offsets.

/// Char index → byte offset for one text.
pub(crate) struct CharIndex {
    /// Byte offset of each char, plus the text length at the end; empty for ASCII text,
    /// where both are the same.
    offsets: Vec<u32>,
    len: usize,
}

impl CharIndex {
    /// Indexes `text`.
    pub(crate) fn new(text: &str) -> CharIndex {
        let offsets = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(offset, _)| offset as u32)
                .chain(std::iter::once(text.len() as u32))
                .collect()
        };
        CharIndex {
            offsets,
            len: text.len(),
        }
    }

    /// The byte offset of char `index` (clamped to the text).
    pub(crate) fn byte(&self, index: usize) -> usize {
        if self.offsets.is_empty() {
            index.min(self.len)
        } else {
            self.offsets
                .get(index)
                .map_or(self.len, |&offset| offset as usize)
        }
    }
}
