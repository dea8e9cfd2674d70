//! `falco-rulec replay`: run an events file through a rule bundle and print the
//! alerts as Falco prints them (one line each, text or JSON).
//!
//! The events' source is the bundle's when it has one source, else it is detected
//! from the file (`falco_events::detect_source`). Events that cannot be read are
//! reported on stderr with their line and column; the others are still replayed.
//!
//! Exit codes: 0 when every event was read and no rule fired, 1 when at least one
//! alert was printed, 2 for a usage error, an unreadable or invalid bundle, or an
//! events file with unreadable events.

use std::io::Write;
use std::path::PathBuf;

use falco_events::Source;
use falco_vm::{Engine, OutputOptions, Priority, RuleMatching};

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};

/// Arguments of `falco-rulec replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The rule bundle (`falco-rulec compile -o`).
    #[arg(long, value_name = "bundle.frb")]
    pub bundle: PathBuf,
    /// The events file (k8s audit JSON, or syscall JSON lines).
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// Alert format.
    #[arg(long, value_enum, default_value_t = AlertFormat::Text)]
    pub format: AlertFormat,
    /// Falco's `rule_matching`: stop at the first matching rule, or report all.
    #[arg(long, value_enum, default_value_t = MatchingArg::First)]
    pub rule_matching: MatchingArg,
    /// Falco's `priority`: load only rules at least this severe.
    #[arg(long, value_name = "PRIORITY", default_value = "debug")]
    pub min_priority: String,
    /// The host name of alerts whose event has none.
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,
    /// Leave `output` out of JSON alerts (`json_include_output_property: false`).
    #[arg(long)]
    pub no_output_property: bool,
    /// Leave `tags` out of JSON alerts (`json_include_tags_property: false`).
    #[arg(long)]
    pub no_tags_property: bool,
    /// Print times as ISO 8601 (`time_format_iso_8601: true`).
    #[arg(long)]
    pub time_format_iso_8601: bool,
}

/// `--format` values of `replay`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AlertFormat {
    /// `HH:MM:SS.nnnnnnnnn: Priority message`.
    Text,
    /// Falco's JSON alert, one per line.
    Json,
}

/// `--rule-matching` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MatchingArg {
    /// The first matching rule of each event.
    First,
    /// Every matching rule.
    All,
}

/// What a replay produced.
#[derive(Debug, Default)]
pub struct Replay {
    /// The rendered alerts, one line each.
    pub lines: Vec<String>,
    /// Events that could not be read (`line L, column C: message`).
    pub errors: Vec<String>,
    /// Events evaluated.
    pub events: usize,
}

/// Replays the events of `text` through `engine`.
pub fn replay_text(
    engine: &Engine,
    source: Source,
    text: &str,
    format: AlertFormat,
    options: &OutputOptions,
) -> Replay {
    let mut replay = Replay::default();
    let mut scratch = engine.scratch();
    let mut hits = Vec::new();
    for event in falco_events::read_events(source, text) {
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                replay.errors.push(error.to_string());
                continue;
            }
        };
        replay.events += 1;
        engine.matching_rules(&event, &mut scratch, &mut hits);
        for &rule in &hits {
            if let Some(alert) = engine.alert(rule, &event, &mut scratch) {
                replay.lines.push(match format {
                    AlertFormat::Text => alert.to_text(options),
                    AlertFormat::Json => alert.to_json(options),
                });
            }
        }
    }
    replay
}

fn system_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

pub(super) fn run(args: &ReplayArgs) -> u8 {
    let Some(min_priority) = Priority::parse(&args.min_priority) else {
        eprintln!(
            "error: unknown priority `{}` (emergency, alert, critical, error, warning, notice, informational, debug)",
            args.min_priority
        );
        return EXIT_USAGE;
    };
    let bytes = match std::fs::read(&args.bundle) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("error: cannot read `{}`: {error}", args.bundle.display());
            return EXIT_USAGE;
        }
    };
    let mut engine = match Engine::load(&bytes) {
        Ok(engine) => engine,
        Err(error) => {
            eprintln!("error: `{}`: {error}", args.bundle.display());
            return EXIT_USAGE;
        }
    };
    engine.set_rule_matching(match args.rule_matching {
        MatchingArg::First => RuleMatching::First,
        MatchingArg::All => RuleMatching::All,
    });
    engine.set_min_priority(min_priority);
    engine.set_hostname(args.hostname.clone().unwrap_or_else(system_hostname));
    let text = match std::fs::read(&args.events) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                eprintln!(
                    "error: `{}`: not UTF-8 (byte {})",
                    args.events.display(),
                    error.utf8_error().valid_up_to()
                );
                return EXIT_USAGE;
            }
        },
        Err(error) => {
            eprintln!("error: cannot read `{}`: {error}", args.events.display());
            return EXIT_USAGE;
        }
    };
    let bundle_sources: Vec<Source> = engine
        .bundle()
        .sources
        .iter()
        .filter_map(|s| Source::from_name(s))
        .collect();
    let source = match (
        bundle_sources.as_slice(),
        falco_events::detect_source(&text),
    ) {
        (_, Some(detected)) => detected,
        ([only], None) => *only,
        _ => {
            eprintln!(
                "error: `{}`: cannot tell the events' source (neither Kubernetes audit JSON nor syscall JSON lines)",
                args.events.display()
            );
            return EXIT_USAGE;
        }
    };
    let options = OutputOptions {
        json_include_output_property: !args.no_output_property,
        json_include_tags_property: !args.no_tags_property,
        time_format_iso_8601: args.time_format_iso_8601,
        ..OutputOptions::default()
    };
    let replay = replay_text(&engine, source, &text, args.format, &options);
    let mut stdout = std::io::stdout().lock();
    for line in &replay.lines {
        if writeln!(stdout, "{line}").is_err() {
            return EXIT_USAGE;
        }
    }
    let _ = stdout.flush();
    for error in &replay.errors {
        eprintln!("error: {}: {error}", args.events.display());
    }
    if !replay.errors.is_empty() {
        EXIT_USAGE
    } else if replay.lines.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}
