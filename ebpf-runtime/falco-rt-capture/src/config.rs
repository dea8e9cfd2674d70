//! Capture settings.

use std::time::Duration;

/// How selected syscalls are hooked. All of them capture a syscall at its
/// exit and emit the same records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Attach {
    /// Global raw `sys_enter` stashes the arguments, global `sys_exit` emits:
    /// two program runs on every syscall of the machine, selection in the kernel
    /// through the interest map.
    EnterExit,
    /// Global raw `sys_exit` alone reads the arguments from the saved user
    /// registers: one program run on every syscall of the machine, no
    /// per-thread stash.
    ExitOnly,
    /// One `syscalls/sys_exit_<name>` tracepoint per selected syscall, arguments
    /// read like [`Attach::ExitOnly`]: syscalls nobody selected run no program.
    /// Needs tracefs (mounted at `/sys/kernel/tracing` if it is not mounted).
    /// Falls back to [`Attach::ExitOnly`] while tracefs is unavailable or a
    /// selected syscall has no exit tracepoint on this kernel (see
    /// [`crate::Capture::fallback`]).
    #[default]
    PerSyscall,
}

/// How the program is loaded and how the ring is drained.
#[derive(Clone, Debug)]
pub struct CaptureConfig {
    /// Ring buffer size in bytes (a power of two, multiple of the page size).
    pub ring_bytes: u32,
    /// Bytes each CPU submits between two forced reader wakeups; the other
    /// records are submitted with `BPF_RB_NO_WAKEUP` and [`Self::flush_interval`]
    /// bounds their latency. Counted per CPU (reading the ring's fill level
    /// costs a cross-CPU cache miss per record), so up to CPUs × this many bytes
    /// can be pending before a wakeup: keep [`Self::ring_bytes`] well above
    /// that. 0 = wake on every record (the kernel default, slower).
    pub wakeup_bytes: u64,
    /// Longest time a record waits in the ring before [`crate::Capture::poll`] reads it.
    pub flush_interval: Duration,
    /// Drop the events of this process in the kernel (the agent must not see itself).
    pub ignore_own_process: bool,
    /// How syscalls are hooked.
    pub attach: Attach,
    /// Report only this process and the processes it and they fork from now on, filtered
    /// in the kernel (tests find their own events however busy the machine is).
    pub only_tree: Option<u32>,
    /// Capture 32-bit (ia32) syscalls too, when the kernel runs ia32 code (a hook on
    /// every syscall that returns at once for 64-bit ones; see `Capture::compat`).
    pub ia32: bool,
}

impl Default for CaptureConfig {
    fn default() -> Self {
        Self {
            ring_bytes: 16 * 1024 * 1024,
            wakeup_bytes: 256 * 1024,
            flush_interval: Duration::from_millis(20),
            ignore_own_process: true,
            attach: Attach::PerSyscall,
            ia32: true,
            only_tree: None,
        }
    }
}
