use falco_bundle::{Check, CmpOp, Insn, Quant, Rhs};

use crate::ir::Ir;
use crate::tables::Tables;

fn check(lhs: u32, op: CmpOp, c: u32) -> Ir {
    Ir::Check(Check {
        lhs,
        op,
        quant: None,
        rhs: Rhs::Const(c),
    })
}

#[test]
fn disjunction_of_equalities_becomes_one_set() {
    let ir = Ir::Or(vec![
        check(0, CmpOp::Eq, 1),
        Ir::Or(vec![check(0, CmpOp::Eq, 2), check(1, CmpOp::Eq, 3)]),
        check(0, CmpOp::Eq, 1),
    ])
    .simplify(&mut Tables::default());
    let Ir::Or(children) = ir else {
        panic!("{ir:?}")
    };
    assert_eq!(children.len(), 2);
    assert_eq!(
        children[0],
        Ir::Check(Check {
            lhs: 0,
            op: CmpOp::In,
            quant: None,
            rhs: Rhs::List(vec![1, 2]),
        })
    );
}

#[test]
fn contains_merge_into_any_and_in_is_not_merged() {
    let list_in = |c| {
        Ir::Check(Check {
            lhs: 0,
            op: CmpOp::In,
            quant: None,
            rhs: Rhs::List(vec![c]),
        })
    };
    let ir = Ir::Or(vec![
        check(0, CmpOp::Contains, 1),
        check(0, CmpOp::Contains, 2),
        list_in(3),
        list_in(4),
    ])
    .simplify(&mut Tables::default());
    let Ir::Or(children) = ir else {
        panic!("{ir:?}")
    };
    assert_eq!(children.len(), 3, "{children:?}");
    assert!(matches!(
        &children[0],
        Ir::Check(Check { quant: Some(Quant::Any), rhs: Rhs::List(items), .. }) if items == &[1, 2]
    ));
}

#[test]
fn and_short_circuits_with_forward_jumps() {
    let ir = Ir::And(vec![
        check(0, CmpOp::Eq, 1),
        Ir::Not(Box::new(check(1, CmpOp::Eq, 2))),
    ]);
    let mut tables = Tables::default();
    let mut code = Vec::new();
    ir.emit(&mut tables, &mut code);
    assert_eq!(
        code,
        vec![
            Insn::Check(0),
            Insn::JumpIfFalse(4),
            Insn::Check(1),
            Insn::Not
        ]
    );
}

#[test]
fn exception_tuples_become_one_tuple_check() {
    let row = |a, b| Ir::And(vec![check(0, CmpOp::Eq, a), check(1, CmpOp::Eq, b)]);
    let mut tables = Tables::default();
    let ir = Ir::Or(vec![row(1, 2), row(3, 4)]).simplify(&mut tables);
    assert_eq!(
        ir,
        Ir::Check(Check {
            lhs: 0,
            op: CmpOp::In,
            quant: None,
            rhs: Rhs::List(vec![1, 2, 3, 4]),
        })
    );
    assert_eq!(
        tables.operands,
        vec![falco_bundle::Operand::List(vec![0, 1])]
    );
    // Rows over different fields stay as they are.
    let other = Ir::And(vec![check(1, CmpOp::Eq, 2), check(0, CmpOp::Eq, 1)]);
    let ir = Ir::Or(vec![row(1, 2), other]).simplify(&mut Tables::default());
    assert!(matches!(ir, Ir::Or(_)), "{ir:?}");
}

/// The bundle spells its operators itself (it links nothing but `sha2`); each is
/// the condition operator it is lowered from, and every bundle operator has one.
#[test]
fn bundle_operators_are_spelled_as_the_condition_operators() {
    use falco_condition::ast::Op;
    for &op in Op::ALL {
        let spelling = if op == Op::EqEq { "=" } else { op.as_str() };
        assert_eq!(crate::expr::cmp_op(op).name(), spelling, "{op:?}");
    }
    for op in CmpOp::ALL {
        assert!(
            Op::ALL
                .iter()
                .any(|&known| crate::expr::cmp_op(known) == op),
            "{op:?}"
        );
    }
}
