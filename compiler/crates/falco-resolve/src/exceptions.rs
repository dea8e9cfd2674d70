//! Rule exceptions: validation, and the condition text Falco derives from them.
//!
//! Falco turns exceptions into text appended to the condition,
//! `cond and not ((f1 op v1 and f2 op v2) or ...)`, and parses the result. We build
//! the same text, but as a `MappedText` whose every field and value maps back to
//! its YAML scalar, so errors inside exceptions point at the right place.

use falco_condition::ast::{Modifier, Op};
use falco_diagnostics::{Code, Diagnostic, counted};
use falco_loader::{
    Exception, ExceptionFields, ExceptionTupleElement, ExceptionValue, ListEntry, Spanned,
};
use falco_span::{FileSpan, MappedText, Span};

/// Checks an exception as Falco's collector does, filling in default comps.
/// Returns false when the exception cannot be used (it is then dropped).
pub(crate) fn validate_exception(
    exception: &mut Exception,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let name = exception.name.value.clone();
    let Some(fields) = &exception.fields else {
        diagnostics.push(
            Diagnostic::new(
                Code::E206,
                exception.name.span,
                format!("exception `{name}` has no `fields`"),
            )
            .with_help(
                "list the fields the exception compares, e.g. `fields: [proc.name, fd.name]`",
            ),
        );
        return false;
    };
    match &fields.value {
        ExceptionFields::List(field_list) => {
            let count = field_list.len();
            let comps = exception.comps.get_or_insert_with(|| Spanned {
                value: field_list
                    .iter()
                    .map(|field| Spanned {
                        value: "=".to_owned(),
                        span: field.span,
                    })
                    .collect(),
                span: fields.span,
            });
            if comps.value.len() != count {
                diagnostics.push(
                    Diagnostic::new(
                        Code::E205,
                        comps.span,
                        format!(
                            "exception `{name}` has {} but {}",
                            counted(count, "field"),
                            counted(comps.value.len(), "comp")
                        ),
                    )
                    .with_label(format!("{} here", counted(comps.value.len(), "comp")))
                    .with_related(fields.span, format!("{} here", counted(count, "field")))
                    .with_help("give one comparison operator per field"),
                );
                return false;
            }
            if !check_operators(&mut comps.value, diagnostics) {
                return false;
            }
            let mut ok = true;
            if let Some(values) = &exception.values {
                for value in &values.value {
                    match value {
                        ExceptionValue::Tuple(elements, span) if elements.len() != count => {
                            diagnostics.push(
                                Diagnostic::new(
                                    Code::E205,
                                    *span,
                                    format!(
                                        "exception `{name}` has {} but this value has {}",
                                        counted(count, "field"),
                                        counted(elements.len(), "element")
                                    ),
                                )
                                .with_label(format!("{} here", counted(elements.len(), "element")))
                                .with_related(
                                    fields.span,
                                    format!("{} here", counted(count, "field")),
                                )
                                .with_help("give one value per field, in the order of `fields`"),
                            );
                            ok = false;
                        }
                        ExceptionValue::Scalar(entry) => {
                            diagnostics.push(
                                Diagnostic::new(
                                    Code::E205,
                                    entry.span,
                                    format!(
                                        "exception `{name}` compares {}, so each value must be a list of {}",
                                        counted(count, "field"),
                                        counted(count, "element")
                                    ),
                                )
                                .with_label("not a list")
                                .with_related(fields.span, format!("{} here", counted(count, "field")))
                                .with_help(format!("write the value as a list, e.g. `[{}]`", entry.value)),
                            );
                            ok = false;
                        }
                        ExceptionValue::Tuple(..) => {}
                    }
                }
            }
            ok
        }
        ExceptionFields::Single(_) => {
            let comps = exception.comps.get_or_insert_with(|| Spanned {
                value: vec![Spanned {
                    value: "in".to_owned(),
                    span: fields.span,
                }],
                span: fields.span,
            });
            if comps.value.len() != 1 {
                diagnostics.push(
                    Diagnostic::new(
                        Code::E205,
                        comps.span,
                        format!("exception `{name}` has a single field, so `comps` must be a single operator"),
                    )
                    .with_related(fields.span, "single field here"),
                );
                return false;
            }
            let comp = &mut comps.value[0];
            if let Some(normalized) = normalize_comparison(&comp.value) {
                comp.value = normalized;
            }
            if !takes_list(&comp.value) {
                diagnostics.push(
                    Diagnostic::new(
                        Code::E206,
                        comp.span,
                        format!(
                            "exception `{name}` has a single field, so its comparison must be `in`, `pmatch`, `intersects` or an operator with a modifier, not `{}`",
                            comp.value
                        ),
                    )
                    .with_help("use `in`, or write `fields` as a list to compare with other operators"),
                );
                return false;
            }
            let mut ok = true;
            if let Some(values) = &exception.values {
                for value in &values.value {
                    if let ExceptionValue::Tuple(_, span) = value {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::E206,
                                *span,
                                format!("exception `{name}` has a single field, so each value must be a plain string"),
                            )
                            .with_related(fields.span, "single field here"),
                        );
                        ok = false;
                    }
                }
            }
            ok
        }
    }
}

/// Normalises a comparison as Falco reads it: surrounding blanks dropped, an
/// operator optionally followed by a modifier (`startswith oneof`).
fn normalize_comparison(comp: &str) -> Option<String> {
    let mut words = comp.split_whitespace();
    let op = Op::from_spelling(words.next()?)?;
    match (words.next(), words.next()) {
        (None, _) => Some(op.as_str().to_owned()),
        (Some(modifier), None) if op.takes_modifier() => {
            let modifier = Modifier::from_spelling(modifier)?;
            Some(format!("{} {}", op.as_str(), modifier.as_str()))
        }
        _ => None,
    }
}

/// Whether a comparison takes a list on its right (list operators, and string
/// operators with a modifier).
pub(crate) fn takes_list(comp: &str) -> bool {
    Op::from_spelling(comp).is_some_and(Op::takes_list) || comp.contains(' ')
}

fn check_operators(comps: &mut [Spanned<String>], diagnostics: &mut Vec<Diagnostic>) -> bool {
    let mut ok = true;
    for comp in comps {
        if let Some(normalized) = normalize_comparison(&comp.value) {
            comp.value = normalized;
        } else {
            let spellings = Op::ALL.iter().map(|op| op.as_str());
            let diagnostic = Diagnostic::new(
                Code::E206,
                comp.span,
                format!("`{}` is not a comparison operator", comp.value),
            );
            diagnostics.push(
                match falco_diagnostics::did_you_mean(&comp.value, spellings.clone()) {
                    Some(near) => diagnostic.with_did_you_mean(&comp.value, near),
                    None => diagnostic.with_help(format!(
                        "use one of: {}",
                        spellings.collect::<Vec<_>>().join(" ")
                    )),
                },
            );
            ok = false;
        }
    }
    ok
}

/// Appends ` and not (...)` for each exception with values to `condition`. Like
/// Falco, a rule with exceptions has its own condition parenthesised first, so that
/// `a or b` with an exception means `(a or b) and not (...)`.
pub(crate) fn append_exceptions(condition: &mut MappedText, exceptions: &[Exception]) {
    if let Some(first) = exceptions.first() {
        let anchor = first.name.span;
        let mut wrapped = MappedText::new();
        wrapped.push_collapsed("(", anchor);
        wrapped.push_mapped(condition);
        wrapped.push_collapsed(")", anchor);
        *condition = wrapped;
    }
    for exception in exceptions {
        let mut text = MappedText::new();
        let anchor = exception.name.span;
        let glue = |text: &mut MappedText, glue: &str| text.push_collapsed(glue, anchor);
        let (Some(fields), Some(comps)) = (&exception.fields, &exception.comps) else {
            continue;
        };
        let values = exception
            .values
            .as_ref()
            .map(|values| values.value.as_slice())
            .unwrap_or(&[]);
        match &fields.value {
            ExceptionFields::Single(field) => {
                let Some(comp) = comps.value.first() else {
                    continue;
                };
                let mut first = true;
                for value in values {
                    let ExceptionValue::Scalar(entry) = value else {
                        continue;
                    };
                    if first {
                        glue(&mut text, "(");
                        push_entry(&mut text, &field.value, field.span);
                        glue(&mut text, " ");
                        push_entry(&mut text, &comp.value, comp.span);
                        glue(&mut text, " (");
                        first = false;
                    } else {
                        glue(&mut text, ", ");
                    }
                    push_value(&mut text, entry);
                }
                if !first {
                    glue(&mut text, "))");
                }
            }
            ExceptionFields::List(field_list) => {
                let mut tuples = 0;
                glue(&mut text, "(");
                for value in values {
                    let ExceptionValue::Tuple(elements, _) = value else {
                        continue;
                    };
                    if tuples > 0 {
                        glue(&mut text, " or ");
                    }
                    tuples += 1;
                    glue(&mut text, "(");
                    for (k, ((field, comp), element)) in field_list
                        .iter()
                        .zip(&comps.value)
                        .zip(elements)
                        .enumerate()
                    {
                        glue(&mut text, if k == 0 { " " } else { " and " });
                        push_entry(&mut text, &field.value, field.span);
                        glue(&mut text, " ");
                        push_entry(&mut text, &comp.value, comp.span);
                        glue(&mut text, " ");
                        match element {
                            ExceptionTupleElement::List(entries, _) => {
                                glue(&mut text, "(");
                                for (i, entry) in entries.iter().enumerate() {
                                    if i > 0 {
                                        glue(&mut text, ", ");
                                    }
                                    push_value(&mut text, entry);
                                }
                                glue(&mut text, ")");
                            }
                            ExceptionTupleElement::Scalar(entry) => {
                                if takes_list(&comp.value) {
                                    if entry.value.starts_with('(') {
                                        push_entry(&mut text, &entry.value, entry.span);
                                    } else {
                                        glue(&mut text, "(");
                                        push_entry(&mut text, &entry.value, entry.span);
                                        glue(&mut text, ")");
                                    }
                                } else {
                                    push_value(&mut text, entry);
                                }
                            }
                        }
                    }
                    glue(&mut text, ")");
                }
                glue(&mut text, ")");
                if tuples == 0 {
                    continue;
                }
            }
        }
        if !text.text.is_empty() {
            condition.push_collapsed(" and not ", anchor);
            condition.push_mapped(&text);
        }
    }
}

/// Pushes a scalar's value, mapped to its YAML scalar when it is written verbatim.
pub(crate) fn push_entry(text: &mut MappedText, value: &str, span: FileSpan) {
    let len = value.len() as u32;
    if span.span.len() == len {
        text.push_linear(value, span.file, span.span.start);
    } else if span.span.len() == len + 2 {
        text.push_linear(value, span.file, span.span.start + 1);
    } else {
        text.push_collapsed(value, span);
    }
}

/// Pushes a value the way Falco quotes list and exception items: wrapped in double
/// quotes when it contains a space and is not already quoted.
pub(crate) fn push_value(text: &mut MappedText, entry: &ListEntry) {
    let value = &entry.value;
    if needs_quotes(value) {
        let quote_at = FileSpan::new(entry.span.file, Span::empty(entry.span.span.start));
        text.push_collapsed("\"", quote_at);
        if value.contains(['"', '\\']) {
            let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
            text.push_collapsed(&escaped, entry.span);
        } else {
            push_entry(text, value, entry.span);
        }
        text.push_collapsed(
            "\"",
            FileSpan::new(entry.span.file, Span::empty(entry.span.span.end)),
        );
    } else {
        push_entry(text, value, entry.span);
    }
}

/// Whether Falco quotes `value` when it substitutes it into a condition: only
/// values with a space that are not already quoted. (A value with a comma is thus
/// split in two by Falco's parser; we keep that, as compatibility demands.)
pub(crate) fn needs_quotes(value: &str) -> bool {
    value.contains(' ') && !value.starts_with('"') && !value.starts_with('\'')
}
