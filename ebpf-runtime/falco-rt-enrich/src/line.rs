//! One record → one replay-format line.

use falco_events::{Event, EventError, SyscallReader};
use falco_rt_record::Event as Record;
use falco_rt_record::syscalls::{self, nr};
use falco_rt_state::{Container, Fd, FdKind, Process, Role, State};
use falco_schema::Schema;

use crate::args;
use crate::json::Obj;

/// Ancestors written with each event (`proc.aname[1..=N]`, `proc.pname`).
pub const MAX_ANCESTORS: usize = 8;

/// The Falco event type a record stands for: the syscall's name (when Falco knows it
/// as an event type), `execve` for an exec, `clone` for a new process, `procexit`.
pub fn event_type(rec: &Record<'_>) -> Option<&'static str> {
    let name = match rec {
        Record::Syscall(s) => syscalls::name(s.nr)?,
        Record::Exec(_) => "execve",
        Record::Fork(_) => "clone",
        Record::Exit(_) => "procexit",
    };
    Schema::get().is_event_type(name).then_some(name)
}

/// Parses a line written by [`Enricher::record`] into the event the VM evaluates.
pub fn to_event(line: &str) -> Result<Event, EventError> {
    SyscallReader::new(line).next().unwrap_or_else(|| {
        Err(EventError {
            line: 1,
            column: 1,
            message: "empty event line".into(),
        })
    })
}

/// Keeps what one record needs from before the state changes (the descriptor a
/// `close` releases).
#[derive(Debug, Default)]
pub struct Enricher {
    closing: Option<(i32, Fd)>,
}

impl Enricher {
    /// A new enricher.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `rec` to `state`. When the record is a Falco event type and `wanted`
    /// says yes to it, writes its line (without newline) into `out`, which is cleared
    /// first, and returns the event type. `ts_ns` is the event time since the epoch.
    pub fn record(
        &mut self,
        state: &mut State,
        rec: &Record<'_>,
        ts_ns: u64,
        wanted: impl Fn(&str) -> bool,
        out: &mut String,
    ) -> Option<&'static str> {
        let ty = event_type(rec).filter(|t| wanted(t));
        self.closing = None;
        if ty.is_some()
            && let Record::Syscall(s) = rec
            && s.nr == nr::CLOSE
        {
            let fd = s.args[0] as i32;
            self.closing = state
                .procs
                .get(s.header.tgid)
                .and_then(|p| p.fds.get(fd))
                .map(|f| (fd, f.clone()));
        }
        state.apply(rec);
        let ty = ty?;
        out.clear();
        self.write(state, rec, ty, ts_ns, out);
        Some(ty)
    }

    fn write(&mut self, state: &State, rec: &Record<'_>, ty: &str, ts_ns: u64, out: &mut String) {
        let (header, res) = match rec {
            Record::Syscall(s) => (s.header, s.ret),
            Record::Exec(x) => (x.header, 0),
            Record::Fork(f) => (f.header, i64::from(f.child_tgid)),
            Record::Exit(x) => (x.header, 0),
        };
        let mut o = Obj::open(out);
        o.int("ts", ts_ns);
        o.str("type", ty);
        o.int("res", res);
        {
            let mut a = o.obj("args");
            match rec {
                Record::Syscall(s) => args::write(&mut a, s, &state.users),
                Record::Exec(x) => {
                    let mut argv = x.argv().map(|b| String::from_utf8_lossy(b));
                    a.int("res", 0);
                    a.str("exe", &argv.next().unwrap_or_default());
                    let rest: Vec<_> = argv.collect();
                    a.str("args", &rest.join(" "));
                    a.str("filename", &String::from_utf8_lossy(x.filename));
                }
                Record::Fork(f) => a.int("res", f.child_tgid),
                Record::Exit(x) => a.int("status", x.exit_code),
            }
            a.close();
        }
        let proc = state.procs.get(header.tgid);
        if let Some(p) = proc {
            {
                let mut t = o.obj("thread");
                t.int("tid", header.tid);
                write_proc(&mut t, p, state, Detail::Thread);
                t.close();
            }
            let ancestors = state.procs.ancestors(p.pid);
            let ancestors = &ancestors[..ancestors.len().min(MAX_ANCESTORS)];
            if !ancestors.is_empty() {
                let mut level = 0;
                o.array("ancestors", ancestors, |a, q| {
                    level += 1;
                    // Arguments only for the parent (`proc.pcmdline`): the long command
                    // lines of build tools made ancestry the bulk of each event's cost.
                    let detail = if level == 1 {
                        Detail::Parent
                    } else {
                        Detail::Ancestor
                    };
                    write_proc(a, q, state, detail)
                });
            }
            let fd = match rec {
                Record::Syscall(s) if s.nr == nr::CLOSE => self.closing.take(),
                Record::Syscall(s) => {
                    args::fd_of(s).and_then(|n| p.fds.get(n).map(|f| (n, f.clone())))
                }
                _ => None,
            };
            if let Some((num, f)) = fd {
                let mut fo = o.obj("fd");
                write_fd(&mut fo, num, &f);
                fo.close();
            }
            if let Container::Id { full, runtime } = &p.container {
                let mut c = o.obj("container");
                c.str("id", p.container.id());
                c.str("full_id", full);
                c.str("type", &runtime.to_string());
                c.close();
            }
        }
        o.close();
    }
}

/// How much of a process an event line carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// The thread itself: everything.
    Thread,
    /// Its parent: identity, names and arguments.
    Parent,
    /// Older ancestors: identity and names.
    Ancestor,
}

fn write_proc(o: &mut Obj<'_>, p: &Process, state: &State, detail: Detail) {
    o.int("pid", p.pid);
    o.int("ppid", p.ppid);
    o.int("vpid", p.vpid);
    o.int("sid", p.sid);
    o.int("uid", p.uid);
    o.str("user", &state.users.user_name(p.uid));
    o.int(
        "loginuid",
        if p.loginuid == u32::MAX {
            -1
        } else {
            i64::from(p.loginuid)
        },
    );
    o.str("name", &p.name);
    o.str("exe", &p.exe);
    if !p.exepath.is_empty() {
        o.str("exepath", &p.exepath);
    }
    if detail == Detail::Ancestor {
        return;
    }
    o.strs("args", p.args.iter().map(String::as_str));
    if detail == Detail::Parent {
        return;
    }
    o.int("tty", p.tty);
    o.int("gid", p.gid);
    o.str("group", &state.users.group_name(p.gid));
    if p.loginuid != u32::MAX {
        o.str("loginname", &state.users.user_name(p.loginuid));
    }
    if let Some(u) = state.users.user(p.uid) {
        o.str("homedir", &u.home);
        o.str("shell", &u.shell);
    }
    if !p.cwd.is_empty() {
        o.str("cwd", &p.cwd);
    }
}

fn write_fd(o: &mut Obj<'_>, num: i32, f: &Fd) {
    o.int("num", num);
    o.str("type", f.type_name());
    let name = f.name();
    if !name.is_empty() {
        o.str("name", &name);
    }
    if let FdKind::Inet { role, .. } = &f.kind {
        if let Some((ip, port)) = f.client() {
            o.str("cip", &ip.to_string());
            o.int("cport", port);
        }
        if let Some((ip, port)) = f.server() {
            o.str("sip", &ip.to_string());
            o.int("sport", port);
        }
        if let Some(p) = f.l4proto() {
            o.str("l4proto", p);
        }
        if *role != Role::Unknown {
            o.bool("is_server", *role == Role::Server);
        }
    }
}
