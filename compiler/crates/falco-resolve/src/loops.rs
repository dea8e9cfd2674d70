//! Macro reference loops: Falco expands each macro into the conditions that use
//! it, and refuses a macro that reaches itself again ("reference loop in macro").
//! A loop can only form through redefinitions, overrides or appends, since a macro
//! sees only the macros defined before it.
//!
//! Each strongly connected group of macros is one loop, reported once: at the
//! reference in the member changed last (where the loop was closed), with a
//! related label on every other reference of the shortest cycle back to it.

use std::collections::VecDeque;

use falco_diagnostics::{Code, Diagnostic};
use falco_span::FileSpan;

use crate::model::{Macro, MacroId, Origin};

/// Reports every macro reference loop and marks the macros that are part of one
/// (`Macro::looped`).
pub(crate) fn report_loops(macros: &mut [Macro], diagnostics: &mut Vec<Diagnostic>) {
    let edges: Vec<Vec<(MacroId, FileSpan)>> = macros
        .iter()
        .map(|item| {
            item.condition
                .macro_refs
                .iter()
                .filter_map(|reference| {
                    let span = item.condition.to_file(reference.span)?;
                    Some((reference.target?, span))
                })
                .collect()
        })
        .collect();
    for group in strongly_connected(&edges) {
        let closes_itself = |id: MacroId| edges[id].iter().any(|(to, _)| *to == id);
        if group.len() == 1 && !closes_itself(group[0]) {
            continue;
        }
        for &id in &group {
            macros[id].looped = true;
        }
        let Some(&start) = group
            .iter()
            .max_by_key(|&&id| last_change(&macros[id].origin))
        else {
            continue;
        };
        if let Some((first, rest)) = shortest_cycle(&edges, &group, start).split_first() {
            diagnostics.push(loop_diagnostic(macros, *first, rest));
        }
    }
}

/// A macro reference: the macro holding it, the macro it names, where it is
/// written.
type Reference = (MacroId, MacroId, FileSpan);

/// The diagnostic of one loop: its references in order, from `first` until the
/// last of `rest` leads back to the macro holding `first`.
fn loop_diagnostic(macros: &[Macro], first: Reference, rest: &[Reference]) -> Diagnostic {
    let name = |id: MacroId| macros[id].name.as_str();
    let (first, target, at) = first;
    let message = if rest.is_empty() {
        format!("macro `{}` refers to itself", name(first))
    } else {
        let path: Vec<String> = std::iter::once(first)
            .chain(rest.iter().map(|&(from, _, _)| from))
            .map(|from| format!("`{}`", name(from)))
            .collect();
        format!(
            "macros refer to each other in a loop: {} → `{}`",
            path.join(" → "),
            name(first)
        )
    };
    let mut diagnostic = Diagnostic::new(Code::E208, at, message)
        .with_label(format!("`{}` uses `{}` here", name(first), name(target)))
        .with_help(
            "Falco expands a macro wherever it is used, so a loop never ends: remove one of these references",
        );
    for &(from, to, span) in rest {
        let label = if to == first {
            format!("`{}` uses `{}` again here", name(from), name(to))
        } else {
            format!("`{}` uses `{}` here", name(from), name(to))
        };
        diagnostic = diagnostic.with_related(span, label);
    }
    diagnostic
}

/// Where an item was last defined or amended, for ordering.
fn last_change(origin: &Origin) -> (u32, u32) {
    origin
        .amendments
        .iter()
        .chain(std::iter::once(&origin.definition))
        .map(|span| (span.file.0, span.span.start))
        .max()
        .unwrap_or_default()
}

/// The shortest cycle from `start` back to itself inside `group`, as its
/// references (holder, target, span), found breadth first.
fn shortest_cycle(
    edges: &[Vec<(MacroId, FileSpan)>],
    group: &[MacroId],
    start: MacroId,
) -> Vec<Reference> {
    let mut inside = vec![false; edges.len()];
    for &id in group {
        inside[id] = true;
    }
    // The reference each reached macro was first reached through.
    let mut came_from: Vec<Option<(MacroId, FileSpan)>> = vec![None; edges.len()];
    let mut queue = VecDeque::from([start]);
    let mut closing = None;
    'search: while let Some(id) = queue.pop_front() {
        for &(to, span) in &edges[id] {
            if to == start {
                closing = Some((id, span));
                break 'search;
            }
            if inside[to] && came_from[to].is_none() {
                came_from[to] = Some((id, span));
                queue.push_back(to);
            }
        }
    }
    let Some((mut id, span)) = closing else {
        return Vec::new();
    };
    let mut cycle = vec![(id, start, span)];
    while id != start {
        let Some((from, span)) = came_from[id] else {
            break;
        };
        cycle.push((from, id, span));
        id = from;
    }
    cycle.reverse();
    cycle
}

/// The strongly connected components of the reference graph (Tarjan's
/// algorithm, with an explicit stack so that long chains cannot overflow).
fn strongly_connected(edges: &[Vec<(MacroId, FileSpan)>]) -> Vec<Vec<MacroId>> {
    const UNSEEN: usize = usize::MAX;
    let count = edges.len();
    let mut order = vec![UNSEEN; count];
    let mut low = vec![0; count];
    let mut on_stack = vec![false; count];
    let mut stack = Vec::new();
    let mut groups = Vec::new();
    let mut next = 0;
    for root in 0..count {
        if order[root] != UNSEEN {
            continue;
        }
        // (node, index of the next edge to follow)
        let mut path = vec![(root, 0)];
        order[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(top) = path.last_mut() {
            let node = top.0;
            if let Some(&(to, _)) = edges[node].get(top.1) {
                top.1 += 1;
                if order[to] == UNSEEN {
                    order[to] = next;
                    low[to] = next;
                    next += 1;
                    stack.push(to);
                    on_stack[to] = true;
                    path.push((to, 0));
                } else if on_stack[to] {
                    low[node] = low[node].min(order[to]);
                }
                continue;
            }
            path.pop();
            if let Some(&(parent, _)) = path.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                let mut group = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    group.push(member);
                    if member == node {
                        break;
                    }
                }
                group.sort_unstable();
                groups.push(group);
            }
        }
    }
    groups
}
