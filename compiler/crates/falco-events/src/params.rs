//! The parameters of libsinsp's syscall exit events and the names it prints for flags and
//! enums, derived at build time from the repository's one event table
//! (`rules-stdlib/schema/event_table.json`, written by `scripts/gen-event-table` from libs'
//! event and flag tables; falco-schema and falco-scap read the same file).
//!
//! A flag or enum parameter has two values in Falco: the driver's encoding of the Linux
//! value (`evt.rawarg.NAME`) and libsinsp's text for it (`evt.arg.NAME`). [`FlagTable`]
//! turns a Linux value into the first ([`FlagTable::ppm_of`]) and that into the second
//! ([`FlagTable::write_text`]), so producers that see raw registers render arguments as
//! Falco does.

include!(concat!(env!("OUT_DIR"), "/event_tables.rs"));

/// How libsinsp stores and prints a parameter (its `PT_*` type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// Signed integers.
    Int8,
    /// Signed integers.
    Int16,
    /// Signed integers.
    Int32,
    /// Signed integers.
    Int64,
    /// Unsigned integers.
    Uint8,
    /// Unsigned integers.
    Uint16,
    /// Unsigned integers.
    Uint32,
    /// Unsigned integers.
    Uint64,
    /// A return value; negative values are `-errno`.
    Errno,
    /// A file descriptor.
    Fd,
    /// A thread id (printed with the thread's name when it is known).
    Pid,
    /// A user id (printed with the user name).
    Uid,
    /// A group id (printed with the group name).
    Gid,
    /// Bit flags: every name whose bits are set.
    Flags,
    /// An enum: the names of exactly the value.
    EnumFlags,
    /// A file mode: the permission bits by name.
    Mode,
    /// A string.
    Charbuf,
    /// An absolute or cwd-relative path.
    Fspath,
    /// A path relative to a directory descriptor (`dirfd`).
    Fsrelpath,
    /// A byte buffer.
    Bytebuf,
    /// A socket address.
    Sockaddr,
    /// A connection tuple.
    Socktuple,
    /// A time since the epoch.
    Abstime,
    /// A duration.
    Reltime,
    /// Types no producer here fills (dynamic parameters, fd lists, signal sets, ...).
    Other,
}

/// libsinsp's print format of a numeric parameter (`PF_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Decimal.
    Dec,
    /// Upper-case hexadecimal without prefix.
    Hex,
    /// Octal with a leading `0` (`%#o`).
    Oct,
    /// Not numeric.
    Na,
}

/// One parameter of an exit event.
#[derive(Debug)]
pub struct Param {
    /// Its name (`evt.arg.NAME`).
    pub name: &'static str,
    /// How it is stored and printed.
    pub ty: ParamType,
    /// The print format of a numeric parameter.
    pub format: Format,
    table: Option<usize>,
    /// For a [`ParamType::Fsrelpath`], the index of the directory descriptor parameter.
    pub dirfd: Option<u8>,
}

impl Param {
    /// The names of a flag, enum or mode parameter.
    pub fn table(&self) -> Option<&'static FlagTable> {
        self.table.and_then(|i| FLAG_TABLES.get(i))
    }
}

/// A flag, enum or mode name table, in libsinsp's print order.
#[derive(Debug)]
pub struct FlagTable {
    /// libs' name of the table (`ptrace_requests`, `file_flags`, ...).
    pub name: &'static str,
    names: &'static [FlagName],
}

#[derive(Debug)]
struct FlagName {
    name: &'static str,
    /// The driver's value (what `evt.rawarg` holds).
    ppm: u64,
    /// The Linux value it stands for.
    linux: Linux,
}

#[derive(Debug, Clone, Copy)]
enum Linux {
    /// The x86_64 value (a bit mask for flags, a number for enums).
    Value(i64),
    /// An open access mode (`flags & O_ACCMODE`).
    Access(u8),
    /// Set by the driver from other facts (`O_F_CREATED`, `EXE_WRITABLE`, ...).
    None,
}

/// The parameters of the exit event `event`, in the driver's order (empty for an event
/// type without parameters or unknown).
pub fn params(event: &str) -> &'static [Param] {
    EVENTS
        .binary_search_by(|(name, _)| (*name).cmp(event))
        .map_or(&[], |i| EVENTS[i].1)
}

/// The parameter `name` of the exit event `event`.
pub fn param(event: &str, name: &str) -> Option<&'static Param> {
    params(event).iter().find(|p| p.name == name)
}

/// The flag table named `name` (libs' name, e.g. `file_flags`).
pub fn flag_table(name: &str) -> Option<&'static FlagTable> {
    FLAG_TABLES.iter().find(|t| t.name == name)
}

impl FlagTable {
    /// The driver's value for the Linux value `linux`: for an enum (`exact`), the value of
    /// the first name that stands for it (`None` when no name does); for flags, the bits
    /// of every name one of whose Linux bits is set (as the driver's `if (flags & X)`
    /// tests), plus the access mode's name for open flags.
    pub fn ppm_of(&self, linux: u64, exact: bool) -> Option<u64> {
        if exact {
            return self
                .names
                .iter()
                .find(|n| matches!(n.linux, Linux::Value(v) if v as u64 == linux))
                .map(|n| n.ppm);
        }
        Some(self.names.iter().fold(0, |acc, n| match n.linux {
            Linux::Value(v) if v != 0 && linux & v as u64 != 0 => acc | n.ppm,
            Linux::Access(mode) if linux & 3 == u64::from(mode) => acc | n.ppm,
            _ => acc,
        }))
    }

    /// The driver's value of the names in `text` (`O_RDONLY|O_CLOEXEC`), ignoring words
    /// that are not names of this table.
    pub fn ppm_of_text(&self, text: &str) -> u64 {
        text.split(['|', ' ', ','])
            .filter_map(|w| self.names.iter().find(|n| n.name == w))
            .fold(0, |acc, n| acc | n.ppm)
    }

    /// Appends libsinsp's text for the driver's value `ppm` of a parameter of type `ty`
    /// ([`ParamType::Flags`], [`ParamType::EnumFlags`] or [`ParamType::Mode`]): the names
    /// joined by `|`. Returns false, writing nothing, when no name applies (libsinsp then
    /// prints the number).
    pub fn write_text(&self, ppm: u64, ty: ParamType, out: &mut String) -> bool {
        let start = out.len();
        let push = |out: &mut String, name: &str| {
            if out.len() > start {
                out.push('|');
            }
            out.push_str(name);
        };
        let initial = ppm as u32;
        let mut val = initial;
        // A name applies when its bits are all left in `val` (a zero name: when the
        // whole value is zero); its bits are then taken out, so that O_RDWR hides
        // O_WRONLY and O_RDONLY.
        let applies = |value: u32, val: u32| {
            (value == 0 && initial == 0) || (value != 0 && val & value == value && val != 0)
        };
        match ty {
            ParamType::EnumFlags => {
                for n in self.names.iter().filter(|n| n.ppm as u32 == initial) {
                    push(out, n.name);
                }
            }
            ParamType::Mode => {
                let mut rest = self.names.iter();
                for n in rest.by_ref() {
                    let value = n.ppm as u32;
                    if value == initial {
                        push(out, n.name);
                        break;
                    }
                    if applies(value, val) {
                        push(out, n.name);
                        val &= !value;
                    }
                }
            }
            _ => {
                for n in self.names {
                    let value = n.ppm as u32;
                    if applies(value, val) {
                        push(out, n.name);
                        val &= !value;
                        if value == initial {
                            break;
                        }
                    }
                }
            }
        }
        out.len() > start
    }
}

/// Appends a number as libsinsp prints a parameter in `format` (`%X` for hex, `%#o` for
/// octal, else decimal).
pub fn write_number(v: i64, format: Format, out: &mut String) {
    use std::fmt::Write as _;
    let _ = match format {
        Format::Hex => write!(out, "{v:X}"),
        Format::Oct if v == 0 => write!(out, "0"),
        Format::Oct => write!(out, "0{v:o}"),
        Format::Dec | Format::Na => write!(out, "{v}"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(table: &str, event: &str, param: &str, linux: u64) -> String {
        let (Some(t), Some(p)) = (flag_table(table), super::param(event, param)) else {
            return "<no table>".into();
        };
        let exact = p.ty == ParamType::EnumFlags;
        let ppm = t.ppm_of(linux, exact).unwrap_or(linux);
        let mut out = String::new();
        if !t.write_text(ppm, p.ty, &mut out) {
            out = ppm.to_string();
        }
        out
    }

    #[test]
    fn renders_flags_and_enums_as_libsinsp() {
        // ptrace(PTRACE_ATTACH), socket(AF_PACKET), bpf(BPF_PROG_LOAD): enums.
        assert_eq!(
            text("ptrace_requests", "ptrace", "request", 16),
            "PTRACE_ATTACH"
        );
        assert_eq!(
            text("ptrace_requests", "ptrace", "request", 0),
            "PTRACE_TRACEME"
        );
        assert_eq!(text("socket_families", "socket", "domain", 17), "AF_PACKET");
        // AF_LOCAL and AF_UNIX share a value: libsinsp prints both.
        assert_eq!(
            text("socket_families", "socket", "domain", 1),
            "AF_LOCAL|AF_UNIX"
        );
        assert_eq!(text("bpf_commands", "bpf", "cmd", 5), "BPF_PROG_LOAD");
        // Open flags in the table's order, the access mode last.
        assert_eq!(
            text("file_flags", "openat", "flags", 0o1101),
            "O_TRUNC|O_CREAT|O_WRONLY"
        );
        assert_eq!(
            text("file_flags", "openat", "flags", 0o2000000),
            "O_RDONLY|O_CLOEXEC"
        );
        assert_eq!(text("file_flags", "openat", "flags", 2), "O_RDWR");
        // Namespace flags of unshare.
        assert_eq!(
            text("clone_flags", "unshare", "flags", 0x2000_0000 | 0x0400_0000),
            "CLONE_NEWPID|CLONE_NEWUTS"
        );
        // Modes: the set permission bits, lowest first.
        assert_eq!(
            text("chmod_mode", "chmod", "mode", 0o4755),
            "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID"
        );
        // No name: the number.
        assert_eq!(text("bpf_commands", "bpf", "cmd", 999), "999");
    }

    #[test]
    fn every_table_a_parameter_names_exists() {
        for (event, params) in EVENTS {
            for p in *params {
                if matches!(
                    p.ty,
                    ParamType::Flags | ParamType::EnumFlags | ParamType::Mode
                ) && p.table().is_none()
                {
                    panic!("{event}.{}: no flag table", p.name);
                }
            }
        }
    }
}
