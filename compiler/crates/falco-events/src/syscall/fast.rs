//! The fast path for syscall lines.
//!
//! A line's top-level members are found without building a JSON tree, and the objects
//! that repeat from event to event of one process (`thread` with the `ancestors` that
//! follow it, and `container`) are parsed once and then recognised: the bytes at a
//! member's value are compared with the texts parsed before (found by a hash of their
//! first bytes), so a repeated value costs one comparison instead of a scan and a parse.
//! Anything this path does not take (escaped or repeated keys, unknown keys, any error)
//! goes to the full parser in `parse.rs`, which also words every error, so both paths give
//! the same events and the same messages (a property test compares them).

use std::sync::Arc;

use falco_schema::Schema;
use rustc_hash::FxHashMap;

use super::build::no_procs;
use super::parse::{EVENT_KEYS, Head, PResult, Parsed, parse_container, parse_line};
use super::parse::{parse_procs, parse_tail, with_args};
use super::{Arg, Container, Proc, Raw};
use crate::json;
use crate::time::parse_rfc3339;

/// Bytes of remembered texts after which a memo starts afresh, so memory stays bounded
/// whatever the input.
const MEMO_BYTES: usize = 8 << 20;

/// Bytes at the start of a remembered text that find it. Shorter texts are not
/// remembered: they are cheap to parse.
const PREFIX: usize = 24;

/// Remembered texts that may share one prefix; a further one replaces the oldest, so
/// finding a text costs a few comparisons at most.
const PER_PREFIX: usize = 8;

/// The slot of `key` in [`EVENT_KEYS`], found at compile time (an unknown key does not
/// build).
const fn slot(key: &str) -> usize {
    let mut i = 0;
    while i < EVENT_KEYS.len() {
        if same(EVENT_KEYS[i].as_bytes(), key.as_bytes()) {
            return i;
        }
        i += 1;
    }
    panic!("not an event key")
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const TS: usize = slot("ts");
const TYPE: usize = slot("type");
const DIR: usize = slot("dir");
const NUM: usize = slot("num");
const CPU: usize = slot("cpu");
const RES: usize = slot("res");
const ARGS: usize = slot("args");
const THREAD: usize = slot("thread");
const ANCESTORS: usize = slot("ancestors");
const FD: usize = slot("fd");
const CONTAINER: usize = slot("container");
const K8S: usize = slot("k8s");
const HOSTNAME: usize = slot("hostname");

/// Parses syscall lines, remembering the process chains and containers it has read.
#[derive(Default)]
pub(crate) struct LineParser {
    chains: Memo<Chain>,
    containers: Memo<Arc<Container>>,
}

/// A remembered `thread` value: its chain, and whether the remembered text runs on over
/// the `ancestors` member that followed it.
#[derive(Clone)]
struct Chain {
    procs: Arc<[Proc]>,
    with_ancestors: bool,
}

/// A line split into its members.
struct Split<'a> {
    /// Each member's value text, by its slot in [`EVENT_KEYS`]; `ancestors` is empty text
    /// when a recognised chain included it.
    members: [Option<&'a str>; EVENT_KEYS.len()],
    /// The chain recognised at `thread`, if any.
    chain: Option<Chain>,
    /// The container recognised at `container`, if any.
    container: Option<Arc<Container>>,
    /// Where the `thread` value starts and, when `ancestors` directly follows it, where
    /// that value ends: the text to remember when the chain is parsed afresh.
    thread_span: Option<(usize, Option<usize>)>,
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
        let split = self.split(line)?;
        let members = &split.members;
        let value = |slot: usize| {
            members[slot]
                .map(|text| json::parse_at_depth(text, 1))
                .transpose()
                .ok()
        };
        let head = head(members)?;
        let mut parsed = match members[ARGS].map(plain_args) {
            Some(Some(args)) => with_args(head, None, args),
            Some(None) => with_args(head, value(ARGS)?.as_ref(), Vec::new()),
            None => with_args(head, None, Vec::new()),
        }
        .ok()?;
        parsed.event.procs = match &split.chain {
            Some(chain) => chain.procs.clone(),
            None => self.chain(line, &split)?,
        };
        let (fd, k8s) = (value(FD)?, value(K8S)?);
        parse_tail(&mut parsed.event, |key| match key {
            "fd" => fd.as_ref(),
            "k8s" => k8s.as_ref(),
            _ => None,
        })
        .ok()?;
        parsed.event.container = match (split.container, members[CONTAINER]) {
            (Some(container), _) => Some(container),
            (None, Some(text)) => Some(self.container(text)?),
            (None, None) => None,
        };
        Some(parsed)
    }

    /// The thread and its ancestors, parsed, and remembered when their text is long.
    fn chain(&mut self, line: &str, split: &Split<'_>) -> Option<Arc<[Proc]>> {
        let (thread, ancestors) = (split.members[THREAD], split.members[ANCESTORS]);
        if thread.is_none() && ancestors.is_none() {
            return Some(no_procs());
        }
        let parse = |text: Option<&str>| text.map(|t| json::parse_at_depth(t, 1)).transpose();
        let (thread, ancestors) = (parse(thread).ok()?, parse(ancestors).ok()?);
        let procs: Arc<[Proc]> = parse_procs(thread.as_ref(), ancestors.as_ref())
            .ok()?
            .into();
        // A thread is remembered with the ancestors that follow it, or alone when the line
        // has none; a chain whose ancestors come elsewhere in the line is not.
        let remembered = match split.thread_span {
            Some((start, Some(end))) => Some((start, end, true)),
            Some((start, None)) if ancestors.is_none() => {
                let end = start + split.members[THREAD].map_or(0, str::len);
                Some((start, end, false))
            }
            _ => None,
        };
        if let Some((start, end, with_ancestors)) = remembered
            && let Some(text) = line.as_bytes().get(start..end)
        {
            let chain = Chain {
                procs: procs.clone(),
                with_ancestors,
            };
            self.chains.insert(text, chain);
        }
        Some(procs)
    }

    /// The container, parsed, and remembered when its text is long.
    fn container(&mut self, text: &str) -> Option<Arc<Container>> {
        let value = json::parse_at_depth(text, 1).ok()?;
        let container = Arc::new(parse_container(&value).ok()?);
        self.containers.insert(text.as_bytes(), container.clone());
        Some(container)
    }

    /// Splits a one-line JSON object into its members; `None` for a line the full parser
    /// must read (not an object, a key with escapes, an unknown or repeated key, a syntax
    /// error between members). Values are only delimited here: each is parsed later, or
    /// matched byte for byte with a remembered text that was parsed before.
    fn split<'a>(&self, line: &'a str) -> Option<Split<'a>> {
        let b = line.as_bytes();
        let mut split = Split {
            members: [None; EVENT_KEYS.len()],
            chain: None,
            container: None,
            thread_span: None,
        };
        let mut previous = None;
        let mut i = skip_ws(b, 0);
        if b.get(i) != Some(&b'{') {
            return None;
        }
        i = skip_ws(b, i + 1);
        if b.get(i) == Some(&b'}') {
            return (skip_ws(b, i + 1) == b.len()).then_some(split);
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
            if split.members.get(slot)?.is_some() {
                return None;
            }
            i = skip_ws(b, end);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = skip_ws(b, i + 1);
            let rest = b.get(i..)?;
            let recognised = match slot {
                THREAD => self.chains.find(rest).map(|(len, chain)| {
                    if chain.with_ancestors {
                        split.members[ANCESTORS] = Some("");
                    }
                    split.chain = Some(chain.clone());
                    len
                }),
                CONTAINER => self.containers.find(rest).map(|(len, container)| {
                    split.container = Some(container.clone());
                    len
                }),
                _ => None,
            };
            let value_end = match recognised {
                Some(len) => i + len,
                None => skip_value(b, i)?,
            };
            *split.members.get_mut(slot)? = Some(line.get(i..value_end)?);
            match slot {
                THREAD => split.thread_span = Some((i, None)),
                ANCESTORS if previous == Some(THREAD) => {
                    if let Some((_, end)) = &mut split.thread_span {
                        *end = Some(value_end);
                    }
                }
                _ => {}
            }
            previous = Some(slot);
            i = skip_ws(b, value_end);
            match b.get(i) {
                Some(b',') => i = skip_ws(b, i + 1),
                Some(b'}') if skip_ws(b, i + 1) == b.len() => break,
                _ => return None,
            }
        }
        // A thread remembered alone does not serve a line that has ancestors: parse both.
        if split.chain.as_ref().is_some_and(|c| !c.with_ancestors)
            && split.members[ANCESTORS].is_some()
        {
            split.chain = None;
        }
        Some(split)
    }
}

/// Parsed values by the exact text they were parsed from, found by their first bytes.
struct Memo<V> {
    /// Indexes into `entries` by the hash of a text's first [`PREFIX`] bytes.
    index: FxHashMap<u64, Vec<u32>>,
    entries: Vec<(Box<[u8]>, V)>,
    bytes: usize,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo {
            index: FxHashMap::default(),
            entries: Vec::new(),
            bytes: 0,
        }
    }
}

fn prefix_hash(prefix: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(prefix)
}

impl<V> Memo<V> {
    /// The longest remembered text `rest` starts with: its length and its value.
    fn find(&self, rest: &[u8]) -> Option<(usize, &V)> {
        let prefix = rest.get(..PREFIX)?;
        self.index
            .get(&prefix_hash(prefix))?
            .iter()
            .filter_map(|&at| self.entries.get(at as usize))
            .filter(|(text, _)| rest.starts_with(text))
            .max_by_key(|(text, _)| text.len())
            .map(|(text, value)| (text.len(), value))
    }

    /// Remembers `value` for `text`, unless `text` is too short to be found.
    fn insert(&mut self, text: &[u8], value: V) {
        let Some(prefix) = text.get(..PREFIX) else {
            return;
        };
        if self.bytes + text.len() > MEMO_BYTES {
            self.index.clear();
            self.entries.clear();
            self.bytes = 0;
        }
        let Ok(at) = u32::try_from(self.entries.len()) else {
            return;
        };
        self.bytes += text.len();
        self.entries.push((text.into(), value));
        let slots = self.index.entry(prefix_hash(prefix)).or_default();
        if slots.len() == PER_PREFIX {
            slots.remove(0);
        }
        slots.push(at);
    }
}

/// The event's own scalar members, when each is written in its plain form: `type`,
/// `dir` and `hostname` strings without escapes, integers without fraction or exponent,
/// `ts` as either. Anything else (and any value the full parser refuses) is `None`.
fn head<'a>(members: &[Option<&'a str>; EVENT_KEYS.len()]) -> Option<Head<'a>> {
    let ty = plain_string(members[TYPE]?)?;
    if !Schema::get().is_event_type(ty) {
        return None;
    }
    let ts = members[TS]?;
    let ts = match plain_integer(ts) {
        Some(digits) => digits.parse().ok()?,
        None => parse_rfc3339(plain_string(ts)?)?,
    };
    let enter = match members[DIR].map(plain_string) {
        None | Some(Some("<")) => false,
        Some(Some(">")) => true,
        Some(_) => return None,
    };
    Some(Head {
        ty,
        ts,
        enter,
        num: optional_integer(members[NUM])?,
        cpu: optional_integer(members[CPU])?,
        res: optional_integer(members[RES])?,
        hostname: match members[HOSTNAME] {
            Some(text) => Some(Arc::from(plain_string(text)?)),
            None => None,
        },
    })
}

/// The `args` object when each value is a plain string or integer (see [`head`]), read
/// from the text as [`super::parse`] reads it from a JSON tree; `None` otherwise.
fn plain_args(text: &str) -> Option<Vec<Arg>> {
    let b = text.as_bytes();
    let mut args = Vec::new();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return (skip_ws(b, i + 1) == b.len()).then_some(args);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let end = skip_string(b, i)?;
        let name = plain_string(text.get(i..end)?)?;
        i = skip_ws(b, end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        let end = skip_value(b, i)?;
        let value = text.get(i..end)?;
        let (raw, value) = match plain_integer(value) {
            Some(digits) => match (digits.parse::<u64>(), digits.parse::<i64>()) {
                (Ok(u), _) => (Raw::Uint(u), digits),
                (_, Ok(n)) => (Raw::Int(n), digits),
                _ => return None,
            },
            None => (Raw::Text, plain_string(value)?),
        };
        args.push(Arg {
            name: String::from(name).into(),
            text: value.into(),
            raw,
        });
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') if skip_ws(b, i + 1) == b.len() => return Some(args),
            _ => return None,
        }
    }
}

/// An integer member: `Some(None)` when it is absent, `None` when it is not a plain
/// integer of type `T`.
fn optional_integer<T: std::str::FromStr>(text: Option<&str>) -> Option<Option<T>> {
    match text {
        Some(text) => plain_integer(text)?.parse().ok().map(Some),
        None => Some(None),
    }
}

/// The contents of a JSON string without escapes.
fn plain_string(text: &str) -> Option<&str> {
    text.strip_prefix('"')?
        .strip_suffix('"')
        .filter(|inner| !inner.contains('\\'))
}

/// A JSON integer without fraction or exponent (`-?(0|[1-9][0-9]*)`), as written.
fn plain_integer(text: &str) -> Option<&str> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain = match digits.as_bytes() {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    plain.then_some(text)
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
