//! Which event types a condition can match, as Falco computes it to index rules by
//! event type and to warn about rules that match too many (W206).
//!
//! The analysis (libsinsp `filter/ppm_codes.cpp`):
//! - `and` intersects its operands' sets, `or` unites them; under `not`, De Morgan's
//!   laws swap the two, so negation is pushed down to the checks;
//! - `evt.type`/`syscall.type` (without argument) with `=`, `==`, `!=` or `in` and
//!   constant values gives those types (complemented for `!=` and under `not`);
//! - `evt.type exists` gives every type, or none under `not`;
//! - `evt.num` (whose values start at 1) with a constant is sometimes decidable:
//!   `evt.num=0`, `evt.num<1`, `evt.num<=0`, `evt.num in (0)`, `in ()` never match;
//!   `evt.num!=0`, `evt.num>0`, `evt.num>=1` always match;
//! - every other check matches every type, negated or not.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use falco_condition::ast::Op;

use crate::resolver::FieldResolver;
use crate::typed::{TypedCheck, TypedExpr, TypedOperand, TypedValue};

/// A set of event type names: finite, or everything but a finite set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventTypeSet {
    /// The condition can never match.
    None,
    /// Every event type.
    All,
    /// Only these types.
    Only(BTreeSet<String>),
    /// Every type except these.
    AllExcept(BTreeSet<String>),
}

impl EventTypeSet {
    fn normalized(self) -> EventTypeSet {
        match self {
            EventTypeSet::Only(names) if names.is_empty() => EventTypeSet::None,
            EventTypeSet::AllExcept(names) if names.is_empty() => EventTypeSet::All,
            other => other,
        }
    }

    fn from_parts(finite: bool, names: BTreeSet<String>) -> EventTypeSet {
        if finite {
            EventTypeSet::Only(names)
        } else {
            EventTypeSet::AllExcept(names)
        }
        .normalized()
    }

    /// The complement.
    pub fn complement(&self) -> EventTypeSet {
        match self {
            EventTypeSet::None => EventTypeSet::All,
            EventTypeSet::All => EventTypeSet::None,
            EventTypeSet::Only(names) => EventTypeSet::from_parts(false, names.clone()),
            EventTypeSet::AllExcept(names) => EventTypeSet::from_parts(true, names.clone()),
        }
    }

    /// The intersection.
    pub fn intersect(&self, other: &EventTypeSet) -> EventTypeSet {
        use EventTypeSet::{All, AllExcept, None, Only};
        match (self, other) {
            (None, _) | (_, None) => None,
            (All, set) | (set, All) => set.clone(),
            (Only(a), Only(b)) => Self::from_parts(true, a.intersection(b).cloned().collect()),
            (Only(a), AllExcept(b)) | (AllExcept(b), Only(a)) => {
                Self::from_parts(true, a.difference(b).cloned().collect())
            }
            (AllExcept(a), AllExcept(b)) => Self::from_parts(false, a.union(b).cloned().collect()),
        }
    }

    /// The union.
    pub fn union(&self, other: &EventTypeSet) -> EventTypeSet {
        use EventTypeSet::{All, AllExcept, None, Only};
        match (self, other) {
            (All, _) | (_, All) => All,
            (None, set) | (set, None) => set.clone(),
            (Only(a), Only(b)) => Self::from_parts(true, a.union(b).cloned().collect()),
            (Only(a), AllExcept(b)) | (AllExcept(b), Only(a)) => {
                Self::from_parts(false, b.difference(a).cloned().collect())
            }
            (AllExcept(a), AllExcept(b)) => {
                Self::from_parts(false, a.intersection(b).cloned().collect())
            }
        }
    }

    /// Whether `name` is in the set.
    pub fn contains(&self, name: &str) -> bool {
        match self {
            EventTypeSet::None => false,
            EventTypeSet::All => true,
            EventTypeSet::Only(names) => names.contains(name),
            EventTypeSet::AllExcept(names) => !names.contains(name),
        }
    }

    /// Whether Falco would warn that a rule with this set matches too many event
    /// types (W206), given the number of event type names in all.
    ///
    /// Falco counts event codes, about two per name (the enter and exit events), and
    /// warns above 100; a condition that can never match (`None`) does not warn.
    /// The count here is by name, so this is `names * 2 > 100`.
    pub fn exceeds_falco_limit(&self, universe: usize) -> bool {
        self.count(universe).saturating_mul(2) > 100
    }

    /// How many types the set holds when there are `universe` types in all (names in
    /// the set are assumed to be among them).
    pub fn count(&self, universe: usize) -> usize {
        match self {
            EventTypeSet::None => 0,
            EventTypeSet::All => universe,
            EventTypeSet::Only(names) => names.len(),
            EventTypeSet::AllExcept(names) => universe.saturating_sub(names.len()),
        }
    }
}

/// How deep macro references may nest before the analysis gives up (and says "all"):
/// as deep as a rule may nest once inlined (falco-resolve's `MAX_INLINED_DEPTH`; a
/// deeper rule is an error, E210).
const MAX_MACRO_DEPTH: usize = 1_000;

/// Computes the event types `expr` can match. Macro references are followed through
/// `lookup_macro` (a missing macro matches every type). `source` and `resolver`
/// decide which `evt.type` values are event names; unknown names match nothing.
pub fn event_types<'m>(
    expr: &TypedExpr,
    lookup_macro: &dyn Fn(&str) -> Option<&'m TypedExpr>,
    resolver: &dyn FieldResolver,
    source: &str,
) -> EventTypeSet {
    let analysis = Analysis {
        lookup_macro,
        resolver,
        source,
        macros: RefCell::default(),
    };
    analysis.expr(expr, false, 0)
}

struct Analysis<'a, 'm> {
    lookup_macro: &'a dyn Fn(&str) -> Option<&'m TypedExpr>,
    resolver: &'a dyn FieldResolver,
    source: &'a str,
    /// Each macro's set, plain and negated, computed once: a macro used twice by each
    /// of the next (`m2: m1 and m1`, ...) would otherwise be walked 2^n times.
    macros: RefCell<HashMap<(String, bool), EventTypeSet>>,
}

impl Analysis<'_, '_> {
    /// Recursion follows macro references up to [`MAX_MACRO_DEPTH`], a few KiB of
    /// stack each in a debug build: the stack grows on demand, so this is safe on
    /// any thread (lowering calls it for every rule).
    fn expr(&self, expr: &TypedExpr, negated: bool, depth: usize) -> EventTypeSet {
        stacker::maybe_grow(64 << 10, 1 << 20, || self.set(expr, negated, depth))
    }

    fn set(&self, expr: &TypedExpr, negated: bool, depth: usize) -> EventTypeSet {
        match expr {
            TypedExpr::And(children, _) | TypedExpr::Or(children, _) => {
                let conjunction = matches!(expr, TypedExpr::And(..)) != negated;
                let mut sets = children
                    .iter()
                    .map(|child| self.expr(child, negated, depth));
                let first = sets.next().unwrap_or(EventTypeSet::All);
                sets.fold(first, |acc, set| {
                    if conjunction {
                        acc.intersect(&set)
                    } else {
                        acc.union(&set)
                    }
                })
            }
            TypedExpr::Not(child, _) => self.expr(child, !negated, depth),
            TypedExpr::Macro(ident) => {
                if depth >= MAX_MACRO_DEPTH {
                    return EventTypeSet::All;
                }
                let key = (ident.name.clone(), negated);
                if let Some(set) = self.macros.borrow().get(&key) {
                    return set.clone();
                }
                let set = match (self.lookup_macro)(&ident.name) {
                    Some(body) => self.expr(body, negated, depth + 1),
                    None => EventTypeSet::All,
                };
                self.macros.borrow_mut().insert(key, set.clone());
                set
            }
            TypedExpr::Check(check) => self.check(check, negated),
            TypedExpr::Error(_) => EventTypeSet::All,
        }
    }

    fn check(&self, check: &TypedCheck, negated: bool) -> EventTypeSet {
        let flip = |set: EventTypeSet| if negated { set.complement() } else { set };
        if let Some(decided) = evt_num_invariant(check) {
            return flip(if decided {
                EventTypeSet::All
            } else {
                EventTypeSet::None
            });
        }
        let TypedOperand::Field(field) = &check.left else {
            return EventTypeSet::All;
        };
        let is_type_field =
            (field.written == "evt.type" || field.written == "syscall.type") && field.arg.is_none();
        if !is_type_field {
            return EventTypeSet::All;
        }
        if check.op == Op::Exists {
            return flip(EventTypeSet::All);
        }
        if !matches!(check.op, Op::Eq | Op::EqEq | Op::Ne | Op::In) {
            return EventTypeSet::All;
        }
        let texts: Vec<&str> = match &check.right {
            TypedValue::Single(value) => vec![value.text.as_str()],
            TypedValue::List(values, _) => values.iter().map(|value| value.text.as_str()).collect(),
            TypedValue::Field(_) | TypedValue::None => return EventTypeSet::All,
        };
        let names: BTreeSet<String> = texts
            .into_iter()
            .filter(|name| self.resolver.is_event_type(self.source, name))
            .map(str::to_owned)
            .collect();
        let set = flip(EventTypeSet::Only(names).normalized());
        if check.op == Op::Ne {
            set.complement()
        } else {
            set
        }
    }
}

/// `Some(false)`: the check never holds; `Some(true)`: it always holds; `None`:
/// undecided. Only bare `evt.num` with constants is decided.
fn evt_num_invariant(check: &TypedCheck) -> Option<bool> {
    let TypedOperand::Field(field) = &check.left else {
        return None;
    };
    if field.written != "evt.num" || field.arg.is_some() {
        return None;
    }
    if check.op == Op::In {
        let TypedValue::List(values, _) = &check.right else {
            return None;
        };
        let all_zero = values.iter().all(|value| scan_u64(&value.text) == Some(0));
        return if all_zero { Some(false) } else { None };
    }
    let TypedValue::Single(value) = &check.right else {
        return None;
    };
    let n = scan_u64(&value.text)?;
    match check.op {
        Op::Eq | Op::EqEq if n == 0 => Some(false),
        Op::Ne if n == 0 => Some(true),
        Op::Lt if n <= 1 => Some(false),
        Op::Le if n == 0 => Some(false),
        Op::Gt if n == 0 => Some(true),
        Op::Ge if n <= 1 => Some(true),
        _ => None,
    }
}

/// Parses like `sscanf("%lu")`: a negative number wraps around.
fn scan_u64(text: &str) -> Option<u64> {
    let value = crate::literal::scan_integer(text)?;
    let magnitude = u64::try_from(value.unsigned_abs()).unwrap_or(u64::MAX);
    Some(if value < 0 {
        magnitude.wrapping_neg()
    } else {
        magnitude
    })
}
