//! Comparisons, compiled once at load: constants become values, sets become hash
//! sets, lists of `contains` an Aho-Corasick automaton, `startswith` lists a prefix
//! set, globs and regexes compiled matchers, `pmatch` a path matcher. Evaluation
//! follows libsinsp: `<NA>` makes every comparison false (`exists` too); a list
//! field holds `in` when all its elements are in the set and `intersects` when one
//! is; an `AnyOf` value holds when one candidate does.

use std::net::IpAddr;

use aho_corasick::AhoCorasick;
use falco_bundle::{Check, CmpOp, Const, Operand, Quant, Rhs};
use falco_events::{AnyOf, FieldValue};
use ipnet::IpNet;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::glob::{Glob, PathMatcher};

/// A check ready to run.
#[derive(Debug)]
pub(crate) struct CompiledCheck {
    pub(crate) lhs: u32,
    pub(crate) op: CmpOp,
    pub(crate) matcher: Matcher,
}

/// A constant as a value the comparisons read.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    /// Text that is valid UTF-8 (checked once, at load).
    Str(Box<str>),
    Bytes(Box<[u8]>),
    Int(i128),
    Double(f64),
    Bool(bool),
    Ip(IpAddr),
    Net(IpNet),
}

/// What the right side became.
#[derive(Debug)]
pub(crate) enum Matcher {
    Exists,
    One(Val),
    /// A scalar operator over several values.
    Quant(Quant, Vec<Val>),
    Set(ValueSet),
    Contains(AhoCorasick),
    Prefixes(PrefixSet),
    Globs(Quant, Vec<Glob>),
    Regexes(Quant, Vec<regex::bytes::Regex>),
    Path(PathMatcher),
    /// Field-to-field: the right operand.
    Operand(u32),
    /// Exception rows: `(f1, f2, ...) in (rows)`.
    Tuples(Tuples),
}

/// The rows of a tuple check, indexed by their first value when it is text.
#[derive(Debug)]
pub(crate) struct Tuples {
    /// The column operands.
    pub(crate) columns: Vec<u32>,
    /// The cells, row after row.
    cells: Vec<Val>,
    /// Rows by the text of their first cell.
    index: FxHashMap<Box<[u8]>, Vec<u32>>,
    /// Rows whose first cell is not text.
    unindexed: Vec<u32>,
}

impl Tuples {
    fn new(columns: Vec<u32>, cells: Vec<Val>) -> Tuples {
        let arity = columns.len().max(1);
        let mut index: FxHashMap<Box<[u8]>, Vec<u32>> = FxHashMap::default();
        let mut unindexed = Vec::new();
        for (row, chunk) in cells.chunks(arity).enumerate() {
            let row = u32::try_from(row).unwrap_or(u32::MAX);
            match chunk.first() {
                Some(Val::Str(s)) => index.entry(s.as_bytes().into()).or_default().push(row),
                _ => unindexed.push(row),
            }
        }
        Tuples {
            columns,
            cells,
            index,
            unindexed,
        }
    }

    fn cell(&self, row: u32, column: usize) -> Option<&Val> {
        self.cells
            .get((row as usize).checked_mul(self.columns.len())? + column)
    }

    /// The rows whose first cell equals `first` (the value of the first column),
    /// into `rows`.
    pub(crate) fn first_column(&self, first: &FieldValue<'_>, rows: &mut Vec<u32>) {
        rows.clear();
        if let FieldValue::Str(s) = first
            && let Some(hits) = self.index.get(s.as_bytes())
        {
            rows.extend_from_slice(hits);
            rows.extend(
                self.unindexed
                    .iter()
                    .copied()
                    .filter(|&r| self.cell(r, 0).is_some_and(|c| eq_holds(first, c))),
            );
            return;
        }
        let n = self.cells.len() / self.columns.len().max(1);
        rows.extend((0..n as u32).filter(|&r| self.cell(r, 0).is_some_and(|c| eq_holds(first, c))));
    }

    /// Keeps the rows whose cell in `column` equals `value`.
    pub(crate) fn filter(&self, column: usize, value: &FieldValue<'_>, rows: &mut Vec<u32>) {
        rows.retain(|&r| self.cell(r, column).is_some_and(|c| eq_holds(value, c)));
    }
}

/// Whether `value = c` holds, with `<NA>`, list and any-of semantics.
fn eq_holds(value: &FieldValue<'_>, c: &Val) -> bool {
    match value {
        FieldValue::Missing => false,
        FieldValue::AnyOf(any) => any.iter().any(|v| eq_holds(&v, c)),
        FieldValue::StrList(list) => list.iter().any(|s| eq_holds(&FieldValue::Str(s), c)),
        v => compare(CmpOp::Eq, v, &val_as_field(c)),
    }
}

/// Why a check could not be compiled (a regex the VM's engine refuses).
pub(crate) type CompileError = String;

/// Builds the matcher of a check; `operands` tells tuple checks (a list operand)
/// apart.
pub(crate) fn compile(
    check: &Check,
    consts: &[Const],
    operands: &[Operand],
) -> Result<CompiledCheck, CompileError> {
    let val = |k: &u32| {
        consts
            .get(*k as usize)
            .map(to_val)
            .ok_or("constant out of range")
    };
    let vals = |items: &[u32]| items.iter().map(val).collect::<Result<Vec<_>, _>>();
    let op = check.op;
    if let (Some(Operand::List(columns)), Rhs::List(items)) =
        (operands.get(check.lhs as usize), &check.rhs)
    {
        return Ok(CompiledCheck {
            lhs: check.lhs,
            op,
            matcher: Matcher::Tuples(Tuples::new(columns.clone(), vals(items)?)),
        });
    }
    let matcher = match (&check.rhs, op) {
        (Rhs::None, _) => Matcher::Exists,
        (Rhs::Operand(o), _) => Matcher::Operand(*o),
        (Rhs::List(items), CmpOp::In | CmpOp::Intersects) => {
            Matcher::Set(ValueSet::new(vals(items)?))
        }
        (Rhs::List(items), CmpOp::PMatch) => {
            let vs = vals(items)?;
            Matcher::Path(PathMatcher::new(vs.iter().filter_map(Val::bytes)))
        }
        (rhs, _) => {
            let (quant, items) = match rhs {
                Rhs::Const(k) => (Quant::Any, vec![val(k)?]),
                Rhs::List(items) => (check.quant.unwrap_or(Quant::Any), vals(items)?),
                _ => return Err("bad right side".into()),
            };
            scalar_matcher(op, quant, items)?
        }
    };
    Ok(CompiledCheck {
        lhs: check.lhs,
        op,
        matcher,
    })
}

fn scalar_matcher(op: CmpOp, quant: Quant, items: Vec<Val>) -> Result<Matcher, CompileError> {
    let patterns = || items.iter().filter_map(Val::bytes).collect::<Vec<_>>();
    Ok(match (op, quant) {
        (CmpOp::Contains | CmpOp::IContains | CmpOp::BContains, Quant::Any) => {
            let ac = aho_corasick::AhoCorasickBuilder::new()
                .ascii_case_insensitive(op == CmpOp::IContains)
                .build(patterns())
                .map_err(|e| format!("cannot build the `contains` matcher: {e}"))?;
            Matcher::Contains(ac)
        }
        (CmpOp::StartsWith | CmpOp::BStartsWith, Quant::Any) if items.len() > 1 => {
            Matcher::Prefixes(PrefixSet::new(patterns()))
        }
        (CmpOp::Glob | CmpOp::IGlob, q) => Matcher::Globs(
            q,
            patterns()
                .into_iter()
                .map(|p| Glob::new(p, op == CmpOp::IGlob))
                .collect(),
        ),
        (CmpOp::Regex, q) => {
            let mut res = Vec::new();
            for p in patterns() {
                let pattern = String::from_utf8_lossy(p);
                let re = regex::bytes::RegexBuilder::new(&falco_bundle::anchored_regex(&pattern))
                    .size_limit(falco_bundle::REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| format!("regex `{pattern}`: {e}"))?;
                res.push(re);
            }
            Matcher::Regexes(q, res)
        }
        (_, Quant::Any) if items.len() == 1 => {
            Matcher::One(items.into_iter().next().ok_or("no value")?)
        }
        (_, q) => Matcher::Quant(q, items),
    })
}

fn to_val(c: &Const) -> Val {
    match c {
        Const::Str(s) => match std::str::from_utf8(s) {
            Ok(text) => Val::Str(text.into()),
            Err(_) => Val::Bytes(s.clone().into_boxed_slice()),
        },
        Const::Int(v) => Val::Int(i128::from(*v)),
        Const::UInt(v) => Val::Int(i128::from(*v)),
        Const::Double(v) => Val::Double(*v),
        Const::Bool(v) => Val::Bool(*v),
        Const::Ip(ip) => Val::Ip(*ip),
        Const::Net(ip, prefix) => match IpNet::new(*ip, *prefix) {
            Ok(net) => Val::Net(net),
            Err(_) => Val::Ip(*ip),
        },
    }
}

impl Val {
    fn bytes(&self) -> Option<&[u8]> {
        match self {
            Val::Str(s) => Some(s.as_bytes()),
            Val::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

/// The set of an `in`/`intersects`, by kind of value.
#[derive(Debug, Default)]
pub(crate) struct ValueSet {
    bytes: FxHashSet<Box<[u8]>>,
    ints: FxHashSet<i128>,
    doubles: Vec<f64>,
    bools: Vec<bool>,
    ips: FxHashSet<IpAddr>,
    nets: Vec<IpNet>,
}

impl ValueSet {
    fn new(items: Vec<Val>) -> ValueSet {
        let mut set = ValueSet::default();
        for v in items {
            match v {
                Val::Str(s) => {
                    set.bytes.insert(s.as_bytes().into());
                }
                Val::Bytes(b) => {
                    set.bytes.insert(b);
                }
                Val::Int(i) => {
                    set.ints.insert(i);
                }
                Val::Double(d) => set.doubles.push(d),
                Val::Bool(b) => set.bools.push(b),
                Val::Ip(ip) => {
                    set.ips.insert(ip);
                }
                Val::Net(net) => set.nets.push(net),
            }
        }
        set
    }

    fn contains(&self, v: &FieldValue<'_>) -> bool {
        match *v {
            FieldValue::Str(s) => self.bytes.contains(s.as_bytes()),
            FieldValue::Bytes(b) => self.bytes.contains(b),
            FieldValue::Bool(b) => self.bools.contains(&b),
            FieldValue::F64(d) => {
                self.doubles.contains(&d) || self.ints.iter().any(|&i| i as f64 == d)
            }
            FieldValue::Ip(ip) => {
                self.ips.contains(&ip) || self.nets.iter().any(|n| n.contains(&ip))
            }
            FieldValue::Net(net) => self.nets.contains(&net),
            ref other => int_of(other).is_some_and(|i| self.ints.contains(&i)),
        }
    }
}

/// `startswith` over several prefixes: a hash set per distinct prefix length.
#[derive(Debug, Default)]
pub(crate) struct PrefixSet {
    lengths: Vec<usize>,
    prefixes: FxHashSet<Box<[u8]>>,
}

impl PrefixSet {
    fn new(prefixes: Vec<&[u8]>) -> PrefixSet {
        let mut set = PrefixSet::default();
        for p in prefixes {
            if !set.lengths.contains(&p.len()) {
                set.lengths.push(p.len());
            }
            set.prefixes.insert(p.into());
        }
        set.lengths.sort_unstable();
        set
    }

    fn matches(&self, s: &[u8]) -> bool {
        self.lengths
            .iter()
            .take_while(|&&len| len <= s.len())
            .any(|&len| s.get(..len).is_some_and(|p| self.prefixes.contains(p)))
    }
}

fn int_of(v: &FieldValue<'_>) -> Option<i128> {
    match *v {
        FieldValue::U64(x) | FieldValue::RelTime(x) | FieldValue::AbsTime(x) => Some(i128::from(x)),
        FieldValue::I64(x) => Some(i128::from(x)),
        FieldValue::Bool(b) => Some(i128::from(b)),
        _ => None,
    }
}

fn bytes_of<'a>(v: &FieldValue<'a>) -> Option<&'a [u8]> {
    match *v {
        FieldValue::Str(s) => Some(s.as_bytes()),
        FieldValue::Bytes(b) => Some(b),
        _ => None,
    }
}

impl CompiledCheck {
    /// Whether the check holds for `lhs` (and `rhs`, for field-to-field checks).
    pub(crate) fn test(&self, lhs: &FieldValue<'_>, rhs: Option<&FieldValue<'_>>) -> bool {
        match lhs {
            FieldValue::Missing => false,
            _ if matches!(self.matcher, Matcher::Exists) => true,
            // libsinsp's fd.ip/fd.port/fd.net: `!=` must hold for both ends of the
            // socket; every other comparison (and every ancestor field) for one.
            FieldValue::AnyOf(any @ (AnyOf::Ips(..) | AnyOf::Ports(..)))
                if self.op == CmpOp::Ne =>
            {
                any.iter().all(|v| self.test(&v, rhs))
            }
            FieldValue::AnyOf(any) => any.iter().any(|v| self.test(&v, rhs)),
            FieldValue::StrList(list) => match self.op {
                CmpOp::In => list.iter().all(|s| self.test(&FieldValue::Str(s), rhs)),
                _ => list.iter().any(|s| self.test(&FieldValue::Str(s), rhs)),
            },
            _ => self.test_scalar(lhs, rhs),
        }
    }

    fn test_scalar(&self, v: &FieldValue<'_>, rhs: Option<&FieldValue<'_>>) -> bool {
        match &self.matcher {
            Matcher::Exists => true,
            Matcher::One(c) => compare(self.op, v, &val_as_field(c)),
            Matcher::Quant(q, items) => {
                let mut n = 0usize;
                for c in items {
                    if compare(self.op, v, &val_as_field(c)) {
                        n += 1;
                    }
                }
                quantified(*q, n, items.len())
            }
            Matcher::Set(set) => set.contains(v),
            Matcher::Contains(ac) => bytes_of(v).is_some_and(|b| ac.is_match(b)),
            Matcher::Prefixes(set) => bytes_of(v).is_some_and(|b| set.matches(b)),
            Matcher::Globs(q, globs) => bytes_of(v).is_some_and(|b| {
                let n = globs.iter().filter(|g| g.matches(b)).count();
                quantified(*q, n, globs.len())
            }),
            Matcher::Regexes(q, res) => bytes_of(v).is_some_and(|b| {
                let n = res.iter().filter(|r| r.is_match(b)).count();
                quantified(*q, n, res.len())
            }),
            Matcher::Path(paths) => bytes_of(v).is_some_and(|b| paths.matches(b)),
            Matcher::Tuples(_) => false,
            Matcher::Operand(_) => match rhs {
                Some(FieldValue::AnyOf(any)) => any.iter().any(|r| compare(self.op, v, &r)),
                Some(FieldValue::StrList(list)) => {
                    let found = list
                        .iter()
                        .any(|s| compare(CmpOp::Eq, v, &FieldValue::Str(s)));
                    match self.op {
                        CmpOp::In | CmpOp::Intersects => found,
                        _ => list
                            .iter()
                            .any(|s| compare(self.op, v, &FieldValue::Str(s))),
                    }
                }
                Some(r) => compare(self.op, v, r),
                None => false,
            },
        }
    }
}

fn quantified(q: Quant, n: usize, total: usize) -> bool {
    match q {
        Quant::ExactlyOne => n == 1,
        Quant::Any => n >= 1,
        Quant::All => total > 0 && n == total,
    }
}

fn val_as_field(v: &Val) -> FieldValue<'_> {
    match v {
        Val::Str(s) => FieldValue::Str(s),
        Val::Bytes(b) => FieldValue::Bytes(b),
        Val::Int(i) => match i64::try_from(*i) {
            Ok(x) => FieldValue::I64(x),
            Err(_) => FieldValue::U64(u64::try_from(*i).unwrap_or(u64::MAX)),
        },
        Val::Double(d) => FieldValue::F64(*d),
        Val::Bool(b) => FieldValue::Bool(*b),
        Val::Ip(ip) => FieldValue::Ip(*ip),
        Val::Net(net) => FieldValue::Net(*net),
    }
}

/// One scalar comparison, libsinsp style.
pub(crate) fn compare(op: CmpOp, a: &FieldValue<'_>, b: &FieldValue<'_>) -> bool {
    if let (Some(x), Some(y)) = (bytes_of(a), bytes_of(b)) {
        return match op {
            CmpOp::Eq | CmpOp::In | CmpOp::Intersects => x == y,
            CmpOp::Ne => x != y,
            CmpOp::Contains | CmpOp::BContains => memchr::memmem::find(x, y).is_some(),
            CmpOp::IContains => icontains(x, y),
            CmpOp::StartsWith | CmpOp::BStartsWith => x.starts_with(y),
            CmpOp::EndsWith => x.ends_with(y),
            CmpOp::Glob => Glob::new(y, false).matches(x),
            CmpOp::IGlob => Glob::new(y, true).matches(x),
            CmpOp::PMatch => PathMatcher::new([y]).matches(x),
            CmpOp::Lt => x < y,
            CmpOp::Le => x <= y,
            CmpOp::Gt => x > y,
            CmpOp::Ge => x >= y,
            CmpOp::Regex | CmpOp::Exists => false,
        };
    }
    let ord = match (a, b) {
        (FieldValue::Ip(ip), FieldValue::Net(net)) | (FieldValue::Net(net), FieldValue::Ip(ip)) => {
            let inside = net.contains(ip);
            return match op {
                CmpOp::Eq | CmpOp::In | CmpOp::Intersects => inside,
                CmpOp::Ne => !inside,
                _ => false,
            };
        }
        (FieldValue::Ip(x), FieldValue::Ip(y)) => x.partial_cmp(y),
        (FieldValue::Net(x), FieldValue::Net(y)) => x.partial_cmp(y),
        (FieldValue::F64(x), y) => y
            .as_i64()
            .map(|y| y as f64)
            .or(match y {
                FieldValue::F64(y) => Some(*y),
                _ => None,
            })
            .and_then(|y| x.partial_cmp(&y)),
        (x, FieldValue::F64(y)) => x.as_i64().and_then(|x| (x as f64).partial_cmp(y)),
        (x, y) => match (int_of(x), int_of(y)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => None,
        },
    };
    let Some(ord) = ord else {
        return false;
    };
    use std::cmp::Ordering::*;
    match op {
        CmpOp::Eq | CmpOp::In | CmpOp::Intersects => ord == Equal,
        CmpOp::Ne => ord != Equal,
        CmpOp::Lt => ord == Less,
        CmpOp::Le => ord != Greater,
        CmpOp::Gt => ord == Greater,
        CmpOp::Ge => ord != Less,
        _ => false,
    }
}

/// ASCII case-insensitive substring search.
fn icontains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}
