//! Where falco-rt's alerts go: standard output, a file, an HTTP endpoint such as
//! Falcosidekick, a program's standard input and syslog, as Falco's `stdout_output`,
//! `file_output`, `http_output`, `program_output` and `syslog_output` do.
//!
//! [`Outputs::emit`] never blocks the caller (the event path): alerts go through bounded
//! queues to one thread per output kind (a writer for stdout and the file; HTTP, which
//! retries with backoff; the program; syslog). What could not be queued or delivered is
//! counted in [`OutputStats`] and reported by [`Outputs::shutdown`], which flushes what is
//! queued.

mod alert;
mod config;
mod http;
mod outputs;
mod program;
mod stats;
mod syslog;
mod writer;

pub use alert::Alert;
pub use config::{FileOutput, HttpOutput, OutputsConfig, ProgramOutput, SyslogOutput};
pub use outputs::Outputs;
pub use stats::OutputStats;
