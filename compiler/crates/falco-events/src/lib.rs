//! Events and field extraction for the rule VM.
//!
//! This crate is the event side of the VM: it reads event files, parses each event once into
//! an owned [`Event`], and computes field values from it. The VM and the node agent link it
//! alone, so it depends on the field schema only, never on the rule parsers.
//!
//! - [`FieldValue`]: a field's value on one event, borrowed from the event or from a
//!   [`Scratch`]; `<NA>` is [`FieldValue::Missing`]. [`FieldValue::write_text`] and
//!   [`FieldValue::write_json`] render values as Falco prints them.
//! - [`Extractor`]: a field reference compiled once; [`Extractor::extract`] on each event.
//!   [`supported`] says whether a field is computed here.
//! - [`K8sAuditReader`]: Kubernetes audit files (`Event`, `EventList`, arrays, JSON lines).
//! - [`SyscallReader`]: our JSON-lines syscall format (`docs/event-format.md`).
//! - [`EventStream`]: either source read from a byte stream one event at a time, in bounded
//!   memory (what `falco-rulec replay` uses).
//!
//! Nothing here panics on any input: bad data gives an [`EventError`] naming line and column.
//!
//! # For the VM
//!
//! ```text
//! let ex = Extractor::new("syscall", "proc.aname", Some("2"))?;   // once, at bundle load
//! let mut scratch = Scratch::new();                                 // one per live value
//! for ev in read_events(Source::Syscall, &text) {
//!     let ev = ev?;
//!     match ex.extract(&ev, &mut scratch) { FieldValue::Str(s) => .., FieldValue::Missing => .., _ => .. }
//! }
//! ```
//!
//! - Values follow the schema type: `charbuf` → `Str`, unsigned → `U64`, signed → `I64`,
//!   `reltime`/`abstime` → `RelTime`/`AbsTime`, `ipaddr` and `ipnet` → `Ip` (an `ipnet` field
//!   yields the address; compare it with a network), list fields → `StrList` (never empty).
//! - [`FieldValue::AnyOf`] is how libsinsp's compare-any fields come out: `fd.ip`, `fd.port`,
//!   `fd.net`, and `proc.aname`/`aexe`/`aexepath`/`acmdline`/`apid` without index. A
//!   comparison holds if it holds for one candidate.
//! - `Missing` is Falco's `<NA>`: every comparison with it is false.

pub mod agent_fields;
mod event;
mod extract;
pub mod json;
mod k8s;
pub mod params;
mod stream;
mod syscall;
mod time;
mod value;

#[cfg(test)]
mod tests;

pub use event::{Event, EventError, K8sAuditEvent, Source};
pub use extract::{Extractor, UnsupportedField, UnsupportedReason, supported};
pub use k8s::{K8sAuditReader, NOT_AUDIT_EVENT, read_k8s_audit};
pub use stream::{EventStream, MAX_EVENT_BYTES, detect_source_prefix};
pub use syscall::{
    ArgRaw, ContainerContext, ContainerInfo, ExeInfo, FdInfo, FdKind, MountInfo, PodInfo,
    ProcChain, ProcInfo, SyscallBuilder, SyscallEvent, SyscallReader, errno_name, read_syscall,
};
pub use time::{parse_rfc3339, write_clock, write_iso8601, write_rfc3339};
pub use value::{AnyOf, FieldValue, OwnedValue, Scratch, StrList};

/// Reads every event of `text` as events of `source`.
pub fn read_events(source: Source, text: &str) -> Vec<Result<Event, EventError>> {
    match source {
        Source::K8sAudit => read_k8s_audit(text),
        Source::Syscall => read_syscall(text),
    }
}

/// Guesses the source of an event file from its first JSON value: Kubernetes audit data
/// (`kind`, or a JSON array) or a syscall line (`type` and `ts`). `None` if it is neither.
pub fn detect_source(text: &str) -> Option<Source> {
    let mut parser = json::Parser::new(text);
    loop {
        parser.skip_ws();
        let rest = text.get(parser.offset()..)?;
        if rest.starts_with('#') {
            let next = rest
                .find('\n')
                .map_or(text.len(), |i| parser.offset() + i + 1);
            parser.seek(next);
            continue;
        }
        break;
    }
    match parser.parse_value().ok()? {
        json::Json::Array(_) => Some(Source::K8sAudit),
        v if v.get("kind").is_some() => Some(Source::K8sAudit),
        v if v.get("type").is_some() && v.get("ts").is_some() => Some(Source::Syscall),
        _ => None,
    }
}
