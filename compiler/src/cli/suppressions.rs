//! The suppression settings of a run: the `lint` section of the nearest
//! `.falco-rulec.yaml` (from the working directory up), then `--allow`, `--warn`,
//! `--deny` and `--baseline` (docs/suppressions.md).

use std::path::{Path, PathBuf};

use super::EXIT_USAGE;
use falco_analysis::suppress::{Baseline, Level, LintSettings, project};

/// Suppression flags of `falco-rulec lint`.
#[derive(Debug, Default, clap::Args)]
pub struct SuppressionArgs {
    /// Do not report a code (`W206`) or name (`no-evttype-restriction`); repeatable.
    #[arg(long, value_name = "CODE|NAME")]
    pub allow: Vec<String>,
    /// Report a code or name as a warning; repeatable.
    #[arg(long, value_name = "CODE|NAME")]
    pub warn: Vec<String>,
    /// Report a code or name as an error (the run fails); repeatable.
    #[arg(long, value_name = "CODE|NAME")]
    pub deny: Vec<String>,
    /// Accept the findings recorded in this file: only new ones are reported.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current warnings and infos in the --baseline file (replacing it),
    /// then report only what it cannot hold: errors.
    #[arg(long, requires = "baseline")]
    pub write_baseline: bool,
}

/// The project file's settings (none when there is no project file), or the usage
/// exit code after printing why the file cannot be used.
pub(super) fn project_settings() -> Result<LintSettings, u8> {
    let start = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match project::find(&start) {
        Some(path) => project::read(&path).map_err(|error| {
            eprintln!("error: cannot use `{}`: {error}", path.display());
            EXIT_USAGE
        }),
        None => Ok(LintSettings::new(".")),
    }
}

/// The project file's settings with the flags applied over them.
pub(super) fn settings(args: &SuppressionArgs) -> Result<LintSettings, u8> {
    let mut settings = project_settings()?;
    let usage = |message: String| {
        eprintln!("error: {message}");
        EXIT_USAGE
    };
    let mut given = Vec::new();
    for (names, level) in [
        (&args.allow, Level::Allow),
        (&args.warn, Level::Warn),
        (&args.deny, Level::Deny),
    ] {
        for name in names {
            let code = project::parse_code(name).map_err(usage)?;
            if let Some((_, other)) = given
                .iter()
                .find(|(seen, other)| *seen == code && *other != level)
            {
                return Err(usage(format!(
                    "`{}` is given to both --{} and --{}",
                    code.as_str(),
                    Level::as_str(*other),
                    level.as_str()
                )));
            }
            given.push((code, level));
            settings.set_level(code, level).map_err(usage)?;
        }
    }
    if let Some(path) = &args.baseline {
        settings.baseline = if args.write_baseline {
            None
        } else {
            Some(Baseline::read(path).map_err(|error| {
                usage(format!(
                    "{error} (write one with `--baseline {} --write-baseline`)",
                    path.display()
                ))
            })?)
        };
    }
    Ok(settings)
}

/// Records the analysis's warnings and infos in the baseline file `path`, and
/// returns the baseline; prints why on failure.
pub(super) fn write_baseline(
    analysis: &falco_analysis::Analysis,
    path: &Path,
) -> Result<Baseline, u8> {
    let baseline = Baseline::record(analysis, path);
    std::fs::write(path, baseline.to_json()).map_err(|error| {
        eprintln!("error: cannot write baseline `{}`: {error}", path.display());
        EXIT_USAGE
    })?;
    eprintln!(
        "wrote baseline `{}`: {} findings accepted",
        path.display(),
        baseline.len()
    );
    Ok(baseline)
}
