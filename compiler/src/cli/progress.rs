//! A progress line on stderr for long replays, shown only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use super::replay::ReplayCounts;

/// Files smaller than this replay too fast to need a progress line.
const MIN_BYTES: u64 = 64 << 20;

/// Time between two updates of the line.
const EVERY: Duration = Duration::from_millis(500);

/// The progress line of one replay.
pub(crate) struct Progress<'a> {
    name: &'a str,
    total: u64,
    enabled: bool,
    next: Instant,
    shown: bool,
}

impl<'a> Progress<'a> {
    /// Progress through `name`, a file of `total` bytes.
    pub(crate) fn new(name: &'a str, total: u64) -> Self {
        Progress {
            name,
            total,
            enabled: total >= MIN_BYTES && std::io::stderr().is_terminal(),
            next: Instant::now() + EVERY,
            shown: false,
        }
    }

    /// Shows `read` bytes of the file done, if it is time to.
    pub(crate) fn show(&mut self, read: u64, counts: ReplayCounts) {
        if !self.enabled || Instant::now() < self.next {
            return;
        }
        self.next = Instant::now() + EVERY;
        let percent = read.saturating_mul(100) / self.total.max(1);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[K{}: {percent}% ({} events, {} alerts, {} errors)",
            self.name, counts.events, counts.alerts, counts.errors
        );
        let _ = err.flush();
        self.shown = true;
    }

    /// Erases the line (before an error message, and at the end).
    pub(crate) fn clear(&mut self) {
        if self.shown {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
            self.shown = false;
        }
    }
}
