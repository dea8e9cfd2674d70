//! Whether the running kernel executes 32-bit (ia32) code, whose syscalls the
//! per-syscall tracepoints never report.

use std::fs;

/// `Ok` when the kernel has ia32 emulation and it was not turned off at boot
/// (`ia32_emulation=` on the command line); `Err` says why 32-bit syscalls cannot occur.
pub(crate) fn kernel_runs_ia32() -> Result<(), String> {
    let cmdline = fs::read_to_string("/proc/cmdline").unwrap_or_default();
    if let Some(off) = cmdline
        .split_whitespace()
        .filter_map(|w| w.strip_prefix("ia32_emulation="))
        .next_back()
        .filter(|v| ["0", "n", "no", "off", "false"].contains(&v.to_ascii_lowercase().as_str()))
    {
        return Err(format!("ia32_emulation={off} on the kernel command line"));
    }
    // The ia32 syscall entry (`ia32_sys_call` since 6.9, `__ia32_sys_*` stubs before).
    let symbols =
        fs::read_to_string("/proc/kallsyms").map_err(|e| format!("/proc/kallsyms: {e}"))?;
    let has_ia32 = symbols.lines().any(|l| {
        l.split_whitespace()
            .nth(2)
            .is_some_and(|s| s == "ia32_sys_call" || s.starts_with("__ia32_sys_"))
    });
    if has_ia32 {
        Ok(())
    } else {
        Err("the kernel has no ia32 emulation".into())
    }
}
