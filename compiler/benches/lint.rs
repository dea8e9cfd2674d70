//! Lint speed: the three upstream rules files linted together in one process, and
//! a rule whose list has 10,000 items.
//!
//! Run with `cargo bench -p falco-rulec --bench lint`. Prints the best and median
//! wall time per run; `docs/perf.md` records the figures. Not a timed test: it
//! only measures.
//!
//! `analyze` is timed without freeing its result, as `falco-rulec lint` never frees
//! it (the process exits instead). The whole command, process start and rendering
//! included, is timed too by running the release binary when it has been built.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use falco_analysis::analyze;

fn corpus(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(path)
}

fn read(path: &str) -> (String, String) {
    let full = corpus(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (is ../shared beside the repository?)",
            full.display()
        )
    });
    (path.to_owned(), text)
}

/// Times `run` `rounds` times after a warm-up; returns (best, median). What `run`
/// returns is dropped after the clock stops.
fn measure<T>(rounds: usize, mut run: impl FnMut() -> T) -> (Duration, Duration) {
    drop(run());
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            let result = black_box(run());
            let elapsed = start.elapsed();
            drop(result);
            elapsed
        })
        .collect();
    times.sort();
    (times[0], times[times.len() / 2])
}

/// The release `falco-rulec` binary beside this bench's own executable, if built.
fn release_binary() -> Option<PathBuf> {
    let bench = std::env::current_exe().ok()?;
    let binary = bench.parent()?.parent()?.join("falco-rulec");
    binary.is_file().then_some(binary)
}

fn report(name: &str, (best, median): (Duration, Duration)) {
    println!(
        "{name:<44} best {:>8.3} ms   median {:>8.3} ms",
        best.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3
    );
}

fn big_list_rule(items: usize) -> String {
    let mut text = String::from("- list: big_domains\n  items: [");
    for index in 0..items {
        if index > 0 {
            text.push_str(", ");
        }
        text.push_str(&format!("host{index}.example.com"));
    }
    text.push_str("]\n\n- rule: Connection to a listed domain\n");
    text.push_str("  desc: outbound connection to one of many domains\n");
    text.push_str("  condition: evt.type = connect and fd.sip.name in (big_domains)\n");
    text.push_str("  output: connection (domain=%fd.sip.name command=%proc.cmdline)\n");
    text.push_str("  priority: NOTICE\n");
    text
}

fn main() {
    let upstream = vec![
        read("upstream-rules/falco_rules.yaml"),
        read("upstream-rules/falco-incubating_rules.yaml"),
        read("upstream-rules/falco-sandbox_rules.yaml"),
    ];
    let check = analyze(upstream.clone());
    assert_eq!(
        check.error_count() + check.warning_count(),
        0,
        "upstream must lint clean"
    );
    report(
        "lint upstream falco + incubating + sandbox",
        measure(50, || analyze(black_box(upstream.clone()))),
    );
    match release_binary() {
        Some(binary) => {
            let paths: Vec<PathBuf> = upstream.iter().map(|(path, _)| corpus(path)).collect();
            report(
                "falco-rulec lint, the whole process",
                measure(30, || {
                    let status = std::process::Command::new(&binary)
                        .arg("lint")
                        .args(&paths)
                        .stdout(std::process::Stdio::null())
                        .status()
                        .expect("run falco-rulec");
                    assert!(status.success(), "falco-rulec lint failed");
                }),
            );
        }
        None => println!("(build with `cargo build --release -p falco-rulec` to time the process)"),
    }

    let big = vec![("big_list.yaml".to_owned(), big_list_rule(10_000))];
    let check = analyze(big.clone());
    assert_eq!(
        check.error_count(),
        0,
        "the 10,000-item list rule must lint"
    );
    report(
        "lint a rule with a 10,000-item list",
        measure(20, || analyze(black_box(big.clone()))),
    );
}
