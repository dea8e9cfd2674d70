//! Typed conditions to IR: macros inlined, operands and values interned.

use std::collections::HashMap;
use std::sync::Arc;

use falco_bundle::{Check, CmpOp, Const, Field, Operand, Quant, Rhs, Transform};
use falco_condition::ast::{Modifier, Op, TransformKind};
use falco_resolve::expansion::MAX_INLINED_DEPTH;
use falco_resolve::{Condition, MacroId, Ruleset};
use falco_typeck::{Literal, TypedExpr, TypedField, TypedLiteral, TypedOperand, TypedValue};

use crate::ir::Ir;
use crate::map::Mark;
use crate::tables::Tables;

/// What lowering one condition needs.
pub(crate) struct Lowerer<'a> {
    pub(crate) ruleset: &'a Ruleset,
    pub(crate) macros: &'a HashMap<(MacroId, String), Arc<TypedExpr>>,
    pub(crate) source: &'a str,
    pub(crate) source_id: u32,
    pub(crate) tables: &'a mut Tables,
    /// Fields read, for the rule's required-field list.
    pub(crate) fields: Vec<u32>,
    /// Whether every node keeps where it was written (traced lowering).
    pub(crate) traced: bool,
}

impl Lowerer<'_> {
    /// Lowers `expr`, a typed tree of `condition` (its spans are offsets into
    /// the condition's text, its macro references are the condition's).
    ///
    /// Recursion follows the inlined tree, up to E210's 1,000 levels, each a few
    /// kilobytes of stack in a debug build: the stack grows on demand
    /// ([`crate::grow_stack`]), so lowering is safe on any thread.
    pub(crate) fn expr(
        &mut self,
        expr: &TypedExpr,
        condition: &Condition,
        depth: usize,
    ) -> Result<Ir, String> {
        crate::grow_stack(|| self.marked(expr, condition, depth))
    }

    fn marked(
        &mut self,
        expr: &TypedExpr,
        condition: &Condition,
        depth: usize,
    ) -> Result<Ir, String> {
        let ir = self.unmarked(expr, condition, depth)?;
        Ok(if self.traced {
            let macro_name = match expr {
                TypedExpr::Macro(ident) => Some(ident.name.clone()),
                _ => None,
            };
            let span = condition.to_file(expr.span());
            Ir::Marked(Box::new(ir), Box::new(Mark { span, macro_name }))
        } else {
            ir
        })
    }

    fn unmarked(
        &mut self,
        expr: &TypedExpr,
        condition: &Condition,
        depth: usize,
    ) -> Result<Ir, String> {
        let refs = &condition.macro_refs;
        Ok(match expr {
            TypedExpr::And(children, _) => Ir::And(self.all(children, condition, depth)?),
            TypedExpr::Or(children, _) => Ir::Or(self.all(children, condition, depth)?),
            TypedExpr::Not(inner, _) => Ir::Not(Box::new(self.expr(inner, condition, depth)?)),
            TypedExpr::Error(_) => return Err("the condition has an error".into()),
            TypedExpr::Macro(ident) => {
                let target = refs
                    .iter()
                    .find(|r| r.span == ident.span)
                    .or_else(|| refs.iter().find(|r| r.name == ident.name))
                    .and_then(|r| r.target)
                    .ok_or_else(|| format!("macro `{}` is not defined", ident.name))?;
                // Checked up front (E210); this guards the recursion alone.
                if depth >= MAX_INLINED_DEPTH {
                    return Err(format!("macros nest deeper than {MAX_INLINED_DEPTH}"));
                }
                let tree = self
                    .macros
                    .get(&(target, self.source.to_owned()))
                    .ok_or_else(|| format!("macro `{}` was not typechecked", ident.name))?;
                let inner = self
                    .ruleset
                    .macros
                    .get(target)
                    .map(|m| &m.condition)
                    .ok_or_else(|| format!("macro `{}` is not defined", ident.name))?;
                self.expr(tree, inner, depth + 1)?
            }
            TypedExpr::Check(check) => {
                if check.has_error {
                    return Err("a check has an error".into());
                }
                let lhs = self.operand(&check.left)?;
                let op = cmp_op(check.op);
                let quant = check.modifier.map(|m| match m {
                    Modifier::OneOf => Quant::ExactlyOne,
                    Modifier::AnyOf => Quant::Any,
                    Modifier::AllOf => Quant::All,
                });
                let rhs = match &check.right {
                    TypedValue::None => Rhs::None,
                    TypedValue::Single(lit) if op.takes_set() || quant.is_some() => {
                        Rhs::List(vec![self.literal(lit)?])
                    }
                    TypedValue::Single(lit) => Rhs::Const(self.literal(lit)?),
                    TypedValue::List(lits, _) => Rhs::List(
                        lits.iter()
                            .map(|lit| self.literal(lit))
                            .collect::<Result<_, _>>()?,
                    ),
                    TypedValue::Field(operand) => Rhs::Operand(self.operand(operand)?),
                };
                Ir::Check(Check {
                    lhs,
                    op,
                    quant,
                    rhs,
                })
            }
        })
    }

    fn all(
        &mut self,
        children: &[TypedExpr],
        condition: &Condition,
        depth: usize,
    ) -> Result<Vec<Ir>, String> {
        children
            .iter()
            .map(|child| self.expr(child, condition, depth))
            .collect()
    }

    /// Interns a field reference of this rule's source.
    pub(crate) fn field(&mut self, field: &TypedField) -> u32 {
        let id = self.tables.field(field_ref(self.source_id, field));
        if !self.fields.contains(&id) {
            self.fields.push(id);
        }
        id
    }

    fn operand(&mut self, operand: &TypedOperand) -> Result<u32, String> {
        let lowered = match operand {
            TypedOperand::Field(field) => Operand::Field(self.field(field)),
            TypedOperand::Transform(t) => {
                let kind = match t.kind {
                    TransformKind::ToLower => Transform::ToLower,
                    TransformKind::ToUpper => Transform::ToUpper,
                    TransformKind::B64 => Transform::B64,
                    TransformKind::Basename => Transform::Basename,
                    TransformKind::Len => Transform::Len,
                    TransformKind::Join => Transform::Join,
                    TransformKind::Concat => Transform::Concat,
                    TransformKind::Getopt => Transform::Getopt,
                    TransformKind::Val => {
                        return match t.args.as_slice() {
                            [inner] => self.operand(inner),
                            _ => Err("`val` takes one field".into()),
                        };
                    }
                };
                let args = t
                    .args
                    .iter()
                    .map(|a| self.operand(a))
                    .collect::<Result<_, _>>()?;
                Operand::Transform {
                    kind,
                    args,
                    arg: t.arg.clone(),
                }
            }
            TypedOperand::Literal(text, _) => Operand::Literal(text.clone()),
            TypedOperand::List(items, _) => Operand::List(
                items
                    .iter()
                    .map(|a| self.operand(a))
                    .collect::<Result<_, _>>()?,
            ),
            TypedOperand::Error(_) => return Err("an operand has an error".into()),
        };
        Ok(self.tables.operand(lowered))
    }

    fn literal(&mut self, lit: &TypedLiteral) -> Result<u32, String> {
        let c = match &lit.value {
            Literal::Str(_) | Literal::Unchecked(_) => Const::Str(lit.as_bytes().to_vec()),
            Literal::Bytes(b) => Const::Str(b.clone()),
            Literal::Regex(pattern) => Const::Str(pattern.as_bytes().to_vec()),
            Literal::Int(v) => Const::Int(*v),
            Literal::UInt(v) | Literal::RelTimeNs(v) | Literal::AbsTimeNs(v) => Const::UInt(*v),
            Literal::Port(p) => Const::UInt(u64::from(*p)),
            Literal::Double(v) => Const::Double(*v),
            Literal::Bool(v) => Const::Bool(*v),
            Literal::Ip(ip) => Const::Ip(*ip),
            Literal::Net { addr, prefix } => Const::Net(*addr, *prefix),
            Literal::Error => return Err(format!("value `{}` has an error", lit.text)),
        };
        Ok(self.tables.constant(c))
    }
}

/// The bundle's form of a field: the name as written (`evt.arg.flags` keeps its
/// dotted argument in the name), the bracket argument apart.
pub(crate) fn field_ref(source: u32, field: &TypedField) -> Field {
    let dotted = field.written != field.name;
    Field {
        source,
        name: field.written.clone(),
        arg: if dotted { None } else { field.arg.clone() },
    }
}

/// The bundle operator of a condition operator (`==` is `=`).
pub(crate) fn cmp_op(op: Op) -> CmpOp {
    match op {
        Op::Eq | Op::EqEq => CmpOp::Eq,
        Op::Ne => CmpOp::Ne,
        Op::Lt => CmpOp::Lt,
        Op::Le => CmpOp::Le,
        Op::Gt => CmpOp::Gt,
        Op::Ge => CmpOp::Ge,
        Op::Contains => CmpOp::Contains,
        Op::IContains => CmpOp::IContains,
        Op::BContains => CmpOp::BContains,
        Op::StartsWith => CmpOp::StartsWith,
        Op::BStartsWith => CmpOp::BStartsWith,
        Op::EndsWith => CmpOp::EndsWith,
        Op::Glob => CmpOp::Glob,
        Op::IGlob => CmpOp::IGlob,
        Op::Regex => CmpOp::Regex,
        Op::Exists => CmpOp::Exists,
        Op::In => CmpOp::In,
        Op::Intersects => CmpOp::Intersects,
        Op::PMatch => CmpOp::PMatch,
    }
}
