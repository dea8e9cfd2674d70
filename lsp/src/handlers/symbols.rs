//! Document and workspace symbols: the rules, macros and lists of the files.

use tower_lsp_server::ls_types::{
    DocumentSymbol, Location, OneOf, SymbolKind, Uri, WorkspaceSymbol,
};

use crate::convert::to_lsp_range;
use crate::locate::{Kind, exact_name_span, item_name};
use crate::workspace::World;

fn symbol_kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Rule => SymbolKind::EVENT,
        Kind::Macro => SymbolKind::FUNCTION,
        Kind::List => SymbolKind::ARRAY,
    }
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Rule => "rule",
        Kind::Macro => "macro",
        Kind::List => "list",
    }
}

/// The items of one file, in file order.
pub fn document_symbols(world: &World<'_>, uri: &Uri) -> Option<Vec<DocumentSymbol>> {
    let (id, file) = world.file_of(uri)?;
    let loaded = world.loaded(id)?;
    Some(
        loaded
            .items
            .iter()
            .filter_map(|item| {
                let (kind, name) = item_name(item)?;
                let selection = exact_name_span(world, name.span, &name.value).unwrap_or(name.span);
                #[allow(deprecated)] // `deprecated` is a required field of the type.
                Some(DocumentSymbol {
                    name: name.value.clone(),
                    detail: Some(kind_word(kind).to_owned()),
                    kind: symbol_kind(kind),
                    tags: None,
                    deprecated: None,
                    range: to_lsp_range(file, item.span().span.cover(selection.span)),
                    selection_range: to_lsp_range(file, selection.span),
                    children: None,
                })
            })
            .collect(),
    )
}

/// Items of every file whose name contains `query` (case-insensitive).
pub fn workspace_symbols(world: &World<'_>, query: &str) -> Vec<WorkspaceSymbol> {
    let query = query.to_lowercase();
    let mut out = Vec::new();
    for id in world.ids() {
        let (Some(loaded), Some(file), Some(uri)) =
            (world.loaded(id), world.source(id), world.uri(id))
        else {
            continue;
        };
        for item in &loaded.items {
            let Some((kind, name)) = item_name(item) else {
                continue;
            };
            if !name.value.to_lowercase().contains(&query) {
                continue;
            }
            let span = exact_name_span(world, name.span, &name.value).unwrap_or(name.span);
            out.push(WorkspaceSymbol {
                name: name.value.clone(),
                kind: symbol_kind(kind),
                tags: None,
                container_name: Some(file.path.clone()),
                location: OneOf::Left(Location {
                    uri: uri.clone(),
                    range: to_lsp_range(file, span.span),
                }),
                data: None,
            });
        }
    }
    out
}
