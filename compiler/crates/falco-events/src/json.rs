//! A small JSON reader and writer tuned to what the extractors need.
//!
//! `serde_json` would do for reading, but the k8saudit and json plugins render JSON values the
//! way Go's `fastjson` does: object keys in input order, numbers exactly as written, compact
//! output. Keeping our own tree makes that exact without changing `serde_json`'s features for
//! the whole workspace. The reader reports byte offsets for errors, limits nesting depth, and
//! never panics.

use std::fmt::Write as _;

/// Deepest nesting the reader accepts; deeper input is an error, not a stack overflow.
pub const MAX_DEPTH: usize = 300;

/// A parsed JSON value. Numbers keep their source text; objects keep key order and duplicates.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written in the input.
    Number(Box<str>),
    /// A string, unescaped.
    String(Box<str>),
    /// An array.
    Array(Box<[Json]>),
    /// An object: key/value pairs in input order.
    Object(Box<[(Box<str>, Json)]>),
}

/// A syntax error at a byte offset of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset into the parsed text.
    pub offset: usize,
    /// What is wrong, lower case.
    pub message: String,
}

impl Json {
    /// The value under `key`, as `fastjson`'s `Get` does it: the first member with that key of
    /// an object, or the element at that decimal index of an array.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| &**k == key).map(|(_, v)| v),
            Json::Array(items) => {
                if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                key.parse::<usize>().ok().and_then(|i| items.get(i))
            }
            _ => None,
        }
    }

    /// Follows a path of keys with [`Json::get`].
    pub fn get_path(&self, keys: &[&str]) -> Option<&Json> {
        keys.iter().try_fold(self, |v, k| v.get(k))
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[(Box<str>, Json)]> {
        match self {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }

    /// `fastjson`'s `GetBool`: true only for the JSON literal `true`.
    pub fn is_true(&self) -> bool {
        matches!(self, Json::Bool(true))
    }

    /// Appends the value as compact JSON, escaping strings like `fastjson`'s `MarshalTo`.
    pub fn write_compact(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Number(n) => out.push_str(n),
            Json::String(s) => write_quoted(s, out),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_compact(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_quoted(k, out);
                    out.push(':');
                    v.write_compact(out);
                }
                out.push('}');
            }
        }
    }

    /// The value as compact JSON.
    pub fn to_compact(&self) -> String {
        let mut s = String::new();
        self.write_compact(&mut s);
        s
    }

    /// Appends the value indented by two spaces per level, the layout of Go's `json.Indent`
    /// (`"key": value`, empty containers kept as `{}` / `[]`).
    pub fn write_indented(&self, out: &mut String, depth: usize) {
        match self {
            Json::Array(items) if !items.is_empty() => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    item.write_indented(out, depth + 1);
                }
                newline(out, depth);
                out.push(']');
            }
            Json::Object(members) if !members.is_empty() => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    write_quoted(k, out);
                    out.push_str(": ");
                    v.write_indented(out, depth + 1);
                }
                newline(out, depth);
                out.push('}');
            }
            other => other.write_compact(out),
        }
    }

    /// Appends the value as text the way the plugins turn a JSON value into a field value:
    /// a string as its raw contents, anything else as compact JSON.
    pub fn write_as_field(&self, out: &mut String) {
        match self {
            Json::String(s) => out.push_str(s),
            other => other.write_compact(out),
        }
    }

    /// Resolves a JSON pointer the way the json plugin does: one leading `/` is dropped, the
    /// rest is split at `/`, each token has `~1` then `~0` replaced, and each step uses
    /// [`Json::get`]. An empty pointer is the whole value.
    pub fn pointer(&self, pointer: &str) -> Option<&Json> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/').unwrap_or(pointer);
        let mut value = self;
        for token in rest.split('/') {
            value = if token.contains('~') {
                let key = token.replace("~1", "/").replace("~0", "~");
                value.get(&key)?
            } else {
                value.get(token)?
            };
        }
        Some(value)
    }
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// Writes `s` as a JSON string literal: verbatim between quotes when it has no `"`, `\` or
/// control character (`fastjson`'s fast path), otherwise with Go-style escapes.
pub fn write_quoted(s: &str, out: &mut String) {
    out.push('"');
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(s);
    } else {
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{7}' => out.push_str("\\a"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{b}' => out.push_str("\\v"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

/// A JSON reader over one text, able to read several values one after another.
pub struct Parser<'t> {
    bytes: &'t [u8],
    text: &'t str,
    pos: usize,
}

impl<'t> Parser<'t> {
    /// A reader at the start of `text`.
    pub fn new(text: &'t str) -> Self {
        Parser {
            bytes: text.as_bytes(),
            text,
            pos: 0,
        }
    }

    /// The current byte offset.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Moves to byte offset `pos` (clamped to the text).
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.bytes.len());
    }

    /// Skips JSON whitespace.
    pub fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// True when only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos >= self.bytes.len()
    }

    /// Reads one value at the current position (after whitespace).
    pub fn parse_value(&mut self) -> Result<Json, JsonError> {
        self.value(0)
    }

    fn err<T>(&self, offset: usize, message: impl Into<String>) -> Result<T, JsonError> {
        Err(JsonError {
            offset,
            message: message.into(),
        })
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.skip_ws();
        if depth > MAX_DEPTH {
            return self.err(
                self.pos,
                format!("JSON nested deeper than {MAX_DEPTH} levels"),
            );
        }
        let Some(&b) = self.bytes.get(self.pos) else {
            return self.err(self.pos, "unexpected end of input, expected a JSON value");
        };
        match b {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => Ok(Json::String(self.string()?)),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => {
                let c = self.text.get(self.pos..).and_then(|s| s.chars().next());
                self.err(
                    self.pos,
                    format!(
                        "unexpected character `{}`, expected a JSON value",
                        c.unwrap_or('?')
                    ),
                )
            }
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, JsonError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            self.err(self.pos, format!("invalid literal, expected `{word}`"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.err(start, "invalid number"),
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return self.err(start, "invalid number: no digits after `.`");
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return self.err(start, "invalid number: no digits in exponent");
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or("0");
        Ok(Json::Number(text.into()))
    }

    fn hex4(&mut self) -> Option<u32> {
        let s = self.text.get(self.pos..self.pos + 4)?;
        let v = u32::from_str_radix(s, 16).ok()?;
        if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        Some(v)
    }

    /// Reads a string literal; the position is at the opening quote.
    pub(crate) fn string(&mut self) -> Result<Box<str>, JsonError> {
        // Fast path: no escape before the closing quote, one exact allocation.
        let body = self.bytes.get(self.pos + 1..).unwrap_or(&[]);
        if let Some(end) = body.iter().position(|&b| b == b'"' || b == b'\\')
            && body.get(end) == Some(&b'"')
        {
            let text = self
                .text
                .get(self.pos + 1..self.pos + 1 + end)
                .unwrap_or("");
            self.pos += end + 2;
            return Ok(Box::from(text));
        }
        self.string_slow().map(String::into_boxed_str)
    }

    fn string_slow(&mut self) -> Result<String, JsonError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return self.err(start, "unterminated string");
            };
            match b {
                b'"' => {
                    out.push_str(self.text.get(run..self.pos).unwrap_or(""));
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(self.text.get(run..self.pos).unwrap_or(""));
                    let esc_at = self.pos;
                    self.pos += 1;
                    let Some(&e) = self.bytes.get(self.pos) else {
                        return self.err(start, "unterminated string");
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let Some(hi) = self.hex4() else {
                                return self.err(esc_at, "invalid `\\u` escape in string");
                            };
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                let save = self.pos;
                                let lo = if self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
                                    self.pos += 2;
                                    self.hex4()
                                } else {
                                    None
                                };
                                match lo {
                                    Some(lo) if (0xDC00..0xE000).contains(&lo) => char::from_u32(
                                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00),
                                    ),
                                    _ => {
                                        self.pos = save;
                                        None
                                    }
                                }
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(c.unwrap_or('\u{FFFD}'));
                        }
                        _ => {
                            return self.err(esc_at, "invalid escape sequence in string");
                        }
                    }
                    run = self.pos;
                }
                _ => self.pos += 1,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Json::Array(items.into()));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items.into()));
                }
                Some(_) => return self.err(self.pos, "expected `,` or `]` in array"),
                None => return self.err(start, "unterminated array"),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        let start = self.pos;
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Json::Object(members.into()));
        }
        loop {
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b'"') => {}
                Some(_) => return self.err(self.pos, "expected a string key in object"),
                None => return self.err(start, "unterminated object"),
            }
            let key = self.string()?;
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return self.err(self.pos, "expected `:` after object key");
            }
            self.pos += 1;
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members.into()));
                }
                Some(_) => return self.err(self.pos, "expected `,` or `}` in object"),
                None => return self.err(start, "unterminated object"),
            }
        }
    }
}

/// Parses `text` as exactly one JSON value (whitespace around it allowed).
pub fn parse(text: &str) -> Result<Json, JsonError> {
    parse_at_depth(text, 0)
}

/// Parses `text` as one JSON value found `depth` levels deep in a larger document, so the
/// depth limit counts from that document's root.
pub(crate) fn parse_at_depth(text: &str, depth: usize) -> Result<Json, JsonError> {
    let mut p = Parser::new(text);
    let v = p.value(depth)?;
    if !p.at_end() {
        return Err(JsonError {
            offset: p.offset(),
            message: "unexpected data after the JSON value".into(),
        });
    }
    Ok(v)
}

/// Writes `s` as a standard JSON string literal (for JSON output, not plugin values).
pub fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
