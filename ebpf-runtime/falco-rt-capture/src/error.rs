//! The capture error type.

use std::fmt;

/// Why capture could not start or continue.
#[derive(Debug)]
pub enum CaptureError {
    /// A syscall name has no x86_64 number.
    UnknownSyscall(String),
    /// The kernel refused or aya failed at a step (load, attach, map access).
    Kernel {
        /// What was being done.
        step: String,
        /// The underlying error, rendered with its causes.
        detail: String,
    },
    /// Polling or reading the ring buffer failed.
    Io(std::io::Error),
}

impl CaptureError {
    pub(crate) fn kernel(step: impl Into<String>, err: &dyn std::error::Error) -> Self {
        let mut detail = err.to_string();
        let mut src = err.source();
        while let Some(s) = src {
            detail.push_str(": ");
            detail.push_str(&s.to_string());
            src = s.source();
        }
        Self::Kernel {
            step: step.into(),
            detail,
        }
    }
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownSyscall(n) => {
                write!(f, "unknown syscall `{n}` (not an x86_64 syscall name)")
            }
            Self::Kernel { step, detail } => write!(f, "{step}: {detail}"),
            Self::Io(e) => write!(f, "ring buffer: {e}"),
        }
    }
}

impl std::error::Error for CaptureError {}

impl From<std::io::Error> for CaptureError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}
