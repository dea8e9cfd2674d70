//! falco-rt under a bounded syscall load, with and without the agent.
//!
//! ```sh
//! cargo bench -p falco-rt --bench agent -- [--iters N] [--mix M] [--reps R]
//! ```
//!
//! A worker process (this binary, re-executed) opens and closes a file `--iters` times,
//! plus `--mix` `getppid` calls per iteration (syscalls no rule wants), and reports its
//! own CPU time. Each repetition runs the worker without the agent, then with `falco-rt`
//! running the stdlib bundle (compiled here), in the same run. The agent's stats (records,
//! evaluated events, kernel drops, CPU, RSS) come from its SIGUSR1 stats lines around
//! the loaded phase. Needs root; prints a skip line otherwise.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use rustix::time::{ClockId, clock_gettime};

fn cpu_ns() -> u64 {
    let t = clock_gettime(ClockId::ProcessCPUTime);
    u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0)
}

/// The worker: prints `cpu_ns wall_ns syscalls`.
fn worker(iters: u64, mix: u64) {
    let path = std::env::temp_dir().join(format!("falco-rt-bench-{}", std::process::id()));
    std::fs::write(&path, "x").expect("file");
    let start_cpu = cpu_ns();
    let start = Instant::now();
    for _ in 0..iters {
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

fn run_worker(iters: u64, mix: u64) -> (f64, f64, u64) {
    let out = Command::new(std::env::current_exe().expect("exe"))
        .env("FALCO_RT_BENCH_WORKER", format!("{iters} {mix}"))
        .output()
        .expect("worker");
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<u64> = text
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(v.len(), 3, "worker said {text:?}");
    (v[0] as f64, v[1] as f64, v[2])
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

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if let Ok(spec) = std::env::var("FALCO_RT_BENCH_WORKER") {
        let v: Vec<u64> = spec
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        worker(v[0], v[1]);
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    if let Err(why) = falco_rt_capture::ebpf_permitted() {
        println!("skip falco-rt bench: {why}");
        return;
    }
    let iters = arg(&args, "--iters", 200_000);
    let mix = arg(&args, "--mix", 0);
    let reps = arg(&args, "--reps", 3);
    let dir = support::TempDir::new("bench");
    let bundle = dir.path("stdlib.frb");
    std::fs::write(&bundle, support::stdlib_bundle()).expect("bundle");

    println!(
        "falco-rt bench: iters={iters} mix={mix} ({} syscalls per iteration), {reps} reps",
        2 + mix
    );
    println!(
        "| rep | phase | worker CPU ns/syscall | overhead | events evaluated | events/s | kernel drops | agent CPU ns/event | agent RSS MB |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for rep in 1..=reps {
        let (base_cpu, _, n) = run_worker(iters, mix);
        let base = base_cpu / n as f64;
        println!("| {rep} | no agent | {base:.0} | +0% | - | - | - | - | - |");

        let mut agent =
            support::Agent::spawn(&["--bundle", bundle.to_str().expect("utf8"), "--no-k8s-audit"]);
        agent.wait_stderr("capturing");
        std::thread::sleep(Duration::from_millis(300));
        let s0 = stats(&mut agent);
        let (cpu, wall, n) = run_worker(iters, mix);
        // Let the agent drain what the ring still holds.
        std::thread::sleep(Duration::from_millis(500));
        let s1 = stats(&mut agent);
        let d = |k: &str| s1[k].as_u64().unwrap_or(0) - s0[k].as_u64().unwrap_or(0);
        let per = cpu / n as f64;
        let evaluated = d("evaluated");
        let rate = evaluated as f64 / (wall / 1e9);
        let agent_cpu = d("cpu_ms") as f64 * 1e6 / evaluated.max(1) as f64;
        let rss = s1["rss_kb"].as_u64().unwrap_or(0) as f64 / 1024.0;
        println!(
            "| {rep} | falco-rt + stdlib | {per:.0} | {:+.0}% | {evaluated} | {rate:.0} | {} | {agent_cpu:.0} | {rss:.1} |",
            (per / base - 1.0) * 100.0,
            d("kernel_dropped"),
        );
        assert_eq!(agent.stop(), 0, "falco-rt did not stop cleanly");
    }
}
