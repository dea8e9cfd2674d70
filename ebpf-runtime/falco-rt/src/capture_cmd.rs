//! `falco-rt capture`: live enriched events to a JSON-lines file that
//! `falco-rulec replay` and `falco-rulec test` read, or to a capture file (`.scap`) that
//! Falco and sysdig read as well (`capture_scap.rs`).

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use falco_rt_capture::{BootClock, Capture, CaptureConfig};
use falco_rt_enrich::Enricher;
use falco_rt_record::Event as Record;
use falco_rt_state::State;

use crate::agent::hostname;
use crate::capture_scap::ScapCapture;
use crate::cli::CaptureArgs;
use crate::config::Config;
use crate::rules::{Wanted, load_bundle};
use crate::signals::Signals;

/// The syscalls today's rules look at, captured when no bundle is given.
pub const DEFAULT_SYSCALLS: &[&str] = &[
    "open",
    "openat",
    "openat2",
    "creat",
    "execve",
    "execveat",
    "connect",
    "accept",
    "accept4",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "mkdir",
    "mkdirat",
    "rmdir",
    "chmod",
    "fchmod",
    "fchmodat",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setns",
    "unshare",
    "ptrace",
    "dup",
    "dup2",
    "dup3",
    "close",
];

/// Runs the capture; returns the exit code.
pub fn run(args: &CaptureArgs) -> u8 {
    match run_inner(args) {
        Ok(n) => {
            let names: Vec<String> = args
                .output
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            eprintln!(
                "falco-rt capture: {n} events written to {}",
                names.join(", ")
            );
            0
        }
        Err(e) => {
            eprintln!("falco-rt capture: error: {e}");
            1
        }
    }
}

fn run_inner(args: &CaptureArgs) -> Result<u64, String> {
    let mut names: Vec<String> = match &args.bundle {
        Some(p) => {
            let (engine, _) =
                load_bundle(p, &crate::admit::Policy::default(), &Config::default(), "")?;
            Wanted::of(&engine)
                .syscalls()
                .into_iter()
                .map(String::from)
                .collect()
        }
        None => Wanted {
            all: false,
            names: DEFAULT_SYSCALLS.iter().map(|s| (*s).to_string()).collect(),
        }
        .syscalls()
        .into_iter()
        .map(String::from)
        .collect(),
    };
    names.extend(args.syscalls.iter().cloned());
    let names: Vec<&str> = names.iter().map(String::as_str).collect();

    let signals = Signals::install().map_err(|e| format!("signal handlers: {e}"))?;
    let mut state = State::from_host(std::path::Path::new("/"), Some(std::process::id()));
    let mut capture = Capture::start(&CaptureConfig::default(), &names)
        .map_err(|e| format!("eBPF capture: {e} (run as root)"))?;
    eprintln!(
        "falco-rt capture: capturing {} syscalls with {}",
        names.len(),
        capture.describe_hooks()
    );
    let clock = BootClock::now();
    let host = hostname();
    let mut sinks = args
        .output
        .iter()
        .map(|path| Sink::open(path, &state, &host, clock.to_unix_ns(0)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut tree = args.tree.map(|root| Tree::new(root, &state));
    let containers = match args.containers.engines()? {
        Some(engines) => Some(
            falco_rt_container::Containers::start(engines)
                .map_err(|e| format!("container lookups: {e}"))?,
        ),
        None => None,
    };
    let mut enricher = match &containers {
        Some(c) => Enricher::new().with_containers(c.clone()),
        None => Enricher::new(),
    };
    let wanted = Wanted::everything();
    let end = args
        .duration
        .map(|s| Instant::now() + Duration::from_secs_f64(s.max(0.0)));
    let mut line = String::new();
    let mut written = 0u64;
    let mut write_error: Option<String> = None;
    let limit = args.count.unwrap_or(u64::MAX);
    while !signals.stopping() && end.is_none_or(|e| Instant::now() < e) && written < limit {
        capture
            .poll(Duration::from_millis(20), |rec| {
                let Ok(rec) = rec else { return };
                if written >= limit || write_error.is_some() {
                    return;
                }
                if tree.as_mut().is_some_and(|t| !t.admits(&rec)) {
                    return;
                }
                let h = *rec.header();
                let ts = clock.to_unix_ns(h.ts_boot_ns);
                if enricher
                    .record(&mut state, &rec, ts, |t| wanted.contains(t), &mut line)
                    .is_none()
                {
                    return;
                }
                let comm = String::from_utf8_lossy(h.comm());
                if !args.comm.is_empty() && !args.comm.iter().any(|c| *c == comm) {
                    return;
                }
                let mut event = None;
                for sink in &mut sinks {
                    let result = match sink {
                        Sink::Lines { out, .. } => write_line(out, &line, &host),
                        Sink::Scap { file, .. } => event
                            .get_or_insert_with(|| falco_rt_enrich::to_event(&line))
                            .as_ref()
                            .map_err(|e| std::io::Error::other(e.to_string()))
                            .and_then(|event| file.record(&rec, event, &state, ts)),
                    };
                    if let Err(e) = result {
                        write_error = Some(format!("{}: {e}", sink.path().display()));
                        return;
                    }
                }
                written += 1;
            })
            .map_err(|e| format!("capture: {e}"))?;
        if let Some(e) = write_error.take() {
            return Err(e);
        }
    }
    if let Some(c) = &containers {
        c.stop();
    }
    for sink in sinks {
        sink.finish()?;
    }
    if let Ok(c) = capture.counters()
        && c.dropped > 0
    {
        eprintln!(
            "falco-rt capture: {} events dropped by the kernel (ring full)",
            c.dropped
        );
    }
    Ok(written)
}

/// The processes `--tree` records: a root and its descendants, those running at start
/// and those forked since.
struct Tree {
    pids: HashSet<u32>,
}

impl Tree {
    fn new(root: u32, state: &State) -> Tree {
        let descends = |mut pid: u32| {
            for _ in 0..falco_rt_state::process::MAX_ANCESTORS {
                if pid == root {
                    return true;
                }
                match state.procs.get(pid) {
                    Some(p) if p.ppid != pid => pid = p.ppid,
                    _ => return false,
                }
            }
            false
        };
        let mut pids: HashSet<u32> = state
            .procs
            .iter()
            .map(|p| p.pid)
            .filter(|&pid| descends(pid))
            .collect();
        pids.insert(root);
        Tree { pids }
    }

    /// Whether the record belongs to the tree; a fork in the tree adds its child.
    fn admits(&mut self, rec: &Record<'_>) -> bool {
        let in_tree = self.pids.contains(&rec.header().tgid);
        if in_tree && let Record::Fork(f) = rec {
            self.pids.insert(f.child_tgid);
        }
        in_tree
    }
}

/// Where captured events go: JSON lines, or a capture file (a name ending in `.scap`).
/// One capture may feed several, so that the same behaviour can be replayed by
/// `falco-rulec replay` and by Falco (the differential test does that).
enum Sink {
    Lines {
        path: PathBuf,
        out: BufWriter<Box<dyn Write>>,
    },
    Scap {
        path: PathBuf,
        file: Box<ScapCapture<BufWriter<Box<dyn Write>>>>,
    },
}

impl Sink {
    /// Creates the file (`-`: standard output) and, for a capture file, writes the
    /// state the agent starts with.
    fn open(path: &Path, state: &State, host: &str, boot_ts: u64) -> Result<Sink, String> {
        let shown = |e: std::io::Error| format!("{}: {e}", path.display());
        let raw: Box<dyn Write> = if path.as_os_str() == "-" {
            Box::new(std::io::stdout())
        } else {
            Box::new(std::fs::File::create(path).map_err(shown)?)
        };
        let out = BufWriter::new(raw);
        if path.extension().is_some_and(|e| e == "scap") {
            let file = ScapCapture::start(out, state, host, boot_ts).map_err(shown)?;
            return Ok(Sink::Scap {
                path: path.to_owned(),
                file: Box::new(file),
            });
        }
        Ok(Sink::Lines {
            path: path.to_owned(),
            out,
        })
    }

    fn path(&self) -> &Path {
        match self {
            Sink::Lines { path, .. } | Sink::Scap { path, .. } => path,
        }
    }

    /// Writes what is buffered (and a capture file's end).
    fn finish(self) -> Result<(), String> {
        let shown = |path: &Path, e: std::io::Error| format!("{}: {e}", path.display());
        match self {
            Sink::Lines { path, mut out } => out.flush().map_err(|e| shown(&path, e)),
            Sink::Scap { path, file } => file
                .finish()
                .and_then(|mut out| out.flush())
                .map_err(|e| shown(&path, e)),
        }
    }
}

/// Writes one event line, with the host name so that a replay elsewhere reports this node.
fn write_line(out: &mut impl Write, line: &str, host: &str) -> std::io::Result<()> {
    if host.is_empty() {
        return writeln!(out, "{line}");
    }
    let body = line.strip_suffix('}').unwrap_or(line);
    let mut host_json = String::new();
    falco_events::json::write_json_string(host, &mut host_json);
    writeln!(out, "{body},\"hostname\":{host_json}}}")
}
