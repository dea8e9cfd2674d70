//! Reloading an edited file by reading again only the top-level entry the edit is
//! in.
//!
//! A load through [`load_indexed`] also returns a [`LoadIndex`]: where each
//! top-level entry (`- ` at column 0) starts, what it added to the
//! [`LoadedFile`], and which text the YAML reader read (the file as written, or
//! the same-length rewrite with flow collection lines joined). [`reload`] finds
//! the bytes an edit changed (common prefix and suffix of the two texts), and when
//! they lie inside one entry whose boundaries still hold, it parses only that
//! entry's new text, reads its item, moves everything behind it by the change in
//! length, and splices the result in. The outcome equals
//! [`load_file`](crate::load_file) of the new text (a property test checks it).
//!
//! When that is not clearly so, it loads the whole file instead. A piecewise
//! reload needs all of:
//! - the old text had no syntax error, one document, and an entry at every line
//!   that starts at column 0 with anything but a space, a comment or a line break;
//! - the change lies after the entry's `- ` and before the next entry, and adds no
//!   line that could start a new one;
//! - neither the old nor the new entry holds a `&` or `*` that could be an anchor or
//!   alias (an alias reaches across entries);
//! - the YAML reader's rewrite of flow collections (see
//!   [`falco_yaml::JoinedPiece`]) ends closed in every entry, so that it is made of
//!   the entries' own rewrites, and the new text is read the same way as the old
//!   (both as written, or both joined);
//! - the entry's new text parses alone without a syntax error, as one entry.

use crate::LoadedFile;
use crate::reader::{EntryOutput, load_documents, read_entry};
use crate::shift::Shift;
use falco_span::FileId;

/// What a load remembers so that the next edit can be reloaded piecewise.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadIndex {
    /// `None` when the file must be loaded whole after any edit.
    plan: Option<Plan>,
}

/// The entries of a file that can be reloaded piecewise.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Plan {
    /// The joined text the YAML reader read, when it did not read the file as
    /// written.
    joined: Option<String>,
    /// What the rewrite of flow collections finds before the first entry.
    header: Flags,
    /// One per top-level entry, in order.
    entries: Vec<Entry>,
}

/// One top-level entry: where its first line starts, what it added, and what the
/// rewrite of flow collections finds in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    /// Start of the entry's `- ` line; the entry runs up to the next one.
    line: u32,
    items: u32,
    diagnostics: u32,
    broken: u32,
    flags: Flags,
}

/// The flags of a [`falco_yaml::JoinedPiece`] that decide the reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Flags {
    changed: bool,
    needed: bool,
    closes_at_line_start: bool,
}

impl Flags {
    fn of(piece: &falco_yaml::JoinedPiece) -> Flags {
        Flags {
            changed: piece.changed,
            needed: piece.needed,
            closes_at_line_start: piece.closes_at_line_start,
        }
    }

    fn or(self, other: Flags) -> Flags {
        Flags {
            changed: self.changed || other.changed,
            needed: self.needed || other.needed,
            closes_at_line_start: self.closes_at_line_start || other.closes_at_line_start,
        }
    }

    /// Whether a text with these flags (over all its pieces) is read joined first.
    fn joins(self) -> bool {
        self.changed && self.needed && self.closes_at_line_start
    }
}

/// How [`reload`] got the new load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reload {
    /// The text did not change.
    Unchanged,
    /// Only the edited entry was read again.
    Piecewise,
    /// The whole file was loaded again.
    Whole,
}

impl LoadIndex {
    /// Whether the next edit may be reloaded piecewise.
    pub fn is_piecewise(&self) -> bool {
        self.plan.is_some()
    }
}

/// Reads `text` like [`load_file`](crate::load_file) (the same result), and returns
/// the index [`reload`] needs.
pub fn load_indexed(file: FileId, text: &str) -> (LoadedFile, LoadIndex) {
    let reading = falco_yaml::parse_reading(file, text);
    let clean = reading.diagnostics.is_empty();
    let single = reading.documents.len() == 1 && reading.documents[0].complete;
    let mut outputs = Vec::new();
    let loaded = load_documents(
        file,
        text,
        &reading.documents,
        reading.diagnostics,
        &mut outputs,
    );
    let sequence = reading.documents.first().is_some_and(|document| {
        document
            .root
            .as_ref()
            .is_some_and(|root| root.as_sequence().is_some())
    });
    let plan = (clean && single && sequence)
        .then(|| plan(text, reading.joined, &outputs))
        .flatten();
    (loaded, LoadIndex { plan })
}

/// The plan for a clean one-document file whose entries added `outputs`, when
/// every line that could start an entry does start one and the rewrite of flow
/// collections is made of the entries' own.
fn plan(text: &str, joined: Option<String>, outputs: &[EntryOutput]) -> Option<Plan> {
    let bytes = text.as_bytes();
    let read = joined.as_deref().unwrap_or(text).as_bytes();
    let lines = entry_lines(bytes, 0, bytes.len())?;
    if lines.len() != outputs.len() {
        return None;
    }
    // Reads `text[from..to]` as a piece of the rewrite.
    let piece = |from: usize, to: usize| -> Option<Flags> {
        let piece = falco_yaml::join_piece(text.get(from..to)?);
        let same = joined
            .as_ref()
            .is_none_or(|joined| joined.as_bytes().get(from..to) == Some(piece.text.as_bytes()));
        (piece.closed && same).then(|| Flags::of(&piece))
    };
    let header = piece(0, lines.first().map_or(bytes.len(), |&first| first))?;
    let mut all = header;
    let mut entries = Vec::with_capacity(lines.len());
    for (index, (&line, output)) in lines.iter().zip(outputs).enumerate() {
        let next = lines.get(index + 1).map_or(bytes.len(), |&next| next);
        let node = output.start as usize;
        let starts_line = line == 0 || read.get(line - 1) == Some(&b'\n');
        if !(line + 2 <= node && node <= next && starts_line && read.get(line) == Some(&b'-')) {
            return None;
        }
        let flags = piece(line, next)?;
        all = all.or(flags);
        entries.push(Entry {
            line: u32::try_from(line).ok()?,
            items: output.items,
            diagnostics: output.diagnostics,
            broken: output.broken,
            flags,
        });
    }
    (all.joins() == joined.is_some()).then_some(Plan {
        joined,
        header,
        entries,
    })
}

/// The starts of the lines in `bytes[from..to]` that begin at column 0 with
/// anything but a space, a comment or a line break; `None` when one of them is not
/// a `- ` entry line. `from` must be a line start.
fn entry_lines(bytes: &[u8], from: usize, to: usize) -> Option<Vec<usize>> {
    let mut lines = Vec::new();
    let mut at = from;
    while at < to {
        match bytes[at] {
            b' ' | b'#' | b'\n' | b'\r' => {}
            b'-' if bytes.get(at + 1) == Some(&b' ') => lines.push(at),
            _ => return None,
        }
        at = match bytes[at..to].iter().position(|&byte| byte == b'\n') {
            Some(newline) => at + newline + 1,
            None => to,
        };
    }
    Some(lines)
}

/// Loads `new_text`, the edited `old_text`, into `loaded` and `index` (the load and
/// index of `old_text`, as [`load_indexed`] or an earlier `reload` left them),
/// reading again only the edited entry when that gives the same result as loading
/// the whole file.
pub fn reload(
    old_text: &str,
    loaded: &mut LoadedFile,
    index: &mut LoadIndex,
    new_text: &str,
) -> Reload {
    if old_text == new_text {
        return Reload::Unchanged;
    }
    if reload_entry(old_text, loaded, index, new_text).is_some() {
        return Reload::Piecewise;
    }
    (*loaded, *index) = load_indexed(loaded.file, new_text);
    Reload::Whole
}

/// The piecewise reload; `None` (and nothing changed) when it does not apply.
fn reload_entry(
    old_text: &str,
    loaded: &mut LoadedFile,
    index: &mut LoadIndex,
    new_text: &str,
) -> Option<()> {
    let plan = index.plan.as_mut()?;
    let (old, new) = (old_text.as_bytes(), new_text.as_bytes());
    let (prefix, suffix) = falco_span::common_ends(old, new);
    // The entry whose `- ` lies before the first changed byte.
    let entry = plan
        .entries
        .partition_point(|entry| entry.line as usize + 2 <= prefix)
        .checked_sub(1)?;
    let start = plan.entries[entry].line as usize;
    let old_end = plan
        .entries
        .get(entry + 1)
        .map_or(old.len(), |next| next.line as usize);
    // The change must end within the entry, so everything from its end on is the
    // same in both texts. (The other tests only guard against an index that is not
    // `old_text`'s.)
    let index_fits = old_end <= old.len()
        && plan
            .joined
            .as_ref()
            .is_none_or(|joined| joined.len() == old.len());
    if !index_fits || old.len() - suffix > old_end {
        return None;
    }
    let new_end = new.len() - (old.len() - old_end);
    let still_one_entry = entry_lines(new, start, new_end)? == [start]
        && (new_end == new.len() || new[new_end - 1] == b'\n');
    if !still_one_entry
        || may_hold_anchors(&old[start..old_end])
        || may_hold_anchors(&new[start..new_end])
    {
        return None;
    }
    // The rewrite of the other entries stays; the reading must stay the same.
    let piece = falco_yaml::join_piece(new_text.get(start..new_end)?);
    let flags = Flags::of(&piece);
    let all = plan
        .entries
        .iter()
        .enumerate()
        .fold(plan.header, |all, (index, other)| {
            all.or(if index == entry { flags } else { other.flags })
        });
    if !piece.closed || all.joins() != plan.joined.is_some() {
        return None;
    }
    let read = if plan.joined.is_some() {
        piece.text.as_str()
    } else {
        new_text.get(start..new_end)?
    };
    let (documents, syntax) = falco_yaml::parse_as_written(loaded.file, read);
    let [document] = documents.as_slice() else {
        return None;
    };
    let [node] = document.root.as_ref()?.as_sequence()? else {
        return None;
    };
    if !syntax.is_empty() || !document.complete {
        return None;
    }
    let mut fresh = LoadedFile {
        file: loaded.file,
        ..LoadedFile::default()
    };
    let output = read_entry(loaded.file, node, &mut fresh);
    let before = &plan.entries[..entry];
    let was = plan.entries[entry];
    let at = |count: fn(&Entry) -> u32, len: usize| -> Option<usize> {
        let at: usize = before.iter().map(|entry| count(entry) as usize).sum();
        (at + count(&was) as usize <= len).then_some(at)
    };
    let items = at(|entry| entry.items, loaded.items.len())?;
    let diagnostics = at(|entry| entry.diagnostics, loaded.diagnostics.len())?;
    let broken = at(|entry| entry.broken, loaded.broken.len())?;
    // Everything is known; from here on the load changes.
    let place = start as i64;
    let delta = new.len() as i64 - old.len() as i64;
    splice(
        &mut loaded.items,
        items,
        was.items,
        fresh.items,
        place,
        delta,
    );
    splice(
        &mut loaded.diagnostics,
        diagnostics,
        was.diagnostics,
        fresh.diagnostics,
        place,
        delta,
    );
    splice(
        &mut loaded.broken,
        broken,
        was.broken,
        fresh.broken,
        place,
        delta,
    );
    plan.entries[entry] = Entry {
        line: was.line,
        items: output.items,
        diagnostics: output.diagnostics,
        broken: output.broken,
        flags,
    };
    for later in &mut plan.entries[entry + 1..] {
        later.line = (i64::from(later.line) + delta) as u32;
    }
    if let Some(joined) = &mut plan.joined {
        joined.replace_range(start..old_end, &piece.text);
    }
    Some(())
}

/// Replaces `count` values of `values` at `at` by `fresh` (read from a text that
/// starts at file offset `place`), and moves the values behind them by `delta`.
fn splice<T: Shift>(
    values: &mut Vec<T>,
    at: usize,
    count: u32,
    mut fresh: Vec<T>,
    place: i64,
    delta: i64,
) {
    let end = at + count as usize;
    values[end..].shift(delta);
    fresh.shift(place);
    values.splice(at..end, fresh);
}

/// Whether `text` holds a `&` or `*` where a YAML anchor or alias could start.
fn may_hold_anchors(text: &[u8]) -> bool {
    text.iter().enumerate().any(|(at, &byte)| {
        matches!(byte, b'&' | b'*')
            && (at == 0
                || matches!(
                    text[at - 1],
                    b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',' | b':' | b'?' | b'-'
                ))
    })
}
