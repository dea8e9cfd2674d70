//! Falco filter conditions and output format strings: syntax only.
//!
//! [`parse_condition`] and [`parse_output`] never fail: they return a tree (with
//! [`ast::Expr::Error`] nodes where they recovered) and the errors found. Spans are
//! byte ranges into the parsed text.
//!
//! The condition grammar is libsinsp's (`userspace/libsinsp/filter/parser.cpp`),
//! whitespace rules and nesting limit included; [`to_falco_string`] prints a tree the
//! way libsinsp's `ast::as_string` does. [`visit`] walks trees for later stages.
//!
//! **Architecture invariant:** this crate knows nothing about fields, schemas, files
//! or YAML. It does not decide what an identifier names.

pub mod ast;
mod depth;
mod error;
mod grammar;
mod lexer;
mod output;
mod print;
pub mod visit;

#[cfg(test)]
mod tests;

use falco_diagnostics::Code;
use falco_span::Span;

pub use depth::{MAX_DEPTH, nesting_depth};
pub use output::parse_output;
pub use print::to_falco_string;

/// A syntax error found while parsing a condition or an output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The diagnostic code (E3xx for conditions, E501 for outputs).
    pub code: Code,
    /// Lowercase message, e.g. "expected an operator after `proc.name`".
    pub message: String,
    /// Where, in the parsed text.
    pub span: Span,
    /// Optional label for the primary span.
    pub label: Option<String>,
    /// Optional help line.
    pub help: Option<String>,
}

/// Parses a condition. Never fails: where the text does not follow the grammar the
/// tree has [`ast::Expr::Error`] (or [`ast::Operand::Error`]) nodes, and the errors
/// are returned in text order. An empty condition is an error (E301), as in Falco.
pub fn parse_condition(text: &str) -> (ast::Expr, Vec<ParseError>) {
    let whole = Span::new(0, text.len() as u32);
    if text.bytes().all(lexer::is_blank) {
        let error = ParseError {
            code: Code::E301,
            message: "the condition is empty".to_string(),
            span: whole,
            label: None,
            help: Some("write a condition, e.g. `evt.type = open`".to_string()),
        };
        return (ast::Expr::Error(whole), vec![error]);
    }
    if let Some(error) = depth::check(text) {
        return (ast::Expr::Error(whole), vec![error]);
    }
    let (expr, errors) = grammar::parse(text);
    let mut errors: Vec<ParseError> = errors
        .into_iter()
        .map(|e| e.into_parse_error(text))
        .collect();
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup_by(|a, b| a.span == b.span && a.code == b.code);
    let expr = expr.unwrap_or(ast::Expr::Error(whole));
    if errors.is_empty() && contains_error(&expr) {
        // Defensive: a recovered node must always come with an error.
        errors.push(ParseError {
            code: Code::E301,
            message: "the condition does not follow the grammar".to_string(),
            span: whole,
            label: None,
            help: None,
        });
    }
    (expr, errors)
}

fn contains_error(expr: &ast::Expr) -> bool {
    let mut found = false;
    visit::walk_exprs(expr, &mut |e| {
        if matches!(e, ast::Expr::Error(_)) {
            found = true;
        }
    });
    found
}
