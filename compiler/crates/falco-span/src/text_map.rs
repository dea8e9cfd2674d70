//! Texts assembled from pieces of files, with a map from text offsets to file offsets.

use smallvec::SmallVec;

use crate::{FileEdit, FileId, FileSpan, Span};

/// One run of a [`TextMap`]: the text bytes from `text_start` up to the next run's
/// start come from `origin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    text_start: u32,
    origin: FileSpan,
    /// When true, byte `text_start + i` comes from `origin.span.start + i`. When
    /// false, the whole run stands for `origin` (a substituted list, a synthesized
    /// separator) and every byte maps to that span.
    linear: bool,
}

/// Maps byte offsets of an assembled text back to file spans.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextMap {
    /// Most texts (a plain scalar) have one run: keep it inline, no allocation.
    runs: SmallVec<[Run; 1]>,
    len: u32,
}

impl TextMap {
    /// Length in bytes of the mapped text.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the mapped text is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn run_index(&self, offset: u32) -> Option<usize> {
        if self.runs.is_empty() {
            return None;
        }
        Some(
            match self
                .runs
                .binary_search_by_key(&offset, |run| run.text_start)
            {
                Ok(i) => i,
                Err(0) => 0,
                Err(i) => i - 1,
            },
        )
    }

    fn run_end(&self, index: usize) -> u32 {
        self.runs
            .get(index + 1)
            .map(|run| run.text_start)
            .unwrap_or(self.len)
    }

    /// The file and file offset of text offset `offset`. An offset at the very end
    /// maps just past the last mapped byte.
    pub fn offset_to_file(&self, offset: u32) -> Option<(FileId, u32)> {
        let index = self.run_index(offset)?;
        let run = self.runs[index];
        if run.linear {
            let delta = offset.saturating_sub(run.text_start);
            Some((run.origin.file, run.origin.span.start + delta))
        } else if offset >= self.run_end(index) {
            Some((run.origin.file, run.origin.span.end))
        } else {
            Some((run.origin.file, run.origin.span.start))
        }
    }

    /// Maps a span of the text to a span of the file where its first byte lives.
    ///
    /// When the span crosses into another file (an appended condition), the result
    /// is cut at the end of the first piece that lives in the starting file.
    pub fn to_file(&self, span: Span) -> Option<FileSpan> {
        let start_index = self.run_index(span.start)?;
        let start_run = self.runs[start_index];
        let (file, start) = self.offset_to_file(span.start)?;
        if span.is_empty() {
            return Some(FileSpan::new(file, Span::empty(start)));
        }
        let last = span.end - 1;
        let end_index = self.run_index(last)?;
        let mut end = None;
        for index in (start_index..=end_index).rev() {
            let run = self.runs[index];
            if run.origin.file != file {
                continue;
            }
            let run_last = last.min(self.run_end(index).saturating_sub(1));
            end = Some(if run.linear {
                run.origin.span.start + (run_last - run.text_start) + 1
            } else {
                run.origin.span.end
            });
            break;
        }
        let end = end.unwrap_or(if start_run.linear {
            start + 1
        } else {
            start_run.origin.span.end
        });
        if !start_run.linear && end < start_run.origin.span.end && start_index == end_index {
            return Some(start_run.origin);
        }
        Some(FileSpan::new(file, Span::new(start, end.max(start))))
    }

    /// Moves every file offset the text maps to by `delta` bytes (an edit before
    /// the text changed the file's length). The text and its runs stay as they are.
    pub fn move_origins(&mut self, delta: i64) {
        for run in &mut self.runs {
            run.origin.span = run.origin.span.moved(delta);
        }
    }

    /// Follows `edit` of a file: every origin moves to where `edit` puts it (see
    /// [`FileEdit::map`]). Returns false, leaving the map partly moved, when some
    /// origin touches the edited bytes: the map no longer describes the file.
    pub fn edited(&mut self, edit: &FileEdit) -> bool {
        for run in &mut self.runs {
            match edit.map(run.origin) {
                Some(origin) => run.origin = origin,
                None => return false,
            }
        }
        true
    }

    /// The text offset that file offset `offset` of `file` maps to, if some linear
    /// run covers it (used to turn an editor cursor into a condition offset).
    pub fn file_to_text(&self, file: FileId, offset: u32) -> Option<u32> {
        self.runs.iter().enumerate().find_map(|(index, run)| {
            let len = self.run_end(index) - run.text_start;
            let covered = run.origin.file == file
                && run.origin.span.start <= offset
                && offset <= run.origin.span.start + len;
            (run.linear && covered).then(|| run.text_start + (offset - run.origin.span.start))
        })
    }
}

/// A text together with the map from its offsets to file spans.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MappedText {
    /// The assembled text.
    pub text: String,
    /// Where each byte of `text` comes from.
    pub map: TextMap,
}

impl MappedText {
    /// An empty mapped text.
    pub fn new() -> MappedText {
        MappedText::default()
    }

    /// A text copied verbatim from `file` starting at byte `file_start`.
    pub fn verbatim(text: &str, file: FileId, file_start: u32) -> MappedText {
        let mut mapped = MappedText::new();
        mapped.push_linear(text, file, file_start);
        mapped
    }

    fn push_run(&mut self, text: &str, origin: FileSpan, linear: bool) {
        if text.is_empty() {
            return;
        }
        push_run_meta(&mut self.map.runs, self.text.len() as u32, origin, linear);
        self.text.push_str(text);
        self.map.len = self.text.len() as u32;
    }

    /// Appends `text`, whose byte `i` comes from byte `file_start + i` of `file`.
    pub fn push_linear(&mut self, text: &str, file: FileId, file_start: u32) {
        let end = file_start + text.len() as u32;
        self.push_run(text, FileSpan::new(file, Span::new(file_start, end)), true);
    }

    /// Appends `text`, all of which stands for `origin` (for text that does not
    /// appear in the file as such: an escape's value, a folded line break, a
    /// substituted list, a separator).
    pub fn push_collapsed(&mut self, text: &str, origin: FileSpan) {
        self.push_run(text, origin, false);
    }

    /// Appends another mapped text, keeping its mapping.
    pub fn push_mapped(&mut self, other: &MappedText) {
        let base = self.text.len() as u32;
        for (index, run) in other.map.runs.iter().enumerate() {
            let end = other.map.run_end(index);
            let piece = &other.text[run.text_start as usize..end as usize];
            if run.linear {
                let start = run.origin.span.start;
                self.push_run(
                    piece,
                    FileSpan::new(
                        run.origin.file,
                        Span::new(start, start + piece.len() as u32),
                    ),
                    true,
                );
            } else {
                self.push_run(piece, run.origin, false);
            }
        }
        debug_assert_eq!(self.text.len() as u32, base + other.text.len() as u32);
    }

    /// Replaces the bytes in `span` with `replacement`, keeping the mapping of
    /// everything around it: the same text and map as assembling
    /// `slice(..start) + replacement + slice(end..)`, without copying the pieces.
    pub fn splice(&mut self, span: Span, replacement: &MappedText) {
        let len = self.map.len;
        let start = span.start.min(len);
        let end = span.end.clamp(start, len);
        let inserted = replacement.text.len() as u32;
        let tail_start = start + inserted;
        let mut runs: SmallVec<[Run; 1]> =
            SmallVec::with_capacity(self.map.runs.len() + replacement.map.runs.len() + 1);
        // Runs that begin before `start` keep their start; the last one now ends at
        // `start`, where the replacement begins.
        runs.extend(
            self.map
                .runs
                .iter()
                .copied()
                .take_while(|run| run.text_start < start),
        );
        for run in &replacement.map.runs {
            push_run_meta(&mut runs, start + run.text_start, run.origin, run.linear);
        }
        // The run that holds `end` restarts there (shifted past the replacement);
        // the runs after it move by the change in length.
        if end < len
            && let Some(index) = self.map.run_index(end)
        {
            let run = self.map.runs[index];
            let origin = if run.linear {
                let skipped = end - run.text_start;
                FileSpan::new(
                    run.origin.file,
                    Span::new(run.origin.span.start + skipped, run.origin.span.end),
                )
            } else {
                run.origin
            };
            push_run_meta(&mut runs, tail_start, origin, run.linear);
            for run in &self.map.runs[index + 1..] {
                push_run_meta(
                    &mut runs,
                    run.text_start - end + tail_start,
                    run.origin,
                    run.linear,
                );
            }
        }
        self.text
            .replace_range(start as usize..end as usize, &replacement.text);
        self.map.runs = runs;
        self.map.len = self.text.len() as u32;
    }

    /// The mapped sub-text covering `span` of this text.
    pub fn slice(&self, span: Span) -> MappedText {
        let mut out = MappedText::new();
        let span = Span::new(span.start.min(self.map.len), span.end.min(self.map.len));
        let Some(first) = self.map.run_index(span.start) else {
            return out;
        };
        for index in first..self.map.runs.len() {
            let run = self.map.runs[index];
            let start = run.text_start.max(span.start);
            let end = self.map.run_end(index).min(span.end);
            if start >= end {
                if run.text_start >= span.end {
                    break;
                }
                continue;
            }
            let piece = &self.text[start as usize..end as usize];
            if run.linear {
                let file_start = run.origin.span.start + (start - run.text_start);
                out.push_linear(piece, run.origin.file, file_start);
            } else {
                out.push_collapsed(piece, run.origin);
            }
        }
        out
    }

    /// Maps a span of the text to the file (see [`TextMap::to_file`]).
    pub fn to_file(&self, span: Span) -> Option<FileSpan> {
        self.map.to_file(span)
    }
}

/// Appends a run starting at `text_start` to `runs`, merged into the previous run
/// when both are linear and contiguous in the same file.
fn push_run_meta(runs: &mut SmallVec<[Run; 1]>, text_start: u32, origin: FileSpan, linear: bool) {
    if let Some(last) = runs.last() {
        if last.text_start == text_start {
            // The previous run became empty: this one replaces it.
            runs.pop();
        } else if linear
            && last.linear
            && last.origin.file == origin.file
            && last.origin.span.start + (text_start - last.text_start) == origin.span.start
        {
            return;
        }
    }
    runs.push(Run {
        text_start,
        origin,
        linear,
    });
}
