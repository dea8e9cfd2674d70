//! Kubernetes audit events: reading audit files, and the `ka.*`, `json.*`, `jevt.*` fields.

mod fields;

use std::collections::VecDeque;
use std::sync::Arc;

use crate::event::{Event, EventBody, EventError, K8sAuditEvent};
use crate::json::{Json, Parser};
use crate::time::parse_rfc3339;

pub(crate) use fields::K8sField;

/// The message for JSON data that is not an audit `Event` or `EventList` (the plugin's words).
pub const NOT_AUDIT_EVENT: &str = "data not recognized as a k8s audit event";

/// Reads Kubernetes audit events from a text.
///
/// The text may hold one or more JSON values one after another: an `audit.k8s.io` `Event`, an
/// `EventList` (its `items`), or a JSON array of those, pretty-printed or one per line (the
/// log and webhook formats). Like the k8saudit plugin, objects are recognised by `kind`, and
/// the event time is `stageTimestamp`. Each bad value gives one error and reading goes on at
/// the next line.
pub struct K8sAuditReader<'t> {
    text: &'t str,
    parser: Parser<'t>,
    pending: VecDeque<Result<Event, EventError>>,
    next_num: u64,
    first_ts: Option<u64>,
    hostname: Option<Arc<str>>,
}

impl<'t> K8sAuditReader<'t> {
    /// A reader over `text`.
    pub fn new(text: &'t str) -> Self {
        K8sAuditReader {
            text,
            parser: Parser::new(text),
            pending: VecDeque::new(),
            next_num: 1,
            first_ts: None,
            hostname: None,
        }
    }

    /// Stamps `hostname` on every event (`evt.hostname`).
    pub fn with_hostname(mut self, hostname: Option<Arc<str>>) -> Self {
        self.hostname = hostname;
        self
    }

    /// Moves to the start of the line after the one holding byte `offset`.
    fn skip_line(&mut self, offset: usize) {
        let next = self
            .text
            .get(offset..)
            .and_then(|s| s.find('\n'))
            .map_or(self.text.len(), |i| offset + i + 1);
        self.parser.seek(next);
    }

    fn classify(&mut self, value: Json, start: usize) {
        match &value {
            Json::Array(_) => {
                let Json::Array(items) = value else { return };
                for item in items.into_vec() {
                    let before = self.pending.len();
                    self.classify(item, start);
                    // The plugin stops at the first element it cannot recognise.
                    if self.pending.iter().skip(before).any(|r| r.is_err()) {
                        break;
                    }
                }
            }
            Json::Object(_) => match value.get("kind").and_then(Json::as_str) {
                Some("Event") => {
                    let r = self.single(value, start);
                    self.pending.push_back(r);
                }
                Some("EventList") if value.get("items").and_then(Json::as_array).is_some() => {
                    let Json::Object(members) = value else { return };
                    let items = members
                        .into_vec()
                        .into_iter()
                        .find(|(k, _)| &**k == "items")
                        .map(|(_, v)| v);
                    if let Some(Json::Array(items)) = items {
                        for item in items.into_vec() {
                            let r = self.single(item, start);
                            self.pending.push_back(r);
                        }
                    }
                }
                _ => self.not_recognized(start),
            },
            _ => self.not_recognized(start),
        }
    }

    fn not_recognized(&mut self, start: usize) {
        self.pending
            .push_back(Err(EventError::at(self.text, start, NOT_AUDIT_EVENT)));
    }

    fn single(&mut self, value: Json, start: usize) -> Result<Event, EventError> {
        let Some(stamp) = value.get("stageTimestamp") else {
            return Err(EventError::at(
                self.text,
                start,
                "can't read stageTimestamp of the audit event",
            ));
        };
        let text = stamp.as_str().unwrap_or("");
        let Some(ts) = parse_rfc3339(text) else {
            return Err(EventError::at(
                self.text,
                start,
                format!("invalid stageTimestamp `{text}`: expected an RFC 3339 time"),
            ));
        };
        let data = value.to_compact().into_boxed_str();
        let num = self.next_num;
        self.next_num += 1;
        let first_ts = *self.first_ts.get_or_insert(ts);
        Ok(Event {
            num,
            ts,
            first_ts,
            hostname: self.hostname.clone(),
            body: EventBody::K8sAudit(Box::new(K8sAuditEvent { root: value, data })),
        })
    }
}

impl Iterator for K8sAuditReader<'_> {
    type Item = Result<Event, EventError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.parser.at_end() {
                return None;
            }
            let start = self.parser.offset();
            match self.parser.parse_value() {
                Ok(value) => self.classify(value, start),
                Err(err) => {
                    // Resume on the line after the one the value started on, as a reader of
                    // JSON lines would.
                    self.skip_line(start);
                    return Some(Err(EventError::at(
                        self.text,
                        err.offset,
                        format!("invalid JSON: {}", err.message),
                    )));
                }
            }
        }
    }
}

/// Reads every event of a k8s audit text; see [`K8sAuditReader`].
pub fn read_k8s_audit(text: &str) -> Vec<Result<Event, EventError>> {
    K8sAuditReader::new(text).collect()
}
