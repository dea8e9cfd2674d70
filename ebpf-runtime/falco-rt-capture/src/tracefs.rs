//! Finding (or mounting) tracefs and the per-syscall exit tracepoints in it.

use std::path::{Path, PathBuf};

/// Where tracefs is looked for, in aya's order of preference (aya's
/// `TracePoint::attach` picks the first non-empty one of these).
const MOUNT_POINTS: &[&str] = &["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/// Syscalls whose `syscalls/sys_exit_*` event is named after the kernel
/// function rather than the x86_64 table name.
const EVENT_ALIASES: &[(&str, &str)] = &[
    ("fstat", "newfstat"),
    ("lstat", "newlstat"),
    ("sendfile", "sendfile64"),
    ("stat", "newstat"),
    ("umount2", "umount"),
    ("uname", "newuname"),
];

/// The tracefs directory with an `events` tree: an existing mount, or tracefs newly
/// mounted at `/sys/kernel/tracing` (then [`Tracefs::mounted_here`], and dropping the
/// value unmounts it, so the host is left as it was). `Err` says why neither.
pub(crate) fn find_or_mount() -> Result<Tracefs, String> {
    if let Some(dir) = mounted() {
        return Ok(Tracefs {
            dir,
            mounted_here: false,
        });
    }
    let target = MOUNT_POINTS[0];
    rustix::mount::mount(
        "nodev",
        target,
        "tracefs",
        rustix::mount::MountFlags::empty(),
        None,
    )
    .map_err(|e| format!("tracefs is not mounted and mounting it at {target} failed: {e}"))?;
    let tracefs = Tracefs {
        dir: PathBuf::from(target),
        mounted_here: true,
    };
    if tracefs.dir.join("events").is_dir() {
        Ok(tracefs)
    } else {
        Err(format!(
            "tracefs mounted at {target} has no events directory"
        ))
    }
}

/// A tracefs directory, unmounted on drop when the capture mounted it.
#[derive(Debug)]
pub(crate) struct Tracefs {
    pub(crate) dir: PathBuf,
    pub(crate) mounted_here: bool,
}

impl Drop for Tracefs {
    fn drop(&mut self) {
        if self.mounted_here {
            // Lazily: tracepoint links still being released do not keep it busy.
            let _ = rustix::mount::unmount(&self.dir, rustix::mount::UnmountFlags::DETACH);
        }
    }
}

fn mounted() -> Option<PathBuf> {
    MOUNT_POINTS
        .iter()
        .map(PathBuf::from)
        .find(|d| d.join("events").is_dir())
}

/// The name of the `syscalls` event that fires when syscall `name` returns,
/// if this kernel has one (syscalls it does not implement have none).
pub(crate) fn exit_event(tracefs: &Path, name: &str) -> Option<String> {
    let base = EVENT_ALIASES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, e)| *e);
    let event = format!("sys_exit_{base}");
    tracefs
        .join("events/syscalls")
        .join(&event)
        .join("id")
        .is_file()
        .then_some(event)
}
