//! The event JSON reader `replay` uses for JSON event files (`falco_events::EventStream`):
//! source detection on the bytes, then the bytes read as syscall JSON lines and as
//! Kubernetes audit JSON, and fields read from every event.
//!
//! Contract: no panic; each syscall line that is not blank or a comment gives one event
//! or one error, so one bad line hides nothing (`docs/event-format.md`); every error
//! names a line of the input and a column from 1; bounded in time and memory.

use std::path::Path;

use falco_events::{Event, EventError, EventStream, Scratch, Source, detect_source_prefix};

use crate::seeds::texts;

/// The line size limit the reader runs with: small, so that inputs of a few KiB reach
/// the too-long path.
const MAX_LINE: usize = 1024;

/// Reads `data` as each source and every field of each event.
pub fn run(data: &[u8]) {
    let _ = detect_source_prefix(data);
    let syscall = read(data, Source::Syscall);
    assert_eq!(
        syscall.len(),
        expected_syscall_results(data),
        "one event or one error per syscall line"
    );
    read(data, Source::K8sAudit);
}

/// Reads every event of `data` as `source`, reading the target's fields from each,
/// and checks each error's position.
fn read(data: &[u8], source: Source) -> Vec<Result<Event, EventError>> {
    let lines = data.iter().filter(|byte| **byte == b'\n').count() + 1;
    let extractors = match source {
        Source::Syscall => super::scap::extractors(),
        Source::K8sAudit => super::k8s_audit::extractors(),
    };
    let mut scratch = Scratch::new();
    let results: Vec<_> = EventStream::with_limit(data, source, MAX_LINE).collect();
    for result in &results {
        match result {
            Ok(event) => {
                for extractor in extractors {
                    let _ = extractor.extract(event, &mut scratch);
                }
            }
            Err(error) => assert!(
                (1..=lines).contains(&error.line) && error.column >= 1,
                "{source:?} error outside the input's {lines} lines: {error:?}"
            ),
        }
    }
    results
}

/// How many results the syscall reader owes `data`: one per line (split at `\n`, a
/// final `\r` dropped) that is too long, not UTF-8, or neither blank nor a `#` comment.
fn expected_syscall_results(data: &[u8]) -> usize {
    let mut lines: Vec<&[u8]> = data.split(|byte| *byte == b'\n').collect();
    if lines.last().is_some_and(|last| last.is_empty()) {
        lines.pop();
    }
    lines
        .into_iter()
        .filter(|line| {
            if line.len() > MAX_LINE {
                return true;
            }
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            match std::str::from_utf8(line) {
                Ok(text) => {
                    let text = text.trim_start();
                    !text.is_empty() && !text.starts_with('#')
                }
                Err(_) => true,
            }
        })
        .count()
}

/// The corpus's Kubernetes audit event files (syscall JSON lines are among the
/// hand-made seeds: the corpus has none).
pub fn seeds(corpus: &Path) -> Vec<Vec<u8>> {
    texts(&corpus.join("k8s-audit-events/events"), &["json"])
        .into_iter()
        .map(String::into_bytes)
        .collect()
}
