//! `falco-rulec replay`: run an events file through a rule bundle and print the
//! alerts as Falco prints them (one line each, text or JSON).
//!
//! The events' source is detected from the file (`falco_events::detect_source_prefix`),
//! else it is the bundle's when it has one source. The file is read, evaluated and
//! written event by event, so memory does not grow with its length, and each alert is
//! printed as soon as its event is evaluated. Events that cannot be read are reported on
//! stderr with their line and column as they are met; the others are still replayed. On
//! a terminal, a progress line on stderr shows how far a long file is.
//!
//! With `--profile`, each rule's evaluations, matches and time are measured through the
//! VM's trace hook and printed on stderr after the replay, most expensive first;
//! `--profile-json FILE` writes them as JSON too (`docs/profile.md`). Without either,
//! the replay runs the untraced evaluation.
//!
//! Exit codes: 0 when every event was read and no rule fired, 1 when at least one
//! alert was printed, 2 for a usage error, an unreadable or invalid bundle, or an
//! events file with unreadable events.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, LineWriter, Write};
use std::path::{Path, PathBuf};

use falco_events::{Event, EventStream, Source};
use falco_vm::{Engine, OutputOptions, Priority, RuleMatching};

use super::progress::Progress;
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::profile::{Profile, Profiler, report};

/// Arguments of `falco-rulec replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The rule bundle (`falco-rulec compile -o`).
    #[arg(long, value_name = "bundle.frb")]
    pub bundle: PathBuf,
    /// The events file: k8s audit JSON, syscall JSON lines, or a Falco/sysdig capture
    /// (`.scap`, plain or gzip-compressed).
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
    /// Measure each rule's evaluations, matches and time, and print them on stderr
    /// after the replay, most expensive first.
    #[arg(long)]
    pub profile: bool,
    /// Write the profile as JSON to FILE (implies --profile); the language server
    /// shows it in a rule's hover (its `profileFile` setting).
    #[arg(long, value_name = "FILE")]
    pub profile_json: Option<PathBuf>,
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

/// Where a replay's events come from: an iterator of events or errors (each error already
/// says where it is), and how far into the file it is, for the progress line.
pub trait EventSource: Iterator<Item = Result<Event, String>> {
    /// Bytes of the file consumed so far.
    fn bytes_read(&self) -> u64;

    /// What was skipped without being an error (unknown event codes of a capture), to
    /// note at the end.
    fn skipped(&self) -> Option<String> {
        None
    }
}

/// JSON events (`k8s_audit`, or syscall JSON lines) read from a stream.
struct JsonEvents<R>(EventStream<R>);

impl<R: BufRead> Iterator for JsonEvents<R> {
    type Item = Result<Event, String>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|r| r.map_err(|e| e.to_string()))
    }
}

impl<R: BufRead> EventSource for JsonEvents<R> {
    fn bytes_read(&self) -> u64 {
        self.0.bytes_read()
    }
}

/// Events of a capture file (`.scap`).
struct CaptureEvents(falco_scap::ScapReader);

impl Iterator for CaptureEvents {
    type Item = Result<Event, String>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|r| r.map_err(|e| e.to_string()))
    }
}

impl EventSource for CaptureEvents {
    fn bytes_read(&self) -> u64 {
        self.0.bytes_read()
    }

    fn skipped(&self) -> Option<String> {
        let counts = self.0.counts();
        (counts.unknown > 0).then(|| {
            format!(
                "{} event records of codes this reader does not know were skipped",
                counts.unknown
            )
        })
    }
}

/// What a replay counted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReplayCounts {
    /// Events evaluated.
    pub events: u64,
    /// Alerts written.
    pub alerts: u64,
    /// Events that could not be read.
    pub errors: u64,
}

/// What a replay tells as it goes, besides the alerts.
pub trait ReplayReport {
    /// An event that could not be read.
    fn error(&mut self, message: &str);
    /// Called every few thousand events: `read` bytes of the file are done.
    fn progress(&mut self, read: u64, counts: ReplayCounts);
}

/// Replays `events` through `engine` one at a time: each alert is written to `out` as soon
/// as its event is evaluated, and each unreadable event is reported. Only a write error on
/// `out` stops the replay. With a `profiler`, the traced evaluation reports to it; without,
/// the untraced one runs.
pub fn replay_events(
    engine: &Engine,
    events: &mut dyn EventSource,
    format: AlertFormat,
    options: &OutputOptions,
    out: &mut dyn Write,
    report: &mut dyn ReplayReport,
    mut profiler: Option<&mut Profiler>,
) -> std::io::Result<ReplayCounts> {
    let mut counts = ReplayCounts::default();
    let mut scratch = engine.scratch();
    let mut hits = Vec::new();
    while let Some(event) = events.next() {
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                counts.errors += 1;
                report.error(&error);
                continue;
            }
        };
        counts.events += 1;
        match profiler.as_deref_mut() {
            None => engine.matching_rules(&event, &mut scratch, &mut hits),
            Some(profiler) => {
                engine.matching_rules_traced(&event, &mut scratch, &mut hits, profiler);
            }
        }
        for &rule in &hits {
            if let Some(alert) = engine.alert(rule, &event, &mut scratch) {
                let line = match format {
                    AlertFormat::Text => alert.to_text(options),
                    AlertFormat::Json => alert.to_json(options),
                };
                writeln!(out, "{line}")?;
                counts.alerts += 1;
            }
        }
        if counts.events % PROGRESS_EVERY == 0 {
            report.progress(events.bytes_read(), counts);
        }
    }
    Ok(counts)
}

/// Errors and progress on stderr.
struct Stderr<'a> {
    name: &'a str,
    progress: Progress<'a>,
}

impl ReplayReport for Stderr<'_> {
    fn error(&mut self, message: &str) {
        self.progress.clear();
        eprintln!("error: {}: {message}", self.name);
    }

    fn progress(&mut self, read: u64, counts: ReplayCounts) {
        self.progress.show(read, counts);
    }
}

/// Events between two progress reports.
const PROGRESS_EVERY: u64 = 4096;

fn system_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// Opens the events file as a stream of the right source.
fn open_events(
    path: &Path,
    bundle_sources: &[Source],
) -> Result<(Box<dyn EventSource>, u64), String> {
    let file = File::open(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let size = file.metadata().map_or(0, |m| m.len());
    let mut input = BufReader::with_capacity(INPUT_BUFFER, file);
    let prefix = input
        .fill_buf()
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let (capture, compressed) = (
        falco_scap::is_capture(prefix),
        prefix.starts_with(&[0x1f, 0x8b]),
    );
    if capture {
        if !bundle_sources.contains(&Source::Syscall) {
            return Err(format!(
                "`{}` is a capture of syscall events, and the bundle has no syscall rules",
                path.display()
            ));
        }
        // A compressed capture's size says nothing about how far through it a reader is.
        let size = if compressed { 0 } else { size };
        let reader = falco_scap::ScapReader::open(input)
            .map_err(|e| format!("`{}`: {e}", path.display()))?;
        return Ok((Box::new(CaptureEvents(reader)), size));
    }
    let prefix = input
        .fill_buf()
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let source = match (bundle_sources, falco_events::detect_source_prefix(prefix)) {
        (_, Some(detected)) => detected,
        ([only], None) => *only,
        _ => {
            return Err(format!(
                "`{}`: cannot tell the events' source (neither Kubernetes audit JSON nor syscall JSON lines)",
                path.display()
            ));
        }
    };
    let stream = EventStream::new(input, source);
    Ok((Box::new(JsonEvents(stream)), size))
}

/// Bytes read from the events file at a time; also how much of it source detection sees.
const INPUT_BUFFER: usize = 1 << 20;

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
    let bundle_sources: Vec<Source> = engine
        .bundle()
        .sources
        .iter()
        .filter_map(|s| Source::from_name(s))
        .collect();
    let (mut events, size) = match open_events(&args.events, &bundle_sources) {
        Ok(opened) => opened,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let options = OutputOptions {
        json_include_output_property: !args.no_output_property,
        json_include_tags_property: !args.no_tags_property,
        time_format_iso_8601: args.time_format_iso_8601,
        ..OutputOptions::default()
    };
    let stdout = std::io::stdout();
    let mut out: Box<dyn Write> = if stdout.is_terminal() {
        Box::new(LineWriter::new(stdout.lock()))
    } else {
        Box::new(BufWriter::with_capacity(1 << 16, stdout.lock()))
    };
    let shown = args.events.display().to_string();
    let mut report = Stderr {
        name: &shown,
        progress: Progress::new(&shown, size),
    };
    let mut profiler =
        (args.profile || args.profile_json.is_some()).then(|| Profiler::new(&engine));
    let result = replay_events(
        &engine,
        events.as_mut(),
        args.format,
        &options,
        out.as_mut(),
        &mut report,
        profiler.as_mut(),
    );
    report.progress.clear();
    if let Some(note) = events.skipped() {
        eprintln!("note: {shown}: {note}");
    }
    let counts = match result.and_then(|counts| out.flush().map(|()| counts)) {
        Ok(counts) => counts,
        Err(error) => {
            eprintln!("error: cannot write the alerts: {error}");
            return EXIT_USAGE;
        }
    };
    if let Some(profiler) = &profiler {
        let profile = Profile::new(&engine, counts.events, profiler.costs());
        eprint!("{}", report::table(&profile));
        if let Some(path) = &args.profile_json {
            let matching = match args.rule_matching {
                MatchingArg::First => "first",
                MatchingArg::All => "all",
            };
            if let Err(error) = std::fs::write(path, report::json(&profile, matching)) {
                eprintln!("error: cannot write `{}`: {error}", path.display());
                return EXIT_USAGE;
            }
        }
    }
    if counts.errors > 0 {
        EXIT_USAGE
    } else if counts.alerts == 0 {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}
