//! Field values as the VM sees them, the scratch space they may live in, and Falco's rendering.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

/// The value of one field on one event.
///
/// Values borrow from the event or from a [`Scratch`] the caller owns, so extracting a field
/// allocates nothing once the scratch buffers have grown to their working size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'a> {
    /// The event has no value for the field (Falco prints `<NA>`; every comparison but
    /// `exists`-style checks is false).
    Missing,
    /// Text (`charbuf`, `fspath`, `fsrelpath`).
    Str(&'a str),
    /// Raw bytes (`bytebuf`).
    Bytes(&'a [u8]),
    /// Unsigned integers (`uint8`..`uint64`, `port`, `uid`, `gid`, flags, `mode`).
    U64(u64),
    /// Signed integers (`int8`..`int64`, `pid`, `fd`, `errno`).
    I64(i64),
    /// `double`.
    F64(f64),
    /// `bool`.
    Bool(bool),
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// An IPv4 or IPv6 network.
    Net(IpNet),
    /// A duration in nanoseconds (`reltime`).
    RelTime(u64),
    /// A point in time in nanoseconds since the Unix epoch (`abstime`).
    AbsTime(u64),
    /// The values of a list field (every list field of the schema holds text). Never empty:
    /// an empty list is [`FieldValue::Missing`], as in Falco.
    StrList(StrList<'a>),
    /// Several candidate values of a filter-only field that libsinsp compares element by
    /// element: a comparison holds if it holds for any element. `fd.ip`/`fd.port`/`fd.net`
    /// (client and server side) and the ancestor fields without index (`proc.aname`,
    /// `proc.apid`, `proc.aexe`, `proc.aexepath`, `proc.acmdline`: every ancestor, parent
    /// first). Rendered as the elements separated by spaces.
    AnyOf(AnyOf<'a>),
}

/// The candidates of a [`FieldValue::AnyOf`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AnyOf<'a> {
    /// Text candidates.
    Strs(StrList<'a>),
    /// Integer candidates.
    Ints(&'a [i64]),
    /// Address candidates (client, server).
    Ips(IpAddr, IpAddr),
    /// Port candidates (client, server).
    Ports(u64, u64),
}

impl<'a> AnyOf<'a> {
    /// The candidates, each as a plain value.
    pub fn iter(&self) -> impl Iterator<Item = FieldValue<'a>> + 'a {
        let this = *self;
        let n = match this {
            AnyOf::Strs(l) => l.len(),
            AnyOf::Ints(v) => v.len(),
            AnyOf::Ips(..) | AnyOf::Ports(..) => 2,
        };
        (0..n).filter_map(move |i| match this {
            AnyOf::Strs(l) => l.get(i).map(FieldValue::Str),
            AnyOf::Ints(v) => v.get(i).map(|x| FieldValue::I64(*x)),
            AnyOf::Ips(a, b) => Some(FieldValue::Ip(if i == 0 { a } else { b })),
            AnyOf::Ports(a, b) => Some(FieldValue::U64(if i == 0 { a } else { b })),
        })
    }
}

impl<'a> FieldValue<'a> {
    /// True for [`FieldValue::Missing`].
    pub fn is_missing(&self) -> bool {
        matches!(self, FieldValue::Missing)
    }

    /// The text, for [`FieldValue::Str`].
    pub fn as_str(&self) -> Option<&'a str> {
        match self {
            FieldValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The list, for [`FieldValue::StrList`].
    pub fn as_list(&self) -> Option<StrList<'a>> {
        match self {
            FieldValue::StrList(l) => Some(*l),
            _ => None,
        }
    }

    /// The value as an unsigned number, for the integer and time variants (negative `I64`
    /// values give `None`).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            FieldValue::U64(v) | FieldValue::RelTime(v) | FieldValue::AbsTime(v) => Some(v),
            FieldValue::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The value as a signed number, for the integer and time variants.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            FieldValue::I64(v) => Some(v),
            FieldValue::U64(v) | FieldValue::RelTime(v) | FieldValue::AbsTime(v) => {
                i64::try_from(v).ok()
            }
            _ => None,
        }
    }

    /// Appends the value as Falco prints it in a text output: `<NA>` when missing, lists as
    /// `(a,b)`, booleans as `true`/`false`, numbers in decimal, doubles with one decimal.
    pub fn write_text(&self, out: &mut String) {
        use fmt::Write as _;
        let _ = match self {
            FieldValue::Missing => {
                out.push_str("<NA>");
                Ok(())
            }
            FieldValue::Str(s) => {
                out.push_str(s);
                Ok(())
            }
            FieldValue::Bytes(b) => {
                write_bytes(b, out);
                Ok(())
            }
            FieldValue::U64(v) | FieldValue::RelTime(v) | FieldValue::AbsTime(v) => {
                write!(out, "{v}")
            }
            FieldValue::I64(v) => write!(out, "{v}"),
            FieldValue::F64(v) => write!(out, "{v:.1}"),
            FieldValue::Bool(b) => {
                out.push_str(if *b { "true" } else { "false" });
                Ok(())
            }
            FieldValue::Ip(ip) => write!(out, "{ip}"),
            FieldValue::Net(net) => write!(out, "{net}"),
            FieldValue::StrList(list) => {
                out.push('(');
                for (i, s) in list.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(s);
                }
                out.push(')');
                Ok(())
            }
            FieldValue::AnyOf(any) => {
                for (i, v) in any.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    v.write_text(out);
                }
                Ok(())
            }
        };
    }

    /// The value as Falco prints it in a text output (see [`FieldValue::write_text`]).
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        self.write_text(&mut s);
        s
    }

    /// Appends the value as Falco puts it in the `output_fields` of a JSON alert: `null` when
    /// missing, numbers and booleans as JSON numbers/booleans, lists as arrays, the rest as
    /// strings.
    pub fn write_json(&self, out: &mut String) {
        use fmt::Write as _;
        match self {
            FieldValue::Missing => out.push_str("null"),
            FieldValue::Str(s) => crate::json::write_json_string(s, out),
            FieldValue::U64(v) | FieldValue::RelTime(v) | FieldValue::AbsTime(v) => {
                let _ = write!(out, "{v}");
            }
            FieldValue::I64(v) => {
                let _ = write!(out, "{v}");
            }
            FieldValue::F64(v) if v.is_finite() => {
                let _ = write!(out, "{v}");
            }
            FieldValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            FieldValue::StrList(list) => {
                out.push('[');
                for (i, s) in list.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    crate::json::write_json_string(s, out);
                }
                out.push(']');
            }
            other => {
                let text = other.to_text();
                crate::json::write_json_string(&text, out);
            }
        }
    }
}

impl fmt::Display for FieldValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Bytes rendered as libsinsp's default (`normal`) buffer format: printable ASCII as is,
/// anything else as `.`.
fn write_bytes(bytes: &[u8], out: &mut String) {
    for &b in bytes {
        out.push(if (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t' {
            b as char
        } else {
            '.'
        });
    }
}

/// A borrowed list of strings, the value of a list field.
#[derive(Clone, Copy)]
pub struct StrList<'a>(ListRepr<'a>);

#[derive(Clone, Copy)]
enum ListRepr<'a> {
    /// Strings packed in one buffer; `ends[i]` is the end offset of element `i`.
    Packed { buf: &'a str, ends: &'a [u32] },
    /// Strings stored one by one in the event.
    Boxed(&'a [Box<str>]),
}

impl<'a> StrList<'a> {
    /// A list over strings the event stores.
    pub fn from_boxed(items: &'a [Box<str>]) -> Self {
        StrList(ListRepr::Boxed(items))
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match self.0 {
            ListRepr::Packed { ends, .. } => ends.len(),
            ListRepr::Boxed(items) => items.len(),
        }
    }

    /// True if the list has no element (extractors never return such a list).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `i`.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self.0 {
            ListRepr::Packed { buf, ends } => {
                let end = *ends.get(i)? as usize;
                let start = if i == 0 {
                    0
                } else {
                    *ends.get(i - 1)? as usize
                };
                buf.get(start..end)
            }
            ListRepr::Boxed(items) => items.get(i).map(|s| &**s),
        }
    }

    /// The elements in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let list = *self;
        (0..list.len()).filter_map(move |i| list.get(i))
    }
}

impl fmt::Debug for StrList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for StrList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

/// Reusable buffers an extractor may build a value in (joined command lines, JSON text,
/// lists). Keep one per value that must stay alive at the same time; buffers keep their
/// capacity between events, so steady-state extraction does not allocate.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    pub(crate) buf: String,
    pub(crate) ends: Vec<u32>,
    pub(crate) ints: Vec<i64>,
}

impl Scratch {
    /// Empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
        self.ints.clear();
    }

    /// The packed strings as a list, without the empty-list rule.
    pub(crate) fn strs(&self) -> StrList<'_> {
        StrList(ListRepr::Packed {
            buf: &self.buf,
            ends: &self.ends,
        })
    }

    /// Ends the list element being written in `buf`.
    pub(crate) fn end_item(&mut self) {
        let end = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
        self.ends.push(end);
    }

    /// Pushes a whole list element.
    pub(crate) fn push_item(&mut self, s: &str) {
        self.buf.push_str(s);
        self.end_item();
    }

    /// The list built so far; [`FieldValue::Missing`] when empty.
    pub(crate) fn list(&self) -> FieldValue<'_> {
        if self.ends.is_empty() || self.buf.len() > u32::MAX as usize {
            FieldValue::Missing
        } else {
            FieldValue::StrList(StrList(ListRepr::Packed {
                buf: &self.buf,
                ends: &self.ends,
            }))
        }
    }

    /// The text built in `buf`.
    pub(crate) fn text(&self) -> FieldValue<'_> {
        FieldValue::Str(&self.buf)
    }
}

/// An owned copy of a [`FieldValue`], for tests and for keeping values past their event.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedValue {
    /// See [`FieldValue::Missing`].
    Missing,
    /// See [`FieldValue::Str`].
    Str(String),
    /// See [`FieldValue::Bytes`].
    Bytes(Vec<u8>),
    /// See [`FieldValue::U64`].
    U64(u64),
    /// See [`FieldValue::I64`].
    I64(i64),
    /// See [`FieldValue::F64`].
    F64(f64),
    /// See [`FieldValue::Bool`].
    Bool(bool),
    /// See [`FieldValue::Ip`].
    Ip(IpAddr),
    /// See [`FieldValue::Net`].
    Net(IpNet),
    /// See [`FieldValue::RelTime`].
    RelTime(u64),
    /// See [`FieldValue::AbsTime`].
    AbsTime(u64),
    /// See [`FieldValue::StrList`].
    StrList(Vec<String>),
    /// See [`FieldValue::AnyOf`]: the candidates, owned.
    AnyOf(Vec<OwnedValue>),
}

impl From<FieldValue<'_>> for OwnedValue {
    fn from(v: FieldValue<'_>) -> Self {
        match v {
            FieldValue::Missing => OwnedValue::Missing,
            FieldValue::Str(s) => OwnedValue::Str(s.to_owned()),
            FieldValue::Bytes(b) => OwnedValue::Bytes(b.to_vec()),
            FieldValue::U64(x) => OwnedValue::U64(x),
            FieldValue::I64(x) => OwnedValue::I64(x),
            FieldValue::F64(x) => OwnedValue::F64(x),
            FieldValue::Bool(x) => OwnedValue::Bool(x),
            FieldValue::Ip(x) => OwnedValue::Ip(x),
            FieldValue::Net(x) => OwnedValue::Net(x),
            FieldValue::RelTime(x) => OwnedValue::RelTime(x),
            FieldValue::AbsTime(x) => OwnedValue::AbsTime(x),
            FieldValue::StrList(l) => OwnedValue::StrList(l.iter().map(str::to_owned).collect()),
            FieldValue::AnyOf(a) => OwnedValue::AnyOf(a.iter().map(OwnedValue::from).collect()),
        }
    }
}

impl OwnedValue {
    /// A borrowed view.
    pub fn as_value(&self) -> FieldValue<'_> {
        match self {
            OwnedValue::Missing => FieldValue::Missing,
            OwnedValue::Str(s) => FieldValue::Str(s),
            OwnedValue::Bytes(b) => FieldValue::Bytes(b),
            OwnedValue::U64(x) => FieldValue::U64(*x),
            OwnedValue::I64(x) => FieldValue::I64(*x),
            OwnedValue::F64(x) => FieldValue::F64(*x),
            OwnedValue::Bool(x) => FieldValue::Bool(*x),
            OwnedValue::Ip(x) => FieldValue::Ip(*x),
            OwnedValue::Net(x) => FieldValue::Net(*x),
            OwnedValue::RelTime(x) => FieldValue::RelTime(*x),
            OwnedValue::AbsTime(x) => FieldValue::AbsTime(*x),
            // A list cannot be viewed without a buffer; render through `to_text` instead.
            OwnedValue::StrList(_) | OwnedValue::AnyOf(_) => FieldValue::Missing,
        }
    }

    /// The value as Falco prints it in a text output.
    pub fn to_text(&self) -> String {
        match self {
            OwnedValue::StrList(items) => format!("({})", items.join(",")),
            OwnedValue::AnyOf(items) => items
                .iter()
                .map(OwnedValue::to_text)
                .collect::<Vec<_>>()
                .join(" "),
            other => other.as_value().to_text(),
        }
    }
}
