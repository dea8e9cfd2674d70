//! `falco-rulec compile`: compile rules files into a rule bundle.

use super::EXIT_USAGE;

/// Arguments of `falco-rulec compile`.
#[derive(Debug, clap::Args)]
pub struct CompileArgs {}

pub(super) fn run(_args: &CompileArgs) -> u8 {
    eprintln!("error: `falco-rulec compile` is not built yet");
    EXIT_USAGE
}
