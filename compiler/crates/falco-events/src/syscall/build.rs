//! Building a syscall event in code, for producers that have the values at hand (the
//! node agent): the same event a replay line with these keys gives, without writing and
//! parsing JSON. Only the keys a live capture fills are offered.

use std::net::IpAddr;
use std::sync::Arc;

use falco_schema::Schema;

use super::parse::open_flags_of;
use super::{Arg, Container, Fd, FdKind, Proc, Raw, SyscallEvent};
use crate::event::{Event, EventBody};

/// A syscall event under construction; see `docs/event-format.md` for each value's meaning.
#[derive(Debug)]
pub struct SyscallBuilder {
    ev: SyscallEvent,
    args: Vec<Arg>,
    procs: Vec<Proc>,
    ts: u64,
}

/// One process of the event's chain (`thread`, then `ancestors`), as in the replay format.
#[derive(Debug, Default, Clone)]
pub struct ProcInfo<'a> {
    /// `tid` (defaults to `pid`).
    pub tid: Option<i64>,
    /// `pid`.
    pub pid: i64,
    /// `ppid`.
    pub ppid: i64,
    /// `vpid`.
    pub vpid: i64,
    /// `sid`.
    pub sid: i64,
    /// `tty`.
    pub tty: Option<u64>,
    /// `uid` and `user`.
    pub uid: Option<(u64, &'a str)>,
    /// `gid` and `group`.
    pub gid: Option<(u64, &'a str)>,
    /// `loginuid` (-1 when unset).
    pub loginuid: i64,
    /// `loginname`.
    pub loginname: Option<&'a str>,
    /// `name` (comm).
    pub name: &'a str,
    /// `exe` (argv\[0\]); empty leaves it out.
    pub exe: &'a str,
    /// `exepath`.
    pub exepath: Option<&'a str>,
    /// `args` (argv\[1..\]); `None` leaves them out.
    pub args: Option<&'a [String]>,
    /// `cwd`.
    pub cwd: Option<&'a str>,
    /// `homedir` and `shell`.
    pub home_shell: Option<(&'a str, &'a str)>,
}

/// The event's descriptor, as in the replay format's `fd` object.
#[derive(Debug, Default, Clone)]
pub struct FdInfo<'a> {
    /// `num`.
    pub num: i64,
    /// `type` (`file`, `ipv4`, ...); unknown names become `unknown`.
    pub kind: &'a str,
    /// `name`.
    pub name: Option<&'a str>,
    /// `cip`, `cport`.
    pub client: Option<(IpAddr, u16)>,
    /// `sip`, `sport`.
    pub server: Option<(IpAddr, u16)>,
    /// `l4proto`.
    pub l4proto: Option<&'a str>,
    /// `is_server`.
    pub is_server: Option<bool>,
}

impl SyscallBuilder {
    /// An event of type `evt_type` at `ts` (nanoseconds since the epoch); `None` when the
    /// type is not one `evt.type` knows.
    pub fn new(evt_type: &str, ts: u64) -> Option<Self> {
        if !Schema::get().is_event_type(evt_type) {
            return None;
        }
        Some(Self {
            ev: SyscallEvent {
                evt_type: evt_type.into(),
                ..SyscallEvent::default()
            },
            args: Vec::with_capacity(6),
            procs: Vec::with_capacity(8),
            ts,
        })
    }

    /// The return value (`res`).
    pub fn res(&mut self, res: i64) -> &mut Self {
        self.ev.res = Some(res);
        self
    }

    fn push_arg(&mut self, name: &str, text: Box<str>, raw: Raw) -> &mut Self {
        self.args.push(Arg {
            name: name.into(),
            text,
            raw,
        });
        self
    }

    /// A numeric argument shown as its number.
    pub fn arg_int(&mut self, name: &str, v: i64) -> &mut Self {
        let raw = u64::try_from(v).map_or(Raw::Int(v), Raw::Uint);
        self.push_arg(name, v.to_string().into(), raw)
    }

    /// A numeric argument with its own text (`{"raw": N, "text": "..."}`).
    pub fn arg_raw_text(&mut self, name: &str, raw: i64, text: &str) -> &mut Self {
        let raw = u64::try_from(raw).map_or(Raw::Int(raw), Raw::Uint);
        self.push_arg(name, text.into(), raw)
    }

    /// A text argument (paths, names).
    pub fn arg_str(&mut self, name: &str, text: &str) -> &mut Self {
        self.push_arg(name, text.into(), Raw::Text)
    }

    /// Appends a process: the first is the thread, the next ones its ancestors.
    pub fn process(&mut self, p: &ProcInfo<'_>) -> &mut Self {
        let own = |s: &str| Some(Box::<str>::from(s));
        let proc = Proc {
            tid: Some(p.tid.unwrap_or(p.pid)),
            pid: Some(p.pid),
            vpid: Some(p.vpid),
            ppid: Some(p.ppid),
            sid: Some(p.sid),
            tty: p.tty,
            loginuid: Some(p.loginuid),
            loginname: p.loginname.and_then(own),
            uid: p.uid.map(|(u, _)| u),
            user: p.uid.and_then(|(_, n)| own(n)),
            gid: p.gid.map(|(g, _)| g),
            group: p.gid.and_then(|(_, n)| own(n)),
            homedir: p.home_shell.and_then(|(h, _)| own(h)),
            shell: p.home_shell.and_then(|(_, s)| own(s)),
            name: own(p.name),
            exe: (!p.exe.is_empty()).then(|| p.exe.into()),
            exepath: p.exepath.and_then(own),
            args: p
                .args
                .map(|a| a.iter().map(|s| Box::<str>::from(s.as_str())).collect()),
            cwd: p.cwd.and_then(own),
            ..Proc::default()
        };
        self.procs.push(proc);
        self
    }

    /// The descriptor the event acts on.
    pub fn fd(&mut self, f: &FdInfo<'_>) -> &mut Self {
        self.ev.fd = Some(Box::new(Fd {
            num: Some(f.num),
            kind: Some(FdKind::from_name(f.kind).unwrap_or(FdKind::Unknown)),
            name: f.name.map(Box::from),
            cip: f.client.map(|(a, _)| a),
            cport: f.client.map(|(_, p)| u64::from(p)),
            sip: f.server.map(|(a, _)| a),
            sport: f.server.map(|(_, p)| u64::from(p)),
            l4proto: f.l4proto.map(Box::from),
            is_server: f.is_server,
            ..Fd::default()
        }));
        self
    }

    /// The container (`id`, `full_id`, `type`); without one the event is on the host.
    pub fn container(&mut self, id: &str, full_id: &str, kind: &str) -> &mut Self {
        self.ev.container = Some(Box::new(Container {
            id: Some(id.into()),
            full_id: Some(full_id.into()),
            kind: Some(kind.into()),
            ..Container::default()
        }));
        self
    }

    /// The event, numbered `num`, with `first_ts` as the origin of `evt.reltime`.
    pub fn build(mut self, num: u64, first_ts: u64, hostname: Option<Arc<str>>) -> Event {
        self.ev.open_flags = open_flags_of(&self.ev.evt_type, &mut self.args);
        self.ev.args = self.args.into();
        self.ev.procs = self.procs.into();
        Event {
            num,
            ts: self.ts,
            first_ts,
            hostname,
            body: EventBody::Syscall(Box::new(self.ev)),
        }
    }
}
