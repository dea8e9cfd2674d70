//! The IR between the typed tree and bytecode: boolean structure over interned
//! checks. Here `and`/`or` are flattened and disjunctions over one operand are merged
//! into one set or multi-pattern check (`f = a or f = b` → `f in (a, b)`,
//! `f contains a or f contains b` → one Aho-Corasick check), then the tree becomes
//! short-circuit jumps.

use falco_bundle::{Check, CmpOp, Insn, Quant, Rhs};

use crate::map::{CodeKind, CodeNode, Mark};
use crate::tables::Tables;

/// A boolean expression over checks.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ir {
    And(Vec<Ir>),
    Or(Vec<Ir>),
    Not(Box<Ir>),
    Check(Check),
    Const(bool),
    /// A node with where it was written (traced lowering only, which does not
    /// simplify).
    Marked(Box<Ir>, Box<Mark>),
}

impl Ir {
    /// Flattens nested `and`/`or` and merges mergeable checks of a disjunction.
    pub(crate) fn simplify(self, tables: &mut Tables) -> Ir {
        crate::grow_stack(|| self.simplified(tables))
    }

    fn simplified(self, tables: &mut Tables) -> Ir {
        match self {
            Ir::And(children) => {
                let mut flat = Vec::with_capacity(children.len());
                for child in children.into_iter().map(|c| c.simplify(tables)) {
                    match child {
                        Ir::And(inner) => flat.extend(inner),
                        other => flat.push(other),
                    }
                }
                single(flat, Ir::And)
            }
            Ir::Or(children) => {
                let mut flat = Vec::with_capacity(children.len());
                for child in children.into_iter().map(|c| c.simplify(tables)) {
                    match child {
                        Ir::Or(inner) => flat.extend(inner),
                        other => flat.push(other),
                    }
                }
                if let Some(tuples) = tuple_set(&flat, tables) {
                    return tuples;
                }
                single(merge_disjunction(flat), Ir::Or)
            }
            Ir::Not(inner) => Ir::Not(Box::new(inner.simplify(tables))),
            other => other,
        }
    }

    /// Appends the code of this expression; the accumulator holds its value after
    /// it. Returns where each piece of the code came from.
    pub(crate) fn emit(&self, tables: &mut Tables, code: &mut Vec<Insn>) -> CodeNode {
        crate::grow_stack(|| self.emitted(tables, code))
    }

    fn emitted(&self, tables: &mut Tables, code: &mut Vec<Insn>) -> CodeNode {
        let start = to_u32(code.len());
        let node = |kind, children, code: &Vec<Insn>| CodeNode {
            kind,
            span: None,
            code: start..to_u32(code.len()),
            children,
        };
        match self {
            Ir::Check(check) => {
                let id = tables.check(check.clone());
                code.push(Insn::Check(id));
                node(CodeKind::Check, Vec::new(), code)
            }
            Ir::Const(value) => {
                code.push(Insn::Set(*value));
                node(CodeKind::Const(*value), Vec::new(), code)
            }
            Ir::Not(inner) => {
                let inner = inner.emit(tables, code);
                code.push(Insn::Not);
                node(CodeKind::Not, vec![inner], code)
            }
            Ir::Marked(inner, mark) => {
                let mut inner = inner.emit(tables, code);
                match &mark.macro_name {
                    Some(name) => CodeNode {
                        kind: CodeKind::Macro(name.clone()),
                        span: mark.span,
                        code: inner.code.clone(),
                        children: vec![inner],
                    },
                    None => {
                        inner.span = mark.span;
                        inner
                    }
                }
            }
            Ir::And(children) | Ir::Or(children) => {
                let is_and = matches!(self, Ir::And(_));
                let mut patches = Vec::new();
                let mut nodes = Vec::with_capacity(children.len());
                for (i, child) in children.iter().enumerate() {
                    nodes.push(child.emit(tables, code));
                    if i + 1 < children.len() {
                        patches.push(code.len());
                        code.push(if is_and {
                            Insn::JumpIfFalse(0)
                        } else {
                            Insn::JumpIfTrue(0)
                        });
                    }
                }
                let end = to_u32(code.len());
                for at in patches {
                    if let Some(insn) = code.get_mut(at) {
                        *insn = match insn {
                            Insn::JumpIfFalse(_) => Insn::JumpIfFalse(end),
                            _ => Insn::JumpIfTrue(end),
                        };
                    }
                }
                let kind = if is_and { CodeKind::And } else { CodeKind::Or };
                node(kind, nodes, code)
            }
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An exception's tuples, `(f1 = a and f2 = b) or (f1 = c and f2 = d) or ...`: a
/// disjunction of conjunctions of `=` checks over the same operands in the same
/// order becomes one tuple check, `(f1, f2) in ((a, b), (c, d))`, whose operand is the
/// list of fields and whose constants are the rows one after another. The VM indexes
/// the rows by their first value.
fn tuple_set(children: &[Ir], tables: &mut Tables) -> Option<Ir> {
    if children.len() < 2 {
        return None;
    }
    let mut columns: Option<Vec<u32>> = None;
    let mut values = Vec::new();
    for child in children {
        let Ir::And(parts) = child else {
            return None;
        };
        let mut lhs = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                Ir::Check(Check {
                    lhs: operand,
                    op: CmpOp::Eq,
                    quant: None,
                    rhs: Rhs::Const(c),
                }) => {
                    lhs.push(*operand);
                    values.push(*c);
                }
                _ => return None,
            }
        }
        match &columns {
            None if lhs.len() >= 2 => columns = Some(lhs),
            Some(cols) if *cols == lhs => {}
            _ => return None,
        }
    }
    let columns = columns?;
    let tuple = tables.operand(falco_bundle::Operand::List(columns));
    Some(Ir::Check(Check {
        lhs: tuple,
        op: CmpOp::In,
        quant: None,
        rhs: Rhs::List(values),
    }))
}

fn single(mut children: Vec<Ir>, make: fn(Vec<Ir>) -> Ir) -> Ir {
    if children.len() == 1 {
        children.pop().unwrap_or(Ir::Const(false))
    } else {
        make(children)
    }
}

/// Which checks of a disjunction can be merged, and into what: the operator of the
/// merged check.
fn merge_key(check: &Check) -> Option<CmpOp> {
    match (check.op, check.quant, &check.rhs) {
        (CmpOp::Eq, None, Rhs::Const(_)) | (CmpOp::In, None, Rhs::List(_)) => Some(CmpOp::In),
        (CmpOp::PMatch, None, Rhs::List(_)) => Some(CmpOp::PMatch),
        (
            op @ (CmpOp::Contains
            | CmpOp::IContains
            | CmpOp::StartsWith
            | CmpOp::EndsWith
            | CmpOp::Glob
            | CmpOp::IGlob),
            None | Some(Quant::Any),
            Rhs::Const(_) | Rhs::List(_),
        ) => Some(op),
        _ => None,
    }
}

fn rhs_consts(rhs: &Rhs) -> Vec<u32> {
    match rhs {
        Rhs::Const(c) => vec![*c],
        Rhs::List(items) => items.clone(),
        _ => Vec::new(),
    }
}

/// Merges checks with the same operand and a mergeable operator, in place of the
/// first of them, keeping the order of everything else (so evaluation order, and
/// thus cost, stays what the author wrote).
///
/// `x in A or x in B` equals `x in (A ∪ B)` only when `x` has one value: on a list
/// field `in` means "every element is in the set". So only `=` checks (which the
/// typechecker allows on single values only) are merged into a set.
fn merge_disjunction(children: Vec<Ir>) -> Vec<Ir> {
    let mut out: Vec<Ir> = Vec::with_capacity(children.len());
    // (lhs, merged op) -> position in `out`
    let mut slots: Vec<(u32, CmpOp, usize, bool)> = Vec::new();
    for child in children {
        let Ir::Check(check) = &child else {
            out.push(child);
            continue;
        };
        let Some(op) = merge_key(check) else {
            out.push(child);
            continue;
        };
        let scalar_eq = check.op == CmpOp::Eq;
        let slot = slots
            .iter()
            .find(|(lhs, o, _, _)| *lhs == check.lhs && *o == op)
            .copied();
        match slot {
            Some((_, _, at, was_eq)) if op != CmpOp::In || (was_eq && scalar_eq) => {
                if let Some(Ir::Check(target)) = out.get_mut(at) {
                    let mut items = rhs_consts(&target.rhs);
                    for c in rhs_consts(&check.rhs) {
                        if !items.contains(&c) {
                            items.push(c);
                        }
                    }
                    target.op = op;
                    target.rhs = Rhs::List(items);
                    target.quant = if op.takes_set() {
                        None
                    } else {
                        Some(Quant::Any)
                    };
                }
            }
            _ => {
                slots.push((check.lhs, op, out.len(), scalar_eq));
                out.push(child);
            }
        }
    }
    out
}
