//! Go-to-definition, find-references, and rename of macros and lists across every
//! file of the workspace.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    Location, Position, PrepareRenameResponse, TextEdit, Uri, WorkspaceEdit,
};

use crate::convert::{from_lsp_position, to_lsp_location, to_lsp_range};
use crate::locate::{Kind, Target, declarations, target_at, uses};
use crate::workspace::World;

/// The macro, list or rule named at a position.
fn named_at(
    world: &World<'_>,
    uri: &Uri,
    position: Position,
) -> Option<(Kind, String, falco_span::FileSpan)> {
    let (id, file) = world.file_of(uri)?;
    match target_at(world, id, from_lsp_position(file, position))? {
        Target::Named { kind, name, span } => Some((kind, name, span)),
        _ => None,
    }
}

/// Where the name at a position is defined: its first definition, the one whose
/// place Falco keeps. Appends, overrides and redefinitions are references.
pub fn goto_definition(world: &World<'_>, uri: &Uri, position: Position) -> Option<Vec<Location>> {
    let (kind, name, _) = named_at(world, uri, position)?;
    let definition = declarations(world, kind, &name).into_iter().next()?;
    Some(vec![to_lsp_location(world, definition)?])
}

/// Every use of the name at a position, every amendment of it, and its
/// definition when asked.
pub fn references(
    world: &World<'_>,
    uri: &Uri,
    position: Position,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let (kind, name, _) = named_at(world, uri, position)?;
    let mut spans = uses(world, kind, &name);
    // Appends, overrides and redefinitions always count; the first definition
    // only when the client asks for declarations.
    let declared = declarations(world, kind, &name);
    let skip = usize::from(!include_declaration);
    spans.extend(declared.into_iter().skip(skip));
    spans.sort();
    spans.dedup();
    Some(
        spans
            .into_iter()
            .filter_map(|span| to_lsp_location(world, span))
            .collect(),
    )
}

/// The range of a macro or list name that can be renamed.
pub fn prepare_rename(
    world: &World<'_>,
    uri: &Uri,
    position: Position,
) -> Option<PrepareRenameResponse> {
    let (kind, name, span) = named_at(world, uri, position)?;
    if kind == Kind::Rule || declarations(world, kind, &name).is_empty() {
        return None;
    }
    let file = world.source(span.file)?;
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: to_lsp_range(file, span.span),
        placeholder: name,
    })
}

/// Why a rename is refused.
pub enum RenameError {
    /// Nothing renamable at the position.
    NotRenamable,
    /// The new name cannot be a macro or list name.
    InvalidName(String),
}

/// Renames the macro or list at a position in every file: declarations and uses.
pub fn rename(
    world: &World<'_>,
    uri: &Uri,
    position: Position,
    new_name: &str,
) -> Result<WorkspaceEdit, RenameError> {
    let Some((kind, name, _)) = named_at(world, uri, position) else {
        return Err(RenameError::NotRenamable);
    };
    if kind == Kind::Rule {
        return Err(RenameError::NotRenamable);
    }
    let valid = new_name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && new_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(RenameError::InvalidName(format!(
            "`{new_name}` is not a valid name: use letters, digits and `_`, not starting with a digit"
        )));
    }
    let mut spans = declarations(world, kind, &name);
    if spans.is_empty() {
        return Err(RenameError::NotRenamable);
    }
    spans.extend(uses(world, kind, &name));
    spans.sort();
    spans.dedup();
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for span in spans {
        let Some(location) = to_lsp_location(world, span) else {
            continue;
        };
        changes.entry(location.uri).or_default().push(TextEdit {
            range: location.range,
            new_text: new_name.to_owned(),
        });
    }
    Ok(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}
