//! Delivery counters.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters shared by the outputs' threads.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) emitted: AtomicU64,
    pub(crate) writer_dropped: AtomicU64,
    pub(crate) write_errors: AtomicU64,
    pub(crate) http_sent: AtomicU64,
    pub(crate) http_dropped: AtomicU64,
    pub(crate) http_failed: AtomicU64,
    pub(crate) http_retries: AtomicU64,
    pub(crate) program_sent: AtomicU64,
    pub(crate) program_dropped: AtomicU64,
    pub(crate) program_failed: AtomicU64,
    pub(crate) syslog_sent: AtomicU64,
    pub(crate) syslog_dropped: AtomicU64,
    pub(crate) syslog_failed: AtomicU64,
}

impl Counters {
    pub(crate) fn add(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> OutputStats {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        OutputStats {
            emitted: g(&self.emitted),
            writer_dropped: g(&self.writer_dropped),
            write_errors: g(&self.write_errors),
            http_sent: g(&self.http_sent),
            http_dropped: g(&self.http_dropped),
            http_failed: g(&self.http_failed),
            http_retries: g(&self.http_retries),
            program_sent: g(&self.program_sent),
            program_dropped: g(&self.program_dropped),
            program_failed: g(&self.program_failed),
            syslog_sent: g(&self.syslog_sent),
            syslog_dropped: g(&self.syslog_dropped),
            syslog_failed: g(&self.syslog_failed),
        }
    }
}

/// What the outputs did so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutputStats {
    /// Alerts handed to [`crate::Outputs::emit`].
    pub emitted: u64,
    /// Alerts not written to stdout/file because the writer queue was full.
    pub writer_dropped: u64,
    /// Failed writes to stdout or the file.
    pub write_errors: u64,
    /// Alerts the HTTP endpoint accepted (2xx).
    pub http_sent: u64,
    /// Alerts not posted because the HTTP queue was full.
    pub http_dropped: u64,
    /// Alerts given up on after their attempts, or refused with a 4xx status.
    pub http_failed: u64,
    /// Attempts repeated after a retryable failure.
    pub http_retries: u64,
    /// Alerts written to the program.
    pub program_sent: u64,
    /// Alerts not given to the program because its queue was full.
    pub program_dropped: u64,
    /// Alerts the program could not be started for or did not take.
    pub program_failed: u64,
    /// Alerts sent to syslog.
    pub syslog_sent: u64,
    /// Alerts not sent to syslog because its queue was full.
    pub syslog_dropped: u64,
    /// Alerts syslog did not take (no daemon, socket errors).
    pub syslog_failed: u64,
}

impl OutputStats {
    /// Alerts that some enabled output did not get.
    pub fn undelivered(&self) -> u64 {
        self.writer_dropped
            + self.write_errors
            + self.http_dropped
            + self.http_failed
            + self.program_dropped
            + self.program_failed
            + self.syslog_dropped
            + self.syslog_failed
    }
}

impl fmt::Display for OutputStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "alerts={} writer_dropped={} write_errors={} http_sent={} http_dropped={} http_failed={} http_retries={} program_sent={} program_dropped={} program_failed={} syslog_sent={} syslog_dropped={} syslog_failed={}",
            self.emitted,
            self.writer_dropped,
            self.write_errors,
            self.http_sent,
            self.http_dropped,
            self.http_failed,
            self.http_retries,
            self.program_sent,
            self.program_dropped,
            self.program_failed,
            self.syslog_sent,
            self.syslog_dropped,
            self.syslog_failed
        )
    }
}
