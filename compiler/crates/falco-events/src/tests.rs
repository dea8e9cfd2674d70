//! Unit tests: JSON reader, values, k8s audit reading and fields over the shared fixtures.

use std::path::PathBuf;

use crate::json::{Json, parse};
use crate::{Event, Extractor, FieldValue, OwnedValue, Scratch, read_k8s_audit, supported};

mod k8s;
mod props;
mod reuse;
mod stream;
mod syscall;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared")
}

fn k8s_events_dir() -> PathBuf {
    shared().join("corpus/k8s-audit-events/events")
}

/// The value of `field` on `ev`, owned.
fn value(source: &str, field: &str, ev: &Event) -> OwnedValue {
    let ex = Extractor::new(source, field, None).unwrap_or_else(|e| panic!("{e}"));
    let mut scratch = Scratch::new();
    OwnedValue::from(ex.extract(ev, &mut scratch))
}

/// The value of `field` on `ev` as Falco prints it.
fn text(source: &str, field: &str, ev: &Event) -> String {
    value(source, field, ev).to_text()
}

#[test]
fn json_roundtrip_keeps_order_and_number_text() {
    let v = parse(r#" {"b": 1.50, "a": [true, null, "x\"y"], "c": {}} "#).unwrap();
    assert_eq!(
        v.to_compact(),
        r#"{"b":1.50,"a":[true,null,"x\"y"],"c":{}}"#
    );
    let mut s = String::new();
    v.write_indented(&mut s, 0);
    assert_eq!(
        s,
        "{\n  \"b\": 1.50,\n  \"a\": [\n    true,\n    null,\n    \"x\\\"y\"\n  ],\n  \"c\": {}\n}"
    );
}

#[test]
fn json_errors_have_offsets() {
    let err = parse("{\"a\": tru}").unwrap_err();
    assert_eq!(err.offset, 6);
    assert!(parse("[1,]").is_err());
    assert!(parse("\"abc").is_err());
    assert!(parse("01").is_err());
    let deep = "[".repeat(10_000);
    assert!(parse(&deep).is_err());
}

#[test]
fn json_pointer_and_get() {
    let v = parse(r#"{"a":{"b/c":[10,{"~x":"y"}]}}"#).unwrap();
    assert_eq!(v.pointer("/a/b~1c/1/~0x").and_then(Json::as_str), Some("y"));
    assert_eq!(v.pointer("/a/b~1c/0"), Some(&Json::Number("10".into())));
    assert_eq!(v.pointer("/a/missing"), None);
    assert_eq!(v.pointer("/a/b~1c/-1"), None);
}

#[test]
fn unicode_escapes() {
    let v = parse(r#""\u00e9\ud83d\ude00\ud800x""#).unwrap();
    assert_eq!(v.as_str(), Some("é😀\u{FFFD}x"));
}

#[test]
fn value_text_rendering() {
    assert_eq!(FieldValue::Missing.to_text(), "<NA>");
    assert_eq!(FieldValue::Bool(true).to_text(), "true");
    assert_eq!(FieldValue::F64(1.25).to_text(), "1.2");
    let mut out = String::new();
    FieldValue::Str("a\"b").write_json(&mut out);
    assert_eq!(out, r#""a\"b""#);
}

#[test]
fn time_formats() {
    let ts = crate::parse_rfc3339("2018-10-25T14:09:12.581541Z").unwrap();
    assert_eq!(ts, 1_540_476_552_581_541_000);
    let mut s = String::new();
    crate::time::write_clock(ts, true, true, &mut s);
    assert_eq!(s, "2018-10-25 14:09:12.581541000");
    s.clear();
    crate::time::write_iso8601(ts, &mut s);
    assert_eq!(s, "2018-10-25T14:09:12.581541000+0000");
    s.clear();
    crate::write_rfc3339(951_782_400_000_000_007, &mut s);
    assert_eq!(s, "2000-02-29T00:00:00.000000007Z");
    s.clear();
    crate::write_clock(ts, false, false, &mut s);
    assert_eq!(s, "14:09:12");
    assert_eq!(
        crate::parse_rfc3339("2018-10-25T16:09:12+02:00"),
        crate::parse_rfc3339("2018-10-25T14:09:12Z")
    );
    assert_eq!(crate::parse_rfc3339("2018-13-25T14:09:12Z"), None);
    assert_eq!(crate::parse_rfc3339("garbage"), None);
}

#[test]
fn time_edges() {
    let iso = |ts: u64| {
        let mut s = String::new();
        crate::time::write_iso8601(ts, &mut s);
        s
    };
    assert_eq!(iso(0), "1970-01-01T00:00:00.000000000+0000");
    assert_eq!(crate::parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(crate::parse_rfc3339("1969-12-31T23:59:59.999Z"), None);
    assert_eq!(crate::parse_rfc3339("1970-01-01T01:00:00+02:00"), None);
    // The last `u64` nanosecond is in the year 2554.
    assert_eq!(iso(u64::MAX), "2554-07-21T23:34:33.709551615+0000");
    let leap_day = crate::parse_rfc3339("2024-02-29T12:00:00-00:30").unwrap();
    assert_eq!(iso(leap_day), "2024-02-29T12:30:00.000000000+0000");
    assert_eq!(crate::parse_rfc3339("2023-02-29T12:00:00Z"), None);
    assert_eq!(
        crate::parse_rfc3339("2016-12-31T23:59:60Z")
            .map(iso)
            .as_deref(),
        Some("2016-12-31T23:59:59.999999999+0000")
    );
    for bad in [
        "2018-10-25T14:09:12",
        "2018-10-25T14:09:12+0200",
        "2018-10-25T24:00:00Z",
        "2018-10-25T14:09:12.Z",
        "2018-10-25T14:09:12Zx",
    ] {
        assert_eq!(crate::parse_rfc3339(bad), None, "{bad}");
    }
}

proptest::proptest! {
    /// A written `evt.time.iso8601`, read back as RFC 3339, is the same nanosecond.
    #[test]
    fn written_times_read_back(ts in 0u64..=u64::MAX) {
        let mut s = String::new();
        crate::time::write_iso8601(ts, &mut s);
        let rfc3339 = format!("{}+00:00", &s[..s.len() - 5]);
        proptest::prop_assert_eq!(crate::parse_rfc3339(&rfc3339), Some(ts));
    }
}

#[test]
fn unknown_source_and_field_are_errors() {
    assert!(Extractor::new("okta", "okta.app", None).is_err());
    assert!(Extractor::new("k8s_audit", "ka.nope", None).is_err());
    assert!(Extractor::new("k8s_audit", "proc.name", None).is_err());
    assert!(supported("k8s_audit", "ka.verb"));
    assert!(supported("k8s_audit", "evt.time"));
    assert!(!supported("k8s_audit", "proc.name"));
}

#[test]
fn every_k8s_schema_field_is_supported() {
    let schema = falco_schema::Schema::get();
    let missing: Vec<&str> = schema
        .fields_for("k8s_audit")
        .map(|f| f.name)
        .filter(|n| !supported("k8s_audit", n))
        .collect();
    assert!(
        missing.is_empty(),
        "unsupported k8s_audit fields: {missing:?}"
    );
}

/// Reads one fixture file, all events must parse.
fn fixture(name: &str) -> Vec<Event> {
    let text = std::fs::read_to_string(k8s_events_dir().join(name)).unwrap();
    read_k8s_audit(&text)
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

#[test]
fn detect_source_from_first_value() {
    use crate::{Source, detect_source};
    assert_eq!(
        detect_source("# c\n{\"ts\":1,\"type\":\"open\"}"),
        Some(Source::Syscall)
    );
    assert_eq!(
        detect_source("{\n \"kind\": \"Event\"\n}"),
        Some(Source::K8sAudit)
    );
    assert_eq!(detect_source("[]"), Some(Source::K8sAudit));
    assert_eq!(detect_source("{\"kind\": 0}"), Some(Source::K8sAudit));
    assert_eq!(detect_source("42"), None);
    assert_eq!(detect_source(""), None);
}
