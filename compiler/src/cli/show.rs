//! `falco-rulec show RULE`: a rule as Falco compiles it, each piece with where it came
//! from (`docs/show.md`).

use std::path::PathBuf;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::show::{ShowError, render, show};

/// Arguments of `falco-rulec show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The rule's name.
    pub rule: String,
    /// Rules files, or directories whose *.yaml/*.yml files load in name order. Without
    /// files or --config, the embedded default rules.
    #[arg(value_name = "FILES|DIRS")]
    pub paths: Vec<PathBuf>,
    /// A Falco configuration file whose `rules_files` load first, in order.
    #[arg(long, value_name = "falco.yaml")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    pub format: ShowFormat,
}

/// `--format` values of `show`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    /// The rule's facts and an indented tree of its condition.
    Text,
    /// One JSON document (version 1).
    Json,
}

pub(super) fn run(args: &ShowArgs) -> u8 {
    let files = match super::gather_inputs(&args.paths, args.config.as_deref()) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let analysis = falco_analysis::analyze(files);
    let shown = match show(&analysis, &args.rule) {
        Ok(shown) => shown,
        Err(ShowError::NoSuchRule) => {
            eprintln!("error: no rule is named `{}`", args.rule);
            return EXIT_USAGE;
        }
        Err(ShowError::Errors(count)) => {
            eprintln!("error: the rules have {count} error(s); `falco-rulec lint` shows them");
            return EXIT_FINDINGS;
        }
        Err(ShowError::NotCompiled(reason)) => {
            eprintln!("error: rule `{}` is not compiled: {reason}", args.rule);
            return EXIT_FINDINGS;
        }
    };
    let text = match args.format {
        ShowFormat::Text => render::text(&shown),
        ShowFormat::Json => render::json(&shown),
    };
    match super::write_stdout(&text) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}
