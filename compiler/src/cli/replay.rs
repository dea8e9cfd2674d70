//! `falco-rulec replay`: replay an events file through a rule bundle and print the alerts.

use super::EXIT_USAGE;

/// Arguments of `falco-rulec replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {}

pub(super) fn run(_args: &ReplayArgs) -> u8 {
    eprintln!("error: `falco-rulec replay` is not built yet");
    EXIT_USAGE
}
