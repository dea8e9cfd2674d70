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
//!
//! Nothing here panics on any input: bad data gives an [`EventError`] naming line and column.

mod event;
mod extract;
pub mod json;
mod k8s;
mod syscall;
mod time;
mod value;

#[cfg(test)]
mod tests;

pub use event::{Event, EventError, K8sAuditEvent, Source};
pub use extract::{Extractor, UnsupportedField, UnsupportedReason, supported};
pub use k8s::{K8sAuditReader, NOT_AUDIT_EVENT, read_k8s_audit};
pub use syscall::{SyscallEvent, SyscallReader, read_syscall};
pub use time::parse_rfc3339;
pub use value::{AnyOf, FieldValue, OwnedValue, Scratch, StrList};
