//! Capture settings.

use std::time::Duration;

/// How selected syscalls are hooked. Both hook every syscall of the machine
/// and select in the kernel through the interest map.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Attach {
    /// `sys_enter` stashes the arguments, `sys_exit` emits: two hooks per syscall.
    EnterExit,
    /// `sys_exit` alone reads the arguments from the saved user registers:
    /// one hook per syscall, no per-thread stash.
    #[default]
    ExitOnly,
}

/// How the program is loaded and how the ring is drained.
#[derive(Clone, Debug)]
pub struct CaptureConfig {
    /// Ring buffer size in bytes (a power of two, multiple of the page size).
    pub ring_bytes: u32,
    /// Pending bytes at which the kernel wakes the reader; below it records are
    /// submitted with `BPF_RB_NO_WAKEUP` and [`Self::flush_interval`] bounds the
    /// latency. 0 = wake on every record (the kernel default, slower).
    pub wakeup_bytes: u64,
    /// Longest time a record waits in the ring before [`crate::Capture::poll`] reads it.
    pub flush_interval: Duration,
    /// Drop the events of this process in the kernel (the agent must not see itself).
    pub ignore_own_process: bool,
    /// How syscalls are hooked.
    pub attach: Attach,
}

impl Default for CaptureConfig {
    fn default() -> Self {
        Self {
            ring_bytes: 16 * 1024 * 1024,
            wakeup_bytes: 256 * 1024,
            flush_interval: Duration::from_millis(20),
            ignore_own_process: true,
            attach: Attach::ExitOnly,
        }
    }
}
