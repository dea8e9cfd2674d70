//! Conversion from the kernel's boot clock to wall-clock time.

use rustix::time::{ClockId, clock_gettime};

/// Maps `bpf_ktime_get_boot_ns()` values to nanoseconds since the Unix epoch.
#[derive(Clone, Copy, Debug)]
pub struct BootClock {
    offset_ns: i128,
}

impl BootClock {
    /// Samples the realtime and boot clocks once.
    pub fn now() -> Self {
        let ns = |t: rustix::time::Timespec| {
            i128::from(t.tv_sec) * 1_000_000_000 + i128::from(t.tv_nsec)
        };
        let real = ns(clock_gettime(ClockId::Realtime));
        let boot = ns(clock_gettime(ClockId::Boottime));
        Self {
            offset_ns: real - boot,
        }
    }

    /// Wall-clock nanoseconds since the epoch for a boot-clock timestamp.
    pub fn to_unix_ns(&self, boot_ns: u64) -> u64 {
        u64::try_from(i128::from(boot_ns) + self.offset_ns).unwrap_or(0)
    }
}
