//! Rule VM speed: events per second through compiled bundles, field extraction
//! included, and the cost of each rule.
//!
//! Run with `cargo bench -p falco-rulec --bench vm`. Prints events/s for
//! `falco_rules.yaml`, for the three upstream files together, and for the k8s audit
//! plugin rules over the corpus audit events; then the most expensive rules (mean ns
//! per evaluation, over the events the evttype index gives them). `docs/perf.md`
//! ("Rule VM") records the figures. Not a timed test: it only measures.
//!
//! The syscall mix is built in memory: 5% `execve`, 15% `openat`, 5% `connect`, and
//! 75% events no upstream rule indexes (`read`, `write`, `close`, `futex`, `mmap`,
//! `epoll_wait`, `recvfrom`, `fstat`), from a few processes in and out of containers.
//!
//! Times are the thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not wall time, so
//! other work on a busy machine does not count against the VM.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use falco_events::{Event, read_k8s_audit, read_syscall};
use falco_rulec::cli::compile::compile_files;
use falco_vm::{Engine, RuleMatching};

#[path = "support/mix.rs"]
mod mix;

/// CPU time this thread has used.
fn cpu_now() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

fn corpus(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(path)
}

fn read(path: &str) -> (String, String) {
    let full = corpus(path);
    let text = std::fs::read_to_string(&full)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()));
    (path.to_owned(), text)
}

fn engine(files: &[&str]) -> Engine {
    let compiled = compile_files(files.iter().map(|f| read(f)).collect())
        .1
        .unwrap_or_else(|e| panic!("compile {files:?}: {e}"));
    Engine::load(&compiled.bytes).expect("bundle loads")
}

/// The syscall mix, as events.
fn syscall_mix(n: usize) -> Vec<Event> {
    let mut lines = String::new();
    mix::syscall_lines(n, |line| {
        lines.push_str(line);
        lines.push('\n');
    });
    read_syscall(&lines)
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("bench events parse")
}

fn k8s_events() -> Vec<Event> {
    let dir = corpus("k8s-audit-events/events");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("k8s events dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut events = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("k8s event file");
        events.extend(read_k8s_audit(&text).into_iter().filter_map(Result::ok));
    }
    events
}

/// Evaluates every event `rounds` times; returns the best events/s of `runs` runs.
fn throughput(engine: &Engine, events: &[Event], rounds: usize) -> (f64, usize) {
    let mut scratch = engine.scratch();
    let mut hits = Vec::new();
    let mut best = Duration::MAX;
    let mut alerts = 0;
    for _ in 0..5 {
        let start = cpu_now();
        alerts = 0;
        for _ in 0..rounds {
            for event in events {
                engine.matching_rules(black_box(event), &mut scratch, &mut hits);
                alerts += hits.len();
            }
        }
        best = best.min(cpu_now() - start);
    }
    let n = (events.len() * rounds) as f64;
    (n / best.as_secs_f64(), alerts / rounds)
}

/// Mean nanoseconds per evaluation of each rule over the events its evttypes admit.
fn rule_costs(engine: &Engine, events: &[Event]) -> Vec<(f64, String, usize)> {
    let mut scratch = engine.scratch();
    let mut out = Vec::new();
    for (id, rule) in engine.rules().iter().enumerate() {
        let mine: Vec<&Event> = events
            .iter()
            .filter(|e| engine.candidates(e).contains(&(id as u32)))
            .collect();
        if mine.is_empty() || !rule.enabled {
            continue;
        }
        let rounds = (200_000 / mine.len()).max(1);
        let start = cpu_now();
        for _ in 0..rounds {
            for event in &mine {
                black_box(engine.rule_matches(id, event, &mut scratch));
            }
        }
        let ns = (cpu_now() - start).as_nanos() as f64 / (rounds * mine.len()) as f64;
        out.push((ns, rule.name.clone(), mine.len()));
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0));
    out
}

fn report(label: &str, mut engine: Engine, events: &[Event], rounds: usize) {
    let enabled = engine.rules().iter().filter(|r| r.enabled).count();
    let (first, alerts) = throughput(&engine, events, rounds);
    engine.set_rule_matching(RuleMatching::All);
    let (all, _) = throughput(&engine, events, rounds);
    println!(
        "{label}: {enabled} enabled rules, {} events: {:.2} M events/s ({:.0} ns/event), rule_matching all {:.2} M/s; {alerts} alerts per pass",
        events.len(),
        first / 1e6,
        1e9 / first,
        all / 1e6
    );
    println!("  most expensive rules (mean ns per evaluation, events evaluated):");
    for (ns, name, n) in rule_costs(&engine, events).into_iter().take(8) {
        println!("    {ns:8.1} ns  {name} ({n})");
    }
}

fn main() {
    let events = syscall_mix(10_000);
    report(
        "falco_rules.yaml",
        engine(&["upstream-rules/falco_rules.yaml"]),
        &events,
        50,
    );
    report(
        "all three upstream files",
        engine(&[
            "upstream-rules/falco_rules.yaml",
            "upstream-rules/falco-incubating_rules.yaml",
            "upstream-rules/falco-sandbox_rules.yaml",
        ]),
        &events,
        50,
    );
    let k8s = k8s_events();
    report(
        "k8s_audit_rules.yaml",
        engine(&["plugin-rules/k8s_audit_rules.yaml"]),
        &k8s,
        2_000,
    );
}
