//! The fields the node agent `falco-rt` supplies on syscall events. Every other field
//! of the `syscall` source is `<NA>` there (resource usage, ...). Container and pod
//! fields other than `container.id` come from the container engines
//! (`falco-rt-container`): `<NA>` while a container's lookup is pending or no engine
//! knows it, as in Falco.
//!
//! The tables sit here, below both of their readers: the agent's event builder
//! (`falco-rt-enrich`) and `falco-rulec inspect --runtime` (and the agent's start-up
//! report), which name the rules of a bundle that read a field [`supplies_for`] says no
//! to. Event arguments (`evt.arg.NAME`) are answered per event type from the table the
//! agent fills them from (`data/agent_arg_sources.tsv`: which captured value fills each
//! of libs' parameters, see [`arg_sources`]). `falco-rt-enrich`'s tests replay records
//! through the enricher and check both ways: every listed field has a value on some
//! event, and every field with a value is listed.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::params::{self, Param};

/// Fields with values on falco-rt's syscall events (names without a bracket argument).
pub const SUPPLIED: &[&str] = &[
    // Generic event fields.
    "evt.num",
    "evt.time",
    "evt.time.s",
    "evt.time.iso8601",
    "evt.datetime",
    "evt.datetime.s",
    "evt.rawtime",
    "evt.rawtime.s",
    "evt.rawtime.ns",
    "evt.reltime",
    "evt.reltime.s",
    "evt.reltime.ns",
    "evt.source",
    "evt.hostname",
    "evt.type",
    "evt.dir",
    "evt.res",
    "evt.rawres",
    "evt.failed",
    "evt.arg",
    "evt.rawarg",
    "evt.args",
    "evt.is_open_read",
    "evt.is_open_write",
    "evt.is_open_exec",
    "evt.is_open_create",
    "evt.is_async",
    "evt.category",
    "evt.info",
    "syscall.type",
    // The process table.
    "proc.name",
    "proc.exe",
    "proc.exepath",
    "proc.cmdline",
    "proc.exeline",
    "proc.args",
    "proc.pid",
    "proc.ppid",
    "proc.sid",
    "proc.sname",
    "proc.sid.exe",
    "proc.sid.exepath",
    "proc.is_sid_leader",
    "proc.cmdnargs",
    "proc.cmdlenargs",
    "proc.pgid",
    "proc.pgid.name",
    "proc.pgid.exe",
    "proc.pgid.exepath",
    "proc.is_pgid_leader",
    "proc.vpgid",
    "proc.vpgid.name",
    "proc.vpgid.exe",
    "proc.vpgid.exepath",
    "proc.is_vpgid_leader",
    "proc.env",
    "proc.exe_ino",
    "proc.exe_ino.ctime",
    "proc.exe_ino.mtime",
    "proc.exe_ino.ctime_duration_proc_start",
    "proc.exe_ino.ctime_duration_pidns_start",
    "proc.pidns_init_start_ts",
    "proc.duration",
    "proc.pid.ts",
    "proc.is_exe_writable",
    "proc.is_exe_from_memfd",
    "proc.is_exe_upper_layer",
    "proc.is_exe_lower_layer",
    "proc.vpid",
    "proc.pvpid",
    "proc.tty",
    "proc.cwd",
    "proc.pname",
    "proc.pexe",
    "proc.pexepath",
    "proc.pcmdline",
    "proc.aname",
    "proc.aexe",
    "proc.aexepath",
    "proc.acmdline",
    "proc.apid",
    "thread.tid",
    "thread.ismain",
    "thread.cap_inheritable",
    "thread.cap_permitted",
    "thread.cap_effective",
    // Users and groups.
    "user.name",
    "user.uid",
    "user.homedir",
    "user.shell",
    "user.loginuid",
    "user.loginname",
    "group.gid",
    "group.name",
    // The descriptor the call acts on.
    "fd.num",
    "fd.name",
    // The path as the process passed it to open (a `../` traversal stays visible).
    "fd.nameraw",
    "fd.type",
    "fd.typechar",
    "fd.directory",
    "fd.filename",
    "fd.cip",
    "fd.sip",
    "fd.lip",
    "fd.rip",
    "fd.cport",
    "fd.sport",
    "fd.lport",
    "fd.rport",
    "fd.l4proto",
    "fd.is_server",
    // Set as libsinsp's parsers set them (connect, accept, reads and writes of sockets).
    "fd.connected",
    "fd.name_changed",
    "fd.ip",
    "fd.port",
    "fd.net",
    "fd.cnet",
    "fd.snet",
    "fd.lnet",
    "fd.rnet",
    "fd.sockfamily",
    "fd.containername",
    "fd.containerdirectory",
    // The container: its id from the cgroup path, the rest from its engine.
    "container.id",
    "container.full_id",
    "container.type",
    "container.name",
    "container.image",
    "container.image.id",
    "container.image.repository",
    "container.image.tag",
    "container.image.digest",
    "container.privileged",
    "container.host_pid",
    "container.host_network",
    "container.host_ipc",
    "container.ip",
    // From the kernel: when the init of the thread's pid namespace started.
    "container.start_ts",
    "container.duration",
    "container.label",
    "container.labels",
    "container.mounts",
    "container.mount",
    "container.mount.source",
    "container.mount.dest",
    "container.mount.mode",
    "container.mount.rdwr",
    "container.mount.propagation",
    // The pod, from the labels the kubelet gives its containers.
    "k8s.pod.name",
    "k8s.ns.name",
    "k8s.pod.uid",
    "k8s.pod.id",
    "k8s.pod.ip",
    "k8s.pod.label",
    "k8s.pod.labels",
];

/// Whether falco-rt supplies `field` (a name with or without its bracket argument, e.g.
/// `proc.aname[2]`; `evt.arg.flags` is `evt.arg`'s dotted form) on events of the types
/// `event_types` (empty: any type). An event argument is supplied when every one of
/// those types that has the parameter in libs' event table gets it from falco-rt.
pub fn supplies_for(field: &str, event_types: &[&str]) -> bool {
    let (base, arg) = match field.split_once('[') {
        Some((base, rest)) => (base, Some(rest.trim_end_matches(']'))),
        None => (field, None),
    };
    let param = match (base, arg) {
        ("evt.arg" | "evt.rawarg", Some(a)) => Some(a),
        _ => base
            .strip_prefix("evt.arg.")
            .or_else(|| base.strip_prefix("evt.rawarg.")),
    };
    let Some(param) = param else {
        return SUPPLIED.contains(&base);
    };
    event_types.iter().all(|ty| {
        let libs = params::params(ty);
        let named = match param.parse::<usize>() {
            Ok(i) => libs.get(i).map(|p| p.name),
            Err(_) => libs.iter().find(|p| p.name == param).map(|p| p.name),
        };
        named.is_none_or(|name| served_args(ty).any(|n| n == name))
    })
}

/// Why falco-rt leaves `field` (a name as [`supplies_for`] takes it) `<NA>` where Falco
/// has a value: the reasons docs/runtime.md gives for the upstream rules it lists.
pub fn why_unsupplied(field: &str) -> &'static str {
    let base = field.split_once('[').map_or(field, |(b, _)| b);
    match base {
        "fd.cip.name" | "fd.sip.name" | "fd.lip.name" | "fd.rip.name" => {
            "libsinsp's DNS manager resolves the names a condition compares these with, and \
             names the addresses it has resolved in outputs; falco-rt does no DNS lookups"
        }
        b if b.starts_with("evt.arg") || b.starts_with("evt.rawarg") => {
            "the argument is not captured for every event type the rule has"
        }
        _ => "falco-rt does not compute it",
    }
}

/// Whether falco-rt supplies `field` on some event (see [`supplies_for`]).
pub fn supplies(field: &str) -> bool {
    supplies_for(field, &[])
}

/// The fields of `fields` that falco-rt leaves `<NA>` on events of `event_types`.
pub fn unsupplied<'a>(
    fields: impl IntoIterator<Item = &'a str>,
    event_types: &[&str],
) -> Vec<&'a str> {
    fields
        .into_iter()
        .filter(|f| !supplies_for(f, event_types))
        .collect()
}

/// The parameters falco-rt writes on events of type `event`.
pub fn served_args(event: &str) -> impl Iterator<Item = &'static str> {
    let lifecycle = LIFECYCLE_ARGS
        .iter()
        .find(|(ty, _)| *ty == event)
        .map_or(&[][..], |(_, names)| *names);
    let from_records = arg_sources().get(event).map_or(&[][..], Vec::as_slice);
    lifecycle
        .iter()
        .copied()
        .chain(from_records.iter().map(|s| s.param.name))
}

/// The parameters the agent writes from the process lifecycle records (exec, fork,
/// exit) rather than from syscall records.
pub const LIFECYCLE_ARGS: &[(&str, &[&str])] = &[
    ("execve", &["res", "exe", "args", "filename", "flags"]),
    ("clone", &["res"]),
    ("procexit", &["status"]),
];

/// One parameter the agent fills from a syscall record, and from what (the source
/// column of `data/agent_arg_sources.tsv`: `ret`, `a0`..`a5`, `path0`, `path1`, `tuple`,
/// `mode:aN:aM`; the agent interprets it).
#[derive(Debug, Clone, Copy)]
pub struct ArgSource {
    /// libs' parameter.
    pub param: &'static Param,
    /// Where its value is.
    pub source: &'static str,
}

/// The table as shipped.
const ARG_SOURCES: &str = include_str!("../data/agent_arg_sources.tsv");

/// The parameters the agent fills from syscall records, by event type, in libs'
/// parameter order (the shipped table; the crate's tests check it parses).
pub fn arg_sources() -> &'static BTreeMap<String, Vec<ArgSource>> {
    static TABLE: OnceLock<BTreeMap<String, Vec<ArgSource>>> = OnceLock::new();
    TABLE.get_or_init(|| parse_arg_sources(ARG_SOURCES).unwrap_or_default())
}

/// Parses an argument source table; a line that does not have three columns or names
/// a parameter libs does not have is an error.
pub fn parse_arg_sources(text: &'static str) -> Result<BTreeMap<String, Vec<ArgSource>>, String> {
    let mut by_event: BTreeMap<String, Vec<ArgSource>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&'static str> = line.split('\t').collect();
        let [event, name, source] = cols[..] else {
            return Err(format!(
                "agent_arg_sources.tsv:{}: expected 3 columns",
                i + 1
            ));
        };
        let libs = params::params(event);
        let Some(param) = libs.iter().find(|p| p.name == name) else {
            return Err(format!(
                "agent_arg_sources.tsv:{}: libs' `{event}` has no parameter `{name}`",
                i + 1
            ));
        };
        let served = by_event.entry(event.to_owned()).or_default();
        served.push(ArgSource { param, source });
        served.sort_by_key(|s| libs.iter().position(|p| std::ptr::eq(p, s.param)));
    }
    Ok(by_event)
}
