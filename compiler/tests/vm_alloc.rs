//! The VM's hot path allocates nothing: after one warm-up pass (scratch buffers
//! grow to their working size), evaluating a realistic mix of syscall and k8s audit
//! events through bundles compiled from the upstream rules makes no heap allocation.
//!
//! A counting global allocator counts only on the thread that asks for it, so other
//! tests and the harness do not disturb the count.

// A global allocator has to be written with `unsafe impl`; it only forwards to the
// system allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;

use falco_events::{Event, read_k8s_audit, read_syscall};
use falco_rulec::cli::compile::compile_files;
use falco_vm::{Engine, RuleMatching};

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct Counting;

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is
// a const-initialised thread local, which needs no allocation to reach.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        // SAFETY: `ptr` came from `System` with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn note_allocation() {
    let _ = COUNTING.try_with(|counting| {
        if counting.get() {
            let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        }
    });
}

/// Heap allocations made on this thread while running `work`.
fn allocations_during(work: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|count| count.set(0));
    COUNTING.with(|counting| counting.set(true));
    work();
    COUNTING.with(|counting| counting.set(false));
    ALLOCATIONS.with(Cell::get)
}

fn corpus(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(path)
}

fn engine(paths: &[&str]) -> Engine {
    let files = paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(corpus(path))
                .unwrap_or_else(|e| panic!("corpus file {path}: {e}"));
            (path.to_string(), text)
        })
        .collect();
    let compiled = compile_files(files)
        .1
        .unwrap_or_else(|e| panic!("compile {paths:?}: {e}"));
    let mut engine = Engine::load(&compiled.bytes).expect("the bundle loads");
    engine.set_rule_matching(RuleMatching::All);
    engine
}

/// Exec, open, connect and uninteresting events from shells, servers and
/// containers, touching sensitive files, so that many rules run far into their
/// conditions and several match.
fn syscall_events() -> Vec<Event> {
    let thread = |exe: &str, args: &str, parent: &str, container: &str| {
        let container = if container.is_empty() {
            String::new()
        } else {
            format!(
                r#", "container": {{"id": "{container}", "name": "app", "image": "reg/app:1"}}"#
            )
        };
        format!(
            r#""thread": {{"pid": 4242, "ppid": 100, "uid": 0, "user": "root", "exepath": "{exe}", "args": [{args}], "cwd": "/root/", "tty": 34816}}, "ancestors": [{{"pid": 100, "name": "{parent}", "exepath": "/usr/bin/{parent}"}}, {{"pid": 1, "name": "systemd"}}]{container}"#
        )
    };
    let mut lines = Vec::new();
    let shells = [
        thread("/usr/bin/bash", r#""-i""#, "sshd", ""),
        thread(
            "/bin/sh",
            r#""-c", "id""#,
            "containerd-shim",
            "4a1b2c3d4e5f",
        ),
        thread(
            "/usr/sbin/nginx",
            r#""-g", "daemon off;""#,
            "containerd-shim",
            "0a0b0c0d0e0f",
        ),
        thread("/usr/bin/sudo", r#""su""#, "python3", ""),
    ];
    for (i, thread) in shells.iter().enumerate() {
        let ts = 1_700_000_000_000_000_000u64 + i as u64 * 10_000;
        lines.push(format!(
            r#"{{"ts": {ts}, "type": "execve", "res": 0, {thread}}}"#
        ));
        for (j, file) in [
            "/etc/shadow",
            "/etc/passwd",
            "/usr/bin/evil",
            "/root/.bash_history",
        ]
        .iter()
        .enumerate()
        {
            let flags = if j % 2 == 0 { 1 } else { 577 };
            lines.push(format!(
                r#"{{"ts": {}, "type": "openat", "res": 5, "args": {{"fd": 5, "dirfd": -100, "name": "{file}", "flags": {flags}}}, {thread}, "fd": {{"num": 5, "type": "file", "name": "{file}"}}}}"#,
                ts + 1 + j as u64
            ));
        }
        lines.push(format!(
            r#"{{"ts": {}, "type": "connect", "res": 0, {thread}, "fd": {{"num": 7, "type": "ipv4", "cip": "10.0.0.5", "cport": 41234, "sip": "93.184.216.34", "sport": 4444, "l4proto": "tcp"}}}}"#,
            ts + 9
        ));
        lines.push(format!(
            r#"{{"ts": {}, "type": "read", "res": 10, {thread}}}"#,
            ts + 10
        ));
    }
    read_syscall(&(lines.join("\n") + "\n"))
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("the test events parse")
}

fn k8s_events() -> Vec<Event> {
    let dir = corpus("k8s-audit-events/events");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the k8s audit events folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(path).expect("a k8s audit event file");
            read_k8s_audit(&text).into_iter().filter_map(Result::ok)
        })
        .collect()
}

/// Evaluates every event twice (warm-up, then counted); returns the matches of the
/// counted pass and its allocations.
fn run_twice(engine: &Engine, events: &[Event]) -> (usize, usize) {
    let mut scratch = engine.scratch();
    let mut hits = Vec::new();
    let mut matched = 0;
    for event in events {
        engine.matching_rules(event, &mut scratch, &mut hits);
    }
    let allocations = allocations_during(|| {
        for event in events {
            engine.matching_rules(event, &mut scratch, &mut hits);
            matched += hits.len();
        }
    });
    (matched, allocations)
}

#[test]
fn evaluating_syscall_events_allocates_nothing() {
    let engine = engine(&[
        "upstream-rules/falco_rules.yaml",
        "upstream-rules/falco-incubating_rules.yaml",
        "upstream-rules/falco-sandbox_rules.yaml",
    ]);
    let events = syscall_events();
    let (matched, allocations) = run_twice(&engine, &events);
    assert!(matched > 0, "the events must make some rules match");
    assert_eq!(
        allocations,
        0,
        "allocations while evaluating {} events",
        events.len()
    );
}

#[test]
fn evaluating_k8s_audit_events_allocates_nothing() {
    let engine = engine(&["plugin-rules/k8s_audit_rules.yaml"]);
    let events = k8s_events();
    assert!(events.len() > 50, "the corpus has audit events");
    let (matched, allocations) = run_twice(&engine, &events);
    assert!(matched > 0, "the audit fixtures must make some rules match");
    assert_eq!(
        allocations,
        0,
        "allocations while evaluating {} events",
        events.len()
    );
}
