//! What an edit changed in a text: the bytes between the unchanged start and end.

use crate::{FileId, FileSpan};

/// Bytes compared at once before the byte-wise tail (a slice comparison is a
/// `memcmp`).
const CHUNK: usize = 64;

/// The lengths of the longest common start and end of `old` and `new`, with the
/// end no longer than what the start leaves of the shorter one: the edit replaced
/// `old[start..old.len() - end]` by `new[start..new.len() - end]`.
pub fn common_ends(old: &[u8], new: &[u8]) -> (usize, usize) {
    let start = common_prefix(old, new);
    let end = common_suffix(&old[start..], &new[start..]);
    (start, end)
}

/// The length of the common start of `a` and `b`.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + CHUNK <= len && a[at..at + CHUNK] == b[at..at + CHUNK] {
        at += CHUNK;
    }
    at + a[at..len]
        .iter()
        .zip(&b[at..len])
        .take_while(|(x, y)| x == y)
        .count()
}

/// The length of the common end of `a` and `b`.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let (a, b) = (&a[a.len() - len..], &b[b.len() - len..]);
    let mut matched = 0;
    while matched + CHUNK <= len
        && a[len - matched - CHUNK..len - matched] == b[len - matched - CHUNK..len - matched]
    {
        matched += CHUNK;
    }
    matched
        + a[..len - matched]
            .iter()
            .rev()
            .zip(b[..len - matched].iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}

/// One edit of one file, as positions: `old[start..old_end]` became
/// `new[start..new_end]`; everything before `start` stayed in place and
/// everything from `old_end` on moved to `new_end` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileEdit {
    /// The edited file.
    pub file: FileId,
    /// The first changed byte (the same in both texts).
    pub start: u32,
    /// The end of the changed bytes in the old text.
    pub old_end: u32,
    /// The end of the changed bytes in the new text.
    pub new_end: u32,
}

impl FileEdit {
    /// The edit that turns `old` into `new` (file `file`), from their common ends.
    pub fn between(file: FileId, old: &str, new: &str) -> FileEdit {
        let (start, end) = common_ends(old.as_bytes(), new.as_bytes());
        FileEdit {
            file,
            start: start as u32,
            old_end: (old.len() - end) as u32,
            new_end: (new.len() - end) as u32,
        }
    }

    /// Where `span` of the old text is in the new one: unchanged if it is in
    /// another file or ends before the changed bytes, moved if it starts after
    /// them, `None` if it touches them (its bytes, or what they stand for, may
    /// have changed).
    pub fn map(&self, span: FileSpan) -> Option<FileSpan> {
        if span.file != self.file || span.span.end < self.start {
            Some(span)
        } else if span.span.start > self.old_end {
            let delta = i64::from(self.new_end) - i64::from(self.old_end);
            Some(FileSpan::new(span.file, span.span.moved(delta)))
        } else {
            None
        }
    }
}
