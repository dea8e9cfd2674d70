//! The body checks: what the k8saudit plugin accepts as a batch of audit events.

use std::fmt;

use falco_events::{Event, K8sAuditReader};

/// Why a request is refused, with the HTTP status it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// 404: not the webhook's path.
    NotFound,
    /// 401: the caller presented neither a client certificate from the client CA nor a
    /// valid bearer token.
    Unauthorized,
    /// 405: not POST.
    Method(String),
    /// 415: the `Content-Type` does not contain `application/json`.
    ContentType(String),
    /// 413: the body is larger than the limit.
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// 413: one event is larger than the limit.
    EventTooLarge {
        /// 1-based position of the event in the body.
        index: usize,
        /// Its size (compact JSON) in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// 400: not UTF-8, not JSON, or not audit events.
    BadRequest(String),
    /// 408: the body did not arrive in time.
    Timeout {
        /// The read timeout in milliseconds.
        ms: u64,
    },
}

impl Rejection {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            Rejection::NotFound => 404,
            Rejection::Unauthorized => 401,
            Rejection::Timeout { .. } => 408,
            Rejection::Method(_) => 405,
            Rejection::ContentType(_) => 415,
            Rejection::BodyTooLarge { .. } | Rejection::EventTooLarge { .. } => 413,
            Rejection::BadRequest(_) => 400,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::NotFound => write!(f, "not found"),
            Rejection::Unauthorized => write!(
                f,
                "unauthorized: present a client certificate signed by the webhook's client CA or an `Authorization: Bearer` token"
            ),
            Rejection::Timeout { ms } => {
                write!(f, "the request body did not arrive within {ms} ms")
            }
            Rejection::Method(m) => write!(f, "{m} method not allowed, use POST"),
            Rejection::ContentType(t) => {
                write!(f, "wrong content type `{t}`, expected application/json")
            }
            Rejection::BodyTooLarge { limit } => {
                write!(f, "request body larger than {limit} bytes")
            }
            Rejection::EventTooLarge { index, size, limit } => {
                write!(
                    f,
                    "audit event {index} is {size} bytes, larger than {limit}"
                )
            }
            Rejection::BadRequest(why) => write!(f, "bad request: {why}"),
        }
    }
}

/// Checks a request's `Content-Type` header.
pub fn check_content_type(content_type: Option<&str>) -> Result<(), Rejection> {
    match content_type {
        Some(t) if t.to_ascii_lowercase().contains("application/json") => Ok(()),
        other => Err(Rejection::ContentType(other.unwrap_or("").to_string())),
    }
}

/// Reads a request body into events: an `Event`, an `EventList` or a JSON array of them
/// (several values one after another are accepted too, as audit log files have them).
/// Any unreadable value refuses the whole request, so a batch is taken whole or not at all.
pub fn check_body(body: &[u8], max_event_bytes: usize) -> Result<Vec<Event>, Rejection> {
    let text = std::str::from_utf8(body).map_err(|e| {
        Rejection::BadRequest(format!("body is not UTF-8 (byte {})", e.valid_up_to()))
    })?;
    if text.trim().is_empty() {
        return Err(Rejection::BadRequest("empty body".into()));
    }
    let mut events = Vec::new();
    for (i, ev) in K8sAuditReader::new(text).enumerate() {
        let ev = ev.map_err(|e| Rejection::BadRequest(e.to_string()))?;
        let size = ev.as_k8s_audit().map_or(0, |k| k.data().len());
        if size > max_event_bytes {
            return Err(Rejection::EventTooLarge {
                index: i + 1,
                size,
                limit: max_event_bytes,
            });
        }
        events.push(ev);
    }
    Ok(events)
}
