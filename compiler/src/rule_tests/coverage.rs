//! Rule coverage (`falco-rulec test --coverage`): which condition operands and
//! exception rows the tests' events made true or false, and which rules no event
//! reached.
//!
//! With coverage, a test file's rules are compiled with one check per operand as
//! written (`compile_traced`, whose code maps back to the text) and the VM reports
//! each rule it evaluates and each check's result ([`Collector`], a
//! `falco_vm::Trace`). After the file's cases, [`Collector::resolve`] turns the
//! counts into points of the rules files: every check, every macro reference, and
//! every exception row (the checks of an exception count through their row), with
//! how often each was true and false. [`Coverage`] adds up the points of every test
//! file by position, so a rules file that several test files load is covered by all.

use std::collections::BTreeMap;

use falco_lower::{CodeKind, CodeNode};
use falco_span::{FileSpan, Position};
use falco_vm::Trace;

use falco_analysis::Analysis;

/// What a point of coverage is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PointKind {
    /// A comparison of a condition (or of a macro's condition).
    Check,
    /// A reference to a macro: true when the macro's condition held.
    Macro(String),
    /// A row of an exception (1-based): true when every comparison of the row held,
    /// which excepts the event.
    Row {
        /// The exception's name.
        exception: String,
        /// The row's number in the exception's `values`.
        row: usize,
    },
}

/// One operand or exception row of a rules file, with its outcomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// The rules file, as loaded.
    pub path: String,
    /// Where it is written (a row: its values).
    pub start: Position,
    /// Where it ends.
    pub end: Position,
    /// Its text, blank runs as one space.
    pub text: String,
    /// What it is.
    pub kind: PointKind,
    /// How many evaluations made it true.
    pub true_count: u64,
    /// How many made it false.
    pub false_count: u64,
}

/// One rule of a rules file, with how often tests evaluated it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleReach {
    /// The rules file of its definition.
    pub path: String,
    /// The line of its name.
    pub line: u32,
    /// Its name.
    pub name: String,
    /// Whether it is enabled (a disabled rule is never evaluated).
    pub enabled: bool,
    /// Events it was evaluated on.
    pub evaluations: u64,
    /// Events it matched.
    pub matches: u64,
}

/// The coverage of one test file's run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunCoverage {
    /// The rules of the ruleset the file loaded.
    pub rules: Vec<RuleReach>,
    /// Their operands and exception rows.
    pub points: Vec<Point>,
}

/// Coverage over every test file of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Rules by (path, line, name).
    pub rules: BTreeMap<(String, u32, String), RuleReach>,
    /// Points by (path, start, end, kind).
    pub points: BTreeMap<(String, Position, Position, PointKind), Point>,
}

impl Coverage {
    /// Adds one test file's coverage.
    pub fn add(&mut self, run: RunCoverage) {
        for rule in run.rules {
            let key = (rule.path.clone(), rule.line, rule.name.clone());
            let entry = self.rules.entry(key).or_insert_with(|| RuleReach {
                evaluations: 0,
                matches: 0,
                ..rule.clone()
            });
            entry.evaluations += rule.evaluations;
            entry.matches += rule.matches;
            entry.enabled |= rule.enabled;
        }
        for point in run.points {
            let key = (
                point.path.clone(),
                point.start,
                point.end,
                point.kind.clone(),
            );
            let entry = self.points.entry(key).or_insert_with(|| Point {
                true_count: 0,
                false_count: 0,
                ..point.clone()
            });
            entry.true_count += point.true_count;
            entry.false_count += point.false_count;
        }
    }
}

/// Counts, for a traced bundle, what each evaluation made of each piece of code.
#[derive(Debug)]
pub struct Collector {
    /// Each bundle rule's code map.
    maps: Vec<CodeNode>,
    /// Per rule, per node (in pre-order): how often it was true and false.
    counts: Vec<Vec<[u64; 2]>>,
    evaluations: Vec<u64>,
    matches: Vec<u64>,
    /// The checks and constants the current rule ran: (pc, result), in order.
    steps: Vec<(u32, bool)>,
}

impl Collector {
    /// A collector for a bundle whose rules have these code maps.
    pub fn new(maps: Vec<CodeNode>) -> Collector {
        let counts = maps.iter().map(|map| vec![[0, 0]; size(map)]).collect();
        let rules = maps.len();
        Collector {
            maps,
            counts,
            evaluations: vec![0; rules],
            matches: vec![0; rules],
            steps: Vec::new(),
        }
    }

    /// The points and rules of `analysis` (the ruleset the bundle was compiled
    /// from; `names` are the bundle's rule names, in bundle order).
    pub fn resolve(&self, analysis: &Analysis, names: &[String]) -> RunCoverage {
        let mut run = RunCoverage::default();
        for rule in &analysis.ruleset.rules {
            let at = names.iter().position(|name| *name == rule.name);
            let Some(file) = analysis.file(rule.origin.definition.file) else {
                continue;
            };
            let position = file
                .line_index
                .position(&file.text, rule.origin.definition.span.start);
            run.rules.push(RuleReach {
                path: shown_path(&file.path),
                line: position.line,
                name: rule.name.clone(),
                enabled: rule.enabled,
                evaluations: at.map_or(0, |at| self.evaluations[at]),
                matches: at.map_or(0, |at| self.matches[at]),
            });
            let Some(at) = at else {
                continue;
            };
            let exceptions: Vec<(&str, FileSpan)> = rule
                .exceptions
                .iter()
                .map(|exception| (exception.name.value.as_str(), exception.span))
                .collect();
            let mut points = Points {
                analysis,
                exceptions: &exceptions,
                counts: &self.counts[at],
                next: 0,
                out: &mut run.points,
            };
            points.node(&self.maps[at]);
        }
        run
    }
}

impl Trace for Collector {
    fn enter(&mut self, _rule: usize) {
        self.steps.clear();
    }

    fn step(&mut self, pc: usize, acc: bool) {
        self.steps
            .push((u32::try_from(pc).unwrap_or(u32::MAX), acc));
    }

    fn leave(&mut self, rule: usize, matched: bool) {
        let (Some(map), Some(counts)) = (self.maps.get(rule), self.counts.get_mut(rule)) else {
            return;
        };
        self.evaluations[rule] += 1;
        if matched {
            self.matches[rule] += 1;
        }
        let mut next = 0;
        tally(map, &self.steps, counts, &mut next);
    }
}

/// The number of nodes of a map.
fn size(node: &CodeNode) -> usize {
    1 + node.children.iter().map(size).sum::<usize>()
}

/// What `node` came to in one evaluation, from the checks that ran (`None`: it
/// was not evaluated); counts it and every node under it (numbered in pre-order
/// from `next`).
fn tally(
    node: &CodeNode,
    steps: &[(u32, bool)],
    counts: &mut [[u64; 2]],
    next: &mut usize,
) -> Option<bool> {
    let index = *next;
    *next += 1;
    let children: Vec<Option<bool>> = node
        .children
        .iter()
        .map(|child| tally(child, steps, counts, next))
        .collect();
    let value = match &node.kind {
        CodeKind::Check | CodeKind::Const(_) => steps
            .binary_search_by_key(&node.code.start, |step| step.0)
            .ok()
            .map(|at| steps[at].1),
        CodeKind::Not => children.first().copied().flatten().map(|value| !value),
        CodeKind::Macro(_) => children.first().copied().flatten(),
        // Short-circuit: a group that ran stopped at its first deciding operand,
        // or ran them all.
        CodeKind::And => decided(&children, false),
        CodeKind::Or => decided(&children, true),
    };
    if let (Some(value), Some(count)) = (value, counts.get_mut(index)) {
        count[usize::from(!value)] += 1;
    }
    value
}

/// The value of an `and` (`decider` false) or `or` (true) from its operands'.
fn decided(children: &[Option<bool>], decider: bool) -> Option<bool> {
    if children.contains(&Some(decider)) {
        Some(decider)
    } else if children.iter().all(|child| *child == Some(!decider)) {
        Some(!decider)
    } else {
        None
    }
}

/// Turns a rule's counted map into points.
struct Points<'a> {
    analysis: &'a Analysis,
    /// The rule's exceptions and where each is written.
    exceptions: &'a [(&'a str, FileSpan)],
    counts: &'a [[u64; 2]],
    next: usize,
    out: &'a mut Vec<Point>,
}

impl Points<'_> {
    /// Visits `node`, the next node in pre-order.
    fn node(&mut self, node: &CodeNode) {
        let count = self.count();
        match &node.kind {
            CodeKind::Check => self.point(node.span, PointKind::Check, count),
            CodeKind::Macro(name) => self.point(node.span, PointKind::Macro(name.clone()), count),
            CodeKind::Not => {
                if let Some(exception) = self.exception_of(node) {
                    return self.exception(node, exception);
                }
            }
            _ => {}
        }
        for child in &node.children {
            self.node(child);
        }
    }

    /// The counts of the next node in pre-order, which it numbers.
    fn count(&mut self) -> [u64; 2] {
        let count = self.counts.get(self.next).copied().unwrap_or_default();
        self.next += 1;
        count
    }

    /// The `not (...)` an exception adds (already numbered): its rows are the
    /// operands of the `or` under it, or the one thing under it. Their checks count
    /// through their row.
    fn exception(&mut self, not: &CodeNode, exception: usize) {
        let Some(inner) = not.children.first() else {
            return;
        };
        let rows: Vec<&CodeNode> = if inner.kind == CodeKind::Or {
            self.count();
            inner.children.iter().collect()
        } else {
            vec![inner]
        };
        let name = self.exceptions[exception].0;
        for (row, node) in rows.into_iter().enumerate() {
            let count = self.count();
            let kind = PointKind::Row {
                exception: name.to_owned(),
                row: row + 1,
            };
            self.point(last_leaf_span(node), kind, count);
            for child in &node.children {
                self.skip(child);
            }
        }
    }

    /// Numbers `node` and everything under it without making points.
    fn skip(&mut self, node: &CodeNode) {
        self.next += 1;
        for child in &node.children {
            self.skip(child);
        }
    }

    /// The exception whose text every check under `node` comes from, if any.
    fn exception_of(&self, node: &CodeNode) -> Option<usize> {
        let mut leaves = Vec::new();
        leaf_spans(node, &mut leaves);
        let first = leaves.first()?.as_ref()?;
        let at = self
            .exceptions
            .iter()
            .position(|(_, span)| contains(*span, *first))?;
        leaves
            .iter()
            .all(|leaf| leaf.is_some_and(|leaf| contains(self.exceptions[at].1, leaf)))
            .then_some(at)
    }

    fn point(&mut self, span: Option<FileSpan>, kind: PointKind, count: [u64; 2]) {
        let Some(span) = span else {
            return;
        };
        let Some(file) = self.analysis.file(span.file) else {
            return;
        };
        let (start, end) = match kind {
            // A row is the line of its last value.
            PointKind::Row { .. } => {
                let at = (span.span.end as usize).min(file.text.len());
                let line_start = file.text[..at].rfind('\n').map_or(0, |at| at + 1);
                let line_end = file.text[at..]
                    .find('\n')
                    .map_or(file.text.len(), |end| at + end);
                (line_start as u32, line_end as u32)
            }
            _ => (span.span.start, span.span.end),
        };
        let text = file
            .text
            .get(start as usize..end as usize)
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        self.out.push(Point {
            path: shown_path(&file.path),
            start: file.line_index.position(&file.text, start),
            end: file.line_index.position(&file.text, end),
            text,
            kind,
            true_count: count[0],
            false_count: count[1],
        });
    }
}

/// A rules file's path, the same however a test file reached it: relative to the
/// current directory when under it, absolute otherwise (as given when it is not on
/// disk, like the embedded default rules).
fn shown_path(path: &str) -> String {
    let Ok(absolute) = std::fs::canonicalize(path) else {
        return path.to_owned();
    };
    let here = std::env::current_dir().and_then(std::fs::canonicalize);
    match here.as_ref().map(|here| absolute.strip_prefix(here)) {
        Ok(Ok(relative)) => relative.display().to_string(),
        _ => absolute.display().to_string(),
    }
}

fn leaf_spans(node: &CodeNode, out: &mut Vec<Option<FileSpan>>) {
    if node.children.is_empty() {
        out.push(node.span);
    }
    for child in &node.children {
        leaf_spans(child, out);
    }
}

fn last_leaf_span(node: &CodeNode) -> Option<FileSpan> {
    let mut leaves = Vec::new();
    leaf_spans(node, &mut leaves);
    leaves.into_iter().flatten().last()
}

fn contains(outer: FileSpan, inner: FileSpan) -> bool {
    outer.file == inner.file
        && outer.span.start <= inner.span.start
        && inner.span.end <= outer.span.end
}
