//! The nesting limit, checked before parsing.
//!
//! Falco parses conditions with libsinsp's recursive-descent parser and a recursion
//! limit of 1000 (`set_max_depth(1000)` in the rule loader). The counter goes up at
//! each grammar rule entered, so one level of parentheses costs about 5 (`or`, `and`,
//! `not`, check, parenthesised remainder), `not(` about 4 and a transformer call
//! about 2: roughly 200 nested parentheses are accepted. This module estimates that
//! counter with a quick scan, so an over-deep condition is rejected (E305) before
//! any tree is built: no stack overflow and no deep tree to drop.

use falco_diagnostics::Code;
use falco_span::Span;

use crate::ParseError;
use crate::lexer;

/// Falco's recursion limit for condition parsing (libsinsp counter units).
pub const MAX_DEPTH: u32 = 1000;

/// Counter cost of a check at the innermost level (`or`, `and`, `not`, check,
/// operator, value, transformer attempt).
const BASE: u32 = 7;

/// The estimated libsinsp recursion depth of `text`, and the offset of the `(`
/// where it is reached.
fn scan(text: &str) -> (u32, usize) {
    let s = text.as_bytes();
    let mut stack: Vec<u32> = Vec::new();
    let mut depth = BASE;
    let mut max = (BASE, 0);
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'"' | b'\'' => {
                i += lexer::quoted_len(&s[i..]).max(1);
                continue;
            }
            b'(' => {
                let cost = paren_cost(&s[..i]);
                stack.push(cost);
                depth += cost;
                if depth > max.0 {
                    max = (depth, i);
                }
            }
            b')' => {
                if let Some(cost) = stack.pop() {
                    depth -= cost;
                }
            }
            _ => {}
        }
        i += 1;
    }
    max
}

/// The cost of a `(` given the text before it.
fn paren_cost(before: &[u8]) -> u32 {
    let word_start = before
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .map_or(0, |p| p + 1);
    match &before[word_start..] {
        b"not" => 4,
        b"" | b"and" | b"or" => 5,
        _ => 2,
    }
}

/// The estimated libsinsp recursion depth of a condition (see [`MAX_DEPTH`]).
pub fn nesting_depth(text: &str) -> u32 {
    scan(text).0
}

/// E305 when the condition nests deeper than Falco accepts.
pub(crate) fn check(text: &str) -> Option<ParseError> {
    // Each `(` costs at most 5: most conditions cannot reach the limit at all.
    if text.len() < ((MAX_DEPTH - BASE) / 5) as usize {
        return None;
    }
    let opens = text.bytes().filter(|b| *b == b'(').count() as u32;
    if BASE + 5 * opens < MAX_DEPTH {
        return None;
    }
    let (depth, at) = scan(text);
    (depth >= MAX_DEPTH).then(|| ParseError {
        code: Code::E305,
        message: format!(
            "the condition nests too deeply (Falco's parser stops at depth {MAX_DEPTH}, about 200 parentheses)"
        ),
        span: Span::new(at as u32, at as u32 + 1),
        label: Some("the limit is reached here".to_string()),
        help: Some("split the condition into macros".to_string()),
    })
}
