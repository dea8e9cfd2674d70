//! Where falco-rt's alerts go: standard output, a file, and an HTTP endpoint such as
//! Falcosidekick, as Falco's `stdout_output`, `file_output` and `http_output` do.
//!
//! [`Outputs::emit`] never blocks the caller (the event path): alerts go through bounded
//! queues to a writer thread (stdout and file) and to an HTTP thread that retries with
//! backoff. What could not be queued or delivered is counted in [`OutputStats`] and
//! reported by [`Outputs::shutdown`], which flushes what is queued.

mod alert;
mod config;
mod http;
mod outputs;
mod stats;
mod writer;

pub use alert::Alert;
pub use config::{FileOutput, HttpOutput, OutputsConfig};
pub use outputs::Outputs;
pub use stats::OutputStats;
