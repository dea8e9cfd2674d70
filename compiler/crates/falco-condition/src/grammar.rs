//! The condition grammar, as chumsky parsers over the condition's bytes.
//!
//! It follows libsinsp's recursive-descent parser (`filter/parser.cpp`) rule by
//! rule, including its whitespace rules, which are easy to get wrong:
//! - word operators (`contains`, `glob`, ...) and modifiers need a blank after them;
//!   `=`, `<`, `in`, `intersects`, `pmatch` and `exists` need none;
//! - `and`/`or` need a blank or `(` after them, and `or(...)`/`and(...)` take a
//!   parenthesised expression as their whole right operand;
//! - `not` needs a blank after it, or is written `not(`;
//! - a transformer is its keyword directly followed by `(`.
//!
//! Tokens are recognised by the functions in [`crate::lexer`] (wrapped with
//! [`custom`]), so each keeps libsinsp's exact longest-match rule.
//!
//! The parser is built once per thread (see [`with_parser`]): its input type is an
//! owned byte stream so the built parser has no lifetime tied to one text.

use std::sync::LazyLock;

use chumsky::input::{InputRef, Stream};
use chumsky::inspector::SimpleState;
use chumsky::prelude::*;
use falco_diagnostics::Code;
use falco_span::Span;

use crate::ast::{
    Check, Expr, FieldArg, FieldRef, Ident, Modifier, Op, OpSpec, OpSyntax, Operand, Str,
    Transform, TransformKind, Value,
};
use crate::error::{Expect, PErr};
use crate::lexer;

/// The parser's input: the condition's bytes, owned so the parser can be stored.
pub(crate) type In = Stream<std::vec::IntoIter<u8>>;
/// The text being parsed, available to every token parser.
pub(crate) struct Src {
    pub text: String,
}
/// Parser extras: our error type and the source text as state.
pub(crate) type Ex = extra::Full<PErr, SimpleState<Src>, ()>;
type Inp<'a, 'b> = InputRef<'static, 'b, In, Ex>;
type Sp = SimpleSpan;

/// A built condition parser.
pub(crate) type CondParser = Boxed<'static, 'static, In, Expr, Ex>;

fn span(s: Sp) -> Span {
    Span::new(s.start as u32, s.end as u32)
}

fn pos(inp: &mut Inp<'_, '_>) -> usize {
    *inp.cursor().inner()
}

/// The unparsed rest of the text, from `at`.
fn rest<'a>(inp: &'a mut Inp<'_, '_>, at: usize) -> &'a [u8] {
    inp.state().text.as_bytes().get(at..).unwrap_or_default()
}

fn advance(inp: &mut Inp<'_, '_>, n: usize) {
    for _ in 0..n {
        inp.skip();
    }
}

/// A token recognised by `f` (which returns the match length, 0 for none).
fn tok(
    f: impl Fn(&[u8]) -> usize + Clone + 'static,
    what: Expect,
) -> impl Parser<'static, In, Sp, Ex> + Clone {
    custom(move |inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        let n = f(rest(inp, start));
        if n == 0 {
            return Err(PErr::expected(what, start));
        }
        advance(inp, n);
        Ok(Sp::from(start..start + n))
    })
}

/// The exact bytes `w` (no boundary check, like libsinsp's `lex_helper_str`).
fn word(w: &'static [u8], what: Expect) -> impl Parser<'static, In, Sp, Ex> + Clone {
    tok(move |s| if s.starts_with(w) { w.len() } else { 0 }, what)
}

/// Blanks, possibly none.
fn blank() -> impl Parser<'static, In, (), Ex> + Clone {
    custom(|inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        let n = lexer::blank_len(rest(inp, start));
        advance(inp, n);
        Ok(())
    })
}

/// At least one blank.
fn blank1() -> impl Parser<'static, In, (), Ex> + Clone {
    tok(lexer::blank_len, Expect::BlankOrParen).ignored()
}

const TRANSFORMERS: [(&[u8], TransformKind); 8] = [
    (b"tolower", TransformKind::ToLower),
    (b"toupper", TransformKind::ToUpper),
    (b"b64", TransformKind::B64),
    (b"basename", TransformKind::Basename),
    (b"len", TransformKind::Len),
    (b"join", TransformKind::Join),
    (b"concat", TransformKind::Concat),
    (b"getopt", TransformKind::Getopt),
];

/// The transformer keyword starting `s` and followed by `(`, if any.
fn transformer_at(s: &[u8], with_val: bool) -> Option<TransformKind> {
    // Cheap rejection first: every keyword starts with one of these letters.
    if !matches!(
        s.first(),
        Some(b't' | b'b' | b'l' | b'j' | b'c' | b'g' | b'v')
    ) {
        return None;
    }
    let n = lexer::ident_len(s);
    if s.get(n) != Some(&b'(') {
        return None;
    }
    let name = &s[..n];
    if with_val && name == b"val" {
        return Some(TransformKind::Val);
    }
    TRANSFORMERS
        .iter()
        .find(|(kw, _)| *kw == name)
        .map(|(_, kind)| *kind)
}

/// A transformer keyword and its `(`: `tolower(` (and `val(` when `with_val`).
fn transformer_kw(with_val: bool) -> impl Parser<'static, In, (TransformKind, Sp), Ex> + Clone {
    custom(move |inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        let s = rest(inp, start);
        let Some(kind) = transformer_at(s, with_val) else {
            return Err(PErr::expected(Expect::Field, start));
        };
        let n = kind.as_str().len();
        advance(inp, n + 1);
        Ok((kind, Sp::from(start..start + n)))
    })
}

/// A quoted string token, unescaped; bad escapes are reported (E304) and kept.
fn quoted(what: Expect) -> impl Parser<'static, In, Str, Ex> + Clone {
    custom(move |inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        let s = rest(inp, start);
        let n = lexer::quoted_len(s);
        if n == 0 {
            return Err(match s.first() {
                Some(&q @ (b'"' | b'\'')) => {
                    let q = char::from(q);
                    let hint = if s.len() > 1 && s.ends_with(&[b'\\', q as u8]) {
                        " (a quote right after a backslash does not close it)"
                    } else {
                        ""
                    };
                    PErr::custom(
                        Code::E301,
                        format!("this string is not closed: the closing `{q}` is missing{hint}"),
                        start..start + 1,
                    )
                }
                _ => PErr::expected(what, start),
            });
        }
        let quote = s.first().map(|b| char::from(*b));
        let (bytes, errors) = lexer::unescape(&s[..n]);
        advance(inp, n);
        for error in errors {
            let at = start + error.offset;
            inp.emit(PErr::custom(Code::E304, error.message, at..at + error.len));
        }
        Ok(make_str(bytes, Sp::from(start..start + n), quote))
    })
}

fn make_str(bytes: Vec<u8>, s: Sp, quote: Option<char>) -> Str {
    match String::from_utf8(bytes) {
        Ok(value) => Str {
            value,
            span: span(s),
            quote,
            bytes: None,
        },
        Err(error) => {
            let bytes = error.into_bytes();
            Str {
                value: String::from_utf8_lossy(&bytes).into_owned(),
                span: span(s),
                quote,
                bytes: Some(bytes),
            }
        }
    }
}

/// An unquoted token (bare string, number) as a [`Str`].
fn bare(
    f: impl Fn(&[u8]) -> usize + Clone + 'static,
    what: Expect,
) -> impl Parser<'static, In, Str, Ex> + Clone {
    tok(f, what).map_with(|s, e| {
        let value = e
            .state()
            .text
            .get(s.start..s.end)
            .unwrap_or_default()
            .to_string();
        Str {
            value,
            span: span(s),
            quote: None,
            bytes: None,
        }
    })
}

/// A number: hex first, then decimal (libsinsp's order).
fn number() -> impl Parser<'static, In, Str, Ex> + Clone {
    bare(
        |s| match lexer::hex_len(s) {
            0 => lexer::num_len(s),
            n => n,
        },
        Expect::Number,
    )
}

/// `[arg]` after a field or a transformer call.
fn field_arg() -> impl Parser<'static, In, FieldArg, Ex> + Clone {
    let quoted_arg = quoted(Expect::FieldArg).map(|s| FieldArg {
        value: s.value,
        span: s.span,
        quoted: true,
    });
    let bare_arg = bare(lexer::field_arg_bare_len, Expect::FieldArg).map(|s| FieldArg {
        value: s.value,
        span: s.span,
        quoted: false,
    });
    just(b'[')
        .ignore_then(choice((quoted_arg, bare_arg)))
        .then_ignore(just(b']'))
}

/// A field name with its optional bracket argument.
fn field() -> impl Parser<'static, In, FieldRef, Ex> + Clone {
    tok(lexer::field_name_len, Expect::Field)
        .then(field_arg().or_not())
        .map_with(|(name_sp, arg), e| {
            let name = e
                .state()
                .text
                .get(name_sp.start..name_sp.end)
                .unwrap_or_default()
                .to_string();
            FieldRef {
                name,
                name_span: span(name_sp),
                arg,
                span: span(e.span()),
            }
        })
}

/// Transformer calls (not `val`), with nesting and transformer lists.
fn transformer() -> impl Parser<'static, In, Transform, Ex> + Clone {
    recursive(|transformer| {
        let literal = choice((number(), quoted(Expect::TransformerArg))).map(Operand::Literal);
        let list_arg = choice((
            field().map(Operand::Field),
            transformer.clone().map(|t| Operand::Transform(Box::new(t))),
            literal.clone(),
        ))
        .labelled(Expect::TransformerArg);
        let list = just(b'(')
            .ignore_then(blank())
            .ignore_then(
                list_arg
                    .separated_by(blank().then(just(b',')).then(blank()))
                    .collect::<Vec<_>>(),
            )
            .then_ignore(blank())
            .then_ignore(just(b')'))
            .map_with(|items, e| Operand::List(items, span(e.span())));
        let arg = blank().ignore_then(
            choice((
                literal,
                list,
                transformer.map(|t| Operand::Transform(Box::new(t))),
                field().map(Operand::Field),
            ))
            .labelled(Expect::TransformerArg),
        );
        transformer_kw(false)
            .then_ignore(blank())
            .then(
                arg.separated_by(blank().then(just(b',')))
                    .at_least(1)
                    .collect::<Vec<_>>(),
            )
            .then_ignore(blank())
            .then_ignore(just(b')'))
            .then(field_arg().or_not())
            .map_with(|(((kind, kw), args), arg), e| Transform {
                kind,
                kind_span: span(kw),
                args,
                arg,
                span: span(e.span()),
            })
    })
}

/// `val(field)`.
fn val() -> impl Parser<'static, In, Transform, Ex> + Clone {
    custom(|inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        if !rest(inp, start).starts_with(b"val(") {
            return Err(PErr::expected(Expect::Value, start));
        }
        advance(inp, 4);
        Ok(Sp::from(start..start + 3))
    })
    .then_ignore(blank())
    .then(field().labelled(Expect::TransformerField))
    .then_ignore(blank())
    .then_ignore(just(b')'))
    .then(field_arg().or_not())
    .map_with(|((kw, f), arg), e| Transform {
        kind: TransformKind::Val,
        kind_span: span(kw),
        args: vec![Operand::Field(f)],
        arg,
        span: span(e.span()),
    })
}

/// A transformer or `val(...)` on the right of an operator.
fn transformer_or_val() -> impl Parser<'static, In, Value, Ex> + Clone {
    let guard = custom(|inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        match transformer_at(rest(inp, start), true) {
            Some(_) => Ok(()),
            None => Err(PErr::expected(Expect::Value, start)),
        }
    });
    guard
        .ignore_then(choice((val(), transformer())))
        .map(|t| Value::Operand(Operand::Transform(Box::new(t))))
}

/// A list literal `(a, "b", c)`.
fn list_literal() -> impl Parser<'static, In, Value, Ex> + Clone {
    let item = blank().ignore_then(
        choice((
            quoted(Expect::ListItem),
            bare(lexer::bare_str_len, Expect::ListItem),
        ))
        .labelled(Expect::ListItem),
    );
    just(b'(')
        .ignore_then(blank())
        .ignore_then(
            item.separated_by(blank().then(just(b',')))
                .collect::<Vec<_>>(),
        )
        .then_ignore(blank())
        .then_ignore(just(b')'))
        .map_with(|items, e| Value::List(items, span(e.span())))
        .recover_with(via_parser(nested_delimiters(b'(', b')', [], |s: Sp| {
            Value::Operand(Operand::Error(span(s)))
        })))
}

/// A bare identifier used as a list name.
fn list_name() -> impl Parser<'static, In, Value, Ex> + Clone {
    tok(lexer::ident_len, Expect::List).map_with(|s, e| {
        let name = e
            .state()
            .text
            .get(s.start..s.end)
            .unwrap_or_default()
            .to_string();
        Value::ListRef(Ident {
            name,
            span: span(s),
        })
    })
}

fn modifier_at(s: &[u8], need_blank: bool) -> Option<(Modifier, usize)> {
    let lead = lexer::blank_len(s);
    if need_blank && lead == 0 {
        return None;
    }
    let s = &s[lead..];
    let modifier = Modifier::ALL
        .iter()
        .copied()
        .find(|m| s.starts_with(m.as_str().as_bytes()))?;
    let len = modifier.as_str().len();
    let gap = lexer::blank_len(&s[len..]);
    if gap == 0 {
        return None;
    }
    let after = &s[len + gap..];
    let list_follows = after.first() == Some(&b'(') || lexer::ident_len(after) > 0;
    let bool_follows = [&b"and"[..], b"or", b"not"]
        .iter()
        .any(|kw| lexer::keyword_follows(after, kw));
    (list_follows && !bool_follows).then_some((modifier, lead + len + gap))
}

/// The right side of a string operator: `oneof (...)` or a plain value.
fn str_rhs(
    need_blank: bool,
) -> impl Parser<'static, In, (Option<(Modifier, Sp)>, Value), Ex> + Clone {
    let modifier = custom(move |inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        let s = rest(inp, start);
        let Some((m, n)) = modifier_at(s, need_blank) else {
            return Err(PErr::expected(Expect::Value, start));
        };
        let lead = lexer::blank_len(s);
        advance(inp, n);
        Ok((m, Sp::from(start + lead..start + lead + m.as_str().len())))
    });
    let no_modifier = custom(move |inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        match modifier_at(rest(inp, start), need_blank) {
            Some(_) => Err(PErr::expected(Expect::Value, start)),
            None => Ok(()),
        }
    });
    let list_value = blank().ignore_then(choice((list_literal(), list_name())));
    let str_value = blank().ignore_then(
        choice((
            transformer_or_val(),
            quoted(Expect::Value).map(Value::Str),
            // After `tolower(`/`val(` libsinsp is committed to the transformer, so
            // its keyword is never a bare string.
            bare(
                |s| match transformer_at(s, true) {
                    Some(_) => 0,
                    None => lexer::bare_str_len(s),
                },
                Expect::Value,
            )
            .map(Value::Str),
        ))
        .labelled(Expect::Value),
    );
    choice((
        modifier.then(list_value).map(|(m, v)| (Some(m), v)),
        no_modifier.ignore_then(str_value).map(|v| (None, v)),
    ))
}

/// The operator libsinsp lexes at the start of `s`, in its order (operators that
/// need no blank after them: `exists`, then the symbols; word operators, which
/// need a blank; list operators), with the operator's length and the length
/// consumed (blanks after a word operator).
fn op_at(s: &[u8]) -> Option<(Op, usize, usize)> {
    let lexing = &*LEXING;
    if !lexing.first_bytes[usize::from(*s.first()?)] {
        return None;
    }
    if let Some(&(w, op)) = lexing.unspaced.iter().find(|(w, _)| s.starts_with(w)) {
        return Some((op, w.len(), w.len()));
    }
    for &(w, op) in &lexing.words {
        if s.starts_with(w) {
            let gap = lexer::blank_len(&s[w.len()..]);
            if gap > 0 {
                return Some((op, w.len(), w.len() + gap));
            }
        }
    }
    lexing
        .lists
        .iter()
        .find(|(w, _)| s.starts_with(w))
        .map(|&(w, op)| (op, w.len(), w.len()))
}

/// The operators as `op_at` tries them, derived from [`Op::ALL`]: longer
/// spellings first, so `<=` is not read as `<` nor `intersects` as `in`.
struct Lexing {
    /// Whether an operator starts with this byte.
    first_bytes: [bool; 256],
    /// `exists` and the symbols.
    unspaced: Vec<(&'static [u8], Op)>,
    /// Word operators.
    words: Vec<(&'static [u8], Op)>,
    /// List operators.
    lists: Vec<(&'static [u8], Op)>,
}

static LEXING: LazyLock<Lexing> = LazyLock::new(|| {
    let of = |wanted: &[OpSyntax]| {
        let mut ops: Vec<(&'static [u8], Op)> = Op::ALL
            .iter()
            .filter(|op| wanted.contains(&op.syntax()))
            .map(|&op| (op.as_str().as_bytes(), op))
            .collect();
        ops.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        ops
    };
    let mut first_bytes = [false; 256];
    for op in Op::ALL {
        first_bytes[usize::from(op.as_str().as_bytes()[0])] = true;
    }
    Lexing {
        first_bytes,
        unspaced: of(&[OpSyntax::Unary, OpSyntax::Numeric, OpSyntax::Equality]),
        words: of(&[OpSyntax::Word]),
        lists: of(&[OpSyntax::List]),
    }
});

/// An operator of the given kind (the operator lexed here must be of that kind).
fn op_of(kind: OpSyntax) -> impl Parser<'static, In, (Op, Sp), Ex> + Clone {
    custom(move |inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        match op_at(rest(inp, start)) {
            Some((op, len, consumed)) if op.syntax() == kind => {
                advance(inp, consumed);
                Ok((op, Sp::from(start..start + len)))
            }
            Some(_) => Err(PErr::expected(Expect::Operator, start)),
            None => Err(glued_word_operator(rest(inp, start), start)
                .unwrap_or_else(|| PErr::expected(Expect::Operator, start))),
        }
    })
}

/// A word operator without the blank it needs (`containsx`, or `contains` at the
/// end): a clearer error than "expected an operator".
fn glued_word_operator(s: &[u8], start: usize) -> Option<PErr> {
    let w = Op::ALL
        .iter()
        .filter(|op| op.syntax() == OpSyntax::Word)
        .map(|op| op.as_str())
        .find(|w| s.starts_with(w.as_bytes()))?;
    let end = start + w.len();
    Some(if s.len() == w.len() {
        PErr::custom(
            Code::E303,
            format!("`{w}` needs a value after it"),
            start..end,
        )
    } else {
        PErr::custom(
            Code::E306,
            format!("`{w}` must be followed by a blank"),
            start..end,
        )
    })
}

/// An operator and its value, after a field or transformer.
fn condition() -> impl Parser<'static, In, (OpSpec, Option<Value>), Ex> + Clone {
    let spec = |op: Op, s: Sp| OpSpec {
        op,
        modifier: None,
        span: span(s),
    };
    let exists = op_of(OpSyntax::Unary).map(move |(op, s)| (spec(op, s), None));
    let num_value = blank().ignore_then(
        choice((transformer_or_val(), number().map(Value::Str))).labelled(Expect::Number),
    );
    let num_op = op_of(OpSyntax::Numeric)
        .then(num_value)
        .map(move |((op, s), v)| (spec(op, s), Some(v)));
    let str_op = |kind: OpSyntax| {
        op_of(kind)
            .then(str_rhs(kind == OpSyntax::Equality))
            .map(move |((op, s), (m, v))| {
                let mut spec = spec(op, s);
                if let Some((m, ms)) = m {
                    spec.modifier = Some(m);
                    spec.span = span(s).cover(span(ms));
                }
                (spec, Some(v))
            })
    };
    let list_op = op_of(OpSyntax::List)
        .then(blank().ignore_then(
            choice((list_literal(), transformer_or_val(), list_name())).labelled(Expect::List),
        ))
        .map(move |((op, s), v)| (spec(op, s), Some(v)));
    blank().ignore_then(
        choice((
            str_op(OpSyntax::Equality),
            list_op,
            str_op(OpSyntax::Word),
            exists,
            num_op,
        ))
        .labelled(Expect::Operator),
    )
}

/// A bare identifier naming a macro. It must not be the start of a field name, a
/// transformer call or `not(`, so the alternatives of a check never overlap.
fn macro_ref() -> impl Parser<'static, In, Expr, Ex> + Clone {
    custom(|inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        let s = rest(inp, start);
        let n = lexer::ident_len(s);
        let next = s.get(n).copied();
        let call = next == Some(b'(');
        if call && &s[..n] == b"val" {
            return Err(PErr::custom(
                Code::E301,
                "`val(...)` can only be used on the right of an operator".to_string(),
                start..start + n,
            ));
        }
        let blocked = n == 0
            || (next == Some(b'.') && s.get(n + 1).is_some_and(u8::is_ascii_alphabetic))
            || (call && (&s[..n] == b"not" || transformer_at(s, false).is_some()));
        if blocked {
            return Err(PErr::expected(Expect::Macro, start));
        }
        advance(inp, n);
        Ok(Sp::from(start..start + n))
    })
    .map_with(|s, e| {
        let name = e
            .state()
            .text
            .get(s.start..s.end)
            .unwrap_or_default()
            .to_string();
        Expr::Macro(Ident {
            name,
            span: span(s),
        })
    })
}

/// Whether a check may end here: at the end, a `)`, or `and`/`or` followed by a
/// blank or `(` (blanks before them allowed).
fn at_boundary(s: &[u8]) -> bool {
    let s = &s[lexer::blank_len(s)..];
    if s.is_empty() || s[0] == b')' {
        return true;
    }
    [&b"and"[..], b"or"].iter().any(|kw| {
        s.starts_with(kw)
            && s.get(kw.len())
                .is_some_and(|b| lexer::is_blank(*b) || *b == b'(')
    })
}

/// How many bytes to skip from `s` to reach the next boundary at nesting level 0
/// (quoted strings and parentheses are skipped whole).
fn skip_len(s: &[u8]) -> usize {
    let mut i = 0;
    let mut depth = 0usize;
    while i < s.len() {
        if depth == 0 && i > 0 && at_boundary(&s[i..]) {
            // Stop before the blanks that precede `and`/`or`.
            return i;
        }
        match s[i] {
            b'"' | b'\'' => {
                let n = lexer::quoted_len(&s[i..]);
                i += n.max(1);
                continue;
            }
            b'(' => depth += 1,
            b')' if depth == 0 => return i,
            b')' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Recovery for a failed check: skip to the next `and`/`or`, `)` or the end.
fn skip_check() -> impl Parser<'static, In, Expr, Ex> + Clone {
    custom(|inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        let s = rest(inp, start);
        let n = skip_len(s);
        if n == 0 && !s.is_empty() && s[0] != b')' {
            return Err(PErr::expected(Expect::Field, start));
        }
        advance(inp, n);
        Ok(Expr::Error(Span::new(start as u32, (start + n) as u32)))
    })
}

/// After a check: anything that is not `and`/`or`/`)`/end is an error; report it
/// and skip to the next boundary so the rest of the condition is still checked.
fn after_check() -> impl Parser<'static, In, (), Ex> + Clone {
    custom(|inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        let s = rest(inp, start);
        if at_boundary(s) {
            return Ok(());
        }
        let lead = lexer::blank_len(s);
        let n = lead + skip_len(&s[lead..]).max(1);
        let keyword = [&b"and"[..], b"or", b"not"]
            .into_iter()
            .find(|kw| s[lead..].starts_with(kw));
        let at = start + lead;
        let text = inp.state().text.clone();
        let (found_span, found) = crate::error::found_token(&text, at);
        advance(inp, n);
        let error = match keyword {
            Some(kw) if at + kw.len() == text.len() => {
                let kw = String::from_utf8_lossy(kw);
                PErr::custom(
                    Code::E301,
                    format!("expected a condition after `{kw}`, found the end of the condition"),
                    at..at + kw.len(),
                )
            }
            Some(kw) if kw != b"not" => {
                let kw = String::from_utf8_lossy(kw);
                PErr::custom(
                    Code::E301,
                    format!("`{kw}` must be followed by a blank or `(`, found {found}"),
                    found_span.range(),
                )
            }
            _ => PErr::custom(
                Code::E301,
                format!("expected `and`, `or`, `)` or the end of the condition, found {found}"),
                found_span.range(),
            ),
        };
        inp.emit(error);
        Ok(())
    })
}

/// After the whole expression: only the end may follow.
fn trailing() -> impl Parser<'static, In, (), Ex> + Clone {
    custom(|inp: &mut Inp<'_, '_>| {
        let start = pos(inp);
        let s = rest(inp, start);
        let lead = lexer::blank_len(s);
        let n = s.len();
        if lead == n {
            advance(inp, n);
            return Ok(());
        }
        let close = s[lead] == b')';
        let and_after_or_paren = lexer::keyword_follows(&s[lead..], b"and");
        let text = inp.state().text.clone();
        let (found_span, found) = crate::error::found_token(&text, start + lead);
        advance(inp, n);
        inp.emit(if and_after_or_paren {
            PErr::custom(
                Code::E301,
                "`and` cannot follow `or(...)`: Falco reads `or(` as taking the parenthesised \
                 condition as its whole right operand; write `or (` instead"
                    .to_string(),
                found_span.range(),
            )
        } else if close {
            PErr::custom(
                Code::E302,
                "unbalanced parentheses: this `)` closes nothing".to_string(),
                found_span.range(),
            )
        } else {
            PErr::custom(
                Code::E301,
                format!("expected `and`, `or` or the end of the condition, found {found}"),
                found_span.range(),
            )
        });
        Ok(())
    })
}

fn combine(first: Expr, rest: Vec<Expr>, s: Sp, and: bool) -> Expr {
    if rest.is_empty() {
        return first;
    }
    let mut items = Vec::with_capacity(rest.len() + 1);
    items.push(first);
    items.extend(rest);
    if and {
        Expr::And(items, span(s))
    } else {
        Expr::Or(items, span(s))
    }
}

/// The full condition parser.
pub(crate) fn condition_parser() -> CondParser {
    let expr = recursive(|expr| {
        let paren = just(b'(')
            .ignore_then(blank())
            .ignore_then(expr.clone())
            .then_ignore(blank())
            .then_ignore(just(b')'))
            .map_with(|inner, e| Expr::Paren(Box::new(inner), span(e.span())))
            .recover_with(via_parser(nested_delimiters(b'(', b')', [], |s: Sp| {
                Expr::Error(span(s))
            })))
            .boxed();
        let make_check = |(left, (op, right)): (Operand, (OpSpec, Option<Value>)), s: Sp| {
            Expr::Check(Box::new(Check {
                left,
                op,
                right,
                span: span(s),
            }))
        };
        let field_check = field()
            .map(Operand::Field)
            .then(condition())
            .map_with(move |x, e| make_check(x, e.span()));
        let transformer_check = transformer()
            .map(|t| Operand::Transform(Box::new(t)))
            .then(condition())
            .map_with(move |x, e| make_check(x, e.span()));
        let check = choice((field_check, macro_ref(), paren.clone(), transformer_check))
            .recover_with(via_parser(skip_check()))
            .boxed();

        // All `not ` prefixes at once: their count and where the first starts.
        let not_words = custom(|inp: &mut Inp<'_, '_>| {
            let start = pos(inp);
            let s = rest(inp, start);
            let mut i = 0;
            let mut count = 0usize;
            while s[i..].starts_with(b"not") {
                let gap = s[i + 3..]
                    .iter()
                    .take_while(|b| lexer::is_space(**b))
                    .count();
                if gap == 0 {
                    break;
                }
                i += 3 + gap;
                count += 1;
            }
            advance(inp, i);
            Ok((count, start))
        });
        let not_paren = word(b"not(", Expect::Field)
            .ignore_then(blank())
            .ignore_then(expr.clone())
            .then_ignore(blank())
            .then_ignore(just(b')'))
            .map_with(|inner, e| {
                let s = span(e.span());
                let paren = Expr::Paren(Box::new(inner), Span::new(s.start + 3, s.end));
                Expr::Not(Box::new(paren), s)
            });
        let not_expr = not_words
            .then(choice((not_paren, check)))
            .map(|((count, first), inner)| {
                // libsinsp toggles one flag per `not` of a chain, so `not not x` is
                // `x`; the tree keeps at most one `Not` per chain (chains of any
                // length are accepted, and a deep tree must not be built).
                if count == 0 {
                    return inner;
                }
                let odd = count % 2 == 1;
                match inner {
                    // `not(...)`: already one negation.
                    Expr::Not(paren, _) if odd => *paren,
                    Expr::Not(paren, s) => Expr::Not(paren, Span::new(first as u32, s.end)),
                    inner if odd => {
                        let s = Span::new(first as u32, inner.span().end);
                        Expr::Not(Box::new(inner), s)
                    }
                    inner => inner,
                }
            })
            .then_ignore(after_check())
            .boxed();

        let and_tail = choice((blank1().ignore_then(not_expr.clone()), paren.clone()))
            .labelled(Expect::BlankOrParen);
        let and_expr = not_expr
            .then(
                blank()
                    .ignore_then(word(b"and", Expect::BoolOp))
                    .ignore_then(and_tail)
                    .repeated()
                    .collect::<Vec<_>>(),
            )
            .map_with(|(first, rest), e| combine(first, rest, e.span(), true))
            .boxed();
        let or_tail =
            choice((blank1().ignore_then(and_expr.clone()), paren)).labelled(Expect::BlankOrParen);
        and_expr
            .then(
                blank()
                    .ignore_then(word(b"or", Expect::BoolOp))
                    .ignore_then(or_tail)
                    .repeated()
                    .collect::<Vec<_>>(),
            )
            .map_with(|(first, rest), e| combine(first, rest, e.span(), false))
    });
    blank().ignore_then(expr).then_ignore(trailing()).boxed()
}

/// Parses `text` with this thread's condition parser.
pub(crate) fn parse(text: &str) -> (Option<Expr>, Vec<PErr>) {
    thread_local! {
        static PARSER: CondParser = condition_parser();
    }
    PARSER.with(|parser| {
        let mut state = SimpleState(Src {
            text: text.to_string(),
        });
        let input = Stream::from_iter(text.as_bytes().to_vec());
        parser
            .parse_with_state(input, &mut state)
            .into_output_errors()
    })
}

/// A transformer call at the start of `text` (an output's `%toupper(proc.name)`),
/// with the length it covers; `None` when `text` does not start with a valid call.
pub(crate) fn parse_output_transformer(text: &str) -> Option<(Operand, usize)> {
    type OperandParser = Boxed<'static, 'static, In, (Transform, usize), Ex>;
    thread_local! {
        static PARSER: OperandParser = transformer()
            .map_with(|t, e| (t, e.span().end))
            .then_ignore(any().repeated())
            .boxed();
    }
    PARSER.with(|parser| {
        let mut state = SimpleState(Src {
            text: text.to_string(),
        });
        let input = Stream::from_iter(text.as_bytes().to_vec());
        let (output, errors) = parser
            .parse_with_state(input, &mut state)
            .into_output_errors();
        let (transform, end) = output.filter(|_| errors.is_empty())?;
        Some((Operand::Transform(Box::new(transform)), end))
    })
}
