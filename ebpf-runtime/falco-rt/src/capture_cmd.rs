//! `falco-rt capture`: live enriched events to a JSON-lines file that
//! `falco-rulec replay` and `falco-rulec test` read, or to a capture file (`.scap`) that
//! Falco and sysdig read as well (`capture_scap.rs`).

use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

use falco_rt_capture::{BootClock, Capture, CaptureConfig};
use falco_rt_enrich::Enricher;
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
            eprintln!(
                "falco-rt capture: {n} events written to {}",
                args.output.display()
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

    let sink: Box<dyn Write> = if args.output.as_os_str() == "-" {
        Box::new(std::io::stdout())
    } else {
        Box::new(
            std::fs::File::create(&args.output)
                .map_err(|e| format!("{}: {e}", args.output.display()))?,
        )
    };
    let scap = args.output.extension().is_some_and(|e| e == "scap");
    let mut out = BufWriter::new(sink);
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
    let mut capture_file = if scap {
        let file = std::mem::replace(&mut out, BufWriter::new(Box::new(std::io::sink())));
        Some(
            ScapCapture::start(file, &state, &host, clock.to_unix_ns(0))
                .map_err(|e| format!("{}: {e}", args.output.display()))?,
        )
    } else {
        None
    };
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
    let mut write_error: Option<std::io::Error> = None;
    let limit = args.count.unwrap_or(u64::MAX);
    while !signals.stopping() && end.is_none_or(|e| Instant::now() < e) && written < limit {
        capture
            .poll(Duration::from_millis(20), |rec| {
                let Ok(rec) = rec else { return };
                if written >= limit || write_error.is_some() {
                    return;
                }
                let h = match &rec {
                    falco_rt_record::Event::Syscall(s) => s.header,
                    falco_rt_record::Event::Exec(x) => x.header,
                    falco_rt_record::Event::Fork(f) => f.header,
                    falco_rt_record::Event::Exit(x) => x.header,
                };
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
                if let Some(capture_file) = capture_file.as_mut() {
                    let result = falco_rt_enrich::to_event(&line)
                        .map_err(|e| std::io::Error::other(e.to_string()))
                        .and_then(|event| capture_file.record(&rec, &event, &state, ts));
                    match result {
                        Ok(()) => written += 1,
                        Err(e) => write_error = Some(e),
                    }
                    return;
                }
                // Lines carry the host name so a replay elsewhere reports this node.
                let result = if host.is_empty() {
                    writeln!(out, "{line}")
                } else {
                    let body = line.strip_suffix('}').unwrap_or(&line);
                    let mut host_json = String::new();
                    falco_events::json::write_json_string(&host, &mut host_json);
                    writeln!(out, "{body},\"hostname\":{host_json}}}")
                };
                match result {
                    Ok(()) => written += 1,
                    Err(e) => write_error = Some(e),
                }
            })
            .map_err(|e| format!("capture: {e}"))?;
        if let Some(e) = write_error.take() {
            return Err(format!("{}: {e}", args.output.display()));
        }
    }
    if let Some(c) = &containers {
        c.stop();
    }
    if let Some(capture_file) = capture_file {
        capture_file
            .finish()
            .and_then(|mut file| file.flush())
            .map_err(|e| format!("{}: {e}", args.output.display()))?;
    }
    out.flush()
        .map_err(|e| format!("{}: {e}", args.output.display()))?;
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
