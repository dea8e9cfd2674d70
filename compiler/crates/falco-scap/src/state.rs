//! The machine state a capture's events are read against, kept the way libsinsp keeps it
//! (`parsers.cpp`, read for its facts): threads (from the process list, then clone, execve,
//! chdir, set*id and exit events), each process's descriptors (from the descriptor lists,
//! then open, socket, connect, accept, dup, pipe, close, ... events), users and groups.
//!
//! Tables are bounded: at most [`MAX_THREADS`] threads and [`MAX_FDS`] descriptors per
//! process; what does not fit is not added (libsinsp caps its tables too).

use std::net::IpAddr;

use rustc_hash::FxHashMap;

use falco_events::{FdInfo, FdKind, ProcChain, ProcInfo};

use crate::params::{End, Tuple};
use crate::tables::{FdRecord, FdRecordKind, GroupRecord, ThreadRecord, UserRecord};

/// The most threads the table holds (libsinsp's default thread table size).
pub const MAX_THREADS: usize = 262_144;
/// The most descriptors a process's table holds.
pub const MAX_FDS: usize = 65_536;
/// The deepest ancestry an event's process chain follows.
const MAX_ANCESTORS: usize = 64;

/// `PPM_CL_CLONE_THREAD`: the clone made a thread of the same process.
pub(crate) const CL_CLONE_THREAD: u32 = 1 << 4;
/// `PPM_CL_CLONE_FILES`: the new process shares its parent's descriptor table.
pub(crate) const CL_CLONE_FILES: u32 = 1 << 1;
/// `PPM_O_CLOEXEC`.
pub(crate) const O_CLOEXEC: u32 = 1 << 12;
/// `PPM_O_DIRECTORY`.
pub(crate) const O_DIRECTORY: u32 = 1 << 10;

/// A thread as libsinsp knows it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Thread {
    pub(crate) tid: i64,
    pub(crate) pid: i64,
    pub(crate) ptid: i64,
    pub(crate) sid: i64,
    pub(crate) vpgid: i64,
    pub(crate) pgid: i64,
    pub(crate) vtid: i64,
    pub(crate) vpid: i64,
    pub(crate) comm: String,
    pub(crate) exe: String,
    pub(crate) exepath: String,
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<String>,
    pub(crate) cwd: String,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) loginuid: u32,
    pub(crate) tty: u32,
    /// The descriptor of this thread's last event (`-1`: none).
    pub(crate) lastevent_fd: i64,
    /// The code of this thread's last enter event (`u16::MAX`: none).
    pub(crate) lastevent_code: u16,
    /// The event chain of this thread, and the table generation it was built at.
    chain: Option<(u64, ProcChain)>,
}

impl Thread {
    pub(crate) fn from_record(t: &ThreadRecord) -> Self {
        Thread {
            tid: t.tid,
            pid: t.pid,
            ptid: t.ptid,
            sid: t.sid,
            vpgid: t.vpgid,
            pgid: t.pgid,
            vtid: t.vtid,
            vpid: t.vpid,
            comm: t.comm.clone(),
            exe: t.exe.clone(),
            exepath: exepath(&t.exepath),
            args: t.args.clone(),
            env: t.env.clone(),
            cwd: with_slash(&t.cwd),
            uid: t.uid,
            gid: t.gid,
            loginuid: t.loginuid,
            tty: t.tty,
            lastevent_fd: -1,
            lastevent_code: u16::MAX,
            chain: None,
        }
    }
}

impl Thread {
    /// libsinsp's entry for a thread a capture event names but its tables lack.
    pub(crate) fn placeholder(tid: i64) -> Self {
        Thread {
            tid,
            pid: -1,
            ptid: -1,
            sid: -1,
            vpgid: -1,
            pgid: -1,
            vtid: -1,
            vpid: -1,
            comm: "<NA>".into(),
            exe: "<NA>".into(),
            uid: u32::MAX,
            gid: u32::MAX,
            loginuid: u32::MAX,
            lastevent_fd: -1,
            lastevent_code: u16::MAX,
            ..Thread::default()
        }
    }
}

/// An executable's path as libsinsp keeps it: without the ` (deleted)` the kernel appends
/// to a deleted file's path.
pub(crate) fn exepath(path: &str) -> String {
    path.strip_suffix(" (deleted)").unwrap_or(path).to_owned()
}

/// libsinsp keeps a working directory with a trailing `/`.
pub(crate) fn with_slash(dir: &str) -> String {
    if dir.ends_with('/') {
        dir.to_owned()
    } else {
        format!("{dir}/")
    }
}

/// The type of a `SCAP_FD_*` value.
fn kind_of_scap(scap_type: u8) -> FdKind {
    match scap_type {
        1 | 16 => FdKind::File,
        2 => FdKind::Directory,
        3 | 5 => FdKind::Ipv4,
        4 | 6 => FdKind::Ipv6,
        7 => FdKind::Pipe,
        8 => FdKind::Unix,
        9 => FdKind::Event,
        11 => FdKind::Signalfd,
        12 => FdKind::Eventpoll,
        13 => FdKind::Inotify,
        14 => FdKind::Timerfd,
        15 => FdKind::Netlink,
        17 => FdKind::Bpf,
        18 => FdKind::Userfaultfd,
        19 => FdKind::IoUring,
        20 => FdKind::Memfd,
        21 => FdKind::Pidfd,
        _ => FdKind::Unknown,
    }
}

/// A descriptor as libsinsp knows it.
#[derive(Debug, Clone)]
pub(crate) struct Fd {
    pub(crate) kind: FdKind,
    pub(crate) name: String,
    pub(crate) open_flags: u32,
    /// Client and server ends of an IP socket.
    pub(crate) tuple: Option<(End, End)>,
    pub(crate) l4proto: Option<&'static str>,
    pub(crate) is_server: Option<bool>,
}

impl Fd {
    pub(crate) fn new(kind: FdKind, name: String) -> Self {
        Fd {
            kind,
            name,
            open_flags: 0,
            tuple: None,
            l4proto: None,
            is_server: None,
        }
    }

    fn from_record(r: &FdRecord) -> Self {
        let l4 = |p: u8| match p {
            2 => Some("tcp"),
            3 => Some("udp"),
            4 => Some("icmp"),
            5 => Some("raw"),
            _ => None,
        };
        let end = |ip: IpAddr, port: u16| (ip, port);
        match &r.kind {
            FdRecordKind::Ipv4 {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => Fd::socket(
                FdKind::Ipv4,
                end(IpAddr::from(*sip), *sport),
                end(IpAddr::from(*dip), *dport),
                l4(*l4proto),
                None,
            ),
            FdRecordKind::Ipv6 {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => Fd::socket(
                FdKind::Ipv6,
                end(ip6(sip), *sport),
                end(ip6(dip), *dport),
                l4(*l4proto),
                None,
            ),
            FdRecordKind::Ipv4Server { ip, port, l4proto } => Fd {
                l4proto: l4(*l4proto),
                is_server: Some(true),
                ..Fd::new(FdKind::Ipv4, format!("{}:{port}", IpAddr::from(*ip)))
            },
            FdRecordKind::Ipv6Server { ip, port, l4proto } => Fd {
                l4proto: l4(*l4proto),
                is_server: Some(true),
                ..Fd::new(FdKind::Ipv6, format!("{}:{port}", ip6(ip)))
            },
            FdRecordKind::Unix { name, .. } => Fd::new(FdKind::Unix, name.clone()),
            FdRecordKind::File {
                name, open_flags, ..
            } => {
                let flags = open_flags.unwrap_or(0);
                let kind = if flags & O_DIRECTORY != 0 {
                    FdKind::Directory
                } else {
                    FdKind::File
                };
                Fd {
                    open_flags: flags,
                    ..Fd::new(kind, name.clone())
                }
            }
            FdRecordKind::Other { scap_type, name } => {
                Fd::new(kind_of_scap(*scap_type), name.clone())
            }
        }
    }

    /// A connected IP socket: `client` and `server` ends; named `client->server`.
    pub(crate) fn socket(
        kind: FdKind,
        client: End,
        server: End,
        l4proto: Option<&'static str>,
        is_server: Option<bool>,
    ) -> Self {
        let mut name = String::new();
        crate::params::write_end(&mut name, client);
        name.push_str("->");
        crate::params::write_end(&mut name, server);
        Fd {
            tuple: Some((client, server)),
            l4proto,
            is_server,
            ..Fd::new(kind, name)
        }
    }

    /// Takes the ends of a socket tuple parameter.
    pub(crate) fn connect(&mut self, tuple: &Tuple) {
        match tuple {
            Tuple::Ip(client, server) => {
                let kind = if client.0.is_ipv4() {
                    FdKind::Ipv4
                } else {
                    FdKind::Ipv6
                };
                let l4 = self.l4proto;
                let server_side = self.is_server;
                *self = Fd::socket(kind, *client, *server, l4, server_side);
            }
            Tuple::Unix(_, _, path) => {
                self.kind = FdKind::Unix;
                if !path.is_empty() {
                    self.name = path.clone();
                }
            }
        }
    }

    /// The protocol, once the socket has a role (connected, or listening): libsinsp shows
    /// none before.
    pub(crate) fn visible_l4proto(&self) -> Option<&'static str> {
        self.l4proto
            .filter(|_| self.tuple.is_some() || self.is_server == Some(true))
    }

    /// The event's view of it.
    pub(crate) fn info(&self, num: i64) -> FdInfo<'_> {
        FdInfo {
            num,
            kind: self.kind.name(),
            name: Some(&self.name),
            nameraw: None,
            client: self.tuple.map(|(c, _)| c),
            server: self.tuple.map(|(_, s)| s),
            l4proto: self.visible_l4proto(),
            is_server: self.is_server,
            ..FdInfo::default()
        }
    }
}

fn ip6(b: &[u8; 16]) -> IpAddr {
    let v6 = std::net::Ipv6Addr::from(*b);
    v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
}

/// Threads, descriptors, users and groups.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) threads: FxHashMap<i64, Thread>,
    /// Descriptor tables by process id.
    pub(crate) fds: FxHashMap<i64, FxHashMap<i64, Fd>>,
    users: FxHashMap<u32, UserRecord>,
    groups: FxHashMap<u32, String>,
    /// IPv4 interface addresses and netmasks, to fill in unspecified socket ends.
    interfaces: Vec<(u32, u32)>,
    /// Changes whenever a thread changes, so cached chains are rebuilt.
    generation: u64,
}

impl State {
    pub(crate) fn add_threads(&mut self, threads: &[ThreadRecord]) {
        for t in threads {
            if self.threads.len() < MAX_THREADS || self.threads.contains_key(&t.tid) {
                self.threads.insert(t.tid, Thread::from_record(t));
            }
        }
        self.generation += 1;
    }

    pub(crate) fn add_fds(&mut self, tid: i64, fds: &[FdRecord]) {
        // A descriptor list for a thread the process list lacks makes a placeholder for it,
        // which owns the descriptors itself (as libsinsp's does).
        if !self.threads.contains_key(&tid) {
            self.insert_thread(Thread::placeholder(tid));
        }
        let Some(key) = self.fd_key(tid) else {
            return;
        };
        let table = self.fds.entry(key).or_default();
        for r in fds {
            if table.len() < MAX_FDS || table.contains_key(&r.fd) {
                table.insert(r.fd, Fd::from_record(r));
            }
        }
    }

    pub(crate) fn set_interfaces(&mut self, interfaces: &[crate::tables::InterfaceRecord]) {
        self.interfaces = interfaces
            .iter()
            .filter_map(|i| {
                let addr: [u8; 4] = i.addr.as_slice().try_into().ok()?;
                let mask: [u8; 4] = i.netmask.as_slice().try_into().ok()?;
                Some((u32::from_be_bytes(addr), u32::from_be_bytes(mask)))
            })
            .collect();
    }

    /// libsinsp's guess of the local address that talks to `dest`: the interface with that
    /// very address, else one on its subnet, else the first that is not loopback.
    fn local_ipv4(&self, dest: u32) -> u32 {
        let exact = self.interfaces.iter().find(|(a, _)| *a == dest);
        let subnet = || self.interfaces.iter().find(|(a, m)| a & m == dest & m);
        let other = || self.interfaces.iter().find(|(a, _)| *a != 0x7f00_0001);
        exact.or_else(subnet).or_else(other).map_or(0, |(a, _)| *a)
    }

    /// Fills in an unspecified end (0.0.0.0) of an IPv4 socket of thread `tid`'s descriptor
    /// `num` with an interface address, as libsinsp does.
    pub(crate) fn fill_in_ends(&mut self, tid: i64, num: i64) {
        let Some(fd) = self.fd(tid, num) else {
            return;
        };
        let Some(((cip, cport), (sip, sport))) = fd.tuple else {
            return;
        };
        let (IpAddr::V4(c), IpAddr::V4(s)) = (cip, sip) else {
            return;
        };
        let (c, s) = (u32::from(c), u32::from(s));
        if c != 0 && s != 0 {
            return;
        }
        let (known, guess) = if c == 0 {
            (s, self.local_ipv4(s))
        } else {
            (c, self.local_ipv4(c))
        };
        if guess == known && cport == sport {
            return;
        }
        let guess = IpAddr::V4(guess.into());
        let (client, server) = if c == 0 {
            ((guess, cport), (sip, sport))
        } else {
            ((cip, cport), (guess, sport))
        };
        if let Some(fd) = self.fd_mut(tid, num) {
            *fd = Fd::socket(fd.kind, client, server, fd.l4proto, fd.is_server);
        }
    }

    pub(crate) fn add_users(&mut self, users: Vec<UserRecord>, groups: Vec<GroupRecord>) {
        for u in users {
            self.users.insert(u.uid, u);
        }
        for g in groups {
            self.groups.insert(g.gid, g.name);
        }
    }

    /// Something about threads changed.
    pub(crate) fn touch(&mut self) {
        self.generation += 1;
    }

    pub(crate) fn thread_mut(&mut self, tid: i64) -> Option<&mut Thread> {
        self.threads.get_mut(&tid)
    }

    /// Adds `thread`, if the table has room.
    pub(crate) fn insert_thread(&mut self, thread: Thread) {
        if self.threads.len() < MAX_THREADS || self.threads.contains_key(&thread.tid) {
            self.threads.insert(thread.tid, thread);
            self.generation += 1;
        }
    }

    pub(crate) fn remove_thread(&mut self, tid: i64) {
        if let Some(t) = self.threads.remove(&tid) {
            // The last thread of a process takes the descriptor table with it.
            if !self.threads.values().any(|o| o.pid == t.pid) {
                self.fds.remove(&t.pid);
            }
            self.generation += 1;
        }
    }

    /// Whose descriptor table thread `tid` uses: its process's, or its own while its
    /// process is unknown (a placeholder).
    pub(crate) fn fd_key(&self, tid: i64) -> Option<i64> {
        let t = self.threads.get(&tid)?;
        Some(if t.pid == -1 { t.tid } else { t.pid })
    }

    /// The descriptor `fd` of thread `tid`'s process.
    pub(crate) fn fd(&self, tid: i64, fd: i64) -> Option<&Fd> {
        let key = self.fd_key(tid)?;
        self.fds.get(&key)?.get(&fd)
    }

    pub(crate) fn fd_mut(&mut self, tid: i64, fd: i64) -> Option<&mut Fd> {
        let key = self.fd_key(tid)?;
        self.fds.get_mut(&key)?.get_mut(&fd)
    }

    /// Adds descriptor `num` to thread `tid`'s process.
    pub(crate) fn add_fd(&mut self, tid: i64, num: i64, fd: Fd) {
        let Some(key) = self.fd_key(tid) else {
            return;
        };
        let table = self.fds.entry(key).or_default();
        if table.len() < MAX_FDS || table.contains_key(&num) {
            table.insert(num, fd);
        }
    }

    pub(crate) fn remove_fd(&mut self, tid: i64, num: i64) {
        if let Some(key) = self.fd_key(tid)
            && let Some(table) = self.fds.get_mut(&key)
        {
            table.remove(&num);
        }
    }

    /// The working directory of thread `tid`: its process's main thread's, else `./`
    /// (libsinsp's answer when the main thread is unknown).
    pub(crate) fn cwd(&self, tid: i64) -> &str {
        self.threads
            .get(&tid)
            .and_then(|t| self.threads.get(&t.pid))
            .map_or("./", |main| main.cwd.as_str())
    }

    /// Sets the working directory of thread `tid`'s process (its main thread's).
    pub(crate) fn set_cwd(&mut self, tid: i64, cwd: String) {
        let pid = self.threads.get(&tid).map(|t| t.pid);
        if let Some(main) = pid.and_then(|pid| self.threads.get_mut(&pid)) {
            main.cwd = cwd;
            self.generation += 1;
        }
    }

    /// Copies the descriptor table of process `from` for a new process `to`.
    pub(crate) fn copy_fds(&mut self, from: i64, to: i64) {
        if let Some(table) = self.fds.get(&from).cloned() {
            self.fds.insert(to, table);
        }
    }

    /// The user and group names of ids.
    pub(crate) fn user(&self, uid: u32) -> Option<&UserRecord> {
        self.users.get(&uid)
    }

    pub(crate) fn group(&self, gid: u32) -> Option<&str> {
        self.groups.get(&gid).map(String::as_str)
    }

    /// The process chain of thread `tid` (the thread, then its ancestors), cached until a
    /// thread changes.
    pub(crate) fn chain(&mut self, tid: i64) -> Option<ProcChain> {
        let generation = self.generation;
        if let Some((g, chain)) = self.threads.get(&tid).and_then(|t| t.chain.as_ref())
            && *g == generation
        {
            return Some(chain.clone());
        }
        let mut line: Vec<&Thread> = Vec::new();
        let mut next = self.threads.get(&tid);
        while let Some(t) = next {
            if line.len() > MAX_ANCESTORS || line.iter().any(|o| o.tid == t.tid) {
                break;
            }
            line.push(t);
            // An ancestor is the parent's process: its main thread when known.
            next = self
                .threads
                .get(&t.ptid)
                .and_then(|p| self.threads.get(&p.pid).or(Some(p)));
        }
        if line.is_empty() {
            return None;
        }
        let infos: Vec<ProcInfo<'_>> = line.iter().map(|t| self.proc_info(t)).collect();
        let chain = ProcChain::new(infos, None);
        if let Some(t) = self.threads.get_mut(&tid) {
            t.chain = Some((generation, chain.clone()));
        }
        Some(chain)
    }

    fn proc_info<'a>(&'a self, t: &'a Thread) -> ProcInfo<'a> {
        // libsinsp's answers for ids the user list does not have: root for 0, else `<NA>`.
        let user = self.user(t.uid);
        let (name, home, shell) = match user {
            Some(u) => (u.name.as_str(), u.homedir.as_str(), u.shell.as_str()),
            None if t.uid == 0 => ("root", "/root", "<NA>"),
            None => ("<NA>", "<NA>", "<NA>"),
        };
        let group = match self.group(t.gid) {
            Some(g) => g,
            None if t.gid == 0 => "root",
            None => "<NA>",
        };
        ProcInfo {
            tid: Some(t.tid),
            pid: t.pid,
            ppid: self.threads.get(&t.ptid).map(|p| p.pid),
            vpid: (t.vpid != -1).then_some(t.vpid),
            sid: t.sid,
            tty: Some(u64::from(t.tty)),
            uid: Some((u64::from(t.uid), name)),
            gid: Some((u64::from(t.gid), group)),
            loginuid: if t.loginuid == u32::MAX {
                -1
            } else {
                i64::from(t.loginuid)
            },
            loginname: if t.loginuid == u32::MAX {
                None
            } else {
                self.user(t.loginuid).map(|u| u.name.as_str())
            },
            name: &t.comm,
            exe: &t.exe,
            exepath: Some(&t.exepath),
            args: Some(&t.args),
            cwd: Some(self.cwd(t.tid)),
            home_shell: Some((home, shell)),
            env: Some(&t.env),
            ..ProcInfo::default()
        }
    }
}
