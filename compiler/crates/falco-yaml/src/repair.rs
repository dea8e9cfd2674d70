//! A same-length rewrite for flow collections that yaml-cpp accepts and a strict
//! YAML 1.2 parser rejects.
//!
//! Upstream rules close multi-line flow sequences at the key's own column:
//!
//! ```yaml
//!   items: [
//!     "a",
//!     "b"
//!   ]
//! ```
//!
//! YAML 1.2 wants every line of the flow collection indented deeper than the key;
//! yaml-cpp does not care. Inside a flow collection a line break between two tokens
//! is plain white space, so replacing it by a space (and blanking a comment before
//! it) changes neither the meaning nor any byte offset, and removes the indentation
//! problem. Only breaks next to `[`, `]`, `{`, `}` or `,` are rewritten, so no
//! scalar's value changes.

/// The rewritten text, or `None` when no flow collection has a line indented no
/// deeper than the line it starts on (the only case a strict parser rejects).
pub(crate) fn join_flow_lines(text: &str) -> Option<String> {
    let scan = scan(text);
    if !scan.changed || !scan.needed {
        return None;
    }
    String::from_utf8(scan.out).ok()
}

/// What the rewrite finds in a text.
pub(crate) struct Scan {
    /// The text with the line breaks of flow collections joined.
    pub out: Vec<u8>,
    /// Whether `out` differs from the text.
    pub changed: bool,
    /// Whether a flow collection has a line indented no deeper than its first line.
    pub needed: bool,
    /// Whether the text ends outside any flow collection and quoted scalar. A text
    /// cut at line starts where this holds for every piece scans as its pieces do
    /// one by one (nothing else carries over a line start at depth 0).
    pub closed: bool,
}

/// Scans `text` for flow collections and rewrites their line breaks.
pub(crate) fn scan(text: &str) -> Scan {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut changed = false;
    let mut needed = false;
    // Set when a quoted scalar runs to the end of the text.
    let mut open_quote = false;
    // Indentation of the line where the outermost open flow collection starts.
    let mut flow_indent = 0usize;
    let mut depth = 0usize;
    // Block-context state: the previous significant byte on this line, and the
    // indentation of the current line.
    let mut line_indent = 0usize;
    let mut at_line_start = true;
    let mut previous: u8 = b'\n';
    // Inside a block scalar: its parent's indentation.
    let mut block_scalar: Option<usize> = None;
    let mut pos = 0;
    while pos < bytes.len() {
        let byte = bytes[pos];
        if depth == 0 {
            if at_line_start {
                let mut indent = 0;
                while bytes.get(pos + indent) == Some(&b' ') {
                    indent += 1;
                }
                let blank = matches!(bytes.get(pos + indent), None | Some(b'\n' | b'\r' | b'#'));
                if let Some(parent) = block_scalar {
                    if blank || indent > parent {
                        pos = next_line(bytes, pos);
                        continue;
                    }
                    block_scalar = None;
                }
                line_indent = indent;
                at_line_start = false;
                previous = b'\n';
                pos += indent;
                continue;
            }
            match byte {
                b'\n' => {
                    at_line_start = true;
                    pos += 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' => {
                    pos += 1;
                    continue;
                }
                b'#' if matches!(bytes.get(pos.wrapping_sub(1)), Some(b' ' | b'\t') | None)
                    || previous == b'\n' =>
                {
                    pos = line_end(bytes, pos);
                    continue;
                }
                _ => {}
            }
            let value_start = previous == b'\n' || previous == b':' || previous == b'-';
            if value_start {
                match byte {
                    b'[' | b'{' => {
                        depth = 1;
                        flow_indent = line_indent;
                        previous = byte;
                        pos += 1;
                        continue;
                    }
                    b'"' | b'\'' => {
                        pos = skip_quoted(bytes, pos).unwrap_or_else(|| {
                            open_quote = true;
                            bytes.len()
                        });
                        previous = b'"';
                        continue;
                    }
                    b'|' | b'>' => {
                        block_scalar = Some(line_indent);
                        pos = line_end(bytes, pos);
                        continue;
                    }
                    _ => {}
                }
            }
            // `:` and `-` only count as indicators when followed by white space.
            let indicator = matches!(byte, b':' | b'-')
                && matches!(
                    bytes.get(pos + 1),
                    None | Some(b' ' | b'\t' | b'\n' | b'\r')
                );
            if indicator {
                previous = byte;
                pos += 1;
            } else {
                // Inside a plain scalar: only a `: `, a comment or the line's end
                // can matter next.
                previous = b'a';
                pos += 1 + bytes[pos + 1..]
                    .iter()
                    .position(|&b| matches!(b, b':' | b'#' | b'\n'))
                    .unwrap_or(bytes.len() - pos - 1);
            }
            continue;
        }
        match byte {
            b'"' | b'\'' => {
                pos = skip_quoted(bytes, pos).unwrap_or_else(|| {
                    open_quote = true;
                    bytes.len()
                });
                previous = b'"';
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth -= 1,
            b'#' if matches!(bytes.get(pos.wrapping_sub(1)), Some(b' ' | b'\t' | b'\n')) => {
                let end = line_end(bytes, pos);
                for slot in &mut out[pos..end] {
                    *slot = b' ';
                }
                pos = end;
                continue;
            }
            b'\n' => {
                let indent = bytes[pos + 1..].iter().take_while(|&&b| b == b' ').count();
                let blank = matches!(bytes.get(pos + 1 + indent), None | Some(b'\n' | b'\r'));
                if !blank && indent <= flow_indent {
                    needed = true;
                }
                let next = bytes[pos + 1..]
                    .iter()
                    .copied()
                    .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
                let between = matches!(previous, b',' | b'[' | b'{')
                    || matches!(next, Some(b']' | b'}' | b','));
                if between {
                    out[pos] = b' ';
                    if pos > 0 && out[pos - 1] == b'\r' {
                        out[pos - 1] = b' ';
                    }
                    changed = true;
                } else {
                    // Keep the break; the comment blanked above stays blank.
                }
                pos += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                pos += 1;
                continue;
            }
            _ => {}
        }
        if depth == 0 {
            previous = b'a';
        } else {
            previous = byte;
        }
        pos += 1;
        if depth > 0 && !matches!(byte, b',' | b'[' | b']' | b'{' | b'}') {
            // Inside a plain scalar: skip to the next byte that can matter.
            pos += bytes[pos..]
                .iter()
                .position(|b| {
                    matches!(
                        b,
                        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'\n' | b'"' | b'\''
                    )
                })
                .unwrap_or(bytes.len() - pos);
        }
    }
    Scan {
        out,
        changed,
        needed,
        closed: depth == 0 && !open_quote,
    }
}

/// The position of the line break ending the line at `pos` (or the end).
fn line_end(bytes: &[u8], pos: usize) -> usize {
    bytes[pos..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |offset| pos + offset)
}

/// The start of the next line.
fn next_line(bytes: &[u8], pos: usize) -> usize {
    (line_end(bytes, pos) + 1).min(bytes.len())
}

/// Skips a quoted scalar starting at `pos`; returns the position after it, or
/// `None` when the text ends before the closing quote.
fn skip_quoted(bytes: &[u8], pos: usize) -> Option<usize> {
    let quote = bytes[pos];
    let mut at = pos + 1;
    while at < bytes.len() {
        let byte = bytes[at];
        if quote == b'"' && byte == b'\\' {
            at += 2;
            continue;
        }
        if byte == quote {
            if quote == b'\'' && bytes.get(at + 1) == Some(&b'\'') {
                at += 2;
                continue;
            }
            return Some(at + 1);
        }
        at += 1;
    }
    None
}
