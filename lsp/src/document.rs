//! An open document: its text, version and incremental edits in UTF-16.

use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::convert::offset_in_text;

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
                    let start = offset_in_text(&self.text, range.start);
                    let end = offset_in_text(&self.text, range.end);
                    self.text
                        .replace_range(start.min(end)..start.max(end), &change.text);
                }
            }
        }
        self.version = version;
    }
}
