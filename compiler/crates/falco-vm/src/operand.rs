//! Computing operands on an event: fields through their extractors, transformers
//! into per-level scratch buffers that keep their capacity between events.

use falco_bundle::{Operand, Transform};
use falco_events::{Event, Extractor, FieldValue, StrList};

use crate::fields::EventFields;

/// The longest text a transformer builds; longer results are `<NA>`. Bundles may
/// nest `concat` eight deep, which could otherwise double a value eight times.
const MAX_TEXT: usize = 1 << 20;

/// The buffers one nesting level of an operand computes into.
#[derive(Debug, Default)]
pub(crate) struct Level {
    scratch: falco_events::Scratch,
    text: String,
    bytes: Vec<u8>,
    list: Vec<Box<str>>,
}

/// Operands ready to run: the bundle's operands with their extractors.
#[derive(Debug)]
pub(crate) struct Operands {
    pub(crate) operands: Vec<Operand>,
    /// One per bundle field; `None` when the field cannot be read from events here.
    pub(crate) extractors: Vec<Option<Extractor>>,
}

impl Operands {
    /// The value of operand `id`, computed in `levels` (one per nesting level; the
    /// verifier bounds the depth, and a too-short slice gives `<NA>`).
    pub(crate) fn value<'a, 'e: 'a>(
        &'a self,
        id: u32,
        event: &'e Event,
        levels: &'a mut [Level],
        cache: &mut EventFields<'e>,
    ) -> FieldValue<'a> {
        let Some((level, deeper)) = levels.split_first_mut() else {
            return FieldValue::Missing;
        };
        match self.operands.get(id as usize) {
            Some(Operand::Field(f)) => self.field(*f, event, level, cache),
            Some(Operand::Literal(text)) => FieldValue::Str(text),
            Some(Operand::Transform { kind, args, arg }) => {
                self.transform((*kind, args, arg.as_deref()), event, level, deeper, cache)
            }
            Some(Operand::List(_)) | None => FieldValue::Missing,
        }
    }

    /// A field's value: kept by `fields` for the rest of the event.
    fn field<'a, 'e: 'a>(
        &'a self,
        f: u32,
        event: &'e Event,
        level: &'a mut Level,
        fields: &mut EventFields<'e>,
    ) -> FieldValue<'a> {
        let Some(Some(extractor)) = self.extractors.get(f as usize) else {
            return FieldValue::Missing;
        };
        fields.get(f, extractor, event, &mut level.scratch)
    }

    /// Applies transformer `kind` to `args` (`arg`: the bracket argument).
    fn transform<'a, 'e: 'a>(
        &'a self,
        (kind, args, arg): (Transform, &[u32], Option<&str>),
        event: &'e Event,
        level: &'a mut Level,
        deeper: &'a mut [Level],
        cache: &mut EventFields<'e>,
    ) -> FieldValue<'a> {
        level.text.clear();
        level.bytes.clear();
        level.list.clear();
        match kind {
            Transform::Concat => {
                for &a in args {
                    let v = self.value(a, event, deeper, cache);
                    if v.is_missing() {
                        return FieldValue::Missing;
                    }
                    v.write_text(&mut level.text);
                    if level.text.len() > MAX_TEXT {
                        return FieldValue::Missing;
                    }
                }
                FieldValue::Str(&level.text)
            }
            Transform::Join => {
                let (Some(&sep), Some(&list)) = (args.first(), args.get(1)) else {
                    return FieldValue::Missing;
                };
                let sep = match self.operands.get(sep as usize) {
                    Some(Operand::Literal(s)) => s.as_str(),
                    _ => "",
                };
                let items: &[u32] = match self.operands.get(list as usize) {
                    Some(Operand::List(items)) => items,
                    _ => std::slice::from_ref(&list),
                };
                let mut first = true;
                for &item in items {
                    let v = self.value(item, event, deeper, cache);
                    let mut push = |s: &str, text: &mut String| {
                        if !first {
                            text.push_str(sep);
                        }
                        first = false;
                        text.push_str(s);
                    };
                    match v {
                        // libsinsp's list argument fails as a whole when one of its
                        // elements has no value, and `join` with it.
                        FieldValue::Missing => return FieldValue::Missing,
                        FieldValue::StrList(l) => {
                            for s in l.iter() {
                                push(s, &mut level.text);
                            }
                        }
                        other => {
                            let mut tmp = String::new();
                            other.write_text(&mut tmp);
                            push(&tmp, &mut level.text);
                        }
                    }
                    if level.text.len() > MAX_TEXT {
                        return FieldValue::Missing;
                    }
                }
                FieldValue::Str(&level.text)
            }
            Transform::Getopt => self.getopt(args, arg, event, level, deeper, cache),
            _ => {
                let Some(&a) = args.first() else {
                    return FieldValue::Missing;
                };
                let v = self.value(a, event, deeper, cache);
                unary(kind, v, level)
            }
        }
    }

    /// libsinsp's `getopt`: scans argv like getopt(3) (stops at `--` and at the first
    /// non-option word, skips `--long` options, expands clusters like `-nt`). With a
    /// selector (`getopt(...)[t]`) the value of the last `-t` (its option character
    /// when it takes no value, empty when its value is missing); without one, the
    /// list of options and values, `?` for unknown options.
    fn getopt<'a, 'e: 'a>(
        &'a self,
        args: &[u32],
        selector: Option<&str>,
        event: &'e Event,
        level: &'a mut Level,
        deeper: &'a mut [Level],
        cache: &mut EventFields<'e>,
    ) -> FieldValue<'a> {
        let (Some(&words), Some(&optstring)) = (args.first(), args.get(1)) else {
            return FieldValue::Missing;
        };
        let optstring = match self.value(optstring, event, deeper, cache) {
            FieldValue::Str(s) => s.to_owned(),
            _ => return FieldValue::Missing,
        };
        let spec = parse_optstring(optstring.as_bytes());
        let mut argv: Vec<String> = Vec::new();
        let items: Vec<u32> = match self.operands.get(words as usize) {
            Some(Operand::List(items)) => items.clone(),
            _ => vec![words],
        };
        for item in items {
            match self.value(item, event, deeper, cache) {
                FieldValue::StrList(l) => argv.extend(l.iter().map(str::to_owned)),
                FieldValue::Missing => return FieldValue::Missing,
                other => argv.push(other.to_text()),
            }
        }
        let selector = selector.and_then(|s| s.bytes().next());
        let mut selected: Option<String> = None;
        let mut results: Vec<String> = Vec::new();
        let mut i = 0;
        while let Some(word) = argv.get(i) {
            if word == "--" {
                break;
            }
            if word.len() > 2 && word.starts_with("--") {
                i += 1;
                continue;
            }
            if word.len() < 2 || !word.starts_with('-') {
                break;
            }
            let bytes = word.as_bytes();
            let mut k = 1;
            while let Some(&opt) = bytes.get(k) {
                let known = opt != b':' && spec.iter().any(|&(o, _)| o == opt);
                if !known {
                    if selector.is_none() {
                        results.push("?".to_owned());
                    }
                    k += 1;
                    continue;
                }
                let takes_value = spec.iter().any(|&(o, v)| o == opt && v);
                let wanted = selector.is_none_or(|s| s == opt);
                let name = char::from(opt).to_string();
                if !takes_value {
                    if wanted {
                        match selector {
                            Some(_) => selected = Some(name),
                            None => results.push(name),
                        }
                    }
                    k += 1;
                    continue;
                }
                let rest = bytes.get(k + 1..).unwrap_or_default();
                let value = if !rest.is_empty() {
                    Some(String::from_utf8_lossy(rest).into_owned())
                } else if let Some(next) = argv.get(i + 1) {
                    i += 1;
                    Some(next.clone())
                } else {
                    None
                };
                if wanted {
                    match (selector, value) {
                        (Some(_), value) => selected = Some(value.unwrap_or_default()),
                        (None, Some(value)) => {
                            results.push(name);
                            results.push(value);
                        }
                        // libsinsp lists an empty string, not the option, when the
                        // option's value is missing.
                        (None, None) => results.push(String::new()),
                    }
                }
                break;
            }
            i += 1;
        }
        match selector {
            Some(_) => match selected {
                Some(v) => {
                    level.text = v;
                    FieldValue::Str(&level.text)
                }
                None => FieldValue::Missing,
            },
            None => {
                level.list = results.into_iter().map(String::into_boxed_str).collect();
                if level.list.is_empty() {
                    FieldValue::Missing
                } else {
                    FieldValue::StrList(StrList::from_boxed(&level.list))
                }
            }
        }
    }
}

/// The options of a getopt(3) optstring and whether each takes a value.
fn parse_optstring(spec: &[u8]) -> Vec<(u8, bool)> {
    let mut out = Vec::new();
    let mut i = usize::from(spec.first() == Some(&b':'));
    while let Some(&opt) = spec.get(i) {
        if opt != b':' {
            let takes_value = spec.get(i + 1) == Some(&b':');
            out.push((opt, takes_value));
            if takes_value {
                i += 1;
            }
        }
        i += 1;
    }
    out
}

/// The single-argument transformers.
fn unary<'a>(kind: Transform, v: FieldValue<'_>, level: &'a mut Level) -> FieldValue<'a> {
    let apply = |s: &[u8], out: &mut Vec<u8>| match kind {
        Transform::ToLower => out.extend(s.iter().map(u8::to_ascii_lowercase)),
        Transform::ToUpper => out.extend(s.iter().map(u8::to_ascii_uppercase)),
        Transform::Basename => {
            let base = match s.iter().rposition(|&b| b == b'/') {
                Some(i) => s.get(i + 1..).unwrap_or_default(),
                None => s,
            };
            out.extend_from_slice(base);
        }
        _ => {}
    };
    match (kind, v) {
        (_, FieldValue::Missing) => FieldValue::Missing,
        (Transform::Len, FieldValue::Str(s)) => FieldValue::U64(s.len() as u64),
        (Transform::Len, FieldValue::Bytes(b)) => FieldValue::U64(b.len() as u64),
        (Transform::Len, FieldValue::StrList(l)) => FieldValue::U64(l.len() as u64),
        (Transform::Len, _) => FieldValue::Missing,
        (Transform::B64, FieldValue::Str(s)) => b64(s.as_bytes(), level),
        (Transform::B64, FieldValue::Bytes(b)) => b64(b, level),
        (_, FieldValue::Str(s)) => {
            apply(s.as_bytes(), &mut level.bytes);
            text_or_bytes(level)
        }
        (_, FieldValue::Bytes(b)) => {
            apply(b, &mut level.bytes);
            FieldValue::Bytes(&level.bytes)
        }
        (_, FieldValue::StrList(l)) => {
            for s in l.iter() {
                let mut out = Vec::new();
                apply(s.as_bytes(), &mut out);
                level
                    .list
                    .push(String::from_utf8_lossy(&out).into_owned().into_boxed_str());
            }
            if level.list.is_empty() {
                FieldValue::Missing
            } else {
                FieldValue::StrList(StrList::from_boxed(&level.list))
            }
        }
        _ => FieldValue::Missing,
    }
}

fn text_or_bytes(level: &mut Level) -> FieldValue<'_> {
    level.text.clear();
    match std::str::from_utf8(&level.bytes) {
        Ok(s) => {
            level.text.push_str(s);
            FieldValue::Str(&level.text)
        }
        Err(_) => FieldValue::Bytes(&level.bytes),
    }
}

/// Base64 as libsinsp's `Base64::decodeWithoutPadding` reads it: the standard alphabet,
/// up to two trailing `=` (not checked against the length), and `<NA>` for anything else:
/// a character outside the alphabet (an `=` before the end included), a length of the
/// form 4n+1 once the padding is removed, padding alone, or non-zero unused bits in the
/// last character.
fn b64<'a>(input: &[u8], level: &'a mut Level) -> FieldValue<'a> {
    let mut data = input;
    for _ in 0..2 {
        if let Some((b'=', rest)) = data.split_last() {
            data = rest;
        }
    }
    if (data.is_empty() && !input.is_empty()) || data.len() % 4 == 1 {
        return FieldValue::Missing;
    }
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in data {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return FieldValue::Missing,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            level.bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // What is left of the last character must be zero bits.
    if acc != 0 {
        return FieldValue::Missing;
    }
    text_or_bytes(level)
}
