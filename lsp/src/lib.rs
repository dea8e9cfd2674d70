//! `falco-rules-lsp`: the language server for Falco rules files.
//!
//! It runs the same analysis as `falco-rulec lint`
//! ([`falco_analysis::incremental`], equal to `analyze`) over the files of
//! the workspace in load order, and answers editor requests from its result.
//!
//! **Architecture invariant:** only this crate knows LSP types; positions are
//! converted in [`convert`] alone.

pub mod bench;
pub mod code_docs;
pub mod convert;
pub mod debounce;
pub mod document;
pub mod framing;
pub mod handlers;
pub mod load_order;
pub mod locate;
pub mod profile;
pub mod retire;
#[rustfmt::skip]
pub mod rules_files;
pub mod server;
pub mod workspace;
