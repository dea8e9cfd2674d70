//! The fast path for syscall lines.
//!
//! A line's top-level members are found without building a JSON tree, and the objects
//! that repeat from event to event of one process (`thread` with `ancestors`, and
//! `container`) are parsed once and then shared: the next line with the same bytes costs a
//! hash lookup. Anything this path does not take (escaped or repeated keys, unknown keys,
//! any error) goes to the full parser in `parse.rs`, which also words every error, so both
//! paths give the same events and the same messages (a property test compares them).

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::build::no_procs;
use super::parse::{EVENT_KEYS, PResult, Parsed, parse_container, parse_head, parse_line};
use super::parse::{parse_procs, parse_tail};
use super::{Container, Proc};
use crate::json::{self, Json};

/// Bytes of remembered keys after which a memo starts afresh, so memory stays bounded
/// whatever the input.
const MEMO_BYTES: usize = 8 << 20;

/// Parses syscall lines, remembering the process chains and containers it has read.
#[derive(Default)]
pub(crate) struct LineParser {
    chains: Memo<Arc<[Proc]>>,
    containers: Memo<Arc<Container>>,
    key: Vec<u8>,
}

impl LineParser {
    /// Parses one line; the same result as [`parse_line`].
    pub(crate) fn parse(&mut self, line: &str) -> PResult<Parsed> {
        match self.fast(line) {
            Some(parsed) => Ok(parsed),
            None => parse_line(line),
        }
    }

    /// The fast path alone: `None` sends the line to the full parser.
    pub(crate) fn fast(&mut self, line: &str) -> Option<Parsed> {
        let members = split_members(line)?;
        let member = |key: &str| {
            let slot = EVENT_KEYS.iter().position(|k| *k == key)?;
            members.get(slot).copied().flatten()
        };
        let mut values: [Option<Json>; EVENT_KEYS.len()] = Default::default();
        for (slot, (key, text)) in EVENT_KEYS.iter().zip(members.iter()).enumerate() {
            if let (Some(text), false) =
                (text, matches!(*key, "thread" | "ancestors" | "container"))
            {
                let value = json::parse_at_depth(text, 1).ok()?;
                if let Some(v) = values.get_mut(slot) {
                    *v = Some(value);
                }
            }
        }
        let get = |key: &str| {
            let slot = EVENT_KEYS.iter().position(|k| *k == key)?;
            values.get(slot).and_then(Option::as_ref)
        };
        let mut parsed = parse_head(get).ok()?;
        parsed.event.procs = self.chain(member("thread"), member("ancestors"))?;
        parse_tail(&mut parsed.event, |key| {
            if key == "container" { None } else { get(key) }
        })
        .ok()?;
        if let Some(text) = member("container") {
            parsed.event.container = Some(self.container(text)?);
        }
        Some(parsed)
    }

    /// The thread and its ancestors, parsed or remembered.
    fn chain(&mut self, thread: Option<&str>, ancestors: Option<&str>) -> Option<Arc<[Proc]>> {
        if thread.is_none() && ancestors.is_none() {
            return Some(no_procs());
        }
        self.key.clear();
        self.key.extend_from_slice(thread.unwrap_or("").as_bytes());
        // Never part of UTF-8 text: the two members cannot run into each other.
        self.key.push(0xff);
        self.key
            .extend_from_slice(ancestors.unwrap_or("").as_bytes());
        if let Some(chain) = self.chains.get(&self.key) {
            return Some(chain.clone());
        }
        let thread = thread
            .map(|t| json::parse_at_depth(t, 1))
            .transpose()
            .ok()?;
        let ancestors = ancestors
            .map(|a| json::parse_at_depth(a, 1))
            .transpose()
            .ok()?;
        let chain: Arc<[Proc]> = parse_procs(thread.as_ref(), ancestors.as_ref())
            .ok()?
            .into();
        self.chains.insert(&self.key, chain.clone());
        Some(chain)
    }

    /// The container, parsed or remembered.
    fn container(&mut self, text: &str) -> Option<Arc<Container>> {
        if let Some(container) = self.containers.get(text.as_bytes()) {
            return Some(container.clone());
        }
        let value = json::parse_at_depth(text, 1).ok()?;
        let container = Arc::new(parse_container(&value).ok()?);
        self.containers.insert(text.as_bytes(), container.clone());
        Some(container)
    }
}

/// Parsed values by the exact text they were parsed from.
struct Memo<V> {
    map: FxHashMap<Box<[u8]>, V>,
    bytes: usize,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo {
            map: FxHashMap::default(),
            bytes: 0,
        }
    }
}

impl<V> Memo<V> {
    fn get(&self, key: &[u8]) -> Option<&V> {
        self.map.get(key)
    }

    fn insert(&mut self, key: &[u8], value: V) {
        if self.bytes + key.len() > MEMO_BYTES {
            self.map.clear();
            self.bytes = 0;
        }
        self.bytes += key.len();
        self.map.insert(key.into(), value);
    }
}

/// The text of each top-level member of a one-line JSON object, by its slot in
/// [`EVENT_KEYS`]; `None` for a line the full parser must read (not an object, a key with
/// escapes, an unknown or repeated key, a syntax error between members). Values are only
/// delimited here: each is parsed (or matched byte for byte with one parsed before) later.
fn split_members(line: &str) -> Option<[Option<&str>; EVENT_KEYS.len()]> {
    let b = line.as_bytes();
    let mut out = [None; EVENT_KEYS.len()];
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return (skip_ws(b, i + 1) == b.len()).then_some(out);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let end = skip_string(b, i)?;
        let key = line.get(i + 1..end - 1)?;
        if key.contains('\\') {
            return None;
        }
        let slot = EVENT_KEYS.iter().position(|k| *k == key)?;
        let entry = out.get_mut(slot)?;
        if entry.is_some() {
            return None;
        }
        i = skip_ws(b, end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        let value_end = skip_value(b, i)?;
        *entry = Some(line.get(i..value_end)?);
        i = skip_ws(b, value_end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return (skip_ws(b, i + 1) == b.len()).then_some(out),
            _ => return None,
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// The end of the string starting at the quote at `i` (just past its closing quote).
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        let k = j + memchr::memchr2(b'"', b'\\', b.get(j..)?)?;
        if b.get(k) == Some(&b'"') {
            return Some(k + 1);
        }
        j = k + 2;
    }
}

/// The end of the value starting at `i`, by brackets and quotes only.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => j = skip_string(b, j)?,
                    b'{' | b'[' => {
                        depth += 1;
                        j += 1;
                    }
                    b'}' | b']' => {
                        depth -= 1;
                        j += 1;
                        if depth == 0 {
                            return Some(j);
                        }
                    }
                    _ => j += 1,
                }
            }
        }
        _ => {
            let mut j = i;
            while let Some(c) = b.get(j) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                    break;
                }
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}
