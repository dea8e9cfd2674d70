//! The verifier: every index in range, every operand shape what its operator needs,
//! every rule's code a forward-only program ending in `Return`. A bundle that passes
//! can be run without bounds failures or endless loops.

use crate::error::BundleError;
use crate::model::*;

/// The deepest operand nesting (transformers inside transformers) a bundle may use.
/// The VM keeps one scratch buffer per level.
pub const MAX_OPERAND_DEPTH: usize = 8;

/// Checks every cross-reference of a decoded bundle.
pub fn verify(b: &Bundle) -> Result<(), BundleError> {
    for (i, f) in b.fields.iter().enumerate() {
        if f.source as usize >= b.sources.len() {
            return Err(BundleError::invalid(format!(
                "field {i} (`{}`) names source {} of {}",
                f.name,
                f.source,
                b.sources.len()
            )));
        }
    }
    verify_operands(b)?;
    for (i, c) in b.checks.iter().enumerate() {
        verify_check(b, i, c)?;
    }
    for (i, insn) in b.code.iter().enumerate() {
        if let Insn::Check(c) = insn
            && *c as usize >= b.checks.len()
        {
            return Err(BundleError::invalid(format!(
                "instruction {i} uses check {c} of {}",
                b.checks.len()
            )));
        }
    }
    for rule in &b.rules {
        verify_rule(b, rule)?;
    }
    if !is_sorted_unique(&b.syscalls.names) {
        return Err(BundleError::invalid("syscall names are not sorted"));
    }
    Ok(())
}

/// Checks every operand's references and nesting depth (1 for a field or literal).
/// Operands may only refer to earlier ones, so there are no cycles.
fn verify_operands(b: &Bundle) -> Result<(), BundleError> {
    let mut depths: Vec<usize> = Vec::with_capacity(b.operands.len());
    for (i, o) in b.operands.iter().enumerate() {
        let bad = |what: String| BundleError::invalid(format!("operand {i}: {what}"));
        let children: &[u32] = match o {
            Operand::Field(f) => {
                if *f as usize >= b.fields.len() {
                    return Err(bad(format!("field {f} of {}", b.fields.len())));
                }
                &[]
            }
            Operand::Literal(_) => &[],
            Operand::List(items) => items,
            Operand::Transform { kind, args, .. } => {
                let ok = match kind {
                    Transform::Join | Transform::Getopt => args.len() == 2,
                    Transform::Concat => !args.is_empty(),
                    _ => args.len() == 1,
                };
                if !ok {
                    return Err(bad(format!(
                        "`{}` with {} arguments",
                        kind.name(),
                        args.len()
                    )));
                }
                args
            }
        };
        let mut depth = 1;
        for &c in children {
            let d = depths
                .get(c as usize)
                .ok_or_else(|| bad(format!("refers to operand {c}, not an earlier one")))?;
            depth = depth.max(d + 1);
        }
        if depth > MAX_OPERAND_DEPTH {
            return Err(bad(format!(
                "nested {depth} deep (at most {MAX_OPERAND_DEPTH})"
            )));
        }
        depths.push(depth);
    }
    Ok(())
}

fn verify_check(b: &Bundle, i: usize, c: &Check) -> Result<(), BundleError> {
    let bad = |what: String| BundleError::invalid(format!("check {i}: {what}"));
    let lhs = b
        .operands
        .get(c.lhs as usize)
        .ok_or_else(|| bad(format!("operand {} of {}", c.lhs, b.operands.len())))?;
    match lhs {
        Operand::Literal(_) => {
            return Err(bad("the left side is not a field or transformer".into()));
        }
        Operand::List(columns) => return verify_tuple_check(b, c, columns).map_err(bad),
        Operand::Field(_) | Operand::Transform { .. } => {}
    }
    let const_at = |k: u32| {
        b.consts
            .get(k as usize)
            .ok_or_else(|| bad(format!("constant {k} of {}", b.consts.len())))
    };
    match (&c.rhs, c.op, c.quant) {
        (Rhs::None, CmpOp::Exists, None) => {}
        (Rhs::None, op, _) => return Err(bad(format!("`{}` needs a value", op.name()))),
        (_, CmpOp::Exists, _) => return Err(bad("`exists` takes no value".into())),
        (Rhs::List(items), op, quant) if op.takes_set() || quant.is_some() => {
            if op.takes_set() && quant.is_some() {
                return Err(bad(format!("`{}` takes no modifier", op.name())));
            }
            for &k in items {
                check_const(op, const_at(k)?).map_err(&bad)?;
            }
        }
        (Rhs::List(_), op, None) => {
            return Err(bad(format!("`{}` takes one value, not a list", op.name())));
        }
        (_, op, _) if op.takes_set() => {
            return Err(bad(format!("`{}` takes a list", op.name())));
        }
        (_, _, Some(_)) => return Err(bad("a modifier needs a list".into())),
        (Rhs::Const(k), op, None) => check_const(op, const_at(*k)?).map_err(&bad)?,
        (Rhs::Operand(o), _, None) => {
            let operand = b
                .operands
                .get(*o as usize)
                .ok_or_else(|| bad(format!("operand {o} of {}", b.operands.len())))?;
            if matches!(operand, Operand::Literal(_) | Operand::List(_)) {
                return Err(bad("the right side is not a field or transformer".into()));
            }
        }
    }
    Ok(())
}

/// A tuple check (exception rows): `(f1, f2, ...) in (rows)`, the operand a list of
/// fields or transformers, the constants the rows one after another.
fn verify_tuple_check(b: &Bundle, c: &Check, columns: &[u32]) -> Result<(), String> {
    if c.op != CmpOp::In || c.quant.is_some() || columns.is_empty() {
        return Err("a tuple of operands only goes with a plain `in`".into());
    }
    for &col in columns {
        match b.operands.get(col as usize) {
            Some(Operand::Field(_) | Operand::Transform { .. }) => {}
            _ => return Err(format!("tuple column {col} is not a field or transformer")),
        }
    }
    let Rhs::List(items) = &c.rhs else {
        return Err("a tuple check needs a list of rows".into());
    };
    if items.len() % columns.len() != 0 {
        return Err(format!(
            "{} values do not make rows of {}",
            items.len(),
            columns.len()
        ));
    }
    for &k in items {
        let value = b
            .consts
            .get(k as usize)
            .ok_or_else(|| format!("constant {k} of {}", b.consts.len()))?;
        check_const(CmpOp::Eq, value)?;
    }
    Ok(())
}

/// Whether a constant's kind fits the operator.
fn check_const(op: CmpOp, c: &Const) -> Result<(), String> {
    let text_only = matches!(
        op,
        CmpOp::Contains
            | CmpOp::IContains
            | CmpOp::BContains
            | CmpOp::StartsWith
            | CmpOp::BStartsWith
            | CmpOp::EndsWith
            | CmpOp::Glob
            | CmpOp::IGlob
            | CmpOp::Regex
            | CmpOp::PMatch
    );
    let ordered = matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge);
    let ok = match c {
        // libsinsp orders strings with strcmp.
        Const::Str(_) => true,
        Const::Int(_) | Const::UInt(_) | Const::Double(_) => !text_only,
        Const::Bool(_) | Const::Ip(_) | Const::Net(..) => !text_only && !ordered,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("`{}` cannot compare with {c:?}", op.name()))
    }
}

fn verify_rule(b: &Bundle, r: &Rule) -> Result<(), BundleError> {
    let bad = |what: String| BundleError::invalid(format!("rule `{}`: {what}", r.name));
    if r.source as usize >= b.sources.len() {
        return Err(bad(format!("source {} of {}", r.source, b.sources.len())));
    }
    let start = r.code_start as usize;
    let end = start
        .checked_add(r.code_len as usize)
        .filter(|&end| end <= b.code.len() && end > start)
        .ok_or_else(|| bad(format!("code range {start}+{} out of bounds", r.code_len)))?;
    if b.code.get(end - 1) != Some(&Insn::Return) {
        return Err(bad("code does not end with `return`".into()));
    }
    for pc in start..end {
        if let Some(Insn::JumpIfFalse(t) | Insn::JumpIfTrue(t)) = b.code.get(pc) {
            let t = *t as usize;
            if t <= pc || t >= end {
                return Err(bad(format!(
                    "jump at {pc} to {t} leaves the range {start}..{end} or goes back"
                )));
            }
        }
    }
    for part in &r.output {
        if let OutputPart::Field(f) = part {
            check_field(b, r, *f).map_err(&bad)?;
        }
    }
    for &f in &r.fields {
        check_field(b, r, f).map_err(&bad)?;
    }
    if let EventTypes::Only(names) | EventTypes::AllExcept(names) = &r.event_types
        && !is_sorted_unique(names)
    {
        return Err(bad("event type names are not sorted".into()));
    }
    Ok(())
}

fn check_field(b: &Bundle, r: &Rule, f: u32) -> Result<(), String> {
    match b.fields.get(f as usize) {
        None => Err(format!("field {f} of {}", b.fields.len())),
        Some(field) if field.source != r.source => {
            Err(format!("field `{}` is of another source", field.name))
        }
        Some(_) => Ok(()),
    }
}

fn is_sorted_unique(names: &[String]) -> bool {
    names.windows(2).all(|w| w[0] < w[1])
}
