//! Falco field values the state can supply (`proc.*`, `user.*`, `group.*`,
//! `fd.*`, `container.id`), for the evaluator and for telling users which
//! fields of a bundle the runtime cannot fill (those are `<NA>`).

use std::net::IpAddr;

use crate::fd::{Fd, Role};
use crate::state::State;

/// Fields [`State::field`] supplies. Any other field is `<NA>` for this state.
pub const SUPPLIED: &[&str] = &[
    "proc.name",
    "proc.exe",
    "proc.exepath",
    "proc.cmdline",
    "proc.args",
    "proc.pid",
    "proc.ppid",
    "proc.sid",
    "proc.vpid",
    "proc.tty",
    "proc.cwd",
    "proc.loginuid",
    "proc.pname",
    "proc.pexe",
    "proc.pexepath",
    "proc.pcmdline",
    "proc.aname",
    "user.name",
    "user.uid",
    "user.homedir",
    "user.shell",
    "user.loginuid",
    "user.loginname",
    "group.gid",
    "group.name",
    "fd.num",
    "fd.name",
    "fd.type",
    "fd.typechar",
    "fd.directory",
    "fd.filename",
    "fd.sip",
    "fd.cip",
    "fd.lip",
    "fd.rip",
    "fd.sport",
    "fd.cport",
    "fd.lport",
    "fd.rport",
    "fd.l4proto",
    "fd.sockfamily",
    "fd.is_server",
    "container.id",
];

/// A field value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Text (`PT_CHARBUF`).
    Str(String),
    /// Signed number (`PT_INT64`).
    Int(i64),
    /// Unsigned number (`PT_UINT32`, `PT_UINT64`).
    Uint(u64),
    /// An address (`PT_IPADDR`).
    Ip(IpAddr),
    /// A port (`PT_PORT`).
    Port(u16),
    /// A flag (`PT_BOOL`).
    Bool(bool),
    /// Several values, e.g. `proc.aname` without an index (parent first).
    List(Vec<String>),
    /// Not available: unknown field, process, descriptor or index.
    Na,
}

impl Value {
    fn opt_str(s: Option<&str>) -> Self {
        s.map_or(Self::Na, |s| Self::Str(s.to_string()))
    }
}

/// The argument of a field such as `proc.aname[2]` or `proc.args[0]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldArg<'a> {
    /// No argument.
    None,
    /// A numeric index.
    Index(usize),
    /// A non-numeric key.
    Key(&'a str),
}

impl State {
    /// The value of field `name` (with `arg`) for process `pid` and, for
    /// `fd.*`, descriptor `fd` of that process.
    pub fn field(&self, pid: u32, fd: Option<i32>, name: &str, arg: FieldArg<'_>) -> Value {
        let Some(p) = self.procs.get(pid) else {
            return Value::Na;
        };
        let parent = self.procs.get(p.ppid);
        let index = match arg {
            FieldArg::Index(i) => Some(i),
            _ => None,
        };
        match name {
            "proc.name" => Value::Str(p.name.clone()),
            "proc.exe" => Value::Str(p.exe.clone()),
            "proc.exepath" => Value::Str(p.exepath.clone()),
            "proc.cmdline" => Value::Str(p.cmdline()),
            "proc.args" => match index {
                Some(i) => Value::opt_str(p.args.get(i).map(String::as_str)),
                None => Value::Str(p.args_line()),
            },
            "proc.pid" => Value::Int(p.pid.into()),
            "proc.ppid" => Value::Int(p.ppid.into()),
            "proc.sid" => Value::Int(p.sid.into()),
            "proc.vpid" => Value::Int(p.vpid.into()),
            "proc.tty" => Value::Uint(p.tty.into()),
            "proc.cwd" => Value::Str(p.cwd.clone()),
            "proc.loginuid" | "user.loginuid" => Value::Int(login(p.loginuid)),
            "proc.pname" => Value::opt_str(parent.map(|q| q.name.as_str())),
            "proc.pexe" => Value::opt_str(parent.map(|q| q.exe.as_str())),
            "proc.pexepath" => Value::opt_str(parent.map(|q| q.exepath.as_str())),
            "proc.pcmdline" => parent.map_or(Value::Na, |q| Value::Str(q.cmdline())),
            "proc.aname" => match index {
                Some(n) => Value::opt_str(self.procs.aname(pid, n)),
                None => Value::List(
                    self.procs
                        .ancestors(pid)
                        .iter()
                        .map(|q| q.name.clone())
                        .collect(),
                ),
            },
            "user.name" => Value::Str(self.users.user_name(p.uid)),
            "user.uid" => Value::Uint(p.uid.into()),
            "user.homedir" => Value::opt_str(self.users.user(p.uid).map(|u| u.home.as_str())),
            "user.shell" => Value::opt_str(self.users.user(p.uid).map(|u| u.shell.as_str())),
            "user.loginname" => match p.loginuid {
                u32::MAX => Value::Na,
                uid => Value::Str(self.users.user_name(uid)),
            },
            "group.gid" => Value::Uint(p.gid.into()),
            "group.name" => Value::Str(self.users.group_name(p.gid)),
            "container.id" => Value::Str(p.container.id().to_string()),
            f if f.starts_with("fd.") => match fd.and_then(|n| p.fds.get(n).map(|d| (n, d))) {
                Some((n, d)) => fd_field(f, n, d),
                None => Value::Na,
            },
            _ => Value::Na,
        }
    }
}

/// Falco shows an unset login uid as -1.
fn login(uid: u32) -> i64 {
    if uid == u32::MAX { -1 } else { uid.into() }
}

fn fd_field(name: &str, num: i32, d: &Fd) -> Value {
    let ip = |e: Option<(IpAddr, u16)>| e.map_or(Value::Na, |(a, _)| Value::Ip(a));
    let port = |e: Option<(IpAddr, u16)>| e.map_or(Value::Na, |(_, p)| Value::Port(p));
    match name {
        "fd.num" => Value::Int(num.into()),
        "fd.name" => Value::Str(d.name()),
        "fd.type" => Value::Str(d.type_name().to_string()),
        "fd.typechar" => Value::Str(d.typechar().to_string()),
        "fd.directory" => Value::opt_str(d.directory()),
        "fd.filename" => Value::opt_str(d.filename()),
        "fd.sip" => ip(d.server()),
        "fd.cip" => ip(d.client()),
        "fd.lip" => ip(d.local()),
        "fd.rip" => ip(d.remote()),
        "fd.sport" => port(d.server()),
        "fd.cport" => port(d.client()),
        "fd.lport" => port(d.local()),
        "fd.rport" => port(d.remote()),
        "fd.l4proto" => Value::opt_str(d.l4proto()),
        "fd.sockfamily" => match d.typechar() {
            '4' | '6' => Value::Str("ip".into()),
            'u' if d.type_name() == "unix" => Value::Str("unix".into()),
            _ => Value::Na,
        },
        "fd.is_server" => match &d.kind {
            crate::fd::FdKind::Inet { role, .. } => Value::Bool(*role == Role::Server),
            _ => Value::Na,
        },
        _ => Value::Na,
    }
}
