//! A plain evaluator of typed conditions, written from libsinsp's comparison rules
//! (`filter_compare.cpp`, `sinsp_filter_check::compare`) without precompiled matchers: every
//! check extracts its field with `falco_events::Extractor` and compares value by value.
//!
//! The rules it follows:
//! - a field without a value (`<NA>`) makes every comparison false, `exists` included;
//!   `not` of such a comparison is true;
//! - a list field (`StrList`) takes `in` (every element is in the set), `intersects` (some
//!   element is) and `exists`; the compare-any fields (`AnyOf`) hold when the check holds
//!   for one candidate;
//! - modifiers count the right-hand elements that hold: `oneof` exactly one, `anyof` at
//!   least one, `allof` all of them;
//! - a transformer whose input is `<NA>` (or whose `b64` input does not decode) yields
//!   `<NA>`.

use std::net::IpAddr;

use falco_condition::ast::{Modifier, Op, TransformKind};
use falco_events::{Event, Extractor, FieldValue, Scratch};
use falco_typeck::{
    Literal, TypedCheck, TypedExpr, TypedField, TypedLiteral, TypedOperand, TypedValue,
};
use ipnet::IpNet;

/// One value of an operand.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(String),
    Bytes(Vec<u8>),
    Int(i128),
    Float(f64),
    Bool(bool),
    Ip(IpAddr),
    Net(IpNet),
}

/// An operand's value on one event.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// `<NA>`.
    Missing,
    /// One value.
    One(Val),
    /// A list field's elements (never empty).
    List(Vec<Val>),
    /// Candidates of a compare-any field.
    Any(Vec<Val>),
}

/// Evaluates `expr` on `event` for rules of `source`. Macro references are not expanded
/// here: the differential test generates conditions without them, and this returns
/// `None` if it meets one (or an error node).
pub fn eval(expr: &TypedExpr, event: &Event, source: &str) -> Option<bool> {
    Some(match expr {
        TypedExpr::And(children, _) => {
            for child in children {
                if !eval(child, event, source)? {
                    return Some(false);
                }
            }
            true
        }
        TypedExpr::Or(children, _) => {
            for child in children {
                if eval(child, event, source)? {
                    return Some(true);
                }
            }
            false
        }
        TypedExpr::Not(child, _) => !eval(child, event, source)?,
        TypedExpr::Check(check) => eval_check(check, event, source)?,
        TypedExpr::Macro(_) | TypedExpr::Error(_) => return None,
    })
}

fn eval_check(check: &TypedCheck, event: &Event, source: &str) -> Option<bool> {
    if check.has_error {
        return None;
    }
    let left = operand(&check.left, event, source)?;
    if check.op == Op::Exists {
        return Some(!matches!(left, Operand::Missing));
    }
    let rights: Vec<Val> = match &check.right {
        TypedValue::None => return None,
        TypedValue::Single(lit) => vec![literal(lit)?],
        TypedValue::List(lits, _) => lits.iter().map(literal).collect::<Option<_>>()?,
        TypedValue::Field(op) => match operand(op, event, source)? {
            Operand::Missing => return Some(false),
            Operand::One(v) => vec![v],
            Operand::List(vs) | Operand::Any(vs) => vs,
        },
    };
    let candidates: Vec<Val> = match left {
        Operand::Missing => return Some(false),
        Operand::One(v) => vec![v],
        Operand::Any(vs) => vs,
        Operand::List(vs) => {
            // List fields: `in` needs every element in the set, `intersects` one.
            let member = |v: &Val| rights.iter().any(|r| equal(v, r));
            return Some(match check.op {
                Op::In => vs.iter().all(member),
                Op::Intersects => vs.iter().any(member),
                _ => return None,
            });
        }
    };
    // A compare-any field holds when the whole check (modifier included) holds for one
    // candidate, as libsinsp compares ancestor by ancestor.
    Some(candidates.iter().any(|c| {
        let holds = |r: &Val| compare(check.op, c, r);
        match (check.op, check.modifier) {
            (Op::In | Op::Intersects | Op::PMatch, _) => rights.iter().any(holds),
            (_, None) => rights.first().is_some_and(holds),
            (_, Some(Modifier::OneOf)) => rights.iter().filter(|r| holds(r)).count() == 1,
            (_, Some(Modifier::AnyOf)) => rights.iter().any(holds),
            (_, Some(Modifier::AllOf)) => rights.iter().all(holds),
        }
    }))
}

/// `lhs op rhs` for one value on each side.
fn compare(op: Op, lhs: &Val, rhs: &Val) -> bool {
    match op {
        Op::Eq | Op::EqEq | Op::In | Op::Intersects => equal(lhs, rhs),
        Op::Ne => !equal(lhs, rhs),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => match order(lhs, rhs) {
            Some(ordering) => match op {
                Op::Lt => ordering.is_lt(),
                Op::Le => ordering.is_le(),
                Op::Gt => ordering.is_gt(),
                _ => ordering.is_ge(),
            },
            None => false,
        },
        Op::Contains | Op::BContains => {
            let (Some(hay), Some(needle)) = (bytes(lhs), bytes(rhs)) else {
                return false;
            };
            needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
        }
        Op::IContains => match (lhs, rhs) {
            (Val::Str(hay), Val::Str(needle)) => hay
                .to_ascii_lowercase()
                .contains(&needle.to_ascii_lowercase()),
            _ => false,
        },
        Op::StartsWith | Op::BStartsWith => match (bytes(lhs), bytes(rhs)) {
            (Some(hay), Some(prefix)) => hay.starts_with(prefix),
            _ => false,
        },
        Op::EndsWith => match (bytes(lhs), bytes(rhs)) {
            (Some(hay), Some(suffix)) => hay.ends_with(suffix),
            _ => false,
        },
        Op::Glob | Op::IGlob => match (lhs, rhs) {
            (Val::Str(text), Val::Str(pattern)) => {
                if op == Op::IGlob {
                    glob(
                        pattern.to_ascii_lowercase().as_bytes(),
                        text.to_ascii_lowercase().as_bytes(),
                    )
                } else {
                    glob(pattern.as_bytes(), text.as_bytes())
                }
            }
            _ => false,
        },
        Op::Regex => match (lhs, rhs) {
            (Val::Str(text), Val::Str(pattern)) => {
                let anchored = format!("^(?:{})$", falco_typeck::re2_to_rust(pattern));
                regex::Regex::new(&anchored).is_ok_and(|re| re.is_match(text))
            }
            _ => false,
        },
        Op::PMatch => match (lhs, rhs) {
            (Val::Str(path), Val::Str(prefix)) => path_prefix(prefix, path),
            _ => false,
        },
        Op::Exists => true,
    }
}

fn equal(lhs: &Val, rhs: &Val) -> bool {
    match (lhs, rhs) {
        (Val::Ip(ip), Val::Net(net)) | (Val::Net(net), Val::Ip(ip)) => net.contains(ip),
        (Val::Int(a), Val::Float(b)) | (Val::Float(b), Val::Int(a)) => (*a as f64) == *b,
        (Val::Str(a), Val::Bytes(b)) | (Val::Bytes(b), Val::Str(a)) => a.as_bytes() == b,
        (Val::Bool(a), Val::Int(b)) | (Val::Int(b), Val::Bool(a)) => i128::from(*a) == *b,
        (a, b) => a == b,
    }
}

fn order(lhs: &Val, rhs: &Val) -> Option<std::cmp::Ordering> {
    match (lhs, rhs) {
        (Val::Int(a), Val::Int(b)) => Some(a.cmp(b)),
        (Val::Float(a), Val::Float(b)) => a.partial_cmp(b),
        (Val::Int(a), Val::Float(b)) => (*a as f64).partial_cmp(b),
        (Val::Float(a), Val::Int(b)) => a.partial_cmp(&(*b as f64)),
        // strcmp: byte order.
        (Val::Str(a), Val::Str(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        _ => None,
    }
}

fn bytes(v: &Val) -> Option<&[u8]> {
    match v {
        Val::Str(s) => Some(s.as_bytes()),
        Val::Bytes(b) => Some(b),
        _ => None,
    }
}

/// `prefix` is `path` or one of its parent directories, compared component by component
/// as libsinsp's `path_prefix_search` splits them: on `/`, empty components dropped (so
/// `/etc/`, `/etc` and `etc` are the same, and `""` is a prefix of every path). A prefix
/// component holding `*`, `?` or `[` is matched as a glob, the others as they are.
fn path_prefix(prefix: &str, path: &str) -> bool {
    let components = |p: &'_ str| -> Vec<String> {
        p.split('/')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (prefix, path) = (components(prefix), components(path));
    prefix.len() <= path.len()
        && prefix.iter().zip(&path).all(|(p, c)| {
            if p.contains(['*', '?', '[']) {
                glob(p.as_bytes(), c.as_bytes())
            } else {
                p == c
            }
        })
}

/// Shell-style glob over bytes: `*` any run, `?` one byte, `[...]` a class (`!`/`^`
/// negates, `a-z` ranges), `\` escapes the next byte.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((b'?', rest)) => !text.is_empty() && glob(rest, &text[1..]),
        Some((b'[', rest)) => {
            let Some((&c, text_rest)) = text.split_first() else {
                return false;
            };
            let (negate, body) = match rest.first() {
                Some(b'!' | b'^') => (true, &rest[1..]),
                _ => (false, rest),
            };
            // The first `]` right after the opening is a member.
            let Some(end) = body.iter().skip(1).position(|&b| b == b']').map(|i| i + 1) else {
                return !text.is_empty() && text[0] == b'[' && glob(rest, &text[1..]);
            };
            let class = &body[..end];
            let mut matched = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    matched |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    matched |= class[i] == c;
                    i += 1;
                }
            }
            matched != negate && glob(&body[end + 1..], text_rest)
        }
        Some((b'\\', rest)) if !rest.is_empty() => {
            text.first() == rest.first() && glob(&rest[1..], &text[1..])
        }
        Some((&p, rest)) => text.first() == Some(&p) && glob(rest, &text[1..]),
    }
}

fn literal(lit: &TypedLiteral) -> Option<Val> {
    Some(match &lit.value {
        Literal::Str(_) | Literal::Regex(_) | Literal::Unchecked(_) => Val::Str(lit.text.clone()),
        Literal::Bytes(b) => Val::Bytes(b.clone()),
        Literal::Int(i) => Val::Int(i128::from(*i)),
        Literal::UInt(u) | Literal::RelTimeNs(u) | Literal::AbsTimeNs(u) => {
            Val::Int(i128::from(*u))
        }
        Literal::Port(p) => Val::Int(i128::from(*p)),
        Literal::Double(d) => Val::Float(*d),
        Literal::Bool(b) => Val::Bool(*b),
        Literal::Ip(ip) => Val::Ip(*ip),
        Literal::Net { addr, prefix } => Val::Net(IpNet::new(*addr, *prefix).ok()?.trunc()),
        Literal::Error => return None,
    })
}

/// A field value as plain values.
fn from_field(value: FieldValue<'_>) -> Operand {
    let one = |v: FieldValue<'_>| -> Option<Val> {
        Some(match v {
            FieldValue::Missing | FieldValue::StrList(_) | FieldValue::AnyOf(_) => return None,
            FieldValue::Str(s) => Val::Str(s.to_owned()),
            FieldValue::Bytes(b) => Val::Bytes(b.to_vec()),
            FieldValue::U64(x) | FieldValue::RelTime(x) | FieldValue::AbsTime(x) => {
                Val::Int(i128::from(x))
            }
            FieldValue::I64(x) => Val::Int(i128::from(x)),
            FieldValue::F64(x) => Val::Float(x),
            FieldValue::Bool(b) => Val::Bool(b),
            FieldValue::Ip(ip) => Val::Ip(ip),
            FieldValue::Net(net) => Val::Net(net),
        })
    };
    match value {
        FieldValue::Missing => Operand::Missing,
        FieldValue::StrList(list) => {
            let items: Vec<Val> = list.iter().map(|s| Val::Str(s.to_owned())).collect();
            if items.is_empty() {
                Operand::Missing
            } else {
                Operand::List(items)
            }
        }
        FieldValue::AnyOf(any) => {
            let items: Vec<Val> = any.iter().filter_map(one).collect();
            if items.is_empty() {
                Operand::Missing
            } else {
                Operand::Any(items)
            }
        }
        other => one(other).map_or(Operand::Missing, Operand::One),
    }
}

fn field(field: &TypedField, event: &Event, source: &str) -> Option<Operand> {
    let extractor = Extractor::new(source, &field.name, field.arg.as_deref()).ok()?;
    let mut scratch = Scratch::new();
    Some(from_field(extractor.extract(event, &mut scratch)))
}

fn operand(op: &TypedOperand, event: &Event, source: &str) -> Option<Operand> {
    match op {
        TypedOperand::Field(f) => field(f, event, source),
        TypedOperand::Literal(text, _) => Some(Operand::One(Val::Str(text.clone()))),
        // A transformer's list argument (libsinsp's `list_check`): the values of its
        // elements in order; `<NA>` as a whole when one element has no value. A list
        // field without elements adds nothing, so the result may be empty.
        TypedOperand::List(items, _) => {
            let mut out = Vec::new();
            for item in items {
                if let TypedOperand::Field(f) = item {
                    let extractor = Extractor::new(source, &f.name, f.arg.as_deref()).ok()?;
                    let mut scratch = Scratch::new();
                    if let FieldValue::StrList(list) = extractor.extract(event, &mut scratch) {
                        out.extend(list.iter().map(|s| Val::Str(s.to_owned())));
                        continue;
                    }
                }
                match operand(item, event, source)? {
                    Operand::Missing => return Some(Operand::Missing),
                    Operand::One(v) => out.push(v),
                    Operand::List(vs) | Operand::Any(vs) => out.extend(vs),
                }
            }
            Some(Operand::List(out))
        }
        TypedOperand::Transform(t) => {
            let args: Vec<Operand> = t
                .args
                .iter()
                .map(|a| operand(a, event, source))
                .collect::<Option<_>>()?;
            Some(transform(t.kind, &args, t.arg.as_deref()))
        }
        TypedOperand::Error(_) => None,
    }
}

/// Applies a transformer (`arg`: the bracket argument, for `getopt`); `<NA>` in gives
/// `<NA>` out.
fn transform(kind: TransformKind, args: &[Operand], arg: Option<&str>) -> Operand {
    let map_each = |arg: &Operand, f: &dyn Fn(&Val) -> Option<Val>| -> Operand {
        match arg {
            Operand::Missing => Operand::Missing,
            Operand::One(v) => f(v).map_or(Operand::Missing, Operand::One),
            Operand::List(vs) => match vs.iter().map(f).collect::<Option<Vec<_>>>() {
                Some(out) => Operand::List(out),
                None => Operand::Missing,
            },
            Operand::Any(vs) => match vs.iter().map(f).collect::<Option<Vec<_>>>() {
                Some(out) => Operand::Any(out),
                None => Operand::Missing,
            },
        }
    };
    let text = |v: &Val| match v {
        Val::Str(s) => Some(s.clone()),
        Val::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    };
    let first = args.first().unwrap_or(&Operand::Missing);
    match kind {
        TransformKind::ToLower => map_each(first, &|v| match v {
            Val::Str(s) => Some(Val::Str(s.to_ascii_lowercase())),
            _ => None,
        }),
        TransformKind::ToUpper => map_each(first, &|v| match v {
            Val::Str(s) => Some(Val::Str(s.to_ascii_uppercase())),
            _ => None,
        }),
        TransformKind::Basename => map_each(first, &|v| match v {
            Val::Str(s) => Some(Val::Str(
                s.rsplit_once('/').map_or(s.as_str(), |(_, b)| b).to_owned(),
            )),
            _ => None,
        }),
        TransformKind::B64 => map_each(first, &|v| {
            let decoded = base64_decode(bytes(v)?)?;
            // libsinsp keeps the decoded bytes as they are, text or not.
            Some(match (v, String::from_utf8(decoded)) {
                (Val::Str(_), Ok(text)) => Val::Str(text),
                (_, Ok(text)) => Val::Bytes(text.into_bytes()),
                (_, Err(e)) => Val::Bytes(e.into_bytes()),
            })
        }),
        TransformKind::Len => match first {
            Operand::Missing => Operand::Missing,
            Operand::List(vs) => Operand::One(Val::Int(vs.len() as i128)),
            Operand::One(v) => bytes(v).map_or(Operand::Missing, |b| {
                Operand::One(Val::Int(b.len() as i128))
            }),
            Operand::Any(vs) => Operand::Any(
                vs.iter()
                    .filter_map(|v| bytes(v).map(|b| Val::Int(b.len() as i128)))
                    .collect(),
            ),
        },
        TransformKind::Concat => {
            let mut out = String::new();
            for arg in args {
                match arg {
                    Operand::One(v) => match text(v) {
                        Some(s) => out.push_str(&s),
                        None => return Operand::Missing,
                    },
                    _ => return Operand::Missing,
                }
            }
            Operand::One(Val::Str(out))
        }
        TransformKind::Join => {
            let (Some(Operand::One(sep)), Some(list)) = (args.first(), args.get(1)) else {
                return Operand::Missing;
            };
            let Some(sep) = text(sep) else {
                return Operand::Missing;
            };
            let items: Vec<String> = match list {
                Operand::Missing => return Operand::Missing,
                Operand::One(v) => text(v).into_iter().collect(),
                Operand::List(vs) | Operand::Any(vs) => vs.iter().filter_map(text).collect(),
            };
            Operand::One(Val::Str(items.join(&sep)))
        }
        TransformKind::Getopt => {
            let words: Vec<String> = match args.first() {
                Some(Operand::List(vs) | Operand::Any(vs)) => vs.iter().filter_map(text).collect(),
                Some(Operand::One(v)) => text(v).into_iter().collect(),
                _ => return Operand::Missing,
            };
            let Some(Operand::One(optstring)) = args.get(1) else {
                return Operand::Missing;
            };
            let Some(optstring) = text(optstring) else {
                return Operand::Missing;
            };
            getopt(&words, &optstring, arg.and_then(|a| a.bytes().next()))
        }
        TransformKind::Val => Operand::Missing,
    }
}

/// libsinsp's `getopt` transformer: POSIX short options read from `words` until `--`, a
/// word that is not an option, or the end; `--long` words are skipped. Without a selector
/// the result lists each option (`?` for an unknown one) followed by its value; with one,
/// it is the value (or the option itself, when it takes none) of the last occurrence of
/// that option, `""` when its value is missing, and `<NA>` when it does not occur.
fn getopt(words: &[String], optstring: &str, selector: Option<u8>) -> Operand {
    let spec = optstring.as_bytes();
    let spec = spec.strip_prefix(b":").unwrap_or(spec);
    let mut valid = [false; 256];
    let mut takes_value = [false; 256];
    let mut i = 0;
    while i < spec.len() {
        let c = spec[i];
        if c != b':' {
            valid[usize::from(c)] = true;
            if spec.get(i + 1) == Some(&b':') {
                takes_value[usize::from(c)] = true;
                i += 1;
            }
        }
        i += 1;
    }
    let mut out: Vec<String> = Vec::new();
    let mut selected: Option<String> = None;
    let mut index = 0;
    'words: while index < words.len() {
        let word = words[index].as_bytes();
        if word == b"--" {
            break;
        }
        if word.len() > 2 && word.starts_with(b"--") {
            index += 1;
            continue;
        }
        if word.len() < 2 || word[0] != b'-' {
            break;
        }
        for at in 1..word.len() {
            let c = word[at];
            if c == b':' || !valid[usize::from(c)] {
                if selector.is_none() {
                    out.push("?".to_owned());
                }
                continue;
            }
            let wanted = selector.is_none_or(|s| s == c);
            let name = String::from_utf8_lossy(&word[at..=at]).into_owned();
            if !takes_value[usize::from(c)] {
                if wanted {
                    match selector {
                        Some(_) => selected = Some(name),
                        None => out.push(name),
                    }
                }
                continue;
            }
            let value = if at + 1 < word.len() {
                Some(String::from_utf8_lossy(&word[at + 1..]).into_owned())
            } else if index + 1 < words.len() {
                index += 1;
                Some(words[index].clone())
            } else {
                None
            };
            if wanted {
                match (selector, value) {
                    (Some(_), Some(v)) => selected = Some(v),
                    (Some(_), None) => selected = Some(String::new()),
                    (None, Some(v)) => {
                        out.push(name);
                        out.push(v);
                    }
                    (None, None) => out.push(String::new()),
                }
            }
            index += 1;
            continue 'words;
        }
        index += 1;
    }
    match selector {
        Some(_) => selected.map_or(Operand::Missing, |v| Operand::One(Val::Str(v))),
        None if out.is_empty() => Operand::Missing,
        None => Operand::List(out.into_iter().map(Val::Str).collect()),
    }
}

/// Base64 as libsinsp decodes it (`Base64::decodeWithoutPadding`): standard alphabet, at
/// most two `=` at the end and none elsewhere, no length of the form 4n+1, and the unused
/// low bits of the last character zero. `None` when the input is refused.
fn base64_decode(input: &[u8]) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let trimmed: &[u8] = {
        let end = input.iter().rposition(|&c| c != b'=').map_or(0, |i| i + 1);
        &input[..end]
    };
    // Padding alone (`=`, `==`) is refused too: libsinsp then reads the first `=` as data.
    if input.len() - trimmed.len() > 2
        || trimmed.len() % 4 == 1
        || (trimmed.is_empty() && !input.is_empty())
    {
        return None;
    }
    let mut out = Vec::new();
    for chunk in trimmed.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        // A partial group must not leave bits behind.
        let unused = match chunk.len() {
            2 => 0x00ffff,
            3 => 0x0000ff,
            _ => 0,
        };
        if acc & unused != 0 {
            return None;
        }
        let n = chunk.len() * 6 / 8;
        for i in 0..n {
            out.push((acc >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}
