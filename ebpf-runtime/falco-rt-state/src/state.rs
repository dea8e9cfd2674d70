//! Applying capture events to the process, fd and user state.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use falco_rt_record::syscalls::nr;
use falco_rt_record::{Event, ExecEvent, Header, SockAddr, SyscallEvent};

use crate::container::Container;
use crate::fd::{Fd, FdKind, RawName, Role};
use crate::process::{ExeFile, ProcTable, Process, resolve_path};
use crate::procfs::{self, with_slash};
use crate::users::UserDb;

const AT_FDCWD: i32 = -100;
const O_DIRECTORY: u64 = 0o200000;
const O_CLOEXEC: u64 = 0o2000000;
const EINPROGRESS: i64 = 115;
const CLONE_NEWUSER: u64 = 0x1000_0000;
/// Every capability libs knows (`CAP_CHOWN` to `CAP_CHECKPOINT_RESTORE`, 41 bits): what
/// libsinsp gives a thread that enters a new user namespace.
const MAX_CAPS: u64 = (1 << 41) - 1;

/// Everything the runtime knows about the host's processes.
#[derive(Debug)]
pub struct State {
    /// The process table.
    pub procs: ProcTable,
    /// Users and groups.
    pub users: UserDb,
    /// `/proc` to consult for processes the table does not know (and to
    /// refresh cwd/session/tty/namespace pid/container at exec); `None` in replay.
    proc_root: Option<PathBuf>,
    /// Containers seen at exec, by cgroup v2 id, for processes met later
    /// without /proc (they were gone before their first event was handled).
    containers: HashMap<u64, Container>,
    /// The last event changed the name of the descriptor it acts on.
    fd_name_changed: bool,
}

impl State {
    /// State for the live host: seeds from `<root>/proc` and reads
    /// `<root>/etc/passwd` and `<root>/etc/group`; `skip` is the agent's pid.
    pub fn from_host(root: &Path, skip: Option<u32>) -> Self {
        let proc_root = root.join("proc");
        Self {
            procs: procfs::seed(&proc_root, skip),
            users: UserDb::load(root),
            proc_root: Some(proc_root),
            containers: HashMap::new(),
            fd_name_changed: false,
        }
    }

    /// State that only learns from events (replay, tests).
    pub fn detached(users: UserDb) -> Self {
        Self {
            procs: ProcTable::default(),
            users,
            proc_root: None,
            containers: HashMap::new(),
            fd_name_changed: false,
        }
    }

    /// Updates the state with one event. Call it for every event, before
    /// evaluating rules on it: an exec's fields describe the new image.
    pub fn apply(&mut self, ev: &Event<'_>) {
        self.fd_name_changed = false;
        match ev {
            Event::Fork(f) => {
                let parent = self.process(&f.header);
                let mut child = parent.clone();
                child.pid = f.child_tgid;
                child.ppid = f.header.tgid;
                child.vpid = f.child_tgid;
                child.start_boot_ns = Some(f.header.ts_boot_ns);
                self.procs.insert(child);
            }
            Event::Exec(x) => self.exec(x),
            Event::Exit(x) => {
                self.procs.remove(x.header.tgid);
            }
            Event::Syscall(s) => self.syscall(s),
        }
    }

    /// Whether the last event applied changed the name of the descriptor it acts on
    /// (libsinsp's `fd.name_changed`): a descriptor it opened or accepted, a socket it
    /// connected, a datagram socket whose peer it names.
    pub fn fd_name_changed(&self) -> bool {
        self.fd_name_changed
    }

    /// The process `pid`, loaded from /proc (or made from the event) when unknown.
    fn process(&mut self, h: &Header) -> &mut Process {
        let proc_root = self.proc_root.as_deref();
        let containers = &self.containers;
        self.procs.get_or_insert_with(h.tgid, || {
            proc_root
                .and_then(|r| procfs::read_process(r, h.tgid))
                .unwrap_or_else(|| Process {
                    pid: h.tgid,
                    vpid: h.tgid,
                    name: String::from_utf8_lossy(h.comm()).into_owned(),
                    uid: h.uid,
                    gid: h.gid,
                    loginuid: u32::MAX,
                    container: containers.get(&h.cgroup_id).cloned().unwrap_or_default(),
                    ..Process::default()
                })
        })
    }

    fn exec(&mut self, x: &ExecEvent<'_>) {
        let live = self
            .proc_root
            .as_deref()
            .and_then(|r| procfs::read_process(r, x.header.tgid));
        let on_host = self.proc_root.is_some();
        let p = self.process(&x.header);
        p.name = String::from_utf8_lossy(x.header.comm()).into_owned();
        p.ppid = x.ppid;
        // libsinsp's user and group are the effective ones.
        p.uid = x.facts.euid;
        p.gid = x.facts.egid;
        p.pgid = x.facts.pgid;
        p.vpgid = x.facts.vpgid;
        let f = &x.facts;
        p.caps = Some([f.cap_inheritable, f.cap_permitted, f.cap_effective]);
        if f.pidns_init_start_ns != 0 {
            p.pidns_init_start_boot_ns = Some(f.pidns_init_start_ns);
        }
        p.exe_file = (f.exe_ino != 0).then_some(ExeFile {
            ino: f.exe_ino,
            ctime_ns: f.exe_ctime_ns,
            mtime_ns: f.exe_mtime_ns,
            flags: f.exe_flags,
        });
        p.env = Some(
            x.env_vars()
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect(),
        );
        p.loginuid = x.loginuid;
        p.sid = x.sid;
        p.vpid = x.vpid;
        p.tty = x.tty;
        p.set_argv(x.args);
        let filename = String::from_utf8_lossy(x.filename);
        p.exepath = resolve_path(&p.cwd, &filename);
        p.fds.exec();
        if on_host && live.as_ref().is_none_or(|l| l.exepath.is_empty()) {
            // The process is already gone from /proc: resolve symlinks in the
            // host's view (right for host processes; a container's own view
            // needs /proc/PID/root, which went away with the process).
            if let Ok(canon) = std::fs::canonicalize(&p.exepath) {
                p.exepath = canon.to_string_lossy().into_owned();
            }
        }
        if let Some(l) = live {
            // The kernel knows the canonical path; /proc has it while the process lives.
            if !l.exepath.is_empty() {
                p.exepath = l.exepath;
            }
            if !l.cwd.is_empty() {
                p.cwd = l.cwd;
            }
            p.container = l.container;
        }
        // The kernel's cgroup names are exact even when the process is gone.
        if !x.cgroup.is_empty() || !x.cgroup_v1.is_empty() {
            p.container = Container::from_kernel_names(x.cgroup, x.cgroup_v1);
        }
        let container = p.container.clone();
        self.procs.touch();
        self.containers.insert(x.header.cgroup_id, container);
    }

    fn syscall(&mut self, s: &SyscallEvent<'_>) {
        let mut name_changed = false;
        let p = self.process(&s.header);
        let ret = s.ret;
        let fd_arg = |i: usize| s.args.get(i).map_or(-1, |&a| a as i32);
        let path = s.path.map(String::from_utf8_lossy);
        match s.nr {
            nr::OPEN | nr::CREAT | nr::OPENAT | nr::OPENAT2 if ret >= 0 => {
                let (dirfd, flags) = match s.nr {
                    nr::OPEN => (AT_FDCWD, s.args[1]),
                    nr::CREAT => (AT_FDCWD, 0o1101),
                    _ => (fd_arg(0), s.args[2]),
                };
                let Some(path) = path else { return };
                let full = resolve_at(p, dirfd, &path);
                let raw = RawName::of(&path, &full);
                name_changed = !full.is_empty();
                let mut fd = Fd::file(full, flags & O_DIRECTORY != 0, flags & O_CLOEXEC != 0);
                fd.raw = raw;
                p.fds.insert(ret as i32, fd);
            }
            nr::CLOSE if ret == 0 => {
                p.fds.remove(fd_arg(0));
            }
            nr::DUP if ret >= 0 => p.fds.dup(fd_arg(0), ret as i32, false),
            nr::DUP2 if ret >= 0 => p.fds.dup(fd_arg(0), ret as i32, false),
            nr::DUP3 if ret >= 0 => p.fds.dup(fd_arg(0), ret as i32, s.args[2] & O_CLOEXEC != 0),
            nr::SOCKET if ret >= 0 => {
                let (family, sock_type, protocol) =
                    (s.args[0] as u16, (s.args[1] & 0xf) as u16, s.args[2] as u16);
                let kind = match family {
                    1 => FdKind::Unix,
                    2 | 10 => FdKind::Inet {
                        protocol,
                        sock_type,
                        family,
                        local: None,
                        remote: None,
                        role: Role::Unknown,
                    },
                    _ => FdKind::Unknown,
                };
                // SOCK_CLOEXEC is O_CLOEXEC.
                p.fds.insert(
                    ret as i32,
                    Fd {
                        kind,
                        path: String::new(),
                        cloexec: s.args[1] & O_CLOEXEC != 0,
                        raw: RawName::None,
                        connected: false,
                    },
                );
            }
            nr::CONNECT if ret == 0 || ret == -EINPROGRESS => {
                let fd = fd_arg(0);
                let before = p.fds.get(fd).map(|f| f.name().into_owned());
                socket_update(p, fd, s, Role::Client);
                if let Some(f) = p.fds.get_mut(fd) {
                    f.connected = true;
                    name_changed = before.is_none_or(|b| f.name() != b);
                }
            }
            nr::ACCEPT | nr::ACCEPT4 if ret >= 0 => {
                let cloexec = s.nr == nr::ACCEPT4 && s.args[3] & O_CLOEXEC != 0;
                p.fds.insert(
                    ret as i32,
                    Fd {
                        kind: FdKind::Unknown,
                        path: String::new(),
                        cloexec,
                        raw: RawName::None,
                        connected: true,
                    },
                );
                socket_update(p, ret as i32, s, Role::Server);
                name_changed = p.fds.get(ret as i32).is_some_and(|f| !f.name().is_empty());
            }
            nr::READ | nr::WRITE | nr::SENDTO | nr::SENDMSG | nr::RECVFROM | nr::RECVMSG
                if ret >= 0 =>
            {
                name_changed = transfer(p, s);
            }
            nr::CHDIR if ret == 0 => {
                if let Some(path) = path {
                    p.cwd = with_slash(&resolve_path(&p.cwd, &path));
                    self.procs.touch();
                }
            }
            // The effective id changes, as libsinsp's user and group follow it (an id of
            // -1 leaves it as it is).
            nr::SETUID
            | nr::SETREUID
            | nr::SETRESUID
            | nr::SETGID
            | nr::SETREGID
            | nr::SETRESGID
                if ret == 0 =>
            {
                let effective = match s.nr {
                    nr::SETUID | nr::SETGID => s.args[0],
                    _ => s.args[1],
                } as u32;
                if effective != u32::MAX {
                    if matches!(s.nr, nr::SETUID | nr::SETREUID | nr::SETRESUID) {
                        p.uid = effective;
                    } else {
                        p.gid = effective;
                    }
                    self.procs.touch();
                }
            }
            // A thread in a new user namespace has every capability there; libsinsp sets
            // all three sets to every capability it knows (unshare's flags, setns's nstype).
            nr::UNSHARE | nr::SETNS
                if ret == 0 && s.args[usize::from(s.nr == nr::SETNS)] & CLONE_NEWUSER != 0 =>
            {
                p.caps = Some([MAX_CAPS; 3]);
                self.procs.touch();
            }
            nr::FCHDIR if ret == 0 => {
                if let Some(f) = p.fds.get(fd_arg(0)).filter(|f| !f.path.is_empty()) {
                    p.cwd = with_slash(&f.path);
                    self.procs.touch();
                }
            }
            _ => {}
        }
        self.fd_name_changed = name_changed;
    }
}

/// libsinsp's parsing of a successful read or write (`s`): an IP socket becomes
/// connected; a datagram socket (or one without a name yet) takes the peer of a `sendto`,
/// `sendmsg`, `recvfrom` or `recvmsg` as its name, the process becoming the client of a
/// send and the server of a receive unless its end is known. A send on a descriptor
/// the table lacks makes it a UDP socket, as libsinsp infers. Returns whether the
/// descriptor's name changed.
fn transfer(p: &mut Process, s: &SyscallEvent<'_>) -> bool {
    let fd = s.args[0] as i32;
    let send = matches!(s.nr, nr::SENDTO | nr::SENDMSG);
    let names_peer = send || matches!(s.nr, nr::RECVFROM | nr::RECVMSG);
    let tuple = s
        .peer_tuple()
        .filter(|t| names_peer && (t.family == 2 || t.family == 10));
    if p.fds.get(fd).is_none() {
        let (true, Some(t)) = (send, tuple) else {
            return false;
        };
        let kind = FdKind::Inet {
            protocol: 17,
            sock_type: 2,
            family: t.family,
            local: None,
            remote: None,
            role: Role::Unknown,
        };
        p.fds.insert(
            fd,
            Fd {
                kind,
                path: String::new(),
                cloexec: false,
                raw: RawName::None,
                connected: false,
            },
        );
    }
    let Some(f) = p.fds.get_mut(fd) else {
        return false;
    };
    if matches!(f.kind, FdKind::Inet { .. }) {
        f.connected = true;
    }
    let Some(t) = tuple else { return false };
    let (Some(local), Some(remote)) = (t.source(), t.dest()) else {
        return false;
    };
    if f.is_tcp() && !f.name().is_empty() {
        return false;
    }
    let before = f.name().into_owned();
    let role = match &f.kind {
        FdKind::Inet { role, .. } if *role != Role::Unknown => *role,
        _ if send => Role::Client,
        _ => Role::Server,
    };
    f.kind = FdKind::Inet {
        protocol: t.protocol,
        sock_type: t.sock_type,
        family: t.family,
        local: Some((local, t.sport)),
        remote: Some((remote, t.dport)),
        role,
    };
    f.name() != before
}

/// Resolves a path given relative to `dirfd` (or the cwd for `AT_FDCWD`).
fn resolve_at(p: &Process, dirfd: i32, path: &str) -> String {
    let base = if dirfd == AT_FDCWD {
        p.cwd.as_str()
    } else {
        p.fds.get(dirfd).map_or("", |f| f.path.as_str())
    };
    resolve_path(base, path)
}

/// Fills a socket descriptor from the record's kernel tuple or sockaddr.
fn socket_update(p: &mut Process, fd: i32, s: &SyscallEvent<'_>, role: Role) {
    let entry = match p.fds.get_mut(fd) {
        Some(e) => e,
        None => {
            p.fds.insert(
                fd,
                Fd {
                    kind: FdKind::Unknown,
                    path: String::new(),
                    cloexec: false,
                    raw: RawName::None,
                    connected: false,
                },
            );
            match p.fds.get_mut(fd) {
                Some(e) => e,
                None => return,
            }
        }
    };
    if let Some(t) = s.tuple.filter(|t| t.family == 2 || t.family == 10) {
        entry.kind = FdKind::Inet {
            protocol: t.protocol,
            sock_type: t.sock_type,
            family: t.family,
            local: t.source().map(|a| (a, t.sport)),
            remote: t.dest().map(|a| (a, t.dport)),
            role,
        };
        return;
    }
    match s.addr() {
        Some(SockAddr::Unix(path)) => {
            entry.kind = FdKind::Unix;
            entry.path = String::from_utf8_lossy(path).into_owned();
        }
        Some(SockAddr::V4 { addr, port }) => set_remote(entry, 2, (addr.into(), port), role),
        Some(SockAddr::V6 { addr, port }) => set_remote(entry, 10, (addr.into(), port), role),
        _ => {}
    }
}

fn set_remote(entry: &mut Fd, fam: u16, remote: crate::fd::Endpoint, r: Role) {
    let (protocol, sock_type, local) = match &entry.kind {
        FdKind::Inet {
            protocol,
            sock_type,
            local,
            ..
        } => (*protocol, *sock_type, *local),
        _ => (0, 0, None),
    };
    entry.kind = FdKind::Inet {
        protocol,
        sock_type,
        family: fam,
        local,
        remote: Some(remote),
        role: r,
    };
}
