//! Typechecking of Falco conditions and outputs against field schemas.
//!
//! # Use
//!
//! ```text
//! let ctx = Context::new(&schema, "syscall");              // schema: impl FieldResolver
//! let (typed, errors) = check_condition(&expr, &ctx);     // expr: parsed condition
//! let (typed_output, errors) = check_output(&output, &ctx);
//! let set = event_types(&typed, &|name| macros.get(name), &schema, "syscall");
//! ```
//!
//! - **Spans** in [`TypeError`] and in the typed tree are byte ranges into the
//!   condition (or output) text that was parsed, like the parser's spans; the caller
//!   maps them to files with its `falco_span::MappedText` and builds the diagnostic
//!   with [`TypeError::to_diagnostic`]:
//!   `error.to_diagnostic(condition.to_file(error.span)?, |span| condition.to_file(span))`.
//! - **Sources**: check each rule under its own source, and each macro once per
//!   source of the rules that reach it (a field may exist for one source only).
//! - **Macros** are not expanded: a macro reference stays [`TypedExpr::Macro`]. Check
//!   each macro's condition once (with the source of the rule that uses it) and
//!   splice or look up the typed trees; [`event_types`] follows macro references
//!   through a lookup function.
//! - **Lists** must already be substituted into the text (Falco does it before
//!   parsing). A bare identifier after `in` that is still there is taken as one value.
//! - **One error per root cause**: parser `Error` nodes and unknown fields get an
//!   error type that accepts every operator and value.
//! - **Event types**: [`event_types`] reproduces libsinsp's analysis (through `not`,
//!   with the `evt.num = 0` never-match idiom giving [`EventTypeSet::None`]);
//!   [`EventTypeSet::exceeds_falco_limit`] approximates Falco's W206 threshold.
//! - **Values** are converted as libsinsp does and kept in the tree as
//!   [`Literal`]s, ready for lowering.
//!
//! Codes: E401–E411, W401, W402, W404, W405 in conditions; E502 and W401 in outputs.
//! The resolver may turn E401 into W403 for rules with `skip-if-unknown-filter`.

mod check;
mod context;
mod error;
mod evttype;
mod hints;
mod literal;
mod output;
mod resolver;
mod schema_impl;
mod transform;
mod typed;
mod types;

#[cfg(test)]
mod tests;

pub use context::{Context, Options};
pub use error::{Suggestion, TypeError};
pub use evttype::{EventTypeSet, event_types};
pub use literal::{MAX_VALUE_BYTES, re2_to_rust};
pub use output::{TypedOutput, TypedOutputPart, check_output};
pub use resolver::{FieldInfo, FieldResolver, LookupError, MockFields, split_field_arg};
pub use typed::{
    Literal, TypedCheck, TypedExpr, TypedField, TypedLiteral, TypedOperand, TypedTransform,
    TypedValue,
};
pub use types::{NotComparable, Ty, TypeGroup, ValueType, check_comparable};

use falco_condition::ast::Expr;

/// Typechecks a parsed condition for rules of `ctx.source`. Never fails: returns the
/// typed tree (with [`TypedExpr::Error`] / [`Literal::Error`] where something was
/// wrong) and the diagnostics, errors and warnings, in source order.
pub fn check_condition(expr: &Expr, ctx: &Context<'_>) -> (TypedExpr, Vec<TypeError>) {
    let mut checker = check::Checker::new(ctx);
    let typed = checker.expr(expr);
    let mut errors = checker.errors;
    errors.sort_by_key(|error| (error.span.start, error.span.end));
    (typed, errors)
}

/// Whether `regex` with this pattern could be a plain operator (the W405 heuristic),
/// exposed for tools that rewrite rules.
pub fn regex_is_simple(pattern: &str) -> bool {
    hints::regex_is_simple(pattern)
}
