//! What the tests may spend: which of them run ([`switch`](crate::slow_test), the one
//! `FALCO_TEST_ALL` switch), how many cases a property test runs ([`cases`], the one
//! rule for `PROPTEST_CASES`), and the bound each input of a property test or of a fuzz
//! replay runs under: at most
//! [`TIME`] of wall-clock time and at most [`MEMORY`] of growth of the process's
//! resident memory. Both are far above what any input takes (milliseconds and
//! megabytes): they catch what grows without bound (an alias bomb, doubling macros, a
//! parser that loops), not what is slow, so a busy machine does not trip them.
//!
//! A thread cannot be stopped from outside, so an input over its bound ends the
//! process: the watchdog prints which input it was and what it used, then aborts,
//! before a runaway input can take the machine's memory.

mod cases;
mod switch;

pub use cases::{CASES_VAR, cases};

pub use switch::{VAR, all, available, slow_test};

use std::fmt::Display;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The most wall-clock time one input may take.
pub const TIME: Duration = Duration::from_secs(30);

/// The most the process's resident memory may grow while one input runs.
pub const MEMORY: u64 = 1 << 30;

/// How often the watchdog looks.
const TICK: Duration = Duration::from_millis(5);

/// Runs `f`, one input named by `what`, under [`TIME`] and [`MEMORY`].
pub fn bounded<T>(what: impl Display, f: impl FnOnce() -> T) -> T {
    bounded_by(what, TIME, MEMORY, f)
}

/// Runs `f` under the given bounds (see [`bounded`]).
pub fn bounded_by<T>(what: impl Display, time: Duration, memory: u64, f: impl FnOnce() -> T) -> T {
    let what = what.to_string();
    let (done, finished) = mpsc::channel::<()>();
    let start = Instant::now();
    let baseline = resident_bytes().unwrap_or(0);
    std::thread::scope(|scope| {
        let what = &what;
        scope.spawn(move || {
            loop {
                match finished.recv_timeout(TICK) {
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    _ => return,
                }
                let elapsed = start.elapsed();
                let grown = resident_bytes().unwrap_or(0).saturating_sub(baseline);
                if elapsed > time || grown > memory {
                    eprintln!(
                        "input `{what}` is over its bound: {elapsed:?} (at most {time:?}), resident memory +{} MiB (at most +{} MiB)",
                        grown >> 20,
                        memory >> 20
                    );
                    std::process::abort();
                }
            }
        });
        let result = f();
        let _ = done.send(());
        result
    })
}

/// The process's resident memory (`VmRSS` of `/proc/self/status`), where Linux
/// tells it.
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib << 10)
}

/// Set in the child process [`run_child`] starts, which tells a test that it is the child.
#[cfg(test)]
const CHILD: &str = "FALCO_TEST_BUDGET_CHILD";

/// Runs this test binary's `test` alone in a child process, with [`CHILD`] set and the
/// variable `var` set to `value` (or removed); whether it succeeded, and its stdout and
/// stderr.
#[cfg(test)]
fn run_child(test: &str, var: &str, value: Option<&str>) -> (bool, String) {
    let Ok(exe) = std::env::current_exe() else {
        panic!("no test executable");
    };
    let mut command = std::process::Command::new(exe);
    command
        .args(["--exact", test, "--nocapture"])
        .env(CHILD, "1");
    match value {
        Some(value) => command.env(var, value),
        None => command.env_remove(var),
    };
    let output = command.output().expect("run the child");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_within_its_bound_gives_its_result() {
        assert_eq!(bounded("sum", || (1..=10).sum::<u32>()), 55);
        assert!(resident_bytes().is_some_and(|bytes| bytes > 0));
    }

    /// The watchdog ends a runaway input: run in a child process, which must abort.
    #[test]
    fn an_input_over_its_bound_ends_the_process() {
        if std::env::var_os(CHILD).is_some() {
            bounded_by("grows", TIME, 64 << 20, || {
                let mut held: Vec<Vec<u8>> = Vec::new();
                loop {
                    held.push(vec![1; 1 << 20]);
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
        }
        let (ok, stderr) = run_child("tests::an_input_over_its_bound_ends_the_process", VAR, None);
        assert!(!ok);
        assert!(
            stderr.contains("input `grows` is over its bound"),
            "{stderr}"
        );
    }
}
