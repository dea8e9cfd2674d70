//! The agent's counters and the stats line.

use std::sync::atomic::{AtomicU64, Ordering};

use falco_rt_capture::Counters;
use falco_rt_output::OutputStats;

/// Counters of the event path.
#[derive(Debug, Default)]
pub struct AgentCounters {
    /// Records read from the ring.
    pub records: AtomicU64,
    /// Syscall events evaluated by the rules.
    pub evaluated: AtomicU64,
    /// Kubernetes audit events evaluated.
    pub k8s_events: AtomicU64,
    /// Alerts raised by rules.
    pub alerts: AtomicU64,
    /// Records the kernel dropped, as of the last drop check.
    pub kernel_dropped: AtomicU64,
}

impl AgentCounters {
    /// Adds `n` to counter `c`.
    pub fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }
}

/// CPU time (user + system) and resident memory of this process, from /proc.
pub fn self_usage() -> (u64, u64) {
    let rss_kb = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0);
    // Fields 14 and 15 of /proc/self/stat (after the parenthesised comm), in clock ticks
    // of 10 ms (USER_HZ is 100 on Linux).
    let cpu_ms = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let u: u64 = f.get(11)?.parse().ok()?;
            let k: u64 = f.get(12)?.parse().ok()?;
            Some((u + k) * 10)
        })
        .unwrap_or(0);
    (cpu_ms, rss_kb)
}

/// One stats line (JSON) for stderr.
pub fn line(
    c: &AgentCounters,
    kernel: Option<Counters>,
    out: &OutputStats,
    decode_errors: u64,
) -> String {
    let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let (cpu_ms, rss_kb) = self_usage();
    let k = kernel.unwrap_or_default();
    format!(
        concat!(
            "{{\"falco_rt_stats\":{{\"records\":{},\"evaluated\":{},\"k8s_events\":{},",
            "\"alerts\":{},\"decode_errors\":{},\"kernel_submitted\":{},",
            "\"kernel_dropped\":{},\"outputs_emitted\":{},\"outputs_undelivered\":{},",
            "\"writer_dropped\":{},\"write_errors\":{},\"http_sent\":{},\"http_dropped\":{},",
            "\"http_failed\":{},\"program_sent\":{},\"program_dropped\":{},",
            "\"program_failed\":{},\"syslog_sent\":{},\"syslog_dropped\":{},",
            "\"syslog_failed\":{},\"cpu_ms\":{},\"rss_kb\":{}}}}}"
        ),
        g(&c.records),
        g(&c.evaluated),
        g(&c.k8s_events),
        g(&c.alerts),
        decode_errors,
        k.submitted,
        k.dropped,
        out.emitted,
        out.undelivered(),
        out.writer_dropped,
        out.write_errors,
        out.http_sent,
        out.http_dropped,
        out.http_failed,
        out.program_sent,
        out.program_dropped,
        out.program_failed,
        out.syslog_sent,
        out.syslog_dropped,
        out.syslog_failed,
        cpu_ms,
        rss_kb,
    )
}
