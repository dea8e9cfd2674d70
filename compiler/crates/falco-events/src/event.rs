//! Events: the parsed form the extractors read, and read errors.

use std::fmt;
use std::sync::Arc;

use crate::json::Json;
use crate::syscall::SyscallEvent;

/// The event sources this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Kernel events (system calls), in our JSON-lines format.
    Syscall,
    /// Kubernetes audit events (the k8saudit plugin's source).
    K8sAudit,
}

impl Source {
    /// The source name rules use (`syscall`, `k8s_audit`).
    pub fn name(self) -> &'static str {
        match self {
            Source::Syscall => "syscall",
            Source::K8sAudit => "k8s_audit",
        }
    }

    /// The source with that name.
    pub fn from_name(name: &str) -> Option<Source> {
        match name {
            "syscall" => Some(Source::Syscall),
            "k8s_audit" => Some(Source::K8sAudit),
            _ => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One event, parsed once; extractors borrow from it.
#[derive(Debug, Clone)]
pub struct Event {
    pub(crate) num: u64,
    pub(crate) ts: u64,
    pub(crate) first_ts: u64,
    pub(crate) hostname: Option<Arc<str>>,
    pub(crate) body: EventBody,
}

/// The source-specific part of an event.
#[derive(Debug, Clone)]
pub(crate) enum EventBody {
    K8sAudit(Box<K8sAuditEvent>),
    Syscall(Box<SyscallEvent>),
}

/// A Kubernetes audit event: its JSON and the compact text the plugin would hand Falco.
#[derive(Debug, Clone)]
pub struct K8sAuditEvent {
    pub(crate) root: Json,
    pub(crate) data: Box<str>,
}

impl K8sAuditEvent {
    /// The event's JSON.
    pub fn json(&self) -> &Json {
        &self.root
    }

    /// The event as compact JSON text (the plugin's event payload, `evt.plugininfo`).
    pub fn data(&self) -> &str {
        &self.data
    }
}

impl Event {
    /// The event's sequence number in its stream, from 1 (`evt.num`).
    pub fn num(&self) -> u64 {
        self.num
    }

    /// Sets the sequence number (for callers that merge streams).
    pub fn set_num(&mut self, num: u64) {
        self.num = num;
    }

    /// Event time, nanoseconds since the Unix epoch (`evt.rawtime`).
    pub fn ts(&self) -> u64 {
        self.ts
    }

    /// The time of the first event of the stream, the origin of `evt.reltime`.
    pub fn first_ts(&self) -> u64 {
        self.first_ts
    }

    /// Sets the origin of `evt.reltime`.
    pub fn set_first_ts(&mut self, ts: u64) {
        self.first_ts = ts;
    }

    /// The host name `evt.hostname` reports, if known.
    pub fn hostname(&self) -> Option<&str> {
        self.hostname.as_deref()
    }

    /// Sets the host name `evt.hostname` reports.
    pub fn set_hostname(&mut self, hostname: Option<Arc<str>>) {
        self.hostname = hostname;
    }

    /// The event's source.
    pub fn source(&self) -> Source {
        match self.body {
            EventBody::K8sAudit(_) => Source::K8sAudit,
            EventBody::Syscall(_) => Source::Syscall,
        }
    }

    /// The k8s audit part, for a `k8s_audit` event.
    pub fn as_k8s_audit(&self) -> Option<&K8sAuditEvent> {
        match &self.body {
            EventBody::K8sAudit(e) => Some(e),
            EventBody::Syscall(_) => None,
        }
    }

    /// The syscall part, for a `syscall` event.
    pub fn as_syscall(&self) -> Option<&SyscallEvent> {
        match &self.body {
            EventBody::Syscall(e) => Some(e),
            EventBody::K8sAudit(_) => None,
        }
    }

    /// The event type the evttype index files the event under: the syscall event name
    /// (`openat`, `execve`, ...) for syscall events, `None` for plugin sources (Falco files all
    /// plugin events under one type, so every rule of the source applies).
    pub fn event_type(&self) -> Option<&str> {
        match &self.body {
            EventBody::Syscall(e) => Some(e.event_type()),
            EventBody::K8sAudit(_) => None,
        }
    }
}

/// Why an event file could not be read, with the 1-based line and column it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What is wrong, lower case.
    pub message: String,
}

impl EventError {
    /// An error at byte `offset` of `text`.
    pub fn at(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_col(text, offset);
        EventError {
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for EventError {}

/// 1-based line and character column of byte `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or("");
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}
