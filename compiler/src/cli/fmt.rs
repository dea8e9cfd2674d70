//! `falco-rulec fmt`: rewrites rules files in the canonical layout of
//! `falco-format`, or with `--check` only says which files it would change.
//!
//! Exit codes: 0 when every file is formatted (or, with `--check`, already was);
//! 1 with `--check` when some file would change; 2 when a path cannot be read or
//! written, or a file cannot be formatted (invalid YAML, CRLF line endings), in
//! which case the other files are still handled.

use std::path::{Path, PathBuf};

use falco_format::{FormatError, Formatted};
use falco_span::LineIndex;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use falco_analysis::inputs;

/// Arguments of `falco-rulec fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Rules files, or directories whose *.yaml/*.yml files are formatted.
    #[arg(value_name = "FILES|DIRS", required = true)]
    pub paths: Vec<PathBuf>,
    /// Write nothing; exit with 1 when some file is not formatted.
    #[arg(long)]
    pub check: bool,
}

/// What became of one file.
enum Outcome {
    /// Already formatted.
    Unchanged,
    /// Rewritten (or, with `--check`, would be), first changed at this line.
    Changed { line: u32 },
    /// Could not be read, formatted or written: why.
    Failed(String),
}

pub(super) fn run(args: &FmtArgs) -> u8 {
    let mut failed = false;
    let mut changed = false;
    for root in &args.paths {
        let files = match inputs::expand(root) {
            Ok(files) => files,
            Err(error) => {
                eprintln!("error: cannot read `{}`: {error}", root.display());
                failed = true;
                continue;
            }
        };
        for file in files {
            match format_file(&file, args.check) {
                Outcome::Unchanged => {}
                Outcome::Changed { line } => {
                    changed = true;
                    if args.check {
                        println!("{}:{line}: would be reformatted", file.display());
                    } else {
                        println!("formatted {}", file.display());
                    }
                }
                Outcome::Failed(message) => {
                    eprintln!("error: {message}");
                    failed = true;
                }
            }
        }
    }
    if failed {
        EXIT_USAGE
    } else if changed && args.check {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn format_file(path: &Path, check: bool) -> Outcome {
    let shown = path.display();
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => return Outcome::Failed(format!("`{shown}` is not UTF-8 text")),
        Err(error) => return Outcome::Failed(format!("cannot read `{shown}`: {error}")),
    };
    let formatted = match falco_format::format(&text) {
        Ok(formatted) => formatted,
        Err(error) => return Outcome::Failed(cannot_format(path, &text, &error)),
    };
    let Some(line) = first_change(&text, &formatted) else {
        return Outcome::Unchanged;
    };
    if !check && let Err(error) = std::fs::write(path, formatted.text()) {
        return Outcome::Failed(format!("cannot write `{shown}`: {error}"));
    }
    Outcome::Changed { line }
}

/// The 1-based line of the original text where the first change begins.
fn first_change(text: &str, formatted: &Formatted) -> Option<u32> {
    let piece = formatted.changes(text).next()?;
    let old = text.get(piece.original.clone()).unwrap_or_default();
    let same = old
        .split_inclusive('\n')
        .zip(piece.text.split_inclusive('\n'))
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len())
        .sum::<usize>();
    let index = LineIndex::new(text);
    Some(index.line_of((piece.original.start + same).min(text.len()) as u32) + 1)
}

fn cannot_format(path: &Path, text: &str, error: &FormatError) -> String {
    let offset = match error {
        FormatError::InvalidYaml { offset, .. } | FormatError::Unsupported { offset, .. } => {
            Some(*offset)
        }
        FormatError::DataChanged => None,
    };
    match offset {
        Some(offset) => {
            let position = LineIndex::new(text).position(text, offset.min(text.len()) as u32);
            format!(
                "{}:{}:{}: cannot format: {error}",
                path.display(),
                position.line,
                position.column
            )
        }
        None => format!("{}: cannot format: {error}", path.display()),
    }
}
