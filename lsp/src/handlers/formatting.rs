//! Whole-document and range formatting, with `falco-format` (the code behind
//! `falco-rulec fmt`): one edit per entry of the document's root collection that
//! the canonical layout changes, narrowed to the lines that change. A range formats
//! the entries it touches. A document that cannot be formatted (invalid YAML, CRLF
//! line endings) gets no edits.

use falco_span::Span;
use tower_lsp_server::ls_types::{Range, TextEdit, Uri};

use crate::convert::{from_lsp_range, to_lsp_range};
use crate::workspace::World;

/// The edits that format a document.
pub fn formatting(world: &World<'_>, uri: &Uri) -> Option<Vec<TextEdit>> {
    edits(world, uri, None)
}

/// The edits that format the entries of a document that `range` touches.
pub fn range_formatting(world: &World<'_>, uri: &Uri, range: Range) -> Option<Vec<TextEdit>> {
    edits(world, uri, Some(range))
}

fn edits(world: &World<'_>, uri: &Uri, range: Option<Range>) -> Option<Vec<TextEdit>> {
    let (_, file) = world.file_of(uri)?;
    let Ok(formatted) = falco_format::format(&file.text) else {
        return Some(Vec::new());
    };
    let wanted = range.map(|range| from_lsp_range(file, range));
    Some(
        formatted
            .changes(&file.text)
            .filter_map(|piece| {
                let span = Span::new(piece.original.start as u32, piece.original.end as u32);
                let touched = wanted.is_none_or(|wanted| {
                    span.start <= wanted.end && wanted.start < span.end.max(span.start + 1)
                });
                let old = file.text.get(piece.original.clone())?;
                let (skip, keep, new_text) = changed_lines(old, &piece.text);
                let span = Span::new(span.start + skip as u32, span.end - keep as u32);
                touched.then(|| TextEdit {
                    range: to_lsp_range(file, span),
                    new_text: new_text.to_owned(),
                })
            })
            .collect(),
    )
}

/// The lines of `new` that differ from `old`: the bytes of `old`'s equal leading and
/// trailing lines, and the text that replaces the rest.
fn changed_lines<'n>(old: &str, new: &'n str) -> (usize, usize, &'n str) {
    let equal_len = |a: &mut dyn Iterator<Item = &str>, b: &mut dyn Iterator<Item = &str>| {
        a.zip(b)
            .take_while(|(x, y)| x == y)
            .map(|(x, _)| x.len())
            .sum::<usize>()
    };
    let lead = equal_len(
        &mut old.split_inclusive('\n'),
        &mut new.split_inclusive('\n'),
    );
    let trail = equal_len(
        &mut old[lead..].split_inclusive('\n').rev(),
        &mut new[lead..].split_inclusive('\n').rev(),
    );
    let trail = trail.min(new.len() - lead);
    (lead, trail, &new[lead..new.len() - trail])
}

#[cfg(test)]
mod tests {
    use super::changed_lines;

    #[test]
    fn edits_cover_only_the_changed_lines() {
        let old = "# c\n- list: a\n  items:   [x]\n# d\n";
        let new = "# c\n- list: a\n  items: [x]\n# d\n";
        assert_eq!(changed_lines(old, new), (14, 4, "  items: [x]\n"));
        assert_eq!(changed_lines(old, old), (old.len(), 0, ""));
        assert_eq!(changed_lines("a\nb\n", "a\nb\nb\n"), (4, 0, "b\n"));
    }
}
