//! The Kubernetes audit webhook of falco-rt, behaving as Falco's k8saudit plugin does.
//!
//! The API server's audit webhook backend posts batches of audit events to
//! `http(s)://NODE:8765/k8s-audit`. [`Webhook::start`] serves that path on its own thread
//! (a single-threaded tokio runtime with hyper 1; TLS through rustls with the `ring`
//! provider when [`WebhookConfig::tls`] is set) and hands every accepted batch to a
//! [`Handler`]. Requests are checked in this order ([`check`] has the pure part):
//!
//! | request | answer |
//! |---|---|
//! | another path | 404 |
//! | authentication configured ([`Auth`]) and neither a client certificate from the client CA nor a valid bearer token | 401 |
//! | a method other than POST | 405 |
//! | a `Content-Type` that does not contain `application/json` | 415 |
//! | a body over [`WebhookConfig::max_body_bytes`] (12 MB) | 413 |
//! | a body that is not UTF-8, not JSON, or not audit events | 400 with the reason |
//! | an event over [`WebhookConfig::max_event_bytes`] (262,144 bytes) | 413 |
//! | an `Event`, an `EventList` or a JSON array of them | 200, events handed on |
//!
//! A bad request never stops the server. Every connection is bounded
//! ([`WebhookConfig`], `docs/limits.md`): headers and then the body must arrive within
//! the read timeout (10 s; 408 for a late body, the connection closed for late headers),
//! a TLS handshake within the handshake timeout (10 s), and beyond
//! [`WebhookConfig::max_connections`] (1,024) open connections a new one is answered 503
//! and closed.

mod auth;
mod check;
mod server;
mod tls;

pub use auth::{Auth, Caller};
pub use check::{Rejection, check_body, check_content_type};
pub use server::{Handler, STATUSES, Webhook, WebhookConfig, WebhookError, WebhookStats};
pub use tls::TlsFiles;

/// The default listen address (`--k8s-audit-listen`).
pub const DEFAULT_LISTEN: &str = "0.0.0.0:8765";
/// The default path the API server posts to.
pub const DEFAULT_PATH: &str = "/k8s-audit";
/// Largest single audit event accepted (the k8saudit plugin's `maxEventSize` default).
pub const MAX_EVENT_BYTES: usize = 262_144;
/// Largest request body accepted (the k8saudit plugin's `webhookMaxBatchSize` default).
pub const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;
/// Connections served at once by default.
pub const MAX_CONNECTIONS: usize = 1024;
/// Default time for a request's headers, and again for its body.
pub const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Default time for a TLS handshake.
pub const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
