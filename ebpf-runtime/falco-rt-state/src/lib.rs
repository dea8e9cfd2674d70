//! The userspace state falco-rt derives fields from: a process table seeded
//! from `/proc` and kept current by exec/fork/exit records, a per-process fd
//! table kept by open/close/dup/socket/connect/accept records, user and group
//! names from passwd/group files, and container ids from cgroup paths.
//!
//! Every reader takes a root directory so tests (and, later, container roots)
//! can point it at fixture trees instead of `/`.

pub mod container;
pub mod fd;
pub mod process;
pub mod procfs;
pub mod sockets;
mod state;
pub mod users;

#[cfg(test)]
mod tests;

pub use container::{Container, Runtime};
pub use fd::{Fd, FdKind, FdTable, RawName, Role};
pub use process::{ExeFile, ProcTable, Process, resolve_path};
pub use state::State;
pub use users::{Group, User, UserDb};
