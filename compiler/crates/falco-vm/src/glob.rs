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

/// `pmatch`, as libsinsp's `path_prefix_search` does it: both the value and each pattern
/// are split on `/` with empty components dropped, and a value matches a pattern when the
/// pattern's components match the value's first ones. So `/opt/dir` matches `/opt/dir`,
/// `/opt/dir/x`, `opt//dir/` and `opt/dir`, not `/opt/dirx`; `""` and `/` have no
/// components and match every value. A component with `*`, `?` or `[` is a glob
/// (`/opt/*/subdir`); other components compare as they are.
#[derive(Debug, Clone, Default)]
pub(crate) struct PathMatcher {
    /// Patterns without wildcards, as their components joined by single `/`s (no
    /// leading or trailing `/`; the root is the empty string).
    exact: FxHashSet<Box<[u8]>>,
    /// Patterns with wildcards, split into components.
    globs: Vec<Vec<Part>>,
}

/// One component of a pattern with wildcards.
#[derive(Debug, Clone)]
enum Part {
    Exact(Box<[u8]>),
    Glob(Glob),
}

impl Part {
    fn matches(&self, component: &[u8]) -> bool {
        match self {
            Part::Exact(c) => **c == *component,
            Part::Glob(g) => g.matches(component),
        }
    }
}

impl PathMatcher {
    pub(crate) fn new<'a>(patterns: impl IntoIterator<Item = &'a [u8]>) -> PathMatcher {
        let mut m = PathMatcher::default();
        for p in patterns {
            if p.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
                m.globs.push(
                    components(p)
                        .map(|c| {
                            if c.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
                                Part::Glob(Glob::new(c, false))
                            } else {
                                Part::Exact(c.into())
                            }
                        })
                        .collect(),
                );
            } else {
                m.exact
                    .insert(components(p).collect::<Vec<_>>().join(&b'/').into());
            }
        }
        m
    }

    pub(crate) fn matches(&self, value: &[u8]) -> bool {
        if !self.exact.is_empty() && self.matches_exact(value) {
            return true;
        }
        self.globs.iter().any(|pattern| {
            let mut parts = components(value);
            pattern
                .iter()
                .all(|part| parts.next().is_some_and(|c| part.matches(c)))
        })
    }

    /// Whether a pattern without wildcards matches `value`.
    fn matches_exact(&self, value: &[u8]) -> bool {
        let trimmed = trim_slashes(value);
        if !trimmed.windows(2).any(|w| w == b"//") {
            // The value's text is already its components joined by single `/`s, and
            // each of its leading runs of components ends before a `/`.
            return self.exact.contains(&[][..])
                || self.exact.contains(trimmed)
                || trimmed.iter().enumerate().any(|(i, &b)| {
                    b == b'/' && self.exact.contains(trimmed.get(..i).unwrap_or_default())
                });
        }
        // Repeated `/`s (rare): compare with each pattern, component by component.
        self.exact.iter().any(|pattern| {
            let mut parts = components(value);
            components(pattern).all(|c| parts.next() == Some(c))
        })
    }
}

/// The non-empty `/`-separated components of `path`.
fn components(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty())
}

fn trim_slashes(p: &[u8]) -> &[u8] {
    let start = p.iter().position(|&b| b != b'/').unwrap_or(p.len());
    let end = p.iter().rposition(|&b| b != b'/').map_or(start, |i| i + 1);
    p.get(start..end).unwrap_or_default()
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
        // Components, not text, under a common root (libsinsp's `path_prefix_search`).
        for (pattern, value) in [
            ("", "bash"),
            ("/", "bash"),
            ("", ""),
            ("/etc", "etc/passwd"),
            ("/etc", "//etc//passwd"),
            ("etc", "/etc/passwd"),
            ("/etc/", "/etc"),
            ("//etc//", "/etc/x"),
            ("/e*c", "etc//passwd"),
            ("/etc/*", "//etc//passwd/"),
        ] {
            assert!(m(&[pattern], value), "{pattern:?} pmatch {value:?}");
        }
        for (pattern, value) in [
            ("/etc", "/etcx/a"),
            ("/etc", ""),
            ("/etc/passwd", "/etc"),
            ("/etc", "//etcx//a"),
            ("/etc/*", "/etc"),
            ("/e*c/x", "etc//y"),
            ("a\\b", "a/b"),
        ] {
            assert!(!m(&[pattern], value), "{pattern:?} pmatch {value:?}");
        }
        // Several patterns: any of them.
        assert!(m(&["/usr", "/e*/passwd", "/etc/x"], "/etc/passwd"));
        assert!(!m(&["/usr", "/e*/shadow", "/etc/x"], "/etc/passwd"));
    }
}
