//! One record → one replay-format line.

use falco_events::{
    ContainerContext, ContainerInfo, Event, EventError, ExeInfo, FdInfo, ProcChain, ProcInfo,
    SyscallBuilder, SyscallReader,
};
use falco_rt_record::Event as Record;
use falco_rt_record::syscalls::{self, nr};
use falco_rt_state::{Container, Fd, FdKind, Process, Role, Runtime, State};
use rustc_hash::FxHashMap;
use std::sync::{Arc, OnceLock};

use falco_schema::Schema;

use crate::json::Obj;
use crate::unlisted::{Unlisted, unlisted};
use crate::{args, caps};

/// Ancestors written with each event (`proc.aname[1..=N]`, `proc.pname`).
pub const MAX_ANCESTORS: usize = 8;

/// The Falco event type a record stands for: the syscall's name (when Falco knows it
/// as an event type), `execve` for an exec, `clone` for a new process, `procexit`.
pub fn event_type(rec: &Record<'_>) -> Option<&'static str> {
    match rec {
        Record::Syscall(s) => syscall_event_type(s.nr),
        Record::Exec(_) => Some("execve"),
        Record::Fork(_) => Some("clone"),
        Record::Exit(_) => Some("procexit"),
    }
}

/// The Falco event type of syscall `nr`, if Falco knows the syscall as one.
pub(crate) fn syscall_event_type(nr: u32) -> Option<&'static str> {
    syscall_event_types().get(nr as usize).copied().flatten()
}

/// Event type by syscall number, looked up once.
fn syscall_event_types() -> &'static [Option<&'static str>] {
    static TYPES: OnceLock<Vec<Option<&'static str>>> = OnceLock::new();
    TYPES.get_or_init(|| {
        (0..falco_rt_record::MAX_SYSCALLS)
            .map(|nr| syscalls::name(nr).filter(|n| Schema::get().is_event_type(n)))
            .collect()
    })
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

/// Container metadata by full id, filled by another thread (the container engines'
/// lookups). The enricher asks for each container it meets and never waits.
pub trait ContainerMetadata: Send + Sync + std::fmt::Debug {
    /// What is known of container `full_id` (whose cgroup layout is `runtime`'s);
    /// `None` while nothing is (the first ask starts a lookup).
    fn lookup(&self, full_id: &str, runtime: Runtime) -> Option<Arc<KnownContainer>>;
    /// A number that changes whenever some container's metadata arrives.
    fn generation(&self) -> u64;
}

/// A container an engine described: its fields, and the event context built from them
/// once for all its processes.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownContainer {
    /// The fields (what `falco-rt capture` writes).
    pub info: ContainerInfo,
    /// The same, as events carry them.
    pub context: ContainerContext,
}

impl KnownContainer {
    /// A container described by `info`.
    pub fn new(info: ContainerInfo) -> Self {
        let context = ContainerContext::new(&info);
        Self { info, context }
    }
}

/// Keeps what one record needs from before the state changes (the descriptor a
/// `close` releases), and what events share: the process chains of the threads seen
/// since the process table last changed, and the last event's buffers.
#[derive(Debug)]
pub struct Enricher {
    /// The descriptor number a `close` releases, when [`Enricher::closed`] holds it.
    closing: Option<i32>,
    /// The released descriptor (a buffer reused from close to close).
    closed: Fd,
    pub(crate) chains: Chains,
    spare: Option<Event>,
    /// Where container metadata comes from; without it containers are known by id only.
    containers: Option<Arc<dyn ContainerMetadata>>,
}

impl Default for Enricher {
    fn default() -> Self {
        Self {
            closing: None,
            closed: Fd::file(String::new(), false, false),
            chains: Chains::default(),
            spare: None,
            containers: None,
        }
    }
}

/// Most process chains kept at once (about 7 KB each with all ancestors; processes
/// met without a change of the process table are rare past this, and the cache then
/// starts over).
const MAX_CHAINS: usize = 1024;

/// Process chains by pid, shared by the process's threads, all built at one generation
/// of the process table.
#[derive(Debug, Default)]
pub(crate) struct Chains {
    /// The process table's generation and the container metadata's.
    generation: (u64, u64),
    pub(crate) by_process: FxHashMap<u32, ProcChain>,
}

impl Chains {
    /// The chain of `p`: built from the table the first time, then shared until the
    /// table changes (exec, fork, exit, cwd, a process loaded...) or container
    /// metadata arrives.
    fn get(
        &mut self,
        state: &State,
        p: &Process,
        boot_to_epoch: u64,
        containers: Option<&dyn ContainerMetadata>,
    ) -> &ProcChain {
        let generation = (
            state.procs.generation(),
            containers.map_or(0, |c| c.generation()),
        );
        if generation != self.generation
            || (self.by_process.len() >= MAX_CHAINS && !self.by_process.contains_key(&p.pid))
        {
            self.by_process.clear();
            self.generation = generation;
        }
        self.by_process
            .entry(p.pid)
            .or_insert_with(|| chain_of(state, p, boot_to_epoch, containers))
    }
}

/// What events of container `c` carry: the engine's metadata when it has answered, the
/// id alone while it has not (`None` on the host).
fn container_of<'c>(
    c: &'c Container,
    containers: Option<&dyn ContainerMetadata>,
) -> Option<Result<Arc<KnownContainer>, &'c str>> {
    match c {
        Container::Host => None,
        Container::Id { full, runtime } => Some(
            containers
                .and_then(|m| m.lookup(full, *runtime))
                .ok_or(c.id()),
        ),
    }
}

/// `p`, its ancestors (at most [`MAX_ANCESTORS`]) and its container.
fn chain_of(
    state: &State,
    p: &Process,
    boot_to_epoch: u64,
    containers: Option<&dyn ContainerMetadata>,
) -> ProcChain {
    let caps = p.caps.map(|c| c.map(caps::text));
    let mut thread = proc_info(p, state, Detail::Thread);
    thread_facts(&mut thread, p, caps.as_ref(), boot_to_epoch);
    let ancestors = state.procs.ancestors(p.pid);
    let ancestors = ancestors
        .iter()
        .take(MAX_ANCESTORS)
        .enumerate()
        .map(|(i, q)| {
            let detail = if i == 0 {
                Detail::Parent
            } else {
                Detail::Ancestor
            };
            proc_info(q, state, detail)
        });
    let context = container_of(&p.container, containers).map(|c| match c {
        Ok(known) => known.context.clone(),
        Err(id) => ContainerContext::pending(id),
    });
    ProcChain::new(std::iter::once(thread).chain(ancestors), context.as_ref())
}

impl Enricher {
    /// A new enricher.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes container metadata from `containers`.
    pub fn with_containers(mut self, containers: Arc<dyn ContainerMetadata>) -> Self {
        self.containers = Some(containers);
        self
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
        let ty = self.apply(state, rec, wanted)?;
        out.clear();
        self.write(state, rec, ty, ts_ns, out);
        Some(ty)
    }

    /// Like [`Enricher::record`], but builds the event the VM evaluates directly (the
    /// same event [`to_event`] gives for the line), numbered `num`. The event is built in
    /// the buffers of the one last handed to [`Enricher::recycle`], if any.
    pub fn event(
        &mut self,
        state: &mut State,
        rec: &Record<'_>,
        ts_ns: u64,
        wanted: impl Fn(&str) -> bool,
        num: u64,
        first_ts: u64,
    ) -> Option<Event> {
        let ty = self.apply(state, rec, wanted)?;
        let mut b = SyscallBuilder::reuse(self.spare.take(), ty, ts_ns)?;
        let header = *rec.header();
        b.res(result_of(rec));
        args::write_record(&mut b, rec, state);
        if let Some(p) = state.procs.get(header.tgid) {
            let boot_to_epoch = ts_ns.wrapping_sub(header.ts_boot_ns);
            b.chain(
                self.chains
                    .get(state, p, boot_to_epoch, self.containers.as_deref()),
                header.tid.into(),
            );
            if let Some((num, f)) = self.fd_of(rec, p) {
                let name = f.name();
                let (client, server, l4proto, is_server) = match &f.kind {
                    FdKind::Inet { role, .. } => (
                        f.client(),
                        f.server(),
                        f.l4proto(),
                        (*role != Role::Unknown).then_some(*role == Role::Server),
                    ),
                    _ => (None, None, None, None),
                };
                b.fd(&FdInfo {
                    num: num.into(),
                    kind: f.type_name(),
                    name: Some(&name),
                    nameraw: nameraw_of(f, &name),
                    client,
                    server,
                    l4proto,
                    is_server,
                    connected: Some(f.connected),
                    name_changed: Some(state.fd_name_changed()),
                });
            } else if let Some(u) = unlisted_of(rec, p) {
                b.fd(&FdInfo {
                    num: u.num.into(),
                    name: Some(&u.name),
                    nameraw: u.nameraw.as_deref(),
                    ..FdInfo::default()
                });
            }
        }
        Some(b.build(num, first_ts, None))
    }

    /// Hands back an event from [`Enricher::event`] that the caller is done with: the
    /// next event is built in its buffers instead of new ones.
    pub fn recycle(&mut self, ev: Event) {
        self.spare = Some(ev);
    }

    /// Applies `rec` to `state`, first keeping what a `close` releases; the event type
    /// when an event is wanted.
    fn apply(
        &mut self,
        state: &mut State,
        rec: &Record<'_>,
        wanted: impl Fn(&str) -> bool,
    ) -> Option<&'static str> {
        let ty = event_type(rec).filter(|t| wanted(t));
        self.closing = None;
        if ty.is_some()
            && let Record::Syscall(s) = rec
            && s.nr == nr::CLOSE
        {
            let fd = s.args[0] as i32;
            if let Some(f) = state.procs.get(s.header.tgid).and_then(|p| p.fds.get(fd)) {
                // Copied into the kept buffer: no allocation once it is large enough.
                self.closed.kind = f.kind.clone();
                self.closed.path.clone_from(&f.path);
                self.closed.cloexec = f.cloexec;
                self.closing = Some(fd);
            }
        }
        state.apply(rec);
        ty
    }

    /// The descriptor the event acts on, with its state.
    fn fd_of<'a>(&'a self, rec: &Record<'_>, p: &'a Process) -> Option<(i32, &'a Fd)> {
        match rec {
            Record::Syscall(s) if s.nr == nr::CLOSE => self.closing.map(|n| (n, &self.closed)),
            Record::Syscall(s) => args::fd_of(s).and_then(|n| p.fds.get(n).map(|f| (n, f))),
            _ => None,
        }
    }

    fn write(&self, state: &State, rec: &Record<'_>, ty: &str, ts_ns: u64, out: &mut String) {
        let header = *rec.header();
        let mut o = Obj::open(out);
        o.int("ts", ts_ns);
        o.str("type", ty);
        o.int("res", result_of(rec));
        {
            let mut a = o.obj("args");
            args::write_record(&mut a, rec, state);
            a.close();
        }
        if let Some(p) = state.procs.get(header.tgid) {
            {
                let mut t = o.obj("thread");
                let caps = p.caps.map(|c| c.map(caps::text));
                let mut info = proc_info(p, state, Detail::Thread);
                thread_facts(
                    &mut info,
                    p,
                    caps.as_ref(),
                    ts_ns.wrapping_sub(header.ts_boot_ns),
                );
                info.tid = Some(header.tid.into());
                write_proc(&mut t, &info);
                t.close();
            }
            let ancestors = state.procs.ancestors(p.pid);
            let ancestors = &ancestors[..ancestors.len().min(MAX_ANCESTORS)];
            if !ancestors.is_empty() {
                let mut level = 0;
                o.array("ancestors", ancestors, |a, q| {
                    level += 1;
                    let detail = if level == 1 {
                        Detail::Parent
                    } else {
                        Detail::Ancestor
                    };
                    write_proc(a, &proc_info(q, state, detail));
                });
            }
            if let Some((num, f)) = self.fd_of(rec, p) {
                let mut fo = o.obj("fd");
                write_fd(&mut fo, num, f);
                fo.bool("name_changed", state.fd_name_changed());
                fo.close();
            } else if let Some(u) = unlisted_of(rec, p) {
                let mut fo = o.obj("fd");
                fo.int("num", u.num);
                fo.str("name", &u.name);
                if let Some(raw) = &u.nameraw {
                    fo.str("nameraw", raw);
                }
                fo.close();
            }
            match container_of(&p.container, self.containers.as_deref()) {
                Some(Ok(known)) => write_container(&mut o, &known.info),
                Some(Err(id)) => {
                    let mut c = o.obj("container");
                    c.str("id", id);
                    c.close();
                }
                None => {}
            }
        }
        o.close();
    }
}

/// The descriptor libsinsp reports for a syscall whose descriptor `p`'s table lacks.
fn unlisted_of(rec: &Record<'_>, p: &Process) -> Option<Unlisted> {
    match rec {
        Record::Syscall(s) => unlisted(s, p),
        _ => None,
    }
}

fn result_of(rec: &Record<'_>) -> i64 {
    match rec {
        Record::Syscall(s) => s.ret,
        Record::Fork(f) => i64::from(f.child_tgid),
        Record::Exec(_) | Record::Exit(_) => 0,
    }
}

/// How much of a process an event carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// The thread itself: everything.
    Thread,
    /// Its parent: identity, names and arguments (`proc.pcmdline`).
    Parent,
    /// Older ancestors: identity, name and executable path, what `proc.aname` and
    /// `proc.aexepath` read. (Allocating every field of every ancestor made ancestry
    /// the bulk of each event's cost.)
    Ancestor,
}

fn proc_info<'a>(p: &'a Process, state: &'a State, detail: Detail) -> ProcInfo<'a> {
    let thread = detail == Detail::Thread;
    let user = state.users.user(p.uid);
    ProcInfo {
        tid: None,
        pid: p.pid.into(),
        ppid: Some(p.ppid.into()),
        vpid: Some(p.vpid.into()),
        sid: p.sid.into(),
        tty: thread.then_some(p.tty.into()),
        uid: (detail != Detail::Ancestor)
            .then(|| (p.uid.into(), user.map_or("", |u| u.name.as_str()))),
        gid: thread.then(|| {
            (
                u64::from(p.gid),
                state.users.group(p.gid).map_or("", |g| g.name.as_str()),
            )
        }),
        loginuid: if p.loginuid == u32::MAX {
            -1
        } else {
            p.loginuid.into()
        },
        loginname: (thread && p.loginuid != u32::MAX)
            .then(|| state.users.user(p.loginuid).map(|u| u.name.as_str()))
            .flatten(),
        name: &p.name,
        exe: if detail == Detail::Ancestor {
            ""
        } else {
            &p.exe
        },
        exepath: (!p.exepath.is_empty()).then_some(p.exepath.as_str()),
        args: (detail != Detail::Ancestor).then_some(p.args.as_slice()),
        cwd: (thread && !p.cwd.is_empty()).then_some(p.cwd.as_str()),
        home_shell: user
            .filter(|_| thread)
            .map(|u| (u.home.as_str(), u.shell.as_str())),
        ..ProcInfo::default()
    }
}

/// The facts only the event's own thread carries: process group, capabilities,
/// environment, start time and executable (`caps` are `p.caps` as text).
fn thread_facts<'a>(
    info: &mut ProcInfo<'a>,
    p: &'a Process,
    caps: Option<&'a [String; 3]>,
    boot_to_epoch: u64,
) {
    info.vpgid = Some(p.vpgid.into());
    info.pgid = Some(p.pgid.into());
    info.env = p.env.as_deref();
    info.start_ts = p.start_boot_ns.map(|b| b.wrapping_add(boot_to_epoch));
    info.pidns_init_start_ts = p
        .pidns_init_start_boot_ns
        .map(|b| b.wrapping_add(boot_to_epoch));
    info.caps = caps.map(|[i, p, e]| [i.as_str(), p.as_str(), e.as_str()]);
    info.exe_file = p.exe_file.map(|e| ExeInfo {
        ino: e.ino as i64,
        ctime: e.ctime_ns,
        mtime: e.mtime_ns,
        writable: e.flags & falco_rt_record::EXE_WRITABLE != 0,
        upper_layer: e.flags & falco_rt_record::EXE_UPPER_LAYER != 0,
        lower_layer: e.flags & falco_rt_record::EXE_LOWER_LAYER != 0,
        from_memfd: e.flags & falco_rt_record::EXE_FROM_MEMFD != 0,
    });
}

fn write_proc(o: &mut Obj<'_>, p: &ProcInfo<'_>) {
    if let Some(tid) = p.tid {
        o.int("tid", tid);
    }
    o.int("pid", p.pid);
    if let Some(ppid) = p.ppid {
        o.int("ppid", ppid);
    }
    if let Some(vpid) = p.vpid {
        o.int("vpid", vpid);
    }
    o.int("sid", p.sid);
    if let Some((uid, name)) = p.uid {
        o.int("uid", uid);
        if !name.is_empty() {
            o.str("user", name);
        }
    }
    o.int("loginuid", p.loginuid);
    o.str("name", p.name);
    if !p.exe.is_empty() {
        o.str("exe", p.exe);
    }
    if let Some(e) = p.exepath {
        o.str("exepath", e);
    }
    if let Some(args) = p.args {
        o.strs("args", args.iter().map(String::as_str));
    }
    if let Some(tty) = p.tty {
        o.int("tty", tty);
    }
    if let Some((gid, name)) = p.gid {
        o.int("gid", gid);
        if !name.is_empty() {
            o.str("group", name);
        }
    }
    if let Some(l) = p.loginname {
        o.str("loginname", l);
    }
    if let Some((home, shell)) = p.home_shell {
        o.str("homedir", home);
        o.str("shell", shell);
    }
    if let Some(cwd) = p.cwd {
        o.str("cwd", cwd);
    }
    if let Some(v) = p.vpgid {
        o.int("vpgid", v);
    }
    if let Some(v) = p.pgid {
        o.int("pgid", v);
    }
    if let Some(env) = p.env {
        o.strs("env", env.iter().map(String::as_str));
    }
    if let Some(ts) = p.start_ts {
        o.int("start_ts", ts);
    }
    if let Some(ts) = p.pidns_init_start_ts {
        o.int("pidns_init_start_ts", ts);
    }
    if let Some([i, pe, e]) = p.caps {
        o.str("cap_inheritable", i);
        o.str("cap_permitted", pe);
        o.str("cap_effective", e);
    }
    if let Some(e) = p.exe_file {
        o.bool("exe_writable", e.writable);
        o.bool("exe_upper_layer", e.upper_layer);
        o.bool("exe_lower_layer", e.lower_layer);
        o.bool("exe_from_memfd", e.from_memfd);
        o.int("exe_ino", e.ino);
        o.int("exe_ino_ctime", e.ctime);
        o.int("exe_ino_mtime", e.mtime);
    }
}

fn write_fd(o: &mut Obj<'_>, num: i32, f: &Fd) {
    o.int("num", num);
    o.str("type", f.type_name());
    // An unnamed descriptor's name is empty, not `<NA>`, as in libsinsp.
    let name = f.name();
    o.str("name", &name);
    o.bool("connected", f.connected);
    if let Some(raw) = nameraw_of(f, &name) {
        o.str("nameraw", raw);
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

/// `fd.nameraw` of `f` whose `fd.name` is `name`, unless it is that name (which the
/// event then stands for): the path as the process passed it, or empty for a
/// descriptor not opened by path (as in libsinsp).
fn nameraw_of<'f>(f: &'f Fd, name: &str) -> Option<&'f str> {
    let raw = f.nameraw();
    (raw != name || name.is_empty()).then_some(raw)
}

/// The `container` and `k8s` objects of a container an engine described.
fn write_container(o: &mut Obj<'_>, info: &ContainerInfo) {
    {
        let mut c = o.obj("container");
        for (key, value) in [
            ("id", &info.id),
            ("full_id", &info.full_id),
            ("name", &info.name),
            ("type", &info.kind),
            ("image", &info.image),
            ("image_id", &info.image_id),
            ("image_repository", &info.image_repository),
            ("image_tag", &info.image_tag),
            ("image_digest", &info.image_digest),
            ("ip", &info.ip),
        ] {
            c.str(key, value);
        }
        c.bool("privileged", info.privileged);
        c.bool("host_pid", info.host_pid);
        c.bool("host_network", info.host_network);
        c.bool("host_ipc", info.host_ipc);
        write_pairs(&mut c, "labels", &info.labels);
        c.array("mounts", &info.mounts, |a, m| {
            a.str("source", &m.source);
            a.str("dest", &m.dest);
            a.str("mode", &m.mode);
            a.bool("rdwr", m.rdwr);
            a.str("propagation", &m.propagation);
        });
        c.close();
    }
    let pod = info.pod();
    let mut k = o.obj("k8s");
    for (key, value) in [
        ("pod_name", pod.name),
        ("pod_uid", pod.uid),
        ("pod_ip", pod.ip),
        ("ns_name", pod.namespace),
    ] {
        if let Some(v) = value {
            k.str(key, v);
        }
    }
    write_pairs(&mut k, "pod_labels", &info.pod_labels);
    k.close();
}

fn write_pairs(o: &mut Obj<'_>, key: &str, pairs: &[(String, String)]) {
    let mut p = o.obj(key);
    for (k, v) in pairs {
        p.str(k, v);
    }
    p.close();
}
