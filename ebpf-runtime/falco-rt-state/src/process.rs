//! The process table and the `proc.*` fields.

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;

use crate::container::Container;
use crate::fd::FdTable;

/// How far [`ProcTable::ancestors`] walks (guards against ppid cycles).
pub const MAX_ANCESTORS: usize = 64;

/// One process (thread group).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Process {
    /// `proc.pid`.
    pub pid: u32,
    /// `proc.ppid`.
    pub ppid: u32,
    /// `proc.sid`.
    pub sid: u32,
    /// `proc.vpid`: the pid in the process's own pid namespace.
    pub vpid: u32,
    /// `proc.tty`: controlling terminal device number, 0 for none.
    pub tty: u32,
    /// `proc.name`: the task comm (at most 15 bytes).
    pub name: String,
    /// `proc.exe`: argv\[0\].
    pub exe: String,
    /// `proc.exepath`: the executable's full path.
    pub exepath: String,
    /// `proc.args` as a list: argv\[1..\].
    pub args: Vec<String>,
    /// `proc.cwd`, with a trailing `/` as Falco shows it.
    pub cwd: String,
    /// Effective uid (`user.uid`, as libsinsp keeps it).
    pub uid: u32,
    /// Effective gid (`group.gid`).
    pub gid: u32,
    /// `proc.pgid`: the process group id.
    pub pgid: u32,
    /// `proc.vpgid`: the process group id in the process's own pid namespace.
    pub vpgid: u32,
    /// Capability bits (`thread.cap_inheritable`, `_permitted`, `_effective`), when known.
    pub caps: Option<[u64; 3]>,
    /// The executable's facts (`proc.exe_ino*`, `proc.is_exe_*`), when known.
    pub exe_file: Option<ExeFile>,
    /// `proc.env` entries (`K=V`), when known.
    pub env: Option<Vec<String>>,
    /// When the process started (fork), on the boot clock in ns (`proc.duration`).
    pub start_boot_ns: Option<u64>,
    /// When the init process of its pid namespace started, on the boot clock in ns
    /// (`container.start_ts`, libsinsp's `pidns_init_start_ts`).
    pub pidns_init_start_boot_ns: Option<u64>,
    /// `user.loginuid` (`u32::MAX` = unset, Falco shows -1).
    pub loginuid: u32,
    /// `container.id` and runtime.
    pub container: Container,
    /// Open descriptors.
    pub fds: FdTable,
}

/// What the kernel said about a process's executable at exec.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExeFile {
    /// Inode number.
    pub ino: u64,
    /// Status change time, ns since the epoch.
    pub ctime_ns: u64,
    /// Modification time, ns since the epoch.
    pub mtime_ns: u64,
    /// libs' execve flags (`falco_rt_record::EXE_*`).
    pub flags: u32,
}

impl Process {
    /// `proc.args`: argv\[1..\] joined by spaces.
    pub fn args_line(&self) -> String {
        self.args.join(" ")
    }

    /// `proc.cmdline`: `proc.name` followed by the arguments.
    pub fn cmdline(&self) -> String {
        if self.args.is_empty() {
            self.name.clone()
        } else {
            format!("{} {}", self.name, self.args_line())
        }
    }

    /// Sets `exe` and `args` from a NUL-separated argv block.
    pub fn set_argv(&mut self, block: &[u8]) {
        let block = block.strip_suffix(b"\0").unwrap_or(block);
        let mut argv = block
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned());
        self.exe = if block.is_empty() {
            String::new()
        } else {
            argv.next().unwrap_or_default()
        };
        self.args = argv.collect();
    }
}

/// Processes by pid (hashed with Fx: looked up for every record, and pids are the
/// kernel's, not chosen by the processes).
#[derive(Clone, Debug, Default)]
pub struct ProcTable {
    procs: FxHashMap<u32, Process>,
    generation: u64,
}

impl ProcTable {
    /// A number that changes whenever a process is added, removed or handed out mutably
    /// ([`ProcTable::get_mut`], [`ProcTable::touch`]), so that what is derived from the
    /// processes (an event's thread and ancestors) can be kept while it stays the same.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Records that a process changed through [`ProcTable::get_or_insert_with`]'s
    /// reference (which changes [`ProcTable::generation`] only when it inserts).
    pub fn touch(&mut self) {
        self.generation += 1;
    }

    /// The process `pid`.
    pub fn get(&self, pid: u32) -> Option<&Process> {
        self.procs.get(&pid)
    }

    /// The process `pid`, mutably.
    pub fn get_mut(&mut self, pid: u32) -> Option<&mut Process> {
        self.generation += 1;
        self.procs.get_mut(&pid)
    }

    /// Adds or replaces a process.
    pub fn insert(&mut self, p: Process) {
        self.generation += 1;
        self.procs.insert(p.pid, p);
    }

    /// The process `pid`, made by `make` when the table does not have it. Call
    /// [`ProcTable::touch`] after changing an existing process through the reference.
    pub fn get_or_insert_with(&mut self, pid: u32, make: impl FnOnce() -> Process) -> &mut Process {
        match self.procs.entry(pid) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                self.generation += 1;
                e.insert(make())
            }
        }
    }

    /// Removes a process.
    pub fn remove(&mut self, pid: u32) -> Option<Process> {
        self.generation += 1;
        self.procs.remove(&pid)
    }

    /// Number of processes.
    pub fn len(&self) -> usize {
        self.procs.len()
    }

    /// No processes.
    pub fn is_empty(&self) -> bool {
        self.procs.is_empty()
    }

    /// All processes, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Process> {
        self.procs.values()
    }

    /// The ancestors of `pid`, parent first, as far as the table knows them.
    pub fn ancestors(&self, pid: u32) -> Vec<&Process> {
        let mut out: Vec<&Process> = Vec::new();
        let mut cur = self.get(pid).map(|p| p.ppid);
        while let Some(ppid) = cur {
            if ppid == 0
                || out.len() >= MAX_ANCESTORS
                || out.iter().any(|p| p.pid == ppid)
                || ppid == pid
            {
                break;
            }
            let Some(p) = self.get(ppid) else { break };
            out.push(p);
            cur = Some(p.ppid);
        }
        out
    }

    /// `proc.pname`.
    pub fn pname(&self, pid: u32) -> Option<&str> {
        self.aname(pid, 1)
    }

    /// `proc.aname[n]`: 0 is the process itself, 1 its parent, and so on.
    pub fn aname(&self, pid: u32, n: usize) -> Option<&str> {
        if n == 0 {
            return self.get(pid).map(|p| p.name.as_str());
        }
        self.ancestors(pid).get(n - 1).map(|p| p.name.as_str())
    }
}

/// Joins `path` onto `base` (a directory) and removes `.`, `..` and repeated
/// slashes lexically. An absolute `path` ignores `base`.
pub fn resolve_path(base: &str, path: &str) -> String {
    if is_clean_absolute(path) {
        return path.to_owned();
    }
    let base = if path.starts_with('/') { "" } else { base };
    let mut out = String::with_capacity(base.len() + path.len() + 1);
    for seg in base.split('/').chain(path.split('/')) {
        match seg {
            "" | "." => {}
            ".." => out.truncate(out.rfind('/').unwrap_or(0)),
            s => {
                out.push('/');
                out.push_str(s);
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// An absolute path that [`resolve_path`] returns unchanged: no empty, `.` or `..`
/// component and no trailing slash (a component starting with a dot takes the slow way).
fn is_clean_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() > 1
        && b.first() == Some(&b'/')
        && b.last() != Some(&b'/')
        && !b
            .windows(2)
            .any(|w| w[0] == b'/' && (w[1] == b'/' || w[1] == b'.'))
}
