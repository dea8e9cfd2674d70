//! Event arguments under Falco's parameter names, with Falco's text for flags, modes,
//! ids and tuples.

use std::borrow::Cow;
use std::sync::OnceLock;

use std::collections::BTreeMap;

use falco_events::agent_fields::{self, ArgSource};
use falco_events::params::{self, Param, ParamType};
use falco_rt_record::syscalls::nr;
use falco_rt_record::{Event as Record, ExecEvent, SyscallEvent};
use falco_rt_state::{State, resolve_path};

use crate::json::Obj;

/// Where arguments go: a JSON line or an event under construction.
pub(crate) trait ArgSink {
    /// A number shown as itself.
    fn int(&mut self, k: &'static str, v: impl Into<i128>);
    /// A text.
    fn str(&mut self, k: &'static str, v: &str);
    /// A number with its own text.
    fn raw_text(&mut self, k: &'static str, raw: impl Into<i128>, text: &str);
}

impl ArgSink for Obj<'_> {
    fn int(&mut self, k: &'static str, v: impl Into<i128>) {
        Obj::int(self, k, v.into());
    }
    fn str(&mut self, k: &'static str, v: &str) {
        Obj::str(self, k, v);
    }
    fn raw_text(&mut self, k: &'static str, raw: impl Into<i128>, text: &str) {
        Obj::raw_text(self, k, raw.into(), text);
    }
}

/// An argument value as the event stores it (values past `i64` keep their low bits).
fn clamp(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(v as i64)
}

impl ArgSink for falco_events::SyscallBuilder {
    fn int(&mut self, k: &'static str, v: impl Into<i128>) {
        self.arg_int(k, clamp(v.into()));
    }
    fn str(&mut self, k: &'static str, v: &str) {
        self.arg_str(k, v);
    }
    fn raw_text(&mut self, k: &'static str, raw: impl Into<i128>, text: &str) {
        self.arg_raw_text(k, clamp(raw.into()), text);
    }
}

/// Where a parameter's value comes from in a capture record (`data/arg_sources.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// The return value.
    Ret,
    /// An argument register.
    Reg(u8),
    /// The first or second path the kernel program read.
    Path(u8),
    /// The connection tuple read from the socket.
    Tuple,
    /// open's mode: the first register when the flags in the second create a file.
    OpenMode(u8, u8),
    /// The calling process's executable flags (libs' execve `flags`), which a failed
    /// exec reports for the image that stays.
    ExeFlags,
}

impl Source {
    fn parse(s: &str) -> Option<Self> {
        let reg = |r: &str| {
            r.strip_prefix('a')
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| *n < 6)
        };
        Some(match s {
            "ret" => Self::Ret,
            "tuple" => Self::Tuple,
            "exeflags" => Self::ExeFlags,
            "path0" => Self::Path(0),
            "path1" => Self::Path(1),
            _ => match s.strip_prefix("mode:").map(|m| m.split_once(':')) {
                Some(Some((value, flags))) => Self::OpenMode(reg(value)?, reg(flags)?),
                Some(None) => return None,
                None => Self::Reg(reg(s)?),
            },
        })
    }
}

/// One served parameter of an event: libs' description and where its value is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Served {
    pub(crate) param: &'static Param,
    pub(crate) source: Source,
}

/// The agent's argument sources (`falco_events::agent_fields::arg_sources`) with their
/// sources parsed; `Err` names the first source that does not parse (the crate's tests
/// check the shipped table has none).
pub(crate) fn parse_sources(
    table: &BTreeMap<String, Vec<ArgSource>>,
) -> Result<BTreeMap<&str, Vec<Served>>, String> {
    table
        .iter()
        .map(|(event, sources)| {
            let served = sources
                .iter()
                .map(|s| {
                    Source::parse(s.source)
                        .map(|source| Served {
                            param: s.param,
                            source,
                        })
                        .ok_or_else(|| {
                            format!("{event}.{}: unknown source `{}`", s.param.name, s.source)
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((event.as_str(), served))
        })
        .collect()
}

/// The served parameters of each syscall, by syscall number (libs' parameter order).
fn served_by_nr() -> &'static [Vec<Served>] {
    static TABLE: OnceLock<Vec<Vec<Served>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let by_event = parse_sources(agent_fields::arg_sources()).unwrap_or_default();
        (0..falco_rt_record::MAX_SYSCALLS)
            .map(|nr| {
                crate::line::syscall_event_type(nr)
                    .and_then(|ty| by_event.get(ty).cloned())
                    .unwrap_or_default()
            })
            .collect()
    })
}

fn lossy(b: Option<&[u8]>) -> Cow<'_, str> {
    b.map_or(Cow::Borrowed(""), String::from_utf8_lossy)
}

/// `AT_FDCWD`: a `dirfd` that means the working directory.
const AT_FDCWD: i32 = -100;

/// O_CREAT | O_TMPFILE: the open flags under which the driver records the mode.
const CREATES: u64 = 0o100 | 0o20200000;

/// Writes the `args` object of a syscall record: each parameter `data/arg_sources.tsv`
/// serves, in libs' order, with libsinsp's text for flags, enums, modes, ids, threads and
/// relative paths.
fn write<S: ArgSink>(o: &mut S, s: &SyscallEvent<'_>, state: &State) {
    let Some(served) = served_by_nr().get(s.nr as usize) else {
        return;
    };
    let reg = |r: u8| s.args.get(usize::from(r)).copied().unwrap_or_default();
    let mut text = String::new();
    for sv in served {
        let p = sv.param;
        let value = match sv.source {
            Source::Ret => s.ret as u64,
            Source::Reg(r) => reg(r),
            Source::OpenMode(value, flags) if reg(flags) & CREATES != 0 => reg(value),
            Source::OpenMode(..) => 0,
            Source::ExeFlags => {
                if let Some(exe) = state.procs.get(s.header.tgid).and_then(|p| p.exe_file) {
                    write_exe_flags(o, exe.flags);
                }
                continue;
            }
            Source::Path(i) => {
                let path = lossy(if i == 0 { s.path } else { s.path2 });
                write_path(o, p, &path, s, state);
                continue;
            }
            Source::Tuple => {
                if let Some(t) = s.peer_tuple()
                    && let (Some(l), Some(r)) = (t.source(), t.dest())
                {
                    // The driver writes the peer first for calls that receive.
                    let text =
                        if matches!(s.nr, nr::ACCEPT | nr::ACCEPT4 | nr::RECVFROM | nr::RECVMSG) {
                            format!("{r}:{}->{l}:{}", t.dport, t.sport)
                        } else {
                            format!("{l}:{}->{r}:{}", t.sport, t.dport)
                        };
                    o.str(p.name, &text);
                }
                continue;
            }
        };
        text.clear();
        write_value(o, p, value, state, &mut text);
    }
}

/// A path parameter; a relative one of type `Fsrelpath` gets libsinsp's text: the path
/// joined to its directory descriptor's path (the working directory for `AT_FDCWD`).
fn write_path<S: ArgSink>(o: &mut S, p: &Param, path: &str, s: &SyscallEvent<'_>, state: &State) {
    if p.ty != ParamType::Fsrelpath || path.is_empty() || path.starts_with('/') {
        return o.str(p.name, path);
    }
    let dirfd = p
        .dirfd
        .and_then(|i| params_dirfd_register(s, i))
        .map_or(AT_FDCWD, |v| v as i32);
    let proc = state.procs.get(s.header.tgid);
    let base = match proc {
        Some(p) if dirfd == AT_FDCWD => Some(p.cwd.as_str()),
        Some(p) => p.fds.get(dirfd).map(|f| f.path.as_str()),
        None => None,
    };
    match base.filter(|b| !b.is_empty()) {
        Some(base) => o.str(p.name, &resolve_path(base, path)),
        None => o.str(p.name, path),
    }
}

/// The register of the directory descriptor parameter at index `i` of the event.
fn params_dirfd_register(s: &SyscallEvent<'_>, i: u8) -> Option<u64> {
    let served = served_by_nr().get(s.nr as usize)?;
    let dirfd = params::params(crate::line::syscall_event_type(s.nr)?).get(usize::from(i))?;
    served
        .iter()
        .find(|sv| std::ptr::eq(sv.param, dirfd))
        .and_then(|sv| match sv.source {
            Source::Reg(r) => s.args.get(usize::from(r)).copied(),
            _ => None,
        })
}

/// A numeric parameter as libsinsp stores and prints it.
fn write_value<S: ArgSink>(o: &mut S, p: &Param, v: u64, state: &State, text: &mut String) {
    let k = p.name;
    match p.ty {
        ParamType::Flags | ParamType::EnumFlags | ParamType::Mode => {
            let Some(table) = p.table() else {
                return o.int(k, v);
            };
            let ppm = table
                .ppm_of(v, p.ty == ParamType::EnumFlags)
                .unwrap_or(v & 0xffff_ffff);
            if !table.write_text(ppm, p.ty, text) {
                params::write_number(ppm as i64, p.format, text);
            }
            o.raw_text(k, ppm, text);
        }
        ParamType::Uid | ParamType::Gid => {
            let id = v as u32;
            if id == u32::MAX {
                o.raw_text(k, -1, "-1");
            } else if p.ty == ParamType::Uid {
                o.raw_text(k, id, &state.users.user_name(id));
            } else {
                o.raw_text(k, id, &state.users.group_name(id));
            }
        }
        ParamType::Pid => {
            let pid = v as i32;
            match u32::try_from(pid).ok().and_then(|p| state.procs.get(p)) {
                Some(proc) => o.raw_text(k, pid, &proc.name),
                None => o.int(k, pid),
            }
        }
        ParamType::Fd | ParamType::Int32 => o.int(k, v as i32),
        ParamType::Errno | ParamType::Int64 => o.int(k, v as i64),
        ParamType::Int8 => o.int(k, v as i8),
        ParamType::Int16 => o.int(k, v as i16),
        ParamType::Uint8 => o.int(k, v as u8),
        ParamType::Uint16 => o.int(k, v as u16),
        ParamType::Uint32 | ParamType::Uint64 => {
            let v = if p.ty == ParamType::Uint32 {
                v & 0xffff_ffff
            } else {
                v
            };
            match p.format {
                params::Format::Dec | params::Format::Na => o.int(k, v),
                format => {
                    params::write_number(v as i64, format, text);
                    o.raw_text(k, v, text);
                }
            }
        }
        _ => {}
    }
}

/// The descriptor a syscall acts on: its result for calls that create one, its first
/// argument for calls that take one.
pub(crate) fn fd_of(s: &SyscallEvent<'_>) -> Option<i32> {
    match s.nr {
        nr::OPEN
        | nr::CREAT
        | nr::OPENAT
        | nr::OPENAT2
        | nr::ACCEPT
        | nr::ACCEPT4
        | nr::SOCKET
        | nr::DUP
        | nr::DUP2
        | nr::DUP3 => (s.ret >= 0).then_some(s.ret as i32),
        nr::CLOSE
        | nr::CONNECT
        | nr::FCHDIR
        | nr::FCHMOD
        | nr::SETNS
        | nr::READ
        | nr::WRITE
        | nr::SENDTO
        | nr::RECVFROM
        | nr::SENDMSG
        | nr::RECVMSG
        | nr::BIND
        | nr::LISTEN => Some(s.args[0] as i32),
        _ => None,
    }
}

/// Writes the arguments of any record, for the JSON line and the built event alike: a
/// syscall's parameters, an exec's, a new process's child (`res`) and an exit's status.
pub(crate) fn write_record<S: ArgSink>(o: &mut S, rec: &Record<'_>, state: &State) {
    match rec {
        Record::Syscall(s) => write(o, s, state),
        Record::Exec(x) => write_exec(o, x),
        Record::Fork(f) => o.int("res", f.child_tgid),
        Record::Exit(x) => o.int("status", x.exit_code),
    }
}

/// Writes the parameters of a successful exec (an exec record): those
/// `falco_events::agent_fields::LIFECYCLE_ARGS` lists for `execve`, libsinsp's text for the
/// executable flags included.
fn write_exec<S: ArgSink>(o: &mut S, x: &ExecEvent<'_>) {
    let mut argv = x.argv().map(String::from_utf8_lossy);
    o.int("res", 0);
    o.str("exe", &argv.next().unwrap_or_default());
    let rest: Vec<_> = argv.collect();
    o.str("args", &rest.join(" "));
    o.str("filename", &String::from_utf8_lossy(x.filename));
    write_exe_flags(o, x.facts.exe_flags);
}

/// The `flags` of an exec event: libs' executable flags (`EXE_WRITABLE|...`).
fn write_exe_flags<S: ArgSink>(o: &mut S, flags: u32) {
    let flags = u64::from(flags);
    let mut text = String::new();
    match params::param("execve", "flags").and_then(|p| p.table()) {
        Some(t) if t.write_text(flags, ParamType::Flags, &mut text) => {
            o.raw_text("flags", flags, &text)
        }
        _ => o.int("flags", flags),
    }
}
