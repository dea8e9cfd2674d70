//! Syscall events in our JSON-lines format (see `docs/event-format.md`): reading, and the
//! owned structure the syscall fields are computed from.

mod build;
pub(crate) mod fast;
mod fields;
pub(crate) mod parse;

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

use crate::event::{Event, EventBody, EventError};

#[cfg(test)]
pub(crate) use build::push_int;
pub use build::{
    ContainerContext, ContainerInfo, ExeInfo, FdInfo, MountInfo, PodInfo, ProcChain, ProcInfo,
    SyscallBuilder,
};
pub(crate) use fields::SysField;
pub use fields::errno_name;

/// A syscall event, parsed once from one JSON line.
#[derive(Debug, Clone, Default)]
pub struct SyscallEvent {
    pub(crate) evt_type: String,
    pub(crate) enter: bool,
    pub(crate) cpu: Option<i64>,
    pub(crate) res: Option<i64>,
    pub(crate) args: Vec<Arg>,
    /// The thread and then its ancestors: `procs[0]` is the thread itself, `procs[1]` its
    /// parent, and so on. Empty when the event has no thread context. Shared: a producer
    /// that keeps a process table hands the same chain to every event of a thread.
    pub(crate) procs: Arc<[Proc]>,
    /// The thread's id when `procs` is a chain the process's threads share
    /// ([`SyscallBuilder::chain`]), or when the event names its thread without a process
    /// record ([`SyscallBuilder::tid`]); `None` when `procs[0]` has it.
    pub(crate) tid: Option<i64>,
    pub(crate) fd: Option<Box<Fd>>,
    pub(crate) container: Option<Arc<Container>>,
    pub(crate) k8s: Option<Arc<K8sMeta>>,
    /// Open flags as `OPEN_*` bits, for open-family events that have a `flags` argument.
    pub(crate) open_flags: Option<u32>,
    /// Buffers of an earlier event that [`SyscallBuilder::reuse`] fills again instead of
    /// allocating; never read by field extraction.
    pub(crate) spare: Spare,
}

/// What a reused event keeps for the next one: argument slots (their text buffers) and
/// the descriptor record.
#[derive(Debug, Clone, Default)]
pub(crate) struct Spare {
    pub(crate) args: Vec<Arg>,
    pub(crate) fd: Option<Box<Fd>>,
}

impl SyscallEvent {
    /// The event type (`openat`, `execve`, ...).
    pub fn event_type(&self) -> &str {
        &self.evt_type
    }

    /// True for an enter event (`evt.dir` = `>`).
    pub fn is_enter(&self) -> bool {
        self.enter
    }

    /// The return value, if the event has one.
    pub fn res(&self) -> Option<i64> {
        self.res
    }

    pub(crate) fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|a| &*a.name == name)
    }

    /// The number of the event's descriptor (`fd.num`), if it has one.
    pub fn fd_num(&self) -> Option<i64> {
        self.fd.as_ref().and_then(|fd| fd.num)
    }

    /// Argument `name`: its raw value and its text (`evt.rawarg.NAME`, `evt.arg.NAME`).
    pub fn arg_value(&self, name: &str) -> Option<(ArgRaw<'_>, &str)> {
        let arg = self.arg(name)?;
        let raw = match &arg.raw {
            Raw::Int(v) => ArgRaw::Int(*v),
            Raw::Uint(v) => ArgRaw::Uint(*v),
            Raw::Text => ArgRaw::Text,
            Raw::Bytes(b) => ArgRaw::Bytes(b),
        };
        Some((raw, &arg.text))
    }

    pub(crate) fn thread(&self) -> Option<&Proc> {
        self.procs.first()
    }

    /// `thread.tid`: the event's own thread id, else the thread record's.
    pub(crate) fn thread_tid(&self) -> Option<i64> {
        self.tid.or_else(|| self.thread().and_then(|p| p.tid))
    }
}

/// The raw value of an argument ([`SyscallEvent::arg_value`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgRaw<'a> {
    /// A negative number.
    Int(i64),
    /// A number.
    Uint(u64),
    /// The value is the text itself (paths, names).
    Text,
    /// A byte buffer.
    Bytes(&'a [u8]),
}

/// One event argument: its text (as `evt.arg.NAME` shows it) and raw value (`evt.rawarg`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Arg {
    pub(crate) name: Cow<'static, str>,
    pub(crate) text: String,
    pub(crate) raw: Raw,
}

/// The raw value of an argument.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    Int(i64),
    Uint(u64),
    /// The raw value is the text itself (paths, names).
    Text,
    /// A byte buffer given in base64 or as text.
    Bytes(Box<[u8]>),
}

/// A process (thread) record.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Proc {
    pub(crate) tid: Option<i64>,
    pub(crate) pid: Option<i64>,
    pub(crate) vtid: Option<i64>,
    pub(crate) vpid: Option<i64>,
    pub(crate) ppid: Option<i64>,
    pub(crate) sid: Option<i64>,
    pub(crate) vpgid: Option<i64>,
    pub(crate) pgid: Option<i64>,
    pub(crate) tty: Option<u64>,
    pub(crate) loginuid: Option<i64>,
    pub(crate) loginname: Option<Box<str>>,
    pub(crate) uid: Option<u64>,
    pub(crate) gid: Option<u64>,
    pub(crate) user: Option<Box<str>>,
    pub(crate) group: Option<Box<str>>,
    pub(crate) homedir: Option<Box<str>>,
    pub(crate) shell: Option<Box<str>>,
    pub(crate) name: Option<Box<str>>,
    pub(crate) exe: Option<Box<str>>,
    pub(crate) exepath: Option<Box<str>>,
    pub(crate) args: Option<Box<[Box<str>]>>,
    pub(crate) cwd: Option<Box<str>>,
    pub(crate) env: Option<Box<[Box<str>]>>,
    pub(crate) start_ts: Option<u64>,
    pub(crate) pidns_init_start_ts: Option<u64>,
    pub(crate) cap_permitted: Option<Box<str>>,
    pub(crate) cap_effective: Option<Box<str>>,
    pub(crate) cap_inheritable: Option<Box<str>>,
    pub(crate) exe_writable: Option<bool>,
    pub(crate) exe_upper_layer: Option<bool>,
    pub(crate) exe_lower_layer: Option<bool>,
    pub(crate) exe_from_memfd: Option<bool>,
    pub(crate) exe_ino: Option<i64>,
    pub(crate) exe_ino_ctime: Option<u64>,
    pub(crate) exe_ino_mtime: Option<u64>,
    pub(crate) nthreads: Option<u64>,
}

/// The file descriptor the event acts on.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Fd {
    pub(crate) num: Option<i64>,
    pub(crate) kind: Option<FdKind>,
    pub(crate) name: Option<String>,
    pub(crate) nameraw: Option<Box<str>>,
    pub(crate) cip: Option<IpAddr>,
    pub(crate) sip: Option<IpAddr>,
    pub(crate) cport: Option<u64>,
    pub(crate) sport: Option<u64>,
    pub(crate) cip_name: Option<Box<str>>,
    pub(crate) sip_name: Option<Box<str>>,
    pub(crate) l4proto: Option<Box<str>>,
    pub(crate) is_server: Option<bool>,
    pub(crate) connected: Option<bool>,
    pub(crate) name_changed: Option<bool>,
    pub(crate) dev: Option<i64>,
    pub(crate) ino: Option<i64>,
    pub(crate) upper_layer: Option<bool>,
    pub(crate) lower_layer: Option<bool>,
}

/// libsinsp's descriptor types (`scap_fd_type`): the one table of their `fd.type` names
/// and `fd.typechar` letters, which the capture reader (`falco-scap`) uses too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdKind {
    /// A file.
    File,
    /// A directory.
    Directory,
    /// An IPv4 socket.
    Ipv4,
    /// An IPv6 socket.
    Ipv6,
    /// A Unix socket.
    Unix,
    /// A pipe.
    Pipe,
    /// An eventfd.
    Event,
    /// A signalfd.
    Signalfd,
    /// An epoll instance.
    Eventpoll,
    /// An inotify instance.
    Inotify,
    /// A timerfd.
    Timerfd,
    /// A netlink socket.
    Netlink,
    /// A BPF object.
    Bpf,
    /// A userfaultfd.
    Userfaultfd,
    /// An io_uring instance.
    IoUring,
    /// A memfd.
    Memfd,
    /// A pidfd.
    Pidfd,
    /// Anything else.
    Unknown,
}

impl FdKind {
    /// Every type with its `fd.type` name and `fd.typechar` letter.
    pub const ALL: &'static [(&'static str, FdKind, &'static str)] = &[
        ("file", FdKind::File, "f"),
        ("directory", FdKind::Directory, "d"),
        ("ipv4", FdKind::Ipv4, "4"),
        ("ipv6", FdKind::Ipv6, "6"),
        ("unix", FdKind::Unix, "u"),
        ("pipe", FdKind::Pipe, "p"),
        ("event", FdKind::Event, "e"),
        ("signalfd", FdKind::Signalfd, "s"),
        ("eventpoll", FdKind::Eventpoll, "l"),
        ("inotify", FdKind::Inotify, "i"),
        ("timerfd", FdKind::Timerfd, "t"),
        ("netlink", FdKind::Netlink, "n"),
        ("bpf", FdKind::Bpf, "b"),
        ("userfaultfd", FdKind::Userfaultfd, "u"),
        ("io_uring", FdKind::IoUring, "r"),
        ("memfd", FdKind::Memfd, "m"),
        ("pidfd", FdKind::Pidfd, "P"),
        ("unknown", FdKind::Unknown, "o"),
    ];

    /// The type an `fd.type` name names.
    pub fn from_name(name: &str) -> Option<FdKind> {
        Self::ALL
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, k, _)| *k)
    }

    /// `fd.type`.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k, _)| *k == self)
            .map_or("<NA>", |(n, _, _)| n)
    }

    /// `fd.typechar`.
    pub fn typechar(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k, _)| *k == self)
            .map_or("o", |(_, _, c)| c)
    }

    /// Whether it is an IPv4 or IPv6 socket.
    pub fn is_ip(self) -> bool {
        matches!(self, FdKind::Ipv4 | FdKind::Ipv6)
    }
}

/// `fd.typechar` of a descriptor libsinsp has no entry for (a failed open, a descriptor
/// opened before the capture): its guess from the type of the event.
pub(crate) fn typechar_of_event(evt_type: &str) -> &'static str {
    match evt_type {
        "openat" | "openat2" | "creat" => "f",
        "socket" | "accept" | "accept4" => "4",
        "pipe" | "pipe2" => "p",
        "eventfd" | "eventfd2" => "e",
        "signalfd" | "signalfd4" => "s",
        "timerfd_create" => "t",
        "inotify_init" | "inotify_init1" => "i",
        _ => "o",
    }
}

/// Container context (the container plugin's fields).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Container {
    pub(crate) id: Option<Box<str>>,
    pub(crate) full_id: Option<Box<str>>,
    pub(crate) name: Option<Box<str>>,
    pub(crate) image: Option<Box<str>>,
    pub(crate) image_id: Option<Box<str>>,
    pub(crate) image_repository: Option<Box<str>>,
    pub(crate) image_tag: Option<Box<str>>,
    pub(crate) image_digest: Option<Box<str>>,
    pub(crate) kind: Option<Box<str>>,
    pub(crate) privileged: Option<bool>,
    pub(crate) host_pid: Option<bool>,
    pub(crate) host_network: Option<bool>,
    pub(crate) host_ipc: Option<bool>,
    pub(crate) start_ts: Option<u64>,
    pub(crate) ip: Option<Box<str>>,
    pub(crate) labels: Box<[(Box<str>, Box<str>)]>,
    pub(crate) mounts: Box<[Mount]>,
}

impl Container {
    /// Whether an engine described the container (something besides its id is known).
    /// A container known only by its id is a lookup still pending: its lists are
    /// `<NA>`, not empty.
    pub(crate) fn is_known(&self) -> bool {
        self.full_id.is_some()
            || self.name.is_some()
            || self.image.is_some()
            || self.kind.is_some()
            || !self.labels.is_empty()
            || !self.mounts.is_empty()
    }
}

/// A container mount.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Mount {
    pub(crate) source: Box<str>,
    pub(crate) dest: Box<str>,
    pub(crate) mode: Box<str>,
    pub(crate) rdwr: bool,
    pub(crate) propagation: Box<str>,
}

/// Kubernetes context of the container.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct K8sMeta {
    pub(crate) pod_name: Option<Box<str>>,
    pub(crate) pod_uid: Option<Box<str>>,
    pub(crate) pod_ip: Option<Box<str>>,
    pub(crate) ns_name: Option<Box<str>>,
    pub(crate) pod_labels: Box<[(Box<str>, Box<str>)]>,
}

/// Turns syscall JSON lines into numbered events, one line at a time.
pub(crate) struct SyscallLines {
    next_num: u64,
    first_ts: Option<u64>,
    pub(crate) hostname: Option<Arc<str>>,
    parser: fast::LineParser,
}

impl Default for SyscallLines {
    fn default() -> Self {
        SyscallLines {
            next_num: 1,
            first_ts: None,
            hostname: None,
            parser: fast::LineParser::default(),
        }
    }
}

impl SyscallLines {
    /// The event of line `line_no`, or its error; `None` for a blank or `#` line.
    pub(crate) fn line(&mut self, line_no: usize, line: &str) -> Option<Result<Event, EventError>> {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        Some(match self.parser.parse(line) {
            Ok(parsed) => {
                let num = parsed.num.unwrap_or(self.next_num);
                self.next_num = num.saturating_add(1);
                let first_ts = *self.first_ts.get_or_insert(parsed.ts);
                Ok(Event {
                    num,
                    ts: parsed.ts,
                    first_ts,
                    hostname: parsed.hostname.or_else(|| self.hostname.clone()),
                    body: EventBody::Syscall(Box::new(parsed.event)),
                })
            }
            Err((offset, message)) => {
                let (_, column) = crate::event::line_col(line, offset);
                Err(EventError {
                    line: line_no,
                    column,
                    message,
                })
            }
        })
    }
}

/// Reads syscall events, one JSON object per line (blank lines and lines starting with `#`
/// are skipped). Each bad line gives one error naming its line; reading goes on.
pub struct SyscallReader<'t> {
    lines: std::iter::Enumerate<std::str::Lines<'t>>,
    events: SyscallLines,
}

impl<'t> SyscallReader<'t> {
    /// A reader over `text`.
    pub fn new(text: &'t str) -> Self {
        SyscallReader {
            lines: text.lines().enumerate(),
            events: SyscallLines::default(),
        }
    }

    /// Stamps `hostname` on events that do not name their own host.
    pub fn with_hostname(mut self, hostname: Option<Arc<str>>) -> Self {
        self.events.hostname = hostname;
        self
    }
}

impl Iterator for SyscallReader<'_> {
    type Item = Result<Event, EventError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (index, line) = self.lines.next()?;
            if let Some(result) = self.events.line(index + 1, line) {
                return Some(result);
            }
        }
    }
}

/// Reads every event of a syscall JSON-lines text; see [`SyscallReader`].
pub fn read_syscall(text: &str) -> Vec<Result<Event, EventError>> {
    SyscallReader::new(text).collect()
}
