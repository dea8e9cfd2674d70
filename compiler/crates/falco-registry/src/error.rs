//! What can go wrong talking to a registry, each with the place and the cause.

use std::fmt;

/// An error of a registry operation.
#[derive(Debug)]
pub enum Error {
    /// A reference that does not parse.
    Reference(String),
    /// The connection failed (refused, TLS, timeout, too many redirects...).
    Transport {
        /// The request, `METHOD URL`.
        request: String,
        /// What happened.
        message: String,
    },
    /// The registry answered with a status the operation cannot go on with.
    Status {
        /// The request, `METHOD URL`.
        request: String,
        /// The HTTP status.
        status: u16,
        /// The registry's own message, when it gave one, and a hint.
        message: String,
    },
    /// A response larger than its limit (refused before it is read whenever its size
    /// is declared).
    TooLarge {
        /// What was being read.
        what: String,
        /// Its size, when declared.
        size: Option<u64>,
        /// The limit in bytes.
        limit: u64,
    },
    /// Content whose digest is not the one asked for.
    DigestMismatch {
        /// What was read.
        what: String,
        /// The digest it should have.
        expected: String,
        /// The digest it has.
        actual: String,
    },
    /// A manifest, config or envelope that is not what it should be.
    Invalid(String),
    /// A signature that is missing or does not verify.
    Signature(String),
    /// A key file that cannot be used.
    Key(String),
    /// A local file that cannot be read or written.
    Io(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Reference(m) | Error::Invalid(m) | Error::Key(m) | Error::Io(m) => {
                f.write_str(m)
            }
            Error::Signature(m) => write!(f, "signature: {m}"),
            Error::Transport { request, message } => write!(f, "{request}: {message}"),
            Error::Status {
                request,
                status,
                message,
            } => write!(f, "{request}: {status} {message}"),
            Error::TooLarge { what, size, limit } => match size {
                Some(size) => write!(f, "{what} is {size} bytes, over the limit of {limit}"),
                None => write!(f, "{what} is over the limit of {limit} bytes"),
            },
            Error::DigestMismatch {
                what,
                expected,
                actual,
            } => write!(
                f,
                "{what}: digest mismatch: expected {expected}, got {actual}"
            ),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// Whether trying again later may succeed (the registry was unreachable, busy or
    /// failing), as opposed to content that is wrong.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport { .. } => true,
            Error::Status { status, .. } => *status == 429 || *status == 408 || *status >= 500,
            _ => false,
        }
    }
}
