//! Checking output format strings: every `%field` must resolve.

use falco_condition::ast::{Output, OutputPart};
use falco_diagnostics::Code;
use falco_span::Span;

use crate::check::lookup_error;
use crate::context::Context;
use crate::error::TypeError;
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
            OutputPart::Field { field, span, .. } => {
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
                match ctx.resolver.resolve_field(ctx.source, &field.name, arg) {
                    Ok(info) if info.filter_only => {
                        errors.push(
                            TypeError::new(
                                Code::E502,
                                field.span,
                                format!(
                                    "field `{}` can be used in conditions only, not in outputs",
                                    field.name
                                ),
                            )
                            .with_label("a filter-only field")
                            .with_help("print a related field instead (e.g. `fd.sip` for `fd.ip`)"),
                        );
                        parts.push(TypedOutputPart::Error(*span));
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
