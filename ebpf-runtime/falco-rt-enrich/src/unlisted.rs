//! The descriptor of an event whose descriptor the table has no entry for: a failed open,
//! a `close` of a descriptor never seen. libsinsp still serves `fd.*` on such an event
//! when its type creates, uses or destroys a descriptor: `fd.num` is the descriptor
//! argument (-1 for a call that failed to create one), `fd.name` and `fd.nameraw` come
//! from the event's arguments (the path of the open family, empty for the others),
//! `fd.typechar` is guessed from the event type and `fd.type` is `<NA>`.

use std::sync::OnceLock;

use falco_rt_record::SyscallEvent;
use falco_rt_record::syscalls::nr;
use falco_rt_state::{Process, resolve_path};
use falco_schema::{EventFlags, Schema};

use crate::args;

/// `AT_FDCWD`: a `dirfd` that means the working directory.
const AT_FDCWD: i32 = -100;

/// What libsinsp reports for a descriptor it has no entry for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unlisted {
    /// `fd.num`.
    pub(crate) num: i32,
    /// `fd.name`.
    pub(crate) name: String,
    /// `fd.nameraw` when it is not `name`.
    pub(crate) nameraw: Option<String>,
}

/// Whether events of syscall `nr` create, use or destroy a descriptor (libs' `EF_*_FD`
/// flags of the exit event), by syscall number.
fn has_fd_flags(nr: u32) -> bool {
    static TABLE: OnceLock<Vec<bool>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let fd_flags = EventFlags::CREATES_FD | EventFlags::USES_FD | EventFlags::DESTROYS_FD;
        (0..falco_rt_record::MAX_SYSCALLS)
            .map(|nr| {
                crate::line::syscall_event_type(nr)
                    .and_then(|ty| Schema::get().current_code(ty, false))
                    .is_some_and(|code| code.flags.0 & fd_flags != 0)
            })
            .collect()
    });
    table.get(nr as usize).copied().unwrap_or(false)
}

/// The descriptor libsinsp reports for `s`, a syscall of process `p` whose descriptor
/// has no entry in `p`'s table; `None` when the event type has no descriptor.
pub(crate) fn unlisted(s: &SyscallEvent<'_>, p: &Process) -> Option<Unlisted> {
    if !has_fd_flags(s.nr) {
        return None;
    }
    let num = args::fd_of(s).unwrap_or(-1);
    let path = s.path.map(String::from_utf8_lossy).unwrap_or_default();
    let (name, raw) = match s.nr {
        // The path argument as passed when absolute, else joined to the working
        // directory; the raw name is the same.
        nr::OPEN | nr::CREAT if path.starts_with('/') || path.is_empty() => {
            (path.clone().into_owned(), path)
        }
        nr::OPEN | nr::CREAT => {
            let name = resolve_path(&p.cwd, &path);
            (name.clone(), name.into())
        }
        // The path joined to its directory descriptor; the raw name as passed.
        nr::OPENAT | nr::OPENAT2 => {
            let dirfd = s.args[0] as i32;
            let base = if dirfd == AT_FDCWD {
                p.cwd.as_str()
            } else {
                p.fds.get(dirfd).map_or("", |f| f.path.as_str())
            };
            (resolve_path(base, &path), path)
        }
        _ => (String::new(), Default::default()),
    };
    // libsinsp collapses repeated `/` in `fd.nameraw`, not in `fd.name`.
    let mut nameraw = String::with_capacity(raw.len());
    for c in raw.chars() {
        if !(c == '/' && nameraw.ends_with('/')) {
            nameraw.push(c);
        }
    }
    let nameraw = (nameraw != name).then_some(nameraw);
    Some(Unlisted { num, name, nameraw })
}
