//! `falco-rulec test`: run rule test files (`docs/rule-tests.md`).

use std::path::PathBuf;

use super::EXIT_USAGE;
use crate::rule_tests::coverage::Coverage;
use crate::rule_tests::{coverage_report, report, run_file};
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
    /// Also report which operands and exception rows of the rules the tests made
    /// true and false, and which rules no test reached (after the text report, or
    /// as `coverage` in the JSON one).
    #[arg(long)]
    pub coverage: bool,
    /// Write the coverage as an lcov tracefile (implies --coverage).
    #[arg(long, value_name = "FILE")]
    pub lcov: Option<PathBuf>,
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
    let with_coverage = args.coverage || args.lcov.is_some();
    let outcomes: Vec<_> = files
        .iter()
        .map(|file| run_file(file, with_coverage))
        .collect();
    let coverage = with_coverage.then(|| {
        let mut coverage = Coverage::default();
        for outcome in &outcomes {
            coverage.add(outcome.coverage.clone().unwrap_or_default());
        }
        coverage
    });
    if let (Some(path), Some(coverage)) = (&args.lcov, &coverage)
        && let Err(error) = std::fs::write(path, coverage_report::lcov(coverage))
    {
        eprintln!("error: cannot write `{}`: {error}", path.display());
        return EXIT_USAGE;
    }
    let text = match args.format {
        TestFormat::Text => {
            let mut text = report::human(&outcomes);
            if let Some(coverage) = &coverage {
                text.push('\n');
                text.push_str(&coverage_report::text(coverage));
            }
            text
        }
        TestFormat::Json => report::json(&outcomes, coverage.as_ref()),
    };
    if let Err(code) = super::write_stdout(&text) {
        return code;
    }
    report::Totals::of(&outcomes).exit_code()
}
