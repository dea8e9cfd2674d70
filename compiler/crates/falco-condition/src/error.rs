//! The parser's internal error type and its conversion to [`ParseError`].
//!
//! Chumsky merges the errors of alternatives that fail at the same place; this type
//! keeps what was expected as a small bit set of [`Expect`] items, so merging is cheap
//! and the final message can say "expected a field, a macro name or `(`".

use chumsky::DefaultExpected;
use chumsky::error::{Error, LabelError};
use chumsky::input::Input;
use chumsky::util::MaybeRef;
use falco_diagnostics::Code;
use falco_span::Span;

use crate::ParseError;

/// Something the parser expected at a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Expect {
    Field,
    Macro,
    OpenParen,
    CloseParen,
    CloseBracket,
    FieldArg,
    Operator,
    Value,
    Number,
    List,
    ListItem,
    TransformerArg,
    TransformerField,
    Comma,
    BoolOp,
    BlankOrParen,
    End,
}

impl Expect {
    const ALL: [Expect; 17] = [
        Expect::Field,
        Expect::Macro,
        Expect::OpenParen,
        Expect::Operator,
        Expect::Value,
        Expect::Number,
        Expect::List,
        Expect::ListItem,
        Expect::TransformerArg,
        Expect::TransformerField,
        Expect::FieldArg,
        Expect::BlankOrParen,
        Expect::BoolOp,
        Expect::Comma,
        Expect::CloseBracket,
        Expect::CloseParen,
        Expect::End,
    ];

    fn bit(self) -> u32 {
        1 << (self as u8)
    }

    fn describe(self) -> &'static str {
        match self {
            Expect::Field => "a field",
            Expect::Macro => "a macro name",
            Expect::OpenParen => "`(`",
            Expect::CloseParen => "`)`",
            Expect::CloseBracket => "`]`",
            Expect::FieldArg => "a field argument (a quoted or bare string)",
            Expect::Operator => "an operator",
            Expect::Value => "a value",
            Expect::Number => "a number",
            Expect::List => "a list or a list name",
            Expect::ListItem => "a list item",
            Expect::TransformerArg => "a field, a transformer, a quoted string, a number or a list",
            Expect::TransformerField => "a field",
            Expect::Comma => "`,`",
            Expect::BoolOp => "`and` or `or`",
            Expect::BlankOrParen => "a blank or `(`",
            Expect::End => "the end of the condition",
        }
    }
}

/// A chumsky error: what was expected at `span.start`, or a custom message.
#[derive(Clone, Debug)]
pub(crate) struct PErr {
    pub span: chumsky::span::SimpleSpan,
    pub expected: u32,
    pub custom: Option<(Code, String)>,
}

impl PErr {
    /// An error expecting `what` at `at`.
    pub fn expected(what: Expect, at: usize) -> PErr {
        PErr {
            span: (at..at).into(),
            expected: what.bit(),
            custom: None,
        }
    }

    /// A custom error with its own code and message.
    pub fn custom(code: Code, message: String, span: std::ops::Range<usize>) -> PErr {
        PErr {
            span: span.into(),
            expected: 0,
            custom: Some((code, message)),
        }
    }

    fn has(&self, what: Expect) -> bool {
        self.expected & what.bit() != 0
    }

    fn only(&self, set: &[Expect]) -> bool {
        let mask = set.iter().fold(0, |m, e| m | e.bit());
        self.expected != 0 && self.expected & !mask == 0
    }

    /// Turns the error into a [`ParseError`], reading the offending token from `text`.
    pub fn into_parse_error(self, text: &str) -> ParseError {
        if let Some((code, message)) = self.custom {
            // Every primary span gets a label: an empty one is drawn as a bare arrow.
            let label = if code == Code::E304 {
                "Falco does not accept this escape"
            } else if self.span.start == self.span.end {
                "the condition ends here"
            } else if message.ends_with("found the end of the condition") {
                "nothing follows this"
            } else if message.starts_with("expected ") {
                "not expected here"
            } else {
                "here"
            };
            return ParseError {
                code,
                message,
                span: Span::new(self.span.start as u32, self.span.end as u32),
                label: Some(label.to_string()),
                help: None,
            };
        }
        let at = self.span.start.min(text.len());
        let (found_span, found) = found_token(text, at);
        let mut wanted: Vec<&str> = Expect::ALL
            .iter()
            .filter(|e| self.has(**e))
            .flat_map(|e| match e {
                Expect::BoolOp => vec!["`and`", "`or`"],
                e => vec![e.describe()],
            })
            .collect();
        wanted.dedup();
        let expected = join_or(&wanted);
        let message = if found == "`and`" && self.has(Expect::BoolOp) {
            "`and` cannot follow `or(...)`: Falco reads `or(` as taking the parenthesised \
             condition as its whole right operand; write `or (` instead"
                .to_string()
        } else if expected.is_empty() {
            format!("unexpected {found}")
        } else {
            format!("expected {expected}, found {found}")
        };
        let at_end = found_span.is_empty();
        let found_close = text.as_bytes().get(at) == Some(&b')');
        let (code, label, help) = if self.has(Expect::CloseParen) && at_end {
            (
                Code::E302,
                Some("this `(` is not closed".to_string()),
                Some("add the missing `)`".to_string()),
            )
        } else if found_close && self.has(Expect::BoolOp) && !self.has(Expect::CloseParen) {
            (
                Code::E302,
                Some("this `)` closes nothing".to_string()),
                Some("remove it or add the matching `(`".to_string()),
            )
        } else if self.has(Expect::Operator) {
            (
                Code::E306,
                Some("expected an operator here".to_string()),
                Some(
                    "a field must be followed by an operator such as `=`, `in` or `exists`"
                        .to_string(),
                ),
            )
        } else if self.only(&[
            Expect::Value,
            Expect::Number,
            Expect::List,
            Expect::TransformerField,
        ]) && (at_end || value_cannot_start(text, at))
        {
            (
                Code::E303,
                Some("the operator needs a value here".to_string()),
                None,
            )
        } else if at_end {
            (
                Code::E301,
                Some("the condition ends here".to_string()),
                None,
            )
        } else {
            (Code::E301, Some("not expected here".to_string()), None)
        };
        // An unclosed `(` is shown where it opens, not at the end of the text.
        let span = match (code, at_end) {
            (Code::E302, true) => unclosed_paren(text).unwrap_or(found_span),
            _ => found_span,
        };
        ParseError {
            code,
            message,
            span,
            label,
            help,
        }
    }
}

/// The last `(` that no `)` closes, outside quoted strings.
fn unclosed_paren(text: &str) -> Option<Span> {
    let mut open = Vec::new();
    let mut quote = None;
    let mut escaped = false;
    for (index, byte) in text.bytes().enumerate() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if byte == b'\\' {
                    escaped = true;
                } else if byte == q {
                    quote = None;
                }
            }
            None => match byte {
                b'"' | b'\'' => quote = Some(byte),
                b'(' => open.push(index),
                b')' => {
                    open.pop();
                }
                _ => {}
            },
        }
    }
    open.last()
        .map(|&index| Span::new(index as u32, index as u32 + 1))
}

/// `)`, `,`, or a boolean keyword: things that show the value is missing.
fn value_cannot_start(text: &str, at: usize) -> bool {
    let rest = text.as_bytes().get(at..).unwrap_or_default();
    matches!(rest.first(), Some(b')' | b','))
        || crate::lexer::keyword_follows(rest, b"and")
        || crate::lexer::keyword_follows(rest, b"or")
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// The token at `at`, for messages: a word, a quoted string's start, or one character.
pub(crate) fn found_token(text: &str, at: usize) -> (Span, String) {
    let rest = text.get(at..).unwrap_or_default();
    let Some(first) = rest.chars().next() else {
        return (
            Span::empty(text.len() as u32),
            "the end of the condition".to_string(),
        );
    };
    let len = if first.is_ascii_alphanumeric() || first == '_' || first == '.' {
        rest.bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
            .count()
    } else {
        first.len_utf8()
    };
    let shown = &rest[..len];
    let found = if first.is_whitespace() {
        "a line break or blank".to_string()
    } else if shown.contains('`') {
        format!("'{shown}'")
    } else {
        format!("`{shown}`")
    };
    (Span::new(at as u32, (at + len) as u32), found)
}

impl<'src, I> Error<'src, I> for PErr
where
    I: Input<'src, Span = chumsky::span::SimpleSpan, Token = u8>,
{
    fn merge(mut self, other: Self) -> Self {
        if self.custom.is_none() {
            if other.custom.is_some() {
                return other;
            }
            self.expected |= other.expected;
        }
        self
    }
}

impl<'src, I> LabelError<'src, I, DefaultExpected<'src, I::Token>> for PErr
where
    I: Input<'src, Span = chumsky::span::SimpleSpan, Token = u8>,
{
    fn expected_found<E: IntoIterator<Item = DefaultExpected<'src, I::Token>>>(
        expected: E,
        _found: Option<MaybeRef<'src, I::Token>>,
        span: I::Span,
    ) -> Self {
        let mut bits = 0;
        for item in expected {
            bits |= match item {
                DefaultExpected::Token(t) => match *t {
                    b')' => Expect::CloseParen.bit(),
                    b']' => Expect::CloseBracket.bit(),
                    b'(' => Expect::OpenParen.bit(),
                    b',' => Expect::Comma.bit(),
                    _ => 0,
                },
                DefaultExpected::EndOfInput => Expect::End.bit(),
                _ => 0,
            };
        }
        PErr {
            span: (span.start..span.start).into(),
            expected: bits,
            custom: None,
        }
    }
}

impl<'src, I> LabelError<'src, I, Expect> for PErr
where
    I: Input<'src, Span = chumsky::span::SimpleSpan>,
{
    fn expected_found<E: IntoIterator<Item = Expect>>(
        expected: E,
        _found: Option<MaybeRef<'src, I::Token>>,
        span: I::Span,
    ) -> Self {
        PErr {
            span: (span.start..span.start).into(),
            expected: expected.into_iter().fold(0, |m, e| m | e.bit()),
            custom: None,
        }
    }

    fn label_with(&mut self, label: Expect) {
        if self.custom.is_none() {
            self.expected = label.bit();
        }
    }
}
