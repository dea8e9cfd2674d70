//! The condition checker: walks the syntax tree, resolves fields, types transformers,
//! checks operators and converts values.

use falco_condition::ast::{
    Check, Expr, FieldRef, Op, Operand, Str, Transform, TransformKind, Value,
};
use falco_diagnostics::{Code, did_you_mean};
use falco_span::Span;

use crate::context::Context;
use crate::error::TypeError;
use crate::hints;
use crate::literal;
use crate::resolver::LookupError;
use crate::transform;
use crate::typed::{
    Literal, TypedCheck, TypedExpr, TypedField, TypedLiteral, TypedOperand, TypedValue,
};
use crate::types::{Ty, ValueType, check_comparable};

/// Where an operand stands; transformers and `val()` are allowed in some places only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Position {
    /// The left side of a check.
    Left,
    /// The right side of a check (a field comparison).
    Right,
    /// An argument of a transformer.
    Argument,
}

/// Walks one condition and collects its diagnostics.
pub(crate) struct Checker<'c, 'a> {
    pub ctx: &'c Context<'a>,
    pub errors: Vec<TypeError>,
}

/// What the value conversion of one check needs to know.
struct ValueContext<'t> {
    op: Op,
    left_type: ValueType,
    /// The left side's field as written, for messages.
    field: Option<&'t TypedField>,
    /// Values are validated against the event table (`evt.type`).
    event_type: bool,
    /// Values are checked for the unsafe `<NA>` comparison.
    na_unsafe: bool,
    /// Convert values (false after an operator error or for lenient types).
    convert: bool,
}

impl<'c, 'a> Checker<'c, 'a> {
    pub fn new(ctx: &'c Context<'a>) -> Checker<'c, 'a> {
        Checker {
            ctx,
            errors: Vec::new(),
        }
    }

    pub fn report(&mut self, error: TypeError) {
        self.errors.push(error);
    }

    fn error_count(&self) -> usize {
        self.errors.iter().filter(|error| error.is_error()).count()
    }

    pub fn expr(&mut self, expr: &Expr) -> TypedExpr {
        match expr {
            Expr::And(children, span) => TypedExpr::And(
                children.iter().map(|child| self.expr(child)).collect(),
                *span,
            ),
            Expr::Or(children, span) => TypedExpr::Or(
                children.iter().map(|child| self.expr(child)).collect(),
                *span,
            ),
            Expr::Not(child, span) => TypedExpr::Not(Box::new(self.expr(child)), *span),
            Expr::Paren(inner, _) => self.expr(inner),
            Expr::Macro(ident) => TypedExpr::Macro(ident.clone()),
            Expr::Check(check) => self.check(check),
            Expr::Error(span) => TypedExpr::Error(*span),
        }
    }

    fn check(&mut self, check: &Check) -> TypedExpr {
        let before = self.error_count();
        let left = self.operand(&check.left, Position::Left);
        let left_type = left.value_type();
        let op = check.op.op;
        let modifier = check.op.modifier;

        let mut op_ok = true;
        if event_type_operator(op) || op == Op::Exists {
            self.event_type_under_transformer(&left);
        }
        if let TypedOperand::Field(field) = &left
            && field.name == "evt.around"
            && !matches!(op, Op::Eq | Op::EqEq)
        {
            op_ok = false;
            self.report(
                TypeError::new(
                    Code::E403,
                    check.op.span,
                    format!("`{}` does not apply to `evt.around`", op.as_str()),
                )
                .with_help(
                    "`evt.around[timestamp]` is compared with `=` and a window in milliseconds",
                ),
            );
        } else if !left_type.is_lenient()
            && let Err(not_comparable) = check_comparable(op, modifier, left_type)
        {
            op_ok = false;
            let subject = match left.base_field() {
                Some(field) if matches!(left, TypedOperand::Field(_)) => {
                    format!("`{}` is {}", field.written, a_type(left_type))
                }
                _ => format!("the left side is {}", a_type(left_type)),
            };
            let allowed: Vec<&str> = not_comparable
                .allowed
                .iter()
                .map(|op| op.as_str())
                .collect();
            self.report(
                TypeError::new(Code::E403, check.op.span, not_comparable.message)
                    .with_label(subject)
                    .with_help(format!("operators that apply: {}", backticked(&allowed))),
            );
        }

        let right = match &check.right {
            None => TypedValue::None,
            Some(Value::Operand(operand)) => self.field_comparison(op, &left, left_type, operand),
            Some(value) => {
                let base = left.base_field();
                let context = ValueContext {
                    op,
                    left_type,
                    field: base,
                    event_type: base
                        .is_some_and(|field| field.name == "evt.type" && field.arg.is_none()),
                    na_unsafe: base.is_some_and(|field| {
                        field.written.starts_with("ka.") || field.written.starts_with("jevt.")
                    }) && matches!(
                        op,
                        Op::Eq | Op::EqEq | Op::Ne | Op::In | Op::Intersects | Op::PMatch
                    ),
                    convert: op_ok && !left_type.is_lenient() && op != Op::Exists,
                };
                match value {
                    Value::Str(text) => TypedValue::Single(self.literal(text, &context)),
                    Value::ListRef(ident) => TypedValue::Single(self.literal(
                        &Str {
                            value: ident.name.clone(),
                            span: ident.span,
                            quote: None,
                            bytes: None,
                        },
                        &context,
                    )),
                    Value::List(items, span) => TypedValue::List(
                        items
                            .iter()
                            .map(|item| self.literal(item, &context))
                            .collect(),
                        *span,
                    ),
                    Value::Operand(_) => TypedValue::None,
                }
            }
        };

        self.operand_nesting(&left);
        if let TypedValue::Field(operand) = &right {
            self.operand_nesting(operand);
        }
        let has_error = self.error_count() > before;
        TypedExpr::Check(Box::new(TypedCheck {
            left,
            op,
            modifier,
            op_span: check.op.span,
            right,
            span: check.span,
            has_error,
        }))
    }

    /// E410 when `operand` nests deeper than a bundle's operands may
    /// ([`falco_bundle::MAX_OPERAND_DEPTH`], counted as the bundle counts it).
    fn operand_nesting(&mut self, operand: &TypedOperand) {
        let depth = operand_depth(operand);
        if depth > falco_bundle::MAX_OPERAND_DEPTH {
            self.report(
                TypeError::new(
                    Code::E410,
                    operand.span(),
                    format!(
                        "transformers nest {} deep here (at most {})",
                        depth - 1,
                        falco_bundle::MAX_OPERAND_DEPTH - 1
                    ),
                )
                .with_help("apply fewer transformers, or compare a simpler form of the value"),
            );
        }
    }

    /// Types an operand of a check or of a transformer.
    pub fn operand(&mut self, operand: &Operand, position: Position) -> TypedOperand {
        match operand {
            Operand::Field(field) => self.field(field),
            Operand::Transform(transform) if transform.kind == TransformKind::Val => {
                let message = match position {
                    Position::Left => "`val()` can only be used on the right side of a comparison",
                    Position::Argument => "`val()` cannot be used inside a transformer",
                    Position::Right => "`val()` takes a single field",
                };
                self.report(
                    TypeError::new(Code::E408, transform.kind_span, message)
                        .with_help("write the field directly, e.g. `tolower(proc.name)`"),
                );
                TypedOperand::Error(transform.span)
            }
            Operand::Transform(transform) => transform::check(self, transform),
            Operand::Literal(text) if position == Position::Argument => {
                TypedOperand::Literal(text.value.clone(), text.span)
            }
            Operand::List(items, span) if position == Position::Argument => TypedOperand::List(
                items
                    .iter()
                    .map(|item| self.operand(item, Position::Argument))
                    .collect(),
                *span,
            ),
            Operand::Literal(_) | Operand::List(..) => {
                self.report(TypeError::new(
                    Code::E407,
                    operand.span(),
                    "a literal can only be a transformer argument",
                ));
                TypedOperand::Error(operand.span())
            }
            Operand::Error(span) => TypedOperand::Error(*span),
        }
    }

    /// Resolves a field reference.
    pub fn field(&mut self, field: &FieldRef) -> TypedOperand {
        let ctx = self.ctx;
        let arg = field.arg.as_ref().map(|arg| arg.value.as_str());
        match ctx.resolver.resolve_field(ctx.source, &field.name, arg) {
            Ok(info) => {
                if let Some(reason) = &info.deprecated {
                    let error = TypeError::new(
                        Code::W401,
                        field.span,
                        format!("field `{}` is deprecated", info.name),
                    )
                    .with_label("deprecated field");
                    let error = if reason.is_empty() {
                        error
                    } else {
                        error.with_help(reason.clone())
                    };
                    self.report(error);
                }
                TypedOperand::Field(TypedField::resolved(info, field))
            }
            Err(error) => {
                self.report(lookup_error(error, field, ctx.source, Code::E401));
                TypedOperand::Error(field.span)
            }
        }
    }

    /// `left op val(field)` or `left op transformer(...)`.
    fn field_comparison(
        &mut self,
        op: Op,
        left: &TypedOperand,
        left_type: ValueType,
        operand: &Operand,
    ) -> TypedValue {
        let right = match operand {
            Operand::Transform(transform) if transform.kind == TransformKind::Val => {
                self.val(transform)
            }
            other => self.operand(other, Position::Right),
        };
        let right_type = right.value_type();
        if let TypedOperand::Field(field) = left
            && is_event_type_field(field)
            && event_type_operator(op)
        {
            self.report(
                TypeError::new(
                    Code::E408,
                    right.span(),
                    format!("`{}` cannot be compared with a field", field.written),
                )
                .with_label("a field on the right side")
                .with_help("compare it with event names, e.g. `evt.type in (open, openat)`")
                .with_note("Falco works out which event types a rule matches from these checks, and needs constant names"),
            );
            return TypedValue::Field(right);
        }
        if matches!(op, Op::Regex | Op::PMatch) {
            self.report(
                TypeError::new(
                    Code::E408,
                    right.span(),
                    format!("`{}` cannot compare with a field", op.as_str()),
                )
                .with_label("a field on the right side")
                .with_help(format!("`{}` takes constant values only", op.as_str())),
            );
            return TypedValue::Field(right);
        }
        if left_type.is_lenient() || right_type.is_lenient() {
            return TypedValue::Field(right);
        }
        if left_type.ty.is_net() {
            self.report(
                TypeError::new(
                    Code::E408,
                    right.span(),
                    "a network field cannot be compared with another field",
                )
                .with_label("a field on the right side")
                .with_help("compare it with a constant network, e.g. `10.0.0.0/8`"),
            );
            return TypedValue::Field(right);
        }
        if let Some(field) = left.base_field().filter(|field| field.no_rhs) {
            self.report(
                TypeError::new(
                    Code::E408,
                    right.span(),
                    format!(
                        "field `{}` cannot be compared with another field",
                        field.written
                    ),
                )
                .with_label("a field on the right side")
                .with_help("compare it with constant values"),
            );
            return TypedValue::Field(right);
        }
        if let Some(field) = right.base_field().filter(|field| field.no_rhs) {
            self.report(
                TypeError::new(
                    Code::E408,
                    field.span,
                    format!(
                        "field `{}` cannot be used on the right side of a comparison",
                        field.written
                    ),
                )
                .with_label("not allowed on the right side")
                .with_help("swap the sides, or compare with constant values"),
            );
            return TypedValue::Field(right);
        }
        if left_type != right_type {
            self.report(
                TypeError::new(
                    Code::E407,
                    right.span(),
                    format!(
                        "cannot compare {} with {}",
                        a_type(left_type),
                        a_type(right_type)
                    ),
                )
                .with_label(format!("this is {}", a_type(right_type)))
                .with_help("both sides of a field comparison must have the same type"),
            );
        }
        TypedValue::Field(right)
    }

    /// Falco's event-type analysis rejects `evt.type` inside a transformer on the left
    /// of `=`, `!=`, `in` and `exists`.
    fn event_type_under_transformer(&mut self, left: &TypedOperand) {
        let TypedOperand::Transform(transform) = left else {
            return;
        };
        if let Some(field) = find_event_type_field(&transform.args) {
            self.report(
                TypeError::new(
                    Code::E407,
                    field.span,
                    format!("`{}` cannot be transformed in this check", field.written),
                )
                .with_label(format!("inside `{}`", transform.kind.as_str()))
                .with_help("compare the field directly, e.g. `evt.type in (open, openat)`")
                .with_note("Falco works out which event types a rule matches from these checks, and cannot see through transformers"),
            );
        }
    }

    /// `val(field)`: the field itself.
    fn val(&mut self, transform: &Transform) -> TypedOperand {
        if let Some(arg) = &transform.arg {
            self.report(
                TypeError::new(Code::E406, arg.span, "`val()` does not take an argument")
                    .with_label("unexpected argument")
                    .with_help("put the argument on the field inside: `val(proc.aname[2])`"),
            );
            return TypedOperand::Error(transform.span);
        }
        match transform.args.as_slice() {
            [Operand::Field(field)] => self.field(field),
            [Operand::Error(span)] => TypedOperand::Error(*span),
            _ => {
                self.report(
                    TypeError::new(Code::E407, transform.span, "`val()` takes exactly one field")
                        .with_help("write `val(proc.pname)`; transformers go outside `val()` or on the left side"),
                );
                TypedOperand::Error(transform.span)
            }
        }
    }

    fn literal(&mut self, text: &Str, context: &ValueContext<'_>) -> TypedLiteral {
        let value = self.convert(&text.value, text.as_bytes(), text.span, context);
        TypedLiteral {
            text: text.value.clone(),
            bytes: text.bytes.clone(),
            value,
            span: text.span,
        }
    }

    fn convert(
        &mut self,
        text: &str,
        bytes: &[u8],
        span: Span,
        context: &ValueContext<'_>,
    ) -> Literal {
        if context.na_unsafe && text == "<NA>" {
            let field = context
                .field
                .map_or("the field", |field| field.written.as_str());
            self.report(
                TypeError::new(
                    Code::W402,
                    span,
                    format!("comparing `{field}` with `<NA>` is unsafe"),
                )
                .with_label("a missing value is not reliably this text")
                .with_help(format!(
                    "test whether the field has a value with `{field} exists` instead"
                )),
            );
        }
        if !context.convert {
            return Literal::Unchecked(text.to_owned());
        }
        let value = match literal::convert(text, bytes, context.left_type.ty, context.op) {
            Ok(value) => value,
            Err(error) => {
                let label = match context.field {
                    Some(field) if !matches!(context.op, Op::BContains | Op::BStartsWith) => {
                        format!("`{}` is {}", field.written, a_type(context.left_type))
                    }
                    _ => format!("`{}` takes hex bytes", context.op.as_str()),
                };
                self.report(
                    TypeError::new(error.code, span, error.message)
                        .with_label(label)
                        .with_optional_help(error.help),
                );
                return Literal::Error;
            }
        };
        if context.event_type && !self.ctx.resolver.is_event_type(self.ctx.source, text) {
            let names = self.ctx.resolver.event_type_names(self.ctx.source);
            let suggestion = did_you_mean(text, names.iter().map(String::as_str));
            self.report(
                TypeError::new(
                    Code::E405,
                    span,
                    format!("unknown event type `{}`", text.escape_debug()),
                )
                .with_label("not an event or syscall name")
                .with_did_you_mean(span, text, suggestion),
            );
            return Literal::Error;
        }
        hints::value_hints(self, text, span, context.op);
        value
    }
}

/// The operators Falco's event-type analysis reads `evt.type` checks through.
/// An operand's nesting as the bundle counts it: a field or literal is 1, a
/// transformer or list one more than its deepest argument.
fn operand_depth(operand: &TypedOperand) -> usize {
    match operand {
        TypedOperand::Transform(transform) => 1 + max_depth(&transform.args),
        TypedOperand::List(items, _) => 1 + max_depth(items),
        TypedOperand::Field(_) | TypedOperand::Literal(..) | TypedOperand::Error(_) => 1,
    }
}

fn max_depth(operands: &[TypedOperand]) -> usize {
    operands.iter().map(operand_depth).max().unwrap_or(0)
}

fn event_type_operator(op: Op) -> bool {
    matches!(op, Op::Eq | Op::EqEq | Op::Ne | Op::In)
}

/// `evt.type` or `syscall.type`, without argument.
fn is_event_type_field(field: &TypedField) -> bool {
    (field.name == "evt.type" || field.name == "syscall.type") && field.arg.is_none()
}

fn find_event_type_field(operands: &[TypedOperand]) -> Option<&TypedField> {
    operands.iter().find_map(|operand| match operand {
        // Only `evt.type`: libsinsp compiles a transformed `syscall.type` fine.
        TypedOperand::Field(field) if field.name == "evt.type" && field.arg.is_none() => {
            Some(field)
        }
        TypedOperand::Transform(transform) => find_event_type_field(&transform.args),
        TypedOperand::List(items, _) => find_event_type_field(items),
        _ => None,
    })
}

/// Turns a failed lookup into a diagnostic; `unknown` is E401 in conditions and
/// E502 in outputs.
pub(crate) fn lookup_error(
    error: LookupError,
    field: &FieldRef,
    source: &str,
    unknown: Code,
) -> TypeError {
    let in_output = unknown == Code::E502;
    match error {
        LookupError::Unknown { suggestion } => TypeError::new(
            unknown,
            field.span,
            if in_output {
                format!("unknown field `{}` in output", field.name)
            } else {
                format!("unknown field `{}`", field.name)
            },
        )
        .with_label("no schema defines this field")
        .with_did_you_mean(field.name_span, &field.name, suggestion.as_deref()),
        LookupError::OtherSource { sources } => {
            let list = backticked(&sources.iter().map(String::as_str).collect::<Vec<_>>());
            let code = if in_output { Code::E502 } else { Code::E402 };
            TypeError::new(
                code,
                field.span,
                format!(
                    "field `{}` is not available for `{source}` rules",
                    field.name
                ),
            )
            .with_label(format!("a field of {list}"))
            .with_help(match sources.first() {
                Some(first) => {
                    format!("set `source: {first}` on the rule, or use a field of `{source}`")
                }
                None => format!("use a field of `{source}`"),
            })
        }
        LookupError::Argument { message, help } => {
            let span = field.arg.as_ref().map_or(field.span, |arg| arg.span);
            let code = if in_output { Code::E502 } else { Code::E406 };
            TypeError::new(code, span, message)
                .with_label("invalid argument")
                .with_optional_help(help)
        }
    }
}

/// "a `CHARBUF`" / "a `LIST(CHARBUF)`".
pub(crate) fn a_type(value_type: ValueType) -> String {
    if value_type.is_list {
        format!("a list of `{}`", value_type.ty)
    } else if value_type.ty == Ty::Error {
        "of unknown type".to_owned()
    } else {
        let name = value_type.ty.as_str();
        let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        };
        format!("{article} `{name}`")
    }
}

/// "`a`, `b` and `c`"
pub(crate) fn backticked(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}
