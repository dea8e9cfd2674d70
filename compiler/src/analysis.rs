//! The lint driver: files in load order → diagnostics and a summary.
//!
//! Owned by the lead; the CLI and renderers use only the types below.

use falco_diagnostics::Diagnostic;
use falco_span::{FileId, LineIndex};

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

/// Lints `files` (path, text) loaded as one ruleset, in the given order.
pub fn analyze(files: Vec<(String, String)>) -> Analysis {
    let files: Vec<SourceFile> = files
        .into_iter()
        .enumerate()
        .map(|(index, (path, text))| SourceFile::new(FileId(index as u32), path, text))
        .collect();
    let summary = Summary {
        files: files.len(),
        ..Summary::default()
    };
    Analysis {
        files,
        diagnostics: Vec::new(),
        summary,
    }
}
