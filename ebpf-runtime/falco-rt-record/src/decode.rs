//! Bounds-checked decoding of ring-buffer records into [`Event`]s.

use core::fmt;
use core::mem::{offset_of, size_of};

use crate::layout::{RtExec, RtExit, RtFork, RtHeader, RtSyscall, RtTuple};
use crate::sockaddr::SockAddr;
use crate::{Kind, RECORD_VERSION, SC_ARGS_NORMALIZED};

/// Why a record could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The record is shorter than its fixed part.
    Truncated {
        /// Bytes the fixed part needs.
        need: usize,
        /// Bytes available.
        have: usize,
    },
    /// The header's version is not [`RECORD_VERSION`].
    Version(u16),
    /// The header's kind is not a known [`Kind`].
    UnknownKind(u16),
    /// The header's size is not the record's length.
    SizeMismatch {
        /// Size in the header.
        declared: u32,
        /// Bytes received.
        actual: usize,
    },
    /// The variable-length fields add up to more than the record holds.
    Overflow {
        /// The field that did not fit.
        field: &'static str,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { need, have } => {
                write!(f, "record truncated: need {need} bytes, have {have}")
            }
            Self::Version(v) => write!(f, "record version {v}, expected {RECORD_VERSION}"),
            Self::UnknownKind(k) => write!(f, "unknown record kind {k}"),
            Self::SizeMismatch { declared, actual } => {
                write!(f, "record header says {declared} bytes, received {actual}")
            }
            Self::Overflow { field } => {
                write!(f, "field `{field}` runs past the end of the record")
            }
        }
    }
}

impl core::error::Error for DecodeError {}

/// Header fields common to every event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Boot-clock timestamp in nanoseconds.
    pub ts_boot_ns: u64,
    /// Process id.
    pub tgid: u32,
    /// Thread id.
    pub tid: u32,
    /// Real uid.
    pub uid: u32,
    /// Real gid.
    pub gid: u32,
    /// cgroup v2 id.
    pub cgroup_id: u64,
    /// Task comm, NUL-padded.
    pub comm: [u8; 16],
}

impl Header {
    /// The comm without its NUL padding.
    pub fn comm(&self) -> &[u8] {
        until_nul(&self.comm)
    }
}

/// A connection tuple read from the kernel socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tuple {
    /// Address family (`AF_INET` = 2, `AF_INET6` = 10, `AF_UNIX` = 1).
    pub family: u16,
    /// Socket type (`SOCK_STREAM` = 1, `SOCK_DGRAM` = 2).
    pub sock_type: u16,
    /// `IPPROTO_*` (TCP = 6, UDP = 17).
    pub protocol: u16,
    /// Local port.
    pub sport: u16,
    /// Remote port.
    pub dport: u16,
    /// Local address bytes, network order (IPv4 uses the first 4).
    pub saddr: [u8; 16],
    /// Remote address bytes, network order.
    pub daddr: [u8; 16],
}

impl Tuple {
    /// Local address, for IPv4 and IPv6 tuples.
    pub fn source(&self) -> Option<core::net::IpAddr> {
        ip(self.family, &self.saddr)
    }

    /// Remote address, for IPv4 and IPv6 tuples.
    pub fn dest(&self) -> Option<core::net::IpAddr> {
        ip(self.family, &self.daddr)
    }
}

fn ip(family: u16, a: &[u8; 16]) -> Option<core::net::IpAddr> {
    match family {
        2 => Some(core::net::Ipv4Addr::new(a[0], a[1], a[2], a[3]).into()),
        10 => Some(core::net::Ipv6Addr::from(*a).into()),
        _ => None,
    }
}

/// A completed syscall.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyscallEvent<'a> {
    /// Common header.
    pub header: Header,
    /// x86_64 syscall number.
    pub nr: u32,
    /// Return value; negative errno on failure.
    pub ret: i64,
    /// Arguments from `sys_enter` (for openat2: dfd, path, flags, mode, resolve; see `normalized`).
    pub args: [u64; 6],
    /// openat2's `open_how` was unpacked into `args[2..=4]`.
    pub normalized: bool,
    /// A 32-bit (ia32) syscall, reported under its x86_64 twin's number (`nr`) with the
    /// arguments of its ia32 registers.
    pub ia32: bool,
    /// First path argument without its NUL, if the syscall has one.
    pub path: Option<&'a [u8]>,
    /// Second path argument (rename/link/symlink target).
    pub path2: Option<&'a [u8]>,
    /// Raw `struct sockaddr` bytes (connect: the argument; accept: the peer; sendto,
    /// sendmsg: the destination the call named; recvfrom, recvmsg: the source).
    pub sockaddr: Option<&'a [u8]>,
    /// Connection tuple from the kernel socket (connect/accept that succeeded, and
    /// sendto/sendmsg/recvfrom/recvmsg that succeeded).
    pub tuple: Option<Tuple>,
}

impl SyscallEvent<'_> {
    /// The parsed socket address, if one was captured.
    pub fn addr(&self) -> Option<SockAddr<'_>> {
        self.sockaddr.and_then(SockAddr::parse)
    }

    /// The connection tuple as the driver reports it for the call: the kernel socket's,
    /// with the peer the call named ([`SyscallEvent::addr`]) when the socket has no
    /// remote port (an unconnected datagram socket's `sendto`, say).
    pub fn peer_tuple(&self) -> Option<Tuple> {
        let mut t = self.tuple?;
        if t.dport == 0 {
            match self.addr() {
                Some(SockAddr::V4 { addr, port }) if t.family == 2 => {
                    t.daddr = [0; 16];
                    t.daddr[..4].copy_from_slice(&addr.octets());
                    t.dport = port;
                }
                Some(SockAddr::V6 { addr, port }) if t.family == 10 => {
                    t.daddr = addr.octets();
                    t.dport = port;
                }
                _ => {}
            }
        }
        Some(t)
    }
}

/// A successful exec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecEvent<'a> {
    /// Common header (the task after exec; `comm` is the new name).
    pub header: Header,
    /// Real parent's tgid.
    pub ppid: u32,
    /// Audit login uid (`u32::MAX` = unset).
    pub loginuid: u32,
    /// Audit session id.
    pub sessionid: u32,
    /// Session id (`proc.sid`).
    pub sid: u32,
    /// Pid in the process's own pid namespace (`proc.vpid`).
    pub vpid: u32,
    /// Controlling terminal device number (`proc.tty`), 0 for none.
    pub tty: u32,
    /// The path given to exec, without its NUL.
    pub filename: &'a [u8],
    /// argv as in `/proc/PID/cmdline`: NUL-separated (possibly truncated).
    pub args: &'a [u8],
    /// The cgroup v2 path's last components, leaf first, NUL-separated
    /// (see [`ExecEvent::cgroup_names`]); empty in the root cgroup.
    pub cgroup: &'a [u8],
    /// The same for the cgroup v1 memory controller (empty without one).
    pub cgroup_v1: &'a [u8],
    /// Credentials, process group and executable facts.
    pub facts: ExecFacts,
    /// The environment as in `/proc/PID/environ`: NUL-separated (possibly truncated).
    pub env: &'a [u8],
}

/// What an exec record says about the new image's credentials, process group and
/// executable (`rt_exec`'s fixed fields after `tty`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecFacts {
    /// Effective uid.
    pub euid: u32,
    /// Effective gid.
    pub egid: u32,
    /// Process group id (global).
    pub pgid: u32,
    /// Process group id in the process's own pid namespace.
    pub vpgid: u32,
    /// Inheritable capability bits.
    pub cap_inheritable: u64,
    /// Permitted capability bits.
    pub cap_permitted: u64,
    /// Effective capability bits.
    pub cap_effective: u64,
    /// Inode number of the executable (0: unknown).
    pub exe_ino: u64,
    /// Its status change time, ns since the epoch.
    pub exe_ctime_ns: u64,
    /// Its modification time, ns since the epoch.
    pub exe_mtime_ns: u64,
    /// When the init process of the new image's pid namespace started, on the boot
    /// clock (0: unknown): `container.start_ts`.
    pub pidns_init_start_ns: u64,
    /// [`crate::EXE_WRITABLE`], [`crate::EXE_FROM_MEMFD`], ... (libs' execve flags).
    pub exe_flags: u32,
}

impl<'a> ExecEvent<'a> {
    /// The environment entries (`K=V`).
    pub fn env_vars(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let env = self.env.strip_suffix(b"\0").unwrap_or(self.env);
        env.split(|&b| b == 0).filter(move |_| !env.is_empty())
    }

    /// The argv entries, argv\[0\] first.
    pub fn argv(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let args = self.args.strip_suffix(b"\0").unwrap_or(self.args);
        args.split(|&b| b == 0).filter(move |_| !args.is_empty())
    }

    /// Components of a cgroup name block ([`ExecEvent::cgroup`] or
    /// [`ExecEvent::cgroup_v1`]), leaf first.
    pub fn cgroup_names(block: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
        let block = block.strip_suffix(b"\0").unwrap_or(block);
        block.split(|&b| b == 0).filter(move |_| !block.is_empty())
    }
}

/// A new process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForkEvent {
    /// The parent.
    pub header: Header,
    /// The child's tgid.
    pub child_tgid: u32,
    /// The child's tid.
    pub child_tid: u32,
}

/// A process exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitEvent {
    /// The exiting process.
    pub header: Header,
    /// Raw wait status.
    pub exit_code: i32,
}

/// One decoded record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A completed syscall.
    Syscall(SyscallEvent<'a>),
    /// A successful exec.
    Exec(ExecEvent<'a>),
    /// A new process.
    Fork(ForkEvent),
    /// A process exit.
    Exit(ExitEvent),
}

impl Event<'_> {
    /// The common header.
    pub fn header(&self) -> &Header {
        match self {
            Self::Syscall(e) => &e.header,
            Self::Exec(e) => &e.header,
            Self::Fork(e) => &e.header,
            Self::Exit(e) => &e.header,
        }
    }
}

/// Decodes one ring-buffer record.
pub fn decode(rec: &[u8]) -> Result<Event<'_>, DecodeError> {
    let r = Reader(rec);
    r.need(size_of::<RtHeader>())?;
    let version = r.u16(offset_of!(RtHeader, version))?;
    if version != RECORD_VERSION {
        return Err(DecodeError::Version(version));
    }
    let declared = r.u32(offset_of!(RtHeader, size))?;
    // The ring pads records to 8 bytes; the header's size is authoritative.
    if declared as usize > rec.len() || (declared as usize) < size_of::<RtHeader>() {
        return Err(DecodeError::SizeMismatch {
            declared,
            actual: rec.len(),
        });
    }
    let r = Reader(rec.get(..declared as usize).unwrap_or(rec));
    let header = header(&r)?;
    match r.u16(offset_of!(RtHeader, kind))? {
        k if k == Kind::Syscall as u16 => syscall(&r, header).map(Event::Syscall),
        k if k == Kind::Exec as u16 => exec(&r, header).map(Event::Exec),
        k if k == Kind::Fork as u16 => {
            r.need(size_of::<RtFork>())?;
            Ok(Event::Fork(ForkEvent {
                header,
                child_tgid: r.u32(offset_of!(RtFork, child_tgid))?,
                child_tid: r.u32(offset_of!(RtFork, child_tid))?,
            }))
        }
        k if k == Kind::Exit as u16 => {
            r.need(size_of::<RtExit>())?;
            Ok(Event::Exit(ExitEvent {
                header,
                exit_code: r.u32(offset_of!(RtExit, exit_code))? as i32,
            }))
        }
        k => Err(DecodeError::UnknownKind(k)),
    }
}

fn header(r: &Reader<'_>) -> Result<Header, DecodeError> {
    let mut comm = [0u8; 16];
    comm.copy_from_slice(r.bytes(offset_of!(RtHeader, comm), 16, "comm")?);
    Ok(Header {
        ts_boot_ns: r.u64(offset_of!(RtHeader, ts_boot_ns))?,
        tgid: r.u32(offset_of!(RtHeader, tgid))?,
        tid: r.u32(offset_of!(RtHeader, tid))?,
        uid: r.u32(offset_of!(RtHeader, uid))?,
        gid: r.u32(offset_of!(RtHeader, gid))?,
        cgroup_id: r.u64(offset_of!(RtHeader, cgroup_id))?,
        comm,
    })
}

fn syscall<'a>(r: &Reader<'a>, header: Header) -> Result<SyscallEvent<'a>, DecodeError> {
    r.need(size_of::<RtSyscall>())?;
    let mut args = [0u64; 6];
    for (i, a) in args.iter_mut().enumerate() {
        *a = r.u64(offset_of!(RtSyscall, args) + 8 * i)?;
    }
    let str0 = r.u16(offset_of!(RtSyscall, str0_len))? as usize;
    let str1 = r.u16(offset_of!(RtSyscall, str1_len))? as usize;
    let addr = r.u16(offset_of!(RtSyscall, addr_len))? as usize;
    let tuple_len = r.u16(offset_of!(RtSyscall, tuple_len))? as usize;
    let flags = r.u32(offset_of!(RtSyscall, flags))?;
    let mut off = size_of::<RtSyscall>();
    let mut take = |len: usize, field: &'static str| -> Result<Option<&'a [u8]>, DecodeError> {
        if len == 0 {
            return Ok(None);
        }
        let b = r.bytes(off, len, field)?;
        off += len;
        Ok(Some(b))
    };
    let path = take(str0, "str0")?.map(until_nul);
    let path2 = take(str1, "str1")?.map(until_nul);
    let sockaddr = take(addr, "sockaddr")?;
    let tuple = match take(tuple_len, "tuple")? {
        None => None,
        Some(t) => Some(tuple(t)?),
    };
    Ok(SyscallEvent {
        header,
        nr: r.u32(offset_of!(RtSyscall, nr))?,
        ret: r.u64(offset_of!(RtSyscall, ret))? as i64,
        args,
        normalized: flags & SC_ARGS_NORMALIZED != 0,
        ia32: flags & crate::SC_IA32 != 0,
        path,
        path2,
        sockaddr,
        tuple,
    })
}

fn tuple(b: &[u8]) -> Result<Tuple, DecodeError> {
    let r = Reader(b);
    r.need(size_of::<RtTuple>())?;
    let mut saddr = [0u8; 16];
    let mut daddr = [0u8; 16];
    saddr.copy_from_slice(r.bytes(offset_of!(RtTuple, saddr), 16, "tuple.saddr")?);
    daddr.copy_from_slice(r.bytes(offset_of!(RtTuple, daddr), 16, "tuple.daddr")?);
    Ok(Tuple {
        family: r.u16(offset_of!(RtTuple, family))?,
        sock_type: r.u16(offset_of!(RtTuple, sock_type))?,
        protocol: r.u16(offset_of!(RtTuple, protocol))?,
        sport: r.u16(offset_of!(RtTuple, sport))?,
        dport: r.u16(offset_of!(RtTuple, dport))?,
        saddr,
        daddr,
    })
}

fn exec<'a>(r: &Reader<'a>, header: Header) -> Result<ExecEvent<'a>, DecodeError> {
    r.need(size_of::<RtExec>())?;
    let flen = r.u16(offset_of!(RtExec, filename_len))? as usize;
    let alen = r.u16(offset_of!(RtExec, args_len))? as usize;
    let off = size_of::<RtExec>();
    let clen = r.u16(offset_of!(RtExec, cgroup_len))? as usize;
    let c1len = r.u16(offset_of!(RtExec, cgroup_v1_len))? as usize;
    let filename = until_nul(r.bytes(off, flen, "filename")?);
    let args = r.bytes(off + flen, alen, "args")?;
    let cgroup = r.bytes(off + flen + alen, clen, "cgroup")?;
    let cgroup_v1 = r.bytes(off + flen + alen + clen, c1len, "cgroup_v1")?;
    let elen = r.u16(offset_of!(RtExec, env_len))? as usize;
    let env = r.bytes(off + flen + alen + clen + c1len, elen, "env")?;
    let facts = ExecFacts {
        euid: r.u32(offset_of!(RtExec, euid))?,
        egid: r.u32(offset_of!(RtExec, egid))?,
        pgid: r.u32(offset_of!(RtExec, pgid))?,
        vpgid: r.u32(offset_of!(RtExec, vpgid))?,
        cap_inheritable: r.u64(offset_of!(RtExec, cap_inheritable))?,
        cap_permitted: r.u64(offset_of!(RtExec, cap_permitted))?,
        cap_effective: r.u64(offset_of!(RtExec, cap_effective))?,
        exe_ino: r.u64(offset_of!(RtExec, exe_ino))?,
        exe_ctime_ns: r.u64(offset_of!(RtExec, exe_ctime_ns))?,
        exe_mtime_ns: r.u64(offset_of!(RtExec, exe_mtime_ns))?,
        pidns_init_start_ns: r.u64(offset_of!(RtExec, pidns_init_start_ns))?,
        exe_flags: r.u32(offset_of!(RtExec, exe_flags))?,
    };
    Ok(ExecEvent {
        header,
        ppid: r.u32(offset_of!(RtExec, ppid))?,
        loginuid: r.u32(offset_of!(RtExec, loginuid))?,
        sessionid: r.u32(offset_of!(RtExec, sessionid))?,
        sid: r.u32(offset_of!(RtExec, sid))?,
        vpid: r.u32(offset_of!(RtExec, vpid))?,
        tty: r.u32(offset_of!(RtExec, tty))?,
        filename,
        args,
        cgroup,
        cgroup_v1,
        facts,
        env,
    })
}

/// The bytes before the first NUL (all of them if there is none).
fn until_nul(b: &[u8]) -> &[u8] {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    b.get(..end).unwrap_or(b)
}

/// Little-endian field reads that fail instead of panicking.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn need(&self, n: usize) -> Result<(), DecodeError> {
        if self.0.len() < n {
            return Err(DecodeError::Truncated {
                need: n,
                have: self.0.len(),
            });
        }
        Ok(())
    }

    fn bytes(&self, off: usize, len: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        off.checked_add(len)
            .and_then(|end| self.0.get(off..end))
            .ok_or(DecodeError::Overflow { field })
    }

    fn array<const N: usize>(&self, off: usize) -> Result<[u8; N], DecodeError> {
        self.bytes(off, N, "fixed field")?
            .try_into()
            .map_err(|_| DecodeError::Overflow {
                field: "fixed field",
            })
    }

    fn u16(&self, off: usize) -> Result<u16, DecodeError> {
        self.array(off).map(u16::from_le_bytes)
    }

    fn u32(&self, off: usize) -> Result<u32, DecodeError> {
        self.array(off).map(u32::from_le_bytes)
    }

    fn u64(&self, off: usize) -> Result<u64, DecodeError> {
        self.array(off).map(u64::from_le_bytes)
    }
}
