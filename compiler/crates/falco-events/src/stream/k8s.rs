//! Kubernetes audit values from a stream of lines: lines are gathered until the JSON
//! values on them are complete, then read by [`K8sAuditReader`].

use std::collections::VecDeque;
use std::sync::Arc;

use crate::event::{Event, EventError};
use crate::json::MAX_DEPTH;
use crate::k8s::K8sAuditReader;

/// Whether the gathered lines end where a JSON value does.
#[derive(Debug, PartialEq, Eq)]
enum Scan {
    /// Every bracket opened is closed.
    Complete,
    /// A value is still open.
    Open,
    /// The lines cannot be part of valid JSON: a string runs past the end of a line (JSON
    /// forbids line breaks in strings), a bracket closes the wrong one, or brackets nest
    /// deeper than the JSON reader accepts. The reader reports it now.
    Broken,
}

/// The brackets open after the lines seen so far.
#[derive(Default)]
struct Brackets {
    open: Vec<u8>,
}

impl Brackets {
    fn line(&mut self, line: &str) -> Scan {
        let b = line.as_bytes();
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            match c {
                b'"' => {
                    let mut j = i + 1;
                    loop {
                        let Some(k) = b.get(j..).and_then(|r| memchr::memchr2(b'"', b'\\', r))
                        else {
                            return Scan::Broken;
                        };
                        if b.get(j + k) == Some(&b'"') {
                            i = j + k + 1;
                            break;
                        }
                        j += k + 2;
                    }
                    continue;
                }
                b'{' | b'[' => {
                    if self.open.len() > MAX_DEPTH {
                        return Scan::Broken;
                    }
                    self.open.push(c);
                }
                b'}' | b']' => {
                    let opener = if c == b'}' { b'{' } else { b'[' };
                    if self.open.pop() != Some(opener) {
                        return Scan::Broken;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        if self.open.is_empty() {
            Scan::Complete
        } else {
            Scan::Open
        }
    }
}

/// Gathers lines into complete JSON values and reads their events.
pub(crate) struct K8sValues {
    text: String,
    /// The line number of the first line of `text`.
    first_line: usize,
    brackets: Brackets,
    /// Set while skipping the rest of a value that outgrew the limit: the line it began on.
    skipping: Option<usize>,
    max: usize,
    next_num: u64,
    first_ts: Option<u64>,
    pub(crate) hostname: Option<Arc<str>>,
    pub(crate) ready: VecDeque<Result<Event, EventError>>,
}

impl K8sValues {
    pub(crate) fn new(max: usize) -> Self {
        K8sValues {
            text: String::new(),
            first_line: 1,
            brackets: Brackets::default(),
            skipping: None,
            max,
            next_num: 1,
            first_ts: None,
            hostname: None,
            ready: VecDeque::new(),
        }
    }

    /// Takes line `line_no`; whatever it completes lands in `ready`.
    pub(crate) fn line(&mut self, line_no: usize, line: &str) {
        if let Some(start) = self.skipping {
            if self.brackets.line(line) != Scan::Open {
                self.skipping = None;
                self.brackets = Brackets::default();
                self.ready.push_back(Err(self.too_long(start)));
            }
            return;
        }
        if self.text.is_empty() {
            if line.trim().is_empty() {
                return;
            }
            self.first_line = line_no;
        }
        let scan = self.brackets.line(line);
        if self.text.len() + line.len() + 1 > self.max {
            self.text.clear();
            if scan == Scan::Open {
                self.skipping = Some(self.first_line);
            } else {
                self.brackets = Brackets::default();
                self.ready.push_back(Err(self.too_long(self.first_line)));
            }
            return;
        }
        self.text.push_str(line);
        self.text.push('\n');
        if scan != Scan::Open {
            self.flush();
        }
    }

    /// The error for a value that starts on line `line` and outgrows the limit.
    fn too_long(&self, line: usize) -> EventError {
        EventError {
            line,
            column: 1,
            message: format!(
                "a JSON value longer than {} bytes (the event size limit)",
                self.max
            ),
        }
    }

    /// Reads the gathered lines (at the end of the input, or before a bad line).
    pub(crate) fn flush(&mut self) {
        if let Some(start) = self.skipping.take() {
            self.ready.push_back(Err(self.too_long(start)));
        }
        self.brackets = Brackets::default();
        if self.text.is_empty() {
            return;
        }
        let offset = self.first_line - 1;
        // Without the line break added after the last line: a value cut short at the end
        // is then reported at the end of its last line, not on a line after the input
        // (found by the `events` fuzz target).
        let text = self.text.strip_suffix('\n').unwrap_or(&self.text);
        for result in K8sAuditReader::new(text) {
            self.ready.push_back(match result {
                Ok(mut event) => {
                    event.set_num(self.next_num);
                    self.next_num += 1;
                    let first_ts = *self.first_ts.get_or_insert(event.ts());
                    event.set_first_ts(first_ts);
                    event.set_hostname(self.hostname.clone());
                    Ok(event)
                }
                Err(mut error) => {
                    error.line += offset;
                    Err(error)
                }
            });
        }
        self.text.clear();
    }
}
