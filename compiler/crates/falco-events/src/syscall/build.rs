//! Building a syscall event in code, for producers that have the values at hand (the
//! node agent): the same event a replay line with these keys gives, without writing and
//! parsing JSON. Only the keys a live capture fills are offered.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use falco_schema::Schema;

use super::parse::open_flags_of;
use super::{Arg, Container, Fd, FdKind, K8sMeta, Mount, Proc, Raw, SyscallEvent};
use crate::event::{Event, EventBody};

/// A syscall event under construction; see `docs/event-format.md` for each value's meaning.
///
/// [`SyscallBuilder::reuse`] builds into the buffers of an event that is no longer needed,
/// so a producer that hands each event back after evaluating it allocates nothing per event
/// once its buffers have grown; [`ProcChain`] shares the process part between events.
#[derive(Debug)]
pub struct SyscallBuilder {
    ev: Box<SyscallEvent>,
    ts: u64,
    /// Arguments written: `ev.args[..args]`; the slots after them are the old event's,
    /// filled again by the next arguments or set aside by `build`.
    args: usize,
    /// Whether `chain` was called (else `build` leaves the event without processes).
    chain: bool,
    /// The thread id given by `tid`, kept when there is no chain.
    tid: Option<i64>,
}

/// The process part of an event: the thread, its ancestors and the thread's container,
/// built once and shared by every event that has the same context.
#[derive(Debug, Clone)]
pub struct ProcChain {
    procs: Arc<[Proc]>,
    container: Option<ContainerContext>,
}

impl ProcChain {
    /// A chain of `procs` (the thread first, then its ancestors, parent first, as in the
    /// replay format's `thread` and `ancestors`), in `container` if any; without one the
    /// event is on the host.
    pub fn new<'a>(
        procs: impl IntoIterator<Item = ProcInfo<'a>>,
        container: Option<&ContainerContext>,
    ) -> Self {
        let procs: Vec<Proc> = procs.into_iter().map(|p| proc_of(&p)).collect();
        Self {
            procs: procs.into(),
            container: container.cloned(),
        }
    }
}

/// A container's fields (the replay format's `container` and `k8s` objects), built
/// once per container and shared by the events of its processes.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerContext {
    container: Arc<Container>,
    k8s: Option<Arc<K8sMeta>>,
}

impl ContainerContext {
    /// A container known only by its id (from the cgroup), while its engine has not
    /// answered: `container.id` is the id; every other container and pod field is
    /// `<NA>`, as in Falco while a lookup is pending.
    pub fn pending(id: &str) -> Self {
        Self {
            container: Arc::new(Container {
                id: Some(id.into()),
                ..Container::default()
            }),
            k8s: None,
        }
    }

    /// A container with its engine's metadata.
    pub fn new(info: &ContainerInfo) -> Self {
        let own = |s: &str| Some(Box::<str>::from(s));
        let pairs = |labels: &[(String, String)]| -> Box<[(Box<str>, Box<str>)]> {
            labels
                .iter()
                .map(|(k, v)| (Box::from(k.as_str()), Box::from(v.as_str())))
                .collect()
        };
        let pod = info.pod();
        let k8s = K8sMeta {
            pod_name: pod.name.map(Box::from),
            pod_uid: pod.uid.map(Box::from),
            pod_ip: pod.ip.map(Box::from),
            ns_name: pod.namespace.map(Box::from),
            pod_labels: pairs(&info.pod_labels),
        };
        Self {
            container: Arc::new(Container {
                id: own(&info.id),
                full_id: own(&info.full_id),
                name: own(&info.name),
                image: own(&info.image),
                image_id: own(&info.image_id),
                image_repository: own(&info.image_repository),
                image_tag: own(&info.image_tag),
                image_digest: own(&info.image_digest),
                kind: own(&info.kind),
                privileged: Some(info.privileged),
                host_pid: Some(info.host_pid),
                host_network: Some(info.host_network),
                host_ipc: Some(info.host_ipc),
                start_ts: None,
                ip: own(&info.ip),
                labels: pairs(&info.labels),
                mounts: info
                    .mounts
                    .iter()
                    .map(|m| Mount {
                        source: m.source.as_str().into(),
                        dest: m.dest.as_str().into(),
                        mode: m.mode.as_str().into(),
                        rdwr: m.rdwr,
                        propagation: m.propagation.as_str().into(),
                    })
                    .collect(),
            }),
            k8s: Some(Arc::new(k8s)),
        }
    }
}

/// What a container engine says about a container (the container plugin's fields;
/// the replay format's `container` object).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ContainerInfo {
    /// `container.id`: the first 12 characters of the full id.
    pub id: String,
    /// `container.full_id`.
    pub full_id: String,
    /// `container.name`.
    pub name: String,
    /// `container.type` (`docker`, `podman`, `containerd`, `cri-o`, `cri`).
    pub kind: String,
    /// `container.image`.
    pub image: String,
    /// `container.image.id`.
    pub image_id: String,
    /// `container.image.repository`.
    pub image_repository: String,
    /// `container.image.tag`.
    pub image_tag: String,
    /// `container.image.digest`.
    pub image_digest: String,
    /// `container.privileged`.
    pub privileged: bool,
    /// `container.host_pid`.
    pub host_pid: bool,
    /// `container.host_network`.
    pub host_network: bool,
    /// `container.host_ipc`.
    pub host_ipc: bool,
    /// `container.ip`.
    pub ip: String,
    /// `container.label[...]`, `container.labels`, and the pod fields ([`ContainerInfo::pod`]).
    pub labels: Vec<(String, String)>,
    /// `container.mount*`.
    pub mounts: Vec<MountInfo>,
    /// `k8s.pod.label[...]`, `k8s.pod.labels`: the pod sandbox's labels (CRI).
    pub pod_labels: Vec<(String, String)>,
}

/// The pod a container is in, from its labels (the replay format's `k8s` object).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PodInfo<'a> {
    /// `k8s.pod.name`: label `io.kubernetes.pod.name`.
    pub name: Option<&'a str>,
    /// `k8s.ns.name`: label `io.kubernetes.pod.namespace`.
    pub namespace: Option<&'a str>,
    /// `k8s.pod.uid`: label `io.kubernetes.pod.uid`.
    pub uid: Option<&'a str>,
    /// `k8s.pod.ip`: the container's address, when it is in a pod.
    pub ip: Option<&'a str>,
}

impl ContainerInfo {
    /// The value of label `key`.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The pod fields, from the labels the kubelet sets, as the container plugin reads
    /// them.
    pub fn pod(&self) -> PodInfo<'_> {
        let name = self.label("io.kubernetes.pod.name");
        PodInfo {
            name,
            namespace: self.label("io.kubernetes.pod.namespace"),
            uid: self.label("io.kubernetes.pod.uid"),
            ip: name.map(|_| self.ip.as_str()),
        }
    }
}

/// One mount of a container.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MountInfo {
    /// Host path.
    pub source: String,
    /// Path in the container.
    pub dest: String,
    /// Mount mode as the engine reports it (`ro`, `z`, empty).
    pub mode: String,
    /// Read-write.
    pub rdwr: bool,
    /// Propagation (`rprivate`, `rslave`, ...).
    pub propagation: String,
}

/// The event's record of one process.
fn proc_of(p: &ProcInfo<'_>) -> Proc {
    let own = |s: &str| Some(Box::<str>::from(s));
    Proc {
        tid: Some(p.tid.unwrap_or(p.pid)),
        pid: Some(p.pid),
        vpid: p.vpid,
        ppid: p.ppid,
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
        vpgid: p.vpgid,
        pgid: p.pgid,
        env: p
            .env
            .map(|e| e.iter().map(|s| Box::<str>::from(s.as_str())).collect()),
        start_ts: p.start_ts,
        pidns_init_start_ts: p.pidns_init_start_ts,
        cap_inheritable: p.caps.and_then(|[c, _, _]| own(c)),
        cap_permitted: p.caps.and_then(|[_, c, _]| own(c)),
        cap_effective: p.caps.and_then(|[_, _, c]| own(c)),
        exe_writable: p.exe_file.map(|e| e.writable),
        exe_upper_layer: p.exe_file.map(|e| e.upper_layer),
        exe_lower_layer: p.exe_file.map(|e| e.lower_layer),
        exe_from_memfd: p.exe_file.map(|e| e.from_memfd),
        exe_ino: p.exe_file.map(|e| e.ino),
        exe_ino_ctime: p.exe_file.map(|e| e.ctime),
        exe_ino_mtime: p.exe_file.map(|e| e.mtime),
        ..Proc::default()
    }
}

/// The executable of a process: `exe_*` keys of the replay format.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExeInfo {
    /// `exe_ino`.
    pub ino: i64,
    /// `exe_ino_ctime` (ns since the epoch).
    pub ctime: u64,
    /// `exe_ino_mtime` (ns since the epoch).
    pub mtime: u64,
    /// `exe_writable`.
    pub writable: bool,
    /// `exe_upper_layer`.
    pub upper_layer: bool,
    /// `exe_lower_layer`.
    pub lower_layer: bool,
    /// `exe_from_memfd`.
    pub from_memfd: bool,
}

/// Appends `v` in decimal (what `to_string` writes, without the formatting machinery:
/// this runs for most arguments of every event).
pub(crate) fn push_int(out: &mut String, v: i64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut n = v.unsigned_abs();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push('-');
    }
    out.extend(digits[start..].iter().map(|&d| char::from(d)));
}

/// The chain of an event without thread context.
pub(crate) fn no_procs() -> Arc<[Proc]> {
    static EMPTY: OnceLock<Arc<[Proc]>> = OnceLock::new();
    EMPTY.get_or_init(|| Arc::from(Vec::new())).clone()
}

/// One process of the event's chain (`thread`, then `ancestors`), as in the replay format.
#[derive(Debug, Default, Clone)]
pub struct ProcInfo<'a> {
    /// `tid` (defaults to `pid`).
    pub tid: Option<i64>,
    /// `pid`.
    pub pid: i64,
    /// `ppid` (`None`: the parent is not known).
    pub ppid: Option<i64>,
    /// `vpid` (`None`: not known).
    pub vpid: Option<i64>,
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
    /// `vpgid`.
    pub vpgid: Option<i64>,
    /// `pgid`.
    pub pgid: Option<i64>,
    /// `env` (`K=V` entries).
    pub env: Option<&'a [String]>,
    /// `start_ts` (ns since the epoch).
    pub start_ts: Option<u64>,
    /// `pidns_init_start_ts`: when the init of the process's pid namespace started (ns
    /// since the epoch).
    pub pidns_init_start_ts: Option<u64>,
    /// `cap_inheritable`, `cap_permitted`, `cap_effective` (`"CAP_CHOWN CAP_KILL"`).
    pub caps: Option<[&'a str; 3]>,
    /// The `exe_*` keys.
    pub exe_file: Option<ExeInfo>,
}

/// The event's descriptor, as in the replay format's `fd` object.
#[derive(Debug, Default, Clone)]
pub struct FdInfo<'a> {
    /// `num`.
    pub num: i64,
    /// `type` (`file`, `ipv4`, ...); unknown names become `unknown`; empty leaves the type
    /// unknown (`<NA>`), for a descriptor libsinsp has no entry for, known only by its
    /// number (`fd.typechar` is then libsinsp's guess from the event type).
    pub kind: &'a str,
    /// `name`.
    pub name: Option<&'a str>,
    /// `nameraw`, the path as the process passed it; `None` when it is `name`.
    pub nameraw: Option<&'a str>,
    /// `cip`, `cport`.
    pub client: Option<(IpAddr, u16)>,
    /// `sip`, `sport`.
    pub server: Option<(IpAddr, u16)>,
    /// `l4proto`.
    pub l4proto: Option<&'a str>,
    /// `is_server`.
    pub is_server: Option<bool>,
    /// `connected`: the socket is connected, as libsinsp marks it.
    pub connected: Option<bool>,
    /// `name_changed`: the event changed the descriptor's name.
    pub name_changed: Option<bool>,
}

impl SyscallBuilder {
    /// An event of type `evt_type` at `ts` (nanoseconds since the epoch); `None` when the
    /// type is not one `evt.type` knows.
    pub fn new(evt_type: &str, ts: u64) -> Option<Self> {
        Self::reuse(None, evt_type, ts)
    }

    /// Like [`SyscallBuilder::new`], but fills the buffers of `old`, an event the caller
    /// is done with (a `k8s_audit` event or `None` gives nothing to reuse). The result is
    /// the same event a new builder makes.
    pub fn reuse(old: Option<Event>, evt_type: &str, ts: u64) -> Option<Self> {
        // The type of `old` was checked when it was built.
        let same_type = matches!(&old, Some(Event { body: EventBody::Syscall(e), .. }) if e.evt_type == evt_type);
        if !same_type && !Schema::get().is_event_type(evt_type) {
            return None;
        }
        let ev = match old.map(|e| e.body) {
            Some(EventBody::Syscall(mut ev)) => {
                // Every field named, so a new one cannot be left over from `old`.
                let SyscallEvent {
                    evt_type: ty,
                    enter,
                    cpu,
                    res,
                    // Refilled in place, or reset by `build`.
                    args: _,
                    procs: _,
                    tid: _,
                    container: _,
                    fd,
                    k8s: _,
                    open_flags,
                    spare,
                } = &mut *ev;
                ty.clear();
                ty.push_str(evt_type);
                *enter = false;
                *cpu = None;
                *res = None;
                if let Some(fd) = fd.take() {
                    spare.fd = Some(fd);
                }
                *open_flags = None;
                ev
            }
            _ => Box::new(SyscallEvent {
                evt_type: evt_type.into(),
                args: Vec::with_capacity(6),
                procs: no_procs(),
                ..SyscallEvent::default()
            }),
        };
        Some(Self {
            ev,
            ts,
            args: 0,
            chain: false,
            tid: None,
        })
    }

    /// The return value (`res`).
    pub fn res(&mut self, res: i64) -> &mut Self {
        self.ev.res = Some(res);
        self
    }

    /// Makes it an enter event (`evt.dir` = `>`); events are exit events otherwise.
    pub fn enter(&mut self, enter: bool) -> &mut Self {
        self.ev.enter = enter;
        self
    }

    /// The CPU the event happened on (`evt.cpu`).
    pub fn cpu(&mut self, cpu: i64) -> &mut Self {
        self.ev.cpu = Some(cpu);
        self
    }

    /// Appends an argument whose text `write` puts into an empty buffer.
    fn push_arg(
        &mut self,
        name: &'static str,
        raw: Raw,
        write: impl FnOnce(&mut String),
    ) -> &mut Self {
        let fill = |arg: &mut Arg| {
            arg.name = Cow::Borrowed(name);
            arg.raw = raw;
            arg.text.clear();
            write(&mut arg.text);
        };
        let ev = &mut *self.ev;
        match ev.args.get_mut(self.args) {
            Some(arg) => fill(arg),
            None => {
                let mut arg = ev.spare.args.pop().unwrap_or_else(|| Arg {
                    name: Cow::Borrowed(""),
                    text: String::new(),
                    raw: Raw::Text,
                });
                fill(&mut arg);
                ev.args.push(arg);
            }
        }
        self.args += 1;
        self
    }

    /// A numeric argument shown as its number.
    pub fn arg_int(&mut self, name: &'static str, v: i64) -> &mut Self {
        let raw = u64::try_from(v).map_or(Raw::Int(v), Raw::Uint);
        self.push_arg(name, raw, |t| push_int(t, v))
    }

    /// A numeric argument with its own text (`{"raw": N, "text": "..."}`).
    pub fn arg_raw_text(&mut self, name: &'static str, raw: i64, text: &str) -> &mut Self {
        let raw = u64::try_from(raw).map_or(Raw::Int(raw), Raw::Uint);
        self.push_arg(name, raw, |t| t.push_str(text))
    }

    /// A text argument (paths, names).
    pub fn arg_str(&mut self, name: &'static str, text: &str) -> &mut Self {
        self.push_arg(name, Raw::Text, |t| t.push_str(text))
    }

    /// A byte-buffer argument (`data`) and its text (`evt.buffer` reads the bytes).
    pub fn arg_bytes(&mut self, name: &'static str, bytes: &[u8], text: &str) -> &mut Self {
        self.push_arg(name, Raw::Bytes(bytes.into()), |t| t.push_str(text))
    }

    /// The process, its ancestors and its container; `tid` is the thread of the process
    /// the event is from (a chain can serve all the threads of its process).
    pub fn chain(&mut self, chain: &ProcChain, tid: i64) -> &mut Self {
        self.ev.procs = chain.procs.clone();
        self.ev.tid = Some(tid);
        self.ev.container = chain.container.as_ref().map(|c| c.container.clone());
        self.ev.k8s = chain.container.as_ref().and_then(|c| c.k8s.clone());
        self.chain = true;
        self
    }

    /// The id of the event's thread when it has no process chain (`thread.tid` then
    /// still has a value, as for a capture event of a thread nobody described).
    pub fn tid(&mut self, tid: i64) -> &mut Self {
        self.tid = Some(tid);
        self
    }

    /// The descriptor the event acts on.
    pub fn fd(&mut self, f: &FdInfo<'_>) -> &mut Self {
        let mut fd = self.ev.spare.fd.take().unwrap_or_default();
        let mut name = fd.name.take().unwrap_or_default();
        name.clear();
        *fd = Fd {
            num: Some(f.num),
            kind: (!f.kind.is_empty())
                .then(|| FdKind::from_name(f.kind).unwrap_or(FdKind::Unknown)),
            name: f.name.map(|n| {
                name.push_str(n);
                name
            }),
            nameraw: f.nameraw.map(Box::from),
            cip: f.client.map(|(a, _)| a),
            cport: f.client.map(|(_, p)| u64::from(p)),
            sip: f.server.map(|(a, _)| a),
            sport: f.server.map(|(_, p)| u64::from(p)),
            l4proto: f.l4proto.map(Box::from),
            is_server: f.is_server,
            connected: f.connected,
            name_changed: f.name_changed,
            ..Fd::default()
        };
        self.ev.fd = Some(fd);
        self
    }

    /// The event, numbered `num`, with `first_ts` as the origin of `evt.reltime`.
    pub fn build(mut self, num: u64, first_ts: u64, hostname: Option<Arc<str>>) -> Event {
        let ev = &mut *self.ev;
        if self.args < ev.args.len() {
            let old = ev.args.drain(self.args..);
            ev.spare.args.extend(old);
        }
        if !self.chain {
            if !ev.procs.is_empty() {
                ev.procs = no_procs();
            }
            ev.tid = self.tid;
            ev.container = None;
            ev.k8s = None;
        }
        ev.open_flags = open_flags_of(&ev.evt_type, &mut ev.args);
        Event {
            num,
            ts: self.ts,
            first_ts,
            hostname,
            body: EventBody::Syscall(self.ev),
        }
    }
}
