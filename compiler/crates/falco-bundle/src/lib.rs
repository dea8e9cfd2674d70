//! Rule bundles: the compiled form of a Falco ruleset that the VM runs.
//!
//! - [`Bundle`] and its tables ([`model`]) are plain data: lowering builds one, the VM
//!   loads one.
//! - [`encode`] writes the versioned binary format (`docs/bundle-format.md`); the same
//!   bundle always gives the same bytes.
//! - [`decode`] reads it back and runs the verifier ([`verify()`]): truncated, corrupt or
//!   hostile bytes give a [`BundleError`] saying where and why, never a panic, an
//!   out-of-bounds read, a loop or a large allocation.
//!
//! This crate depends on no parser crate: the node agent links it with the VM alone.

mod codec;
mod error;
mod format;
pub mod model;
mod regex;
mod verify;

pub use error::BundleError;
pub use format::{FORMAT_VERSION, HEADER_LEN, MAGIC, content_hash, decode, encode, reseal};
pub use model::*;
pub use regex::{REGEX_SIZE_LIMIT, anchored_regex};
pub use verify::{MAX_OPERAND_DEPTH, verify};

#[cfg(test)]
mod tests;
