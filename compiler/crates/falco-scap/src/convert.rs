//! Capture event records → falco-events events.
//!
//! First what libscap's converter does to a capture's events: enter events it manages are
//! kept for their exit events (and dropped unless it passes them on), and an exit event
//! of an older layout gets the parameters of the current one (here by name: from the
//! record, else from its kept enter event). Then what libsinsp does with each event it
//! sees: which descriptor the event is about, and how it changes the threads and
//! descriptors (`state.rs`).

use std::fmt::Write as _;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use falco_events::{Event, FdKind, SyscallBuilder};
use falco_schema::{CodeParam, EventCode, EventFlags, FieldType, ParamInfo, Schema};

use crate::params::{self, Tuple};
use crate::record::Record;
use crate::state::{
    CL_CLONE_FILES, CL_CLONE_THREAD, Fd, MAX_THREADS, O_CLOEXEC, O_DIRECTORY, State, with_slash,
};

/// What a reader skipped, by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Events delivered (read into events).
    pub events: u64,
    /// Records of codes the event table does not know (from a newer capture format).
    pub unknown: u64,
    /// Records of unused codes, and enter events kept only for their exit events, as
    /// libscap's converter drops them.
    pub dropped: u64,
}

/// An enter event kept for its exit event: its code and its parameters' bytes.
#[derive(Default)]
struct Kept {
    code: u16,
    bytes: Vec<u8>,
    params: Vec<(usize, usize)>,
}

/// Turns records into events, keeping the state they are read against.
pub(crate) struct Converter {
    pub(crate) state: State,
    kept: FxHashMap<i64, Kept>,
    /// The current event's parameters: each one's description and its bytes in `bytes`.
    params: Vec<(&'static CodeParam, usize, usize)>,
    bytes: Vec<u8>,
    text: String,
    next_num: u64,
    first_ts: Option<u64>,
    pub(crate) hostname: Option<Arc<str>>,
    pub(crate) counts: Counts,
    /// Set at the first event that is not initial state (see [`Converter::event`]).
    past_initial_state: bool,
}

impl Default for Converter {
    fn default() -> Self {
        Converter {
            state: State::default(),
            kept: FxHashMap::default(),
            params: Vec::new(),
            bytes: Vec::new(),
            text: String::new(),
            next_num: 1,
            first_ts: None,
            hostname: None,
            counts: Counts::default(),
            past_initial_state: false,
        }
    }
}

/// Codes of libsinsp's `execveat` enter event and `execve` exit event: a successful
/// `execveat` ends with an `execve` exit.
fn is_execveat_then_execve(enter: &EventCode, exit: &EventCode) -> bool {
    enter.name == "execveat" && exit.name == "execve"
}

impl Converter {
    /// The event of record `rec` (read from `body`), or `None` when it is not one libsinsp
    /// would see. `spare` is an event the caller is done with, whose buffers are reused.
    pub(crate) fn event(
        &mut self,
        rec: &Record,
        body: &[u8],
        spare: Option<Event>,
    ) -> Option<Event> {
        let schema = Schema::get();
        let info = schema.event_code(rec.code)?;
        if info.flags.has(EventFlags::UNUSED) {
            self.counts.dropped += 1;
            return None;
        }
        if info.enter && info.flags.has(EventFlags::CONVERTER_MANAGED) {
            self.keep(rec, body);
        }
        if !info.delivered_from_captures() {
            self.counts.dropped += 1;
            return None;
        }
        self.collect(info, rec, body);
        self.find_or_make_thread(info, rec.tid);
        let fd_num = self.reset(info, rec);
        let event_fd = self.parse(info, rec, fd_num);
        // The syscall enter events the converter passes on serve libsinsp's parser (file
        // names as the call saw them, parameters the exit lacks); libsinsp drops them
        // before the rules.
        // Likewise the run of container, user and group events a capture starts with:
        // libsinsp reads them as initial state when it opens the capture.
        let initial_state = matches!(
            info.name,
            "container"
                | "useradded"
                | "userdeleted"
                | "groupadded"
                | "groupdeleted"
                | "asyncevent"
        );
        if !initial_state {
            self.past_initial_state = true;
        }
        if info.enter && info.kind == falco_schema::EventKind::Syscall
            || initial_state && !self.past_initial_state
        {
            self.counts.dropped += 1;
            // Numbered all the same: libsinsp numbers every event it reads.
            self.next_num += 1;
            return None;
        }
        let event = self.build(info, rec, event_fd, spare);
        self.after(info, rec, event_fd);
        if event.is_some() {
            self.counts.events += 1;
        }
        event
    }

    /// Keeps an enter event for its exit event (one per thread, as libscap does).
    fn keep(&mut self, rec: &Record, body: &[u8]) {
        if self.kept.len() >= MAX_THREADS && !self.kept.contains_key(&rec.tid) {
            return;
        }
        let kept = self.kept.entry(rec.tid).or_default();
        kept.code = rec.code;
        kept.bytes.clear();
        kept.params.clear();
        for &(start, len) in &rec.params {
            let at = kept.bytes.len();
            kept.bytes
                .extend_from_slice(body.get(start..start + len).unwrap_or(&[]));
            kept.params.push((at, len));
        }
    }

    /// The event's parameters by name: the record's, and for an exit event, the ones of
    /// the current layout it lacks, from its kept enter event.
    fn collect(&mut self, info: &'static EventCode, rec: &Record, body: &[u8]) {
        self.params.clear();
        self.bytes.clear();
        for (param, &(start, len)) in info.params.iter().zip(&rec.params) {
            let at = self.bytes.len();
            self.bytes
                .extend_from_slice(body.get(start..start + len).unwrap_or(&[]));
            self.params.push((param, at, len));
        }
        if info.enter || !info.flags.has(EventFlags::CONVERTER_MANAGED) {
            return;
        }
        let schema = Schema::get();
        let current = schema.current_code(info.name, false).unwrap_or(info);
        if current.code == info.code && rec.params.len() == info.params.len() {
            return;
        }
        let enter = self.kept.get(&rec.tid).and_then(|k| {
            let code = schema.event_code(k.code)?;
            (code.name == info.name && code.enter).then_some((code, k))
        });
        for param in current.params {
            if self.params.iter().any(|(p, _, _)| p.name == param.name) {
                continue;
            }
            let from_enter = enter.and_then(|(code, kept)| {
                let i = code.params.iter().position(|p| p.name == param.name)?;
                let &(start, len) = kept.params.get(i)?;
                kept.bytes.get(start..start + len)
            });
            let at = self.bytes.len();
            match from_enter {
                Some(bytes) => self.bytes.extend_from_slice(bytes),
                None if current.fallback_default.contains(&param.name) => {
                    default_value(param.ty, &mut self.bytes);
                }
                None => continue,
            }
            let len = self.bytes.len() - at;
            self.params.push((param, at, len));
        }
    }

    /// The bytes of parameter `name`, if the event has it.
    fn param(&self, name: &str) -> Option<(&'static CodeParam, &[u8])> {
        self.params
            .iter()
            .find(|(p, _, _)| p.name == name)
            .map(|&(p, at, len)| (p, self.bytes.get(at..at + len).unwrap_or(&[])))
    }

    /// Parameter `name` as a number.
    fn number(&self, name: &str) -> Option<i64> {
        self.param(name).and_then(|(p, b)| params::number(p.ty, b))
    }

    /// Parameter `name` as text.
    fn string(&self, name: &str) -> Option<String> {
        self.param(name)
            .filter(|(_, b)| !b.is_empty())
            .map(|(_, b)| params::string(b))
    }

    /// The return value of a syscall exit event: its first parameter (libsinsp's rule;
    /// the generic event has none).
    fn res(&self, info: &EventCode) -> Option<i64> {
        if info.enter || info.kind != falco_schema::EventKind::Syscall || info.name == "syscall" {
            return None;
        }
        let &(first, at, len) = self.params.first()?;
        params::number(first.ty, self.bytes.get(at..at + len)?)
    }

    /// libsinsp's lookup of the event's thread: a capture cannot ask the OS about a thread
    /// it does not know, so libsinsp adds a placeholder (pid -1, names `<NA>`) that a later
    /// execve fills in; except for events that must not create threads (clone and fork
    /// exits, context switches, process exits, and events that skip this bookkeeping).
    fn find_or_make_thread(&mut self, info: &EventCode, tid: i64) {
        let exempt = info.flags.has(EventFlags::SKIPPARSERESET)
            || matches!(
                info.name,
                "clone" | "fork" | "vfork" | "clone3" | "switch" | "procexit"
            )
            || info.kind != falco_schema::EventKind::Syscall
                && info.kind != falco_schema::EventKind::Tracepoint;
        if exempt || self.state.threads.contains_key(&tid) {
            return;
        }
        self.state
            .insert_thread(crate::state::Thread::placeholder(tid));
    }

    /// libsinsp's reset: the thread's last-event bookkeeping and the descriptor the event
    /// uses, if any.
    fn reset(&mut self, info: &EventCode, rec: &Record) -> Option<i64> {
        let uses_fd = info.flags.has(EventFlags::USES_FD);
        let fd_at = |this: &Self| {
            let i = usize::from(info.fd_param?);
            let &(p, at, len) = this.params.get(i)?;
            (len > 0)
                .then(|| params::number(p.ty, this.bytes.get(at..at + len)?))
                .flatten()
        };
        let fd_param = fd_at(self);
        let schema = Schema::get();
        let t = self.state.thread_mut(rec.tid)?;
        if info.enter {
            t.lastevent_code = rec.code;
            t.lastevent_fd = if uses_fd { fd_param.unwrap_or(-1) } else { -1 };
        } else {
            let valid = t.lastevent_code != u16::MAX
                && (u32::from(rec.code) == u32::from(t.lastevent_code) + 1
                    || schema
                        .event_code(t.lastevent_code)
                        .is_some_and(|enter| is_execveat_then_execve(enter, info)));
            if !valid {
                t.lastevent_fd = -1;
            }
            if uses_fd && t.lastevent_fd == -1 {
                t.lastevent_fd = fd_param.unwrap_or(-1);
            }
        }
        (t.lastevent_fd != -1).then_some(t.lastevent_fd)
    }

    /// libsinsp's parsers: how the event changes the state. Returns the descriptor the
    /// event is about after it.
    fn parse(&mut self, info: &EventCode, rec: &Record, fd: Option<i64>) -> Option<i64> {
        let after = self.parse_exit(info, rec, fd);
        if after != fd
            && let Some(num) = after
            && let Some(t) = self.state.thread_mut(rec.tid)
        {
            t.lastevent_fd = num;
        }
        after
    }

    fn parse_exit(&mut self, info: &EventCode, rec: &Record, fd: Option<i64>) -> Option<i64> {
        if info.enter {
            return fd;
        }
        let tid = rec.tid;
        let res = self.res(info).unwrap_or(0);
        match info.name {
            "open" | "openat" | "openat2" | "creat" | "open_by_handle_at" => {
                if res < 0 {
                    return None;
                }
                let name = self
                    .string("name")
                    .or_else(|| self.string("path"))
                    .unwrap_or_default();
                let flags = self.number("flags").unwrap_or(0) as u32;
                let dir = match info.name {
                    "openat" | "openat2" => self.dirfd_path(tid, "dirfd", &name),
                    "open_by_handle_at" => String::new(),
                    _ => self.cwd(tid),
                };
                let kind = if flags & O_DIRECTORY != 0 {
                    FdKind::Directory
                } else {
                    FdKind::File
                };
                let fd = Fd {
                    open_flags: flags,
                    ..Fd::new(kind, concatenate(&dir, &name))
                };
                self.state.add_fd(tid, res, fd);
                Some(res)
            }
            "socket" => {
                if res < 0 {
                    return None;
                }
                let domain = self.number("domain").unwrap_or(0) as u8;
                let ty = self.number("type").unwrap_or(0) as u32 & 0xf;
                let kind = match domain {
                    params::AF_INET => FdKind::Ipv4,
                    params::AF_INET6 => FdKind::Ipv6,
                    params::AF_UNIX => FdKind::Unix,
                    16 => FdKind::Netlink,
                    _ => FdKind::Unknown,
                };
                let l4 = match (kind, ty) {
                    (FdKind::Ipv4 | FdKind::Ipv6, 1) => Some("tcp"),
                    (FdKind::Ipv4 | FdKind::Ipv6, 2) => Some("udp"),
                    (FdKind::Ipv4 | FdKind::Ipv6, 3) => Some("raw"),
                    _ => None,
                };
                let fd = Fd {
                    l4proto: l4,
                    ..Fd::new(kind, String::new())
                };
                self.state.add_fd(tid, res, fd);
                Some(res)
            }
            "connect" => {
                // Connected, or connecting (EINPROGRESS).
                if (res == 0 || res == -115)
                    && let Some(tuple) = self.param("tuple").and_then(|(_, b)| params::tuple(b))
                    && let Some(num) = fd
                    && let Some(entry) = self.state.fd_mut(tid, num)
                {
                    entry.connect(&tuple);
                    self.state.fill_in_ends(tid, num);
                }
                fd
            }
            "accept" | "accept4" => {
                if res < 0 {
                    return None;
                }
                let fd = match self.param("tuple").and_then(|(_, b)| params::tuple(b)) {
                    Some(Tuple::Ip(client, server)) => {
                        let kind = if client.0.is_ipv4() {
                            FdKind::Ipv4
                        } else {
                            FdKind::Ipv6
                        };
                        let l4 = self
                            .state
                            .fd(tid, self.number("fd").unwrap_or(-1))
                            .and_then(|f| f.l4proto)
                            .or(Some("tcp"));
                        Fd::socket(kind, client, server, l4, Some(true))
                    }
                    Some(Tuple::Unix(_, _, path)) => Fd::new(FdKind::Unix, path),
                    None => Fd::new(FdKind::Unknown, String::new()),
                };
                self.state.add_fd(tid, res, fd);
                Some(res)
            }
            "send" | "sendto" | "sendmsg" => {
                let tuple = self.param("tuple").and_then(|(_, b)| params::tuple(b));
                let num = fd.or_else(|| self.number("fd"))?;
                // A send on a socket the capture never saw made: libsinsp assumes UDP.
                if res >= 0
                    && self.state.fd(tid, num).is_none()
                    && let Some(Tuple::Ip(client, _)) = &tuple
                {
                    let kind = if client.0.is_ipv4() {
                        FdKind::Ipv4
                    } else {
                        FdKind::Ipv6
                    };
                    let fd = Fd {
                        l4proto: Some("udp"),
                        ..Fd::new(kind, String::new())
                    };
                    self.state.add_fd(tid, num, fd);
                }
                // Datagram sockets (and sockets without a name yet) take the tuple.
                if res >= 0
                    && let Some(tuple) = &tuple
                    && let Some(entry) = self.state.fd_mut(tid, num)
                    && (entry.name.is_empty() || entry.l4proto != Some("tcp"))
                {
                    entry.connect(tuple);
                    self.state.fill_in_ends(tid, num);
                }
                Some(num)
            }
            "dup" | "dup2" | "dup3" => {
                let old = self.number("oldfd").or(fd);
                if res >= 0
                    && let Some(old) = old
                    && let Some(entry) = self.state.fd(tid, old).cloned()
                {
                    self.state.add_fd(tid, res, entry);
                }
                fd
            }
            "pipe" | "pipe2" | "socketpair" => {
                if res == 0 {
                    let kind = if info.name == "socketpair" {
                        FdKind::Unix
                    } else {
                        FdKind::Pipe
                    };
                    for name in ["fd1", "fd2"] {
                        if let Some(n) = self.number(name) {
                            self.state.add_fd(tid, n, Fd::new(kind, String::new()));
                        }
                    }
                }
                fd
            }
            "eventfd" | "eventfd2" | "signalfd" | "signalfd4" | "timerfd_create"
            | "inotify_init" | "inotify_init1" | "epoll_create" | "epoll_create1"
            | "userfaultfd" | "memfd_create" | "pidfd_open" | "pidfd_getfd" | "io_uring_setup" => {
                if res < 0 {
                    return fd;
                }
                let kind = match info.name {
                    "eventfd" | "eventfd2" => FdKind::Event,
                    "signalfd" | "signalfd4" => FdKind::Signalfd,
                    "timerfd_create" => FdKind::Timerfd,
                    "inotify_init" | "inotify_init1" => FdKind::Inotify,
                    "epoll_create" | "epoll_create1" => FdKind::Eventpoll,
                    "userfaultfd" => FdKind::Userfaultfd,
                    "memfd_create" => FdKind::Memfd,
                    "io_uring_setup" => FdKind::IoUring,
                    _ => FdKind::Pidfd,
                };
                let name = match kind {
                    FdKind::Memfd => format!("memfd:{}", self.string("name").unwrap_or_default()),
                    _ => String::new(),
                };
                self.state.add_fd(tid, res, Fd::new(kind, name));
                Some(res)
            }
            "clone" | "fork" | "vfork" | "clone3" => {
                self.clone_exit(tid, res);
                fd
            }
            "execve" | "execveat" => {
                if res == 0 {
                    self.execve_exit(tid);
                }
                fd
            }
            "chdir" => {
                if res == 0 {
                    let path = self.string("path").unwrap_or_default();
                    let cwd = with_slash(&concatenate(&self.cwd(tid), &path));
                    self.state.set_cwd(tid, cwd);
                }
                fd
            }
            "fchdir" => {
                if res == 0
                    && let Some(name) = fd
                        .and_then(|n| self.state.fd(tid, n))
                        .map(|f| f.name.clone())
                {
                    self.state.set_cwd(tid, with_slash(&name));
                }
                fd
            }
            "setuid" | "setreuid" | "setresuid" | "setgid" | "setregid" | "setresgid" => {
                if res == 0 {
                    let user = info.name.contains("uid");
                    let id = match info.name {
                        "setuid" => self.number("uid"),
                        "setgid" => self.number("gid"),
                        "setreuid" | "setresuid" => self.number("euid"),
                        _ => self.number("egid"),
                    };
                    if let Some(id) = id.filter(|&id| id != -1 && id != i64::from(u32::MAX))
                        && let Some(t) = self.state.thread_mut(tid)
                    {
                        if user {
                            t.uid = id as u32;
                        } else {
                            t.gid = id as u32;
                        }
                        self.state.touch();
                    }
                }
                fd
            }
            "setsid" => {
                if res >= 0
                    && let Some(t) = self.state.thread_mut(tid)
                {
                    t.sid = res;
                    self.state.touch();
                }
                fd
            }
            _ => fd,
        }
    }

    /// The working directory of thread `tid`.
    fn cwd(&self, tid: i64) -> String {
        self.state.cwd(tid).to_owned()
    }

    /// The directory a path relative to the descriptor in parameter `param` starts from.
    fn dirfd_path(&self, tid: i64, param: &str, name: &str) -> String {
        if name.starts_with('/') {
            return String::new();
        }
        match self.number(param) {
            // AT_FDCWD (as the driver encodes it).
            Some(-100) | None => self.cwd(tid),
            Some(fd) => self
                .state
                .fd(tid, fd)
                .map_or_else(String::new, |f| with_slash(&f.name)),
        }
    }

    /// A clone, fork or vfork exit: the caller's side (the child's tid as return value) or
    /// the child's (0).
    fn clone_exit(&mut self, tid: i64, res: i64) {
        let flags = self.number("flags").unwrap_or(0) as u32;
        let (child_tid, parent_tid) = match res {
            0 => (tid, self.number("ptid").unwrap_or(-1)),
            r if r > 0 => (r, tid),
            _ => return,
        };
        if self.state.threads.contains_key(&child_tid) {
            if res == 0 {
                self.fill_from_params(child_tid);
            }
            return;
        }
        let parent = self.state.threads.get(&parent_tid).cloned();
        let mut child = parent.clone().unwrap_or_default();
        child.tid = child_tid;
        child.lastevent_fd = -1;
        child.lastevent_code = u16::MAX;
        let thread = flags & CL_CLONE_THREAD != 0;
        match &parent {
            Some(p) if thread => {
                child.pid = p.pid;
                child.ptid = p.ptid;
            }
            Some(p) => {
                child.pid = child_tid;
                child.ptid = p.tid;
            }
            None => {
                child.pid = self.number("pid").filter(|_| res == 0).unwrap_or(child_tid);
                child.ptid = parent_tid;
            }
        }
        child.vtid = -1;
        child.vpid = -1;
        self.state.insert_thread(child);
        if res == 0 {
            self.fill_from_params(child_tid);
        }
        let (pid, parent_pid) = match self.state.threads.get(&child_tid) {
            Some(c) => (c.pid, parent.as_ref().map_or(-1, |p| p.pid)),
            None => return,
        };
        if pid != parent_pid && flags & CL_CLONE_FILES == 0 {
            self.state.copy_fds(parent_pid, pid);
        }
    }

    /// Takes a clone child's own values from the event (`res == 0` side).
    fn fill_from_params(&mut self, tid: i64) {
        let number = |name: &str| self.number(name);
        let (pid, ptid, vtid, vpid) = (
            number("pid"),
            number("ptid"),
            number("vtid"),
            number("vpid"),
        );
        let (uid, gid) = (number("uid"), number("gid"));
        let (exe, comm, cwd) = (self.string("exe"), self.string("comm"), self.string("cwd"));
        let args = self.param("args").map(|(_, b)| crate::cursor::split_nul(b));
        let Some(t) = self.state.thread_mut(tid) else {
            return;
        };
        if let Some(v) = pid {
            t.pid = v;
        }
        if let Some(v) = ptid {
            t.ptid = v;
        }
        if let Some(v) = vtid {
            t.vtid = v;
        }
        if let Some(v) = vpid {
            t.vpid = v;
        }
        if let Some(v) = uid {
            t.uid = v as u32;
        }
        if let Some(v) = gid {
            t.gid = v as u32;
        }
        if let Some(v) = exe {
            t.exe = v;
        }
        if let Some(v) = comm {
            t.comm = v;
        }
        if let Some(v) = cwd {
            t.cwd = with_slash(&v);
        }
        if let Some(v) = args {
            t.args = v;
        }
        self.state.touch();
    }

    /// A successful execve: the thread runs a new program; close-on-exec descriptors close.
    /// The working directory stays (libsinsp ignores the event's `cwd`).
    fn execve_exit(&mut self, tid: i64) {
        let exe = self.string("exe");
        let comm = self.string("comm");
        let args = self.param("args").map(|(_, b)| crate::cursor::split_nul(b));
        let env = self
            .param("env")
            .filter(|(_, b)| !b.is_empty())
            .map(|(_, b)| crate::cursor::split_nul(b));
        let filename = self.string("filename");
        let trusted = self.string("trusted_exepath");
        let number = |name: &str| self.number(name);
        let (pid, ptid, uid, gid) = (number("pid"), number("ptid"), number("uid"), number("gid"));
        let (tty, loginuid) = (number("tty"), number("loginuid"));
        let (vpgid, pgid) = (number("vpgid"), number("pgid"));
        let cwd = self.cwd(tid);
        let Some(t) = self.state.thread_mut(tid) else {
            return;
        };
        if let Some(v) = exe {
            t.exe = v;
        }
        // Old captures have no comm: libsinsp takes the whole exe.
        t.comm = comm.unwrap_or_else(|| t.exe.clone());
        if let Some(v) = args {
            t.args = v;
        }
        if let Some(v) = env {
            t.env = v;
        }
        if let Some(path) = trusted {
            t.exepath = crate::state::exepath(&path);
        } else if let Some(file) = filename {
            t.exepath = concatenate(&cwd, &file);
        }
        let placeholder = t.pid == -1;
        if let Some(v) = pid {
            t.pid = v;
        }
        if placeholder {
            // What a placeholder can learn about its place in the tree.
            if let Some(v) = ptid {
                t.ptid = v;
            }
            t.vtid = t.tid;
            t.vpid = t.pid;
        }
        if let Some(v) = uid {
            t.uid = v as u32;
        }
        if let Some(v) = gid {
            t.gid = v as u32;
        }
        if let Some(v) = tty {
            t.tty = v as u32;
        }
        if let Some(v) = loginuid {
            t.loginuid = v as u32;
        }
        if let Some(v) = vpgid {
            t.vpgid = v;
        }
        if let Some(v) = pgid {
            t.pgid = v;
        }
        let pid = t.pid;
        if let Some(table) = self.state.fds.get_mut(&pid) {
            table.retain(|_, f| f.open_flags & O_CLOEXEC == 0);
        }
        self.state.touch();
    }

    /// What happens once the event has been read: a closed descriptor goes, an exited
    /// thread goes.
    fn after(&mut self, info: &EventCode, rec: &Record, fd: Option<i64>) {
        match info.name {
            "close" if !info.enter && self.res(info) == Some(0) => {
                if let Some(num) = fd {
                    self.state.remove_fd(rec.tid, num);
                }
            }
            "procexit" => {
                self.state.remove_thread(rec.tid);
                self.kept.remove(&rec.tid);
            }
            _ => {}
        }
    }

    /// Builds the event.
    fn build(
        &mut self,
        info: &'static EventCode,
        rec: &Record,
        fd: Option<i64>,
        spare: Option<Event>,
    ) -> Option<Event> {
        let schema = Schema::get();
        // The generic event is named after its syscall: the code it carries, else (an
        // unknown code) the native x86_64 number.
        let evt_type = match info.name {
            "syscall" => self
                .number("ID")
                .and_then(|id| schema.syscall_name(id as u16))
                .filter(|name| *name != "unknown")
                .or_else(|| {
                    let native = u32::try_from(self.number("nativeID")?).ok()?;
                    falco_rt_record::syscalls::name(native)
                })
                .filter(|name| schema.is_event_type(name))
                .unwrap_or("syscall"),
            name => name,
        };
        let mut b = SyscallBuilder::reuse(spare, evt_type, rec.ts)?;
        b.enter(info.enter).cpu(i64::from(rec.cpu));
        if let Some(res) = self.res(info) {
            b.res(res);
        }
        for i in 0..self.params.len() {
            let Some(&(param, at, len)) = self.params.get(i) else {
                continue;
            };
            let bytes = self.bytes.get(at..at + len).unwrap_or(&[]);
            self.text.clear();
            match param.ty {
                FieldType::Fd | FieldType::Fd32 if !bytes.is_empty() => {
                    let n = params::number(param.ty, bytes).unwrap_or(-1);
                    match self.state.fd(rec.tid, n) {
                        Some(f) => {
                            let _ = write!(self.text, "<{}", f.kind.typechar());
                            if let Some(l4) = f.visible_l4proto().and_then(|p| p.chars().next()) {
                                self.text.push(l4);
                            }
                            self.text.push('>');
                            self.text.push_str(&f.name);
                        }
                        None => {
                            let _ = write!(self.text, "{n}");
                        }
                    }
                    b.arg_raw_text(param.name, n, &self.text);
                }
                FieldType::Pid | FieldType::Pid32 if !bytes.is_empty() => {
                    let n = params::number(param.ty, bytes).unwrap_or(-1);
                    match self.state.threads.get(&n) {
                        Some(t) => self.text.push_str(&t.comm),
                        None => {
                            let _ = write!(self.text, "{n}");
                        }
                    }
                    b.arg_raw_text(param.name, n, &self.text);
                }
                FieldType::Charbuf | FieldType::Fspath | FieldType::Fsrelpath => {
                    let text = params::string(bytes);
                    let resolved = match (param.ty, param.info) {
                        (FieldType::Fspath, _) if !text.is_empty() && !text.starts_with('/') => {
                            concatenate(&self.cwd(rec.tid), &text)
                        }
                        (FieldType::Fsrelpath, ParamInfo::Dirfd(_)) if !text.starts_with('/') => {
                            let dirfd = self.params.get(usize::from(match param.info {
                                ParamInfo::Dirfd(i) => i,
                                _ => 0,
                            }));
                            let dir = match dirfd.map(|&(p, a, l)| {
                                params::number(p.ty, self.bytes.get(a..a + l).unwrap_or(&[]))
                            }) {
                                Some(Some(-100)) | None | Some(None) => self.cwd(rec.tid),
                                Some(Some(n)) => self
                                    .state
                                    .fd(rec.tid, n)
                                    .map_or_else(String::new, |f| with_slash(&f.name)),
                            };
                            concatenate(&dir, &text)
                        }
                        _ => text,
                    };
                    if bytes.is_empty() {
                        b.arg_str(param.name, "<NA>");
                    } else {
                        b.arg_str(param.name, &resolved);
                    }
                }
                FieldType::Bytebuf => {
                    params::write_text(param, bytes, &mut self.text);
                    b.arg_bytes(param.name, bytes, &self.text);
                }
                ty => {
                    params::write_text(param, bytes, &mut self.text);
                    match params::number(ty, bytes) {
                        Some(n) if !matches!(ty, FieldType::Socktuple | FieldType::Sockaddr) => {
                            b.arg_raw_text(param.name, n, &self.text)
                        }
                        _ => b.arg_str(param.name, &self.text),
                    };
                }
            }
        }
        match self.state.chain(rec.tid) {
            Some(chain) => b.chain(&chain, rec.tid),
            None => b.tid(rec.tid),
        };
        // libsinsp's descriptor fields apply to events that create, use or destroy one, of
        // a known thread: the descriptor's entry, else only its number and a name taken
        // from the event.
        let fd_flags = EventFlags::CREATES_FD | EventFlags::USES_FD | EventFlags::DESTROYS_FD;
        if info.flags.0 & fd_flags != 0 && self.state.threads.contains_key(&rec.tid) {
            let num = fd.unwrap_or(-1);
            match self.state.fd(rec.tid, num) {
                Some(f) => {
                    b.fd(&f.info(num));
                }
                None => {
                    let name = (!info.enter).then(|| self.fd_name_from_event(info, rec.tid));
                    b.fd(&falco_events::FdInfo {
                        num,
                        kind: "",
                        name: name.as_deref(),
                        ..falco_events::FdInfo::default()
                    });
                }
            }
        }
        let num = self.next_num;
        self.next_num += 1;
        let first_ts = *self.first_ts.get_or_insert(rec.ts);
        Some(b.build(num, first_ts, self.hostname.clone()))
    }
}

impl Converter {
    /// `fd.name` of an exit event whose descriptor is not in the table (a failed open,
    /// say), as libsinsp takes it from the event: the path of the open family, the tuple of
    /// accept and connect, else empty.
    fn fd_name_from_event(&self, info: &EventCode, tid: i64) -> String {
        match info.name {
            "open" | "creat" | "accept" | "accept4" | "connect" => {
                let Some(&(param, at, len)) = self.params.get(1) else {
                    return String::new();
                };
                let bytes = self.bytes.get(at..at + len).unwrap_or(&[]);
                match param.ty {
                    FieldType::Fspath | FieldType::Charbuf => {
                        concatenate(&self.cwd(tid), &params::string(bytes))
                    }
                    _ => {
                        let mut text = String::new();
                        params::write_text(param, bytes, &mut text);
                        text
                    }
                }
            }
            "openat" | "openat2" => {
                let name = self.string("name").unwrap_or_default();
                concatenate(&self.dirfd_path(tid, "dirfd", &name), &name)
            }
            "open_by_handle_at" => self.string("path").unwrap_or_default(),
            _ => String::new(),
        }
    }
}

/// The converter's default value of a parameter type: zero of the type's width (all ones
/// for uid and gid); nothing for variable-length types.
fn default_value(ty: FieldType, out: &mut Vec<u8>) {
    use FieldType as T;
    match ty {
        T::Int8
        | T::Uint8
        | T::Flags8
        | T::Enumflags8
        | T::Sigtype
        | T::L4proto
        | T::Sockfamily => out.push(0),
        T::Int16 | T::Uint16 | T::Flags16 | T::Enumflags16 | T::Port | T::Syscallid => {
            out.extend_from_slice(&[0; 2]);
        }
        T::Uid | T::Gid => out.extend_from_slice(&u32::MAX.to_le_bytes()),
        T::Int32
        | T::Uint32
        | T::Flags32
        | T::Enumflags32
        | T::Mode
        | T::Bool
        | T::Sigset
        | T::Fd32
        | T::Pid32
        | T::Ipv4addr => out.extend_from_slice(&[0; 4]),
        T::Int64 | T::Uint64 | T::Errno | T::Fd | T::Pid | T::Reltime | T::Abstime | T::Double => {
            out.extend_from_slice(&[0; 8])
        }
        _ => {}
    }
}

/// libsinsp's path joining: `path` if absolute, else `dir` then `path`, with `.` and `..`
/// components resolved and repeated `/` collapsed.
pub(crate) fn concatenate(dir: &str, path: &str) -> String {
    let joined = if path.starts_with('/') || dir.is_empty() {
        path.to_owned()
    } else {
        format!("{}/{path}", dir.trim_end_matches('/'))
    };
    if !joined.starts_with('/') {
        return joined;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = String::with_capacity(joined.len());
    for p in &parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}
