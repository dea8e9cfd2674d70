//! Falco's load semantics over several files in order.
//!
//! [`resolve`] takes the items of every file (in `-r`/`rules_files` order) and
//! produces a [`Ruleset`]: lists with earlier lists spliced in, macros and rules with
//! their appends and overrides applied, lists substituted into conditions the way
//! Falco does it (as text, before parsing), conditions parsed, macro references bound
//! with Falco's visibility (a macro sees the macros defined before it; a rule sees
//! all), exceptions turned into condition text, and the unused-item warnings.
//!
//! Every text keeps a `MappedText`, so a position in a substituted, appended or
//! exception-extended condition still maps back to the file it came from.
//!
//! A rule whose macros nest too deep or inline into too many checks is an error
//! here ([`expansion`]), so that lint refuses what compile would.
//!
//! **Architecture invariant:** resolution never fails; it returns what it could
//! resolve plus diagnostics. It knows nothing about field schemas: types are the
//! typechecker's job.

mod collect;
mod exceptions;
pub mod expansion;
mod lists;
mod loops;
mod memo;
mod model;
mod parse;
mod plugins;
mod subst_memo;
mod substitute;

pub use memo::{ParseMemo, TextMemo};
pub use model::*;
pub use plugins::KNOWN_PLUGINS;

use falco_diagnostics::Diagnostic;
use falco_loader::{LoadedFile, Version};

/// What resolution needs to know about the target Falco.
#[derive(Clone, Debug)]
pub struct Options {
    /// The engine version rules are checked against (`required_engine_version`).
    pub engine_version: Version,
    /// Event sources that exist; rules for other sources are skipped with a warning.
    pub known_sources: Vec<String>,
    /// Plugins that exist, with their newest release, for `required_plugin_versions`.
    pub known_plugins: Vec<(String, Version)>,
    /// Plugins a plugin schema declares, with the version it says is loaded: a
    /// requirement is checked against that version exactly, as Falco does.
    pub loaded_plugins: Vec<(String, Version)>,
}

impl Default for Options {
    /// The engine version, and the sources and plugins of the built-in schema.
    fn default() -> Options {
        Options::for_schema(falco_schema::Schema::get())
    }
}

impl Options {
    /// The engine version, the sources of `schema`, the plugins we know (the
    /// built-in table), and the plugins and versions its plugin schemas declare.
    pub fn for_schema(schema: &falco_schema::Schema) -> Options {
        let (major, minor, patch) = falco_schema::ENGINE_VERSION;
        let version = |(major, minor, patch)| Version {
            major,
            minor,
            patch,
        };
        Options {
            engine_version: version((major, minor, patch)),
            known_sources: schema.known_sources().map(str::to_owned).collect(),
            known_plugins: KNOWN_PLUGINS
                .iter()
                .map(|(name, version)| ((*name).to_owned(), *version))
                .collect(),
            loaded_plugins: schema
                .declared_plugin_versions()
                .map(|(name, declared)| (name.to_owned(), version(declared)))
                .collect(),
        }
    }
}

/// Resolves the items of `files`, loaded in the given order, into one ruleset.
pub fn resolve(files: &[LoadedFile], options: &Options) -> (Ruleset, Vec<Diagnostic>) {
    resolve_with(files, options, None)
}

/// Resolves like [`resolve`], with the same result, but takes the parse of each
/// condition and output whose text `memo` already holds, and leaves in `memo` the
/// parses of this ruleset (for the next call, after an edit).
pub fn resolve_memoized(
    files: &[LoadedFile],
    options: &Options,
    memo: &mut ParseMemo,
) -> (Ruleset, Vec<Diagnostic>) {
    memo.parsed = 0;
    memo.substituted = 0;
    let resolved = resolve_with(files, options, Some(&mut *memo));
    memo.conditions.sweep();
    memo.outputs.sweep();
    memo.substitutions.sweep();
    memo.near_lists.sweep();
    resolved
}

fn resolve_with(
    files: &[LoadedFile],
    options: &Options,
    memo: Option<&mut ParseMemo>,
) -> (Ruleset, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let broken = Broken::of(files);
    let collected = collect::collect(files, options, &broken, &mut diagnostics);
    let ruleset = parse::build(collected, &broken, &mut diagnostics, memo);
    (ruleset, diagnostics)
}

/// Items the loader had to drop because of an error. Their names still exist as far
/// as the user is concerned, so resolution does not report follow-on errors about
/// them, and unused-item warnings (whose references may sit in a dropped item) are
/// not given while any rule or macro is missing.
#[derive(Default)]
pub(crate) struct Broken {
    names: std::collections::HashSet<(&'static str, String)>,
    pub(crate) any_condition_lost: bool,
}

impl Broken {
    fn of(files: &[LoadedFile]) -> Broken {
        let mut broken = Broken::default();
        for item in files.iter().flat_map(|file| &file.broken) {
            broken.any_condition_lost |= matches!(item.kind, "rule" | "macro" | "item");
            if let Some(name) = &item.name {
                broken.names.insert((item.kind, name.value.clone()));
            }
        }
        broken
    }

    /// Whether an item of `kind` named `name` was dropped by the loader.
    pub(crate) fn contains(&self, kind: &str, name: &str) -> bool {
        self.names.iter().any(|(k, n)| *k == kind && n == name)
    }
}

#[cfg(test)]
mod tests;
