//! The `falco-rt` binary.

use std::process::ExitCode;

use clap::Parser;
use falco_rt::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match &cli.command {
        Some(Command::Capture(args)) => falco_rt::capture_cmd::run(args),
        None => falco_rt::agent::run(&cli.run),
    };
    ExitCode::from(code)
}
