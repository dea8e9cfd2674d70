//! The typed condition tree: the parser's tree with fields resolved, types known and
//! values converted. The bytecode lowering consumes it.
//!
//! Spans are byte ranges into the condition text, as in the syntax tree. Parentheses
//! are dropped (a parenthesised expression is its inner node). Macro references stay
//! [`TypedExpr::Macro`] nodes: whoever expands macros checks each macro's condition
//! once and splices the typed trees.

use std::net::IpAddr;

use falco_condition::ast::{Ident, Modifier, Op, TransformKind};
use falco_span::Span;

use crate::types::ValueType;

/// A typed boolean expression.
#[derive(Clone, Debug, PartialEq)]
pub enum TypedExpr {
    /// All operands hold (two or more).
    And(Vec<TypedExpr>, Span),
    /// Any operand holds (two or more).
    Or(Vec<TypedExpr>, Span),
    /// The operand does not hold.
    Not(Box<TypedExpr>, Span),
    /// A macro reference, not expanded here.
    Macro(Ident),
    /// A field check.
    Check(Box<TypedCheck>),
    /// Where the parser recovered from an error, or a check that had an error.
    Error(Span),
}

impl TypedExpr {
    /// The span of the whole expression.
    pub fn span(&self) -> Span {
        match self {
            TypedExpr::And(_, span)
            | TypedExpr::Or(_, span)
            | TypedExpr::Not(_, span)
            | TypedExpr::Error(span) => *span,
            TypedExpr::Macro(ident) => ident.span,
            TypedExpr::Check(check) => check.span,
        }
    }

    /// Calls `f` on every check in the tree, in source order.
    pub fn for_each_check<'a>(&'a self, f: &mut dyn FnMut(&'a TypedCheck)) {
        match self {
            TypedExpr::And(children, _) | TypedExpr::Or(children, _) => {
                for child in children {
                    child.for_each_check(f);
                }
            }
            TypedExpr::Not(child, _) => child.for_each_check(f),
            TypedExpr::Check(check) => f(check),
            TypedExpr::Macro(_) | TypedExpr::Error(_) => {}
        }
    }
}

/// `left op right`, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedCheck {
    /// The left side: a field, possibly transformed.
    pub left: TypedOperand,
    /// The operator.
    pub op: Op,
    /// The modifier of a string operator (`startswith oneof (...)`).
    pub modifier: Option<Modifier>,
    /// Span of the operator (and modifier).
    pub op_span: Span,
    /// The right side, converted to the left side's type.
    pub right: TypedValue,
    /// The whole check.
    pub span: Span,
    /// Whether the check had an error (then parts may be [`TypedOperand::Error`] or
    /// [`Literal::Error`]); a lowering should not see such checks.
    pub has_error: bool,
}

/// An operand: a field, a transformer application, or a literal transformer argument.
#[derive(Clone, Debug, PartialEq)]
pub enum TypedOperand {
    /// A resolved field.
    Field(TypedField),
    /// A transformer applied to its arguments.
    Transform(TypedTransform),
    /// A literal argument of a transformer (a quoted string or a number, kept as the
    /// string libsinsp passes on).
    Literal(String, Span),
    /// A parenthesised list argument of a transformer, e.g. the `(a, b)` of
    /// `join("-", (a, b))`. Its type is a list of strings.
    List(Vec<TypedOperand>, Span),
    /// An operand with an error (unknown field, parser recovery).
    Error(Span),
}

impl TypedOperand {
    /// The span of the operand.
    pub fn span(&self) -> Span {
        match self {
            TypedOperand::Field(field) => field.span,
            TypedOperand::Transform(transform) => transform.span,
            TypedOperand::Literal(_, span)
            | TypedOperand::List(_, span)
            | TypedOperand::Error(span) => *span,
        }
    }

    /// The type the operand yields.
    pub fn value_type(&self) -> ValueType {
        match self {
            TypedOperand::Field(field) => field.value_type,
            TypedOperand::Transform(transform) => transform.value_type,
            TypedOperand::Literal(..) => ValueType::single(crate::types::Ty::CharBuf),
            TypedOperand::List(..) => ValueType::list(crate::types::Ty::CharBuf),
            TypedOperand::Error(_) => ValueType::ERROR,
        }
    }

    /// The innermost field when the operand is a field or a chain of single-argument
    /// transformers over one field.
    pub fn base_field(&self) -> Option<&TypedField> {
        match self {
            TypedOperand::Field(field) => Some(field),
            TypedOperand::Transform(transform) if transform.args.len() == 1 => {
                transform.args.first().and_then(TypedOperand::base_field)
            }
            _ => None,
        }
    }
}

/// A resolved field reference.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedField {
    /// The schema's field name (`evt.arg` for `evt.arg.flags`).
    pub name: String,
    /// The name as written (`evt.arg.flags`).
    pub written: String,
    /// The argument (bracket or dotted), if any.
    pub arg: Option<String>,
    /// The field's type.
    pub value_type: ValueType,
    /// The field cannot be compared with another field (`EPF_NO_RHS`).
    pub no_rhs: bool,
    /// The field cannot be wrapped in a transformer (`EPF_NO_TRANSFORMER`).
    pub no_transformer: bool,
    /// The whole reference.
    pub span: Span,
}

impl TypedField {
    /// The typed reference for `field` as the schema resolved it.
    pub(crate) fn resolved(
        info: crate::resolver::FieldInfo,
        field: &falco_condition::ast::FieldRef,
    ) -> TypedField {
        TypedField {
            name: info.name,
            written: field.name.clone(),
            arg: info.arg,
            value_type: info.value_type,
            no_rhs: info.no_rhs,
            no_transformer: info.no_transformer,
            span: field.span,
        }
    }
}

/// A transformer application.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedTransform {
    /// Which transformer (never [`TransformKind::Val`]: `val(f)` becomes `f`).
    pub kind: TransformKind,
    /// The arguments in order.
    pub args: Vec<TypedOperand>,
    /// The bracket argument after the call, as in `getopt(args, "t:")[t]`.
    pub arg: Option<String>,
    /// The type of the result.
    pub value_type: ValueType,
    /// The whole application.
    pub span: Span,
}

/// The right side of a check.
#[derive(Clone, Debug, PartialEq)]
pub enum TypedValue {
    /// No value (`exists`, or after a parse error).
    None,
    /// One value.
    Single(TypedLiteral),
    /// A list of values (`in (...)`, `intersects (...)`, `pmatch (...)`, or after a
    /// modifier).
    List(Vec<TypedLiteral>, Span),
    /// Another field, possibly transformed (`val(f)` or a transformer).
    Field(TypedOperand),
}

/// A value as written and as converted.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedLiteral {
    /// The value as written, quotes removed and escapes applied (a lossy rendering
    /// when `\x` escapes made it invalid UTF-8; see [`TypedLiteral::as_bytes`]).
    pub text: String,
    /// The exact bytes, only when they are not valid UTF-8.
    pub bytes: Option<Vec<u8>>,
    /// The converted value.
    pub value: Literal,
    /// Where it is.
    pub span: Span,
}

impl TypedLiteral {
    /// The value's exact bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.bytes {
            Some(bytes) => bytes,
            None => self.text.as_bytes(),
        }
    }
}

/// A converted value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A string (strings, paths, glob and pmatch patterns, `evt.type` names). When
    /// the value is not valid UTF-8 this is a lossy rendering: use
    /// [`TypedLiteral::as_bytes`] for the exact bytes.
    Str(String),
    /// Bytes: a byte-buffer value, or the decoded hex of `bcontains`/`bstartswith`.
    Bytes(Vec<u8>),
    /// A signed integer (`INT*`, `ERRNO`, `FD`, `PID`), already truncated to the
    /// field's width the way libsinsp does.
    Int(i64),
    /// An unsigned integer (`UINT*`, flags, modes), truncated to the field's width.
    UInt(u64),
    /// A `DOUBLE` value (libsinsp parses only integers for it).
    Double(f64),
    /// `true` / `false`.
    Bool(bool),
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A network in CIDR notation (host bits are kept as written).
    Net {
        /// The address part.
        addr: IpAddr,
        /// The prefix length.
        prefix: u8,
    },
    /// A port number (from a number or a service name).
    Port(u16),
    /// A duration in nanoseconds (`RELTIME`).
    RelTimeNs(u64),
    /// A timestamp in nanoseconds (`ABSTIME`).
    AbsTimeNs(u64),
    /// A regular expression that compiled (RE2 syntax, matched against the whole value).
    Regex(String),
    /// A value of a lenient type (unknown field, `DYN`), kept as text.
    Unchecked(String),
    /// A value that failed to convert (an error was reported).
    Error,
}
