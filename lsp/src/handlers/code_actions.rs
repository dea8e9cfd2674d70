//! Code actions: apply the fixes a diagnostic carries (did-you-means, `append: true`
//! to `override:`, made where the diagnostic is made), and remove an unused macro or
//! list.

use std::collections::HashMap;

use falco_diagnostics::{Code, Fix};
use falco_loader::Item;
use falco_span::{FileId, Span};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};

use crate::convert::{from_lsp_range, to_lsp_diagnostic, to_lsp_range};
use crate::workspace::World;

/// The actions for the diagnostics touching `range` of a document.
pub fn code_actions(
    world: &World<'_>,
    uri: &Uri,
    range: Range,
) -> Option<Vec<CodeActionOrCommand>> {
    let (id, file) = world.file_of(uri)?;
    let wanted = from_lsp_range(file, range);
    let mut out = Vec::new();
    for diagnostic in &world.analysis.diagnostics {
        let span = diagnostic.primary.span;
        if span.file != id || span.span.end < wanted.start || span.span.start > wanted.end {
            continue;
        }
        let in_this_file = |(title, edits)| (title, HashMap::from([(uri.clone(), edits)]));
        let actions: Vec<(String, Changes)> = match diagnostic.code {
            Code::W201 | Code::W202 => remove_item(world, id, span.span)
                .map(in_this_file)
                .into_iter()
                .collect(),
            _ => diagnostic
                .fixes
                .iter()
                .filter_map(|fix| carried_fix(world, fix))
                .collect(),
        };
        for (index, (title, changes)) in actions.into_iter().enumerate() {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp_diagnostic(world, file, diagnostic)]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(index == 0),
                ..CodeAction::default()
            }));
        }
    }
    Some(out)
}

/// The edits of a workspace edit, by document.
type Changes = HashMap<Uri, Vec<TextEdit>>;

/// The edits of a fix a diagnostic carries, offered only while every replaced span
/// still holds the text the fix was made for.
fn carried_fix(world: &World<'_>, fix: &Fix) -> Option<(String, Changes)> {
    let mut changes = Changes::new();
    for edit in &fix.edits {
        if world.text_at(edit.span)? != edit.replaced {
            return None;
        }
        let file = world.source(edit.span.file)?;
        let uri = world.uri(edit.span.file)?;
        changes.entry(uri.clone()).or_default().push(TextEdit {
            range: to_lsp_range(file, edit.span.span),
            new_text: edit.text.clone(),
        });
    }
    Some((fix.title.clone(), changes))
}

/// The item of file `id` whose span covers `span`.
fn item_around<'w>(world: &'w World<'_>, id: FileId, span: Span) -> Option<&'w Item> {
    world.loaded(id)?.items.iter().find(|item| {
        let item_span = item.span().span;
        item_span.start <= span.start && span.end <= item_span.end
    })
}

/// The whole lines covering `span` (from the start of its first line to just after
/// its last line's newline).
fn whole_lines(text: &str, span: Span) -> Span {
    let start = text[..span.start as usize]
        .rfind('\n')
        .map_or(0, |at| at + 1);
    let end = text[span.end as usize..]
        .find('\n')
        .map_or(text.len(), |at| span.end as usize + at + 1);
    Span::new(start as u32, end as u32)
}

fn remove_item(world: &World<'_>, id: FileId, span: Span) -> Option<(String, Vec<TextEdit>)> {
    let file = world.source(id)?;
    let item = item_around(world, id, span)?;
    let (kind, name) = match item {
        Item::Macro(item) => ("macro", &item.name.value),
        Item::List(item) => ("list", &item.name.value),
        _ => return None,
    };
    let item_span = item.span().span;
    // The item's text ends at its last value; trailing spaces and the line end go too.
    let lines = whole_lines(
        &file.text,
        Span::new(
            item_span.start,
            item_span.end.saturating_sub(1).max(item_span.start),
        ),
    );
    Some((
        format!("Remove unused {kind} `{name}`"),
        vec![TextEdit {
            range: to_lsp_range(file, lines),
            new_text: String::new(),
        }],
    ))
}
