//! Why a bundle was refused.

use std::fmt;

/// A bundle that cannot be loaded: the byte offset (for decoding errors) and the cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleError {
    /// Byte offset in the bundle where decoding failed (`None` for verification errors,
    /// which concern decoded tables).
    pub offset: Option<usize>,
    /// What is wrong, lower case.
    pub message: String,
}

impl BundleError {
    pub(crate) fn at(offset: usize, message: impl Into<String>) -> BundleError {
        BundleError {
            offset: Some(offset),
            message: message.into(),
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> BundleError {
        BundleError {
            offset: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "invalid bundle at byte {offset}: {}", self.message),
            None => write!(f, "invalid bundle: {}", self.message),
        }
    }
}

impl std::error::Error for BundleError {}
