//! Parameter values: reading a parameter's bytes by its type, and the text libsinsp shows
//! for it (`evt.arg.NAME`: the resolved text when there is one, else the plain one).

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use falco_schema::{CodeParam, FieldType, ParamFormat, ParamInfo, Schema};

/// `PPM_AF_*` socket families the readers decode.
pub(crate) const AF_UNIX: u8 = 1;
pub(crate) const AF_INET: u8 = 2;
pub(crate) const AF_INET6: u8 = 10;

/// A parameter's value read as a number, when its type is numeric and its length fits.
pub(crate) fn number(ty: FieldType, bytes: &[u8]) -> Option<i64> {
    let signed = is_signed(ty);
    let v = match *bytes {
        [a] => {
            if signed {
                i64::from(a as i8)
            } else {
                i64::from(a)
            }
        }
        [a, b] => {
            let v = u16::from_le_bytes([a, b]);
            if signed {
                i64::from(v as i16)
            } else {
                i64::from(v)
            }
        }
        [a, b, c, d] => {
            let v = u32::from_le_bytes([a, b, c, d]);
            if signed {
                i64::from(v as i32)
            } else {
                i64::from(v)
            }
        }
        [a, b, c, d, e, f, g, h] => i64::from_le_bytes([a, b, c, d, e, f, g, h]),
        _ => return None,
    };
    Some(v)
}

/// True for the signed numeric types.
fn is_signed(ty: FieldType) -> bool {
    matches!(
        ty,
        FieldType::Int8
            | FieldType::Int16
            | FieldType::Int32
            | FieldType::Int64
            | FieldType::Errno
            | FieldType::Fd
            | FieldType::Pid
            | FieldType::Fd32
            | FieldType::Pid32
    )
}

/// The text of a string parameter (up to its NUL), if it is one.
pub(crate) fn string(bytes: &[u8]) -> String {
    crate::cursor::text(bytes)
}

/// An IPv4 or IPv6 socket end: address and port.
pub(crate) type End = (IpAddr, u16);

/// A decoded socket tuple.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tuple {
    /// Source and destination of an IP connection.
    Ip(End, End),
    /// A Unix socket: kernel addresses of both ends and the path.
    Unix(u64, u64, String),
}

fn ipv4(bytes: &[u8]) -> Option<IpAddr> {
    let b: [u8; 4] = bytes.try_into().ok()?;
    Some(IpAddr::V4(Ipv4Addr::from(b)))
}

/// An IPv6 address, or the IPv4 address it maps.
fn ipv6(bytes: &[u8]) -> Option<IpAddr> {
    let b: [u8; 16] = bytes.try_into().ok()?;
    let v6 = Ipv6Addr::from(b);
    Some(match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    })
}

fn port(bytes: &[u8]) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.try_into().ok()?))
}

/// A socket tuple parameter (`family`, then source and destination).
pub(crate) fn tuple(bytes: &[u8]) -> Option<Tuple> {
    let (&family, rest) = bytes.split_first()?;
    match family {
        AF_INET if rest.len() == 12 => Some(Tuple::Ip(
            (ipv4(rest.get(0..4)?)?, port(rest.get(4..6)?)?),
            (ipv4(rest.get(6..10)?)?, port(rest.get(10..12)?)?),
        )),
        AF_INET6 if rest.len() == 36 => Some(Tuple::Ip(
            (ipv6(rest.get(0..16)?)?, port(rest.get(16..18)?)?),
            (ipv6(rest.get(18..34)?)?, port(rest.get(34..36)?)?),
        )),
        AF_UNIX if rest.len() >= 16 => Some(Tuple::Unix(
            u64::from_le_bytes(rest.get(0..8)?.try_into().ok()?),
            u64::from_le_bytes(rest.get(8..16)?.try_into().ok()?),
            string(rest.get(16..)?),
        )),
        _ => None,
    }
}

/// A socket address parameter: an IP end, or a Unix path.
pub(crate) fn sockaddr(bytes: &[u8]) -> Option<Result<End, String>> {
    let (&family, rest) = bytes.split_first()?;
    match family {
        AF_INET if rest.len() == 6 => Some(Ok((ipv4(rest.get(0..4)?)?, port(rest.get(4..6)?)?))),
        AF_INET6 if rest.len() == 18 => {
            Some(Ok((ipv6(rest.get(0..16)?)?, port(rest.get(16..18)?)?)))
        }
        AF_UNIX => Some(Err(string(rest))),
        _ => None,
    }
}

/// `ip:port`, with IPv6 addresses as libsinsp writes them (no brackets).
pub(crate) fn write_end(out: &mut String, (ip, port): End) {
    let _ = write!(out, "{ip}:{port}");
}

/// The text of `bytes`, a parameter of type `param.ty`, as `evt.arg.NAME` shows it
/// (`fd` parameters are left to the caller, which knows the descriptor table).
pub(crate) fn write_text(param: &CodeParam, bytes: &[u8], out: &mut String) {
    if bytes.is_empty() {
        out.push_str(match param.ty {
            FieldType::Bytebuf
            | FieldType::Socktuple
            | FieldType::Fdlist
            | FieldType::Charbufarray
            | FieldType::CharbufPairArray
            | FieldType::Dyn => "NULL",
            _ => "<NA>",
        });
        return;
    }
    let (ty, format, bytes) = match (param.ty, param.info) {
        (FieldType::Dyn, ParamInfo::Dynamic(table)) => {
            let entry = bytes.first().and_then(|&index| {
                Schema::get()
                    .dynamic_table(table)
                    .and_then(|t| t.entries.iter().find(|(i, _, _)| *i == index))
            });
            match entry {
                Some(&(_, ty, format)) => (ty, format, bytes.get(1..).unwrap_or(&[])),
                None => (
                    FieldType::Bytebuf,
                    ParamFormat::Na,
                    bytes.get(1..).unwrap_or(&[]),
                ),
            }
        }
        (ty, _) => (ty, param.format, bytes),
    };
    match ty {
        FieldType::Charbuf | FieldType::Fspath | FieldType::Fsrelpath => {
            out.push_str(&string(bytes));
        }
        FieldType::Bytebuf => write_buffer(bytes, out),
        FieldType::Flags8
        | FieldType::Flags16
        | FieldType::Flags32
        | FieldType::Enumflags8
        | FieldType::Enumflags16
        | FieldType::Enumflags32 => {
            let value = number(ty, bytes).unwrap_or(0) as u32;
            let exact = matches!(
                ty,
                FieldType::Enumflags8 | FieldType::Enumflags16 | FieldType::Enumflags32
            );
            let start = out.len();
            if let ParamInfo::Flags(table) = param.info
                && let Some(table) = Schema::get().flag_table(table)
            {
                table.write_names(value, exact, out);
            }
            if out.len() == start {
                let _ = write!(out, "{value}");
            }
        }
        FieldType::Errno => {
            let v = number(ty, bytes).unwrap_or(0);
            match falco_events::errno_name(v) {
                Some(name) if v < 0 => out.push_str(name),
                _ => {
                    let _ = write!(out, "{v}");
                }
            }
        }
        FieldType::Syscallid => {
            let v = number(ty, bytes).unwrap_or(0) as u16;
            match Schema::get().syscall_name(v) {
                Some(name) => out.push_str(name),
                None => {
                    let _ = write!(out, "{v}");
                }
            }
        }
        FieldType::Socktuple => match tuple(bytes) {
            Some(Tuple::Ip(src, dst)) => {
                write_end(out, src);
                out.push_str("->");
                write_end(out, dst);
            }
            Some(Tuple::Unix(src, dst, path)) => {
                let _ = write!(out, "{src:x}->{dst:x} {path}");
            }
            None => {
                let _ = write!(out, "family {}", bytes.first().copied().unwrap_or(0));
            }
        },
        FieldType::Sockaddr => match sockaddr(bytes) {
            Some(Ok(end)) => write_end(out, end),
            Some(Err(path)) => out.push_str(&path),
            None => {
                let _ = write!(out, "family {}", bytes.first().copied().unwrap_or(0));
            }
        },
        FieldType::Reltime => match number(ty, bytes) {
            Some(-1) => out.push_str("none"),
            Some(v) => {
                let _ = write!(out, "{v}");
            }
            None => out.push_str("<NA>"),
        },
        FieldType::Ipv4addr => match ipv4(bytes) {
            Some(ip) => {
                let _ = write!(out, "{ip}");
            }
            None => out.push_str("<NA>"),
        },
        FieldType::Ipv6addr => match ipv6(bytes) {
            Some(ip) => {
                let _ = write!(out, "{ip}");
            }
            None => out.push_str("<NA>"),
        },
        _ => match number(ty, bytes) {
            Some(v) => write_number(ty, format, v, out),
            None => write_buffer(bytes, out),
        },
    }
}

/// A number in its print format: decimal, upper-case hex without `0x`, or octal.
fn write_number(ty: FieldType, format: ParamFormat, v: i64, out: &mut String) {
    let _ = match format {
        ParamFormat::Hex => write!(out, "{:X}", v as u64),
        ParamFormat::Oct => write!(out, "{:o}", v as u64),
        _ if is_signed(ty) => write!(out, "{v}"),
        _ => write!(out, "{}", v as u64),
    };
}

/// A byte buffer as libsinsp's normal format prints it: printable ASCII as is, anything
/// else as `.`.
fn write_buffer(bytes: &[u8], out: &mut String) {
    out.extend(bytes.iter().map(|&b| {
        if b.is_ascii_graphic() || b == b' ' {
            char::from(b)
        } else {
            '.'
        }
    }));
}
