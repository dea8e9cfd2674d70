//! Formatting that cannot break YAML: a condition written as a block scalar
//! (`condition: >` or `|`) is moved so that its lines sit two spaces deeper than
//! its key, keeping every line's indentation relative to the block. The scalar's
//! value is unchanged (YAML removes the block's indentation), and nothing else in
//! the document is touched.

use falco_loader::Item;
use falco_span::Span;
use tower_lsp_server::ls_types::{TextEdit, Uri};

use crate::convert::to_lsp_range;
use crate::workspace::World;

/// How much deeper than its key a condition block is indented.
const BLOCK_INDENT: usize = 2;

/// The edits that format a document.
pub fn formatting(world: &World<'_>, uri: &Uri) -> Option<Vec<TextEdit>> {
    let (id, file) = world.file_of(uri)?;
    let loaded = world.loaded(id)?;
    let keys = loaded.items.iter().flat_map(|item| {
        let keys = match item {
            Item::Rule(item) => &item.keys[..],
            Item::Macro(item) => &item.keys[..],
            _ => &[],
        };
        keys.iter()
            .filter(|key| key.name == "condition" && key.span.file == id)
            .map(|key| key.span.span.start)
    });
    let edits = format_blocks(&file.text, keys);
    Some(
        edits
            .into_iter()
            .map(|(span, new_text)| TextEdit {
                range: to_lsp_range(file, span),
                new_text,
            })
            .collect(),
    )
}

/// Re-indents the block scalar after each key starting at the given offsets.
/// Returns (span to replace, new text), in text order.
pub fn format_blocks(text: &str, keys: impl Iterator<Item = u32>) -> Vec<(Span, String)> {
    let mut edits: Vec<(Span, String)> = keys
        .filter_map(|key| reindent_block(text, key as usize))
        .collect();
    edits.sort_by_key(|(span, _)| span.start);
    edits
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn reindent_block(text: &str, key: usize) -> Option<(Span, String)> {
    let line_start = text[..key].rfind('\n').map_or(0, |at| at + 1);
    let key_column = key - line_start;
    let line_end = text[key..].find('\n').map(|at| key + at)?;
    let header = text[key..line_end].split_once(':')?.1;
    let header = header.split(" #").next().unwrap_or("").trim();
    // Only `|`/`>` with an optional chomping indicator: an explicit indentation
    // indicator fixes the indentation, so such a block is left alone.
    let indicator = header
        .strip_prefix('|')
        .or_else(|| header.strip_prefix('>'))?;
    if !matches!(indicator, "" | "-" | "+") {
        return None;
    }
    let body_start = line_end + 1;
    let mut lines = Vec::new();
    let mut at = body_start;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |found| at + found);
        let line = &text[at..end];
        let content = line.trim_start_matches(' ');
        if !content.is_empty() && indent_of(line) <= key_column {
            break;
        }
        if content.starts_with('\t') && !content.trim().is_empty() {
            return None;
        }
        lines.push(line);
        at = (end + 1).min(text.len() + 1);
        if end == text.len() {
            break;
        }
    }
    let old = lines
        .iter()
        .find(|line| !line.trim().is_empty())
        .map(|line| indent_of(line))?;
    let new = key_column + BLOCK_INDENT;
    if old == new || lines.iter().any(|line| line.contains('\r')) {
        return None;
    }
    let mut out = String::new();
    for (index, line) in lines.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let indent = indent_of(line);
        let rest = &line[indent..];
        let width = if rest.is_empty() {
            // A blank line: spaces beyond the block's indentation are content.
            if indent > old {
                indent - old + new
            } else {
                indent.min(new)
            }
        } else {
            indent - old + new
        };
        out.extend(std::iter::repeat_n(' ', width));
        out.push_str(rest);
    }
    let end = body_start + lines.iter().map(|line| line.len() + 1).sum::<usize>() - 1;
    Some((
        Span::new(body_start as u32, end.min(text.len()) as u32),
        out,
    ))
}

#[cfg(test)]
mod tests {
    use super::format_blocks;

    fn format(text: &str) -> String {
        let keys = text.match_indices("condition:").map(|(at, _)| at as u32);
        let mut out = text.to_owned();
        for (span, new_text) in format_blocks(text, keys).into_iter().rev() {
            out.replace_range(span.range(), &new_text);
        }
        out
    }

    #[test]
    fn reindents_block_conditions_only() {
        let text = "- macro: a\n  condition: >\n        proc.name = x\n          and b\n\n        or c\n  # note\n- rule: r\n  condition: proc.name = y\n";
        assert_eq!(
            format(text),
            "- macro: a\n  condition: >\n    proc.name = x\n      and b\n\n    or c\n  # note\n- rule: r\n  condition: proc.name = y\n"
        );
        assert_eq!(format(&format(text)), format(text));
    }

    #[test]
    fn leaves_explicit_indentation_and_good_blocks() {
        let text = "- macro: a\n  condition: >2\n        x\n- macro: b\n  condition: |\n    y\n";
        assert_eq!(format(text), text);
    }

    #[test]
    fn block_at_end_of_text() {
        assert_eq!(
            format("- macro: a\n  condition: |-\n   x\n   y"),
            "- macro: a\n  condition: |-\n    x\n    y"
        );
    }
}
