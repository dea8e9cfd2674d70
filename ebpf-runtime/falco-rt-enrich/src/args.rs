//! Event arguments under Falco's parameter names, with Falco's text for flags, modes,
//! ids and tuples.

use std::borrow::Cow;

use falco_rt_record::SyscallEvent;
use falco_rt_record::syscalls::nr;
use falco_rt_state::UserDb;

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

/// `S_*` mode bits with the names libsinsp prints for `PT_MODE` parameters.
const MODE_BITS: &[(u64, &str)] = &[
    (0o1, "S_IXOTH"),
    (0o2, "S_IWOTH"),
    (0o4, "S_IROTH"),
    (0o10, "S_IXGRP"),
    (0o20, "S_IWGRP"),
    (0o40, "S_IRGRP"),
    (0o100, "S_IXUSR"),
    (0o200, "S_IWUSR"),
    (0o400, "S_IRUSR"),
    (0o1000, "S_ISVTX"),
    (0o2000, "S_ISGID"),
    (0o4000, "S_ISUID"),
];

/// Namespace and sharing flags of `setns`/`unshare` (`CLONE_*`).
const CLONE_FLAGS: &[(u64, &str)] = &[
    (0x80, "CLONE_NEWTIME"),
    (0x200, "CLONE_FS"),
    (0x400, "CLONE_FILES"),
    (0x20000, "CLONE_NEWNS"),
    (0x40000, "CLONE_SYSVSEM"),
    (0x0200_0000, "CLONE_NEWCGROUP"),
    (0x0400_0000, "CLONE_NEWUTS"),
    (0x0800_0000, "CLONE_NEWIPC"),
    (0x1000_0000, "CLONE_NEWUSER"),
    (0x2000_0000, "CLONE_NEWPID"),
    (0x4000_0000, "CLONE_NEWNET"),
];

/// `a|b|c` for the bits of `v` that have names; `0` when none is set.
fn flags_text(v: u64, table: &[(u64, &str)]) -> String {
    let names: Vec<&str> = table
        .iter()
        .filter(|(bit, _)| v & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    if names.is_empty() {
        "0".into()
    } else {
        names.join("|")
    }
}

fn lossy(b: Option<&[u8]>) -> Cow<'_, str> {
    b.map_or(Cow::Borrowed(""), String::from_utf8_lossy)
}

/// Writes the `args` object of a syscall record.
pub(crate) fn write<S: ArgSink>(o: &mut S, s: &SyscallEvent<'_>, users: &UserDb) {
    let a = s.args;
    let fd = |i: usize| a[i] as i32;
    let path = lossy(s.path);
    let path2 = lossy(s.path2);
    let mode = |o: &mut S, k: &'static str, v: u64| o.raw_text(k, v, &flags_text(v, MODE_BITS));
    let uid = |o: &mut S, k: &'static str, v: u64| {
        let id = v as u32;
        match id {
            u32::MAX => o.raw_text(k, -1, "-1"),
            _ => o.raw_text(k, id, &users.user_name(id)),
        }
    };
    let gid = |o: &mut S, k: &'static str, v: u64| {
        let id = v as u32;
        match id {
            u32::MAX => o.raw_text(k, -1, "-1"),
            _ => o.raw_text(k, id, &users.group_name(id)),
        }
    };
    match s.nr {
        nr::OPEN => {
            o.int("fd", s.ret);
            o.str("name", &path);
            o.int("flags", a[1]);
            o.int("mode", a[2]);
        }
        nr::CREAT => {
            o.int("fd", s.ret);
            o.str("name", &path);
            o.int("mode", a[1]);
        }
        nr::OPENAT | nr::OPENAT2 => {
            o.int("fd", s.ret);
            o.int("dirfd", fd(0));
            o.str("name", &path);
            o.int("flags", a[2]);
            o.int("mode", a[3]);
            if s.nr == nr::OPENAT2 && s.normalized {
                o.int("resolve", a[4]);
            }
        }
        nr::CLOSE | nr::FCHDIR => o.int("fd", fd(0)),
        nr::DUP => o.int("oldfd", fd(0)),
        nr::DUP2 | nr::DUP3 => {
            o.int("oldfd", fd(0));
            o.int("newfd", fd(1));
            if s.nr == nr::DUP3 {
                o.int("flags", a[2]);
            }
        }
        nr::SOCKET => {
            o.int("domain", a[0]);
            o.int("type", a[1]);
            o.int("proto", a[2]);
        }
        nr::CONNECT | nr::ACCEPT | nr::ACCEPT4 => {
            let num = if s.nr == nr::CONNECT {
                i64::from(fd(0))
            } else {
                s.ret
            };
            o.int("fd", num);
            if let Some(t) = s.tuple
                && let (Some(l), Some(r)) = (t.source(), t.dest())
            {
                o.str("tuple", &format!("{l}:{}->{r}:{}", t.sport, t.dport));
            }
        }
        nr::CHDIR => o.str("path", &path),
        nr::EXECVE | nr::EXECVEAT => o.str("filename", &path),
        nr::UNLINK | nr::RMDIR => o.str("path", &path),
        nr::UNLINKAT => {
            o.int("dirfd", fd(0));
            o.str("name", &path);
            o.int("flags", a[2]);
        }
        nr::RENAME | nr::LINK => {
            o.str("oldpath", &path);
            o.str("newpath", &path2);
        }
        nr::RENAMEAT | nr::RENAMEAT2 | nr::LINKAT => {
            o.int("olddirfd", fd(0));
            o.str("oldpath", &path);
            o.int("newdirfd", fd(2));
            o.str("newpath", &path2);
            if s.nr != nr::RENAMEAT {
                o.int("flags", a[4]);
            }
        }
        nr::SYMLINK => {
            o.str("target", &path);
            o.str("linkpath", &path2);
        }
        nr::SYMLINKAT => {
            o.str("target", &path);
            o.int("linkdirfd", fd(1));
            o.str("linkpath", &path2);
        }
        nr::MKDIR => {
            o.str("path", &path);
            mode(o, "mode", a[1]);
        }
        nr::MKDIRAT => {
            o.int("dirfd", fd(0));
            o.str("path", &path);
            mode(o, "mode", a[2]);
        }
        nr::CHMOD => {
            o.str("filename", &path);
            mode(o, "mode", a[1]);
        }
        nr::FCHMOD => {
            o.int("fd", fd(0));
            mode(o, "mode", a[1]);
        }
        nr::FCHMODAT | nr::FCHMODAT2 => {
            o.int("dirfd", fd(0));
            o.str("filename", &path);
            mode(o, "mode", a[2]);
        }
        nr::SETUID => uid(o, "uid", a[0]),
        nr::SETGID => gid(o, "gid", a[0]),
        nr::SETREUID => {
            uid(o, "ruid", a[0]);
            uid(o, "euid", a[1]);
        }
        nr::SETREGID => {
            gid(o, "rgid", a[0]);
            gid(o, "egid", a[1]);
        }
        nr::SETRESUID => {
            uid(o, "ruid", a[0]);
            uid(o, "euid", a[1]);
            uid(o, "suid", a[2]);
        }
        nr::SETRESGID => {
            gid(o, "rgid", a[0]);
            gid(o, "egid", a[1]);
            gid(o, "sgid", a[2]);
        }
        nr::SETNS => {
            o.int("fd", fd(0));
            o.raw_text("nstype", a[1], &flags_text(a[1], CLONE_FLAGS));
        }
        nr::UNSHARE => o.raw_text("flags", a[0], &flags_text(a[0], CLONE_FLAGS)),
        nr::PTRACE => {
            o.int("request", a[0]);
            o.int("pid", a[1] as i32);
            o.int("addr", a[2]);
            o.int("data", a[3]);
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
        | nr::BIND
        | nr::LISTEN => Some(s.args[0] as i32),
        _ => None,
    }
}
