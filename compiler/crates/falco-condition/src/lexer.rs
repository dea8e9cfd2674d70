//! Byte-level token recognisers with libsinsp's exact rules.
//!
//! Each function looks at the start of `s` and returns the length of the longest
//! match (0 when nothing matches), like the POSIX regexes libsinsp anchors at its
//! cursor. The grammar wraps them into parsers; keeping them as plain functions makes
//! them fast and easy to test.

/// The blanks libsinsp skips between tokens (`lex_blank`).
pub(crate) fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x08 | b'\r' | b'\n')
}

/// POSIX `[:space:]`, used by the `not` keyword and the bare-string classes.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn is_ident_tail(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Blanks (possibly none).
pub(crate) fn blank_len(s: &[u8]) -> usize {
    let mut i = 0;
    while i < s.len() && is_blank(s[i]) {
        i += 1;
    }
    i
}

/// `[a-zA-Z]+[a-zA-Z0-9_]*`
pub(crate) fn ident_len(s: &[u8]) -> usize {
    ident_len_from(s, 0)
}

/// The length of the identifier starting at `from` (0 when there is none).
fn ident_len_from(s: &[u8], from: usize) -> usize {
    match s.get(from) {
        Some(b) if b.is_ascii_alphabetic() => {
            let mut i = from + 1;
            while i < s.len() && is_ident_tail(s[i]) {
                i += 1;
            }
            i - from
        }
        _ => 0,
    }
}

/// `Identifier(\.Identifier)+`, longest match.
pub(crate) fn field_name_len(s: &[u8]) -> usize {
    let mut len = ident_len(s);
    if len == 0 || s.get(len) != Some(&b'.') {
        return 0;
    }
    let mut parts = 1;
    while s.get(len) == Some(&b'.') {
        let next = ident_len_from(s, len + 1);
        if next == 0 {
            break;
        }
        len += 1 + next;
        parts += 1;
    }
    if parts >= 2 { len } else { 0 }
}

/// `0[xX][0-9a-fA-F]+`
pub(crate) fn hex_len(s: &[u8]) -> usize {
    if s.len() >= 3 && s[0] == b'0' && (s[1] == b'x' || s[1] == b'X') {
        let digits = s[2..].iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if digits > 0 {
            return 2 + digits;
        }
    }
    0
}

/// `[+\-]?[0-9]+[\.]?[0-9]*([eE][+\-][0-9]+)?`
pub(crate) fn num_len(s: &[u8]) -> usize {
    let digits = |from: usize| {
        s.get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut i = usize::from(matches!(s.first(), Some(b'+' | b'-')));
    let int = digits(i);
    if int == 0 {
        return 0;
    }
    i += int;
    if s.get(i) == Some(&b'.') {
        i += 1;
    }
    i += digits(i);
    if matches!(s.get(i), Some(b'e' | b'E')) && matches!(s.get(i + 1), Some(b'+' | b'-')) {
        let exp = digits(i + 2);
        if exp > 0 {
            i += 2 + exp;
        }
    }
    i
}

/// `[^()"'[:space:]=,]+`
pub(crate) fn bare_str_len(s: &[u8]) -> usize {
    s.iter()
        .take_while(|b| !matches!(b, b'(' | b')' | b'"' | b'\'' | b'=' | b',') && !is_space(**b))
        .count()
}

/// `[^][\"'[:space:]]+`: a bracket argument written without quotes.
pub(crate) fn field_arg_bare_len(s: &[u8]) -> usize {
    s.iter()
        .take_while(|b| !matches!(b, b'[' | b']' | b'"' | b'\'') && !is_space(**b))
        .count()
}

/// A quoted string, quotes included. Like libsinsp, the string ends at the first
/// matching quote that does not follow a backslash (so `"a\\"` does not end at its
/// last quote). Returns 0 when the string is not closed.
pub(crate) fn quoted_len(s: &[u8]) -> usize {
    let Some(&quote) = s.first() else { return 0 };
    if quote != b'"' && quote != b'\'' {
        return 0;
    }
    let mut prev = quote;
    for (i, &b) in s.iter().enumerate().skip(1) {
        if b == quote && prev != b'\\' {
            return i + 1;
        }
        prev = b;
    }
    0
}

/// Whether `s` starts with `word` followed by something that is not alphanumeric
/// (libsinsp's `bool_keyword_follows`).
pub(crate) fn keyword_follows(s: &[u8], word: &[u8]) -> bool {
    s.starts_with(word) && s.get(word.len()).is_none_or(|b| !b.is_ascii_alphanumeric())
}

/// An escape the parser rejects, as found by [`unescape`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct EscapeError {
    /// Byte offset of the backslash inside the token.
    pub offset: usize,
    /// Length of the bad sequence.
    pub len: usize,
    /// Lowercase message.
    pub message: String,
}

/// Removes the quotes of a quoted token and applies libsinsp's escapes: `\b \f \n
/// \r \t \\ \/`, `\xHH`, the escape of the surrounding quote, and `\ ` (a backslash
/// followed by a blank, accepted for old rules: it yields a backslash). Anything else
/// is an error; the bad sequence is kept as written so the value stays usable.
pub(crate) fn unescape(token: &[u8]) -> (Vec<u8>, Vec<EscapeError>) {
    let mut out = Vec::with_capacity(token.len());
    let mut errors = Vec::new();
    let Some(&quote) = token.first() else {
        return (out, errors);
    };
    let end = token.len().saturating_sub(1).max(1);
    let body = token.get(1..end).unwrap_or_default();
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let Some(&next) = body.get(i + 1) else {
            // A trailing backslash cannot happen in a closed token (it would escape
            // the closing quote); keep it as written.
            out.push(b'\\');
            break;
        };
        let mut step = 2;
        match next {
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b' ' | b'\\' => out.push(b'\\'),
            b'/' => out.push(b'/'),
            b'"' | b'\'' if next == quote => out.push(next),
            b'"' | b'\'' => {
                let (other, inside) = if next == b'"' {
                    ("\\\"", "'")
                } else {
                    ("\\'", "\"")
                };
                errors.push(EscapeError {
                    offset: 1 + i,
                    len: 2,
                    message: format!("`{other}` is not a valid escape in a {inside}-quoted string"),
                });
                out.push(next);
            }
            b'x' => {
                let hex = body.get(i + 2..i + 4).unwrap_or_default();
                let value = (hex.len() == 2)
                    .then(|| std::str::from_utf8(hex).ok())
                    .flatten()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .filter(|_| hex.iter().all(u8::is_ascii_hexdigit));
                match value {
                    Some(v) => {
                        out.push(v);
                        step = 4;
                    }
                    None => {
                        let len = 2 + hex.len().min(2);
                        errors.push(EscapeError {
                            offset: 1 + i,
                            len,
                            message: if hex.len() < 2 {
                                "truncated `\\x` escape: it needs two hex digits".to_string()
                            } else {
                                format!(
                                    "invalid `\\x` escape `\\x{}`: it needs two hex digits",
                                    String::from_utf8_lossy(hex)
                                )
                            },
                        });
                        out.extend_from_slice(&body[i..(i + len).min(body.len())]);
                        step = len;
                    }
                }
            }
            other => {
                let shown = String::from_utf8_lossy(
                    body.get(i + 1..i + 1 + utf8_len(other))
                        .unwrap_or(&body[i + 1..i + 2]),
                )
                .into_owned();
                step = 1 + shown.len();
                errors.push(EscapeError {
                    offset: 1 + i,
                    len: step,
                    message: format!("unsupported escape `\\{shown}`"),
                });
                out.extend_from_slice(&body[i..(i + step).min(body.len())]);
            }
        }
        i += step;
    }
    (out, errors)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}
