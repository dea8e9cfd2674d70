//! Rule bundles on an OCI registry.
//!
//! The path a compiled bundle takes to the nodes: `falco-rulec push` stores it as an
//! OCI artifact ([`artifact`]), `falco-rulec sign` adds an ed25519 signature beside it
//! ([`signature`]), `falco-rulec tag` promotes it, and `falco-rt` pulls it, checks every
//! digest and the signature, and runs it. The parts, one job each:
//!
//! - [`reference`]: `HOST[:PORT]/REPOSITORY[:TAG|@sha256:HEX]` with an optional `oci://`;
//! - [`digest`]: `sha256:` digests, computed and compared;
//! - [`manifest`]: the OCI image manifest and descriptors, read with size limits;
//! - [`auth`]: credentials (docker/podman config files, the environment) and the
//!   registry's challenges (basic, bearer token);
//! - [`client`]: the distribution API calls over HTTPS (or plain HTTP when asked),
//!   every response bounded in size and time;
//! - [`artifact`]: the bundle artifact: media types, annotations, push, pull, tag;
//! - [`signature`]: keys, the signed statement, the signature envelope and where it is
//!   stored.
//!
//! This crate links no rules parser: the node agent uses it next to the VM alone.

pub mod artifact;
pub mod auth;
pub mod client;
pub mod digest;
mod error;
pub mod manifest;
pub mod reference;
pub mod signature;

pub use client::{Client, ClientOptions};
pub use digest::Digest;
pub use error::Error;
pub use reference::Reference;

/// Largest manifest read (distribution's own limit for a manifest it accepts).
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// Largest bundle blob pulled, unless the caller sets another limit.
pub const MAX_BUNDLE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest signature envelope or artifact config read.
pub const MAX_SMALL_BLOB_BYTES: u64 = 64 * 1024;
/// Largest token answer or error body read from a registry.
pub const MAX_AUX_BYTES: u64 = 1024 * 1024;

#[cfg(test)]
mod tests;
