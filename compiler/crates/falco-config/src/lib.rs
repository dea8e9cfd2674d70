//! Falco's configuration file, `falco.yaml`, read the way Falco reads it.
//!
//! [`Config::load`] builds one tree of [`Value`]s from the main file, the files its
//! `config_files` include (with Falco's `append`, `override` and `add-only` strategies),
//! `${VAR}` environment references in their values, and Falco's `-o key=value` command-line
//! overrides, in Falco's order. Every value keeps the [`Place`] it came from (file, line
//! and column, or the `-o` option), so a wrong value is reported where it is written.
//!
//! Readers ask for the keys they apply ([`Value::get`]); [`Config::unread`] then lists
//! every key nobody asked for, so a program can say which settings it does not apply
//! instead of ignoring them silently.
//!
//! Both `falco-rulec` (the rules files a configuration loads, [`rules_files`]) and the
//! `falco-rt` agent (its outputs and engine settings) read configurations through this
//! crate. It links only the YAML reader and the span utilities.

mod config;
mod env;
mod includes;
mod overrides;
mod place;
mod rules_files;
mod tree;

#[cfg(test)]
mod tests;

pub use config::{Config, Unread};
pub use place::{ConfigError, Origin, Place};
pub use rules_files::rules_files;
pub use tree::{Entry, Kind, Value};
