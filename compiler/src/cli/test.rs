//! `falco-rulec test`: run rule test files (`docs/rule-tests.md`).

use std::path::PathBuf;

use super::EXIT_USAGE;
use crate::rule_tests::{report, run_file};
use falco_analysis::inputs;

/// Arguments of `falco-rulec test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Test files, or directories whose *.yaml/*.yml files run in name order.
    #[arg(value_name = "FILES|DIRS", required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
}

/// `--format` values of `falco-rulec test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// A line per case, details under failures, a summary.
    Text,
    /// One JSON document (version 1).
    Json,
}

pub(super) fn run(args: &TestArgs) -> u8 {
    let mut files = Vec::new();
    for path in &args.paths {
        match inputs::expand(path) {
            Ok(expanded) if expanded.is_empty() => {
                eprintln!("error: `{}` holds no *.yaml test file", path.display());
                return EXIT_USAGE;
            }
            Ok(expanded) => files.extend(expanded),
            Err(error) => {
                eprintln!("error: cannot read `{}`: {error}", path.display());
                return EXIT_USAGE;
            }
        }
    }
    let outcomes: Vec<_> = files.iter().map(|file| run_file(file)).collect();
    let text = match args.format {
        TestFormat::Text => report::human(&outcomes),
        TestFormat::Json => report::json(&outcomes),
    };
    if let Err(code) = super::write_stdout(&text) {
        return code;
    }
    report::Totals::of(&outcomes).exit_code()
}
