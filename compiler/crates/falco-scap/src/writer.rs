//! Writing captures libscap reads (and so Falco and sysdig): a section header, the machine
//! info, the process list (V9), descriptor lists (V2), users and groups (V2), then one
//! event block (V2) per event, every event laid out by the driver's event table.

use std::io::{self, Write};
use std::net::IpAddr;

use falco_schema::{CodeParam, EventCode, EventFlags, FieldType, ParamInfo, Schema};

use crate::block::{SHB, SHB_MAGIC};
use crate::params::{AF_INET, AF_INET6, AF_UNIX, End};
use crate::tables::{
    FdRecord, FdRecordKind, GroupRecord, InterfaceRecord, MachineInfo, ThreadRecord, UserRecord,
};

/// A parameter's value as a writer takes it; it is encoded as the event table's type for
/// the parameter says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param<'a> {
    /// No value: a zero-length parameter (`<NA>`) for a variable-length type, the type's
    /// default for a fixed-width one.
    Empty,
    /// A number of any of the numeric types (written at the type's width).
    Int(i64),
    /// Text: a string parameter (written with its NUL), or the names of a flag or enum
    /// parameter (`O_RDONLY|O_CLOEXEC`, turned into the driver's value by the parameter's
    /// flag table).
    Text(&'a str),
    /// Raw bytes (buffers, socket addresses and tuples as the driver encodes them).
    Bytes(&'a [u8]),
}

/// The driver's encoding of a socket address (`PT_SOCKADDR`) for an IP end.
pub fn sockaddr(end: End) -> Vec<u8> {
    let mut out = Vec::with_capacity(19);
    push_ip(&mut out, end.0);
    out.extend_from_slice(&end.1.to_le_bytes());
    out
}

/// The driver's encoding of a Unix socket path (`PT_SOCKADDR`).
pub fn sockaddr_unix(path: &str) -> Vec<u8> {
    let mut out = vec![AF_UNIX];
    out.extend_from_slice(path.as_bytes());
    out.push(0);
    out
}

/// The driver's encoding of a socket tuple (`PT_SOCKTUPLE`): source, then destination.
/// Ends of different families are written as IPv6 (IPv4 ones mapped).
pub fn socktuple(source: End, dest: End) -> Vec<u8> {
    let mut out = Vec::with_capacity(37);
    match (source.0, dest.0) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            out.push(AF_INET);
            out.extend_from_slice(&s.octets());
            out.extend_from_slice(&source.1.to_le_bytes());
            out.extend_from_slice(&d.octets());
            out.extend_from_slice(&dest.1.to_le_bytes());
        }
        (s, d) => {
            out.push(AF_INET6);
            out.extend_from_slice(&v6(s).octets());
            out.extend_from_slice(&source.1.to_le_bytes());
            out.extend_from_slice(&v6(d).octets());
            out.extend_from_slice(&dest.1.to_le_bytes());
        }
    }
    out
}

fn v6(ip: IpAddr) -> std::net::Ipv6Addr {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    }
}

fn push_ip(out: &mut Vec<u8>, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            out.push(AF_INET);
            out.extend_from_slice(&v4.octets());
        }
        IpAddr::V6(v6) => {
            out.push(AF_INET6);
            out.extend_from_slice(&v6.octets());
        }
    }
}

/// Writes a capture to `W`.
pub struct ScapWriter<W: Write> {
    out: W,
    /// The body of the block being assembled (reused).
    body: Vec<u8>,
    /// The values of the event being assembled (reused).
    values: Vec<u8>,
    lens: Vec<u32>,
}

impl<W: Write> ScapWriter<W> {
    /// Starts a capture: the section header and the machine info.
    pub fn new(out: W, machine: &MachineInfo) -> io::Result<Self> {
        let mut w = ScapWriter {
            out,
            body: Vec::new(),
            values: Vec::new(),
            lens: Vec::new(),
        };
        w.body.extend_from_slice(&SHB_MAGIC.to_le_bytes());
        w.body.extend_from_slice(&1u16.to_le_bytes()); // major
        w.body.extend_from_slice(&2u16.to_le_bytes()); // minor
        w.body.extend_from_slice(&u64::MAX.to_le_bytes()); // section length: unknown
        w.block(SHB)?;
        w.body.extend_from_slice(&machine.num_cpus.to_le_bytes());
        w.body
            .extend_from_slice(&machine.memory_bytes.to_le_bytes());
        w.body.extend_from_slice(&machine.max_pid.to_le_bytes());
        let mut hostname = [0u8; 128];
        let name = machine.hostname.as_bytes();
        let n = name.len().min(127);
        hostname[..n].copy_from_slice(&name[..n]);
        w.body.extend_from_slice(&hostname);
        w.body.extend_from_slice(&machine.boot_ts.to_le_bytes());
        w.body.extend_from_slice(&machine.flags.to_le_bytes());
        w.body.extend_from_slice(&[0; 16]); // reserved
        w.block(crate::block::MI[0])?;
        Ok(w)
    }

    /// Writes the assembled body as a block of type `kind` (padding and lengths added).
    fn block(&mut self, kind: u32) -> io::Result<()> {
        let padded = self.body.len().div_ceil(4) * 4;
        let total = u32::try_from(padded + 12)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "block too large"))?;
        self.out.write_all(&kind.to_le_bytes())?;
        self.out.write_all(&total.to_le_bytes())?;
        self.out.write_all(&self.body)?;
        self.out.write_all(&[0u8; 3][..padded - self.body.len()])?;
        self.out.write_all(&total.to_le_bytes())?;
        self.body.clear();
        Ok(())
    }

    /// The process list: one V9 block with every thread.
    pub fn threads(&mut self, threads: &[ThreadRecord]) -> io::Result<()> {
        for t in threads {
            let start = self.body.len();
            self.body.extend_from_slice(&0u32.to_le_bytes()); // entry length, below
            let b = &mut self.body;
            b.extend_from_slice(&t.tid.to_le_bytes());
            b.extend_from_slice(&t.pid.to_le_bytes());
            b.extend_from_slice(&t.ptid.to_le_bytes());
            b.extend_from_slice(&t.sid.to_le_bytes());
            b.extend_from_slice(&t.vpgid.to_le_bytes());
            str16(b, &t.comm);
            str16(b, &t.exe);
            str16(b, &t.exepath);
            nul_list16(b, t.args.iter().map(String::as_str));
            str16(b, &t.cwd);
            b.extend_from_slice(&t.fdlimit.to_le_bytes());
            b.extend_from_slice(&t.flags.to_le_bytes());
            b.extend_from_slice(&t.uid.to_le_bytes());
            b.extend_from_slice(&t.gid.to_le_bytes());
            b.extend_from_slice(&[0; 4 + 4 + 4 + 8 + 8]); // vm sizes, page faults
            nul_list16(b, t.env.iter().map(String::as_str));
            b.extend_from_slice(&t.vtid.to_le_bytes());
            b.extend_from_slice(&t.vpid.to_le_bytes());
            nul_list16(b, t.cgroups.iter().map(String::as_str));
            str16(b, &t.root);
            b.extend_from_slice(&t.pidns_init_start_ts.to_le_bytes());
            b.extend_from_slice(&t.tty.to_le_bytes());
            b.extend_from_slice(&t.loginuid.to_le_bytes());
            b.push(u8::from(t.exe_writable));
            b.extend_from_slice(&t.cap_inheritable.to_le_bytes());
            b.extend_from_slice(&t.cap_permitted.to_le_bytes());
            b.extend_from_slice(&t.cap_effective.to_le_bytes());
            b.push(u8::from(t.exe_upper_layer));
            b.extend_from_slice(&t.exe_ino.to_le_bytes());
            b.extend_from_slice(&t.exe_ino_ctime.to_le_bytes());
            b.extend_from_slice(&t.exe_ino_mtime.to_le_bytes());
            b.push(u8::from(t.exe_from_memfd));
            b.push(u8::from(t.exe_lower_layer));
            b.extend_from_slice(&t.pgid.to_le_bytes());
            set_len(b, start);
        }
        self.block(crate::block::PL[11])
    }

    /// The descriptors of thread `tid`'s process: one V2 block.
    pub fn fds(&mut self, tid: i64, fds: &[FdRecord]) -> io::Result<()> {
        self.body.extend_from_slice(&tid.to_le_bytes());
        for fd in fds {
            let start = self.body.len();
            let b = &mut self.body;
            b.extend_from_slice(&0u32.to_le_bytes());
            b.extend_from_slice(&fd.fd.to_le_bytes());
            b.extend_from_slice(&fd.ino.to_le_bytes());
            match &fd.kind {
                FdRecordKind::Ipv4 {
                    sip,
                    dip,
                    sport,
                    dport,
                    l4proto,
                } => {
                    b.push(3);
                    b.extend_from_slice(sip);
                    b.extend_from_slice(dip);
                    b.extend_from_slice(&sport.to_le_bytes());
                    b.extend_from_slice(&dport.to_le_bytes());
                    b.push(*l4proto);
                }
                FdRecordKind::Ipv4Server { ip, port, l4proto } => {
                    b.push(5);
                    b.extend_from_slice(ip);
                    b.extend_from_slice(&port.to_le_bytes());
                    b.push(*l4proto);
                }
                FdRecordKind::Ipv6 {
                    sip,
                    dip,
                    sport,
                    dport,
                    l4proto,
                } => {
                    b.push(4);
                    b.extend_from_slice(sip);
                    b.extend_from_slice(dip);
                    b.extend_from_slice(&sport.to_le_bytes());
                    b.extend_from_slice(&dport.to_le_bytes());
                    b.push(*l4proto);
                }
                FdRecordKind::Ipv6Server { ip, port, l4proto } => {
                    b.push(6);
                    b.extend_from_slice(ip);
                    b.extend_from_slice(&port.to_le_bytes());
                    b.push(*l4proto);
                }
                FdRecordKind::Unix { source, dest, name } => {
                    b.push(8);
                    b.extend_from_slice(&source.to_le_bytes());
                    b.extend_from_slice(&dest.to_le_bytes());
                    str16(b, name);
                }
                FdRecordKind::File {
                    name,
                    open_flags,
                    dev,
                } => {
                    b.push(16);
                    b.extend_from_slice(&open_flags.unwrap_or(0).to_le_bytes());
                    str16(b, name);
                    b.extend_from_slice(&dev.unwrap_or(0).to_le_bytes());
                }
                FdRecordKind::Other { scap_type, name } => {
                    b.push(*scap_type);
                    if *scap_type != 0 {
                        str16(b, name);
                    }
                }
            }
            set_len(b, start);
        }
        self.block(crate::block::FDL[2])
    }

    /// Users and groups: one V2 block.
    pub fn users(&mut self, users: &[UserRecord], groups: &[GroupRecord]) -> io::Result<()> {
        for u in users {
            let start = self.body.len();
            let b = &mut self.body;
            b.extend_from_slice(&0u32.to_le_bytes());
            b.push(0);
            b.extend_from_slice(&u.uid.to_le_bytes());
            b.extend_from_slice(&u.gid.to_le_bytes());
            str16(b, &u.name);
            str16(b, &u.homedir);
            str16(b, &u.shell);
            set_len(b, start);
        }
        for g in groups {
            let start = self.body.len();
            let b = &mut self.body;
            b.extend_from_slice(&0u32.to_le_bytes());
            b.push(1);
            b.extend_from_slice(&g.gid.to_le_bytes());
            str16(b, &g.name);
            set_len(b, start);
        }
        self.block(crate::block::UL[2])
    }

    /// The machine's interface addresses: one interface list block, each address without
    /// a link speed (libscap's `SCAP_II_IPV4_NOLINKSPEED`/`_IPV6_NOLINKSPEED`; a
    /// broadcast address of zeros). libsinsp tells a socket's local end by them.
    pub fn interfaces(&mut self, interfaces: &[InterfaceRecord]) -> io::Result<()> {
        for i in interfaces {
            let iftype: u16 = match i.addr.len() {
                4 => 3,
                16 => 4,
                n => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("an interface address of {n} bytes"),
                    ));
                }
            };
            let name = &i.name.as_bytes()[..i.name.len().min(crate::tables::MAX_PATH - 1)];
            let b = &mut self.body;
            b.extend_from_slice(&iftype.to_le_bytes());
            b.extend_from_slice(&(name.len() as u16).to_le_bytes());
            b.extend_from_slice(&i.addr);
            let mut netmask = i.netmask.clone();
            netmask.resize(i.addr.len(), 0);
            b.extend_from_slice(&netmask);
            b.extend_from_slice(&vec![0; i.addr.len()]);
            b.extend_from_slice(name);
        }
        self.block(crate::block::IL[0])
    }

    /// One event of `code` by thread `tid` at `ts` (nanoseconds since the epoch) on CPU
    /// `cpu`; `value` gives each parameter's value, in the event table's order.
    pub fn event<'v>(
        &mut self,
        ts: u64,
        tid: i64,
        cpu: u16,
        code: &EventCode,
        mut value: impl FnMut(&CodeParam) -> Param<'v>,
    ) -> io::Result<()> {
        let large = code.flags.has(EventFlags::LARGE_PAYLOAD);
        self.values.clear();
        self.lens.clear();
        for param in code.params {
            let at = self.values.len();
            encode(param, value(param), &mut self.values);
            let len = self.values.len() - at;
            let limit = if large {
                u32::MAX as usize
            } else {
                usize::from(u16::MAX)
            };
            if len > limit {
                self.values.truncate(at);
            }
            self.lens
                .push(u32::try_from(self.values.len() - at).unwrap_or(0));
        }
        let len_size = if large { 4 } else { 2 };
        let header = 26;
        let event_len = header + len_size * self.lens.len() + self.values.len();
        let b = &mut self.body;
        b.extend_from_slice(&cpu.to_le_bytes());
        b.extend_from_slice(&ts.to_le_bytes());
        b.extend_from_slice(&tid.to_le_bytes());
        b.extend_from_slice(&u32::try_from(event_len).unwrap_or(u32::MAX).to_le_bytes());
        b.extend_from_slice(&code.code.to_le_bytes());
        b.extend_from_slice(&u32::try_from(self.lens.len()).unwrap_or(0).to_le_bytes());
        for &len in &self.lens {
            if large {
                b.extend_from_slice(&len.to_le_bytes());
            } else {
                b.extend_from_slice(&u16::try_from(len).unwrap_or(0).to_le_bytes());
            }
        }
        b.extend_from_slice(&self.values);
        let kind = if large {
            crate::block::EV[3]
        } else {
            crate::block::EV[2]
        };
        self.block(kind)
    }

    /// Flushes and hands back the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A string stored as a 16-bit length and its bytes (cut at the limit libscap reads).
fn str16(b: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let n = bytes.len().min(crate::tables::MAX_PATH);
    b.extend_from_slice(&u16::try_from(n).unwrap_or(0).to_le_bytes());
    b.extend_from_slice(bytes.get(..n).unwrap_or(&[]));
}

/// NUL-terminated strings stored with a 16-bit total length (arguments, environment).
fn nul_list16<'s>(b: &mut Vec<u8>, items: impl Iterator<Item = &'s str>) {
    let mut block = Vec::new();
    for item in items {
        if block.len() + item.len() + 1 > crate::tables::MAX_ARGS {
            break;
        }
        block.extend_from_slice(item.as_bytes());
        block.push(0);
    }
    b.extend_from_slice(&u16::try_from(block.len()).unwrap_or(0).to_le_bytes());
    b.extend_from_slice(&block);
}

/// Writes the length of the entry that starts at `start` into its first four bytes.
fn set_len(b: &mut [u8], start: usize) {
    let len = u32::try_from(b.len() - start).unwrap_or(0).to_le_bytes();
    if let Some(slot) = b.get_mut(start..start + 4) {
        slot.copy_from_slice(&len);
    }
}

/// The width in bytes of a fixed-size type; `None` for variable-length types.
fn width(ty: FieldType) -> Option<usize> {
    use FieldType as T;
    Some(match ty {
        T::Int8
        | T::Uint8
        | T::Flags8
        | T::Enumflags8
        | T::Sigtype
        | T::L4proto
        | T::Sockfamily => 1,
        T::Int16 | T::Uint16 | T::Flags16 | T::Enumflags16 | T::Port | T::Syscallid => 2,
        T::Int32
        | T::Uint32
        | T::Flags32
        | T::Enumflags32
        | T::Uid
        | T::Gid
        | T::Mode
        | T::Bool
        | T::Sigset
        | T::Fd32
        | T::Pid32
        | T::Ipv4addr => 4,
        T::Int64 | T::Uint64 | T::Errno | T::Fd | T::Pid | T::Reltime | T::Abstime | T::Double => 8,
        _ => return None,
    })
}

/// Encodes `value` as `param`'s type. libsinsp refuses a fixed-width parameter of any
/// other length, so one without a value gets its type's default, as libscap's converter
/// fills missing ones: zero, or all ones for a user or group id.
fn encode(param: &CodeParam, value: Param<'_>, out: &mut Vec<u8>) {
    if let Some(w) = width(param.ty) {
        let number = match value {
            Param::Int(v) => Some(v),
            Param::Text(text) => match param.info {
                ParamInfo::Flags(table) => flag_value(table, text),
                _ => text.trim().parse::<i64>().ok(),
            },
            Param::Bytes(bytes) if bytes.len() == w => {
                out.extend_from_slice(bytes);
                return;
            }
            Param::Bytes(_) | Param::Empty => None,
        };
        let default = if matches!(param.ty, FieldType::Uid | FieldType::Gid) {
            -1
        } else {
            0
        };
        out.extend_from_slice(&number.unwrap_or(default).to_le_bytes()[..w]);
        return;
    }
    match value {
        Param::Empty => {}
        Param::Text(text) => {
            out.extend_from_slice(text.as_bytes());
            if matches!(
                param.ty,
                FieldType::Charbuf | FieldType::Fspath | FieldType::Fsrelpath
            ) {
                out.push(0);
            }
        }
        Param::Bytes(bytes) => out.extend_from_slice(bytes),
        Param::Int(v) => {
            // A number for a text parameter: its decimal text.
            out.extend_from_slice(v.to_string().as_bytes());
            out.push(0);
        }
    }
}

/// The driver's value of flag or enum names joined by `|` (or a number), by the flag table.
fn flag_value(table: &str, text: &str) -> Option<i64> {
    if let Ok(v) = text.trim().parse::<i64>() {
        return Some(v);
    }
    let entries = Schema::get().flag_table(table)?.entries;
    let mut value = 0u32;
    for name in text.split('|').map(str::trim).filter(|n| !n.is_empty()) {
        value |= entries.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)?;
    }
    Some(i64::from(value))
}
