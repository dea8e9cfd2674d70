//! Syscall names and x86_64 numbers.

use crate::CaptureError;
pub use falco_rt_record::syscalls::{X86_64, ia32_twin, name, nr, number};

/// Syscalls the userspace state needs whatever the rules ask for: process
/// lifecycle failures, fd creation and release, and the working directory.
pub const STATE_SYSCALLS: &[&str] = &[
    "open", "openat", "openat2", "creat", "close", "dup", "dup2", "dup3", "socket", "connect",
    "accept", "accept4", "chdir", "fchdir", "execve", "execveat",
];

/// Numbers for names, sorted and deduplicated; the first unknown name is an error.
pub fn resolve(names: &[&str]) -> Result<Vec<u32>, CaptureError> {
    let mut nrs = names
        .iter()
        .map(|n| number(n).ok_or_else(|| CaptureError::UnknownSyscall((*n).to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    nrs.sort_unstable();
    nrs.dedup();
    Ok(nrs)
}
