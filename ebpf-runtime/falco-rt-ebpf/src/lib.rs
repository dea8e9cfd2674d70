//! The falco-rt kernel capture program as an ELF object, ready for a loader.
//!
//! `build.rs` compiles `bpf/capture.bpf.c` with clang when it is installed and
//! otherwise uses the committed `bpf/capture.bpf.o`; [`OBJECT_SOURCE`] tells
//! which. Record layouts are in `bpf/record.h` (mirrored by `falco-rt-record`).

#[cfg(test)]
mod tests;

/// Bytes kept at 8-byte alignment: the ELF parser reads headers in place.
#[repr(C, align(8))]
struct Aligned<B: ?Sized> {
    bytes: B,
}

static OBJECT: &Aligned<[u8]> = &Aligned {
    bytes: *include_bytes!(concat!(env!("OUT_DIR"), "/capture.bpf.o")),
};

static COMMITTED: &Aligned<[u8]> = &Aligned {
    bytes: *include_bytes!("../bpf/capture.bpf.o"),
};

/// The capture program object this crate was built with (8-byte aligned).
pub fn object() -> &'static [u8] {
    &OBJECT.bytes
}

/// The object committed to the repository (what builds without clang use).
pub fn committed_object() -> &'static [u8] {
    &COMMITTED.bytes
}

/// `"committed"`, or `"clang:<tool>"` when build.rs compiled the C source.
pub const OBJECT_SOURCE: &str = env!("FALCO_RT_OBJECT_SOURCE");

/// The raw tracepoint programs for process lifecycle, always attached.
pub const LIFECYCLE_PROGRAMS: &[(&str, &str)] = &[
    ("rt_sched_exec", "sched_process_exec"),
    ("rt_sched_fork", "sched_process_fork"),
    ("rt_sched_exit", "sched_process_exit"),
];

/// The raw tracepoint programs on every syscall for enter/exit capture: arguments stashed at entry, record emitted at exit.
pub const ENTER_EXIT_PROGRAMS: &[(&str, &str)] =
    &[("rt_sys_enter", "sys_enter"), ("rt_sys_exit", "sys_exit")];

/// The single raw tracepoint program for exit-only capture: arguments read
/// from the saved user registers at exit.
pub const EXIT_ONLY_PROGRAMS: &[(&str, &str)] = &[("rt_sys_exit_only", "sys_exit")];

/// The tracepoint program for per-syscall capture: attached to
/// `syscalls/sys_exit_<name>` of each selected syscall, arguments read from the
/// saved user registers like [`EXIT_ONLY_PROGRAMS`].
pub const PER_SYSCALL_PROGRAM: &str = "rt_sys_exit_tp";

/// The raw tracepoint program for 32-bit (ia32) syscalls, attached in every layout when
/// the kernel runs ia32 code: per-syscall tracepoints never fire for them.
pub const COMPAT_PROGRAM: (&str, &str) = ("rt_sys_exit_compat", "sys_exit");

/// Every program and the section prefix it lives in (for checks).
pub const PROGRAMS: &[(&str, &str)] = &[
    ("rt_sys_enter", "raw_tracepoint/sys_enter"),
    ("rt_sys_exit", "raw_tracepoint/sys_exit"),
    ("rt_sched_exec", "raw_tracepoint/sched_process_exec"),
    ("rt_sched_fork", "raw_tracepoint/sched_process_fork"),
    ("rt_sched_exit", "raw_tracepoint/sched_process_exit"),
    ("rt_sys_exit_only", "raw_tracepoint/sys_exit"),
    ("rt_sys_exit_tp", "tracepoint/syscalls/sys_exit"),
    ("rt_sys_exit_compat", "raw_tracepoint/sys_exit"),
];

/// Map names in the object.
pub mod maps {
    /// Ring buffer of records (`BPF_MAP_TYPE_RINGBUF`).
    pub const EVENTS: &str = "events";
    /// Array indexed by syscall number: which hook emits it (see [`super::interest`]).
    pub const INTEREST: &str = "interest";
    /// Per-CPU `u64` counters, indexed by `falco_rt_record::Counter`.
    pub const COUNTERS: &str = "counters";
    /// Array indexed by ia32 syscall number: its x86_64 twin plus one (0: none).
    pub const COMPAT_NR: &str = "compat_nr";
    /// Hash of the tgids whose events are reported when `only_tree` is set.
    pub const TREE: &str = "tree";
}

/// Values of the `interest` map: which hook emits a syscall. Exactly one
/// hook emits each syscall, so moving one between hooks is a single map write.
pub mod interest {
    /// Not captured.
    pub const OFF: u32 = 0;
    /// Emitted by the global raw `sys_exit` hook (or `sys_enter` + `sys_exit`).
    pub const GLOBAL: u32 = 1;
    /// Emitted by the per-syscall `syscalls/sys_exit_<name>` tracepoint program.
    pub const TRACEPOINT: u32 = 2;
}

/// Read-only globals the loader sets before load.
pub mod globals {
    /// `u32`: the tgid whose events the program drops (the agent itself).
    pub const OWN_TGID: &str = "own_tgid";
    /// `u32`: when non-zero, only this process and its descendants are reported.
    pub const ONLY_TREE: &str = "only_tree";
    /// `u64`: bytes a CPU submits between forced reader wakeups; 0 = wake on every record.
    pub const WAKEUP_BYTES: &str = "wakeup_bytes";
}
