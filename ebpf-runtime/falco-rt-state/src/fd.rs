//! Per-process file descriptor tables and the `fd.*` fields.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use std::net::IpAddr;

/// Which end of a connection this process is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// It called `connect`.
    Client,
    /// It called `accept`.
    Server,
    /// Not known (seeded from /proc, or never connected).
    Unknown,
}

/// An IP endpoint.
pub type Endpoint = (IpAddr, u16);

/// What a descriptor refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FdKind {
    /// A regular file (or device, fifo opened by path...).
    File,
    /// A directory.
    Directory,
    /// An IPv4 or IPv6 socket.
    Inet {
        /// `IPPROTO_*` (6 TCP, 17 UDP, 1 ICMP, 255 raw); 0 if unknown.
        protocol: u16,
        /// `SOCK_*` type.
        sock_type: u16,
        /// Address family, 2 or 10.
        family: u16,
        /// Local address and port, once known.
        local: Option<Endpoint>,
        /// Remote address and port, once known.
        remote: Option<Endpoint>,
        /// Which end this process is.
        role: Role,
    },
    /// A unix socket (name = path, when known).
    Unix,
    /// A pipe.
    Pipe,
    /// An eventfd.
    Event,
    /// A signalfd.
    Signal,
    /// An epoll instance.
    EventPoll,
    /// An inotify instance.
    Inotify,
    /// A bpf map/program/link.
    Bpf,
    /// A userfaultfd.
    Userfault,
    /// An io_uring instance.
    IoUring,
    /// A memfd.
    Memfd,
    /// Anything else.
    Unknown,
}

/// One open descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fd {
    /// What it refers to.
    pub kind: FdKind,
    /// The path for files and unix sockets; empty when unknown. See [`Fd::name`].
    pub path: String,
    /// Closed by exec (`O_CLOEXEC`).
    pub cloexec: bool,
    /// `fd.nameraw`, see [`Fd::nameraw`].
    pub raw: RawName,
    /// `fd.connected`: libsinsp marks a socket connected on a successful `connect` or
    /// `accept`, on any successful read or write of an IP socket, and for TCP sockets
    /// found in `/proc` that are not listening.
    pub connected: bool,
}

/// The path a descriptor was opened with, as the process passed it (`fd.nameraw`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RawName {
    /// Not opened by path while watched (sockets, pipes, descriptors found in `/proc`
    /// at start): libsinsp has no raw name for them, `fd.nameraw` is empty.
    #[default]
    None,
    /// Opened by a path equal to [`Fd::path`] (an absolute path without `.`, `..` or
    /// repeated `/`): kept once.
    Path,
    /// Opened by this other path (relative, or with `.`, `..` or a trailing `/`),
    /// repeated `/` collapsed as libsinsp shows it.
    Own(Box<str>),
}

impl RawName {
    /// The raw name of `raw`, a path opened as `full`.
    pub fn of(raw: &str, full: &str) -> Self {
        if raw == full {
            return RawName::Path;
        }
        let mut own = String::with_capacity(raw.len());
        for c in raw.chars() {
            if !(c == '/' && own.ends_with('/')) {
                own.push(c);
            }
        }
        if own == full {
            RawName::Path
        } else {
            RawName::Own(own.into())
        }
    }
}

impl Fd {
    /// A file or directory descriptor.
    pub fn file(path: String, directory: bool, cloexec: bool) -> Self {
        let kind = if directory {
            FdKind::Directory
        } else {
            FdKind::File
        };
        Self {
            kind,
            path,
            cloexec,
            raw: RawName::None,
            connected: false,
        }
    }

    /// `fd.nameraw`: the path the descriptor was opened with, as the process passed it
    /// (`../` and relative paths kept), empty for one not opened by path while watched.
    pub fn nameraw(&self) -> &str {
        match &self.raw {
            RawName::None => "",
            RawName::Path => &self.path,
            RawName::Own(raw) => raw,
        }
    }

    /// `fd.typechar`.
    pub fn typechar(&self) -> char {
        match &self.kind {
            FdKind::File => 'f',
            FdKind::Directory => 'd',
            FdKind::Inet { family: 10, .. } => '6',
            FdKind::Inet { .. } => '4',
            FdKind::Unix => 'u',
            FdKind::Pipe => 'p',
            FdKind::Event => 'e',
            FdKind::Signal => 's',
            FdKind::EventPoll => 'l',
            FdKind::Inotify => 'i',
            FdKind::Bpf => 'b',
            FdKind::Userfault => 'u',
            FdKind::IoUring => 'r',
            FdKind::Memfd => 'm',
            FdKind::Unknown => 'o',
        }
    }

    /// `fd.type`.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            FdKind::File => "file",
            FdKind::Directory => "directory",
            FdKind::Inet { family: 10, .. } => "ipv6",
            FdKind::Inet { .. } => "ipv4",
            FdKind::Unix => "unix",
            FdKind::Pipe => "pipe",
            FdKind::Event => "event",
            FdKind::Signal => "signalfd",
            FdKind::EventPoll => "eventpoll",
            FdKind::Inotify => "inotify",
            FdKind::Bpf => "bpf",
            FdKind::Userfault => "userfaultfd",
            FdKind::IoUring => "io_uring",
            FdKind::Memfd => "memfd",
            FdKind::Unknown => "unknown",
        }
    }

    /// `fd.name`: the path of a file, `cip:cport->sip:sport` for a connected
    /// IP socket, the path of a unix socket.
    pub fn name(&self) -> Cow<'_, str> {
        match (&self.kind, self.client(), self.server()) {
            (FdKind::Inet { .. }, Some(c), Some(s)) => {
                Cow::Owned(format!("{}:{}->{}:{}", c.0, c.1, s.0, s.1))
            }
            _ => Cow::Borrowed(&self.path),
        }
    }

    /// `fd.directory`: the directory of a file path.
    pub fn directory(&self) -> Option<&str> {
        self.is_file_like().then(|| match self.path.rfind('/') {
            Some(0) => "/",
            Some(i) => self.path.get(..i).unwrap_or(""),
            None => "",
        })
    }

    /// `fd.filename`: the last component of a file path.
    pub fn filename(&self) -> Option<&str> {
        self.is_file_like()
            .then(|| self.path.rsplit('/').next().unwrap_or(&self.path))
    }

    fn is_file_like(&self) -> bool {
        matches!(self.kind, FdKind::File | FdKind::Directory | FdKind::Memfd)
    }

    /// `fd.l4proto`: `tcp`, `udp`, `icmp` or `raw` for IP sockets.
    pub fn l4proto(&self) -> Option<&'static str> {
        let FdKind::Inet {
            protocol,
            sock_type,
            ..
        } = &self.kind
        else {
            return None;
        };
        Some(match (protocol, sock_type) {
            (6, _) | (0, 1) => "tcp",
            (17, _) | (0, 2) => "udp",
            (1, _) | (58, _) => "icmp",
            _ => "raw",
        })
    }

    /// A TCP socket (libsinsp's `is_tcp_socket`).
    pub fn is_tcp(&self) -> bool {
        self.l4proto() == Some("tcp")
    }

    fn ends(&self) -> Option<(Option<Endpoint>, Option<Endpoint>, Role)> {
        match &self.kind {
            FdKind::Inet {
                local,
                remote,
                role,
                ..
            } => Some((*local, *remote, *role)),
            _ => None,
        }
    }

    /// The client end (`fd.cip`, `fd.cport`): local for a client, remote for a server.
    pub fn client(&self) -> Option<Endpoint> {
        let (local, remote, role) = self.ends()?;
        if role == Role::Server { remote } else { local }
    }

    /// The server end (`fd.sip`, `fd.sport`).
    pub fn server(&self) -> Option<Endpoint> {
        let (local, remote, role) = self.ends()?;
        if role == Role::Server { local } else { remote }
    }

    /// The local end (`fd.lip`, `fd.lport`).
    pub fn local(&self) -> Option<Endpoint> {
        self.ends()?.0
    }

    /// The remote end (`fd.rip`, `fd.rport`).
    pub fn remote(&self) -> Option<Endpoint> {
        self.ends()?.1
    }

    /// Classifies a `/proc/PID/fd/N` link target.
    pub fn from_proc_link(target: &str, is_dir: bool) -> Self {
        let kind = if target.starts_with("socket:") {
            FdKind::Inet {
                protocol: 0,
                sock_type: 0,
                family: 2,
                local: None,
                remote: None,
                role: Role::Unknown,
            }
        } else if target.starts_with("pipe:") {
            FdKind::Pipe
        } else if target.starts_with("/memfd:") {
            FdKind::Memfd
        } else if let Some(anon) = target.strip_prefix("anon_inode:") {
            match anon.trim_matches(|c| c == '[' || c == ']') {
                "eventfd" => FdKind::Event,
                "signalfd" => FdKind::Signal,
                "eventpoll" => FdKind::EventPoll,
                "inotify" => FdKind::Inotify,
                "userfaultfd" => FdKind::Userfault,
                "io_uring" => FdKind::IoUring,
                a if a.starts_with("bpf") => FdKind::Bpf,
                _ => FdKind::Unknown,
            }
        } else if target.starts_with('/') {
            if is_dir {
                FdKind::Directory
            } else {
                FdKind::File
            }
        } else {
            FdKind::Unknown
        };
        let path = match kind {
            FdKind::File | FdKind::Directory | FdKind::Memfd => target.to_string(),
            _ => String::new(),
        };
        Self {
            kind,
            path,
            cloexec: false,
            raw: RawName::None,
            connected: false,
        }
    }
}

/// The open descriptors of one process (hashed with Fx: a process that picks colliding
/// descriptor numbers slows only its own table).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FdTable {
    fds: FxHashMap<i32, Fd>,
}

impl FdTable {
    /// The descriptor `fd`.
    pub fn get(&self, fd: i32) -> Option<&Fd> {
        self.fds.get(&fd)
    }

    /// The descriptor `fd`, mutably.
    pub fn get_mut(&mut self, fd: i32) -> Option<&mut Fd> {
        self.fds.get_mut(&fd)
    }

    /// Records `fd` (replacing what was there).
    pub fn insert(&mut self, fd: i32, info: Fd) {
        self.fds.insert(fd, info);
    }

    /// Forgets `fd`.
    pub fn remove(&mut self, fd: i32) -> Option<Fd> {
        self.fds.remove(&fd)
    }

    /// `newfd` becomes a copy of `oldfd` (dup/dup2/dup3); unknown `oldfd` forgets `newfd`.
    pub fn dup(&mut self, oldfd: i32, newfd: i32, cloexec: bool) {
        match self.fds.get(&oldfd).cloned() {
            Some(mut f) => {
                f.cloexec = cloexec;
                self.fds.insert(newfd, f);
            }
            None => {
                self.fds.remove(&newfd);
            }
        }
    }

    /// Drops the close-on-exec descriptors (at a successful exec).
    pub fn exec(&mut self) {
        self.fds.retain(|_, f| !f.cloexec);
    }

    /// Number of known descriptors.
    pub fn len(&self) -> usize {
        self.fds.len()
    }

    /// No known descriptors.
    pub fn is_empty(&self) -> bool {
        self.fds.is_empty()
    }

    /// All descriptors, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (i32, &Fd)> {
        self.fds.iter().map(|(k, v)| (*k, v))
    }
}
