//! Converting value text to typed literals, the way libsinsp parses filter values.
//!
//! Facts followed (libsinsp `value_parser.cpp`, `sinsp_numparser`, `unhex`):
//! - no value may contain a NUL byte, except for byte buffers;
//! - integers are decimal with an optional sign; anything after the digits is an
//!   error (so hexadecimal `0x10` and `1.5` are rejected); libsinsp then truncates to
//!   the field's width, so we accept what fits the width as signed or unsigned;
//! - `DOUBLE` values are parsed as 32-bit integers;
//! - booleans are exactly `true` or `false`;
//! - ports are digits or a service name;
//! - an address with a `.` is IPv4, otherwise IPv6; networks need `/prefix`;
//! - `bcontains`/`bstartswith` take an even number of hex digits;
//! - a value compared with a string, path, socket or byte-buffer field is kept in a
//!   buffer of 256 bytes (`s_max_filter_value_buf_size`, with a NUL after strings),
//!   so it holds at most [`MAX_VALUE_BYTES`]; longer values are refused ("filter
//!   parameter too long"), whatever the operator, including a `regex` pattern and
//!   the decoded bytes of `bcontains`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use falco_condition::ast::Op;
use falco_diagnostics::Code;

use crate::typed::Literal;
use crate::types::Ty;

/// Why a value does not convert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ConvError {
    /// The code: E404, E409 for a pattern over the size limit, or E411 for a value
    /// longer than Falco takes.
    pub code: Code,
    /// Lowercase message without the value's position.
    pub message: String,
    /// Optional help line.
    pub help: Option<String>,
}

impl ConvError {
    fn new(message: impl Into<String>) -> ConvError {
        ConvError {
            code: Code::E404,
            message: message.into(),
            help: None,
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> ConvError {
        self.help = Some(help.into());
        self
    }
}

/// The longest value, in bytes, that Falco takes for a string, path, socket or
/// byte-buffer field (libsinsp keeps each value in 256 bytes; strings need a NUL).
pub const MAX_VALUE_BYTES: usize = 255;

/// E411 when a value of `len` bytes is longer than Falco takes ([`MAX_VALUE_BYTES`]).
fn within_value_limit(len: usize) -> Result<(), ConvError> {
    if len <= MAX_VALUE_BYTES {
        return Ok(());
    }
    Err(ConvError {
        code: Code::E411,
        ..ConvError::new(format!(
            "the value is {len} bytes long; Falco takes at most {MAX_VALUE_BYTES}"
        ))
        .with_help("compare a shorter part of it, e.g. with `startswith` or `contains`, or split it over several checks")
    })
}

/// Converts a value to the type it is compared with by `op`, where the (transformed)
/// left side has type `ty`. `text` is the value (lossy if not UTF-8), `bytes` its
/// exact bytes.
pub(crate) fn convert(text: &str, bytes: &[u8], ty: Ty, op: Op) -> Result<Literal, ConvError> {
    if matches!(op, Op::BContains | Op::BStartsWith) {
        let decoded = unhex(text)?;
        within_value_limit(decoded.len())?;
        return Ok(Literal::Bytes(decoded));
    }
    if ty.is_lenient() {
        return Ok(Literal::Unchecked(text.to_owned()));
    }
    if ty == Ty::ByteBuf {
        within_value_limit(bytes.len())?;
        return Ok(Literal::Bytes(bytes.to_vec()));
    }
    if bytes.contains(&0) {
        return Err(
            ConvError::new("a value cannot contain a NUL byte (`\\x00`)")
                .with_help("only byte-buffer fields accept NUL bytes"),
        );
    }
    match ty {
        Ty::Int8 => signed(text, 8),
        Ty::Int16 => signed(text, 16),
        Ty::Int32 => signed(text, 32),
        Ty::Int64 | Ty::Errno | Ty::Fd | Ty::Pid => signed(text, 64),
        Ty::UInt8 | Ty::Flags8 | Ty::EnumFlags8 | Ty::L4Proto | Ty::SigType => unsigned(text, 8),
        Ty::UInt16 | Ty::Flags16 | Ty::EnumFlags16 | Ty::SyscallId => unsigned(text, 16),
        Ty::UInt32 | Ty::Flags32 | Ty::EnumFlags32 | Ty::Mode | Ty::Uid | Ty::Gid => {
            unsigned(text, 32)
        }
        Ty::UInt64 => unsigned(text, 64),
        Ty::RelTime => unsigned_value(text, 64).map(Literal::RelTimeNs),
        Ty::AbsTime => unsigned_value(text, 64).map(Literal::AbsTimeNs),
        Ty::Double => signed_value(text, 32).map(|value| Literal::Double(value as f64)),
        Ty::Port => port(text).map(Literal::Port),
        Ty::Bool => match text {
            "true" => Ok(Literal::Bool(true)),
            "false" => Ok(Literal::Bool(false)),
            _ => Err(ConvError::new(format!("`{text}` is not a boolean"))
                .with_help("boolean fields take `true` or `false`")),
        },
        Ty::IpAddr => {
            if text.contains('.') {
                ipv4(text).map(|addr| Literal::Ip(IpAddr::V4(addr)))
            } else {
                ipv6(text).map(|addr| Literal::Ip(IpAddr::V6(addr)))
            }
        }
        Ty::Ipv4Addr => ipv4(text).map(|addr| Literal::Ip(IpAddr::V4(addr))),
        Ty::Ipv6Addr => ipv6(text).map(|addr| Literal::Ip(IpAddr::V6(addr))),
        Ty::IpNet => {
            if text.contains('.') {
                ipv4_net(text)
            } else {
                ipv6_net(text)
            }
        }
        Ty::Ipv4Net => ipv4_net(text),
        Ty::Ipv6Net => ipv6_net(text),
        Ty::CharBuf | Ty::FsPath | Ty::FsRelPath => {
            within_value_limit(bytes.len())?;
            if op == Op::Regex {
                regex(text)
            } else {
                Ok(Literal::Str(text.to_owned()))
            }
        }
        Ty::SockAddr | Ty::SockTuple | Ty::SockFamily => {
            within_value_limit(bytes.len())?;
            Ok(Literal::Unchecked(text.to_owned()))
        }
        Ty::Other => Ok(Literal::Unchecked(text.to_owned())),
        Ty::ByteBuf | Ty::Dyn | Ty::Error => Ok(Literal::Unchecked(text.to_owned())),
    }
}

/// Checks a regular expression (RE2 syntax; Rust's `regex` crate accepts nearly the
/// same language) by compiling it as the VM will: anchored, over bytes, within
/// [`falco_bundle::REGEX_SIZE_LIMIT`].
/// The literal keeps the pattern in the `regex` crate's dialect (see
/// [`re2_to_rust`]).
pub(crate) fn regex(text: &str) -> Result<Literal, ConvError> {
    let pattern = re2_to_rust(text);
    let compiled = regex::bytes::RegexBuilder::new(&falco_bundle::anchored_regex(&pattern))
        .size_limit(falco_bundle::REGEX_SIZE_LIMIT)
        .build();
    match compiled {
        Ok(_) => Ok(Literal::Regex(pattern)),
        Err(regex::Error::CompiledTooBig(limit)) => Err(ConvError {
            code: Code::E409,
            ..ConvError::new(format!(
                "the regular expression compiles to more than {} MiB",
                limit >> 20
            ))
            .with_help(
                "split it into several `regex` checks joined with `or`, or bound its repetitions",
            )
        }),
        Err(error) => {
            let detail = error.to_string();
            let last = detail
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("");
            let last = last.trim().trim_start_matches("error:").trim();
            Err(ConvError::new(format!(
                "invalid regular expression: {}",
                last.to_lowercase()
            )))
        }
    }
}

/// Decodes the hex string of `bcontains`/`bstartswith`.
pub(crate) fn unhex(text: &str) -> Result<Vec<u8>, ConvError> {
    let help = "write the bytes as pairs of hex digits, e.g. `bcontains 7f454c46`";
    if text.is_empty() {
        return Err(ConvError::new("expected hex digits, found an empty value").with_help(help));
    }
    if !text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(
            ConvError::new(format!("`{}` is not a hex string", text.escape_debug()))
                .with_help(help),
        );
    }
    if !text.len().is_multiple_of(2) {
        return Err(
            ConvError::new(format!("`{text}` has an odd number of hex digits")).with_help(help),
        );
    }
    let digits = text.as_bytes();
    let mut bytes = Vec::with_capacity(digits.len() / 2);
    for pair in digits.chunks(2) {
        let high = hex_digit(pair.first().copied().unwrap_or(b'0'));
        let low = hex_digit(pair.get(1).copied().unwrap_or(b'0'));
        bytes.push(high << 4 | low);
    }
    Ok(bytes)
}

fn hex_digit(byte: u8) -> u8 {
    match byte {
        b'0'..=b'9' => byte - b'0',
        b'a'..=b'f' => byte - b'a' + 10,
        b'A'..=b'F' => byte - b'A' + 10,
        _ => 0,
    }
}

/// Parses like `sscanf("%d%c")`: optional leading blanks, optional sign, decimal
/// digits, nothing after. Returns the value (wide enough for any 64-bit input).
pub(crate) fn scan_integer(text: &str) -> Option<i128> {
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > 30 {
        // Far outside any field's range; report as out of range.
        return Some(if negative { i128::MIN } else { i128::MAX });
    }
    let magnitude: i128 = if significant.is_empty() {
        0
    } else {
        significant.parse().ok()?
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn not_a_number(text: &str) -> ConvError {
    let lower = text.trim().to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if let Some(hex) = unsigned.strip_prefix("0x") {
        let error = ConvError::new(format!("hexadecimal number `{text}` is not accepted here"));
        return match u64::from_str_radix(hex, 16) {
            Ok(value) => {
                error.with_help(format!("Falco reads only decimal numbers: write `{value}`"))
            }
            Err(_) => error.with_help("Falco reads only decimal numbers"),
        };
    }
    if (unsigned.contains('.') || unsigned.contains('e')) && scan_float(unsigned) {
        return ConvError::new(format!("`{text}` is not an integer"))
            .with_help("Falco reads only whole decimal numbers for this field");
    }
    ConvError::new(format!("`{}` is not a number", text.escape_debug()))
}

fn scan_float(text: &str) -> bool {
    text.parse::<f64>().is_ok()
}

fn range_error(text: &str, bits: u32, signed: bool) -> ConvError {
    let (low, high) = accepted_range(bits);
    let kind = if signed { "signed" } else { "unsigned" };
    ConvError::new(format!(
        "`{text}` does not fit in a {bits}-bit {kind} field"
    ))
    .with_help(format!("values from {low} to {high} are accepted"))
}

/// What libsinsp accepts for a `bits`-wide field once its truncation is taken into
/// account: anything that fits the width as signed or as unsigned.
fn accepted_range(bits: u32) -> (i128, i128) {
    (-(1i128 << (bits - 1)), (1i128 << bits) - 1)
}

fn in_width(text: &str, bits: u32, signed: bool) -> Result<i128, ConvError> {
    let value = scan_integer(text).ok_or_else(|| not_a_number(text))?;
    let (low, high) = accepted_range(bits);
    if value < low || value > high {
        return Err(range_error(text, bits, signed));
    }
    Ok(value)
}

fn signed_value(text: &str, bits: u32) -> Result<i64, ConvError> {
    let value = in_width(text, bits, true)?;
    // Wrap to the width, then sign-extend, as a C cast does.
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let raw = (value as u64) & mask;
    let shift = 64 - bits;
    Ok(((raw << shift) as i64) >> shift)
}

fn unsigned_value(text: &str, bits: u32) -> Result<u64, ConvError> {
    let value = in_width(text, bits, false)?;
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    Ok((value as u64) & mask)
}

fn signed(text: &str, bits: u32) -> Result<Literal, ConvError> {
    signed_value(text, bits).map(Literal::Int)
}

fn unsigned(text: &str, bits: u32) -> Result<Literal, ConvError> {
    unsigned_value(text, bits).map(Literal::UInt)
}

/// Common service names of the services database that libsinsp consults for port
/// values that are not numbers.
const SERVICES: &[(&str, u16)] = &[
    ("ftp-data", 20),
    ("ftp", 21),
    ("ssh", 22),
    ("telnet", 23),
    ("smtp", 25),
    ("time", 37),
    ("whois", 43),
    ("tacacs", 49),
    ("domain", 53),
    ("bootps", 67),
    ("bootpc", 68),
    ("tftp", 69),
    ("gopher", 70),
    ("finger", 79),
    ("http", 80),
    ("www", 80),
    ("kerberos", 88),
    ("pop3", 110),
    ("sunrpc", 111),
    ("auth", 113),
    ("nntp", 119),
    ("ntp", 123),
    ("epmap", 135),
    ("netbios-ns", 137),
    ("netbios-dgm", 138),
    ("netbios-ssn", 139),
    ("imap2", 143),
    ("imap", 143),
    ("snmp", 161),
    ("snmp-trap", 162),
    ("bgp", 179),
    ("irc", 194),
    ("ldap", 389),
    ("https", 443),
    ("microsoft-ds", 445),
    ("submissions", 465),
    ("syslog", 514),
    ("printer", 515),
    ("submission", 587),
    ("ldaps", 636),
    ("rsync", 873),
    ("ftps-data", 989),
    ("ftps", 990),
    ("telnets", 992),
    ("imaps", 993),
    ("pop3s", 995),
    ("socks", 1080),
    ("openvpn", 1194),
    ("ms-sql-s", 1433),
    ("ms-sql-m", 1434),
    ("mysql", 3306),
    ("radius", 1812),
    ("nfs", 2049),
    ("iscsi-target", 3260),
    ("ms-wbt-server", 3389),
    ("sip", 5060),
    ("xmpp-client", 5222),
    ("postgresql", 5432),
    ("amqp", 5672),
    ("x11", 6000),
    ("http-alt", 8080),
];

fn port(text: &str) -> Result<u16, ConvError> {
    if text.is_empty() {
        return Ok(0);
    }
    if text.bytes().all(|byte| byte.is_ascii_digit()) {
        let significant = text.trim_start_matches('0');
        if significant.is_empty() {
            return Ok(0);
        }
        return match significant.parse::<u64>() {
            Ok(value) if value <= u64::from(u16::MAX) => Ok(value as u16),
            _ => Err(ConvError::new(format!("port `{text}` is out of range"))
                .with_help("ports go from 0 to 65535")),
        };
    }
    match SERVICES.iter().find(|(name, _)| *name == text) {
        Some((_, port)) => Ok(*port),
        None => Err(ConvError::new(format!("`{}` is neither a port number nor a known service name", text.escape_debug()))
            .with_help("write the port number; Falco resolves service names through the host's services database")),
    }
}

fn ipv4(text: &str) -> Result<Ipv4Addr, ConvError> {
    text.parse::<Ipv4Addr>()
        .map_err(|_| ConvError::new(format!("`{}` is not an IPv4 address", text.escape_debug())))
}

fn ipv6(text: &str) -> Result<Ipv6Addr, ConvError> {
    text.parse::<Ipv6Addr>()
        .map_err(|_| ConvError::new(format!("`{}` is not an IP address", text.escape_debug())))
}

/// Parses the prefix length the way libsinsp does (`%u`, then kept as 8 bits).
fn prefix_length(mask: &str) -> Option<u32> {
    let value = scan_integer(mask)?;
    if value < 0 {
        return None;
    }
    Some((value as u64 & 0xff) as u32)
}

fn split_net(text: &str) -> Result<(&str, &str), ConvError> {
    text.split_once('/').ok_or_else(|| {
        ConvError::new(format!("`{}` is not a network", text.escape_debug()))
            .with_help("write a network in CIDR notation, e.g. `10.0.0.0/8`")
    })
}

fn ipv4_net(text: &str) -> Result<Literal, ConvError> {
    let (addr, mask) = split_net(text)?;
    let addr = ipv4(addr)?;
    match prefix_length(mask) {
        Some(prefix) if prefix <= 32 => Ok(Literal::Net {
            addr: IpAddr::V4(addr),
            prefix: prefix as u8,
        }),
        _ => Err(
            ConvError::new(format!("invalid IPv4 prefix length `{mask}`"))
                .with_help("the prefix length goes from 0 to 32"),
        ),
    }
}

fn ipv6_net(text: &str) -> Result<Literal, ConvError> {
    let (addr, mask) = split_net(text)?;
    let addr = ipv6(addr)?;
    match prefix_length(mask) {
        Some(prefix) if (1..=128).contains(&prefix) => Ok(Literal::Net {
            addr: IpAddr::V6(addr),
            prefix: prefix as u8,
        }),
        _ => Err(
            ConvError::new(format!("invalid IPv6 prefix length `{mask}`"))
                .with_help("the prefix length goes from 1 to 128"),
        ),
    }
}

/// Rewrites the RE2 forms the `regex` crate reads differently: RE2 takes a `{`
/// that does not open a valid repetition (`{n}`, `{n,}`, `{n,m}`) as a literal
/// brace, where the `regex` crate reports an error. Such braces are escaped.
pub fn re2_to_rust(pattern: &str) -> String {
    let bytes = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len());
    let mut escaped = false;
    let mut in_class = false;
    let mut in_repetition = false;
    for (index, ch) in pattern.char_indices() {
        if escaped {
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if in_class {
            in_class = ch != ']';
        } else if ch == '[' {
            in_class = true;
        } else if ch == '{' {
            if opens_repetition(&bytes[index + 1..]) {
                in_repetition = true;
            } else {
                out.push_str("\\{");
                continue;
            }
        } else if ch == '}' {
            if in_repetition {
                in_repetition = false;
            } else {
                out.push_str("\\}");
                continue;
            }
        }
        out.push(ch);
    }
    out
}

/// Whether `rest` (after a `{`) is `n}`, `n,}` or `n,m}`.
fn opens_repetition(rest: &[u8]) -> bool {
    let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
    if digits == 0 {
        return false;
    }
    match rest.get(digits) {
        Some(b'}') => true,
        Some(b',') => {
            let more = rest[digits + 1..]
                .iter()
                .take_while(|byte| byte.is_ascii_digit())
                .count();
            rest.get(digits + 1 + more) == Some(&b'}')
        }
        _ => false,
    }
}
