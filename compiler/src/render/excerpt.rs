//! The text of a file as the human rendering shows it: every line as written,
//! except that long lines are cut to windows around the labels on them, so that a
//! report stays short however long the file's lines are (a label on an 8 MiB line
//! shows a few hundred characters of it, not 8 MiB).
//!
//! ariadne reads this text instead of the file's; [`Excerpt::offset`] moves a file
//! offset into it. Lines keep their numbers. Characters that ariadne would take for
//! line breaks but YAML does not (vertical tab, form feed, U+0085, U+2028, U+2029)
//! are shown as spaces, so that both count lines alike.

use falco_span::{LineIndex, content_end};

/// Lines longer than this (in characters) are cut to windows around the labels.
pub const MAX_LINE_CHARS: usize = 200;

/// Characters kept on each side of a label's start and end in a cut line.
pub const WINDOW_CHARS: usize = 60;

/// At most this many windows are kept in one cut line (labels past them point at the
/// last ellipsis; the report's `path:line:column` still locates them).
pub const MAX_WINDOWS: usize = 16;

/// What stands for the text left out of a cut line.
const ELLIPSIS: &str = "…";

/// A file's text as the human rendering shows it.
#[derive(Debug)]
pub struct Excerpt {
    /// The text shown.
    pub text: String,
    /// `(file offset, shown offset, length)` of each run copied from the file, in
    /// order; text between runs is an ellipsis or a substituted character.
    runs: Vec<(usize, usize, usize)>,
}

impl Excerpt {
    /// `text` (indexed by `index`) as shown with labels that start or end at the
    /// byte offsets `points` (sorted).
    pub fn new(text: &str, index: &LineIndex, points: &[usize]) -> Excerpt {
        let mut excerpt = Excerpt {
            text: String::with_capacity(text.len().min(1 << 20)),
            runs: Vec::new(),
        };
        // Short lines are copied in runs of consecutive lines.
        let mut short_from = 0;
        for line in 0..index.line_count() {
            let start = index
                .line_start(line as u32)
                .map_or(text.len(), |at| at as usize);
            let next = index
                .line_start(line as u32 + 1)
                .map_or(text.len(), |at| at as usize);
            let end = if line + 1 == index.line_count() {
                text.len()
            } else {
                content_end(text.as_bytes(), next)
            };
            let content = &text[start..end];
            let short = content.len() <= MAX_LINE_CHARS
                || (content.len() <= 4 * MAX_LINE_CHARS
                    && content.chars().count() <= MAX_LINE_CHARS);
            if short {
                continue;
            }
            excerpt.copy(text, short_from, start);
            let first = points.partition_point(|&point| point < start);
            let last = points.partition_point(|&point| point <= end);
            excerpt.cut_line(text, start, end, &points[first..last]);
            short_from = end;
        }
        excerpt.copy(text, short_from, text.len());
        excerpt
    }

    /// The shown offset of file offset `offset`: inside a copied run, the same
    /// character; in text left out, the ellipsis that stands for it.
    pub fn offset(&self, offset: usize) -> usize {
        let after = self.runs.partition_point(|&(file, _, _)| file <= offset);
        match after.checked_sub(1).map(|run| self.runs[run]) {
            Some((file, at, len)) if offset <= file + len => at + (offset - file),
            // Left out after this run: the ellipsis that follows it.
            Some((_, at, len)) => at + len,
            // Left out before the first run: the ellipsis the text starts with.
            None => 0,
        }
    }

    /// The 1-based character column of a shown offset, as ariadne counts it.
    pub fn column(&self, offset: usize) -> usize {
        let offset = floor_char_boundary(&self.text, offset);
        let line_start = self.text[..offset]
            .rfind(['\n', '\r'])
            .map_or(0, |at| at + 1);
        self.text[line_start..offset].chars().count() + 1
    }

    /// Shows the long line content `[start, end)`: the windows around `points`, or
    /// its beginning when no label starts or ends on it (a line inside a multi-line
    /// label).
    fn cut_line(&mut self, text: &str, start: usize, end: usize, points: &[usize]) {
        let mut windows: Vec<(usize, usize)> = Vec::new();
        let centres = if points.is_empty() {
            &[start][..]
        } else {
            points
        };
        for &point in centres {
            let (from, to) = window(text, start, end, point);
            let full = windows.len() == MAX_WINDOWS;
            match windows.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ if full => break,
                _ => windows.push((from, to)),
            }
        }
        let mut shown = start;
        for (from, to) in windows {
            if from > shown {
                self.text.push_str(ELLIPSIS);
            }
            self.copy(text, from, to);
            shown = to;
        }
        if shown < end {
            self.text.push_str(ELLIPSIS);
        }
    }

    /// Copies `text[start..end]`, with the characters ariadne alone breaks lines at
    /// turned into spaces.
    fn copy(&mut self, text: &str, start: usize, end: usize) {
        let mut run = start;
        for (at, ch) in text[start..end].char_indices() {
            if matches!(ch, '\x0B' | '\x0C' | '\u{85}' | '\u{2028}' | '\u{2029}') {
                self.copy_run(text, run, start + at);
                self.text.push(' ');
                run = start + at + ch.len_utf8();
            }
        }
        self.copy_run(text, run, end);
    }

    fn copy_run(&mut self, text: &str, start: usize, end: usize) {
        if start < end {
            self.runs.push((start, self.text.len(), end - start));
            self.text.push_str(&text[start..end]);
        }
    }
}

/// The window of at most [`WINDOW_CHARS`] characters on each side of `point`, inside
/// the line content `[start, end)`.
fn window(text: &str, start: usize, end: usize, point: usize) -> (usize, usize) {
    let point = floor_char_boundary(text, point.clamp(start, end));
    let from = text[start..point]
        .char_indices()
        .rev()
        .nth(WINDOW_CHARS - 1)
        .map_or(start, |(at, _)| start + at);
    let to = text[point..end]
        .char_indices()
        .nth(WINDOW_CHARS)
        .map_or(end, |(at, _)| point + at);
    (from, to)
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
