//! Reads one Falco rules file into [`Item`]s with exact spans.
//!
//! **Architecture invariant:** loading never fails. [`load_file`] returns the items it
//! could read plus diagnostics; a broken item is reported and skipped, and loading
//! goes on with the next. The loader knows nothing about field schemas, conditions,
//! other files, the LSP or bundles.

mod items;

pub use items::*;

use falco_diagnostics::Diagnostic;
use falco_span::FileId;

/// The items of one file, in order, with the diagnostics found while reading them.
#[derive(Clone, Debug, Default)]
pub struct LoadedFile {
    /// Which file.
    pub file: FileId,
    /// Items in file order (several YAML documents are concatenated).
    pub items: Vec<Item>,
    /// YAML and shape diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}
