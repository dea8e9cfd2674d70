//! falco-rt under a bounded syscall load, with and without the agent.
//!
//! ```sh
//! cargo bench -p falco-rt --bench agent -- [--iters N] [--mix M] [--reps R] [--workers W]
//!     [--rate I] [--agent PATH]...
//! ```
//!
//! Worker processes (this binary, re-executed) open and close a file `--iters` times in
//! all, plus `--mix` `getppid` calls per iteration (syscalls no rule wants), and report
//! their own CPU time. `--workers` splits the iterations over that many processes, all
//! pinned to the machine's last CPU, so the load is at most one core's worth whatever
//! their number (default 1, unpinned). `--rate` bounds the load to `I` iterations per
//! second in all (each worker paces itself; default: as fast as they can), so the agent
//! can be checked for drops at a known event rate. Each repetition runs the workers without an agent,
//! then with each `--agent` build (default: the one built with this bench) running the
//! stdlib bundle (compiled here), in the same run: `--agent old/falco-rt --agent
//! new/falco-rt` is an A/B comparison. The agent's stats (records, evaluated events,
//! kernel drops, CPU, RSS) come from its SIGUSR1 stats lines around the loaded phase.
//! Needs root; prints a skip line otherwise.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rustix::time::{ClockId, clock_gettime};

fn cpu_ns() -> u64 {
    let t = clock_gettime(ClockId::ProcessCPUTime);
    u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0)
}

/// The worker: prints `cpu_ns wall_ns syscalls`. With a `rate` (iterations per
/// second), it sleeps whenever it is ahead of that pace, checked every 256 iterations.
fn worker(iters: u64, mix: u64, pin: Option<usize>, rate: Option<u64>) {
    if let Some(cpu) = pin {
        let mut set = rustix::thread::CpuSet::new();
        set.set(cpu);
        rustix::thread::sched_setaffinity(None, &set).expect("pin the worker");
    }
    let path = std::env::temp_dir().join(format!("falco-rt-bench-{}", std::process::id()));
    std::fs::write(&path, "x").expect("file");
    let start_cpu = cpu_ns();
    let start = Instant::now();
    for done in 0..iters {
        if let Some(rate) = rate.filter(|_| done % 256 == 0) {
            let due = Duration::from_nanos(done.saturating_mul(1_000_000_000) / rate.max(1));
            if let Some(ahead) = due.checked_sub(start.elapsed()) {
                std::thread::sleep(ahead);
            }
        }
        drop(std::fs::File::open(&path).expect("open"));
        for _ in 0..mix {
            std::hint::black_box(std::os::unix::process::parent_id());
        }
    }
    let wall = start.elapsed().as_nanos();
    let cpu = cpu_ns() - start_cpu;
    let _ = std::fs::remove_file(&path);
    println!("{cpu} {wall} {}", iters * (2 + mix));
}

/// The load: `workers` processes started together; (CPU ns, wall ns of the slowest,
/// syscalls) in all.
fn run_workers(iters: u64, mix: u64, workers: u64, rate: Option<u64>) -> (f64, f64, u64) {
    let pin = (workers > 1).then(|| {
        std::thread::available_parallelism()
            .map_or(0, |n| n.get() - 1)
            .to_string()
    });
    let children: Vec<Child> = (0..workers)
        .map(|_| {
            Command::new(std::env::current_exe().expect("exe"))
                .env(
                    "FALCO_RT_BENCH_WORKER",
                    format!(
                        "{} {mix} {} {}",
                        iters / workers,
                        pin.as_deref().unwrap_or("-"),
                        rate.map_or("-".to_owned(), |r| (r / workers).max(1).to_string())
                    ),
                )
                .stdout(Stdio::piped())
                .spawn()
                .expect("worker")
        })
        .collect();
    let (mut cpu, mut wall, mut n) = (0.0, 0.0f64, 0);
    for child in children {
        let out = child.wait_with_output().expect("worker");
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Vec<u64> = text
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        assert_eq!(v.len(), 3, "worker said {text:?}");
        cpu += v[0] as f64;
        wall = wall.max(v[1] as f64);
        n += v[2];
    }
    (cpu, wall, n)
}

fn stats(agent: &mut support::Agent) -> serde_json::Value {
    let before = agent.stderr.lock().expect("lock").len();
    agent.signal("USR1");
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        let found = agent.stderr.lock().expect("lock")[before..]
            .iter()
            .find(|l| l.starts_with("{\"falco_rt_stats\""))
            .cloned();
        if let Some(line) = found {
            return serde_json::from_str::<serde_json::Value>(&line).expect("stats JSON")
                ["falco_rt_stats"]
                .clone();
        }
        assert!(Instant::now() < end, "no stats line after SIGUSR1");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The agent's resident set, sampled while it runs (the stats line's figure is taken
/// at exit, after the ring is unmapped).
fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    if let Ok(spec) = std::env::var("FALCO_RT_BENCH_WORKER") {
        let v: Vec<&str> = spec.split_whitespace().collect();
        let num = |i: usize| v.get(i).and_then(|w| w.parse::<u64>().ok());
        let pin = v.get(2).and_then(|w| w.parse::<usize>().ok());
        worker(num(0).unwrap_or(0), num(1).unwrap_or(0), pin, num(3));
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    if let Err(why) = falco_rt_capture::ebpf_permitted() {
        println!("skip falco-rt bench: {why}");
        return;
    }
    let iters = support::bench_arg(&args, "--iters", 200_000);
    let mix = support::bench_arg(&args, "--mix", 0);
    let reps = support::bench_arg(&args, "--reps", 3);
    let workers = support::bench_arg(&args, "--workers", 1).max(1);
    let rate = Some(support::bench_arg(&args, "--rate", 0)).filter(|&r| r > 0);
    let mut agents: Vec<PathBuf> = args
        .windows(2)
        .filter(|w| w[0] == "--agent")
        .map(|w| PathBuf::from(&w[1]))
        .collect();
    if agents.is_empty() {
        agents.push(PathBuf::from(env!("CARGO_BIN_EXE_falco-rt")));
    }
    let dir = support::TempDir::new("bench");
    let bundle = dir.path("stdlib.frb");
    std::fs::write(&bundle, support::stdlib_bundle()).expect("bundle");

    println!(
        "falco-rt bench: iters={iters} mix={mix} ({} syscalls per iteration), {workers} worker(s), rate {}, {reps} reps, load average {}",
        2 + mix,
        rate.map_or("unbounded".to_owned(), |r| format!("{r} iterations/s")),
        loadavg()
    );
    for (i, a) in agents.iter().enumerate() {
        println!("agent {}: {}", i + 1, a.display());
    }
    println!(
        "| rep | phase | worker CPU ns/syscall | overhead | records/s | events evaluated | evaluated/s | kernel drops | agent CPU ns/record | agent CPU ns/evaluated | agent RSS MB |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for rep in 1..=reps {
        let (base_cpu, _, n) = run_workers(iters, mix, workers, rate);
        let base = base_cpu / n as f64;
        println!("| {rep} | no agent | {base:.0} | +0% | - | - | - | - | - | - | - |");

        for (i, bin) in agents.iter().enumerate() {
            let mut agent = support::Agent::spawn_bin(
                bin,
                &["--bundle", bundle.to_str().expect("utf8"), "--no-k8s-audit"],
            );
            agent.wait_stderr("capturing");
            std::thread::sleep(Duration::from_millis(300));
            let s0 = stats(&mut agent);
            let (cpu, wall, n) = run_workers(iters, mix, workers, rate);
            let rss = rss_mb(agent.pid());
            // Let the agent drain what the ring still holds.
            std::thread::sleep(Duration::from_millis(500));
            let s1 = stats(&mut agent);
            let d = |k: &str| s1[k].as_u64().unwrap_or(0) - s0[k].as_u64().unwrap_or(0);
            let per = cpu / n as f64;
            let (records, evaluated) = (d("records"), d("evaluated"));
            let secs = wall / 1e9;
            let cpu_ns = d("cpu_ms") as f64 * 1e6;
            println!(
                "| {rep} | agent {} + stdlib | {per:.0} | {:+.0}% | {:.0} | {evaluated} | {:.0} | {} | {:.0} | {:.0} | {rss:.1} |",
                i + 1,
                (per / base - 1.0) * 100.0,
                records as f64 / secs,
                evaluated as f64 / secs,
                d("kernel_dropped"),
                cpu_ns / records.max(1) as f64,
                cpu_ns / evaluated.max(1) as f64,
            );
            assert_eq!(agent.stop(), 0, "falco-rt did not stop cleanly");
        }
    }
    println!("load average at the end: {}", loadavg());
}
