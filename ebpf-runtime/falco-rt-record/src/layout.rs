//! `#[repr(C)]` mirrors of the fixed parts of the records in `record.h`.
//!
//! These document the wire layout and pin it down in tests; the decoder reads
//! fields by the offsets derived from them, without any unsafe cast.

/// `struct rt_header`: the first bytes of every record.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RtHeader {
    /// `bpf_ktime_get_boot_ns()` when the record was emitted.
    pub ts_boot_ns: u64,
    /// [`crate::Kind`] as a number.
    pub kind: u16,
    /// [`crate::RECORD_VERSION`].
    pub version: u16,
    /// Whole record size in bytes, variable data included.
    pub size: u32,
    /// Process id of the emitting task.
    pub tgid: u32,
    /// Thread id of the emitting task.
    pub tid: u32,
    /// Real uid of the emitting task.
    pub uid: u32,
    /// Real gid of the emitting task.
    pub gid: u32,
    /// cgroup v2 id of the emitting task.
    pub cgroup_id: u64,
    /// Task comm, NUL-padded.
    pub comm: [u8; 16],
}

/// `struct rt_syscall`: one completed syscall; variable data follows.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RtSyscall {
    /// Common header.
    pub hdr: RtHeader,
    /// Return value (negative errno on failure).
    pub ret: i64,
    /// Raw arguments from `sys_enter`.
    pub args: [u64; 6],
    /// x86_64 syscall number.
    pub nr: u32,
    /// First path argument length, NUL included; 0 = none.
    pub str0_len: u16,
    /// Second path argument length.
    pub str1_len: u16,
    /// Socket address bytes.
    pub addr_len: u16,
    /// `size_of::<RtTuple>()` or 0.
    pub tuple_len: u16,
    /// `RT_SC_*` flags.
    pub flags: u32,
}

/// `struct rt_tuple`: a connection read from the kernel socket.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RtTuple {
    /// Address family.
    pub family: u16,
    /// `SOCK_STREAM`, `SOCK_DGRAM`, ...
    pub sock_type: u16,
    /// `IPPROTO_*`.
    pub protocol: u16,
    /// Local port, host order.
    pub sport: u16,
    /// Remote port, host order.
    pub dport: u16,
    /// Padding.
    pub pad: [u16; 3],
    /// Local address, network order (IPv4 in the first 4 bytes).
    pub saddr: [u8; 16],
    /// Remote address, network order.
    pub daddr: [u8; 16],
}

/// `struct rt_exec`: a successful exec; filename and argv follow.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RtExec {
    /// Common header (describes the task after exec).
    pub hdr: RtHeader,
    /// Real parent's tgid.
    pub ppid: u32,
    /// Audit login uid (`u32::MAX` = unset).
    pub loginuid: u32,
    /// Audit session id.
    pub sessionid: u32,
    /// Session id (global pid of the session leader).
    pub sid: u32,
    /// Pid in the task's own pid namespace.
    pub vpid: u32,
    /// Controlling terminal as `tty_nr` in `/proc/PID/stat`; 0 = none.
    pub tty: u32,
    /// Effective uid.
    pub euid: u32,
    /// Effective gid.
    pub egid: u32,
    /// Process group id (global).
    pub pgid: u32,
    /// Process group id in the task's own pid namespace.
    pub vpgid: u32,
    /// Inheritable capability bits.
    pub cap_inheritable: u64,
    /// Permitted capability bits.
    pub cap_permitted: u64,
    /// Effective capability bits.
    pub cap_effective: u64,
    /// Inode number of the executable.
    pub exe_ino: u64,
    /// Its status change time, ns since the epoch.
    pub exe_ctime_ns: u64,
    /// Its modification time, ns since the epoch.
    pub exe_mtime_ns: u64,
    /// Start of the init process of the task's pid namespace, boot clock; 0 = unknown.
    pub pidns_init_start_ns: u64,
    /// `RT_EXE_*` flags.
    pub exe_flags: u32,
    /// Filename length, NUL included.
    pub filename_len: u16,
    /// argv block length (NUL-separated).
    pub args_len: u16,
    /// cgroup v2 path names, leaf first, NUL-separated.
    pub cgroup_len: u16,
    /// The same for the v1 memory controller.
    pub cgroup_v1_len: u16,
    /// Environment block length (NUL-separated).
    pub env_len: u16,
    /// Padding.
    pub pad: u16,
}

/// `struct rt_fork`: a new process; the header describes the parent.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RtFork {
    /// Common header (the parent).
    pub hdr: RtHeader,
    /// Child's tgid.
    pub child_tgid: u32,
    /// Child's tid.
    pub child_tid: u32,
    /// `RT_FORK_*` flags.
    pub flags: u32,
    /// Padding.
    pub pad: u32,
}

/// `struct rt_exit`: a thread-group leader exited.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RtExit {
    /// Common header (the exiting task).
    pub hdr: RtHeader,
    /// Raw wait status (`code << 8 | signal`).
    pub exit_code: i32,
    /// Padding.
    pub pad: u32,
}
