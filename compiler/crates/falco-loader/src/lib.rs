//! Reads one Falco rules file into [`Item`]s with exact spans.
//!
//! **Architecture invariant:** loading never fails. [`load_file`] returns the items it
//! could read plus diagnostics; a broken item is reported and skipped, and loading
//! goes on with the next. A bad value of a rule's key is reported, the key is left
//! unset and the rest of the rule is read; the rule is kept (marked
//! [`RuleItem::rejected_value`]) when its condition can still be checked. The loader knows nothing about field schemas, conditions,
//! other files, the LSP or bundles.
//!
//! The checks follow Falco's reader (`rule_loader_reader.cpp`): which keys each kind
//! needs, how values decode (yaml-cpp booleans and integers), what `append` and
//! `override` allow. Where Falco stops a whole file at its first error, the loader
//! stops only the item (or only the key), so a file with N errors reports N errors.
//!
//! What the later stages get:
//! - conditions and outputs as [`falco_span::MappedText`] (`RuleItem::condition`,
//!   `MacroItem::condition`, `RuleItem::output`), each byte mapped to the file, plus
//!   the whole scalar's span; a new rule's output is trimmed, as Falco trims it;
//! - list entries, tags, exception fields/comps/values as spanned strings;
//! - the `append`/`override` entries as an [`Amendment`], already checked against the
//!   keys present; an amending rule holds only the keys Falco reads for it;
//! - [`LoadedFile::broken`]: the items an error stopped, so that later stages can
//!   avoid follow-on errors (an undefined macro that is in fact a broken one).

// An error ends its item and is built at most once per item, so its size does not
// matter; boxing it would only add noise to every reader.
#![allow(clippy::result_large_err)]

mod decode;
mod exceptions;
mod items;
mod kinds;
mod overrides;
mod reader;
mod reload;
mod shift;
mod versions;

#[cfg(test)]
mod tests;

pub use items::*;
pub use reload::{LoadIndex, Reload, load_indexed, reload};

use falco_diagnostics::Diagnostic;
use falco_span::FileId;

/// The items of one file, in order, with the diagnostics found while reading them.
#[derive(Clone, Debug, Default)]
pub struct LoadedFile {
    /// Which file.
    pub file: FileId,
    /// Items in file order (several YAML documents are concatenated).
    pub items: Vec<Item>,
    /// YAML and shape diagnostics, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Items that an error stopped (not in `items`).
    pub broken: Vec<BrokenItem>,
}

impl LoadedFile {
    /// Whether an item of `kind` (`rule`, `macro`, `list`) named `name` was dropped
    /// because of an error.
    pub fn is_broken(&self, kind: &str, name: &str) -> bool {
        self.broken
            .iter()
            .any(|item| item.kind == kind && item.name.as_ref().is_some_and(|n| n.value == name))
    }
}

/// An item that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenItem {
    /// `rule`, `macro`, `list`, `required_engine_version`, `required_plugin_versions`,
    /// or `item` when not even the kind is known.
    pub kind: &'static str,
    /// The name, if it could be read.
    pub name: Option<Spanned<String>>,
    /// The whole item.
    pub span: falco_span::FileSpan,
}

/// Reads the rules file `text` (file `file`). Never fails.
pub fn load_file(file: FileId, text: &str) -> LoadedFile {
    reader::load(file, text)
}
