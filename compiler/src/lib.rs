//! falco-rulec: the lint driver shared by the CLI and (later) the language server,
//! plus the command-line front end.
//!
//! [`analysis::analyze`] is the one function that lints a set of rules files loaded
//! in order; the CLI and the LSP both call it.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod render;
pub mod rule_tests;
