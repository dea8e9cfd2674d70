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

/// Splits a reader into lines of at most `max` bytes. A line that lies whole in the
/// reader's buffer is handed out from there; others are gathered in one reused buffer.
pub(crate) struct LineReader<R> {
    input: R,
    buf: Vec<u8>,
    /// Bytes of the reader's buffer handed out as the last line, consumed on the next call.
    pending: usize,
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
            pending: 0,
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
        self.input.consume(self.pending);
        self.pending = 0;
        if self.done {
            return Ok(None);
        }
        if let Some(end) = self.whole_line()? {
            // The same buffer again: a reader fills it only when it is empty.
            let available = self.input.fill_buf().inspect_err(|_| self.done = true)?;
            return Ok(Some((
                self.line_no,
                line(available.get(..end).unwrap_or(&[])),
            )));
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
        Ok(Some((self.line_no, line(&self.buf))))
    }

    /// Where the next line ends when the reader's buffer holds it whole, up to its line
    /// break (which is then consumed with the line on the next call).
    fn whole_line(&mut self) -> io::Result<Option<usize>> {
        let available = loop {
            match self.input.fill_buf() {
                Ok(bytes) => break bytes,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            }
        };
        let Some(end) = memchr::memchr(b'\n', available).filter(|&end| end <= self.max) else {
            return Ok(None);
        };
        self.pending = end + 1;
        self.consumed += self.pending as u64;
        self.line_no += 1;
        Ok(Some(end))
    }
}

/// One line's bytes, without a final `\r`, as text if they are UTF-8.
fn line(bytes: &[u8]) -> Line<'_> {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Line::Text(text),
        Err(error) => {
            let valid = bytes.get(..error.valid_up_to()).unwrap_or(&[]);
            let column = std::str::from_utf8(valid).map_or(1, |s| s.chars().count() + 1);
            let byte = bytes.get(error.valid_up_to()).copied().unwrap_or(0);
            Line::NotUtf8 { column, byte }
        }
    }
}
