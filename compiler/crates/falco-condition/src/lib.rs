//! Falco filter conditions and output format strings: syntax only.
//!
//! [`parse_condition`] and [`parse_output`] never fail: they return a tree (with
//! [`ast::Expr::Error`] nodes where they recovered) and the errors found. Spans are
//! byte ranges into the parsed text.
//!
//! **Architecture invariant:** this crate knows nothing about fields, schemas, files
//! or YAML. It does not decide what an identifier names.

pub mod ast;

use falco_diagnostics::Code;
use falco_span::Span;

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
