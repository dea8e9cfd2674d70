//! The analysis engine: rules files in load order → diagnostics, the resolved
//! ruleset and its typed conditions.
//!
//! Both front ends use it: `falco-rulec` (commands and renderers) and
//! `falco-rules-lsp`. [`analyze`] lints a set of files once;
//! [`incremental::Incremental`] gives the same result after an edit while
//! redoing only what the edit touched. [`inputs`] and [`config`] find the files
//! and their load order.

pub mod config;
pub mod incremental;
pub mod inputs;
mod memo;
pub mod plugin_schema;
pub mod suppress;
mod typecheck;

pub use typecheck::TypedRuleset;

use falco_diagnostics::Diagnostic;
use falco_loader::LoadedFile;
use falco_resolve::{Options, Ruleset, resolve, resolve_memoized};
use falco_schema::Schema;
use falco_span::{FileId, LineIndex};
use rayon::prelude::*;

/// One input file, kept for rendering positions and snippets.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Its id (index in load order).
    pub id: FileId,
    /// The path as the user gave it (used in every output format).
    pub path: String,
    /// The full text.
    pub text: String,
    /// Line starts of `text`.
    pub line_index: LineIndex,
}

impl SourceFile {
    /// Wraps a file's text.
    pub fn new(id: FileId, path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        SourceFile {
            id,
            path: path.into(),
            line_index: LineIndex::new(&text),
            text,
        }
    }
}

/// Counts for the JSON contract's `summary`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files loaded.
    pub files: usize,
    /// Rules after resolution.
    pub rules: usize,
    /// Macros after resolution.
    pub macros: usize,
    /// Lists after resolution.
    pub lists: usize,
}

/// The result of linting a set of files.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// The files, indexed by `FileId`.
    pub files: Vec<SourceFile>,
    /// Every diagnostic, sorted by file, then position.
    pub diagnostics: Vec<Diagnostic>,
    /// Item counts.
    pub summary: Summary,
    /// The resolved ruleset (load order, appends, overrides applied).
    pub ruleset: Ruleset,
    /// The typed conditions of the ruleset's rules and reachable macros.
    pub typed: TypedRuleset,
}

impl Analysis {
    /// The file a diagnostic points into.
    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Number of diagnostics with error severity.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of diagnostics with warning severity.
    pub fn warning_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == falco_diagnostics::Severity::Warning)
            .count()
    }
}

/// Lints `files` (path, text) loaded as one ruleset, in the given order, against
/// the built-in schema.
pub fn analyze(files: Vec<(String, String)>) -> Analysis {
    analyze_with(files, Schema::get())
}

/// Lints `files` like [`analyze`], against `schema` (the built-in one with user
/// plugin schemas added: [`plugin_schema::read`]).
pub fn analyze_with(files: Vec<(String, String)>, schema: &Schema) -> Analysis {
    let files = source_files(files);
    let mut diagnostics = Vec::new();
    let mut loaded = load_files(&files);
    for file in &mut loaded {
        diagnostics.append(&mut file.diagnostics);
    }
    analyze_loaded(files, &loaded, diagnostics, schema, None)
}

/// Numbers `files` in load order.
fn source_files(files: Vec<(String, String)>) -> Vec<SourceFile> {
    files
        .into_iter()
        .enumerate()
        .map(|(index, (path, text))| SourceFile::new(FileId(index as u32), path, text))
        .collect()
}

/// The stages after loading: resolution and typechecking over the loaded files,
/// with `diagnostics` holding the loading's. With a memo, parses and typechecks
/// of texts seen by earlier runs are reused, and this run's are kept in it.
fn analyze_loaded(
    files: Vec<SourceFile>,
    loaded: &[LoadedFile],
    mut diagnostics: Vec<Diagnostic>,
    schema: &Schema,
    memo: Option<&mut memo::Memo>,
) -> Analysis {
    let options = Options::for_schema(schema);
    let (ruleset, typed) = match memo {
        Some(memo) => {
            let (ruleset, mut found) = resolve_memoized(loaded, &options, &mut memo.parses);
            diagnostics.append(&mut found);
            let typed = typecheck::check_ruleset(
                &ruleset,
                schema,
                &mut diagnostics,
                Some(&mut memo.checks),
            );
            memo.checks.sweep();
            (ruleset, typed)
        }
        None => {
            let (ruleset, mut found) = resolve(loaded, &options);
            diagnostics.append(&mut found);
            let typed = typecheck::check_ruleset(&ruleset, schema, &mut diagnostics, None);
            (ruleset, typed)
        }
    };
    suppress::inline::apply(&files, &mut diagnostics);
    sort_diagnostics(&mut diagnostics);
    let summary = Summary {
        files: files.len(),
        rules: ruleset.rules.len(),
        macros: ruleset.macros.len(),
        lists: ruleset.lists.len(),
    };
    Analysis {
        files,
        diagnostics,
        summary,
        ruleset,
        typed,
    }
}

/// Loads every file; files are independent until resolution, so they are read on
/// the worker threads (the YAML stage is about a third of a lint).
fn load_files(files: &[SourceFile]) -> Vec<LoadedFile> {
    files
        .par_iter()
        .map(|file| falco_loader::load_file(file.id, &file.text))
        .collect()
}

/// Orders diagnostics by file and position, and drops exact duplicates (a macro
/// used by several rules is checked once per source, and reports once).
fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (
            a.primary.span.file,
            a.primary.span.span.start,
            a.primary.span.span.end,
            a.code,
        )
            .cmp(&(
                b.primary.span.file,
                b.primary.span.span.start,
                b.primary.span.span.end,
                b.code,
            ))
            .then_with(|| a.message.cmp(&b.message))
    });
    diagnostics.dedup_by(|a, b| {
        a.code == b.code && a.primary.span == b.primary.span && a.message == b.message
    });
}

#[cfg(test)]
mod fix_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
