//! Integration tests of the `falco-rulec` binary: exit codes, output formats, input
//! order. One binary, modules inside.

mod ci_recipes;
mod cli;
mod compile;
mod coverage;
mod diff;
mod fmt;
mod formats;
mod plugin_schemas;
mod registry;
mod replay;
mod rule_tests;
mod show;
mod support;
mod suppressions;
