//! Scalar decoding with yaml-cpp's rules (booleans, unsigned integers) and Falco's
//! version and name rules.

use crate::Version;

/// yaml-cpp's boolean: `y/n`, `yes/no`, `true/false`, `on/off`, each all lowercase,
/// all uppercase, or capitalized.
pub(crate) fn yaml_bool(text: &str) -> Option<bool> {
    const NAMES: &[(&str, bool)] = &[
        ("y", true),
        ("n", false),
        ("yes", true),
        ("no", false),
        ("true", true),
        ("false", false),
        ("on", true),
        ("off", false),
    ];
    let flexible = {
        let mut chars = text.chars();
        let rest: String = chars.by_ref().skip(1).collect();
        text == text.to_ascii_lowercase()
            || text == text.to_ascii_uppercase()
            || rest == rest.to_ascii_lowercase()
    };
    if !flexible {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    NAMES
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, value)| *value)
}

/// yaml-cpp's unsigned integer (a C++ stream read with base detection): an optional
/// `+`, then decimal, `0x` hexadecimal or `0` octal digits, then only trailing
/// whitespace; no leading whitespace, no `-`, and it must fit in `max`.
pub(crate) fn yaml_unsigned(text: &str, max: u64) -> Option<u64> {
    let body = text.trim_end_matches([' ', '\t', '\n', '\r', '\u{b}', '\u{c}']);
    let body = body.strip_prefix('+').unwrap_or(body);
    let (digits, radix) =
        if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (hex, 16)
        } else if body.len() > 1 && body.starts_with('0') {
            (&body[1..], 8)
        } else {
            (body, 10)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix)
        .ok()
        .filter(|value| *value <= max)
}

/// A version as libsinsp reads it (`sscanf("%u.%u.%u")`): three numbers separated by
/// dots, each optionally preceded by blanks; anything after the third number is
/// ignored.
pub(crate) fn sinsp_version(text: &str) -> Option<Version> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut parts = [0u64; 3];
    for (index, part) in parts.iter_mut().enumerate() {
        if index > 0 {
            if bytes.get(pos) != Some(&b'.') {
                return None;
            }
            pos += 1;
        }
        while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
            pos += 1;
        }
        let negative = match bytes.get(pos) {
            Some(b'+') => {
                pos += 1;
                false
            }
            Some(b'-') => {
                pos += 1;
                true
            }
            _ => false,
        };
        let start = pos;
        while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        if pos == start {
            return None;
        }
        let value: u64 = text[start..pos].parse().unwrap_or(u64::MAX);
        let value = value.min(u64::from(u32::MAX));
        // `%u` wraps a negative number around, as C does.
        *part = if negative {
            u64::from((value as u32).wrapping_neg())
        } else {
            value
        };
    }
    Some(Version {
        major: parts[0],
        minor: parts[1],
        patch: parts[2],
    })
}

/// Whether `name` can be referenced as a macro: `[a-zA-Z]+[a-zA-Z0-9_]*`.
pub(crate) fn is_macro_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `name` can be referenced as a list: one or more characters, none of them
/// a parenthesis, quote, whitespace, `=` or `,`.
pub(crate) fn is_list_name(name: &str) -> bool {
    !name.is_empty()
        && !name.chars().any(|c| {
            matches!(c, '(' | ')' | '"' | '\'' | '=' | ',')
                || matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}')
        })
}
