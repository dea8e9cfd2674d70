//! The syscall-source fields, computed from a [`SyscallEvent`] as libsinsp and the container
//! plugin define them. A field whose context the event does not carry is `<NA>`.

use std::fmt::Write as _;

use falco_schema::{EventKind, FieldType, Schema};

use super::parse::{OPEN_CREAT, OPEN_F_CREATED, OPEN_RDONLY, OPEN_TMPFILE, OPEN_WRONLY};
use super::{Container, Fd, FdKind, Proc, Raw, SyscallEvent, typechar_of_event};
use crate::event::Event;
use crate::value::{AnyOf, FieldValue, Scratch};

/// A text attribute of a process record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PText {
    Name,
    Exe,
    Exepath,
    Cmdline,
}

/// How a process field picks its process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pick {
    /// Ancestor N (0 = the thread itself).
    Level(usize),
    /// Every ancestor (not the thread itself), compared one by one.
    AnyAncestor,
}

/// Which leader a session/group field looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leader {
    Sid,
    Vpgid,
    Pgid,
}

/// A compiled syscall-source field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SysField {
    // event
    Type,
    Dir,
    SyscallType,
    Category,
    Cpu,
    Args,
    Arg(Box<str>),
    ArgIndex(usize),
    RawArg(Box<str>, FieldType),
    TypeIs(Box<str>),
    Res,
    RawRes,
    Failed,
    IsOpenRead,
    IsOpenWrite,
    IsOpenExec,
    IsOpenCreate,
    Buffer,
    Buflen,
    // process
    ProcText(PText, Pick),
    Apid(Pick),
    ProcArgs(Option<usize>),
    Exeline,
    CmdNArgs,
    CmdLenArgs,
    Env(Option<Box<str>>),
    Cwd,
    Tty,
    Pid,
    Ppid,
    Vpid,
    Pvpid,
    Sid,
    Vpgid,
    Pgid,
    LeaderText(Leader, PText),
    IsLeader(Leader),
    Duration,
    PpidDuration,
    PidTs,
    PidnsInitStartTs,
    PpidTs,
    ExeWritable,
    ExeUpperLayer,
    ExeLowerLayer,
    ExeFromMemfd,
    ExeIno,
    ExeInoCtime,
    ExeInoMtime,
    ExeInoCtimeDurationProcStart,
    ExeInoCtimeDurationPidnsStart,
    CapPermitted,
    CapInheritable,
    CapEffective,
    Tid,
    Vtid,
    IsMain,
    NThreads,
    // user, group
    Uid,
    UserName,
    HomeDir,
    Shell,
    LoginUid,
    LoginName,
    Gid,
    GroupName,
    // fd
    FdNum,
    FdType,
    FdTypeChar,
    FdName,
    FdDirectory,
    FdFilename,
    FdContainerName,
    FdContainerDirectory,
    FdCip,
    FdSip,
    FdLip,
    FdRip,
    FdCport,
    FdSport,
    FdLport,
    FdRport,
    FdIpAny,
    FdPortAny,
    FdCipName,
    FdSipName,
    FdLipName,
    FdRipName,
    FdL4proto,
    FdSockfamily,
    FdIsServer,
    FdConnected,
    FdNameChanged,
    FdNameRaw,
    FdDev,
    FdIno,
    FdUpperLayer,
    FdLowerLayer,
    // container
    ContainerId,
    ContainerFullId,
    ContainerName,
    ContainerImage,
    ContainerImageId,
    ContainerImageRepository,
    ContainerImageTag,
    ContainerImageDigest,
    ContainerType,
    ContainerPrivileged,
    ContainerHostPid,
    ContainerHostNetwork,
    ContainerHostIpc,
    ContainerStartTs,
    ContainerDuration,
    ContainerIp,
    ContainerLabel(Box<str>),
    ContainerLabels,
    ContainerMounts,
    ContainerMount(MountPart, MountKey),
    // k8s
    K8sPodName,
    K8sNsName,
    K8sPodUid,
    K8sPodIp,
    K8sPodLabel(Box<str>),
    K8sPodLabels,
}

/// How a `container.mount*[...]` field finds its mount: by position, or by the first
/// mount whose source (whose destination, for `container.mount.source`) a regular
/// expression matches somewhere, as the container plugin searches (so `[/proc*]` is the
/// pattern `/pro` followed by any number of `c`).
#[derive(Debug, Clone)]
pub(crate) enum MountKey {
    Index(usize),
    Pattern(Box<str>, Option<regex::Regex>),
}

impl PartialEq for MountKey {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (MountKey::Index(a), MountKey::Index(b)) => a == b,
            (MountKey::Pattern(a, _), MountKey::Pattern(b, _)) => a == b,
            _ => false,
        }
    }
}

impl MountKey {
    fn of(arg: &str) -> MountKey {
        match index(Some(arg)) {
            Ok(Some(n)) => MountKey::Index(n),
            // A pattern the plugin's regex engine would reject finds nothing.
            _ => MountKey::Pattern(arg.into(), regex::Regex::new(&format!("(?m){arg}")).ok()),
        }
    }
}

/// Which part of a container mount a `container.mount*[...]` field gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MountPart {
    Whole,
    Source,
    Dest,
    Mode,
    Rdwr,
    Propagation,
}

fn index(arg: Option<&str>) -> Result<Option<usize>, ()> {
    match arg {
        None => Ok(None),
        Some(a) if !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()) => {
            a.parse().map(Some).map_err(|_| ())
        }
        Some(_) => Err(()),
    }
}

fn pick(arg: Option<&str>) -> Result<Pick, ()> {
    Ok(match index(arg)? {
        Some(n) => Pick::Level(n),
        None => Pick::AnyAncestor,
    })
}

impl SysField {
    /// Compiles a syscall field; `Err(())` when this crate does not compute it.
    pub(crate) fn compile(name: &str, arg: Option<&str>) -> Result<SysField, ()> {
        use SysField as F;
        let none = |f: SysField| if arg.is_none() { Ok(f) } else { Err(()) };
        let key = || arg.map(Box::<str>::from).ok_or(());
        match name {
            "evt.type" => none(F::Type),
            "evt.dir" => none(F::Dir),
            "syscall.type" => none(F::SyscallType),
            "evt.category" => none(F::Category),
            "evt.cpu" => none(F::Cpu),
            "evt.args" | "evt.info" => none(F::Args),
            "evt.arg" => match arg {
                Some(a) if !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(F::ArgIndex(a.parse().map_err(|_| ())?))
                }
                Some(a) => Ok(F::Arg(a.into())),
                None => Err(()),
            },
            "evt.rawarg" => {
                let a = arg.ok_or(())?;
                let ty = Schema::get()
                    .event_param(a)
                    .map_or(FieldType::Charbuf, |p| p.ty);
                Ok(F::RawArg(a.into(), ty))
            }
            "evt.type.is" => Ok(F::TypeIs(key()?)),
            "evt.res" => none(F::Res),
            "evt.rawres" => none(F::RawRes),
            "evt.failed" => none(F::Failed),
            "evt.is_open_read" => none(F::IsOpenRead),
            "evt.is_open_write" => none(F::IsOpenWrite),
            "evt.is_open_exec" => none(F::IsOpenExec),
            "evt.is_open_create" => none(F::IsOpenCreate),
            "evt.buffer" => none(F::Buffer),
            "evt.buflen" => none(F::Buflen),
            "proc.name" => none(F::ProcText(PText::Name, Pick::Level(0))),
            "proc.exe" => none(F::ProcText(PText::Exe, Pick::Level(0))),
            "proc.exepath" => none(F::ProcText(PText::Exepath, Pick::Level(0))),
            "proc.cmdline" => none(F::ProcText(PText::Cmdline, Pick::Level(0))),
            "proc.pname" => none(F::ProcText(PText::Name, Pick::Level(1))),
            "proc.pexe" => none(F::ProcText(PText::Exe, Pick::Level(1))),
            "proc.pexepath" => none(F::ProcText(PText::Exepath, Pick::Level(1))),
            "proc.pcmdline" => none(F::ProcText(PText::Cmdline, Pick::Level(1))),
            "proc.aname" => Ok(F::ProcText(PText::Name, pick(arg)?)),
            "proc.aexe" => Ok(F::ProcText(PText::Exe, pick(arg)?)),
            "proc.aexepath" => Ok(F::ProcText(PText::Exepath, pick(arg)?)),
            "proc.acmdline" => Ok(F::ProcText(PText::Cmdline, pick(arg)?)),
            "proc.apid" => Ok(F::Apid(pick(arg)?)),
            "proc.args" => Ok(F::ProcArgs(index(arg)?)),
            "proc.exeline" => none(F::Exeline),
            "proc.cmdnargs" => none(F::CmdNArgs),
            "proc.cmdlenargs" => none(F::CmdLenArgs),
            "proc.env" => Ok(F::Env(arg.map(Box::from))),
            "proc.cwd" => none(F::Cwd),
            "proc.tty" => none(F::Tty),
            "proc.pid" => none(F::Pid),
            "proc.ppid" => none(F::Ppid),
            "proc.vpid" => none(F::Vpid),
            "proc.pvpid" => none(F::Pvpid),
            "proc.sid" => none(F::Sid),
            "proc.vpgid" => none(F::Vpgid),
            "proc.pgid" => none(F::Pgid),
            "proc.sname" => none(F::LeaderText(Leader::Sid, PText::Name)),
            "proc.sid.exe" => none(F::LeaderText(Leader::Sid, PText::Exe)),
            "proc.sid.exepath" => none(F::LeaderText(Leader::Sid, PText::Exepath)),
            "proc.vpgid.name" => none(F::LeaderText(Leader::Vpgid, PText::Name)),
            "proc.vpgid.exe" => none(F::LeaderText(Leader::Vpgid, PText::Exe)),
            "proc.vpgid.exepath" => none(F::LeaderText(Leader::Vpgid, PText::Exepath)),
            "proc.pgid.name" => none(F::LeaderText(Leader::Pgid, PText::Name)),
            "proc.pgid.exe" => none(F::LeaderText(Leader::Pgid, PText::Exe)),
            "proc.pgid.exepath" => none(F::LeaderText(Leader::Pgid, PText::Exepath)),
            "proc.is_sid_leader" => none(F::IsLeader(Leader::Sid)),
            "proc.is_vpgid_leader" => none(F::IsLeader(Leader::Vpgid)),
            "proc.is_pgid_leader" => none(F::IsLeader(Leader::Pgid)),
            "proc.duration" => none(F::Duration),
            "proc.ppid.duration" => none(F::PpidDuration),
            "proc.pid.ts" => none(F::PidTs),
            "proc.pidns_init_start_ts" => none(F::PidnsInitStartTs),
            "proc.ppid.ts" => none(F::PpidTs),
            "proc.is_exe_writable" => none(F::ExeWritable),
            "proc.is_exe_upper_layer" => none(F::ExeUpperLayer),
            "proc.is_exe_lower_layer" => none(F::ExeLowerLayer),
            "proc.is_exe_from_memfd" => none(F::ExeFromMemfd),
            "proc.exe_ino" => none(F::ExeIno),
            "proc.exe_ino.ctime" => none(F::ExeInoCtime),
            "proc.exe_ino.mtime" => none(F::ExeInoMtime),
            "proc.exe_ino.ctime_duration_proc_start" => none(F::ExeInoCtimeDurationProcStart),
            "proc.exe_ino.ctime_duration_pidns_start" => none(F::ExeInoCtimeDurationPidnsStart),
            "thread.cap_permitted" => none(F::CapPermitted),
            "thread.cap_inheritable" => none(F::CapInheritable),
            "thread.cap_effective" => none(F::CapEffective),
            "thread.tid" => none(F::Tid),
            "thread.vtid" => none(F::Vtid),
            "thread.ismain" => none(F::IsMain),
            "proc.nthreads" => none(F::NThreads),
            "user.uid" => none(F::Uid),
            "user.name" => none(F::UserName),
            "user.homedir" => none(F::HomeDir),
            "user.shell" => none(F::Shell),
            "user.loginuid" => none(F::LoginUid),
            "user.loginname" => none(F::LoginName),
            "group.gid" => none(F::Gid),
            "group.name" => none(F::GroupName),
            "fd.num" => none(F::FdNum),
            "fd.type" => none(F::FdType),
            "fd.typechar" => none(F::FdTypeChar),
            "fd.name" => none(F::FdName),
            "fd.directory" => none(F::FdDirectory),
            "fd.filename" => none(F::FdFilename),
            "fd.containername" => none(F::FdContainerName),
            "fd.containerdirectory" => none(F::FdContainerDirectory),
            "fd.cip" | "fd.cnet" => none(F::FdCip),
            "fd.sip" | "fd.snet" => none(F::FdSip),
            "fd.lip" | "fd.lnet" => none(F::FdLip),
            "fd.rip" | "fd.rnet" => none(F::FdRip),
            "fd.cport" => none(F::FdCport),
            "fd.sport" => none(F::FdSport),
            "fd.lport" => none(F::FdLport),
            "fd.rport" => none(F::FdRport),
            "fd.ip" | "fd.net" => none(F::FdIpAny),
            "fd.port" => none(F::FdPortAny),
            "fd.cip.name" => none(F::FdCipName),
            "fd.sip.name" => none(F::FdSipName),
            "fd.lip.name" => none(F::FdLipName),
            "fd.rip.name" => none(F::FdRipName),
            "fd.l4proto" => none(F::FdL4proto),
            "fd.sockfamily" => none(F::FdSockfamily),
            "fd.is_server" => none(F::FdIsServer),
            "fd.connected" => none(F::FdConnected),
            "fd.name_changed" => none(F::FdNameChanged),
            "fd.nameraw" => none(F::FdNameRaw),
            "fd.dev" => none(F::FdDev),
            "fd.ino" => none(F::FdIno),
            "fd.is_upper_layer" => none(F::FdUpperLayer),
            "fd.is_lower_layer" => none(F::FdLowerLayer),
            "container.id" => none(F::ContainerId),
            "container.full_id" => none(F::ContainerFullId),
            "container.name" => none(F::ContainerName),
            "container.image" => none(F::ContainerImage),
            "container.image.id" => none(F::ContainerImageId),
            "container.image.repository" => none(F::ContainerImageRepository),
            "container.image.tag" => none(F::ContainerImageTag),
            "container.image.digest" => none(F::ContainerImageDigest),
            "container.type" => none(F::ContainerType),
            "container.privileged" => none(F::ContainerPrivileged),
            "container.host_pid" => none(F::ContainerHostPid),
            "container.host_network" => none(F::ContainerHostNetwork),
            "container.host_ipc" => none(F::ContainerHostIpc),
            "container.start_ts" => none(F::ContainerStartTs),
            "container.duration" => none(F::ContainerDuration),
            "container.ip" => none(F::ContainerIp),
            "container.label" => Ok(F::ContainerLabel(key()?)),
            "container.labels" => none(F::ContainerLabels),
            "container.mounts" => none(F::ContainerMounts),
            "container.mount" => Ok(F::ContainerMount(MountPart::Whole, MountKey::of(&key()?))),
            "container.mount.source" => {
                Ok(F::ContainerMount(MountPart::Source, MountKey::of(&key()?)))
            }
            "container.mount.dest" => Ok(F::ContainerMount(MountPart::Dest, MountKey::of(&key()?))),
            "container.mount.mode" => Ok(F::ContainerMount(MountPart::Mode, MountKey::of(&key()?))),
            "container.mount.rdwr" => Ok(F::ContainerMount(MountPart::Rdwr, MountKey::of(&key()?))),
            "container.mount.propagation" => Ok(F::ContainerMount(
                MountPart::Propagation,
                MountKey::of(&key()?),
            )),
            "k8s.pod.name" => none(F::K8sPodName),
            "k8s.ns.name" => none(F::K8sNsName),
            "k8s.pod.id" | "k8s.pod.uid" => none(F::K8sPodUid),
            "k8s.pod.ip" => none(F::K8sPodIp),
            "k8s.pod.label" => Ok(F::K8sPodLabel(key()?)),
            "k8s.pod.labels" => none(F::K8sPodLabels),
            _ => Err(()),
        }
    }

    /// True if [`SysField::compile`] accepts `name` with some argument.
    pub(crate) fn is_supported(name: &str) -> bool {
        [None, Some("1"), Some("fd"), Some("open"), Some("x")]
            .into_iter()
            .any(|arg| SysField::compile(name, arg).is_ok())
    }

    /// Extracts the field.
    pub(crate) fn extract<'a>(
        &self,
        ev: &'a SyscallEvent,
        event: &'a Event,
        scratch: &'a mut Scratch,
    ) -> FieldValue<'a> {
        use FieldValue as V;
        use SysField as F;
        scratch.clear();
        let th = ev.thread();
        let fd = ev.fd.as_deref();
        // Without a container the thread is on the host, which the container plugin
        // describes with fixed values.
        let ct = Some(ev.container.as_deref().unwrap_or(host()));
        let k8s = ev.k8s.as_deref();
        let s = |x: Option<&'a str>| x.map_or(V::Missing, V::Str);
        let b = |x: Option<bool>| x.map_or(V::Missing, V::Bool);
        let i = |x: Option<i64>| x.map_or(V::Missing, V::I64);
        let u = |x: Option<u64>| x.map_or(V::Missing, V::U64);
        match self {
            F::Type => V::Str(&ev.evt_type),
            F::Dir => V::Str(if ev.enter { ">" } else { "<" }),
            F::SyscallType => match Schema::get().event_type(&ev.evt_type) {
                Some(t) if t.kind != EventKind::Syscall => V::Missing,
                _ => V::Str(&ev.evt_type),
            },
            F::Category => s(Schema::get().event_type(&ev.evt_type).map(|t| t.category)),
            F::Cpu => i(ev.cpu),
            F::Args => {
                for (n, a) in ev.args.iter().enumerate() {
                    if n > 0 {
                        scratch.buf.push(' ');
                    }
                    let _ = write!(scratch.buf, "{}={}", a.name, a.text);
                }
                scratch.text()
            }
            F::Arg(name) => match ev.arg(name) {
                Some(a) => V::Str(&a.text),
                // The return value is the `res` parameter of most exit events.
                None if &**name == "res" && ev.res.is_some() => {
                    let _ = write!(scratch.buf, "{}", ev.res.unwrap_or(0));
                    scratch.text()
                }
                None => V::Missing,
            },
            F::ArgIndex(n) => s(ev.args.get(*n).map(|a| &*a.text)),
            F::RawArg(name, ty) => match ev.arg(name) {
                None if &**name == "res" => i(ev.res),
                None => V::Missing,
                Some(a) => raw_value(&a.raw, &a.text, *ty),
            },
            F::TypeIs(name) => V::U64(u64::from(*ev.evt_type == **name)),
            F::Res => match ev.res {
                None => V::Missing,
                Some(r) if r >= 0 => V::Str("SUCCESS"),
                Some(r) => match errno_name(r) {
                    Some(n) => V::Str(n),
                    None => {
                        let _ = write!(scratch.buf, "{r}");
                        scratch.text()
                    }
                },
            },
            F::RawRes => i(ev.res),
            F::Failed => V::Bool(ev.res.is_some_and(|r| r < 0)),
            F::IsOpenRead => V::Bool(ev.open_flags.is_some_and(|f| f & OPEN_RDONLY != 0)),
            F::IsOpenWrite => V::Bool(ev.open_flags.is_some_and(|f| f & OPEN_WRONLY != 0)),
            F::IsOpenCreate => V::Bool(ev.open_flags.is_some_and(|f| {
                f & OPEN_F_CREATED != 0 || (f & OPEN_TMPFILE != 0 && ev.res.is_some_and(|r| r >= 0))
            })),
            F::IsOpenExec => {
                let mode_exec = ev
                    .arg("mode")
                    .and_then(|a| arg_number(&a.raw, &a.text))
                    .is_some_and(|m| m & 0o111 != 0);
                let creating = if &*ev.evt_type == "creat" {
                    true
                } else {
                    ev.open_flags
                        .is_some_and(|f| f & (OPEN_TMPFILE | OPEN_CREAT) != 0)
                };
                V::Bool(creating && mode_exec && &*ev.evt_type != "open_by_handle_at")
            }
            F::Buffer => match ev.arg("data") {
                Some(a) => match &a.raw {
                    Raw::Bytes(bytes) => V::Bytes(bytes),
                    _ => V::Bytes(a.text.as_bytes()),
                },
                None => V::Missing,
            },
            F::Buflen => match ev.arg("data") {
                Some(a) => V::U64(match &a.raw {
                    Raw::Bytes(bytes) => bytes.len() as u64,
                    _ => a.text.len() as u64,
                }),
                None => V::Missing,
            },
            F::ProcText(attr, Pick::Level(n)) => match ev.procs.get(*n) {
                Some(p) => proc_text(p, *attr, scratch),
                None => V::Missing,
            },
            F::ProcText(attr, Pick::AnyAncestor) => {
                if ev.procs.len() < 2 {
                    return V::Missing;
                }
                for p in ev.procs.iter().skip(1) {
                    match attr {
                        PText::Name => scratch.buf.push_str(p.name.as_deref().unwrap_or("")),
                        PText::Exe => scratch.buf.push_str(p.exe.as_deref().unwrap_or("")),
                        PText::Exepath => scratch.buf.push_str(p.exepath.as_deref().unwrap_or("")),
                        PText::Cmdline => write_cmdline(p, &mut scratch.buf),
                    }
                    scratch.end_item();
                }
                V::AnyOf(AnyOf::Strs(scratch.strs()))
            }
            F::Apid(Pick::Level(n)) => i(ev.procs.get(*n).and_then(|p| p.pid)),
            F::Apid(Pick::AnyAncestor) => {
                if ev.procs.len() < 2 {
                    return V::Missing;
                }
                scratch
                    .ints
                    .extend(ev.procs.iter().skip(1).filter_map(|p| p.pid));
                V::AnyOf(AnyOf::Ints(&scratch.ints))
            }
            F::ProcArgs(idx) => match th {
                None => V::Missing,
                Some(p) => {
                    let args = p.args.as_deref().unwrap_or(&[]);
                    match idx {
                        Some(n) => V::Str(args.get(*n).map_or("", |a| &**a)),
                        None => {
                            join(args, &mut scratch.buf);
                            scratch.text()
                        }
                    }
                }
            },
            F::Exeline => match th {
                None => V::Missing,
                Some(p) => {
                    scratch.buf.push_str(p.exe.as_deref().unwrap_or(""));
                    scratch.buf.push(' ');
                    join(p.args.as_deref().unwrap_or(&[]), &mut scratch.buf);
                    scratch.text()
                }
            },
            F::CmdNArgs => th.map_or(V::Missing, |p| {
                V::U64(p.args.as_deref().map_or(0, |a| a.len() as u64))
            }),
            F::CmdLenArgs => th.map_or(V::Missing, |p| {
                V::U64(
                    p.args
                        .as_deref()
                        .map_or(0, |a| a.iter().map(|x| x.len() as u64).sum()),
                )
            }),
            F::Env(key) => match th {
                None => V::Missing,
                Some(p) => {
                    let env = p.env.as_deref().unwrap_or(&[]);
                    match key {
                        Some(k) => V::Str(
                            env.iter()
                                .find_map(|e| {
                                    e.strip_prefix(&**k).and_then(|r| r.strip_prefix('='))
                                })
                                .unwrap_or(""),
                        ),
                        None => {
                            join(env, &mut scratch.buf);
                            scratch.text()
                        }
                    }
                }
            },
            F::Cwd => s(th.and_then(|p| p.cwd.as_deref())),
            F::Tty => u(th.and_then(|p| p.tty)),
            F::Pid => i(th.and_then(|p| p.pid)),
            F::Ppid => i(th
                .and_then(|p| p.ppid)
                .or_else(|| ev.procs.get(1).and_then(|p| p.pid))),
            F::Vpid => i(th.and_then(|p| p.vpid)),
            F::Pvpid => i(ev.procs.get(1).and_then(|p| p.vpid)),
            F::Sid => i(th.and_then(|p| p.sid)),
            F::Vpgid => i(th.and_then(|p| p.vpgid)),
            F::Pgid => i(th.and_then(|p| p.pgid)),
            F::LeaderText(leader, attr) => match leader_of(&ev.procs, *leader) {
                Ok(Some(p)) => match proc_text(p, *attr, scratch) {
                    V::Missing => V::Str(""),
                    v => v,
                },
                Ok(None) => V::Str(""),
                Err(()) => V::Missing,
            },
            F::IsLeader(leader) => match th {
                None => V::Missing,
                Some(p) => {
                    let (id, own) = match leader {
                        Leader::Sid => (p.sid, p.vpid),
                        Leader::Vpgid => (p.vpgid, p.vpid),
                        Leader::Pgid => (p.pgid, p.pid),
                    };
                    match (id, own) {
                        (Some(a), Some(b)) => V::Bool(a == b),
                        _ => V::Missing,
                    }
                }
            },
            F::Duration => th
                .and_then(|p| p.start_ts)
                .map_or(V::Missing, |t| V::RelTime(event.ts.saturating_sub(t))),
            F::PpidDuration => ev
                .procs
                .get(1)
                .and_then(|p| p.start_ts)
                .map_or(V::Missing, |t| V::RelTime(event.ts.saturating_sub(t))),
            F::PidTs => th.and_then(|p| p.start_ts).map_or(V::Missing, V::RelTime),
            F::PidnsInitStartTs => u(th.and_then(|p| p.pidns_init_start_ts)),
            F::PpidTs => ev
                .procs
                .get(1)
                .and_then(|p| p.start_ts)
                .map_or(V::Missing, V::RelTime),
            F::ExeWritable => b(th.and_then(|p| p.exe_writable)),
            F::ExeUpperLayer => b(th.and_then(|p| p.exe_upper_layer)),
            F::ExeLowerLayer => b(th.and_then(|p| p.exe_lower_layer)),
            F::ExeFromMemfd => b(th.and_then(|p| p.exe_from_memfd)),
            F::ExeIno => i(th.and_then(|p| p.exe_ino)),
            F::ExeInoCtime => th
                .and_then(|p| p.exe_ino_ctime)
                .map_or(V::Missing, V::AbsTime),
            F::ExeInoMtime => th
                .and_then(|p| p.exe_ino_mtime)
                .map_or(V::Missing, V::AbsTime),
            F::ExeInoCtimeDurationProcStart => match th.map(|p| (p.start_ts, p.exe_ino_ctime)) {
                Some((Some(start), Some(ctime))) => V::AbsTime(start.saturating_sub(ctime)),
                _ => V::Missing,
            },
            // libsinsp keeps it when the executable changed after the namespace started.
            F::ExeInoCtimeDurationPidnsStart => {
                match th.map(|p| (p.pidns_init_start_ts, p.exe_ino_ctime)) {
                    Some((Some(start), Some(ctime))) if ctime > start => V::AbsTime(ctime - start),
                    _ => V::Missing,
                }
            }
            F::CapPermitted => s(th.and_then(|p| p.cap_permitted.as_deref())),
            F::CapInheritable => s(th.and_then(|p| p.cap_inheritable.as_deref())),
            F::CapEffective => s(th.and_then(|p| p.cap_effective.as_deref())),
            F::Tid => i(ev.thread_tid()),
            F::Vtid => i(th.and_then(|p| p.vtid)),
            F::IsMain => match (ev.thread_tid(), th.and_then(|p| p.pid)) {
                (Some(t), Some(p)) => V::Bool(t == p),
                _ => V::Missing,
            },
            F::NThreads => u(th.and_then(|p| p.nthreads)),
            F::Uid => u(th.and_then(|p| p.uid)),
            F::UserName => s(th.and_then(|p| p.user.as_deref())),
            F::HomeDir => s(th.and_then(|p| p.homedir.as_deref())),
            F::Shell => s(th.and_then(|p| p.shell.as_deref())),
            F::LoginUid => i(th.and_then(|p| p.loginuid)),
            F::LoginName => s(th.and_then(|p| p.loginname.as_deref())),
            F::Gid => u(th.and_then(|p| p.gid)),
            F::GroupName => s(th.and_then(|p| p.group.as_deref())),
            F::FdNum => i(fd.and_then(|f| f.num)),
            F::FdType => s(fd.and_then(|f| f.kind).map(FdKind::name)),
            F::FdTypeChar => s(fd.map(|f| {
                f.kind
                    .map_or_else(|| typechar_of_event(&ev.evt_type), FdKind::typechar)
            })),
            F::FdName => s(fd_name(ev)),
            F::FdDirectory => match fd_directory(ev) {
                Some(d) => V::Str(d),
                None => V::Missing,
            },
            F::FdFilename => match fd {
                Some(Fd {
                    kind: Some(FdKind::File),
                    name: Some(name),
                    ..
                }) => V::Str(filename(name)),
                _ => V::Missing,
            },
            F::FdContainerName | F::FdContainerDirectory => {
                let part = if *self == F::FdContainerName {
                    fd_name(ev)
                } else {
                    fd_directory(ev)
                };
                match part {
                    Some(p) => {
                        let id = ct.and_then(|c| c.id.as_deref()).unwrap_or("host");
                        let _ = write!(scratch.buf, "{id}:{p}");
                        scratch.text()
                    }
                    None => V::Missing,
                }
            }
            F::FdCip => socket(fd).and_then(|f| f.cip).map_or(V::Missing, V::Ip),
            F::FdSip => socket(fd).and_then(|f| f.sip).map_or(V::Missing, V::Ip),
            F::FdLip | F::FdRip => match socket(fd) {
                Some(f) => {
                    let local = *self == F::FdLip;
                    let ip = match f.is_server {
                        Some(server) if server == local => f.sip,
                        Some(_) => f.cip,
                        None => None,
                    };
                    ip.map_or(V::Missing, V::Ip)
                }
                None => V::Missing,
            },
            F::FdCport => u(socket(fd).and_then(|f| f.cport)),
            F::FdSport => u(socket(fd).and_then(|f| f.sport)),
            F::FdLport | F::FdRport => match socket(fd) {
                Some(f) => {
                    let local = *self == F::FdLport;
                    let port = match f.is_server {
                        Some(server) if server == local => f.sport,
                        Some(_) => f.cport,
                        None => None,
                    };
                    u(port)
                }
                None => V::Missing,
            },
            F::FdIpAny => match socket(fd).map(|f| (f.cip, f.sip)) {
                Some((Some(c), Some(s))) => V::AnyOf(AnyOf::Ips(c, s)),
                _ => V::Missing,
            },
            F::FdPortAny => match socket(fd).map(|f| (f.cport, f.sport)) {
                Some((Some(c), Some(s))) => V::AnyOf(AnyOf::Ports(c, s)),
                _ => V::Missing,
            },
            F::FdCipName => s(socket(fd).and_then(|f| f.cip_name.as_deref())),
            F::FdSipName => s(socket(fd).and_then(|f| f.sip_name.as_deref())),
            F::FdLipName | F::FdRipName => match socket(fd) {
                Some(f) => {
                    let local = *self == F::FdLipName;
                    let name = match f.is_server {
                        Some(server) if server == local => f.sip_name.as_deref(),
                        Some(_) => f.cip_name.as_deref(),
                        None => None,
                    };
                    s(name)
                }
                None => V::Missing,
            },
            F::FdL4proto => s(fd.and_then(|f| f.l4proto.as_deref())),
            F::FdSockfamily => match fd.and_then(|f| f.kind) {
                Some(k) if k.is_ip() => V::Str("ip"),
                Some(FdKind::Unix) => V::Str("unix"),
                _ => V::Missing,
            },
            F::FdIsServer => b(fd.and_then(|f| f.is_server)),
            F::FdConnected => b(fd.and_then(|f| f.connected)),
            F::FdNameChanged => b(fd.and_then(|f| f.name_changed)),
            F::FdNameRaw => s(fd.and_then(|f| f.nameraw.as_deref().or(f.name.as_deref()))),
            F::FdDev => i(fd.and_then(|f| f.dev)),
            F::FdIno => i(fd.and_then(|f| f.ino)),
            F::FdUpperLayer => b(fd.and_then(|f| f.upper_layer)),
            F::FdLowerLayer => b(fd.and_then(|f| f.lower_layer)),
            F::ContainerId => s(ct.and_then(|c| c.id.as_deref())),
            F::ContainerName => s(ct.and_then(|c| c.name.as_deref())),
            F::ContainerFullId => s(ct.and_then(|c| c.full_id.as_deref())),
            F::ContainerImage => s(ct.and_then(|c| c.image.as_deref())),
            F::ContainerImageId => s(ct.and_then(|c| c.image_id.as_deref())),
            F::ContainerImageRepository => s(ct.and_then(|c| c.image_repository.as_deref())),
            F::ContainerImageTag => s(ct.and_then(|c| c.image_tag.as_deref())),
            F::ContainerImageDigest => s(ct.and_then(|c| c.image_digest.as_deref())),
            F::ContainerType => s(ct.and_then(|c| c.kind.as_deref())),
            F::ContainerPrivileged => b(ct.and_then(|c| c.privileged)),
            F::ContainerHostPid => b(ct.and_then(|c| c.host_pid)),
            F::ContainerHostNetwork => b(ct.and_then(|c| c.host_network)),
            F::ContainerHostIpc => b(ct.and_then(|c| c.host_ipc)),
            F::ContainerStartTs => container_start(th, ct).map_or(V::Missing, V::AbsTime),
            F::ContainerDuration => container_start(th, ct)
                .map_or(V::Missing, |t| V::RelTime(event.ts.saturating_sub(t))),
            F::ContainerIp => s(ct.and_then(|c| c.ip.as_deref())),
            F::ContainerLabel(k) => s(ct.and_then(|c| label(&c.labels, k))),
            F::ContainerLabels => match ct {
                Some(c) if c.is_known() => {
                    write_labels(&c.labels, &mut scratch.buf);
                    scratch.text()
                }
                _ => V::Missing,
            },
            F::ContainerMounts => match ct {
                Some(c) if c.is_known() => {
                    for (n, m) in c.mounts.iter().enumerate() {
                        if n > 0 {
                            scratch.buf.push(',');
                        }
                        write_mount(m, &mut scratch.buf);
                    }
                    scratch.text()
                }
                _ => V::Missing,
            },
            F::ContainerMount(part, key) => {
                let Some(c) = ct else { return V::Missing };
                let found = match key {
                    MountKey::Index(n) => c.mounts.get(*n),
                    MountKey::Pattern(_, None) => None,
                    MountKey::Pattern(_, Some(re)) => c.mounts.iter().find(|m| {
                        re.is_match(if *part == MountPart::Source {
                            &m.dest
                        } else {
                            &m.source
                        })
                    }),
                };
                match (found, part) {
                    (None, _) => V::Missing,
                    (Some(m), MountPart::Whole) => {
                        write_mount(m, &mut scratch.buf);
                        scratch.text()
                    }
                    (Some(m), MountPart::Source) => V::Str(&m.source),
                    (Some(m), MountPart::Dest) => V::Str(&m.dest),
                    (Some(m), MountPart::Mode) => V::Str(&m.mode),
                    (Some(m), MountPart::Rdwr) => V::Str(if m.rdwr { "true" } else { "false" }),
                    (Some(m), MountPart::Propagation) => V::Str(&m.propagation),
                }
            }
            F::K8sPodName => s(k8s.and_then(|k| k.pod_name.as_deref())),
            F::K8sNsName => s(k8s.and_then(|k| k.ns_name.as_deref())),
            F::K8sPodUid => s(k8s.and_then(|k| k.pod_uid.as_deref())),
            F::K8sPodIp => s(k8s.and_then(|k| k.pod_ip.as_deref())),
            F::K8sPodLabel(key) => s(k8s.and_then(|k| label(&k.pod_labels, key))),
            F::K8sPodLabels => match k8s {
                Some(k) => {
                    write_labels(&k.pod_labels, &mut scratch.buf);
                    scratch.text()
                }
                _ => V::Missing,
            },
        }
    }
}

fn raw_value<'a>(raw: &'a Raw, text: &'a str, ty: FieldType) -> FieldValue<'a> {
    let signed = matches!(
        ty,
        FieldType::Int8
            | FieldType::Int16
            | FieldType::Int32
            | FieldType::Int64
            | FieldType::Errno
            | FieldType::Fd
            | FieldType::Pid
            | FieldType::Fd32
            | FieldType::Pid32
    );
    let number = match raw {
        Raw::Int(i) => Some(*i as i128),
        Raw::Uint(u) => Some(*u as i128),
        _ => None,
    };
    match (number, ty) {
        (_, FieldType::Bytebuf) => match raw {
            Raw::Bytes(b) => FieldValue::Bytes(b),
            _ => FieldValue::Bytes(text.as_bytes()),
        },
        (Some(n), _) if signed => i64::try_from(n).map_or(FieldValue::Missing, FieldValue::I64),
        (Some(n), _) if ty.is_numeric() => {
            u64::try_from(n).map_or(FieldValue::Missing, FieldValue::U64)
        }
        (None, _) if ty.is_numeric() => match text.parse::<i64>() {
            Ok(v) if signed => FieldValue::I64(v),
            Ok(v) => u64::try_from(v).map_or(FieldValue::Missing, FieldValue::U64),
            Err(_) => FieldValue::Missing,
        },
        (_, FieldType::Ipaddr | FieldType::Ipv4addr | FieldType::Ipv6addr) => {
            text.parse().map_or(FieldValue::Missing, FieldValue::Ip)
        }
        _ => FieldValue::Str(text),
    }
}

/// A numeric argument: its raw number, or its text read as octal (`0755`) or decimal.
fn arg_number(raw: &Raw, text: &str) -> Option<u64> {
    match raw {
        Raw::Uint(u) => Some(*u),
        Raw::Int(i) => u64::try_from(*i).ok(),
        _ => {
            let t = text.trim();
            if let Some(oct) = t.strip_prefix('0').filter(|o| !o.is_empty()) {
                u64::from_str_radix(oct, 8).ok()
            } else {
                t.parse().ok()
            }
        }
    }
}

fn join(items: &[Box<str>], out: &mut String) {
    for (n, a) in items.iter().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(a);
    }
}

/// `proc.cmdline`: the name, then each argument after a space.
fn write_cmdline(p: &Proc, out: &mut String) {
    out.push_str(p.name.as_deref().unwrap_or(""));
    for a in p.args.as_deref().unwrap_or(&[]) {
        out.push(' ');
        out.push_str(a);
    }
}

fn proc_text<'a>(p: &'a Proc, attr: PText, scratch: &'a mut Scratch) -> FieldValue<'a> {
    let field = match attr {
        PText::Name => p.name.as_deref(),
        PText::Exe => p.exe.as_deref(),
        PText::Exepath => p.exepath.as_deref(),
        PText::Cmdline => {
            if p.name.is_none() && p.args.is_none() {
                return FieldValue::Missing;
            }
            write_cmdline(p, &mut scratch.buf);
            return scratch.text();
        }
    };
    field.map_or(FieldValue::Missing, FieldValue::Str)
}

/// The session (or process group) leader, as libsinsp finds it: the process of the chain
/// whose pid is the id, else the oldest consecutive ancestor (from the parent up) that has the
/// same id. `Err(())` when the thread's id is unknown; `Ok(None)` when no leader is found
/// (libsinsp then gives an empty string).
fn leader_of(procs: &[Proc], leader: Leader) -> Result<Option<&Proc>, ()> {
    let id_of = |p: &Proc| match leader {
        Leader::Sid => p.sid,
        Leader::Vpgid => p.vpgid,
        Leader::Pgid => p.pgid,
    };
    let first = procs.first().ok_or(())?;
    let id = id_of(first).filter(|id| *id != -1).ok_or(())?;
    if let Some(p) = procs.iter().find(|p| p.pid == Some(id)) {
        return Ok(Some(p));
    }
    let mut found = None;
    for p in procs.iter().skip(1) {
        if id_of(p) == Some(id) {
            found = Some(p);
        } else {
            break;
        }
    }
    Ok(found)
}

fn socket(fd: Option<&Fd>) -> Option<&Fd> {
    fd.filter(|f| f.kind.is_some_and(FdKind::is_ip))
}

/// `fd.name`: the fd's name, or for open-family events without fd context, the path
/// argument (libsinsp does the same when the open failed).
fn fd_name(ev: &SyscallEvent) -> Option<&str> {
    match ev.fd.as_deref() {
        Some(f) => f.name.as_deref(),
        None if ev.open_flags.is_some() || &*ev.evt_type == "creat" => {
            ev.arg("name").or_else(|| ev.arg("path")).map(|a| &*a.text)
        }
        None => None,
    }
}

/// `container.start_ts`: the container plugin's is the thread's pid namespace init start
/// (also for host processes, and while the engine has not answered), else the
/// container's own `start_ts`.
fn container_start(th: Option<&Proc>, ct: Option<&Container>) -> Option<u64> {
    th.and_then(|p| p.pidns_init_start_ts)
        .or_else(|| ct.and_then(|c| c.start_ts))
}

/// `fd.directory`: a directory fd's name, or the directory part of a file fd's name.
fn fd_directory(ev: &SyscallEvent) -> Option<&str> {
    // A descriptor of unknown type is one libsinsp has no entry for: its name comes from
    // the event and is cut like a file's.
    let is_file = match ev.fd.as_deref() {
        Some(f) => match f.kind {
            Some(FdKind::File) | None => true,
            Some(FdKind::Directory) => false,
            _ => return None,
        },
        None => true,
    };
    let name = fd_name(ev)?;
    if !is_file {
        return Some(name);
    }
    match name.rfind('/') {
        Some(pos) if pos != 0 => {
            if pos + 1 < name.len() {
                name.get(..pos)
            } else {
                Some(name)
            }
        }
        _ => Some("/"),
    }
}

/// `fd.filename`: the part after the last `/`.
fn filename(name: &str) -> &str {
    match name.rfind('/') {
        Some(pos) if pos + 1 < name.len() => name.get(pos + 1..).unwrap_or(name),
        Some(_) => name,
        None => "/",
    }
}

fn label<'a>(labels: &'a [(Box<str>, Box<str>)], key: &str) -> Option<&'a str> {
    labels.iter().find(|(k, _)| &**k == key).map(|(_, v)| &**v)
}

/// `container.labels` and `k8s.pod.labels`: `key:value` pairs (a bare `key` for an
/// empty value) sorted by key and joined by `, `, leaving out the runtime's own
/// `annotation.*` and `io.kubernetes.*` labels, as the container plugin writes them.
fn write_labels(labels: &[(Box<str>, Box<str>)], out: &mut String) {
    let mut shown: Vec<&(Box<str>, Box<str>)> = labels
        .iter()
        .filter(|(k, _)| !k.starts_with("annotation.") && !k.starts_with("io.kubernetes."))
        .collect();
    shown.sort_by(|a, b| a.0.cmp(&b.0));
    for (n, (k, v)) in shown.into_iter().enumerate() {
        if n > 0 {
            out.push_str(", ");
        }
        out.push_str(k);
        if !v.is_empty() {
            let _ = write!(out, ":{v}");
        }
    }
}

/// The host, as the container plugin describes it: id, full id and name `host`, type
/// `host`, empty image, address and lists, and not privileged.
fn host() -> &'static super::Container {
    static HOST: std::sync::OnceLock<super::Container> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let host = || Some(Box::<str>::from("host"));
        let empty = || Some(Box::<str>::from(""));
        super::Container {
            id: host(),
            full_id: host(),
            name: host(),
            kind: host(),
            image: empty(),
            image_id: empty(),
            image_repository: empty(),
            image_tag: empty(),
            image_digest: empty(),
            ip: empty(),
            privileged: Some(false),
            host_pid: Some(false),
            host_network: Some(false),
            host_ipc: Some(false),
            ..super::Container::default()
        }
    })
}

fn write_mount(m: &super::Mount, out: &mut String) {
    let _ = write!(
        out,
        "{}:{}:{}:{}:{}",
        m.source, m.dest, m.mode, m.rdwr, m.propagation
    );
}

/// The Linux errno name of a negative return value (`-2` → `ENOENT`), as `evt.res` shows it.
pub fn errno_name(res: i64) -> Option<&'static str> {
    const NAMES: &[&str] = &[
        "",
        "EPERM",
        "ENOENT",
        "ESRCH",
        "EINTR",
        "EIO",
        "ENXIO",
        "E2BIG",
        "ENOEXEC",
        "EBADF",
        "ECHILD",
        "EAGAIN",
        "ENOMEM",
        "EACCES",
        "EFAULT",
        "ENOTBLK",
        "EBUSY",
        "EEXIST",
        "EXDEV",
        "ENODEV",
        "ENOTDIR",
        "EISDIR",
        "EINVAL",
        "ENFILE",
        "EMFILE",
        "ENOTTY",
        "ETXTBSY",
        "EFBIG",
        "ENOSPC",
        "ESPIPE",
        "EROFS",
        "EMLINK",
        "EPIPE",
        "EDOM",
        "ERANGE",
        "EDEADLK",
        "ENAMETOOLONG",
        "ENOLCK",
        "ENOSYS",
        "ENOTEMPTY",
        "ELOOP",
    ];
    let n = usize::try_from(res.checked_neg()?).ok()?;
    if let Some(name) = NAMES.get(n).filter(|s| !s.is_empty()) {
        return Some(name);
    }
    Some(match n {
        61 => "ENODATA",
        62 => "ETIME",
        75 => "EOVERFLOW",
        88 => "ENOTSOCK",
        90 => "EMSGSIZE",
        95 => "EOPNOTSUPP",
        97 => "EAFNOSUPPORT",
        98 => "EADDRINUSE",
        99 => "EADDRNOTAVAIL",
        100 => "ENETDOWN",
        101 => "ENETUNREACH",
        103 => "ECONNABORTED",
        104 => "ECONNRESET",
        106 => "EISCONN",
        107 => "ENOTCONN",
        110 => "ETIMEDOUT",
        111 => "ECONNREFUSED",
        113 => "EHOSTUNREACH",
        114 => "EALREADY",
        115 => "EINPROGRESS",
        _ => return None,
    })
}
