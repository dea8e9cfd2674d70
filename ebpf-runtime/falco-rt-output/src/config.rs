//! Output settings (the `*_output` keys of `falco.yaml`).

use std::path::PathBuf;
use std::time::Duration;

/// Which outputs are on and how they behave.
#[derive(Clone, Debug)]
pub struct OutputsConfig {
    /// Write JSON lines instead of text lines to stdout and the file (`json_output`).
    pub json_output: bool,
    /// Write alerts to standard output (`stdout_output.enabled`).
    pub stdout: bool,
    /// Append alerts to a file (`file_output`).
    pub file: Option<FileOutput>,
    /// Post alerts to a URL (`http_output`).
    pub http: Option<HttpOutput>,
    /// Write alerts to a program's standard input (`program_output`).
    pub program: Option<ProgramOutput>,
    /// Send alerts to the local syslog daemon (`syslog_output`).
    pub syslog: Option<SyslogOutput>,
    /// Flush stdout and the file only when the writer's queue runs empty
    /// (`buffered_outputs: true`) instead of after every alert.
    pub buffered: bool,
    /// Alerts the writer queue holds before [`crate::Outputs::emit`] drops and counts them.
    pub queue_capacity: usize,
}

impl Default for OutputsConfig {
    fn default() -> Self {
        Self {
            json_output: false,
            stdout: true,
            file: None,
            http: None,
            program: None,
            syslog: None,
            buffered: false,
            queue_capacity: 16_384,
        }
    }
}

/// `file_output`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileOutput {
    /// `file_output.filename`.
    pub path: PathBuf,
    /// `file_output.keep_alive`: keep the file open instead of reopening it per alert.
    pub keep_alive: bool,
}

/// `http_output`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpOutput {
    /// `http_output.url`.
    pub url: String,
    /// `http_output.user_agent`.
    pub user_agent: String,
    /// Alerts waiting for delivery before new ones are dropped and counted.
    pub queue_capacity: usize,
    /// Attempts per alert (the first included) for retryable failures.
    pub max_attempts: u32,
    /// Wait after the first failed attempt; doubles per attempt up to [`Self::max_backoff`].
    pub initial_backoff: Duration,
    /// Longest wait between attempts.
    pub max_backoff: Duration,
    /// Timeout of one request (connect to response).
    pub timeout: Duration,
}

impl HttpOutput {
    /// Defaults for `url`: 1024 queued alerts, 5 attempts, 100 ms doubling to 5 s, 5 s timeout.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            user_agent: concat!("falco-rt/", env!("CARGO_PKG_VERSION")).to_string(),
            queue_capacity: 1024,
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            timeout: Duration::from_secs(5),
        }
    }
}

/// `program_output`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramOutput {
    /// `program_output.program`: a shell command line, run with `/bin/sh -c`.
    pub command: String,
    /// `program_output.keep_alive`: start the program once and write every alert to it,
    /// instead of starting it for each alert.
    pub keep_alive: bool,
    /// Alerts waiting for the program before new ones are dropped and counted.
    pub queue_capacity: usize,
}

impl ProgramOutput {
    /// `command` with a queue of 1024 alerts.
    pub fn new(command: impl Into<String>, keep_alive: bool) -> Self {
        Self {
            command: command.into(),
            keep_alive,
            queue_capacity: 1024,
        }
    }
}

/// `syslog_output`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyslogOutput {
    /// The syslog daemon's socket (`/dev/log`, as the C library's `syslog()` uses).
    pub socket: PathBuf,
    /// Alerts waiting to be sent before new ones are dropped and counted.
    pub queue_capacity: usize,
}

impl Default for SyslogOutput {
    fn default() -> Self {
        Self {
            socket: PathBuf::from("/dev/log"),
            queue_capacity: 16_384,
        }
    }
}
