//! Lines of a byte stream, each bounded in length, checked for UTF-8 one by one.

use std::io::{self, BufRead};

/// One line of the input, without its line break (`\n` or `\r\n`).
#[derive(Debug)]
pub(crate) enum Line<'a> {
    /// A UTF-8 line.
    Text(&'a str),
    /// A line longer than the limit; its bytes were skipped, not kept.
    TooLong(u64),
    /// A line that is not UTF-8: the 1-based character column and the value of the first
    /// byte that is not part of a UTF-8 character.
    NotUtf8 { column: usize, byte: u8 },
}

/// Splits a reader into lines of at most `max` bytes, reusing one buffer.
pub(crate) struct LineReader<R> {
    input: R,
    buf: Vec<u8>,
    max: usize,
    line_no: usize,
    consumed: u64,
    done: bool,
}

impl<R: BufRead> LineReader<R> {
    pub(crate) fn new(input: R, max: usize) -> Self {
        LineReader {
            input,
            buf: Vec::new(),
            max,
            line_no: 0,
            consumed: 0,
            done: false,
        }
    }

    /// The number of the last line returned (0 before the first).
    pub(crate) fn line_no(&self) -> usize {
        self.line_no
    }

    /// Bytes read from the input so far.
    pub(crate) fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The next line and its 1-based number; `None` at the end of the input.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<(usize, Line<'_>)>> {
        if self.done {
            return Ok(None);
        }
        self.buf.clear();
        let mut total: u64 = 0;
        let mut saw_newline = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            };
            if available.is_empty() {
                break;
            }
            let (chunk, used) = match memchr::memchr(b'\n', available) {
                Some(i) => {
                    saw_newline = true;
                    (available.get(..i).unwrap_or(&[]), i + 1)
                }
                None => (available, available.len()),
            };
            total += chunk.len() as u64;
            if total <= self.max as u64 {
                self.buf.extend_from_slice(chunk);
            }
            self.input.consume(used);
            self.consumed += used as u64;
            if saw_newline {
                break;
            }
        }
        if !saw_newline {
            self.done = true;
            if total == 0 {
                return Ok(None);
            }
        }
        self.line_no += 1;
        if total > self.max as u64 {
            self.buf.clear();
            return Ok(Some((self.line_no, Line::TooLong(total))));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        let line = match std::str::from_utf8(&self.buf) {
            Ok(text) => Line::Text(text),
            Err(error) => {
                let valid = self.buf.get(..error.valid_up_to()).unwrap_or(&[]);
                let column = std::str::from_utf8(valid).map_or(1, |s| s.chars().count() + 1);
                let byte = self.buf.get(error.valid_up_to()).copied().unwrap_or(0);
                Line::NotUtf8 { column, byte }
            }
        };
        Ok(Some((self.line_no, line)))
    }
}
