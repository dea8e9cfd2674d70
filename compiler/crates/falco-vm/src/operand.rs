//! Computing operands on an event: fields through their extractors, transformers
//! into per-level scratch buffers that keep their capacity between events.

use falco_bundle::{Operand, Transform};
use falco_events::{Event, Extractor, FieldValue, StrList};

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
    pub(crate) fn value<'a>(
        &'a self,
        id: u32,
        event: &'a Event,
        levels: &'a mut [Level],
    ) -> FieldValue<'a> {
        let Some((level, deeper)) = levels.split_first_mut() else {
            return FieldValue::Missing;
        };
        match self.operands.get(id as usize) {
            Some(Operand::Field(f)) => match self.extractors.get(*f as usize) {
                Some(Some(extractor)) => extractor.extract(event, &mut level.scratch),
                _ => FieldValue::Missing,
            },
            Some(Operand::Literal(text)) => FieldValue::Str(text),
            Some(Operand::Transform { kind, args, arg }) => {
                self.transform(*kind, args, arg.as_deref(), event, level, deeper)
            }
            Some(Operand::List(_)) | None => FieldValue::Missing,
        }
    }

    fn transform<'a>(
        &'a self,
        kind: Transform,
        args: &[u32],
        arg: Option<&str>,
        event: &'a Event,
        level: &'a mut Level,
        deeper: &'a mut [Level],
    ) -> FieldValue<'a> {
        level.text.clear();
        level.bytes.clear();
        level.list.clear();
        match kind {
            Transform::Concat => {
                for &a in args {
                    let v = self.value(a, event, deeper);
                    if v.is_missing() {
                        return FieldValue::Missing;
                    }
                    v.write_text(&mut level.text);
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
                    _ => std::slice::from_ref(&args[1]),
                };
                let mut first = true;
                for &item in items {
                    let v = self.value(item, event, deeper);
                    let mut push = |s: &str, text: &mut String| {
                        if !first {
                            text.push_str(sep);
                        }
                        first = false;
                        text.push_str(s);
                    };
                    match v {
                        FieldValue::Missing => {}
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
                }
                FieldValue::Str(&level.text)
            }
            Transform::Getopt => self.getopt(args, arg, event, level, deeper),
            _ => {
                let Some(&a) = args.first() else {
                    return FieldValue::Missing;
                };
                let v = self.value(a, event, deeper);
                unary(kind, v, level)
            }
        }
    }

    fn getopt<'a>(
        &'a self,
        args: &[u32],
        opt: Option<&str>,
        event: &'a Event,
        level: &'a mut Level,
        deeper: &'a mut [Level],
    ) -> FieldValue<'a> {
        let (Some(&words), Some(&optstring), Some(opt)) = (args.first(), args.get(1), opt) else {
            return FieldValue::Missing;
        };
        let optstring = match self.operands.get(optstring as usize) {
            Some(Operand::Literal(s)) => s.clone(),
            _ => return FieldValue::Missing,
        };
        // Collect the words: a list operand of literals/fields, or a list field.
        let mut words_out: Vec<String> = Vec::new();
        let items: Vec<u32> = match self.operands.get(words as usize) {
            Some(Operand::List(items)) => items.clone(),
            _ => vec![words],
        };
        for item in items {
            match self.value(item, event, deeper) {
                FieldValue::StrList(l) => words_out.extend(l.iter().map(str::to_owned)),
                FieldValue::Missing => {}
                FieldValue::Str(s) => words_out.extend(s.split(' ').map(str::to_owned)),
                other => words_out.push(other.to_text()),
            }
        }
        let Some(wanted) = opt.chars().next() else {
            return FieldValue::Missing;
        };
        let spec = optstring.as_bytes();
        let mut i = 0;
        let mut found: Option<String> = None;
        while let Some(word) = words_out.get(i) {
            i += 1;
            if word == "--" || !word.starts_with('-') || word.len() < 2 {
                continue;
            }
            let chars: Vec<char> = word.chars().skip(1).collect();
            for (k, c) in chars.iter().enumerate() {
                let Some(pos) = spec.iter().position(|&b| char::from(b) == *c) else {
                    continue;
                };
                let takes_value = spec.get(pos + 1) == Some(&b':');
                if takes_value {
                    let rest: String = chars.get(k + 1..).unwrap_or_default().iter().collect();
                    let value = if rest.is_empty() {
                        let v = words_out.get(i).cloned();
                        i += 1;
                        v
                    } else {
                        Some(rest)
                    };
                    if *c == wanted {
                        found = value;
                    }
                    break;
                }
                if *c == wanted {
                    found = Some(String::new());
                }
            }
        }
        match found {
            Some(v) => {
                level.text = v;
                FieldValue::Str(&level.text)
            }
            None => FieldValue::Missing,
        }
    }
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

/// Standard base64 (padding optional); invalid input gives `<NA>`.
fn b64<'a>(input: &[u8], level: &'a mut Level) -> FieldValue<'a> {
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in input.iter().take_while(|&&c| c != b'=') {
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
    text_or_bytes(level)
}
