//! Spans and positions.
//!
//! Every stage of the front end speaks in **byte spans**: half-open byte ranges into
//! one file's text ([`Span`], [`FileSpan`]). Conversion to something a person reads
//! (1-based line and character column) or to what LSP wants (UTF-16 columns) happens
//! only at the edges, through [`LineIndex`].
//!
//! Condition and output strings are parsed on their own text, not on the file. A
//! [`TextMap`] ties offsets in such a text back to file offsets; it handles block
//! scalars (indentation removed, lines folded), escapes in quoted scalars, list
//! substitution and appended conditions that come from several items or files.

mod edit;
mod line_index;
mod text_map;

pub use edit::{FileEdit, common_ends};
pub use line_index::{
    LineIndex, Position, content_end, is_line_start, next_line_start, offset_of_utf16,
};
pub use text_map::{MappedText, TextMap};

use std::fmt;

/// Identifies one source file in a load (its index in load order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A half-open byte range `[start, end)` into some text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// Builds a span; `end` is clamped so that it is never before `start`.
    pub fn new(start: u32, end: u32) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// An empty span at `offset`.
    pub fn empty(offset: u32) -> Span {
        Span::new(offset, offset)
    }

    /// Number of bytes covered.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// Whether the span covers no byte.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Moves the span right by `delta` bytes.
    pub fn shift(self, delta: u32) -> Span {
        Span::new(self.start + delta, self.end + delta)
    }

    /// Moves the span by `delta` bytes, either way (an edit before it changed the
    /// file's length); offsets stop at 0 and `u32::MAX` rather than wrap.
    pub fn moved(self, delta: i64) -> Span {
        let at = |offset: u32| (i64::from(offset) + delta).clamp(0, i64::from(u32::MAX)) as u32;
        Span::new(at(self.start), at(self.end))
    }

    /// Whether `offset` lies inside the span (an empty span contains its start).
    pub fn contains(self, offset: u32) -> bool {
        (self.start <= offset && offset < self.end) || (self.is_empty() && offset == self.start)
    }

    /// The range as `usize` for slicing.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(range: std::ops::Range<usize>) -> Span {
        Span::new(range.start as u32, range.end as u32)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A span in a given file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileSpan {
    /// The file.
    pub file: FileId,
    /// Byte range in that file's text.
    pub span: Span,
}

impl FileSpan {
    /// Builds a file span.
    pub fn new(file: FileId, span: Span) -> FileSpan {
        FileSpan { file, span }
    }
}

#[cfg(test)]
mod tests;
