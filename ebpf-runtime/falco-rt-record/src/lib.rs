//! Records the falco-rt eBPF program writes to its ring buffer.
//!
//! [`layout`] mirrors `falco-rt-ebpf/bpf/record.h` with `#[repr(C)]` structs
//! (their sizes and offsets are asserted in the tests). [`decode`] turns one
//! ring-buffer record into an [`Event`] that borrows its strings from the
//! record; every length is bounds-checked, so a malformed record is a
//! [`DecodeError`], never a panic. [`sockaddr`] parses `struct sockaddr` bytes.
//!
//! The crate is `no_std`.

#![no_std]

#[cfg(test)]
extern crate std;

mod decode;
pub mod layout;
pub mod sockaddr;
pub mod syscalls;

#[cfg(test)]
mod tests;

pub use decode::{
    DecodeError, Event, ExecEvent, ExecFacts, ExitEvent, ForkEvent, Header, SyscallEvent, Tuple,
    decode,
};
pub use sockaddr::SockAddr;

/// Version stamped in every record header (`RT_RECORD_VERSION`).
pub const RECORD_VERSION: u16 = 5;
/// Longest string copied into a record, NUL included (`RT_MAX_STR`).
pub const MAX_STR: usize = 4096;
/// Longest socket address copied into a record (`RT_MAX_ADDR`).
pub const MAX_ADDR: usize = 128;
/// Number of syscall numbers the interest map covers (`RT_MAX_SYSCALLS`).
pub const MAX_SYSCALLS: u32 = 512;

/// Record kinds (`enum rt_kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum Kind {
    /// A completed syscall ([`layout::RtSyscall`]).
    Syscall = 1,
    /// A successful exec ([`layout::RtExec`]).
    Exec = 2,
    /// A new process ([`layout::RtFork`]).
    Fork = 3,
    /// A process exit ([`layout::RtExit`]).
    Exit = 4,
}

/// Indexes of the per-CPU counters map (`enum rt_counter`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Counter {
    /// Records written to the ring.
    Submitted = 0,
    /// Records lost because the ring was full.
    Dropped = 1,
    /// `sys_exit` seen without a stashed `sys_enter` (attached mid-syscall, or stash evicted).
    Unpaired = 2,
}

/// `rt_exec.exe_flags` (`RT_EXE_*`, libs' `PPM_EXE_*`): the process may write its executable.
pub const EXE_WRITABLE: u32 = 1;
/// `rt_exec.exe_flags`: the executable is on an overlayfs upper layer.
pub const EXE_UPPER_LAYER: u32 = 2;
/// `rt_exec.exe_flags`: the executable is a `memfd_create` file.
pub const EXE_FROM_MEMFD: u32 = 4;
/// `rt_exec.exe_flags`: the executable is on an overlayfs lower layer.
pub const EXE_LOWER_LAYER: u32 = 8;

/// `rt_syscall.flags`: openat2's `open_how` was read, args 2..=4 hold flags, mode, resolve.
pub const SC_ARGS_NORMALIZED: u32 = 1;

/// `rt_syscall.flags`: a 32-bit (ia32) syscall; `nr` is its x86_64 twin.
pub const SC_IA32: u32 = 2;
