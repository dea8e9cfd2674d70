//! Whole-process replay: `falco-rulec replay` of the bench mix through the three upstream
//! rules files, measured as a child process: CPU seconds (user + system) and peak memory.
//!
//! ```text
//! cargo bench -p falco-rulec --bench replay -- [--events N] [--rounds R] [--profile] [--baseline BIN]
//! ```
//!
//! `--profile` also runs `replay --profile` in each round, and `--baseline BIN` another
//! `falco-rulec` binary (say one built from `main`), interleaved with this one's runs so
//! both see the same machine: the before/after of a change to the replay path.
//!
//! The events (the mix of `support/mix.rs`, `N` of them, default 1,000,000) are generated
//! by the bench and piped into the child's stdin (`--events /dev/stdin`), so a file of 10 M
//! events never touches the disk. CPU time comes from the child's `/proc/PID/stat` once it
//! has exited (read before it is reaped), peak memory from its `VmHWM`, sampled every
//! 10 ms while it runs. Not a timed test: it only measures; `docs/perf.md` ("Replay")
//! records the figures.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use falco_rulec::cli::compile::compile_files;

#[path = "support/mix.rs"]
mod mix;

/// Clock ticks per second of `/proc/PID/stat` (`USER_HZ`, 100 on Linux).
const TICKS: f64 = 100.0;

fn corpus(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(path)
}

/// The value after `flag` on the command line, if given.
fn arg(flag: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == flag)?;
    args.get(at + 1).cloned()
}

/// `falco-rulec`, built next to this bench.
fn falco_rulec() -> PathBuf {
    let exe = std::env::current_exe().expect("bench path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target profile dir");
    dir.join("falco-rulec")
}

/// What one child process used.
#[derive(Debug, Clone, Copy)]
struct Usage {
    cpu_s: f64,
    peak_mb: f64,
    alerts: usize,
}

/// Waits for `child`, sampling its peak memory; reads its CPU time once it has exited but
/// before it is reaped.
fn measure(mut child: Child, stdout_lines: std::thread::JoinHandle<usize>) -> Usage {
    let pid = child.id();
    let status_path = format!("/proc/{pid}/status");
    let mut peak_kb = 0u64;
    let pid_fd = rustix::process::Pid::from_raw(pid as i32).expect("pid");
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path)
            && let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        let exited = rustix::process::waitid(
            rustix::process::WaitId::Pid(pid_fd),
            rustix::process::WaitIdOptions::EXITED
                | rustix::process::WaitIdOptions::NOWAIT
                | rustix::process::WaitIdOptions::NOHANG,
        )
        .expect("waitid");
        if exited.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    // Fields after the command name (which may hold spaces): state is field 3, utime 14,
    // stime 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let cpu_s = (ticks(11) + ticks(12)) / TICKS;
    let status = child.wait().expect("wait");
    assert!(
        status.code().is_some_and(|c| c <= 1),
        "child failed: {status}"
    );
    Usage {
        cpu_s,
        peak_mb: peak_kb as f64 / 1024.0,
        alerts: stdout_lines.join().unwrap_or(0),
    }
}

/// Counts the lines a child writes on stdout.
fn count_lines(child: &mut Child) -> std::thread::JoinHandle<usize> {
    let stdout = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || BufReader::new(stdout).lines().count())
}

/// `binary replay` of `n` mix events piped as JSON lines, with `extra` arguments.
fn replay_json(binary: &Path, bundle: &Path, n: usize, extra: &[&str]) -> Usage {
    let mut child = Command::new(binary)
        .args([
            "replay",
            "--format",
            "json",
            "--hostname",
            "bench",
            "--bundle",
        ])
        .arg(bundle)
        .args(["--events", "/dev/stdin"])
        .args(extra)
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start falco-rulec");
    let stdin = child.stdin.take().expect("piped stdin");
    let feeder = std::thread::spawn(move || {
        let mut out = BufWriter::with_capacity(1 << 20, stdin);
        mix::syscall_lines(n, |line| {
            let _ = out.write_all(line.as_bytes());
            let _ = out.write_all(b"\n");
        });
        let _ = out.flush();
    });
    let lines = count_lines(&mut child);
    let usage = measure(child, lines);
    let _ = feeder.join();
    usage
}

fn report(label: &str, n: usize, runs: &[Usage]) {
    let rates: Vec<f64> = runs.iter().map(|u| n as f64 / u.cpu_s / 1e6).collect();
    let peaks: Vec<f64> = runs.iter().map(|u| u.peak_mb).collect();
    let cpu: Vec<f64> = runs.iter().map(|u| u.cpu_s).collect();
    let fmt = |v: &[f64], p: usize| {
        v.iter()
            .map(|x| format!("{x:.p$}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "{label}: {n} events; CPU s [{}]; M events per CPU-second [{}]; peak MB [{}]; alerts {}",
        fmt(&cpu, 2),
        fmt(&rates, 2),
        fmt(&peaks, 1),
        runs.first().map_or(0, |u| u.alerts)
    );
}

fn main() {
    let n: usize = arg("--events")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rounds: usize = arg("--rounds").and_then(|v| v.parse().ok()).unwrap_or(3);
    let files = [
        "upstream-rules/falco_rules.yaml",
        "upstream-rules/falco-incubating_rules.yaml",
        "upstream-rules/falco-sandbox_rules.yaml",
    ];
    let texts = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(corpus(f)).expect("corpus rules file");
            (f.to_string(), text)
        })
        .collect();
    let compiled = compile_files(texts).1.expect("the three files compile");
    let dir = std::env::temp_dir().join(format!("replay-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let bundle = dir.join("three.frb");
    std::fs::write(&bundle, &compiled.bytes).expect("write bundle");

    let this = falco_rulec();
    let baseline = arg("--baseline").map(PathBuf::from);
    let profile = std::env::args().any(|a| a == "--profile");
    let (mut json, mut profiled, mut before) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        json.push(replay_json(&this, &bundle, n, &[]));
        if profile {
            profiled.push(replay_json(&this, &bundle, n, &["--profile"]));
        }
        if let Some(baseline) = &baseline {
            before.push(replay_json(baseline, &bundle, n, &[]));
        }
    }
    report("json lines", n, &json);
    if profile {
        report("json lines, --profile", n, &profiled);
    }
    if baseline.is_some() {
        report("json lines, baseline", n, &before);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
