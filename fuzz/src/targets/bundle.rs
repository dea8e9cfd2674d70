//! Bundle decode, verification, VM load and evaluation. The input's content hash is
//! recomputed first (`falco_bundle::reseal`), so that mutated bundles reach the
//! decoder and the verifier instead of stopping at the hash check.
//!
//! Contract: decoding and loading never panic and either refuse the bytes or give an
//! engine that evaluates a syscall and a k8s audit event and renders their alerts
//! without panicking; bounded in time and memory.

use std::path::Path;
use std::sync::OnceLock;

use falco_events::{Event, Source, read_events};
use falco_rulec::cli::compile::compile_files;
use falco_vm::{Engine, OutputOptions};

use crate::seeds::{item_chunks, rules_files};

/// One syscall event and one k8s audit event, to evaluate every loaded engine on.
fn events() -> &'static [Event] {
    static EVENTS: OnceLock<Vec<Event>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        let syscall = r#"{"ts": 1714557600000000123, "type": "openat", "res": 3, "args": {"fd": 3, "dirfd": -100, "name": "/etc/shadow", "flags": 524288, "mode": 0}, "thread": {"tid": 4242, "pid": 4242, "ppid": 4200, "uid": 0, "user": "root", "exe": "cat", "exepath": "/usr/bin/cat", "args": ["/etc/shadow"], "cwd": "/root/"}, "ancestors": [{"pid": 4200, "name": "bash", "exepath": "/usr/bin/bash", "args": []}], "fd": {"num": 3, "type": "file", "name": "/etc/shadow"}, "container": {"id": "0123456789ab", "name": "web", "image": "nginx:1.25"}}"#;
        let k8s_audit = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"a","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/foo","verb":"create","user":{"username":"system:anonymous","groups":["system:unauthenticated"]},"sourceIPs":["10.0.0.1"],"userAgent":"kubectl","objectRef":{"resource":"namespaces","name":"foo","apiVersion":"v1"},"responseStatus":{"code":201},"requestObject":{"kind":"Namespace","metadata":{"name":"foo"}},"requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z","stageTimestamp":"2024-01-01T00:00:00.000001Z"}"#;
        read_events(Source::Syscall, syscall)
            .into_iter()
            .chain(read_events(Source::K8sAudit, k8s_audit))
            .filter_map(Result::ok)
            .collect()
    })
}

/// Loads `data` as a bundle and, when it loads, evaluates the events.
pub fn run(data: &[u8]) {
    let mut bytes = data.to_vec();
    falco_bundle::reseal(&mut bytes);
    let Ok(engine) = Engine::load(&bytes) else {
        return;
    };
    let mut scratch = engine.scratch();
    let options = OutputOptions::default();
    for event in events() {
        for alert in engine.process(event, &mut scratch) {
            let _ = alert.to_text(&options);
            let _ = alert.to_json(&options);
        }
    }
}

/// Bundles compiled from the corpus's rules files, whole and a few items at a time
/// (the pieces that compile alone).
pub fn seeds(corpus: &Path) -> Vec<Vec<u8>> {
    let files = rules_files(corpus);
    let pieces = files.iter().flat_map(|text| item_chunks(text));
    files
        .iter()
        .cloned()
        .chain(pieces)
        .filter_map(|text| {
            let (_, compiled) = compile_files(vec![("seed.yaml".to_owned(), text)]);
            compiled.ok().map(|compiled| compiled.bytes)
        })
        .collect()
}
