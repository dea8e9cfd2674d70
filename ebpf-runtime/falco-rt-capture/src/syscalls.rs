//! Syscall names and x86_64 numbers.

use crate::CaptureError;
pub use crate::syscall_table::X86_64;

/// Syscalls the userspace state needs whatever the rules ask for: process
/// lifecycle failures, fd creation and release, and the working directory.
pub const STATE_SYSCALLS: &[&str] = &[
    "open", "openat", "openat2", "creat", "close", "dup", "dup2", "dup3", "socket", "connect",
    "accept", "accept4", "chdir", "fchdir", "execve", "execveat",
];

/// The number of an x86_64 syscall name.
pub fn number(name: &str) -> Option<u32> {
    X86_64.iter().find(|(n, _)| *n == name).map(|(_, nr)| *nr)
}

/// The name of an x86_64 syscall number.
pub fn name(nr: u32) -> Option<&'static str> {
    X86_64
        .binary_search_by_key(&nr, |(_, n)| *n)
        .ok()
        .and_then(|i| X86_64.get(i))
        .map(|(n, _)| *n)
}

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
