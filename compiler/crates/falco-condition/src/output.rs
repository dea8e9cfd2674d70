//! Output format strings: literal text and `%field` references.
//!
//! This follows libsinsp's event formatter (`eventformatter.cpp`, `set_format`):
//! - `%` starts a field; it may be followed by digits (a display width, ignored);
//! - then comes a field name with an optional `[arg]`, or a transformer call such as
//!   `%toupper(proc.name)`;
//! - the field name is the longest `a.b.c` run. Falco itself then keeps the longest
//!   prefix that names a known field (`%proc.nameand` prints `proc.name` followed by
//!   `and`); this crate does not know fields, so it reports the whole run and the
//!   type checker decides;
//! - a `%` at the end, a `%` followed by something that is not a field (including
//!   `%%`), and the old `%(field)` form are errors (E501) in current Falco.

use falco_diagnostics::Code;
use falco_span::Span;

use crate::ParseError;
use crate::ast::{FieldArg, FieldRef, Operand, Output, OutputPart};
use crate::lexer;

/// Parses an output format string. Never fails: malformed `%` tokens are reported
/// (E501) and kept as text.
pub fn parse_output(text: &str) -> (Output, Vec<ParseError>) {
    let s = text.as_bytes();
    let fields = s.iter().filter(|b| **b == b'%').count();
    let mut parts = Vec::with_capacity(2 * fields + 1);
    let mut errors = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while let Some(offset) = s
        .get(i..)
        .and_then(|rest| rest.iter().position(|b| *b == b'%'))
    {
        let percent = i + offset;
        i = percent;
        let mut j = i + 1 + s[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        let token = if j >= s.len() {
            errors.push(error(
                percent..s.len(),
                if j == i + 1 {
                    "an output cannot end with `%`".to_string()
                } else {
                    "an output cannot end with a field width".to_string()
                },
                "escape nothing: write the field name after `%`, e.g. `%proc.name`",
            ));
            None
        } else if s[j] == b'(' {
            parenthesised(text, percent, j, &mut errors)
        } else if lexer::field_name_len(&s[j..]) > 0 {
            let (field, end) = field_at(text, j);
            j = end;
            Some((
                vec![OutputPart::Field {
                    field,
                    parenthesised: false,
                    span: Span::new(percent as u32, end as u32),
                }],
                end,
            ))
        } else if let Some((operand, end)) = crate::grammar::parse_output_transformer(&text[j..]) {
            let end = j + end;
            let mut fields = Vec::new();
            crate::visit::walk_operands(&operand, &mut |o| {
                if let Operand::Field(field) = o {
                    fields.push(OutputPart::Field {
                        field: shift_field(field, j),
                        parenthesised: false,
                        span: Span::new(percent as u32, end as u32),
                    });
                }
            });
            Some((fields, end))
        } else if s[j] == b'%' {
            errors.push(error(
                percent..j + 1,
                "`%%` is not an escape in Falco outputs".to_string(),
                "Falco has no way to print a `%` followed by a field name; reword, e.g. `100 percent`",
            ));
            j += 1;
            None
        } else {
            let (found_span, found) = crate::error::found_token(text, j);
            errors.push(ParseError {
                code: Code::E501,
                message: format!("expected a field name after `%`, found {found}"),
                span: Span::new(percent as u32, found_span.end.max(j as u32 + 1)),
                label: Some("not a field".to_string()),
                help: Some(
                    "write a field such as `%proc.name`; a literal `%` cannot be written before a letter or `%`"
                        .to_string(),
                ),
            });
            None
        };
        match token {
            Some((fields, end)) => {
                if text_start < percent {
                    parts.push(OutputPart::Text(
                        text[text_start..percent].to_string(),
                        Span::new(text_start as u32, percent as u32),
                    ));
                }
                parts.extend(fields);
                text_start = end;
                i = end;
            }
            None => i = (percent + 1).max(j.min(s.len())),
        }
    }
    if text_start < s.len() {
        parts.push(OutputPart::Text(
            text[text_start..].to_string(),
            Span::new(text_start as u32, s.len() as u32),
        ));
    }
    (Output { parts }, errors)
}

fn error(range: std::ops::Range<usize>, message: String, help: &str) -> ParseError {
    ParseError {
        code: Code::E501,
        message,
        span: Span::new(range.start as u32, range.end as u32),
        label: None,
        help: Some(help.to_string()),
    }
}

/// A field name at `start` with its optional `[arg]`; a malformed argument is left
/// to the text, as Falco does (it falls back to the field without the bracket).
fn field_at(text: &str, start: usize) -> (FieldRef, usize) {
    let s = text.as_bytes();
    let name_end = start + lexer::field_name_len(&s[start..]);
    let mut end = name_end;
    let mut arg = None;
    if s.get(name_end) == Some(&b'[') {
        let inner = name_end + 1;
        let rest = &s[inner..];
        let quoted = lexer::quoted_len(rest);
        let len = if quoted > 0 {
            quoted
        } else {
            lexer::field_arg_bare_len(rest)
        };
        if len > 0 && s.get(inner + len) == Some(&b']') {
            let raw = &s[inner..inner + len];
            let value = if quoted > 0 {
                String::from_utf8_lossy(&lexer::unescape(raw).0).into_owned()
            } else {
                text[inner..inner + len].to_string()
            };
            arg = Some(FieldArg {
                value,
                span: Span::new(inner as u32, (inner + len) as u32),
                quoted: quoted > 0,
            });
            end = inner + len + 1;
        }
    }
    let field = FieldRef {
        name: text[start..name_end].to_string(),
        name_span: Span::new(start as u32, name_end as u32),
        arg,
        span: Span::new(start as u32, end as u32),
    };
    (field, end)
}

/// `%(field)`: parsed so the field is still checked, but reported, since current
/// Falco rejects it.
fn parenthesised(
    text: &str,
    percent: usize,
    open: usize,
    errors: &mut Vec<ParseError>,
) -> Option<(Vec<OutputPart>, usize)> {
    let s = text.as_bytes();
    let start = open + 1;
    if lexer::field_name_len(&s[start..]) == 0 {
        errors.push(error(
            percent..(open + 1),
            "expected a field name after `%(`".to_string(),
            "write the field as `%proc.name`",
        ));
        return None;
    }
    let (field, end) = field_at(text, start);
    if s.get(end) != Some(&b')') {
        errors.push(error(
            percent..end,
            "`%(` is not closed".to_string(),
            "write the field as `%proc.name`",
        ));
        return None;
    }
    let span = Span::new(percent as u32, (end + 1) as u32);
    errors.push(ParseError {
        code: Code::E501,
        message: format!(
            "Falco does not accept the `%(...)` form; write `%{}`",
            &text[start..end]
        ),
        span,
        label: Some("parenthesised field".to_string()),
        help: Some("remove the parentheses".to_string()),
    });
    Some((
        vec![OutputPart::Field {
            field,
            parenthesised: true,
            span,
        }],
        end + 1,
    ))
}

fn shift_field(field: &FieldRef, by: usize) -> FieldRef {
    let by = by as u32;
    FieldRef {
        name: field.name.clone(),
        name_span: field.name_span.shift(by),
        arg: field.arg.as_ref().map(|arg| FieldArg {
            value: arg.value.clone(),
            span: arg.span.shift(by),
            quoted: arg.quoted,
        }),
        span: field.span.shift(by),
    }
}
