//! Typing transformers: `tolower`, `toupper`, `b64`, `basename`, `len` (one
//! argument) and `join`, `concat`, `getopt` (several arguments).
//!
//! Rules (libsinsp `sinsp_filter_transformers/*`, multivalue transformer check):
//! - `tolower`, `toupper`, `basename` take strings and keep the type (element-wise on
//!   lists); `b64` takes `CHARBUF` or `BYTEBUF`; `len` takes strings, buffers or any
//!   list and gives `UINT64`;
//! - fields flagged `EPF_NO_TRANSFORMER` cannot be transformed;
//! - `join(sep, list)` gives a string; `concat(a, b, ...)` takes two or more strings;
//!   `getopt(list, optstring)` gives a list of strings, or one string with `[c]`.

use falco_condition::ast::{Transform, TransformKind};
use falco_diagnostics::Code;

use crate::check::{Checker, Position, a_type};
use crate::error::TypeError;
use crate::typed::{TypedOperand, TypedTransform};
use crate::types::{Ty, TypeGroup, ValueType};

/// Types a transformer application (never `val`, which the caller handles).
pub(crate) fn check(checker: &mut Checker<'_, '_>, transform: &Transform) -> TypedOperand {
    let args = ordered_args(checker, transform);
    let value_type = match transform.kind {
        TransformKind::ToLower
        | TransformKind::ToUpper
        | TransformKind::Basename
        | TransformKind::B64
        | TransformKind::Len => single(checker, transform, &args),
        TransformKind::Join => join(checker, transform, &args),
        TransformKind::Concat => concat(checker, transform, &args),
        TransformKind::Getopt => getopt(checker, transform, &args),
        TransformKind::Val => ValueType::ERROR,
    };
    let (value_type, arg) = bracket_arg(checker, transform, value_type);
    TypedOperand::Transform(TypedTransform {
        kind: transform.kind,
        args,
        arg,
        value_type,
        span: transform.span,
    })
}

fn ordered_args(checker: &mut Checker<'_, '_>, transform: &Transform) -> Vec<TypedOperand> {
    transform
        .args
        .iter()
        .map(|arg| checker.operand(arg, Position::Argument))
        .collect()
}

/// The `[c]` after a call: only `getopt` takes one (a single option character), and
/// then yields that option's value instead of a list.
fn bracket_arg(
    checker: &mut Checker<'_, '_>,
    transform: &Transform,
    value_type: ValueType,
) -> (ValueType, Option<String>) {
    let Some(arg) = &transform.arg else {
        return (value_type, None);
    };
    if transform.kind != TransformKind::Getopt {
        checker.report(
            TypeError::new(
                Code::E406,
                arg.span,
                format!(
                    "transformer `{}` does not take an argument",
                    transform.kind.as_str()
                ),
            )
            .with_label("unexpected argument")
            .with_help("only `getopt(...)[c]` takes one"),
        );
        return (ValueType::ERROR, Some(arg.value.clone()));
    }
    if arg.value.len() != 1 {
        checker.report(
            TypeError::new(
                Code::E406,
                arg.span,
                "the argument of `getopt` must be a single option character",
            )
            .with_label("expected one character")
            .with_help("write e.g. `getopt(proc.args, \"t:\")[t]`"),
        );
        return (ValueType::ERROR, Some(arg.value.clone()));
    }
    (ValueType::single(Ty::CharBuf), Some(arg.value.clone()))
}

fn arity_error(checker: &mut Checker<'_, '_>, transform: &Transform, expected: &str, found: usize) {
    let name = transform.kind.as_str();
    checker.report(
        TypeError::new(
            Code::E407,
            transform.span,
            format!("`{name}` takes {expected}, found {found}"),
        )
        .with_help(usage(transform.kind)),
    );
}

fn usage(kind: TransformKind) -> &'static str {
    match kind {
        TransformKind::ToLower => "write `tolower(proc.name)`",
        TransformKind::ToUpper => "write `toupper(proc.name)`",
        TransformKind::Basename => "write `basename(proc.exepath)`",
        TransformKind::B64 => "write `b64(proc.args)`",
        TransformKind::Len => "write `len(proc.name)` or `len(fd.types)`",
        TransformKind::Join => "write `join(\"-\", (fd.directory, fd.filename))`",
        TransformKind::Concat => "write `concat(fd.directory, \"/\", fd.filename)`",
        TransformKind::Getopt => "write `getopt((\"-t\", \"x\"), \"t:\")`",
        TransformKind::Val => "write `val(proc.pname)`",
    }
}

/// The transformers that take one argument.
fn single(
    checker: &mut Checker<'_, '_>,
    transform: &Transform,
    args: &[TypedOperand],
) -> ValueType {
    let kind = transform.kind;
    let [arg] = args else {
        arity_error(checker, transform, "one argument", args.len());
        return ValueType::ERROR;
    };
    if let TypedOperand::Field(field) = arg
        && field.no_transformer
    {
        checker.report(
            TypeError::new(
                Code::E407,
                field.span,
                format!("field `{}` does not support transformers", field.written),
            )
            .with_label(format!("`{}` cannot be applied here", kind.as_str())),
        );
        return ValueType::ERROR;
    }
    let input = arg.value_type();
    if input.is_lenient() {
        return if kind == TransformKind::Len {
            ValueType::single(Ty::UInt64)
        } else {
            ValueType::ERROR
        };
    }
    let accepted = match kind {
        TransformKind::ToLower | TransformKind::ToUpper | TransformKind::Basename => {
            input.ty.is_string()
        }
        TransformKind::B64 => matches!(input.ty, Ty::CharBuf | Ty::ByteBuf),
        TransformKind::Len => {
            input.is_list || matches!(input.ty.group(), TypeGroup::String | TypeGroup::Buffer)
        }
        _ => false,
    };
    if !accepted {
        let takes = match kind {
            TransformKind::B64 => "strings (`CHARBUF`) and byte buffers",
            TransformKind::Len => "strings, byte buffers and lists",
            _ => "strings (`CHARBUF`, `FSPATH`, `FSRELPATH`)",
        };
        checker.report(
            TypeError::new(
                Code::E407,
                transform.kind_span,
                format!("`{}` does not take {}", kind.as_str(), a_type(input)),
            )
            .with_label(format!("the argument is {}", a_type(input)))
            .with_help(format!("`{}` takes {takes}", kind.as_str())),
        );
        return ValueType::ERROR;
    }
    match kind {
        TransformKind::Len => ValueType::single(Ty::UInt64),
        _ => input,
    }
}

fn join(checker: &mut Checker<'_, '_>, transform: &Transform, args: &[TypedOperand]) -> ValueType {
    let result = ValueType::single(Ty::CharBuf);
    let [separator, list] = args else {
        arity_error(
            checker,
            transform,
            "2 arguments (a separator and a list)",
            args.len(),
        );
        return result;
    };
    let separator_type = separator.value_type();
    if !separator_type.is_lenient() && separator_type.is_list {
        checker.report(
            TypeError::new(
                Code::E407,
                separator.span(),
                "the separator of `join` must be a single value",
            )
            .with_label(format!("this is {}", a_type(separator_type)))
            .with_help(usage(TransformKind::Join)),
        );
    }
    let list_type = list.value_type();
    if !list_type.is_lenient() && !list_type.is_list {
        checker.report(
            TypeError::new(Code::E407, list.span(), "the second argument of `join` must be a list")
                .with_label(format!("this is {}", a_type(list_type)))
                .with_help("put the values in parentheses, e.g. `(fd.directory, fd.filename)`, or use a list field"),
        );
    }
    result
}

fn concat(
    checker: &mut Checker<'_, '_>,
    transform: &Transform,
    args: &[TypedOperand],
) -> ValueType {
    let result = ValueType::single(Ty::CharBuf);
    if args.len() < 2 {
        arity_error(checker, transform, "at least 2 arguments", args.len());
        return result;
    }
    for arg in args {
        let value_type = arg.value_type();
        if !value_type.is_lenient() && (value_type.is_list || !value_type.ty.is_string()) {
            checker.report(
                TypeError::new(Code::E407, arg.span(), "`concat` takes single strings")
                    .with_label(format!("this is {}", a_type(value_type)))
                    .with_help("use `join` to combine the values of a list"),
            );
        }
    }
    result
}

fn getopt(
    checker: &mut Checker<'_, '_>,
    transform: &Transform,
    args: &[TypedOperand],
) -> ValueType {
    let result = ValueType::list(Ty::CharBuf);
    let [argv, optstring] = args else {
        arity_error(
            checker,
            transform,
            "2 arguments (an argument list and an option string)",
            args.len(),
        );
        return result;
    };
    let argv_type = argv.value_type();
    let argv_ok = argv_type.is_list && argv_type.ty.is_string();
    if !argv_type.is_lenient() && !argv_ok {
        checker.report(
            TypeError::new(
                Code::E407,
                argv.span(),
                "the first argument of `getopt` must be a list of strings",
            )
            .with_label(format!("this is {}", a_type(argv_type)))
            .with_help(usage(TransformKind::Getopt)),
        );
    }
    let optstring_type = optstring.value_type();
    if !optstring_type.is_lenient() && (optstring_type.is_list || !optstring_type.ty.is_string()) {
        checker.report(
            TypeError::new(
                Code::E407,
                optstring.span(),
                "the option string of `getopt` must be a single string",
            )
            .with_label(format!("this is {}", a_type(optstring_type)))
            .with_help(usage(TransformKind::Getopt)),
        );
    }
    result
}
