//! The fields the node agent `falco-rt` supplies on syscall events. Every other field
//! of the `syscall` source is `<NA>` there (container metadata beyond the id,
//! Kubernetes pod data, capabilities, environment, resource usage, ...).
//!
//! The table sits here, below both of its readers: the agent's event builder
//! (`falco-rt-enrich`, whose tests check it fills each field) and `falco-rulec
//! inspect --runtime`, which reports the rules of a bundle that read a field
//! [`supplies`] says no to.

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
    // The container, from the cgroup path.
    "container.id",
    "container.full_id",
    "container.type",
];

/// Whether falco-rt supplies `field` (a name without its bracket argument, e.g.
/// `proc.aname` for `proc.aname[2]`; `evt.arg.flags` is `evt.arg`'s dotted form).
pub fn supplies(field: &str) -> bool {
    let base = field.split('[').next().unwrap_or(field);
    SUPPLIED.contains(&base) || base.starts_with("evt.arg.") || base.starts_with("evt.rawarg.")
}
