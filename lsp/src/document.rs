//! An open document: its text, version and incremental edits in UTF-16.

use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

/// A document the client has open.
#[derive(Clone, Debug)]
pub struct Document {
    /// Its URI as the client sent it (diagnostics are published under it).
    pub uri: Uri,
    /// The client's version number.
    pub version: i32,
    /// The current text.
    pub text: String,
}

impl Document {
    /// Applies the changes of one `didChange`, in order. A change with a range
    /// replaces that range (UTF-16 positions, clamped to the text); one without
    /// replaces the whole text.
    pub fn apply(&mut self, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let start =
                        offset_of_utf16(&self.text, range.start.line, range.start.character);
                    let end = offset_of_utf16(&self.text, range.end.line, range.end.character);
                    self.text
                        .replace_range(start.min(end)..start.max(end), &change.text);
                }
            }
        }
        self.version = version;
    }
}

/// The byte offset of a 0-based line and UTF-16 column of `text`, as
/// `falco_span::LineIndex::offset_of_utf16` gives it (a line past the end is the
/// end of the text, a column past the end of its line is the line's end), found
/// by scanning only up to that line: an edit does not index the whole document.
fn offset_of_utf16(text: &str, line: u32, column: u32) -> usize {
    let mut start = 0;
    for _ in 0..line {
        match falco_span::next_line_start(text, start) {
            Some(next) => start = next,
            None => return text.len(),
        }
    }
    let end = falco_span::next_line_start(text, start).map_or(text.len(), |next| {
        falco_span::content_end(text.as_bytes(), next)
    });
    let mut units = 0;
    for (at, ch) in text[start..end].char_indices() {
        if units >= column {
            return start + at;
        }
        units += ch.len_utf16() as u32;
    }
    end
}

#[cfg(test)]
mod tests {
    use falco_span::LineIndex;
    use proptest::prelude::*;

    use super::offset_of_utf16;

    proptest! {
        /// The scan gives the offsets the whole-text index gives.
        #[test]
        fn offsets_equal_the_line_index(
            text in "([a-z\\n\\r]|é|😀){0,40}",
            line in 0u32..12,
            column in 0u32..12,
        ) {
            let index = LineIndex::new(&text);
            prop_assert_eq!(
                offset_of_utf16(&text, line, column),
                index.offset_of_utf16(&text, line, column) as usize
            );
        }
    }
}
