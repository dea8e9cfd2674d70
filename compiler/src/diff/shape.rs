//! A condition's shape for comparing two versions of it: macros inlined, lists
//! substituted (as resolution did), exceptions included, parentheses dropped,
//! `and`/`or` flattened with their operands sorted, and the values of list
//! operators (`in`, `intersects`, `pmatch`) kept as sets. Whether the new shape
//! matches more or fewer events than the old one is decided where that follows from
//! the shapes alone.
//!
//! Inlining copies a macro at each use, so macros that use each other twice (`m2: m1
//! and m1`, `m3: m2 and m2`, ...) double the shape at every level: a shape holds at
//! most [`MAX_SHAPE_CHECKS`] checks (lint's E211 limit) and is [`Shape::TooLarge`]
//! past it, which compares as "changed". Building one costs at most that many checks,
//! and comparing two is linear in their size (operands are kept sorted).

use std::collections::BTreeSet;

use falco_condition::ast::{Check, Expr, Op, Value};
use falco_condition::to_falco_string;
use falco_resolve::{MacroRef, Ruleset};

/// Macros nest at most this deep here: lint's E210 limit, which counts every level
/// and so is at least the number of macros on a path (resolution refuses cycles;
/// this bounds recursion on anything else).
const MAX_MACRO_DEPTH: usize = falco_resolve::expansion::MAX_INLINED_DEPTH;

/// The most checks a shape holds: lint's E211 limit, which Falco's largest rule (248)
/// is far below.
pub(crate) const MAX_SHAPE_CHECKS: u64 = falco_resolve::expansion::MAX_EXPANDED_CHECKS;

/// A condition's shape.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Shape {
    /// Every operand holds (sorted).
    And(Vec<Shape>),
    /// Some operand holds (sorted).
    Or(Vec<Shape>),
    /// The operand does not hold.
    Not(Box<Shape>),
    /// `left op (items)` with a list operator: the check without its values, and
    /// the values.
    Set(String, BTreeSet<String>),
    /// Any other check, as libsinsp prints it.
    Check(String),
    /// A macro that is not defined (or nests too deep), by name.
    Unknown(String),
    /// A condition over [`MAX_SHAPE_CHECKS`] once inlined: not built, and never the
    /// same as another.
    TooLarge,
}

/// Whether a new version of a condition matches more or fewer events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    /// The same events.
    Same,
    /// Every event it matched, and others.
    More,
    /// Only events it matched, not all of them.
    Fewer,
    /// Neither follows from the conditions alone.
    Changed,
}

impl Effect {
    /// The name in the outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Same => "same",
            Effect::More => "more",
            Effect::Fewer => "fewer",
            Effect::Changed => "changed",
        }
    }

    fn flip(self) -> Effect {
        match self {
            Effect::More => Effect::Fewer,
            Effect::Fewer => Effect::More,
            other => other,
        }
    }

    /// The effect of two changes made together.
    pub fn and(self, other: Effect) -> Effect {
        match (self, other) {
            (Effect::Same, effect) | (effect, Effect::Same) => effect,
            (a, b) if a == b => a,
            _ => Effect::Changed,
        }
    }
}

/// The shape of `expr`, whose macro references are `refs`, in `ruleset`
/// ([`Shape::TooLarge`] past [`MAX_SHAPE_CHECKS`]).
pub fn shape(ruleset: &Ruleset, expr: &Expr, refs: &[MacroRef]) -> Shape {
    let mut builder = Builder {
        ruleset,
        checks_left: MAX_SHAPE_CHECKS,
    };
    builder.shape_at(expr, refs, 0).unwrap_or(Shape::TooLarge)
}

/// Builds a shape within a budget of checks.
struct Builder<'r> {
    ruleset: &'r Ruleset,
    checks_left: u64,
}

impl Builder<'_> {
    /// The shape, or `None` once the budget is spent.
    fn shape_at(&mut self, expr: &Expr, refs: &[MacroRef], depth: usize) -> Option<Shape> {
        Some(match expr {
            Expr::And(operands, _) => self.group(operands, refs, depth, true)?,
            Expr::Or(operands, _) => self.group(operands, refs, depth, false)?,
            Expr::Not(inner, _) => Shape::Not(Box::new(self.shape_at(inner, refs, depth)?)),
            Expr::Paren(inner, _) => self.shape_at(inner, refs, depth)?,
            Expr::Macro(ident) => {
                let target = refs
                    .iter()
                    .find(|reference| reference.span == ident.span)
                    .and_then(|reference| reference.target)
                    .and_then(|id| self.ruleset.macros.get(id));
                match target {
                    Some(item) if depth < MAX_MACRO_DEPTH => {
                        self.shape_at(&item.condition.ast, &item.condition.macro_refs, depth + 1)?
                    }
                    _ => Shape::Unknown(ident.name.clone()),
                }
            }
            Expr::Check(check) => {
                self.checks_left = self.checks_left.checked_sub(1)?;
                check_shape(check)
            }
            Expr::Error(_) => Shape::Unknown(to_falco_string(expr)),
        })
    }

    fn group(
        &mut self,
        operands: &[Expr],
        refs: &[MacroRef],
        depth: usize,
        and: bool,
    ) -> Option<Shape> {
        let mut flat = Vec::with_capacity(operands.len());
        for operand in operands {
            match (self.shape_at(operand, refs, depth)?, and) {
                (Shape::And(inner), true) | (Shape::Or(inner), false) => flat.extend(inner),
                (other, _) => flat.push(other),
            }
        }
        flat.sort();
        Some(if and {
            Shape::And(flat)
        } else {
            Shape::Or(flat)
        })
    }
}

/// A check's shape. `f = v` is read as `f in (v)`: the typechecker allows `=` on
/// single values only, where the two mean the same, and so `evt.type = open` and
/// `evt.type in (open, openat)` compare as sets.
fn check_shape(check: &Check) -> Shape {
    let set = |op: Op, items: BTreeSet<String>| {
        let mut left = check.clone();
        left.op.op = op;
        left.right = None;
        Shape::Set(to_falco_string(&Expr::Check(Box::new(left))), items)
    };
    match &check.right {
        Some(Value::List(items, _)) if check.op.op.takes_list() => set(
            check.op.op,
            items.iter().map(|item| item.value.clone()).collect(),
        ),
        Some(Value::Str(value))
            if matches!(check.op.op, Op::Eq | Op::EqEq) && check.op.modifier.is_none() =>
        {
            set(Op::In, BTreeSet::from([value.value.clone()]))
        }
        _ => Shape::Check(to_falco_string(&Expr::Check(Box::new(check.clone())))),
    }
}

/// How `new` compares with `old`.
pub fn compare(old: &Shape, new: &Shape) -> Effect {
    if *old == Shape::TooLarge || *new == Shape::TooLarge {
        return Effect::Changed;
    }
    if old == new {
        return Effect::Same;
    }
    match (old, new) {
        (Shape::Not(old), Shape::Not(new)) => compare(old, new).flip(),
        (Shape::Set(old_key, old_items), Shape::Set(new_key, new_items)) if old_key == new_key => {
            // More values let more events through every list operator.
            if new_items.is_superset(old_items) {
                Effect::More
            } else if new_items.is_subset(old_items) {
                Effect::Fewer
            } else {
                Effect::Changed
            }
        }
        (Shape::And(_), _) | (_, Shape::And(_)) => operands(as_and(old), as_and(new), true),
        (Shape::Or(_), _) | (_, Shape::Or(_)) => operands(as_or(old), as_or(new), false),
        _ => Effect::Changed,
    }
}

fn as_and(shape: &Shape) -> &[Shape] {
    match shape {
        Shape::And(operands) => operands,
        other => std::slice::from_ref(other),
    }
}

fn as_or(shape: &Shape) -> &[Shape] {
    match shape {
        Shape::Or(operands) => operands,
        other => std::slice::from_ref(other),
    }
}

/// Compares the operands of two `and`s (or `or`s): operands only the new one has
/// narrow an `and` (widen an `or`), those only the old one had widen it; when as
/// many changed as stayed unmatched, they are compared pairwise in order.
fn operands(old: &[Shape], new: &[Shape], and: bool) -> Effect {
    let removed = missing_from(old, new);
    let added = missing_from(new, old);
    let effect = match (removed.is_empty(), added.is_empty()) {
        (true, true) => Effect::Same,
        (true, false) => Effect::Fewer,
        (false, true) => Effect::More,
        (false, false) if removed.len() == added.len() => {
            return removed
                .iter()
                .zip(&added)
                .map(|(old, new)| compare(old, new))
                .fold(Effect::Same, Effect::and);
        }
        (false, false) => Effect::Changed,
    };
    if and { effect } else { effect.flip() }
}

/// The shapes of `a` that `b` does not have (as multisets), in one walk over both:
/// operands are sorted (`Builder::group`), and a single shape is a sorted slice too.
fn missing_from<'s>(a: &'s [Shape], b: &[Shape]) -> Vec<&'s Shape> {
    let mut missing = Vec::new();
    let mut others = b.iter().peekable();
    for shape in a {
        while others.next_if(|other| *other < shape).is_some() {}
        if others.next_if(|other| *other == shape).is_none() {
            missing.push(shape);
        }
    }
    missing
}
