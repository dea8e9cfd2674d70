//! Go-to-definition, find-references, and rename of macros and lists across every
//! file of the workspace.

use std::collections::HashMap;

use falco_condition::ast::{Modifier, Op};
use tower_lsp_server::ls_types::{
    Location, Position, PrepareRenameResponse, TextEdit, Uri, WorkspaceEdit,
};

use crate::convert::{from_lsp_position, to_lsp_location, to_lsp_range};
use crate::locate::{Kind, Target, declarations, item_named, target_at, uses, written_names};
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

/// Every use of the name at a position (inside superseded definitions too), every
/// amendment of it, and its definition when asked.
pub fn references(
    world: &World<'_>,
    uri: &Uri,
    position: Position,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let (kind, name, _) = named_at(world, uri, position)?;
    let mut spans = uses(world, kind, &name);
    spans.extend(written_names(world, kind, &name));
    // Appends, overrides and redefinitions always count; the first definition
    // only when the client asks for declarations.
    let declared = declarations(world, kind, &name);
    if !include_declaration && let Some(first) = declared.first() {
        spans.retain(|span| span != first);
    }
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
    /// Another macro or list already has the new name.
    Clash(String),
}

/// Words a condition reads as syntax, which a macro or list cannot be named.
fn is_keyword(name: &str) -> bool {
    matches!(name, "and" | "or" | "not")
        || Op::from_spelling(name).is_some()
        || Modifier::from_spelling(name).is_some()
}

/// Renames the macro or list at a position in every file: its items (superseded
/// ones included), every amendment and every use, also inside definitions that a
/// later file replaces. A new name that another macro or list has is refused: the
/// two would merge.
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
    if is_keyword(new_name) {
        return Err(RenameError::InvalidName(format!(
            "`{new_name}` is an operator or keyword of conditions"
        )));
    }
    if new_name != name
        && let Some((existing, span)) = item_named(world, new_name)
    {
        let what = if existing == Kind::Macro {
            "macro"
        } else {
            "list"
        };
        let place = to_lsp_location(world, span)
            .and_then(|location| {
                let path = location.uri.to_file_path()?;
                let file = path.file_name()?.to_string_lossy().into_owned();
                Some(format!(" ({file}:{})", location.range.start.line + 1))
            })
            .unwrap_or_default();
        return Err(RenameError::Clash(format!(
            "a {what} named `{new_name}` already exists{place}: renaming `{name}` to it would merge the two"
        )));
    }
    let mut spans = declarations(world, kind, &name);
    if spans.is_empty() {
        return Err(RenameError::NotRenamable);
    }
    spans.extend(uses(world, kind, &name));
    spans.extend(written_names(world, kind, &name));
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use falco_analysis::analyze;
    use proptest::prelude::*;
    use tower_lsp_server::ls_types::Uri;

    use super::{RenameError, rename};
    use crate::convert::{offset_in_text, to_lsp_position};
    use crate::locate::{Kind, declarations};
    use crate::workspace::Workspace;

    const FILES: [&str; 3] = [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ];

    fn upstream() -> Vec<(PathBuf, String)> {
        let dir =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/upstream-rules");
        FILES
            .iter()
            .map(|name| {
                let path = std::fs::canonicalize(dir.join(name))
                    .expect("the corpus is beside the repository");
                let text = std::fs::read_to_string(&path).expect("read an upstream file");
                (path, text)
            })
            .collect()
    }

    /// A workspace with the three upstream files open (no configuration: Falco's order).
    fn workspace(files: &[(PathBuf, String)]) -> (Workspace, Vec<Uri>) {
        let mut workspace = Workspace::default();
        workspace.configure(None, None);
        let mut uris = Vec::new();
        for (path, text) in files {
            let uri = Uri::from_file_path(path).expect("a file URI");
            workspace.open(uri.clone(), 1, text.clone());
            uris.push(uri);
        }
        workspace.analyze();
        (workspace, uris)
    }

    /// The texts after renaming the `kind` named `name` to `new_name`.
    fn renamed(
        files: &[(PathBuf, String)],
        kind: Kind,
        name: &str,
        new_name: &str,
    ) -> Result<Vec<String>, String> {
        let (workspace, uris) = workspace(files);
        let world = workspace.world();
        let at = declarations(&world, kind, name)
            .into_iter()
            .next()
            .ok_or_else(|| format!("no declaration of {name}"))?;
        let file = world.source(at.file).ok_or("no file")?;
        let position = to_lsp_position(file, at.span.start);
        let uri = world.uri(at.file).ok_or("no uri")?.clone();
        let edit = match rename(&world, &uri, position, new_name) {
            Ok(edit) => edit,
            Err(RenameError::NotRenamable) => return Err("not renamable".to_owned()),
            Err(RenameError::InvalidName(message) | RenameError::Clash(message)) => {
                return Err(message);
            }
        };
        let changes = edit.changes.unwrap_or_default();
        Ok(files
            .iter()
            .zip(&uris)
            .map(|((_, text), uri)| {
                let mut edits: Vec<(usize, usize, String)> = changes
                    .get(uri)
                    .into_iter()
                    .flatten()
                    .map(|edit| {
                        (
                            offset_in_text(text, edit.range.start),
                            offset_in_text(text, edit.range.end),
                            edit.new_text.clone(),
                        )
                    })
                    .collect();
                edits.sort();
                let mut out = text.clone();
                for (start, end, new_text) in edits.into_iter().rev() {
                    out.replace_range(start..end, &new_text);
                }
                out
            })
            .collect())
    }

    /// What lint says about the first `count` files, messages read with `new_name`
    /// spelt as `name`.
    fn lint(
        files: &[(PathBuf, String)],
        texts: &[String],
        count: usize,
        name: &str,
        new_name: &str,
    ) -> Vec<String> {
        let inputs: Vec<(String, String)> = files
            .iter()
            .zip(texts)
            .take(count)
            .map(|((path, _), text)| (path.display().to_string(), text.clone()))
            .collect();
        let mut out: Vec<String> = analyze(inputs)
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{} {:?} {:?} {}",
                    d.code.as_str(),
                    d.primary.span,
                    d.related.iter().map(|label| label.span).collect::<Vec<_>>(),
                    d.message.replace(new_name, name)
                )
            })
            .collect();
        out.sort();
        out
    }

    /// After renaming `name` (to a fresh name of the same length, so positions stay),
    /// lint of the first file, the first two and all three says the same.
    fn check_rename(
        files: &[(PathBuf, String)],
        kind: Kind,
        name: &str,
    ) -> Result<(), TestCaseError> {
        let new_name: String = std::iter::once('q')
            .chain(std::iter::repeat_n('z', name.len() - 1))
            .collect();
        let texts: Vec<String> = files.iter().map(|(_, text)| text.clone()).collect();
        let after = renamed(files, kind, name, &new_name).map_err(TestCaseError::fail)?;
        prop_assert!(after != texts, "renaming {} changed nothing", name);
        for count in 1..=files.len() {
            prop_assert_eq!(
                lint(files, &texts, count, name, &new_name),
                lint(files, &after, count, name, &new_name),
                "renaming {} to {} with {} files",
                name,
                new_name,
                count
            );
        }
        Ok(())
    }

    /// The names of the upstream macros and lists.
    fn names(files: &[(PathBuf, String)]) -> Vec<(Kind, String)> {
        let (workspace, _) = workspace(files);
        let ruleset = &workspace.world().analysis.ruleset;
        let macros = ruleset
            .macros
            .iter()
            .map(|item| (Kind::Macro, item.name.clone()));
        let lists = ruleset
            .lists
            .iter()
            .map(|item| (Kind::List, item.name.clone()));
        macros.chain(lists).collect()
    }

    /// The rename that broke `falco_rules.yaml` + incubating (E203): a use inside a
    /// definition that the sandbox file replaces.
    #[test]
    fn renaming_spawned_process_keeps_every_subset_linting_the_same() {
        let files = upstream();
        check_rename(&files, Kind::Macro, "spawned_process").expect("same diagnostics");
    }

    #[test]
    fn renaming_onto_an_existing_macro_or_list_is_refused() {
        let files = upstream();
        for existing in ["container", "shell_binaries"] {
            let error =
                renamed(&files, Kind::Macro, "spawned_process", existing).expect_err("a clash");
            assert!(
                error.contains("already exists") && error.contains(existing),
                "{error}"
            );
        }
        let error = renamed(&files, Kind::List, "shell_binaries", "in").expect_err("a keyword");
        assert!(error.contains("keyword"), "{error}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(falco_test_budget::cases(12)))]

        /// Any macro or list of the upstream files renamed: lint says the same, up to the name.
        #[test]
        fn any_rename_keeps_lint_the_same(pick in any::<prop::sample::Index>()) {
            let files = upstream();
            let names = names(&files);
            let (kind, name) = &names[pick.index(names.len())];
            check_rename(&files, *kind, name)?;
        }
    }
}
