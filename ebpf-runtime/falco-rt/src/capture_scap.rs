//! `falco-rt capture` into a capture file (`.scap`) that Falco and sysdig read: the
//! process table, descriptors and users at the start, then one event per record, each laid
//! out by the driver's event table and filled from the event the agent builds for it.

use std::io::{self, Write};
use std::net::IpAddr;
use std::path::Path;

use falco_events::{ArgRaw, Event, Extractor, Scratch, SyscallEvent};
use falco_rt_record::Event as Record;
use falco_rt_record::{EXE_FROM_MEMFD, EXE_LOWER_LAYER, EXE_UPPER_LAYER, EXE_WRITABLE};
use falco_rt_state::{Container, Fd, FdKind, Process, Role, Runtime, State};
use falco_scap::{
    FdRecord, FdRecordKind, GroupRecord, InterfaceRecord, MachineInfo, Param, ScapWriter,
    ThreadRecord, UserRecord, sockaddr, sockaddr_unix, socktuple,
};
use falco_schema::{CodeParam, EventCode, FieldType, Schema};

/// Writes a capture as records come.
pub struct ScapCapture<W: Write> {
    writer: ScapWriter<W>,
    /// Bytes of the event being written (arguments joined with NULs, socket tuples).
    scratch: Vec<Vec<u8>>,
    /// `fd.nameraw`: an open's path as the process passed it, which is what the driver
    /// writes as the `name` parameter (the agent's `name` argument is the resolved path).
    nameraw: Extractor,
    values: Scratch,
}

/// The events whose `name` parameter is the path the process passed.
const OPENS: &[&str] = &["open", "openat", "openat2", "creat"];

/// `SCAP_L4_*` of an `IPPROTO_*` number.
fn l4(protocol: u16) -> u8 {
    match protocol {
        6 => 2,
        17 => 3,
        1 | 58 => 4,
        255 => 5,
        _ => 0,
    }
}

fn ip_bytes<const N: usize>(ip: IpAddr) -> [u8; N] {
    let octets: Vec<u8> = match ip {
        IpAddr::V4(v4) if N == 4 => v4.octets().to_vec(),
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    let mut out = [0u8; N];
    for (o, b) in out.iter_mut().zip(octets) {
        *o = b;
    }
    out
}

/// A descriptor of the process table as a descriptor list entry.
fn fd_record(num: i32, fd: &Fd) -> FdRecord {
    let kind = match &fd.kind {
        FdKind::File => FdRecordKind::File {
            name: fd.path.clone(),
            open_flags: Some(if fd.cloexec { 1 << 12 } else { 0 }),
            dev: None,
        },
        FdKind::Inet {
            protocol,
            family,
            role,
            ..
        } => match (fd.client(), fd.server()) {
            (Some(c), Some(s)) if *family == 2 => FdRecordKind::Ipv4 {
                sip: ip_bytes(c.0),
                dip: ip_bytes(s.0),
                sport: c.1,
                dport: s.1,
                l4proto: l4(*protocol),
            },
            (Some(c), Some(s)) => FdRecordKind::Ipv6 {
                sip: ip_bytes(c.0),
                dip: ip_bytes(s.0),
                sport: c.1,
                dport: s.1,
                l4proto: l4(*protocol),
            },
            (_, Some(s)) if *role == Role::Server && *family == 2 => FdRecordKind::Ipv4Server {
                ip: ip_bytes(s.0),
                port: s.1,
                l4proto: l4(*protocol),
            },
            (_, Some(s)) if *role == Role::Server => FdRecordKind::Ipv6Server {
                ip: ip_bytes(s.0),
                port: s.1,
                l4proto: l4(*protocol),
            },
            _ => FdRecordKind::Other {
                scap_type: if *family == 2 { 3 } else { 4 },
                name: String::new(),
            },
        },
        FdKind::Unix => FdRecordKind::Unix {
            source: 0,
            dest: 0,
            name: fd.path.clone(),
        },
        other => FdRecordKind::Other {
            scap_type: match other {
                FdKind::Directory => 2,
                FdKind::Pipe => 7,
                FdKind::Event => 9,
                FdKind::Signal => 11,
                FdKind::EventPoll => 12,
                FdKind::Inotify => 13,
                FdKind::Bpf => 17,
                FdKind::Userfault => 18,
                FdKind::IoUring => 19,
                FdKind::Memfd => 20,
                _ => 10,
            },
            name: fd.name().into_owned(),
        },
    };
    FdRecord {
        fd: num.into(),
        ino: 0,
        kind,
    }
}

/// A process of the table as a process list entry (its main thread).
fn thread_record(p: &Process) -> ThreadRecord {
    let [cap_inheritable, cap_permitted, cap_effective] = p.caps.unwrap_or_default();
    let exe = p.exe_file.unwrap_or_default();
    ThreadRecord {
        tid: p.pid.into(),
        pid: p.pid.into(),
        ptid: p.ppid.into(),
        sid: p.sid.into(),
        vpgid: p.vpgid.into(),
        pgid: p.pgid.into(),
        comm: p.name.clone(),
        exe: p.exe.clone(),
        exepath: p.exepath.clone(),
        args: p.args.clone(),
        cwd: p.cwd.clone(),
        uid: p.uid,
        gid: p.gid,
        env: p.env.clone().unwrap_or_default(),
        vtid: p.vpid.into(),
        vpid: p.vpid.into(),
        cgroups: cgroup(&p.container).into_iter().collect(),
        tty: p.tty,
        loginuid: p.loginuid,
        exe_writable: exe.flags & EXE_WRITABLE != 0,
        cap_inheritable,
        cap_permitted,
        cap_effective,
        exe_upper_layer: exe.flags & EXE_UPPER_LAYER != 0,
        exe_ino: exe.ino,
        exe_ino_ctime: exe.ctime_ns,
        exe_ino_mtime: exe.mtime_ns,
        exe_from_memfd: exe.flags & EXE_FROM_MEMFD != 0,
        exe_lower_layer: exe.flags & EXE_LOWER_LAYER != 0,
        ..ThreadRecord::default()
    }
}

/// The `cgroups` entry that names the process's container, in its runtime's systemd
/// layout (`subsystem=path`, as the driver writes them): the agent keeps the container
/// id, not the path it was read from. `None` on the host.
fn cgroup(container: &Container) -> Option<String> {
    let Container::Id { full, runtime } = container else {
        return None;
    };
    let scope = match runtime {
        Runtime::Docker => "docker",
        Runtime::Containerd => "cri-containerd",
        Runtime::CriO => "crio",
        Runtime::Podman => "libpod",
    };
    Some(format!("cpuset=/system.slice/{scope}-{full}.scope"))
}

/// The host's addresses, for the capture's interface list (libsinsp tells a socket's local
/// end by them): IPv4 from the kernel's local routes (`fib_trie`, without interface
/// names), IPv6 from `if_inet6`. Unreadable files give no addresses.
fn host_interfaces(proc_net: &Path) -> Vec<InterfaceRecord> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let trie = std::fs::read_to_string(proc_net.join("fib_trie")).unwrap_or_default();
    let mut last: Option<std::net::Ipv4Addr> = None;
    for line in trie.lines() {
        let line = line.trim_start_matches([' ', '|', '+', '-']).trim();
        if line.contains("/32 host LOCAL") {
            if let Some(ip) = last.filter(|ip| seen.insert(*ip)) {
                out.push(InterfaceRecord {
                    name: String::new(),
                    addr: ip.octets().to_vec(),
                    netmask: vec![255; 4],
                });
            }
        } else {
            last = line.parse().ok();
        }
    }
    let inet6 = std::fs::read_to_string(proc_net.join("if_inet6")).unwrap_or_default();
    for line in inet6.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (Some(hex), Some(prefix), Some(name)) = (words.first(), words.get(2), words.last())
        else {
            continue;
        };
        let addr: Option<Vec<u8>> = (0..16)
            .map(|i| {
                hex.get(2 * i..2 * i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect();
        let Some(addr) = addr.filter(|_| hex.len() == 32) else {
            continue;
        };
        let bits = u32::from_str_radix(prefix, 16).unwrap_or(128).min(128);
        let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
        out.push(InterfaceRecord {
            name: (*name).to_owned(),
            addr,
            netmask: mask.to_be_bytes().to_vec(),
        });
    }
    out
}

/// Arguments as the driver writes them: each followed by a NUL.
fn nul_joined<'a>(items: impl Iterator<Item = &'a str>) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        out.extend_from_slice(item.as_bytes());
        out.push(0);
    }
    out
}

/// `ip:port` (an IPv6 address without brackets, as libsinsp writes it).
fn parse_end(text: &str) -> Option<(IpAddr, u16)> {
    let (ip, port) = text.rsplit_once(':')?;
    Some((ip.parse().ok()?, port.parse().ok()?))
}

impl<W: Write> ScapCapture<W> {
    /// Starts the capture with the state the agent has now.
    pub fn start(out: W, state: &State, hostname: &str, boot_ts: u64) -> io::Result<Self> {
        let machine = MachineInfo {
            num_cpus: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
            hostname: hostname.to_owned(),
            boot_ts,
            ..MachineInfo::default()
        };
        let mut writer = ScapWriter::new(out, &machine)?;
        let procs: Vec<&Process> = state.procs.iter().collect();
        writer.threads(&procs.iter().map(|p| thread_record(p)).collect::<Vec<_>>())?;
        for p in &procs {
            let fds: Vec<FdRecord> = p.fds.iter().map(|(n, fd)| fd_record(n, fd)).collect();
            if !fds.is_empty() {
                writer.fds(p.pid.into(), &fds)?;
            }
        }
        let users: Vec<UserRecord> = state
            .users
            .all_users()
            .map(|u| UserRecord {
                uid: u.uid,
                gid: u.gid,
                name: u.name.clone(),
                homedir: u.home.clone(),
                shell: u.shell.clone(),
            })
            .collect();
        let groups: Vec<GroupRecord> = state
            .users
            .all_groups()
            .map(|g| GroupRecord {
                gid: g.gid,
                name: g.name.clone(),
            })
            .collect();
        writer.users(&users, &groups)?;
        writer.interfaces(&host_interfaces(Path::new("/proc/net")))?;
        Ok(Self {
            writer,
            scratch: Vec::new(),
            nameraw: Extractor::new("syscall", "fd.nameraw", None)
                .map_err(|e| io::Error::other(e.to_string()))?,
            values: Scratch::new(),
        })
    }

    /// Writes the event of `record` (`event` is what the agent built for it; `state` is
    /// the state after it), at `ts`.
    pub fn record(
        &mut self,
        record: &Record<'_>,
        event: &Event,
        state: &State,
        ts: u64,
    ) -> io::Result<()> {
        let schema = Schema::get();
        match record {
            Record::Exec(x) => {
                let pid = x.header.tgid;
                let Some(p) = state.procs.get(pid) else {
                    return Ok(());
                };
                let Some(code) = schema.current_code("execve", false) else {
                    return Ok(());
                };
                let lists = ProcessLists::of(p);
                self.writer
                    .event(ts, x.header.tid.into(), 0, code, |param| {
                        process_param(param, p, true, &lists)
                    })
            }
            Record::Fork(f) => {
                let Some(p) = state.procs.get(f.child_tgid) else {
                    return Ok(());
                };
                let Some(code) = schema.current_code("clone", false) else {
                    return Ok(());
                };
                let lists = ProcessLists::of(p);
                self.writer.event(ts, f.child_tid.into(), 0, code, |param| {
                    process_param(param, p, false, &lists)
                })
            }
            Record::Exit(x) => {
                let Some(code) = schema
                    .event_codes()
                    .iter()
                    .rev()
                    .find(|c| c.name == "procexit" && c.is_current())
                else {
                    return Ok(());
                };
                self.writer
                    .event(ts, x.header.tid.into(), 0, code, |param| match param.name {
                        "status" => Param::Int(x.exit_code.into()),
                        _ => Param::Empty,
                    })
            }
            Record::Syscall(s) => {
                let Some(ev) = event.as_syscall() else {
                    return Ok(());
                };
                let tid = i64::from(s.header.tid);
                let raw_name = OPENS
                    .contains(&ev.event_type())
                    .then(|| self.nameraw.extract(event, &mut self.values).to_text())
                    .filter(|raw| !raw.is_empty() && raw != "<NA>");
                match schema.current_code(ev.event_type(), false) {
                    Some(code) => self.syscall(ts, tid, code, ev, raw_name.as_deref()),
                    None => self.generic(ts, tid, ev, s.nr),
                }
            }
        }
    }

    /// A syscall event with an event of its own.
    fn syscall(
        &mut self,
        ts: u64,
        tid: i64,
        code: &EventCode,
        ev: &SyscallEvent,
        raw_name: Option<&str>,
    ) -> io::Result<()> {
        // Socket addresses and tuples are written from their text.
        self.scratch.clear();
        for param in code.params {
            let bytes = match (param.ty, ev.arg_value(param.name)) {
                (FieldType::Socktuple, Some((_, text))) => text
                    .split_once("->")
                    .and_then(|(a, b)| Some(socktuple(parse_end(a)?, parse_end(b)?)))
                    .unwrap_or_default(),
                (FieldType::Sockaddr, Some((_, text))) => match parse_end(text) {
                    Some(end) => sockaddr(end),
                    None if text.starts_with('/') => sockaddr_unix(text),
                    None => Vec::new(),
                },
                _ => Vec::new(),
            };
            self.scratch.push(bytes);
        }
        let scratch = &self.scratch;
        let res = ev.res();
        self.writer.event(ts, tid, 0, code, |param| {
            if let (Some(raw), "name") = (raw_name, param.name) {
                return Param::Text(raw);
            }
            let at = code
                .params
                .iter()
                .position(|p| std::ptr::eq(p, param))
                .unwrap_or(0);
            event_param(
                param,
                ev,
                res,
                scratch.get(at).map_or(&[][..], Vec::as_slice),
            )
        })
    }

    /// A syscall with no event of its own: the generic event with its code.
    fn generic(&mut self, ts: u64, tid: i64, ev: &SyscallEvent, nr: u32) -> io::Result<()> {
        let schema = Schema::get();
        let Some(code) = schema.current_code("syscall", false) else {
            return Ok(());
        };
        let id = schema.syscall_code(ev.event_type()).unwrap_or(0);
        self.writer
            .event(ts, tid, 0, code, |param| match param.name {
                "ID" => Param::Int(id.into()),
                "nativeID" => Param::Int(nr.into()),
                _ => Param::Empty,
            })
    }

    /// Flushes the capture.
    pub fn finish(self) -> io::Result<W> {
        self.writer.finish()
    }
}

/// A parameter of a syscall event, from the agent's event.
fn event_param<'a>(
    param: &CodeParam,
    ev: &'a SyscallEvent,
    res: Option<i64>,
    prepared: &'a [u8],
) -> Param<'a> {
    if !prepared.is_empty() {
        return Param::Bytes(prepared);
    }
    let Some((raw, text)) = ev.arg_value(param.name) else {
        // The agent gives the return value and the descriptor outside the arguments.
        return match (param.name, res, ev.fd_num()) {
            ("res", Some(res), _) => Param::Int(res),
            ("fd", _, Some(fd)) => Param::Int(fd),
            _ => Param::Empty,
        };
    };
    match (param.ty, raw) {
        (FieldType::Socktuple | FieldType::Sockaddr, _) => Param::Empty,
        (FieldType::Bytebuf, ArgRaw::Bytes(bytes)) => Param::Bytes(bytes),
        (FieldType::Bytebuf, _) => Param::Bytes(text.as_bytes()),
        (
            FieldType::Flags8
            | FieldType::Flags16
            | FieldType::Flags32
            | FieldType::Enumflags8
            | FieldType::Enumflags16
            | FieldType::Enumflags32,
            _,
        ) => Param::Text(text),
        (_, ArgRaw::Int(v)) => Param::Int(v),
        (_, ArgRaw::Uint(v)) => Param::Int(v as i64),
        (_, ArgRaw::Text | ArgRaw::Bytes(_)) => Param::Text(text),
    }
}

/// The list parameters of an execve or clone exit, NUL-joined as the driver writes them.
struct ProcessLists {
    args: Vec<u8>,
    env: Vec<u8>,
    cgroups: Vec<u8>,
}

impl ProcessLists {
    fn of(p: &Process) -> Self {
        let cgroup = cgroup(&p.container);
        ProcessLists {
            args: nul_joined(p.args.iter().map(String::as_str)),
            env: nul_joined(p.env.iter().flatten().map(String::as_str)),
            cgroups: nul_joined(cgroup.as_deref().into_iter()),
        }
    }
}

/// A parameter of an execve (`exec`) or clone exit, from the process after it. Both
/// succeeded (`res` 0, the child's view); execve's `flags` are the executable's
/// provenance bits, clone's are not known to the agent (0).
fn process_param<'a>(
    param: &CodeParam,
    p: &'a Process,
    exec: bool,
    lists: &'a ProcessLists,
) -> Param<'a> {
    let [cap_inheritable, cap_permitted, cap_effective] = p.caps.unwrap_or_default();
    let exe = p.exe_file.unwrap_or_default();
    let bits = |v: u64| Param::Int(i64::from_ne_bytes(v.to_ne_bytes()));
    match param.name {
        "res" => Param::Int(0),
        "exe" => Param::Text(&p.exe),
        "args" => Param::Bytes(&lists.args),
        "env" => Param::Bytes(&lists.env),
        "cgroups" => Param::Bytes(&lists.cgroups),
        "tid" | "pid" => Param::Int(p.pid.into()),
        "ptid" => Param::Int(p.ppid.into()),
        "cwd" => Param::Text(p.cwd.trim_end_matches('/')),
        "comm" => Param::Text(&p.name),
        "uid" => Param::Int(p.uid.into()),
        "gid" => Param::Int(p.gid.into()),
        "loginuid" => Param::Int(p.loginuid.into()),
        "tty" => Param::Int(p.tty.into()),
        "trusted_exepath" => Param::Text(&p.exepath),
        "vtid" | "vpid" => Param::Int(p.vpid.into()),
        "pgid" => Param::Int(p.pgid.into()),
        "vpgid" => Param::Int(p.vpgid.into()),
        "flags" if exec => Param::Int(exe.flags.into()),
        "cap_inheritable" => bits(cap_inheritable),
        "cap_permitted" => bits(cap_permitted),
        "cap_effective" => bits(cap_effective),
        "exe_ino" => bits(exe.ino),
        "exe_ino_ctime" => bits(exe.ctime_ns),
        "exe_ino_mtime" => bits(exe.mtime_ns),
        "flags" | "pgft_maj" | "pgft_min" | "vm_size" | "vm_rss" | "vm_swap" | "fdlimit" => {
            Param::Int(0)
        }
        _ => Param::Empty,
    }
}

#[cfg(test)]
mod tests;
