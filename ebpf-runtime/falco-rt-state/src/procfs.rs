//! Reading processes from a `/proc`-like directory.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use crate::container::Container;
use crate::fd::{Fd, FdKind, FdTable, Role};
use crate::process::{ExeFile, ProcTable, Process};
use crate::sockets::{SocketTable, socket_inode};

/// Fields of `/proc/PID/stat` after the comm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    /// Parent pid.
    pub ppid: u32,
    /// Session id.
    pub sid: u32,
    /// Controlling terminal device number.
    pub tty: u32,
    /// Process group id.
    pub pgid: u32,
    /// Start time in clock ticks since boot (0 when the line is cut short).
    pub start_ticks: u64,
}

/// Parses `/proc/PID/stat` text; the comm may hold spaces and parentheses.
pub fn parse_stat(text: &str) -> Option<Stat> {
    let rest = text.get(text.rfind(')')? + 1..)?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // state ppid pgrp session tty_nr ...
    Some(Stat {
        ppid: f.get(1)?.parse().ok()?,
        sid: f.get(3)?.parse().ok()?,
        tty: f.get(4)?.parse::<i64>().ok()?.try_into().unwrap_or(0),
        pgid: f.get(2)?.parse().ok()?,
        start_ticks: f.get(19).and_then(|t| t.parse().ok()).unwrap_or(0),
    })
}

/// Fields of `/proc/PID/status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// Effective uid.
    pub uid: u32,
    /// Effective gid.
    pub gid: u32,
    /// Filesystem uid (what file permission checks use).
    pub fsuid: u32,
    /// Filesystem gid.
    pub fsgid: u32,
    /// Pid in the innermost pid namespace (last `NSpid` entry).
    pub vpid: Option<u32>,
    /// Process group id in the innermost pid namespace (last `NSpgid` entry).
    pub vpgid: Option<u32>,
    /// `CapInh`, `CapPrm`, `CapEff` bits.
    pub caps: [u64; 3],
}

/// Parses `/proc/PID/status` text.
pub fn parse_status(text: &str) -> Status {
    let mut st = Status::default();
    for line in text.lines() {
        let Some((key, val)) = line.split_once(':') else {
            continue;
        };
        // Uid and Gid list real, effective, saved and filesystem ids.
        let id = |n| val.split_whitespace().nth(n).and_then(|v| v.parse().ok());
        let hex = || u64::from_str_radix(val.trim(), 16).unwrap_or(0);
        match key {
            "Uid" => (st.uid, st.fsuid) = (id(1).unwrap_or(0), id(3).unwrap_or(0)),
            "Gid" => (st.gid, st.fsgid) = (id(1).unwrap_or(0), id(3).unwrap_or(0)),
            "NSpid" => st.vpid = val.split_whitespace().last().and_then(|v| v.parse().ok()),
            "NSpgid" => st.vpgid = val.split_whitespace().last().and_then(|v| v.parse().ok()),
            "CapInh" => st.caps[0] = hex(),
            "CapPrm" => st.caps[1] = hex(),
            "CapEff" => st.caps[2] = hex(),
            _ => {}
        }
    }
    st
}

/// The supplementary groups of `/proc/PID/status` text.
pub fn parse_groups(text: &str) -> Vec<u32> {
    text.lines()
        .find_map(|l| l.strip_prefix("Groups:"))
        .map(|g| {
            g.split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// `CAP_DAC_OVERRIDE` and `CAP_FOWNER`: either lets a process write any file.
const WRITE_ANY_CAPS: u64 = 1 << 1 | 1 << 3;

/// The executable facts of a process found in `/proc` (`meta` is its `exe`'s, `path`
/// the link's target), as an exec record has them: inode and times, writable by the
/// permission test the kernel program makes (owner, the write bit of its group or of
/// others, `CAP_DAC_OVERRIDE`/`CAP_FOWNER`; read-only mounts and immutable files are not
/// looked at here), and `memfd_create` files. The overlayfs layer is not told.
pub fn exe_file(meta: &fs::Metadata, path: &str, status: &Status, groups: &[u32]) -> ExeFile {
    use std::os::unix::fs::MetadataExt as _;
    let ns = |s: i64, n: i64| {
        (s as u64)
            .wrapping_mul(1_000_000_000)
            .wrapping_add(n as u64)
    };
    let mut mode = meta.mode();
    let writable = if status.fsuid == meta.uid() {
        true
    } else {
        if meta.gid() == status.fsgid || groups.contains(&meta.gid()) {
            mode >>= 3;
        }
        mode & 0o2 != 0 || status.caps[2] & WRITE_ANY_CAPS != 0
    };
    let mut flags = 0;
    if writable {
        flags |= falco_rt_record::EXE_WRITABLE;
    }
    if path.starts_with("/memfd:") {
        flags |= falco_rt_record::EXE_FROM_MEMFD;
    }
    ExeFile {
        ino: meta.ino(),
        ctime_ns: ns(meta.ctime(), meta.ctime_nsec()),
        mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
        flags,
    }
}

/// Reads process `pid` below `proc_root` (normally `/proc`). `None` if it
/// vanished or its `stat` is unreadable; other missing files leave fields empty.
pub fn read_process(proc_root: &Path, pid: u32) -> Option<Process> {
    read_process_with(proc_root, pid, &mut HashMap::new())
}

/// [`read_process`] with a cache of socket tables by network namespace.
fn read_process_with(
    proc_root: &Path,
    pid: u32,
    nets: &mut HashMap<String, SocketTable>,
) -> Option<Process> {
    let dir = proc_root.join(pid.to_string());
    let text = |f: &str| fs::read_to_string(dir.join(f)).ok();
    let link = |f: &str| {
        fs::read_link(dir.join(f))
            .ok()
            .map(|p| p.to_string_lossy().into_owned())
    };
    let stat = parse_stat(&text("stat")?)?;
    let status_text = text("status").unwrap_or_default();
    let status = parse_status(&status_text);
    let mut p = Process {
        pid,
        ppid: stat.ppid,
        sid: stat.sid,
        tty: stat.tty,
        vpid: status.vpid.unwrap_or(pid),
        uid: status.uid,
        gid: status.gid,
        pgid: stat.pgid,
        vpgid: status.vpgid.unwrap_or(stat.pgid),
        caps: Some(status.caps),
        env: fs::read(dir.join("environ")).ok().map(|b| {
            b.split(|&c| c == 0)
                .filter(|v| !v.is_empty())
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect()
        }),
        // Ticks of USER_HZ (100 on Linux) since boot, on the boot clock.
        start_boot_ns: (stat.start_ticks > 0).then(|| stat.start_ticks * 10_000_000),
        name: text("comm")
            .map(|c| c.trim_end_matches('\n').to_string())
            .unwrap_or_default(),
        exepath: link("exe").unwrap_or_default(),
        cwd: link("cwd").map(|c| with_slash(&c)).unwrap_or_default(),
        loginuid: text("loginuid")
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(u32::MAX),
        container: text("cgroup")
            .map(|c| Container::from_cgroup_file(&c))
            .unwrap_or_default(),
        ..Process::default()
    };
    if let Ok(cmdline) = fs::read(dir.join("cmdline")) {
        p.set_argv(&cmdline);
    }
    p.exe_file = fs::metadata(dir.join("exe"))
        .ok()
        .map(|meta| exe_file(&meta, &p.exepath, &status, &parse_groups(&status_text)));
    // The namespace's socket tables are read on the first socket descriptor only:
    // reading /proc/PID/net/tcp walks every socket of the namespace, too costly to do
    // for each of the many short-lived processes that have none.
    let netns = link("ns/net").unwrap_or_else(|| format!("pid:{pid}"));
    let net_dir = dir.join("net");
    p.fds = read_fds(&dir.join("fd"), |inode| {
        nets.entry(netns.clone())
            .or_insert_with(|| SocketTable::read(&net_dir))
            .get(inode)
            .cloned()
    });
    Some(p)
}

/// Reads the descriptors of `/proc/PID/fd` (readlink of each entry); sockets
/// get their kind and addresses from `socket` (by inode, in that process's network
/// namespace), which is called only for socket descriptors.
pub fn read_fds(fd_dir: &Path, mut socket: impl FnMut(u64) -> Option<(FdKind, String)>) -> FdTable {
    let mut table = FdTable::default();
    let Ok(entries) = fs::read_dir(fd_dir) else {
        return table;
    };
    for e in entries.flatten() {
        let Some(fd) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(target) = fs::read_link(e.path()) else {
            continue;
        };
        let target = target.to_string_lossy();
        let is_dir = target.starts_with('/') && fs::metadata(e.path()).is_ok_and(|m| m.is_dir());
        let mut info = Fd::from_proc_link(&target, is_dir);
        if let Some((kind, path)) = socket_inode(&target).and_then(&mut socket) {
            // libsinsp counts every TCP socket of /proc but a listening one as connected.
            info.connected = matches!(
                kind,
                FdKind::Inet { protocol: 6, role, .. } if role != Role::Server
            );
            info.kind = kind;
            info.path = path;
        }
        table.insert(fd, info);
    }
    table
}

/// Reads every numeric directory below `proc_root`, skipping `skip` (the agent itself).
pub fn seed(proc_root: &Path, skip: Option<u32>) -> ProcTable {
    let mut table = ProcTable::default();
    let mut nets = HashMap::new();
    let mut ns_inits = HashMap::new();
    let mut seen = Vec::new();
    let Ok(entries) = fs::read_dir(proc_root) else {
        return table;
    };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if Some(pid) == skip {
            continue;
        }
        if let Some(p) = read_process_with(proc_root, pid, &mut nets) {
            let pidns = fs::read_link(e.path().join("ns/pid"))
                .map(|l| l.to_string_lossy().into_owned())
                .unwrap_or_default();
            if p.vpid == 1 && !pidns.is_empty() {
                ns_inits.insert(pidns.clone(), p.start_boot_ns);
            }
            seen.push((pid, pidns));
            table.insert(p);
        }
    }
    // The start of each pid namespace's init (`container.start_ts`), once all are read:
    // the init of the same namespace, or (when an init's namespace cannot be read, as
    // for a protected pid 1) the nearest process or ancestor that is pid 1 of its own.
    for (pid, pidns) in seen {
        let start = match ns_inits.get(&pidns) {
            Some(start) => *start,
            None => table
                .get(pid)
                .into_iter()
                .chain(table.ancestors(pid))
                .find(|p| p.vpid == 1)
                .and_then(|p| p.start_boot_ns),
        };
        if let Some(p) = table.get_mut(pid) {
            p.pidns_init_start_boot_ns = start;
        }
    }
    table
}

/// `proc.cwd` carries a trailing slash.
pub(crate) fn with_slash(dir: &str) -> String {
    if dir.ends_with('/') {
        dir.to_string()
    } else {
        format!("{dir}/")
    }
}
