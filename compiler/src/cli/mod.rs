//! The `falco-rulec` command line: argument parsing, input gathering and exit codes.
//!
//! Exit codes: 0 when no error was found, 1 when errors were found (or warnings with
//! `--deny-warnings`), 2 for a usage error or an input that could not be read.

pub mod compile;
pub mod defaults;
pub mod diff;
pub mod explain;
pub mod fmt;
pub mod inspect;
pub mod keygen;
mod lint;
mod progress;
pub mod pull;
pub mod push;
mod registry_args;
pub mod replay;
pub mod show;
pub mod sign;
pub mod suppressions;
pub mod tag;
pub mod test;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// No errors (warnings allowed unless denied).
pub const EXIT_OK: u8 = 0;
/// The ruleset has errors (or warnings, with `--deny-warnings`).
pub const EXIT_FINDINGS: u8 = 1;
/// Bad usage, or an input or configuration file could not be read.
pub const EXIT_USAGE: u8 = 2;

/// What `--help` prints after the commands: the exit codes of every command.
const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success: no errors (warnings are allowed unless denied)
  1  findings: lint/compile errors (or warnings, with --deny-warnings); failed test
     cases; unformatted files with fmt --check; changes found by diff; rules that
     fired in replay; fields falco-rt lacks with inspect --runtime; a registry or
     signature failure
  2  a usage error, or an input, bundle or configuration that could not be read
     (including a path that holds no rules or test files)
";

/// Lint, typecheck and compile Falco rules.
#[derive(Debug, Parser)]
#[command(name = "falco-rulec", version, about, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint rules files loaded as one ruleset, in order.
    Lint(LintArgs),
    /// Show the documentation of a diagnostic code.
    Explain(ExplainArgs),
    /// Compile rules files into a rule bundle.
    Compile(compile::CompileArgs),
    /// Show what a rule bundle contains.
    Inspect(inspect::InspectArgs),
    /// Replay an events file through a rule bundle and print the alerts.
    Replay(replay::ReplayArgs),
    /// Run rule test files.
    Test(test::TestArgs),
    /// Push a bundle to an OCI registry; prints the manifest digest.
    Push(push::PushArgs),
    /// Pull a bundle from an OCI registry, checking every digest.
    Pull(pull::PullArgs),
    /// Point a tag at the manifest another tag or digest names (promotion).
    Tag(tag::TagArgs),
    /// Create an ed25519 key pair for signing bundles.
    Keygen(keygen::KeygenArgs),
    /// Sign a bundle file or a bundle on a registry.
    Sign(sign::SignArgs),
    /// Rewrite rules files in the canonical layout (or, with --check, list those
    /// that are not).
    Fmt(fmt::FmtArgs),
    /// Show a rule as Falco compiles it: macros inlined, lists substituted, appends
    /// and exceptions applied, each piece with where it came from.
    Show(show::ShowArgs),
    /// Compare two versions of a ruleset: what changed, whether rules match more or
    /// fewer events, and the version class (exit 0: no change, 1: changes).
    Diff(diff::DiffArgs),
}

/// Arguments of `falco-rulec lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Rules files, or directories whose *.yaml/*.yml files load in name order. Without
    /// files or --config, the embedded default rules are linted.
    #[arg(value_name = "FILES|DIRS")]
    pub paths: Vec<PathBuf>,
    /// A Falco configuration file whose `rules_files` load first, in order.
    #[arg(long, value_name = "falco.yaml")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,
    /// Exit with 1 when there are warnings, not only errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// A plugin schema (Falco's `--list --format=json`, or a plugin's fields and
    /// events) whose fields, event names, sources and version the rules may use;
    /// repeatable, added to the project file's `lint.plugin-schemas`.
    #[arg(long, value_name = "FILE")]
    pub plugin_schema: Vec<PathBuf>,
    /// Which diagnostics to report, and how.
    #[command(flatten)]
    pub suppressions: suppressions::SuppressionArgs,
    /// When to colour the human output (`auto`: on a terminal, unless `NO_COLOR` is set).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `--color` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour, given `NO_COLOR`'s value and whether stdout is a terminal.
    pub fn resolve(self, no_color: Option<&std::ffi::OsStr>, stdout_is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_is_terminal && no_color.is_none_or(|value| value.is_empty())
            }
        }
    }
}

/// Arguments of `falco-rulec explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A code (`E401`) or its name (`unknown-field`), in any case.
    #[arg(required_unless_present = "list", conflicts_with = "list")]
    pub code: Option<String>,
    /// List every code with its name, severity and summary.
    #[arg(long)]
    pub list: bool,
}

/// `--format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Code frames with labels, help and notes, then a summary.
    Human,
    /// The JSON contract v1.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
    /// GitLab's Code Quality report (JSON).
    Gitlab,
}

impl From<FormatArg> for crate::render::Format {
    fn from(format: FormatArg) -> crate::render::Format {
        use crate::render::Format;
        match format {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Github => Format::Github,
            FormatArg::Gitlab => Format::Gitlab,
        }
    }
}

/// Runs the command line: parses `std::env::args`, does the work, returns the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` print to stdout and succeed; usage errors exit 2.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_OK
            });
        }
    };
    ExitCode::from(run(cli))
}

/// The rules files named by `paths` and `--config`, as (path, text) in load order
/// (with neither, the embedded default rules); on failure the reasons are printed
/// on stderr and the usage exit code returned.
fn gather_inputs(
    paths: &[PathBuf],
    config: Option<&std::path::Path>,
) -> Result<Vec<(String, String)>, u8> {
    if paths.is_empty() && config.is_none() {
        return Ok(defaults::default_rules());
    }
    falco_analysis::inputs::gather(paths, config).map_err(|errors| {
        for error in errors {
            eprintln!("error: {error}");
        }
        EXIT_USAGE
    })
}

/// Writes `text` to stdout. A failure (other than a reader that went away, which is
/// not worth a message) is printed on stderr; either way the usage exit code is
/// returned.
fn write_stdout(text: &str) -> Result<(), u8> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|error| {
            if error.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("error: cannot write the output: {error}");
            }
            EXIT_USAGE
        })
}

/// Runs a parsed command line and returns its exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Lint(args) => lint::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Compile(args) => compile::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Replay(args) => replay::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Push(args) => push::run(&args),
        Command::Pull(args) => pull::run(&args),
        Command::Tag(args) => tag::run(&args),
        Command::Keygen(args) => keygen::run(&args),
        Command::Sign(args) => sign::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Show(args) => show::run(&args),
    }
}

#[cfg(test)]
mod tests;
