//! Reading events one at a time from a byte stream, in bounded memory.
//!
//! [`EventStream`] reads a file (or any [`BufRead`]) line by line and yields each event as
//! soon as it is complete, so replaying a file of any length holds one event (or one
//! Kubernetes audit value) at a time. A line that is not UTF-8, or longer than
//! [`MAX_EVENT_BYTES`], is one error naming its line; reading goes on with the next line.

mod k8s;
mod lines;

use std::io::BufRead;
use std::sync::Arc;

use crate::event::{Event, EventError, Source};
use crate::syscall::SyscallLines;
use k8s::K8sValues;
use lines::{Line, LineReader};

/// The longest event a stream reads: one syscall line, or one Kubernetes audit JSON value
/// (an `Event`, or an `EventList` or array with all its events). Longer ones are reported
/// and skipped without being held in memory.
pub const MAX_EVENT_BYTES: usize = 16 << 20;

/// Events of one source read from a byte stream; see the module documentation.
pub struct EventStream<R> {
    lines: LineReader<R>,
    body: Body,
    done: bool,
}

enum Body {
    Syscall(SyscallLines),
    K8s(K8sValues),
}

impl<R: BufRead> EventStream<R> {
    /// A stream of `source` events read from `input`.
    pub fn new(input: R, source: Source) -> Self {
        Self::with_limit(input, source, MAX_EVENT_BYTES)
    }

    /// Like [`EventStream::new`], with another event size limit (for tests).
    pub fn with_limit(input: R, source: Source, max: usize) -> Self {
        EventStream {
            lines: LineReader::new(input, max),
            body: match source {
                Source::Syscall => Body::Syscall(SyscallLines::default()),
                Source::K8sAudit => Body::K8s(K8sValues::new(max)),
            },
            done: false,
        }
    }

    /// Stamps `hostname` on events that do not name their own host.
    pub fn with_hostname(mut self, hostname: Option<Arc<str>>) -> Self {
        match &mut self.body {
            Body::Syscall(s) => s.hostname = hostname,
            Body::K8s(k) => k.hostname = hostname,
        }
        self
    }

    /// Bytes consumed from the input so far (for progress reports).
    pub fn bytes_read(&self) -> u64 {
        self.lines.consumed()
    }
}

/// The error for a line that could not be taken as text.
fn line_error(line_no: usize, line: &Line<'_>) -> Option<EventError> {
    match *line {
        Line::Text(_) => None,
        Line::TooLong(len) => Some(EventError {
            line: line_no,
            column: 1,
            message: format!(
                "a line of {len} bytes is longer than the event size limit ({MAX_EVENT_BYTES} bytes)"
            ),
        }),
        Line::NotUtf8 { column, byte } => Some(EventError {
            line: line_no,
            column,
            message: format!("not UTF-8: byte 0x{byte:02x} does not belong to a UTF-8 character"),
        }),
    }
}

impl<R: BufRead> Iterator for EventStream<R> {
    type Item = Result<Event, EventError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Body::K8s(k) = &mut self.body
                && let Some(ready) = k.ready.pop_front()
            {
                return Some(ready);
            }
            if self.done {
                return None;
            }
            let next = self.lines.next_line();
            let (line_no, line) = match next {
                Ok(Some(found)) => found,
                Ok(None) => {
                    self.done = true;
                    if let Body::K8s(k) = &mut self.body {
                        k.flush();
                    }
                    continue;
                }
                Err(error) => {
                    self.done = true;
                    if let Body::K8s(k) = &mut self.body {
                        k.flush();
                    }
                    let error = EventError {
                        line: self.lines.line_no() + 1,
                        column: 1,
                        message: format!("cannot read the input: {error}"),
                    };
                    match &mut self.body {
                        Body::K8s(k) => {
                            k.ready.push_back(Err(error));
                            continue;
                        }
                        Body::Syscall(_) => return Some(Err(error)),
                    }
                }
            };
            let bad = line_error(line_no, &line);
            match (&mut self.body, line, bad) {
                (Body::Syscall(s), Line::Text(text), _) => {
                    if let Some(result) = s.line(line_no, text) {
                        return Some(result);
                    }
                }
                (Body::K8s(k), Line::Text(text), _) => k.line(line_no, text),
                (Body::Syscall(_), _, Some(error)) => return Some(Err(error)),
                (Body::K8s(k), _, Some(error)) => {
                    // The bad line ends whatever value was open before it.
                    k.flush();
                    k.ready.push_back(Err(error));
                }
                (_, _, None) => {}
            }
        }
    }
}

/// Guesses the source of an event file from its first bytes (as much of the file as is at
/// hand): the first JSON value, or else the first line that is a whole JSON value, decides
/// (see [`crate::detect_source`]). Damaged or non-UTF-8 lines before it are passed over.
pub fn detect_source_prefix(prefix: &[u8]) -> Option<Source> {
    let text = String::from_utf8_lossy(prefix);
    crate::detect_source(&text).or_else(|| text.lines().find_map(crate::detect_source))
}
