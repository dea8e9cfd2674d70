//! Falco 0.34.1's regression captures (../shared/corpus/falco-traces) read end to end.

use std::io::BufReader;
use std::path::PathBuf;

use crate::ScapReader;

fn trace(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/corpus/falco-traces/trace_files")
        .join(name)
}

fn open(name: &str) -> ScapReader {
    let file = std::fs::File::open(trace(name)).expect("trace file");
    ScapReader::open(BufReader::new(file)).expect("opens")
}

#[test]
fn every_trace_reads_without_errors() {
    for name in [
        "cat_write.scap",
        "connect_localhost.scap",
        "empty.scap",
        "open-multiple-files.scap",
        "ping_sendto.scap",
        "syscall.scap",
    ] {
        let mut reader = open(name);
        let mut events = 0;
        for event in reader.by_ref() {
            event.unwrap_or_else(|e| panic!("{name}: {e}"));
            events += 1;
        }
        let counts = reader.counts();
        eprintln!("{name}: {events} events, {counts:?}");
        assert_eq!(counts.events, events);
        assert!(events > 0, "{name}");
    }
}

/// The trace uncompressed, as `sysdig -w` without `-z` writes it.
pub(super) fn plain(name: &str) -> Vec<u8> {
    use std::io::Read;
    let file = std::fs::File::open(trace(name)).expect("trace file");
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(file)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

fn events_of(bytes: Vec<u8>) -> Vec<String> {
    ScapReader::open(std::io::Cursor::new(bytes))
        .expect("opens")
        .map(|e| {
            format!(
                "{:?}",
                e.map(|e| (e.num(), e.ts(), e.event_type().map(str::to_owned)))
            )
        })
        .collect()
}

#[test]
fn compressed_and_plain_captures_read_the_same() {
    let gz = std::fs::read(trace("cat_write.scap")).expect("trace");
    assert!(crate::is_capture(&gz));
    let raw = plain("cat_write.scap");
    assert!(crate::is_capture(&raw));
    assert_eq!(events_of(gz), events_of(raw));
}

/// Today's libsinsp reads enter events of syscalls only for its own state: the rules see
/// each syscall once, at its exit. The numbering still counts them, as Falco's `evt.num`.
#[test]
fn syscalls_reach_the_rules_once_at_exit() {
    let events: Vec<_> = open("cat_write.scap").map(|e| e.expect("event")).collect();
    let opens: Vec<_> = events
        .iter()
        .filter(|e| e.event_type() == Some("open"))
        .collect();
    assert_eq!(opens.len(), 4);
    assert!(opens.iter().all(|e| {
        !e.as_syscall()
            .is_some_and(falco_events::SyscallEvent::is_enter)
    }));
    // Falco numbers cat's first open 137: its enter event was 136.
    assert!(
        opens.iter().any(|e| e.num() == 137),
        "{:?}",
        opens.iter().map(|e| e.num()).collect::<Vec<_>>()
    );
}

/// Field values of events read from Falco's traces, as Falco 0.44.1 itself prints them for
/// the same events (checked side by side with the anchor build; see docs/conformance.md).
#[test]
fn fields_read_as_falco_reads_them() {
    use falco_events::{Extractor, Scratch};
    let fields = [
        "evt.num",
        "evt.type",
        "thread.tid",
        "proc.pid",
        "proc.name",
        "proc.cmdline",
        "proc.pname",
        "fd.num",
        "fd.name",
        "fd.typechar",
        "user.name",
        "evt.res",
        "proc.cwd",
    ];
    let ex: Vec<Extractor> = fields
        .iter()
        .map(|f| Extractor::new("syscall", f, None).expect("field"))
        .collect();
    let mut scratch = Scratch::new();
    let mut line = |name: &str, num: u64| {
        let event = open(name)
            .map(|e| e.expect("event"))
            .find(|e| e.num() == num)
            .expect("event number");
        let values: Vec<String> = ex
            .iter()
            .map(|e| e.extract(&event, &mut scratch).to_text())
            .collect();
        values.join("|")
    };
    // Lines Falco 0.44.1 prints for these events with the same fields.
    assert_eq!(
        line("cat_write.scap", 131),
        "131|execve|20072|20072|cat|cat /dev/null|bash|<NA>|<NA>|<NA>|<NA>|SUCCESS|"
    );
    assert_eq!(
        line("cat_write.scap", 168),
        "168|open|20072|20072|cat|cat /dev/null|bash|3|/dev/null|f|<NA>|SUCCESS|"
    );
    assert_eq!(
        line("cat_write.scap", 1),
        "1|procinfo|1|1|systemd|systemd|<NA>|<NA>|<NA>|<NA>|root|<NA>|/"
    );
    assert_eq!(
        line("connect_localhost.scap", 186),
        "186|connect|31699|-1|<NA>|<NA>|<NA>|4|127.0.0.1:47192->127.0.0.1:80|4|<NA>|EINPROGRESS|./"
    );
    assert_eq!(
        line("ping_sendto.scap", 137),
        "137|sendmsg|738|-1|<NA>|<NA>|<NA>|3|10.0.2.15:1->128.32.41.1:0|4|<NA>|SUCCESS|./"
    );
}
