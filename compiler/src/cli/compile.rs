//! `falco-rulec compile`: compile rules files into a rule bundle.
//!
//! The `lint` section of the project file `.falco-rulec.yaml` applies, as for
//! `lint` (docs/suppressions.md).
//!
//! Exit codes: 0 when the bundle was written (warnings are printed on stderr), 1 when
//! the rules have errors (printed as `lint` prints them; no bundle is written), 2 for
//! a usage error, an unreadable input or an unwritable output.

use std::io::Write;
use std::path::PathBuf;

use super::{ColorChoice, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::render::{self, Format};
use falco_analysis::{Analysis, analyze};

/// Arguments of `falco-rulec compile`.
#[derive(Debug, clap::Args)]
pub struct CompileArgs {
    /// Rules files, or directories whose *.yaml/*.yml files load in name order. Without
    /// files or --config, the embedded default rules are compiled.
    #[arg(value_name = "FILES|DIRS")]
    pub paths: Vec<PathBuf>,
    /// A Falco configuration file whose `rules_files` load first, in order.
    #[arg(long, value_name = "falco.yaml")]
    pub config: Option<PathBuf>,
    /// Where to write the bundle.
    #[arg(short, long, value_name = "bundle.frb")]
    pub output: PathBuf,
    /// When to colour the diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// A compiled ruleset: the bundle, its bytes, and the rules left out.
#[derive(Debug)]
pub struct Compiled {
    /// The bundle.
    pub bundle: falco_bundle::Bundle,
    /// Its encoded bytes.
    pub bytes: Vec<u8>,
    /// Rules skipped, as Falco skips them (unknown source, unknown field under
    /// `skip-if-unknown-filter`).
    pub skipped: Vec<falco_lower::LowerError>,
}

/// Why a ruleset could not be compiled.
#[derive(Debug)]
pub enum CompileError {
    /// Lint found errors (render them from the analysis).
    Diagnostics(usize),
    /// Rules that could not be lowered.
    Lower(Vec<falco_lower::LowerError>),
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompileError::Diagnostics(n) => write!(f, "the rules have {n} error(s)"),
            CompileError::Lower(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

/// Compiles an analysed ruleset into a bundle, refusing rulesets with errors.
pub fn compile_analysis(analysis: &Analysis) -> Result<Compiled, CompileError> {
    if analysis.error_count() > 0 {
        return Err(CompileError::Diagnostics(analysis.error_count()));
    }
    let input = falco_lower::Input {
        ruleset: &analysis.ruleset,
        rules: &analysis.typed.rules,
        macros: &analysis.typed.macros,
        engine_version: env!("CARGO_PKG_VERSION"),
    };
    let lowered = falco_lower::lower(&input).map_err(CompileError::Lower)?;
    let bytes = falco_bundle::encode(&lowered.bundle);
    Ok(Compiled {
        bundle: lowered.bundle,
        bytes,
        skipped: lowered.skipped,
    })
}

/// Compiles an analysed ruleset as [`compile_analysis`] does, but one check per
/// operand as written, with where each piece of each rule's code came from (see
/// `falco_lower::lower_traced`): for coverage and `show`.
pub fn compile_traced(
    analysis: &Analysis,
) -> Result<(Compiled, Vec<falco_lower::CodeNode>), CompileError> {
    if analysis.error_count() > 0 {
        return Err(CompileError::Diagnostics(analysis.error_count()));
    }
    let input = falco_lower::Input {
        ruleset: &analysis.ruleset,
        rules: &analysis.typed.rules,
        macros: &analysis.typed.macros,
        engine_version: env!("CARGO_PKG_VERSION"),
    };
    let (lowered, maps) = falco_lower::lower_traced(&input).map_err(CompileError::Lower)?;
    let bytes = falco_bundle::encode(&lowered.bundle);
    let compiled = Compiled {
        bundle: lowered.bundle,
        bytes,
        skipped: lowered.skipped,
    };
    Ok((compiled, maps))
}

/// Lints and compiles rules files given as (path, text), in load order.
pub fn compile_files(files: Vec<(String, String)>) -> (Analysis, Result<Compiled, CompileError>) {
    let analysis = analyze(files);
    let result = compile_analysis(&analysis);
    (analysis, result)
}

pub(super) fn run(args: &CompileArgs) -> u8 {
    let files = match super::gather_inputs(&args.paths, args.config.as_deref()) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let settings = match super::suppressions::project_settings() {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    let mut analysis = analyze(files);
    settings.apply(&mut analysis);
    let result = compile_analysis(&analysis);
    if !analysis.diagnostics.is_empty() {
        let color = args.color.resolve(
            std::env::var_os("NO_COLOR").as_deref(),
            std::io::IsTerminal::is_terminal(&std::io::stderr()),
        );
        let text = render::render(&analysis, Format::Human, color);
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
    let compiled = match result {
        Ok(compiled) => compiled,
        Err(error) => {
            eprintln!("error: no bundle written: {error}");
            return EXIT_FINDINGS;
        }
    };
    for skipped in &compiled.skipped {
        eprintln!("note: skipped {skipped}");
    }
    if let Err(error) = std::fs::write(&args.output, &compiled.bytes) {
        eprintln!("error: cannot write `{}`: {error}", args.output.display());
        return EXIT_USAGE;
    }
    let enabled = compiled.bundle.rules.iter().filter(|r| r.enabled).count();
    eprintln!(
        "wrote `{}`: {} rules ({enabled} enabled), {} bytes, sha256 {}",
        args.output.display(),
        compiled.bundle.rules.len(),
        compiled.bytes.len(),
        falco_bundle::content_hash(&compiled.bytes).unwrap_or_default()
    );
    EXIT_OK
}
