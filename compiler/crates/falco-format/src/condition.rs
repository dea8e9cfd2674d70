//! The layout of a `condition:` value: broken before `and`/`or`, with nested groups
//! indented under their opening parenthesis, without changing the YAML value.
//!
//! Where the line breaks may go depends on the scalar's style, because YAML folds
//! line breaks into the value differently:
//! - a plain scalar drops the indentation of its continuation lines and reads each
//!   line break as one space, so any single space may become a break and the next
//!   line may be indented at will: nested groups are shown by indentation;
//! - a folded block (`>`, `>-`) reads a line break as one space only between lines
//!   at the block's indentation (a deeper line keeps its breaks and spaces in the
//!   value), so all its lines start at that indentation and nesting shows only in
//!   the parentheses.
//!
//! Either way, a group of operands joined by `and`/`or` that does not fit in the
//! width from where it starts is broken before each of its operators, and its
//! operands are laid out the same way in turn.
//!
//! Any other condition (quoted, literal `|`, `>+`, a folded block whose value already
//! holds line breaks, a text that does not parse) keeps its lines as written.

use falco_condition::ast::Expr;
use falco_yaml::{Node, ScalarStyle};

use crate::layout::WIDTH;

/// A condition laid out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Condition {
    /// A plain scalar: its first line (after `condition: `), then each further line
    /// with its indentation.
    Plain(Vec<String>),
    /// A folded block: its header as written, then its lines, each to be indented
    /// to the block's indentation.
    Folded { header: String, lines: Vec<String> },
}

/// Lays out the condition `node`, whose value starts at column `value_column` and
/// whose block lines (if it is a block) go at column `block_column`. `None` keeps
/// it as written.
pub(crate) fn layout(
    node: &Node,
    header: &str,
    value_column: usize,
    block_column: usize,
) -> Option<Condition> {
    let scalar = node.as_scalar()?;
    if node.tag.is_some() {
        return None;
    }
    let value = scalar.as_str();
    match scalar.style {
        ScalarStyle::Plain => {
            let lines = break_lines(value, value_column, Breaks::Aligned)?;
            Some(Condition::Plain(
                lines
                    .into_iter()
                    .map(|(indent, line)| format!("{}{line}", " ".repeat(indent)))
                    .collect(),
            ))
        }
        ScalarStyle::Folded => {
            let text = folded_text(header, value)?;
            let lines = break_lines(text, block_column, Breaks::Flush)?;
            Some(Condition::Folded {
                header: header.to_owned(),
                lines: lines.into_iter().map(|(_, line)| line).collect(),
            })
        }
        _ => None,
    }
}

/// The one-line text of a folded block whose value is a single line: `>` (its
/// value ends with the one line break clipping keeps) or `>-` (none), with nothing
/// but an optional comment after the indicator.
fn folded_text<'v>(header: &str, value: &'v str) -> Option<&'v str> {
    let indicators = header.split('#').next().unwrap_or_default().trim_end();
    let text = match indicators {
        ">" => value.strip_suffix('\n')?,
        ">-" => value,
        _ => return None,
    };
    (!text.contains('\n')).then_some(text)
}

/// Where the lines of a broken `and`/`or` start.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Breaks {
    /// Under the group's first operand (a plain scalar: nesting shows).
    Aligned,
    /// At the block's indentation (a folded block, whose deeper lines would keep
    /// their line breaks in the value).
    Flush,
}

/// `text` (a one-line value with single spaces where it may break) laid out from
/// `column`: the lines with their indentation. `None` when `text` is not a
/// condition that parses or is not a single line.
fn break_lines(text: &str, column: usize, breaks: Breaks) -> Option<Vec<(usize, String)>> {
    if text.is_empty() || text.contains(['\n', '\t']) || text.trim() != text {
        return None;
    }
    let (expr, errors) = falco_condition::parse_condition(text);
    if !errors.is_empty() {
        return None;
    }
    let mut breaker = Breaker {
        text,
        breaks,
        base: column,
        at: Vec::new(),
    };
    breaker.expr(&expr, column);
    let mut lines = Vec::new();
    let mut start = 0;
    let mut indent = 0;
    for (space, next_indent) in breaker.at {
        lines.push((indent, text.get(start..space)?.to_owned()));
        start = space + 1;
        indent = next_indent;
    }
    lines.push((indent, text.get(start..)?.to_owned()));
    Some(lines)
}

/// Finds the breaks of one condition, left to right.
struct Breaker<'t> {
    text: &'t str,
    breaks: Breaks,
    /// The column of the first line's text (a folded block's indentation).
    base: usize,
    /// The breaks: the offset of the space that becomes a line break, and the
    /// indentation of the line after it.
    at: Vec<(usize, usize)>,
}

impl Breaker<'_> {
    /// Lays out `expr`, which starts at `column`; returns the column after it.
    fn expr(&mut self, expr: &Expr, column: usize) -> usize {
        let span = expr.span().range();
        let flat = column + self.width(span.start, span.end);
        match expr {
            Expr::And(operands, _) | Expr::Or(operands, _) => {
                if flat <= WIDTH {
                    return flat;
                }
                let align = match self.breaks {
                    Breaks::Aligned => column,
                    Breaks::Flush => self.base,
                };
                self.operands(operands, column, align)
            }
            Expr::Paren(inner, _) | Expr::Not(inner, _) => {
                let inner_span = inner.span().range();
                let inner_column = column + self.width(span.start, inner_span.start);
                let after = self.expr(inner, inner_column);
                after + self.width(inner_span.end, span.end)
            }
            Expr::Macro(_) | Expr::Check(_) | Expr::Error(_) => flat,
        }
    }

    /// Lays out the operands of a broken `and`/`or` that starts at `column`, each
    /// line after the first starting at `align`.
    fn operands(&mut self, operands: &[Expr], column: usize, align: usize) -> usize {
        let mut at = column;
        let mut previous_end = None;
        for operand in operands {
            let start = operand.span().range().start;
            if let Some(end) = previous_end {
                let gap = self.text.get(end..start).unwrap_or_default();
                if breakable(gap) {
                    self.at.push((end, align));
                    at = align + gap.chars().count() - 1;
                } else {
                    at += gap.chars().count();
                }
            }
            at = self.expr(operand, at);
            previous_end = Some(operand.span().range().end);
        }
        at
    }

    fn width(&self, start: usize, end: usize) -> usize {
        self.text
            .get(start..end)
            .unwrap_or_default()
            .chars()
            .count()
    }
}

/// Whether the text between two operands is one space, the operator and what
/// follows it: that space can become a line break.
fn breakable(gap: &str) -> bool {
    gap.strip_prefix(' ').is_some_and(|rest| {
        rest.strip_prefix("and")
            .or_else(|| rest.strip_prefix("or"))
            .is_some_and(|after| after.starts_with([' ', '(']))
    })
}
