//! Field schemas of the Falco event sources, and the operator/type tables.
//!
//! The data lives in `rules-stdlib/schema/*.json` (see the README there); `build.rs` turns it
//! into static tables, so [`Schema::get`] costs nothing. The crate answers:
//!
//! - which sources exist ([`Schema::known_sources`]) and which fields each has
//!   ([`Schema::fields_for`]);
//! - what a written field reference means ([`Schema::resolve`]), following libsinsp's
//!   longest-prefix lookup, including dotted arguments (`evt.arg.flags`) and argument checks;
//! - which names `evt.type` accepts ([`Schema::is_event_type`]) and the parameters of each
//!   event (for `evt.rawarg.NAME` typing);
//! - the driver's event table, code by code ([`Schema::event_code`]: the layout of each
//!   event record of a capture), with its flag and enum tables ([`Schema::flag_table`]);
//! - which operators and transformers apply to which types ([`ops_allowed`], [`transformer`]).
//!
//! It knows nothing about YAML or the condition parser; operators are plain `&str` names.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

mod ops;
mod plugins;
mod resolve;
mod types;

#[allow(clippy::all, missing_docs)]
mod tables {
    use crate::{
        ArgKind, ArgSpec, CodeParam, DynamicTable, EventCode, EventFlags, EventKind, EventParam,
        EventType, Field, FieldClass, FieldFlags, FieldType, FlagTable, ParamFormat, ParamInfo,
        Presence, Provider, Source, Transformer, TypeGroup,
    };
    include!(concat!(env!("OUT_DIR"), "/schema_tables.rs"));
}

#[cfg(test)]
mod tests;

/// [`EVENT_NAMES`] as a hash map: replay checks the type of every event it reads, and a
/// binary search over the names' common prefixes cost about 5% of it (`docs/perf.md`).
fn event_names() -> &'static FxHashMap<&'static str, Option<usize>> {
    static NAMES: OnceLock<FxHashMap<&'static str, Option<usize>>> = OnceLock::new();
    NAMES.get_or_init(|| EVENT_NAMES.iter().copied().collect())
}

pub use ops::{list_element_ok, op_allowed, ops_allowed, transformer, transformers};
pub use plugins::{FieldDecl, PluginDecl};
pub use resolve::{ArgForm, FieldArg, FieldError, ResolvedField, arg_example};
pub use types::{
    ArgKind, ArgSpec, CodeParam, DynamicTable, EventCode, EventFlags, EventKind, EventParam,
    EventType, Field, FieldClass, FieldFlags, FieldType, FlagTable, ParamFormat, ParamInfo,
    Presence, Provider, Source, Transformer, TypeGroup,
};

use tables::{
    CLASSES, DYNAMIC_TABLES, EVENT_CODES, EVENT_NAMES, EVENT_PARAMS, EVENTS, FLAG_TABLES, SOURCES,
    SYSCALL_NAMES,
};

/// The Falco engine version the toolchain implements, as (major, minor, patch): rules
/// whose `required_engine_version` is above it are refused by `falco-rulec` and
/// bundles that require more are refused by `falco-rt`.
pub const ENGINE_VERSION: (u64, u64, u64) = (0, 63, 0);

/// The id of the class whose `evt.*` fields every source shares.
pub const GENERIC_CLASS: &str = "gen_event";

/// The schema: all sources, field classes, event types. Get the built-in one with
/// [`Schema::get`], one with user plugins added with [`Schema::with_plugins`].
#[derive(Debug)]
pub struct Schema {
    /// What user plugin schemas add (`None`: the built-in schema).
    extension: Option<plugins::Extension>,
}

static SCHEMA: Schema = Schema { extension: None };

impl Schema {
    /// The schema built into this binary.
    pub fn get() -> &'static Schema {
        &SCHEMA
    }

    /// Names of the sources the schema describes: `syscall`, `k8s_audit`, `aws_cloudtrail`,
    /// and those of user plugins.
    ///
    /// Other plugin sources (`gcp_auditlog`, `github`, `okta`, ...) are not known unless a
    /// plugin schema adds them; rules for them are skipped with a warning by the caller.
    pub fn known_sources(&self) -> impl Iterator<Item = &'static str> {
        self.sources().iter().map(|s| s.name)
    }

    /// True if `source` is a known source.
    pub fn is_known_source(&self, source: &str) -> bool {
        self.source(source).is_some()
    }

    /// All sources with their class lists.
    pub fn sources(&self) -> &'static [Source] {
        self.extension.as_ref().map_or(SOURCES, |e| e.sources)
    }

    /// A source by name.
    pub fn source(&self, name: &str) -> Option<&'static Source> {
        self.sources().iter().find(|s| s.name == name)
    }

    /// The built-in field classes, in table order. [`Source::classes`] indexes these,
    /// then the classes of user plugins ([`Schema::class`] reads both).
    pub fn classes(&self) -> &'static [FieldClass] {
        CLASSES
    }

    /// The field class a [`Source::classes`] entry names.
    pub fn class(&self, index: usize) -> Option<&'static FieldClass> {
        match index.checked_sub(CLASSES.len()) {
            None => CLASSES.get(index),
            Some(plugin) => self.plugin_classes().get(plugin),
        }
    }

    /// The fields usable in rules of `source`, in lookup order (empty for an unknown source).
    pub fn fields_for(&self, source: &str) -> impl Iterator<Item = &'static Field> {
        let classes: &'static [usize] = self.source(source).map_or(&[], |s| s.classes);
        classes
            .iter()
            .filter_map(|&i| self.class(i))
            .flat_map(|c| c.fields.iter())
    }

    /// Every field of every source.
    pub fn all_fields(&self) -> impl Iterator<Item = &'static Field> {
        CLASSES
            .iter()
            .chain(self.plugin_classes())
            .flat_map(|c| c.fields.iter())
    }

    /// A field by its exact name (no argument), whatever its source.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.all_fields().find(|f| f.name == name)
    }

    /// The sources whose rules may use the field named `name` (exact name).
    pub fn sources_of(&self, name: &str) -> Vec<&'static str> {
        self.sources()
            .iter()
            .filter(|s| {
                s.classes
                    .iter()
                    .filter_map(|&i| self.class(i))
                    .any(|c| c.fields.iter().any(|f| f.name == name))
            })
            .map(|s| s.name)
            .collect()
    }

    /// True for names that are not fields but that Falco still accepts in outputs, with a
    /// deprecation warning: `container.info` (`%container.info`).
    pub fn is_deprecated_output_placeholder(&self, name: &str) -> bool {
        name == "container.info"
    }

    /// True if `evt.type` accepts `name` in rules of some source: an event-table name,
    /// a syscall name, or an event a user plugin adds.
    pub fn is_event_type(&self, name: &str) -> bool {
        event_names().contains_key(name) || self.is_plugin_event(None, name)
    }

    /// True if `evt.type` accepts `name` in rules of `source`: the built-in names, and
    /// the events of the user plugins that read `source`.
    pub fn is_event_type_of(&self, source: &str, name: &str) -> bool {
        event_names().contains_key(name) || self.is_plugin_event(Some(source), name)
    }

    /// Every name `evt.type` accepts: the built-in ones sorted, then those user
    /// plugins add, sorted.
    pub fn event_type_names(&self) -> impl Iterator<Item = &'static str> {
        EVENT_NAMES
            .iter()
            .map(|(n, _)| *n)
            .chain(self.plugin_event_names())
    }

    /// The event table: one entry per event name.
    pub fn event_types(&self) -> &'static [EventType] {
        EVENTS
    }

    /// An event-table entry by name; `None` for syscall-only names (those have no own event
    /// and arrive as the generic `syscall` event) and unknown names.
    pub fn event_type(&self, name: &str) -> Option<&'static EventType> {
        let index = (*event_names().get(name)?)?;
        EVENTS.get(index)
    }

    /// All event parameter names, sorted, each typed like its first occurrence in the table.
    pub fn event_params(&self) -> &'static [EventParam] {
        EVENT_PARAMS
    }

    /// An event parameter by name (for `evt.arg.NAME` / `evt.rawarg.NAME`).
    pub fn event_param(&self, name: &str) -> Option<&'static EventParam> {
        let pos = EVENT_PARAMS.binary_search_by(|p| p.name.cmp(name)).ok()?;
        EVENT_PARAMS.get(pos)
    }

    /// The driver's event table: every event code, by code.
    pub fn event_codes(&self) -> &'static [EventCode] {
        EVENT_CODES
    }

    /// The entry of one event code (as found in an event record).
    pub fn event_code(&self, code: u16) -> Option<&'static EventCode> {
        EVENT_CODES.get(usize::from(code))
    }

    /// The code drivers send today for event `name` in one direction (`enter` or exit):
    /// its current version, if it has one.
    pub fn current_code(&self, name: &str, enter: bool) -> Option<&'static EventCode> {
        EVENT_CODES
            .iter()
            .rev()
            .find(|c| c.name == name && c.enter == enter && c.is_current())
    }

    /// A flag or enum table of the driver by name (`file_flags`, `ptrace_requests`, ...).
    pub fn flag_table(&self, name: &str) -> Option<&'static FlagTable> {
        FLAG_TABLES.iter().find(|t| t.name == name)
    }

    /// The name of a syscall code (`PPM_SC_*`), as the generic `syscall` event carries it:
    /// `evt.type` of such an event.
    pub fn syscall_name(&self, code: u16) -> Option<&'static str> {
        let pos = SYSCALL_NAMES
            .binary_search_by_key(&code, |(c, _)| *c)
            .ok()?;
        SYSCALL_NAMES.get(pos).map(|(_, name)| *name)
    }

    /// The code of a syscall name (the inverse of [`Schema::syscall_name`]).
    pub fn syscall_code(&self, name: &str) -> Option<u16> {
        SYSCALL_NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(c, _)| *c)
    }

    /// A dynamic parameter table by name (`ptrace_dynamic_param`, ...).
    pub fn dynamic_table(&self, name: &str) -> Option<&'static DynamicTable> {
        DYNAMIC_TABLES.iter().find(|t| t.name == name)
    }
}
