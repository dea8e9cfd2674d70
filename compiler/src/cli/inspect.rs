//! `falco-rulec inspect`: show what a rule bundle contains.

use super::EXIT_USAGE;

/// Arguments of `falco-rulec inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {}

pub(super) fn run(_args: &InspectArgs) -> u8 {
    eprintln!("error: `falco-rulec inspect` is not built yet");
    EXIT_USAGE
}
