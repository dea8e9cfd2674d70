//! The formatter's own check: the YAML data of its output equals the input's.
//!
//! Data here is what a YAML reader gives: scalar values (with whether they were
//! quoted and their tags), sequences in order, and mappings as sets of pairs (the
//! layout orders item keys; a mapping with a repeated key is compared in order,
//! since which pair comes first is then what a reader sees).

use falco_yaml::{Node, NodeKind};

/// Whether two nodes hold the same data.
pub fn same_data(a: &Node, b: &Node) -> bool {
    if a.tag != b.tag || a.is_null() != b.is_null() {
        return false;
    }
    match (&a.kind, &b.kind) {
        (NodeKind::Scalar(x), NodeKind::Scalar(y)) => {
            a.is_null() || (x.as_str() == y.as_str() && x.style.is_quoted() == y.style.is_quoted())
        }
        (NodeKind::Sequence(xs), NodeKind::Sequence(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys.iter()).all(|(x, y)| same_data(x, y))
        }
        (NodeKind::Mapping(xs), NodeKind::Mapping(ys)) => {
            if xs.len() != ys.len() {
                return false;
            }
            if !unique_keys(xs) {
                return xs
                    .iter()
                    .zip(ys.iter())
                    .all(|((xk, xv), (yk, yv))| same_data(xk, yk) && same_data(xv, yv));
            }
            xs.iter().all(|(xk, xv)| {
                ys.iter()
                    .find(|(yk, _)| same_data(xk, yk))
                    .is_some_and(|(_, yv)| same_data(xv, yv))
            })
        }
        _ => false,
    }
}

fn unique_keys(pairs: &[(Node, Node)]) -> bool {
    pairs.iter().enumerate().all(|(index, (key, _))| {
        pairs[..index]
            .iter()
            .all(|(other, _)| !same_data(other, key))
    })
}
