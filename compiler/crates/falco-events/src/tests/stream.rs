//! Streaming reads: the same events as the text readers, bad lines reported one by one,
//! bounded lines and values, and the syscall fast path equal to the full parser.

use std::io::{BufReader, Cursor};

use proptest::prelude::*;

use super::k8s_events_dir;
use crate::syscall::fast::LineParser;
use crate::syscall::parse::parse_line;
use crate::{Event, EventError, EventStream, Source, detect_source_prefix, read_events};

fn stream(source: Source, bytes: &[u8]) -> Vec<Result<Event, EventError>> {
    let read = |capacity| -> Vec<_> {
        let input = BufReader::with_capacity(capacity, Cursor::new(bytes.to_vec()));
        EventStream::new(input, source).collect()
    };
    // A small buffer, so lines and values cross buffer boundaries; larger ones hold some
    // or all lines whole, which are then read in place: the same events and errors.
    let small = read(7);
    for capacity in [64, 1 << 16] {
        assert_eq!(
            shape(&read(capacity)),
            shape(&small),
            "a buffer of {capacity} bytes"
        );
    }
    small
}

/// Events and errors in a comparable form.
fn shape(results: &[Result<Event, EventError>]) -> Vec<String> {
    results
        .iter()
        .map(|r| match r {
            Ok(e) => format!("{} {} {} {:?}", e.num(), e.ts(), e.first_ts(), e.body),
            Err(e) => format!("error {e}"),
        })
        .collect()
}

const SYSCALL: &str = r#"{"ts": 1, "type": "openat", "res": 3, "args": {"fd": 3, "name": "/etc/shadow", "flags": 0}, "thread": {"pid": 9, "exepath": "/usr/bin/cat"}, "ancestors": [{"pid": 1, "name": "init"}], "fd": {"num": 3, "type": "file", "name": "/etc/shadow"}}
# a comment

{"ts": 2, "type": "execve", "thread": {"pid": 10, "exepath": "/bin/bash"}, "container": {"id": "abc", "image": "x/y:1"}}
{"ts": 3, "type": "execve", "thred": {}}
{"ts": 4, "type": "execve", "thread": {"pid": 10, "exepath": "/bin/bash"}, "container": {"id": "abc", "image": "x/y:1"}}
"#;

#[test]
fn syscall_stream_equals_the_text_reader() {
    let text = shape(&read_events(Source::Syscall, SYSCALL));
    assert_eq!(shape(&stream(Source::Syscall, SYSCALL.as_bytes())), text);
    assert_eq!(text.len(), 4);
    assert!(text[2].starts_with("error line 5, column"), "{text:?}");
    // CRLF line ends read the same.
    let crlf = SYSCALL.replace('\n', "\r\n");
    assert_eq!(shape(&stream(Source::Syscall, crlf.as_bytes())), text);
}

#[test]
fn k8s_stream_equals_the_text_reader_on_every_corpus_file() {
    let mut files = 0;
    for entry in std::fs::read_dir(k8s_events_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            shape(&stream(Source::K8sAudit, text.as_bytes())),
            shape(&read_events(Source::K8sAudit, &text)),
            "{}",
            path.display()
        );
        files += 1;
    }
    assert!(files > 40, "{files}");
}

const AUDIT: &str = r#"{"kind":"Event","auditID":"a","stageTimestamp":"2020-01-01T00:00:00Z"}"#;

#[test]
fn k8s_values_may_span_lines_and_share_them() {
    let pretty = format!(
        "{{\n  \"kind\": \"Event\",\n  \"auditID\": \"b\",\n  \"stageTimestamp\": \"2020-01-01T00:00:01Z\"\n}}\n{AUDIT} {AUDIT}\n[{AUDIT},\n {AUDIT}]\n"
    );
    let events = stream(Source::K8sAudit, pretty.as_bytes());
    let nums: Vec<u64> = events.iter().map(|r| r.as_ref().unwrap().num()).collect();
    assert_eq!(nums, [1, 2, 3, 4, 5]);
    assert!(
        events
            .iter()
            .all(|r| r.as_ref().unwrap().first_ts() == 1_577_836_801_000_000_000)
    );
}

#[test]
fn a_broken_k8s_line_does_not_hide_the_next() {
    for broken in [
        r#"{"kind": "Event", "x": [}"#,
        r#"{"kind": "Event", "x": "unterminated"#,
        r#"{"kind": "Event", "x": [1, 2"#,
    ] {
        let text = format!("{AUDIT}\n{broken}\n{AUDIT}\n");
        let events = stream(Source::K8sAudit, text.as_bytes());
        // The events are the text reader's; the error's position may differ: a string
        // open at the end of a line is reported there (JSON strings hold no line break),
        // where the text reader goes on into the next line.
        let oks_of = |r: &[Result<Event, EventError>]| {
            shape(r)
                .into_iter()
                .filter(|s| !s.starts_with("error"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            oks_of(&events),
            oks_of(&read_events(Source::K8sAudit, &text))
        );
        let oks: Vec<u64> = events.iter().flatten().map(Event::num).collect();
        assert_eq!(oks, [1, 2], "{broken}");
        assert_eq!(events.len(), 3, "{broken}");
    }
}

/// The `events` fuzz target found a value cut short at the end of the input (no line
/// break after it) reported on a line after the input. It is reported on its last line,
/// at the end.
#[test]
fn a_k8s_value_cut_short_at_the_end_is_reported_on_its_last_line() {
    for ending in ["", "\n"] {
        let text = format!("{AUDIT}\n{{\"kind\": \"Event\", \"x\"{ending}");
        let events = stream(Source::K8sAudit, text.as_bytes());
        let errors: Vec<&EventError> = events.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(errors.len(), 1, "{events:?}");
        assert_eq!(
            (errors[0].line, errors[0].column),
            (2, "{\"kind\": \"Event\", \"x\"".chars().count() + 1),
            "{ending:?}: {}",
            errors[0]
        );
    }
}

#[test]
fn a_non_utf8_byte_is_one_error_on_its_line() {
    let mut bytes = SYSCALL.as_bytes().to_vec();
    // Line 4 (the execve of ts 2) gets a stray byte after `"type": "exe`.
    let at = SYSCALL.find("\"execve\"").unwrap() + 4;
    bytes.insert(at, 0xff);
    let results = stream(Source::Syscall, &bytes);
    let errors: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(ToString::to_string))
        .collect();
    assert_eq!(
        errors,
        [
            "line 4, column 23: not UTF-8: byte 0xff does not belong to a UTF-8 character",
            "line 5, column 1: unknown key `thred` in event (did you mean `thread`?)",
        ]
    );
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2);

    let text = format!("{AUDIT}\n");
    let mut k8s = text.clone().into_bytes();
    k8s.extend_from_slice(b"{\"kind\": \"Ev\xc3\x28ent\"}\n");
    k8s.extend_from_slice(text.as_bytes());
    let results = stream(Source::K8sAudit, &k8s);
    assert_eq!(results.len(), 3);
    let error = results[1].as_ref().unwrap_err();
    assert_eq!((error.line, error.column), (2, 13), "{error}");
}

#[test]
fn lines_and_values_over_the_limit_are_skipped_unread() {
    let long = format!(
        "{{\"ts\": 1, \"type\": \"open\", \"args\": {{\"name\": \"{}\"}}}}",
        "a".repeat(200)
    );
    let text = format!("{long}\n{{\"ts\": 2, \"type\": \"open\"}}\n");
    // The long line crosses the buffer, or lies whole in it.
    for capacity in [16, 4096] {
        let input = BufReader::with_capacity(capacity, Cursor::new(text.clone().into_bytes()));
        let results: Vec<_> = EventStream::with_limit(input, Source::Syscall, 100).collect();
        assert_eq!(results.len(), 2);
        let error = results[0].as_ref().unwrap_err();
        assert_eq!(error.line, 1);
        assert!(
            error.message.contains("longer than the event size limit"),
            "{error}"
        );
        assert_eq!(results[1].as_ref().unwrap().ts(), 2);
    }

    let big = format!(
        "{{\n\"kind\": \"Event\",\n\"x\": [\n{}\n]}}\n{AUDIT}\n",
        "\"aaaaaaaaaa\",\n".repeat(20) + "1"
    );
    let input = BufReader::with_capacity(16, Cursor::new(big.into_bytes()));
    let results: Vec<_> = EventStream::with_limit(input, Source::K8sAudit, 100).collect();
    assert_eq!(results.len(), 2);
    let error = results[0].as_ref().unwrap_err();
    assert_eq!(error.line, 1);
    assert!(error.message.contains("longer than 100 bytes"), "{error}");
    assert_eq!(results[1].as_ref().unwrap().num(), 1);
}

#[test]
fn source_detection_passes_over_damaged_lines() {
    let damaged = format!("{{\"ts\": 1, \"type\n{}", SYSCALL);
    assert_eq!(
        detect_source_prefix(damaged.as_bytes()),
        Some(Source::Syscall)
    );
    let mut bytes = b"\xff\xfe garbage\n".to_vec();
    bytes.extend_from_slice(AUDIT.as_bytes());
    assert_eq!(detect_source_prefix(&bytes), Some(Source::K8sAudit));
    assert_eq!(detect_source_prefix(b"nothing here\n"), None);
}

#[test]
fn the_fast_path_shares_repeated_context() {
    let mut parser = LineParser::default();
    let lines: Vec<&str> = SYSCALL.lines().collect();
    let a = parser.parse(lines[3]).unwrap();
    let b = parser.parse(lines[5]).unwrap();
    assert!(std::sync::Arc::ptr_eq(&a.event.procs, &b.event.procs));
    let (a, b) = (a.event.container.unwrap(), b.event.container.unwrap());
    assert!(std::sync::Arc::ptr_eq(&a, &b));
}

#[test]
fn a_thread_seen_alone_is_learnt_again_with_its_ancestors() {
    let thread = r#""thread": {"pid": 1, "exepath": "/usr/bin/bash", "args": ["-c"]}"#;
    let alone = format!(r#"{{"ts": 1, "type": "read", {thread}}}"#);
    let with = format!(r#"{{"ts": 2, "type": "read", {thread}, "ancestors": [{{"pid": 0}}]}}"#);
    let mut parser = LineParser::default();
    let first = parser.fast(&alone).unwrap().event.procs;
    assert_eq!(first.len(), 1);
    // The remembered thread is a prefix of this line's thread and ancestors: it must not
    // stand for both.
    let second = parser.fast(&with).unwrap().event.procs;
    assert_eq!(second.len(), 2);
    let third = parser.fast(&with).unwrap().event.procs;
    assert!(
        std::sync::Arc::ptr_eq(&second, &third),
        "learnt with ancestors"
    );
    let fourth = parser.fast(&alone).unwrap().event.procs;
    assert!(std::sync::Arc::ptr_eq(&first, &fourth), "still known alone");
}

const SEEDS: [&str; 3] = [
    r#"{"ts":1,"type":"openat","res":3,"args":{"flags":577,"mode":"0755","name":"/a/b"},"thread":{"pid":1,"sid":1,"exepath":"/bin/sh","args":["-c"]},"ancestors":[{"pid":0}],"fd":{"type":"ipv4","cip":"1.2.3.4","sip":"::1","cport":1,"sport":2,"is_server":true},"container":{"id":"c","image":"x/y:z","mounts":[{"source":"/s","dest":"/d"}]}}"#,
    r#" { "type" : "execve" , "ts" : "2024-01-01T00:00:00Z", "dir": ">", "thread": {"pid": 2, "env": ["A=\u0042"]}, "k8s": {"pod_name": "p"}, "hostname": "h" } "#,
    r#"{"ts": 5, "type": "connect", "num": 7, "cpu": 1, "fd": {"num": 3, "type": "ipv6", "sip": "::1"}, "thread": {"pid": 3}, "ancestors": []}"#,
];

fn mutate(seed: &str, cuts: &[(usize, u8)]) -> String {
    const ALPHABET: &[u8] = b"{}[]\",:0-e\\u \"thread\"";
    let pick = |b: u8| ALPHABET[usize::from(b) % ALPHABET.len()];
    let mut bytes = seed.as_bytes().to_vec();
    for &(pos, b) in cuts {
        if bytes.is_empty() {
            break;
        }
        let i = pos % bytes.len();
        match b % 3 {
            0 => {
                bytes.remove(i);
            }
            1 => bytes.insert(i, pick(b)),
            _ => bytes[i] = pick(b),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A line from interchangeable parts, so lines share some context and differ in the rest.
fn composed(parts: [usize; 4]) -> String {
    const THREADS: [&str; 3] = [
        r#", "thread": {"pid": 1, "exepath": "/bin/sh"}"#,
        r#", "thread": {"pid": 2, "exepath": "/bin/sh"}"#,
        "",
    ];
    const ANCESTORS: [&str; 4] = [
        r#", "ancestors": [{"pid": 0, "name": "init"}]"#,
        r#", "ancestors": [{"pid": 7}, {"pid": 0}]"#,
        r#", "ancestors": {"pid": 7}"#,
        "",
    ];
    const CONTAINERS: [&str; 3] = [
        r#", "container": {"id": "c1", "image": "a/b:1"}"#,
        r#", "container": {"id": "c2", "labels": {"x": "y"}}"#,
        "",
    ];
    const HEADS: [&str; 3] = [
        r#"{"ts": 1, "type": "openat", "args": {"flags": 1}"#,
        r#"{"type": "execve", "ts": "2024-01-01T00:00:00Z", "fd": {"num": 1, "type": "file"}"#,
        r#"{"ts": 2, "type": "connect", "hostname": "h", "k8s": {"ns_name": "n"}"#,
    ];
    let [h, t, a, c] = parts;
    format!(
        "{}{}{}{}}}",
        HEADS[h % HEADS.len()],
        CONTAINERS[c % CONTAINERS.len()],
        THREADS[t % THREADS.len()],
        ANCESTORS[a % ANCESTORS.len()],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(falco_test_budget::cases(400)))]

    /// The fast path gives what the full parser gives, event or error, also when what it
    /// remembers from earlier lines is reused.
    #[test]
    fn fast_path_equals_the_full_parser(
        lines in proptest::collection::vec(
            (
                any::<[usize; 4]>(),
                0usize..4,
                proptest::collection::vec((0usize..400, any::<u8>()), 0..4),
            ),
            1..12,
        ),
    ) {
        let mut parser = LineParser::default();
        for (parts, seed, cuts) in &lines {
            let line = match SEEDS.get(*seed) {
                Some(seed) => mutate(seed, cuts),
                None if cuts.len() > 2 => mutate(&composed(*parts), cuts),
                None => composed(*parts),
            };
            let fast = format!("{:?}", parser.parse(&line).map(|p| (p.event, p.ts, p.num, p.hostname)));
            let full = format!("{:?}", parse_line(&line).map(|p| (p.event, p.ts, p.num, p.hostname)));
            prop_assert_eq!(fast, full, "{}", line);
        }
    }
}

#[test]
fn seeds_take_the_fast_path() {
    for seed in SEEDS {
        assert!(parse_line(seed).is_ok(), "{seed}");
        assert!(LineParser::default().fast(seed).is_some(), "{seed}");
    }
}
