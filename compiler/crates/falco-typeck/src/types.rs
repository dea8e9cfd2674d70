//! Value types of fields and transformers, and which operators each accepts.
//!
//! The types mirror libsinsp's `PT_*` parameter types; the operator table follows
//! libsinsp's comparability rules (see `corpus/schema/operators.json`).

use std::fmt;

use falco_condition::ast::{Modifier, Op};

/// A field's value type, one per libsinsp `PT_*` type that fields use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `PT_INT8`
    Int8,
    /// `PT_INT16`
    Int16,
    /// `PT_INT32`
    Int32,
    /// `PT_INT64`
    Int64,
    /// `PT_UINT8`
    UInt8,
    /// `PT_UINT16`
    UInt16,
    /// `PT_UINT32`
    UInt32,
    /// `PT_UINT64`
    UInt64,
    /// `PT_ERRNO` (signed 64-bit)
    Errno,
    /// `PT_FD` (signed 64-bit)
    Fd,
    /// `PT_PID` (signed 64-bit)
    Pid,
    /// `PT_SYSCALLID` (unsigned 16-bit)
    SyscallId,
    /// `PT_SIGTYPE` (unsigned 8-bit)
    SigType,
    /// `PT_RELTIME`: a duration in nanoseconds.
    RelTime,
    /// `PT_ABSTIME`: a timestamp in nanoseconds since the epoch.
    AbsTime,
    /// `PT_PORT`: a TCP/UDP port, number or service name.
    Port,
    /// `PT_L4PROTO`
    L4Proto,
    /// `PT_FLAGS8`
    Flags8,
    /// `PT_FLAGS16`
    Flags16,
    /// `PT_FLAGS32`
    Flags32,
    /// `PT_ENUMFLAGS8`
    EnumFlags8,
    /// `PT_ENUMFLAGS16`
    EnumFlags16,
    /// `PT_ENUMFLAGS32`
    EnumFlags32,
    /// `PT_MODE`
    Mode,
    /// `PT_UID`
    Uid,
    /// `PT_GID`
    Gid,
    /// `PT_DOUBLE` (values are parsed as 32-bit integers, as libsinsp does)
    Double,
    /// `PT_BOOL`
    Bool,
    /// `PT_IPV4ADDR`
    Ipv4Addr,
    /// `PT_IPV6ADDR`
    Ipv6Addr,
    /// `PT_IPADDR`: IPv4 or IPv6.
    IpAddr,
    /// `PT_IPV4NET`
    Ipv4Net,
    /// `PT_IPV6NET`
    Ipv6Net,
    /// `PT_IPNET`: an IPv4 or IPv6 network in CIDR notation.
    IpNet,
    /// `PT_CHARBUF`: a string.
    CharBuf,
    /// `PT_FSPATH`: a string holding a path.
    FsPath,
    /// `PT_FSRELPATH`: a string holding a relative path.
    FsRelPath,
    /// `PT_BYTEBUF`: raw bytes.
    ByteBuf,
    /// `PT_SOCKADDR`: no operator but `exists` applies.
    SockAddr,
    /// `PT_SOCKTUPLE`: no operator but `exists` applies.
    SockTuple,
    /// `PT_SOCKFAMILY`: no operator but `exists` applies.
    SockFamily,
    /// `PT_DYN`: decided per event (e.g. `evt.rawarg` without a known parameter).
    /// Checked leniently, like [`Ty::Error`].
    Dyn,
    /// Any other type: only `exists` applies.
    Other,
    /// The type of something that already has an error (unknown field, parse error).
    /// It accepts every operator and value, so one mistake gives one diagnostic.
    Error,
}

/// How a type's values are compared: libsinsp's type groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeGroup {
    /// Integers, times, ports, flags, doubles.
    Numeric,
    /// `true`/`false`.
    Bool,
    /// Addresses and networks.
    IpOrNet,
    /// Strings and paths.
    String,
    /// Byte buffers.
    Buffer,
    /// Types no comparison applies to (only `exists`).
    None,
    /// Error or dynamic type: anything goes.
    Any,
}

impl Ty {
    /// Maps a libsinsp type name (`PT_CHARBUF`, or `CHARBUF`, case-insensitive) to a
    /// type; unknown names give [`Ty::Other`].
    pub fn from_pt_name(name: &str) -> Ty {
        let upper = name.to_ascii_uppercase();
        let bare = upper.strip_prefix("PT_").unwrap_or(&upper);
        match bare {
            "INT8" => Ty::Int8,
            "INT16" => Ty::Int16,
            "INT32" => Ty::Int32,
            "INT64" => Ty::Int64,
            "UINT8" => Ty::UInt8,
            "UINT16" => Ty::UInt16,
            "UINT32" => Ty::UInt32,
            "UINT64" => Ty::UInt64,
            "ERRNO" => Ty::Errno,
            "FD" => Ty::Fd,
            "PID" => Ty::Pid,
            "SYSCALLID" => Ty::SyscallId,
            "SIGTYPE" => Ty::SigType,
            "RELTIME" => Ty::RelTime,
            "ABSTIME" => Ty::AbsTime,
            "PORT" => Ty::Port,
            "L4PROTO" => Ty::L4Proto,
            "FLAGS8" => Ty::Flags8,
            "FLAGS16" => Ty::Flags16,
            "FLAGS32" => Ty::Flags32,
            "ENUMFLAGS8" => Ty::EnumFlags8,
            "ENUMFLAGS16" => Ty::EnumFlags16,
            "ENUMFLAGS32" => Ty::EnumFlags32,
            "MODE" => Ty::Mode,
            "UID" => Ty::Uid,
            "GID" => Ty::Gid,
            "DOUBLE" => Ty::Double,
            "BOOL" => Ty::Bool,
            "IPV4ADDR" => Ty::Ipv4Addr,
            "IPV6ADDR" => Ty::Ipv6Addr,
            "IPADDR" => Ty::IpAddr,
            "IPV4NET" => Ty::Ipv4Net,
            "IPV6NET" => Ty::Ipv6Net,
            "IPNET" => Ty::IpNet,
            "CHARBUF" | "STRING" => Ty::CharBuf,
            "FSPATH" => Ty::FsPath,
            "FSRELPATH" => Ty::FsRelPath,
            "BYTEBUF" => Ty::ByteBuf,
            "SOCKADDR" => Ty::SockAddr,
            "SOCKTUPLE" => Ty::SockTuple,
            "SOCKFAMILY" => Ty::SockFamily,
            "DYN" => Ty::Dyn,
            _ => Ty::Other,
        }
    }

    /// The libsinsp name, e.g. `CHARBUF` (as Falco prints it in `--list`).
    pub fn as_str(self) -> &'static str {
        match self {
            Ty::Int8 => "INT8",
            Ty::Int16 => "INT16",
            Ty::Int32 => "INT32",
            Ty::Int64 => "INT64",
            Ty::UInt8 => "UINT8",
            Ty::UInt16 => "UINT16",
            Ty::UInt32 => "UINT32",
            Ty::UInt64 => "UINT64",
            Ty::Errno => "ERRNO",
            Ty::Fd => "FD",
            Ty::Pid => "PID",
            Ty::SyscallId => "SYSCALLID",
            Ty::SigType => "SIGTYPE",
            Ty::RelTime => "RELTIME",
            Ty::AbsTime => "ABSTIME",
            Ty::Port => "PORT",
            Ty::L4Proto => "L4PROTO",
            Ty::Flags8 => "FLAGS8",
            Ty::Flags16 => "FLAGS16",
            Ty::Flags32 => "FLAGS32",
            Ty::EnumFlags8 => "ENUMFLAGS8",
            Ty::EnumFlags16 => "ENUMFLAGS16",
            Ty::EnumFlags32 => "ENUMFLAGS32",
            Ty::Mode => "MODE",
            Ty::Uid => "UID",
            Ty::Gid => "GID",
            Ty::Double => "DOUBLE",
            Ty::Bool => "BOOL",
            Ty::Ipv4Addr => "IPV4ADDR",
            Ty::Ipv6Addr => "IPV6ADDR",
            Ty::IpAddr => "IPADDR",
            Ty::Ipv4Net => "IPV4NET",
            Ty::Ipv6Net => "IPV6NET",
            Ty::IpNet => "IPNET",
            Ty::CharBuf => "CHARBUF",
            Ty::FsPath => "FSPATH",
            Ty::FsRelPath => "FSRELPATH",
            Ty::ByteBuf => "BYTEBUF",
            Ty::SockAddr => "SOCKADDR",
            Ty::SockTuple => "SOCKTUPLE",
            Ty::SockFamily => "SOCKFAMILY",
            Ty::Dyn => "DYN",
            Ty::Other => "OTHER",
            Ty::Error => "ERROR",
        }
    }

    /// The comparison group of the type.
    pub fn group(self) -> TypeGroup {
        match self {
            Ty::Int8
            | Ty::Int16
            | Ty::Int32
            | Ty::Int64
            | Ty::UInt8
            | Ty::UInt16
            | Ty::UInt32
            | Ty::UInt64
            | Ty::Errno
            | Ty::Fd
            | Ty::Pid
            | Ty::SyscallId
            | Ty::SigType
            | Ty::RelTime
            | Ty::AbsTime
            | Ty::Port
            | Ty::Flags8
            | Ty::Flags16
            | Ty::Flags32
            | Ty::EnumFlags8
            | Ty::EnumFlags16
            | Ty::EnumFlags32
            | Ty::Mode
            | Ty::Double => TypeGroup::Numeric,
            Ty::Bool => TypeGroup::Bool,
            Ty::Ipv4Addr | Ty::Ipv6Addr | Ty::IpAddr | Ty::Ipv4Net | Ty::Ipv6Net | Ty::IpNet => {
                TypeGroup::IpOrNet
            }
            Ty::CharBuf | Ty::FsPath | Ty::FsRelPath => TypeGroup::String,
            Ty::ByteBuf => TypeGroup::Buffer,
            Ty::Dyn | Ty::Error => TypeGroup::Any,
            Ty::L4Proto
            | Ty::Uid
            | Ty::Gid
            | Ty::SockAddr
            | Ty::SockTuple
            | Ty::SockFamily
            | Ty::Other => TypeGroup::None,
        }
    }

    /// Whether the type is a string type (`CHARBUF`, `FSPATH`, `FSRELPATH`).
    pub fn is_string(self) -> bool {
        self.group() == TypeGroup::String
    }

    /// Whether the type is an error or dynamic type that is checked leniently.
    pub fn is_lenient(self) -> bool {
        self.group() == TypeGroup::Any
    }

    /// Whether the type is a network (`IPNET` and its v4/v6 forms).
    pub fn is_net(self) -> bool {
        matches!(self, Ty::IpNet | Ty::Ipv4Net | Ty::Ipv6Net)
    }

    /// A short human word for the type in messages ("string", "number", ...).
    pub fn describe(self) -> &'static str {
        match self.group() {
            TypeGroup::Numeric => match self {
                Ty::RelTime => "duration",
                Ty::AbsTime => "timestamp",
                Ty::Port => "port",
                _ => "number",
            },
            TypeGroup::Bool => "boolean",
            TypeGroup::IpOrNet => {
                if self.is_net() {
                    "network"
                } else {
                    "address"
                }
            }
            TypeGroup::String => "string",
            TypeGroup::Buffer => "byte buffer",
            TypeGroup::None => "opaque value",
            TypeGroup::Any => "value",
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A type plus whether the value is a list of that type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ValueType {
    /// The element type.
    pub ty: Ty,
    /// Whether the field yields a list of values.
    pub is_list: bool,
}

impl ValueType {
    /// A single value of `ty`.
    pub const fn single(ty: Ty) -> ValueType {
        ValueType { ty, is_list: false }
    }

    /// A list of `ty`.
    pub const fn list(ty: Ty) -> ValueType {
        ValueType { ty, is_list: true }
    }

    /// The type of anything that already has an error.
    pub const ERROR: ValueType = ValueType::single(Ty::Error);

    /// Whether this is the error (or dynamic) type.
    pub fn is_lenient(self) -> bool {
        self.ty.is_lenient()
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_list {
            write!(f, "LIST({})", self.ty)
        } else {
            write!(f, "{}", self.ty)
        }
    }
}

/// The operators a type group accepts (besides the modifier rules).
pub fn group_accepts(group: TypeGroup, op: Op) -> bool {
    use Op::*;
    match group {
        TypeGroup::Any => true,
        TypeGroup::Numeric => matches!(
            op,
            Eq | EqEq | Ne | Lt | Le | Gt | Ge | In | Intersects | Exists
        ),
        TypeGroup::Bool => matches!(op, Eq | EqEq | Ne | In | Intersects | Exists),
        TypeGroup::IpOrNet => matches!(op, Eq | EqEq | Ne | In | Intersects | Exists),
        TypeGroup::String => !matches!(op, BContains | BStartsWith),
        TypeGroup::Buffer => matches!(
            op,
            Eq | EqEq
                | Ne
                | Contains
                | In
                | Exists
                | StartsWith
                | EndsWith
                | Intersects
                | BContains
                | BStartsWith
        ),
        TypeGroup::None => op == Exists,
    }
}

/// Why an operator does not apply to a value type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotComparable {
    /// Lowercase message.
    pub message: String,
    /// Operators that would apply, for the help line.
    pub allowed: Vec<Op>,
}

/// Checks that `op` (with its optional `modifier`) applies to `value_type`, the
/// type of the (transformed) left side. Follows libsinsp's `flt_is_comparable`.
pub fn check_comparable(
    op: Op,
    modifier: Option<Modifier>,
    value_type: ValueType,
) -> Result<(), NotComparable> {
    if op == Op::Exists || value_type.is_lenient() {
        return Ok(());
    }
    let ty = value_type.ty;
    let allowed = |group: TypeGroup| -> Vec<Op> {
        Op::ALL
            .iter()
            .copied()
            .filter(|candidate| *candidate != Op::EqEq && group_accepts(group, *candidate))
            .collect()
    };
    if value_type.is_list {
        let supported = matches!(
            ty,
            Ty::CharBuf
                | Ty::UInt64
                | Ty::RelTime
                | Ty::AbsTime
                | Ty::Bool
                | Ty::IpAddr
                | Ty::IpNet
        );
        if !supported {
            return Err(NotComparable {
                message: format!("list fields of type `{ty}` accept only `exists`"),
                allowed: vec![Op::Exists],
            });
        }
        if matches!(op, Op::In | Op::Intersects) {
            return Ok(());
        }
        return Err(NotComparable {
            message: format!("`{}` does not apply to a list field", op.as_str()),
            allowed: vec![Op::In, Op::Intersects, Op::Exists],
        });
    }
    let group = ty.group();
    if group == TypeGroup::IpOrNet && modifier.is_some() && !group_accepts(group, op) {
        return Err(NotComparable {
            message: format!(
                "`{} {}` does not apply to ip addresses and networks",
                op.as_str(),
                modifier.map(Modifier::as_str).unwrap_or_default()
            ),
            allowed: allowed(group),
        });
    }
    if group_accepts(group, op) {
        return Ok(());
    }
    let what = match group {
        TypeGroup::Numeric => "numeric fields",
        TypeGroup::Bool => "boolean fields",
        TypeGroup::IpOrNet => "ip address and network fields",
        TypeGroup::String => "string fields",
        TypeGroup::Buffer => "byte buffer fields",
        TypeGroup::None | TypeGroup::Any => "fields of this type",
    };
    let message = if group == TypeGroup::None {
        format!("`{}` does not apply to fields of type `{ty}`", op.as_str())
    } else {
        format!("`{}` does not apply to {what}", op.as_str())
    };
    Err(NotComparable {
        message,
        allowed: allowed(group),
    })
}
