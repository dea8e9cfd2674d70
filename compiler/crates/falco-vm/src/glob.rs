//! `fnmatch(3)` without flags (what libsinsp's `glob` uses; `*` crosses `/`), with
//! optional ASCII case folding (`iglob`), and `pmatch`'s path-prefix matching.

use rustc_hash::FxHashSet;

/// A compiled glob pattern.
#[derive(Debug, Clone)]
pub(crate) struct Glob {
    tokens: Vec<Token>,
    fold: bool,
}

#[derive(Debug, Clone)]
enum Token {
    Byte(u8),
    Any,
    Star,
    /// `[...]`: ranges (inclusive) and whether negated.
    Class(Vec<(u8, u8)>, bool),
}

impl Glob {
    /// Compiles `pattern`; `fold` compares ASCII letters without case.
    pub(crate) fn new(pattern: &[u8], fold: bool) -> Glob {
        let fold_byte = |b: u8| if fold { b.to_ascii_lowercase() } else { b };
        let mut tokens = Vec::new();
        let mut i = 0;
        while let Some(&b) = pattern.get(i) {
            i += 1;
            match b {
                b'*' => {
                    if !matches!(tokens.last(), Some(Token::Star)) {
                        tokens.push(Token::Star);
                    }
                }
                b'?' => tokens.push(Token::Any),
                b'\\' => match pattern.get(i) {
                    Some(&next) => {
                        tokens.push(Token::Byte(fold_byte(next)));
                        i += 1;
                    }
                    None => tokens.push(Token::Byte(b'\\')),
                },
                b'[' => match parse_class(pattern, i, fold) {
                    Some((class, negated, next)) => {
                        tokens.push(Token::Class(class, negated));
                        i = next;
                    }
                    None => tokens.push(Token::Byte(b'[')),
                },
                _ => tokens.push(Token::Byte(fold_byte(b))),
            }
        }
        Glob { tokens, fold }
    }

    /// Whether the whole of `text` matches.
    pub(crate) fn matches(&self, text: &[u8]) -> bool {
        let (mut t, mut p) = (0usize, 0usize);
        let mut backtrack: Option<(usize, usize)> = None;
        loop {
            if let Some(token) = self.tokens.get(p) {
                if let Token::Star = token {
                    backtrack = Some((p, t));
                    p += 1;
                    continue;
                }
                if let Some(&c) = text.get(t) {
                    let c = if self.fold { c.to_ascii_lowercase() } else { c };
                    let ok = match token {
                        Token::Byte(b) => *b == c,
                        Token::Any => true,
                        Token::Class(ranges, negated) => {
                            ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
                        }
                        Token::Star => false,
                    };
                    if ok {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            } else if t == text.len() {
                return true;
            }
            // Mismatch: let the last `*` take one more byte.
            match backtrack {
                Some((star, start)) if start < text.len() => {
                    backtrack = Some((star, start + 1));
                    p = star + 1;
                    t = start + 1;
                }
                _ => return false,
            }
        }
    }
}

/// Parses a bracket expression starting after `[`; `None` if it is not closed.
/// A bracket expression: its ranges, whether negated, and where the pattern goes on.
type Class = (Vec<(u8, u8)>, bool, usize);

fn parse_class(pattern: &[u8], start: usize, fold: bool) -> Option<Class> {
    let mut i = start;
    let negated = matches!(pattern.get(i), Some(b'!' | b'^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let b = *pattern.get(i)?;
        if b == b']' && !first {
            return Some((ranges, negated, i + 1));
        }
        first = false;
        let lo = b;
        i += 1;
        let hi = if pattern.get(i) == Some(&b'-') && pattern.get(i + 1).is_some_and(|&c| c != b']')
        {
            let hi = *pattern.get(i + 1)?;
            i += 2;
            hi
        } else {
            lo
        };
        if fold && lo.is_ascii_alphabetic() && hi.is_ascii_alphabetic() {
            ranges.push((lo.to_ascii_lowercase(), hi.to_ascii_lowercase()));
        } else {
            ranges.push((lo, hi));
        }
    }
}

/// `pmatch`: a value matches a pattern when the pattern's path components match the
/// value's first components (`/opt/dir` matches `/opt/dir` and `/opt/dir/x`, not
/// `/opt/dirx`); components may use glob wildcards (`/opt/*/subdir`).
#[derive(Debug, Clone, Default)]
pub(crate) struct PathMatcher {
    /// Plain prefixes without a trailing `/` (the root is the empty string).
    exact: FxHashSet<Box<[u8]>>,
    /// Patterns with wildcards, split into components.
    globs: Vec<Vec<Glob>>,
}

impl PathMatcher {
    pub(crate) fn new<'a>(patterns: impl IntoIterator<Item = &'a [u8]>) -> PathMatcher {
        let mut m = PathMatcher::default();
        for p in patterns {
            let p = strip_trailing_slash(p);
            if p.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
                m.globs.push(
                    p.split(|&b| b == b'/')
                        .map(|c| Glob::new(c, false))
                        .collect(),
                );
            } else {
                m.exact.insert(p.into());
            }
        }
        m
    }

    pub(crate) fn matches(&self, value: &[u8]) -> bool {
        let value = strip_trailing_slash(value);
        if !self.exact.is_empty() {
            if self.exact.contains(value) {
                return true;
            }
            for (i, &b) in value.iter().enumerate() {
                if b == b'/' && self.exact.contains(value.get(..i).unwrap_or_default()) {
                    return true;
                }
            }
        }
        self.globs.iter().any(|pattern| {
            let mut parts = value.split(|&b| b == b'/');
            pattern
                .iter()
                .all(|glob| parts.next().is_some_and(|part| glob.matches(part)))
        })
    }
}

fn strip_trailing_slash(p: &[u8]) -> &[u8] {
    match p.split_last() {
        Some((b'/', rest)) => rest,
        _ => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_like_fnmatch() {
        let g = |p: &str, t: &str| Glob::new(p.as_bytes(), false).matches(t.as_bytes());
        assert!(g("/usr/*", "/usr/bin/ls"));
        assert!(g("*.sh", "a.sh"));
        assert!(!g("*.sh", "a.shx"));
        assert!(g("a?c", "abc"));
        assert!(g("[a-c]x", "bx"));
        assert!(!g("[!a-c]x", "bx"));
        assert!(g("\\*", "*"));
        assert!(!g("\\*", "a"));
        assert!(g("*a*b*", "xxaxxbxx"));
        assert!(!g("*a*b", "xxaxxbxxc"));
        assert!(Glob::new(b"*BASH", true).matches(b"/bin/bash"));
    }

    #[test]
    fn pmatch_components() {
        let m = |p: &[&str], v: &str| {
            PathMatcher::new(p.iter().map(|s| s.as_bytes())).matches(v.as_bytes())
        };
        let v = "/opt/dir/subdir/file";
        assert!(m(&["/opt/dir"], v));
        assert!(m(&["/opt/dir/subdir"], v));
        assert!(!m(&["/opt/dir2"], v));
        assert!(!m(&["/opt/di"], v));
        assert!(m(&["/opt/*"], v));
        assert!(m(&["/opt/*/subdir"], v));
        assert!(m(&["/opt/di[r]/subdir"], v));
        assert!(!m(&["/opt/di[!r]/subdir"], v));
        assert!(!m(&["/opt/*/subdir2"], v));
        assert!(m(&["/"], v));
        assert!(m(&["/opt/dir/"], "/opt/dir"));
    }
}
