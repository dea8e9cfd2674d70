//! `falco-rulec test`: run rule test files.

use super::EXIT_USAGE;

/// Arguments of `falco-rulec test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {}

pub(super) fn run(_args: &TestArgs) -> u8 {
    eprintln!("error: `falco-rulec test` is not built yet");
    EXIT_USAGE
}
