//! `falco-rulec diff OLD NEW`: what changed between two versions of a ruleset
//! (`crate::diff`), for a terminal, a program (JSON) or a pull-request comment
//! (Markdown).
//!
//! Each side is a rules file, a directory, a Falco configuration, a
//! comma-separated list of those, or `git:REV:PATH` (any of them at a revision of
//! the current directory's repository). Exit codes: 0 no change, 1 changes, 2 usage
//! or input error (a side that cannot be read, or whose rules have errors).

mod render;
mod sides;

use clap::ValueEnum;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diff::diff;
use falco_analysis::{Analysis, analyze};

/// Arguments of `falco-rulec diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old version: FILE, DIR, falco.yaml, a comma-separated list of them, or
    /// git:REV:PATH.
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new version, in the same forms.
    #[arg(value_name = "NEW")]
    pub new: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
}

/// `--format` values of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// The class, then each changed item with its changes.
    Human,
    /// The JSON contract (version 1).
    Json,
    /// Markdown for a pull-request comment.
    Markdown,
}

pub(super) fn run(args: &DiffArgs) -> u8 {
    let (old, new) = match (side(&args.old, "old"), side(&args.new, "new")) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            for error in [old.err(), new.err()].into_iter().flatten() {
                eprintln!("error: {error}");
            }
            return EXIT_USAGE;
        }
    };
    let diff = diff(&old, &new);
    let text = match args.format {
        DiffFormat::Human => render::human(&diff),
        DiffFormat::Json => render::json(&diff),
        DiffFormat::Markdown => render::markdown(&diff),
    };
    if let Err(code) = super::write_stdout(&text) {
        return code;
    }
    if diff.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}

/// One side, analysed; an error when it cannot be read or its rules have errors
/// (what they add or remove would not be what Falco loads).
fn side(spec: &str, which: &str) -> Result<Analysis, String> {
    let files = sides::load(spec).map_err(|error| format!("{which} side: {error}"))?;
    let analysis = analyze(files);
    let errors = analysis.error_count();
    if errors == 0 {
        return Ok(analysis);
    }
    let first: Vec<String> = analysis
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
        .take(3)
        .map(|diagnostic| {
            let span = diagnostic.primary.span;
            let position = analysis.file(span.file).map(|file| {
                let at = file.line_index.position(&file.text, span.span.start);
                format!("{}:{}:{}", file.path, at.line, at.column)
            });
            format!(
                "\n  {}: {} {}",
                position.unwrap_or_default(),
                diagnostic.code.as_str(),
                diagnostic.message
            )
        })
        .collect();
    Err(format!(
        "{which} side `{spec}`: the rules have {errors} error{} (`falco-rulec lint` shows them all):{}",
        if errors == 1 { "" } else { "s" },
        first.concat()
    ))
}
