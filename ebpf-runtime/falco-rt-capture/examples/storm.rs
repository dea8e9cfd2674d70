//! Measures what capture costs a syscall-heavy process.
//!
//! `cargo run --release -p falco-rt-capture --example storm -- [--iters N] [--mix K] [--reps R]`
//!
//! A worker child process opens and closes a file `N` times, calling
//! `getppid` `K` times per iteration as uninteresting load, and reports its
//! own CPU time. The parent runs it without capture, with the hooks attached
//! but none of the worker's syscalls selected, and with openat+close selected (the global raw
//! `sys_exit` hook and per-syscall tracepoints; batched wakeups), draining and
//! decoding the ring meanwhile. Repetitions are interleaved (every phase once,
//! then again) so that load changes on the machine hit all phases alike; each
//! row is the median of its repetitions, with the fastest repetition beside
//! it (on a busy machine other processes only ever add time, so the minimum
//! is the steadier figure). Needs root.

use std::fs::File;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use falco_rt_capture::{Attach, Capture, CaptureConfig, ebpf_permitted};
use rustix::time::{ClockId, clock_gettime};

fn ns(clock: ClockId) -> u64 {
    let t = clock_gettime(clock);
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

fn worker(iters: u64, mix: u64, path: &str) {
    let (cpu0, wall0) = (ns(ClockId::ProcessCPUTime), Instant::now());
    for _ in 0..iters {
        if let Ok(f) = File::open(path) {
            drop(f);
        }
        for _ in 0..mix {
            std::hint::black_box(rustix::process::getppid());
        }
    }
    let cpu = ns(ClockId::ProcessCPUTime) - cpu0;
    println!("{cpu} {}", wall0.elapsed().as_nanos());
}

/// A capture setup: config and selected syscalls; `None` runs without capture.
type Phase<'a> = Option<(&'a CaptureConfig, &'a [&'a str])>;

struct Run {
    cpu_ns: u64,
    wall_ns: u64,
    events: u64,
    dropped: u64,
    reader_cpu_ns: u64,
}

fn run(iters: u64, mix: u64, capture: Phase<'_>) -> Result<Run, String> {
    let path = std::env::temp_dir().join("falco-rt-storm.txt");
    std::fs::write(&path, b"x").map_err(|e| e.to_string())?;
    let mut cap = match capture {
        Some((cfg, set)) => {
            let cap = Capture::start(cfg, set).map_err(|e| e.to_string())?;
            if let Some(why) = cap.fallback() {
                return Err(format!(
                    "per-syscall hooks fell back to the raw hook: {why}"
                ));
            }
            Some(cap)
        }
        None => None,
    };
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = Command::new(exe)
        .args(["--worker", &iters.to_string(), &mix.to_string()])
        .arg(&path)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let child_pid = child.id();
    let reader0 = ns(ClockId::ThreadCPUTime);
    let mut events = 0u64;
    let mut ok_handle = Some(child);
    let mut output = None;
    // Drain while the worker runs, then until the ring stays empty.
    let mut idle_after_exit = 0;
    while idle_after_exit < 3 {
        if let Some(c) = cap.as_mut() {
            let n = c
                .poll(Duration::from_millis(20), |ev| {
                    if ev.is_ok_and(|e| e.header().tgid == child_pid) {
                        events += 1;
                    }
                })
                .map_err(|e| e.to_string())?;
            if output.is_some() && n == 0 {
                idle_after_exit += 1;
            }
        } else {
            idle_after_exit = 3;
        }
        if let Some(mut ch) = ok_handle.take() {
            match ch.try_wait() {
                Ok(Some(_)) => output = Some(ch.wait_with_output().map_err(|e| e.to_string())?),
                Ok(None) => {
                    ok_handle = Some(ch);
                    if cap.is_none() {
                        output = Some(ch_wait(&mut ok_handle)?);
                    }
                }
                Err(e) => return Err(e.to_string()),
            }
        }
    }
    let reader_cpu_ns = ns(ClockId::ThreadCPUTime) - reader0;
    let output = match output {
        Some(o) => o,
        None => ch_wait(&mut ok_handle)?,
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let mut it = text
        .split_whitespace()
        .map(|v| v.parse::<u64>().unwrap_or(0));
    let (cpu_ns, wall_ns) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
    let dropped = cap
        .as_ref()
        .and_then(|c| c.counters().ok())
        .map_or(0, |c| c.dropped);
    Ok(Run {
        cpu_ns,
        wall_ns,
        events,
        dropped,
        reader_cpu_ns,
    })
}

fn ch_wait(h: &mut Option<std::process::Child>) -> Result<std::process::Output, String> {
    h.take()
        .ok_or("no child")?
        .wait_with_output()
        .map_err(|e| e.to_string())
}

/// The median repetition, and the fastest one's worker CPU time.
fn median(mut runs: Vec<Run>) -> Option<(Run, u64)> {
    runs.sort_by_key(|r| r.cpu_ns);
    let fastest = runs.first()?.cpu_ns;
    let mid = runs.len() / 2;
    runs.into_iter().nth(mid).map(|r| (r, fastest))
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--worker") {
        let num = |i: usize| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(0);
        worker(
            num(2),
            num(3),
            args.get(4).map_or("/dev/null", String::as_str),
        );
        return;
    }
    let opt = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (iters, mix, reps) = (
        opt("--iters", 200_000),
        opt("--mix", 0),
        opt("--reps", 3) as u32,
    );
    if let Err(why) = ebpf_permitted() {
        eprintln!("storm: {why}");
        std::process::exit(2);
    }
    let syscalls_per_iter = 2 + mix;
    println!(
        "falco-rt capture storm: {iters} iterations of open+close + {mix} getppid, median of {reps}"
    );
    println!();
    println!(
        "| phase | worker CPU ns/syscall | overhead | fastest rep ns/syscall | overhead | events | events/s | drops | reader CPU ns/event |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let exit_only = CaptureConfig {
        attach: Attach::ExitOnly,
        ..CaptureConfig::default()
    };
    let per_syscall = CaptureConfig {
        attach: Attach::PerSyscall,
        ..CaptureConfig::default()
    };
    let no_ia32 = CaptureConfig {
        attach: Attach::PerSyscall,
        ia32: false,
        ..CaptureConfig::default()
    };
    let both: &[&str] = &["openat", "close"];
    // A syscall the worker does not make: the hooks are live, nothing of the
    // worker's is selected (with no syscall selected at all, per-syscall mode
    // attaches nothing and costs nothing).
    let other: &[&str] = &["mkdir"];
    let phases: [(&str, Phase<'_>); 7] = [
        ("no capture", None),
        (
            "per-syscall tracepoints without the ia32 hook, only mkdir selected",
            Some((&no_ia32, other)),
        ),
        (
            "per-syscall tracepoints without the ia32 hook, openat+close",
            Some((&no_ia32, both)),
        ),
        (
            "raw sys_exit hook, only mkdir selected",
            Some((&exit_only, other)),
        ),
        (
            "per-syscall tracepoints, only mkdir selected",
            Some((&per_syscall, other)),
        ),
        ("raw sys_exit hook, openat+close", Some((&exit_only, both))),
        (
            "per-syscall tracepoints, openat+close",
            Some((&per_syscall, both)),
        ),
    ];
    let mut runs: Vec<Vec<Run>> = phases.iter().map(|_| Vec::new()).collect();
    for _ in 0..reps {
        for ((name, cap), out) in phases.iter().zip(&mut runs) {
            match run(iters, mix, *cap) {
                Ok(r) => out.push(r),
                Err(e) => {
                    eprintln!("storm: {name}: {e}");
                    std::process::exit(1);
                }
            }
        }
    }
    let mut base = None;
    for ((name, _), runs) in phases.iter().zip(runs) {
        let Some((r, fastest)) = median(runs) else {
            eprintln!("storm: no runs (--reps 0)");
            std::process::exit(1);
        };
        let syscalls = (iters * syscalls_per_iter) as f64;
        let (per, min) = (r.cpu_ns as f64 / syscalls, fastest as f64 / syscalls);
        let (base_per, base_min) = *base.get_or_insert((per, min));
        let eps = if r.wall_ns > 0 {
            r.events as f64 * 1e9 / r.wall_ns as f64
        } else {
            0.0
        };
        let reader = if r.events > 0 {
            format!("{:.0}", r.reader_cpu_ns as f64 / r.events as f64)
        } else {
            "-".into()
        };
        println!(
            "| {name} | {per:.0} | {:+.1}% | {min:.0} | {:+.1}% | {} | {eps:.0} | {} | {reader} |",
            (per / base_per - 1.0) * 100.0,
            (min / base_min - 1.0) * 100.0,
            r.events,
            r.dropped
        );
    }
    println!();
    println!("agent RSS after the runs: {} KiB", rss_kib());
}
