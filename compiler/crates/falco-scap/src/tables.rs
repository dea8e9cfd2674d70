//! The metadata blocks of a capture: machine info, process list, descriptor lists, users
//! and groups, interfaces. Each reader follows libscap's layout for every block version
//! (`scap_savefile.c`, read for its facts), checks every length against the block and
//! reports what is cut short.

use crate::cursor::{Cursor, split_nul, text};

/// libscap's bound on a path (`SCAP_MAX_PATH_SIZE`).
pub(crate) const MAX_PATH: usize = 1024;
/// libscap's bound on the arguments and on the environment of a process.
pub(crate) const MAX_ARGS: usize = 4096;
/// libscap's bound on a user or group name, home directory or shell.
const MAX_CREDENTIAL: usize = 255;

/// The machine the capture was taken on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MachineInfo {
    /// Number of CPUs.
    pub num_cpus: u32,
    /// Physical memory in bytes.
    pub memory_bytes: u64,
    /// Highest pid.
    pub max_pid: u64,
    /// Host name.
    pub hostname: String,
    /// Boot time, nanoseconds since the epoch.
    pub boot_ts: u64,
    /// Flags.
    pub flags: u64,
}

/// Size of the machine info record (packed).
pub(crate) const MACHINE_INFO_BYTES: usize = 4 + 8 + 8 + 128 + 8 + 8 + 8 + 8;

pub(crate) fn machine_info(body: &[u8]) -> Result<MachineInfo, String> {
    let mut c = Cursor::new(body);
    Ok(MachineInfo {
        num_cpus: c.u32()?,
        memory_bytes: c.u64()?,
        max_pid: c.u64()?,
        hostname: text(c.take(128)?),
        boot_ts: c.u64()?,
        flags: c.u64()?,
    })
}

/// A thread of the process list, as the capture describes it at its start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadRecord {
    /// Thread id.
    pub tid: i64,
    /// Process id.
    pub pid: i64,
    /// Parent's thread id.
    pub ptid: i64,
    /// Session id (-1: unknown).
    pub sid: i64,
    /// Process group id in the process's pid namespace (-1: unknown).
    pub vpgid: i64,
    /// Process group id (-1: unknown).
    pub pgid: i64,
    /// `comm`.
    pub comm: String,
    /// `argv[0]`.
    pub exe: String,
    /// Full path of the executable.
    pub exepath: String,
    /// Arguments after `argv[0]`.
    pub args: Vec<String>,
    /// Working directory.
    pub cwd: String,
    /// File descriptor limit.
    pub fdlimit: u64,
    /// `PPM_CL_*` flags.
    pub flags: u32,
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
    /// Environment, `K=V` each.
    pub env: Vec<String>,
    /// Thread id in its pid namespace (-1: unknown).
    pub vtid: i64,
    /// Process id in its pid namespace (-1: unknown).
    pub vpid: i64,
    /// Cgroups, `subsystem=path` each.
    pub cgroups: Vec<String>,
    /// Root directory.
    pub root: String,
    /// Start time of the pid namespace's init, nanoseconds since the epoch.
    pub pidns_init_start_ts: u64,
    /// Controlling terminal.
    pub tty: u32,
    /// Audit login uid (`u32::MAX`: unset).
    pub loginuid: u32,
    /// The executable is writable by the user.
    pub exe_writable: bool,
    /// Inheritable capabilities (a bit per capability).
    pub cap_inheritable: u64,
    /// Permitted capabilities.
    pub cap_permitted: u64,
    /// Effective capabilities.
    pub cap_effective: u64,
    /// The executable is in an overlay's upper layer.
    pub exe_upper_layer: bool,
    /// The executable's inode.
    pub exe_ino: u64,
    /// The executable's inode change time.
    pub exe_ino_ctime: u64,
    /// The executable's modification time.
    pub exe_ino_mtime: u64,
    /// The executable came from a memfd.
    pub exe_from_memfd: bool,
    /// The executable is in an overlay's lower layer.
    pub exe_lower_layer: bool,
}

/// Process list version of a block type (1 to 9).
fn proclist_version(kind: u32) -> u32 {
    match kind {
        0x202 | 0x8000_ABCD => 1,
        0x207 | 0x8013_ABCD => 2,
        0x209 | 0x8014_ABCD => 3,
        0x210 => 4,
        0x211 => 5,
        0x212 => 6,
        0x213 => 7,
        0x214 => 8,
        _ => 9,
    }
}

/// The threads of a process list block.
pub(crate) fn proclist(kind: u32, body: &[u8]) -> Result<Vec<ThreadRecord>, String> {
    let v = proclist_version(kind);
    let mut c = Cursor::new(body);
    let mut out = Vec::new();
    while c.remaining() >= 4 {
        let start = c.pos();
        let entry =
            thread_entry(&mut c, v, start).map_err(|e| format!("thread {}: {e}", out.len() + 1))?;
        out.push(entry);
    }
    Ok(out)
}

fn thread_entry(c: &mut Cursor<'_>, v: u32, start: usize) -> Result<ThreadRecord, String> {
    let sub_len = if v >= 9 { c.u32()? as usize } else { 0 };
    let mut t = ThreadRecord {
        sid: -1,
        vpgid: -1,
        pgid: -1,
        vtid: -1,
        vpid: -1,
        loginuid: u32::MAX,
        ..ThreadRecord::default()
    };
    t.tid = c.i64()?;
    t.pid = c.i64()?;
    t.ptid = c.i64()?;
    if v >= 6 {
        t.sid = c.i64()?;
    }
    if v >= 8 {
        t.vpgid = c.i64()?;
    }
    t.comm = c.str16(MAX_PATH, "comm")?;
    t.exe = c.str16(MAX_PATH, "exe")?;
    if v >= 7 {
        t.exepath = c.str16(MAX_PATH, "exepath")?;
    }
    let args_len = usize::from(c.u16()?);
    if args_len > MAX_ARGS {
        return Err(format!(
            "arguments of {args_len} bytes are longer than {MAX_ARGS}"
        ));
    }
    t.args = split_nul(c.take(args_len)?);
    t.cwd = c.str16(MAX_PATH, "cwd")?;
    t.fdlimit = c.u64()?;
    t.flags = c.u32()?;
    t.uid = c.u32()?;
    t.gid = c.u32()?;
    if v >= 2 {
        // vmsize, vmrss, vmswap (KiB), major and minor page faults
        c.skip(4 + 4 + 4 + 8 + 8)?;
        if v >= 3 {
            let env_len = usize::from(c.u16()?);
            if env_len > MAX_ARGS {
                return Err(format!(
                    "environment of {env_len} bytes is longer than {MAX_ARGS}"
                ));
            }
            t.env = split_nul(c.take(env_len)?);
        }
        if v >= 4 {
            t.vtid = c.i64()?;
            t.vpid = c.i64()?;
            let len = usize::from(c.u16()?);
            if len > MAX_ARGS {
                return Err(format!("cgroups of {len} bytes are longer than {MAX_ARGS}"));
            }
            t.cgroups = split_nul(c.take(len)?);
            if v >= 5 {
                t.root = c.str16(MAX_PATH, "root")?;
            }
        }
    }
    // Later fields are present only when the entry's length leaves room for them.
    let used = |c: &Cursor<'_>| c.pos() - start;
    let fits = |c: &Cursor<'_>, n: usize| sub_len != 0 && used(c) + n <= sub_len;
    // Entries written before libs 0.10 end with at most 29 bytes of the fields below
    // pidns_init_start_ts and tty, which were inserted before them later.
    let pre_0_10 = sub_len != 0 && sub_len.saturating_sub(used(c)) <= 29;
    if !pre_0_10 {
        if fits(c, 8) {
            t.pidns_init_start_ts = c.u64()?;
        }
        if fits(c, 4) {
            t.tty = c.u32()?;
        }
    }
    if fits(c, 4) {
        t.loginuid = c.u32()?;
    }
    if fits(c, 1) {
        t.exe_writable = c.u8()? != 0;
    }
    if fits(c, 8) {
        t.cap_inheritable = c.u64()?;
    }
    if fits(c, 8) {
        t.cap_permitted = c.u64()?;
    }
    if fits(c, 8) {
        t.cap_effective = c.u64()?;
    }
    if fits(c, 1) {
        t.exe_upper_layer = c.u8()? != 0;
    }
    if fits(c, 8) {
        t.exe_ino = c.u64()?;
    }
    if fits(c, 8) {
        t.exe_ino_ctime = c.u64()?;
    }
    if fits(c, 8) {
        t.exe_ino_mtime = c.u64()?;
    }
    if fits(c, 1) {
        t.exe_from_memfd = c.u8()? != 0;
    }
    if fits(c, 1) {
        t.exe_lower_layer = c.u8()? != 0;
    }
    if fits(c, 8) {
        t.pgid = c.i64()?;
    }
    if sub_len != 0 {
        let read = used(c);
        if read > sub_len {
            return Err(format!("read {read} bytes of an entry of {sub_len}"));
        }
        c.skip(sub_len - read)?;
    }
    Ok(t)
}

/// What a descriptor of a descriptor list is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FdRecordKind {
    /// A connected IPv4 socket (addresses in network order as stored).
    Ipv4 {
        /// Source address.
        sip: [u8; 4],
        /// Destination address.
        dip: [u8; 4],
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// `SCAP_L4_*` protocol.
        l4proto: u8,
    },
    /// A listening IPv4 socket.
    Ipv4Server {
        /// Address.
        ip: [u8; 4],
        /// Port.
        port: u16,
        /// `SCAP_L4_*` protocol.
        l4proto: u8,
    },
    /// A connected IPv6 socket.
    Ipv6 {
        /// Source address.
        sip: [u8; 16],
        /// Destination address.
        dip: [u8; 16],
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// `SCAP_L4_*` protocol.
        l4proto: u8,
    },
    /// A listening IPv6 socket.
    Ipv6Server {
        /// Address.
        ip: [u8; 16],
        /// Port.
        port: u16,
        /// `SCAP_L4_*` protocol.
        l4proto: u8,
    },
    /// A Unix socket.
    Unix {
        /// Kernel address of this end.
        source: u64,
        /// Kernel address of the peer.
        dest: u64,
        /// Path.
        name: String,
    },
    /// A regular file (`open_flags`/`dev` in newer captures).
    File {
        /// Path.
        name: String,
        /// `PPM_O_*` open flags.
        open_flags: Option<u32>,
        /// Device number.
        dev: Option<u32>,
    },
    /// Any other kind (`SCAP_FD_*` type) with its name.
    Other {
        /// The `SCAP_FD_*` type.
        scap_type: u8,
        /// Name.
        name: String,
    },
}

/// A descriptor of a descriptor list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdRecord {
    /// Descriptor number.
    pub fd: i64,
    /// Inode.
    pub ino: u64,
    /// What it is.
    pub kind: FdRecordKind,
}

/// The process of a descriptor list block and its descriptors.
pub(crate) fn fdlist(kind: u32, body: &[u8]) -> Result<(i64, Vec<FdRecord>), String> {
    let v2 = kind == 0x218;
    let mut c = Cursor::new(body);
    let tid = c.i64()?;
    let mut out = Vec::new();
    while c.remaining() >= 4 {
        let fd = fd_entry(&mut c, v2).map_err(|e| format!("descriptor {}: {e}", out.len() + 1))?;
        out.push(fd);
    }
    Ok((tid, out))
}

fn ipv6(c: &mut Cursor<'_>) -> Result<[u8; 16], String> {
    <[u8; 16]>::try_from(c.take(16)?).map_err(|_| "short address".to_owned())
}

fn ipv4(c: &mut Cursor<'_>) -> Result<[u8; 4], String> {
    <[u8; 4]>::try_from(c.take(4)?).map_err(|_| "short address".to_owned())
}

fn fd_entry(c: &mut Cursor<'_>, v2: bool) -> Result<FdRecord, String> {
    let start = c.pos();
    let sub_len = if v2 { c.u32()? as usize } else { 0 };
    let fd = c.i64()?;
    let ino = c.u64()?;
    let scap_type = c.u8()?;
    let kind = match scap_type {
        3 => FdRecordKind::Ipv4 {
            sip: ipv4(c)?,
            dip: ipv4(c)?,
            sport: c.u16()?,
            dport: c.u16()?,
            l4proto: c.u8()?,
        },
        5 => FdRecordKind::Ipv4Server {
            ip: ipv4(c)?,
            port: c.u16()?,
            l4proto: c.u8()?,
        },
        4 => FdRecordKind::Ipv6 {
            sip: ipv6(c)?,
            dip: ipv6(c)?,
            sport: c.u16()?,
            dport: c.u16()?,
            l4proto: c.u8()?,
        },
        6 => FdRecordKind::Ipv6Server {
            ip: ipv6(c)?,
            port: c.u16()?,
            l4proto: c.u8()?,
        },
        8 => FdRecordKind::Unix {
            source: c.u64()?,
            dest: c.u64()?,
            name: c.str16(MAX_PATH, "socket path")?,
        },
        16 => {
            let open_flags = Some(c.u32()?);
            let name = c.str16(MAX_PATH, "file name")?;
            let dev = if sub_len != 0 && sub_len >= c.pos() - start + 4 {
                Some(c.u32()?)
            } else {
                None
            };
            FdRecordKind::File {
                name,
                open_flags,
                dev,
            }
        }
        1 => FdRecordKind::File {
            name: c.str16(MAX_PATH, "file name")?,
            open_flags: None,
            dev: None,
        },
        2 | 7 | 9..=15 | 17..=21 => FdRecordKind::Other {
            scap_type,
            name: c.str16(MAX_PATH, "name")?,
        },
        0 => FdRecordKind::Other {
            scap_type,
            name: String::new(),
        },
        other => FdRecordKind::Other {
            scap_type: 10,
            name: format!("unknown-type:[{other}]"),
        },
    };
    if sub_len != 0 {
        let read = c.pos() - start;
        if read > sub_len {
            return Err(format!("read {read} bytes of an entry of {sub_len}"));
        }
        c.skip(sub_len - read)?;
    }
    Ok(FdRecord { fd, ino, kind })
}

/// A user of the user list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Name.
    pub name: String,
    /// Home directory.
    pub homedir: String,
    /// Login shell.
    pub shell: String,
}

/// A group of the user list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    /// Group id.
    pub gid: u32,
    /// Name.
    pub name: String,
}

/// The users and groups of a user list block.
pub(crate) fn userlist(
    kind: u32,
    body: &[u8],
) -> Result<(Vec<UserRecord>, Vec<GroupRecord>), String> {
    let v2 = kind == 0x220;
    let mut c = Cursor::new(body);
    let (mut users, mut groups) = (Vec::new(), Vec::new());
    while c.remaining() >= 4 {
        let start = c.pos();
        let sub_len = if v2 { c.u32()? as usize } else { 0 };
        let entry_type = c.u8()?;
        if entry_type == 0 {
            users.push(UserRecord {
                uid: c.u32()?,
                gid: c.u32()?,
                name: c.str16(MAX_CREDENTIAL, "user name")?,
                homedir: c.str16(MAX_CREDENTIAL, "home directory")?,
                shell: c.str16(MAX_CREDENTIAL, "shell")?,
            });
        } else {
            groups.push(GroupRecord {
                gid: c.u32()?,
                name: c.str16(MAX_CREDENTIAL, "group name")?,
            });
        }
        if sub_len != 0 {
            let read = c.pos() - start;
            if read > sub_len {
                return Err(format!(
                    "read {read} bytes of a user list entry of {sub_len}"
                ));
            }
            c.skip(sub_len - read)?;
        }
    }
    Ok((users, groups))
}

/// An address of a network interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceRecord {
    /// Interface name.
    pub name: String,
    /// Its address (4 or 16 bytes).
    pub addr: Vec<u8>,
    /// Its netmask (as long as the address).
    pub netmask: Vec<u8>,
}

/// The interface addresses of an interface list block.
pub(crate) fn iflist(kind: u32, body: &[u8]) -> Result<Vec<InterfaceRecord>, String> {
    let v2 = kind == 0x219;
    let mut c = Cursor::new(body);
    let mut out = Vec::new();
    while c.remaining() >= 4 {
        let start = c.pos();
        let entry_len = if v2 {
            Some(c.u32()? as usize + 4)
        } else {
            None
        };
        let iftype = c.u16()?;
        let name_len = usize::from(c.u16()?);
        if name_len >= MAX_PATH {
            return Err(format!("interface name of {name_len} bytes"));
        }
        // type 1/3: IPv4 (addr, netmask, bcast), 2/4: IPv6; 1 and 2 add a link speed.
        let (addr_len, linkspeed) = match iftype {
            1 => (4, true),
            2 => (16, true),
            3 => (4, false),
            4 => (16, false),
            other => return Err(format!("unknown interface type {other}")),
        };
        let addr = c.take(addr_len)?.to_vec();
        let netmask = c.take(addr_len)?.to_vec();
        c.skip(addr_len)?;
        if linkspeed {
            c.skip(8)?;
        }
        let name = text(c.take(name_len)?);
        out.push(InterfaceRecord {
            name,
            addr,
            netmask,
        });
        if let Some(len) = entry_len {
            let read = c.pos() - start;
            if read > len {
                return Err(format!("read {read} bytes of an interface entry of {len}"));
            }
            c.skip(len - read)?;
        }
    }
    Ok(out)
}
