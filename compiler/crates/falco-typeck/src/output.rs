//! Checking output format strings: every `%field` must resolve, the way
//! libsinsp's formatter resolves it.
//!
//! The formatter reads a `%token` as the longest prefix of it that compiles as a
//! field: when the whole token is not a field (or takes no such argument), it
//! tries shorter and shorter prefixes and prints the rest as text, so
//! `%proc.nameand` prints `proc.name` then `and`. Only a token with no such
//! prefix is an error. We resolve the same way, and warn (W501) when the token
//! looks like a typo: a near miss of a field name, or an argument the field does
//! not take, but not a word glued to a field.

use falco_condition::ast::{FieldRef, Output, OutputPart};
use falco_diagnostics::Code;
use falco_span::Span;

use crate::check::lookup_error;
use crate::context::Context;
use crate::error::TypeError;
use crate::resolver::{FieldInfo, LookupError};
use crate::typed::TypedField;

/// An output format string with its fields resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedOutput {
    /// The pieces in order.
    pub parts: Vec<TypedOutputPart>,
}

/// One piece of a typed output.
#[derive(Clone, Debug, PartialEq)]
pub enum TypedOutputPart {
    /// Literal text.
    Text(String, Span),
    /// A resolved field; `span` covers the `%` too.
    Field(TypedField, Span),
    /// `%container.info`: deprecated; Falco replaces it with its default extra
    /// container fields.
    ContainerInfo(Span),
    /// A field that did not resolve (an error was reported).
    Error(Span),
}

/// The deprecated placeholder Falco still accepts in outputs.
const CONTAINER_INFO: &str = "container.info";

/// Checks an output format string.
pub fn check_output(output: &Output, ctx: &Context<'_>) -> (TypedOutput, Vec<TypeError>) {
    let mut errors = Vec::new();
    let mut parts = Vec::with_capacity(output.parts.len());
    for part in &output.parts {
        match part {
            OutputPart::Text(text, span) => parts.push(TypedOutputPart::Text(text.clone(), *span)),
            OutputPart::Field {
                field,
                span,
                parenthesised,
            } => {
                if field.name == CONTAINER_INFO && field.arg.is_none() {
                    errors.push(
                        TypeError::new(Code::W401, *span, "`%container.info` is deprecated")
                            .with_label("Falco replaces it with its default container fields")
                            .with_help("remove it; the container plugin adds the container fields to the output by itself"),
                    );
                    parts.push(TypedOutputPart::ContainerInfo(*span));
                    continue;
                }
                let arg = field.arg.as_ref().map(|arg| arg.value.as_str());
                let resolved = ctx.resolver.resolve_field(ctx.source, &field.name, arg);
                // A plain `%token` (no transformer, no parentheses) that is not a
                // field: Falco's formatter prints the longest prefix that is one.
                let plain = !parenthesised && span.end == field.span.end;
                if resolved.is_err()
                    && plain
                    && let Some(fallback) = fallback(field, ctx)
                {
                    // A field with an argument it does not take, a near miss of
                    // another field (`%proc.exepaht`), or of this one by a letter
                    // or two, a digit, `_` or `.` more, is most likely a typo; a
                    // word glued to a field (`%proc.nameand`, as libsinsp's tests
                    // write) is not.
                    let likely_typo = match &resolved {
                        Err(LookupError::Unknown {
                            suggestion: Some(near),
                        }) => {
                            *near != fallback.field.name
                                || fallback.rest.len() <= 2
                                || !fallback
                                    .rest
                                    .starts_with(|ch: char| ch.is_ascii_alphabetic())
                        }
                        Err(LookupError::Unknown { suggestion: None }) => false,
                        _ => true,
                    };
                    if likely_typo {
                        errors.push(fallback.warning(field));
                    }
                    let field_span = Span::new(span.start, fallback.field.span.end);
                    parts.push(TypedOutputPart::Field(
                        TypedField::resolved(fallback.info, &fallback.field),
                        field_span,
                    ));
                    parts.push(TypedOutputPart::Text(
                        fallback.rest,
                        Span::new(fallback.field.span.end, span.end),
                    ));
                    continue;
                }
                match resolved {
                    Ok(info) if info.filter_only => {
                        // Falco compiles it and prints `<NA>`, with a null entry in a JSON
                        // alert's `output_fields`: it stays a field, which the VM prints as
                        // having no value.
                        errors.push(
                            TypeError::new(
                                Code::W502,
                                field.span,
                                format!(
                                    "field `{}` is meant for conditions: an output prints `<NA>` for it",
                                    field.name
                                ),
                            )
                            .with_label("a filter-only field")
                            .with_help("print a related field instead (e.g. `fd.sip` for `fd.ip`)"),
                        );
                        parts.push(TypedOutputPart::Field(
                            TypedField::resolved(info, field),
                            *span,
                        ));
                    }
                    Ok(info) => {
                        if let Some(reason) = &info.deprecated {
                            let error = TypeError::new(
                                Code::W401,
                                field.span,
                                format!("field `{}` is deprecated", info.name),
                            )
                            .with_label("deprecated field");
                            errors.push(if reason.is_empty() {
                                error
                            } else {
                                error.with_help(reason.clone())
                            });
                        }
                        parts.push(TypedOutputPart::Field(
                            TypedField::resolved(info, field),
                            *span,
                        ));
                    }
                    Err(error) => {
                        errors.push(lookup_error(error, field, ctx.source, Code::E502));
                        parts.push(TypedOutputPart::Error(*span));
                    }
                }
            }
        }
    }
    (TypedOutput { parts }, errors)
}

/// A `%token` that is not a field, read as Falco's formatter reads it: the
/// longest prefix that is a usable field, and the rest, printed as text.
struct Fallback {
    /// The prefix, as a field reference (no argument).
    field: FieldRef,
    /// What it resolved to.
    info: FieldInfo,
    /// The text after it.
    rest: String,
}

impl Fallback {
    /// The warning: what Falco prints instead of the field as written.
    fn warning(&self, written: &FieldRef) -> TypeError {
        TypeError::new(
            Code::W501,
            written.span,
            format!(
                "`%{}` is not a field: Falco prints `%{}` followed by the text `{}`",
                token_text(written),
                self.field.name,
                self.rest
            ),
        )
        .with_label(format!("only `{}` is a field", self.field.name))
        .with_help(format!(
            "fix the field name, or if the text is meant, set it apart: `%{} {}`",
            self.field.name, self.rest
        ))
    }
}

/// The token as written after `%`: the name and any bracket argument.
fn token_text(field: &FieldRef) -> String {
    match &field.arg {
        Some(arg) if arg.quoted => format!("{}[\"{}\"]", field.name, arg.value),
        Some(arg) => format!("{}[{}]", field.name, arg.value),
        None => field.name.clone(),
    }
}

/// The longest proper prefix of `field`'s token that resolves to a field usable
/// in outputs, as Falco's formatter finds it: a prefix that cuts a bracket
/// argument does not parse, so after the whole token come the name alone and then
/// the name's shorter prefixes.
fn fallback(field: &FieldRef, ctx: &Context<'_>) -> Option<Fallback> {
    let token = token_text(field);
    let name = field.name.as_str();
    let longest = if field.arg.is_some() {
        name.len()
    } else {
        name.len().checked_sub(1)?
    };
    (1..=longest)
        .rev()
        .filter(|&len| name.is_char_boundary(len) && !name[..len].ends_with('.'))
        .find_map(|len| {
            let prefix = &name[..len];
            let info = ctx
                .resolver
                .resolve_field(ctx.source, prefix, None)
                .ok()
                .filter(|info| !info.filter_only)?;
            let end = field.name_span.start + len as u32;
            Some(Fallback {
                field: FieldRef {
                    name: prefix.to_owned(),
                    name_span: Span::new(field.name_span.start, end),
                    arg: None,
                    span: Span::new(field.name_span.start, end),
                },
                info,
                rest: token[len..].to_owned(),
            })
        })
}
