//! Hostile captures: whatever the bytes, reading ends with events and errors, never a
//! panic, and within the bounds of the crate's limits (and of the test budget,
//! `falco_test_budget::bounded`).

use std::io::Cursor;

use falco_test_budget::bounded;
use proptest::prelude::*;

use super::traces::plain;
use crate::ScapReader;

/// Reads everything from `bytes`; the number of items, or the error of `open`.
fn drain(bytes: Vec<u8>) -> Result<usize, String> {
    let reader = ScapReader::open(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    Ok(reader.take(1_000_000).count())
}

#[test]
fn truncated_captures_report_where_they_end() {
    let full = plain("cat_write.scap");
    for cut in [0, 4, 11, 30, 500, 4_000, full.len() / 2, full.len() - 3] {
        let mut reader = match ScapReader::open(Cursor::new(full[..cut].to_vec())) {
            Ok(reader) => reader,
            Err(e) => {
                assert!(cut < 40, "{cut}: {e}");
                continue;
            }
        };
        let last = reader.by_ref().last();
        if cut < full.len() {
            let error = last.and_then(Result::err).map(|e| e.to_string());
            assert!(
                error.as_deref().is_some_and(|e| e.contains("truncated")),
                "{cut}: {error:?}"
            );
        }
    }
}

#[test]
fn a_block_length_past_the_limit_is_refused_unread() {
    let mut bytes = plain("cat_write.scap");
    // The second block (machine info) claims 3 GiB.
    let second = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    bytes[second + 4..second + 8].copy_from_slice(&0xC000_0000u32.to_le_bytes());
    let mut reader = ScapReader::open(Cursor::new(bytes)).expect("header is fine");
    let error = reader.next().and_then(Result::err).expect("an error");
    assert!(error.message.contains("more than the limit"), "{error}");
    assert_eq!(error.block, 2);
    assert!(reader.next().is_none());
}

#[test]
fn unknown_event_codes_are_counted_and_skipped() {
    let mut bytes = plain("cat_write.scap");
    // Give every event record the code 9999 (beyond the table) ... the first two only.
    let mut at = 0;
    let mut changed = 0;
    while at + 8 <= bytes.len() && changed < 2 {
        let kind = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        if kind == 0x204 {
            // header: block(8) cpu(2) ts(8) tid(8) len(4) type(2)
            bytes[at + 30..at + 32].copy_from_slice(&9999u16.to_le_bytes());
            changed += 1;
        }
        at += len;
    }
    let mut reader = ScapReader::open(Cursor::new(bytes)).expect("opens");
    assert!(reader.by_ref().all(|r| r.is_ok()));
    assert_eq!(reader.counts().unknown, 2);
}

#[test]
fn not_a_capture_is_refused_at_open() {
    for bytes in [
        b"".to_vec(),
        b"{\"ts\": 1}\n".to_vec(),
        vec![0x1f, 0x8b, 0, 0],
    ] {
        assert!(ScapReader::open(Cursor::new(bytes)).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(falco_test_budget::cases(64)))]

    /// Bytes changed anywhere give events and errors, never a panic.
    #[test]
    fn mutated_captures_never_panic(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..16),
    ) {
        let mut bytes = plain("syscall.scap");
        let len = bytes.len();
        for (at, b) in &edits {
            bytes[at % len] = *b;
        }
        let _ = bounded(format!("syscall.scap with bytes changed at {edits:?}"), || drain(bytes));
    }
}
