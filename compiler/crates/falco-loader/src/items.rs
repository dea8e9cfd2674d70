//! The items of one rules file, with spans. No cross-item resolution happens here.

use falco_span::{FileSpan, MappedText};

/// A value with the file span it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where the value is written (the scalar, or the whole node).
    pub span: FileSpan,
}

/// A YAML key of an item, with its span (for unknown-key and override diagnostics).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// The key as written.
    pub name: String,
    /// Span of the key scalar.
    pub span: FileSpan,
}

/// One top-level item of a rules file.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // Rules dominate every file; boxing them buys nothing.
pub enum Item {
    /// `- required_engine_version: ...`
    RequiredEngineVersion(EngineVersionItem),
    /// `- required_plugin_versions: [...]`
    RequiredPluginVersions(PluginVersionsItem),
    /// `- list: ...`
    List(ListItem),
    /// `- macro: ...`
    Macro(MacroItem),
    /// `- rule: ...`
    Rule(RuleItem),
}

/// A semantic version `major.minor.patch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// `required_engine_version`.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineVersionItem {
    /// The version (an integer N is read as 0.N.0).
    pub version: Spanned<Version>,
    /// Whether it was written as a bare integer (deprecated form).
    pub integer_form: bool,
    /// The whole item.
    pub span: FileSpan,
}

/// One plugin requirement, with its alternatives.
#[derive(Clone, Debug, PartialEq)]
pub struct PluginRequirement {
    /// Plugin name.
    pub name: Spanned<String>,
    /// Minimum version.
    pub version: Spanned<Version>,
    /// Alternatives that also satisfy the requirement.
    pub alternatives: Vec<PluginAlternative>,
    /// The whole entry.
    pub span: FileSpan,
}

/// An alternative plugin for a requirement.
#[derive(Clone, Debug, PartialEq)]
pub struct PluginAlternative {
    /// Plugin name.
    pub name: Spanned<String>,
    /// Minimum version.
    pub version: Spanned<Version>,
}

/// `required_plugin_versions`.
#[derive(Clone, Debug, PartialEq)]
pub struct PluginVersionsItem {
    /// The requirements.
    pub plugins: Vec<PluginRequirement>,
    /// The whole item.
    pub span: FileSpan,
}

/// How an `override` entry changes a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OverrideMode {
    /// Add to the existing value.
    Append,
    /// Replace the existing value.
    Replace,
}

/// One `override:` entry: which key, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// The overridden key (e.g. `condition`).
    pub key: Key,
    /// The mode, with the span of the mode scalar.
    pub mode: Spanned<OverrideMode>,
}

/// What an item does to an existing item of the same name.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Amendment {
    /// `append: true` (deprecated form), with its span.
    pub append: Option<Spanned<bool>>,
    /// `override:` entries. Checked by the loader against the keys present.
    pub overrides: Vec<Override>,
    /// Span of the `override` key, when present.
    pub override_span: Option<FileSpan>,
}

impl Amendment {
    /// Whether this item defines rather than amends.
    pub fn is_definition(&self) -> bool {
        !self.append.as_ref().is_some_and(|append| append.value) && self.overrides.is_empty()
    }

    /// The override mode for `key`, if listed.
    pub fn mode_of(&self, key: &str) -> Option<OverrideMode> {
        self.overrides
            .iter()
            .find(|entry| entry.key.name == key)
            .map(|entry| entry.mode.value)
    }
}

/// A list item's entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ListEntry {
    /// The entry's value as Falco reads it.
    pub value: String,
    /// Span of the scalar.
    pub span: FileSpan,
    /// Whether the scalar was quoted in YAML.
    pub quoted: bool,
}

/// `- list: name`.
#[derive(Clone, Debug, PartialEq)]
pub struct ListItem {
    /// The name.
    pub name: Spanned<String>,
    /// The `items` entries (`None` when the key is missing).
    pub items: Option<Spanned<Vec<ListEntry>>>,
    /// append/override.
    pub amendment: Amendment,
    /// Every key present, in order (for unknown-key and override checks downstream).
    pub keys: Vec<Key>,
    /// The whole item.
    pub span: FileSpan,
}

/// `- macro: name`.
#[derive(Clone, Debug, PartialEq)]
pub struct MacroItem {
    /// The name.
    pub name: Spanned<String>,
    /// The condition text, mapped back to the file (block scalars included).
    pub condition: Option<MappedText>,
    /// Span of the condition scalar as a whole.
    pub condition_span: Option<FileSpan>,
    /// append/override.
    pub amendment: Amendment,
    /// Every key present, in order.
    pub keys: Vec<Key>,
    /// The whole item.
    pub span: FileSpan,
}

/// Rule priorities, most severe first: the one definition, which the bundle encodes
/// too, so that a rule's priority reaches the bundle unchanged.
pub use falco_priority::Priority;

/// A rule's exception, as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Exception {
    /// `name:`
    pub name: Spanned<String>,
    /// `fields:` either one field (scalar form) or a list.
    pub fields: Option<Spanned<ExceptionFields>>,
    /// `comps:` either one operator (scalar form) or a list.
    pub comps: Option<Spanned<Vec<Spanned<String>>>>,
    /// `values:` one tuple per entry.
    pub values: Option<Spanned<Vec<ExceptionValue>>>,
    /// The whole exception entry.
    pub span: FileSpan,
}

/// The `fields` of an exception.
#[derive(Clone, Debug, PartialEq)]
pub enum ExceptionFields {
    /// `fields: proc.name` (values are then a flat list).
    Single(Spanned<String>),
    /// `fields: [proc.name, fd.name]` (values are tuples).
    List(Vec<Spanned<String>>),
}

/// One entry of `values`: a tuple for list-form fields, or a single value.
#[derive(Clone, Debug, PartialEq)]
pub enum ExceptionValue {
    /// A scalar (single-field form, or a list name).
    Scalar(ListEntry),
    /// A tuple `[v1, v2, ...]`; an element may itself be a list of values.
    Tuple(Vec<ExceptionTupleElement>, FileSpan),
}

/// One element of an exception value tuple.
#[derive(Clone, Debug, PartialEq)]
pub enum ExceptionTupleElement {
    /// A scalar value, or the name of a list.
    Scalar(ListEntry),
    /// An inline list of values (for `in`-like comps).
    List(Vec<ListEntry>, FileSpan),
}

/// `- rule: name`.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleItem {
    /// The name.
    pub name: Spanned<String>,
    /// `condition`, mapped back to the file.
    pub condition: Option<MappedText>,
    /// Span of the condition scalar as a whole.
    pub condition_span: Option<FileSpan>,
    /// `output`, mapped back to the file.
    pub output: Option<MappedText>,
    /// Span of the output scalar as a whole.
    pub output_span: Option<FileSpan>,
    /// `desc`
    pub desc: Option<Spanned<String>>,
    /// `priority`
    pub priority: Option<Spanned<Priority>>,
    /// `source` (absent means `syscall`).
    pub source: Option<Spanned<String>>,
    /// `enabled`
    pub enabled: Option<Spanned<bool>>,
    /// `tags`
    pub tags: Option<Spanned<Vec<Spanned<String>>>>,
    /// `exceptions`
    pub exceptions: Option<Spanned<Vec<Exception>>>,
    /// `capture`
    pub capture: Option<Spanned<bool>>,
    /// `capture_duration` (milliseconds)
    pub capture_duration: Option<Spanned<u64>>,
    /// `warn_evttypes`
    pub warn_evttypes: Option<Spanned<bool>>,
    /// `skip-if-unknown-filter`
    pub skip_if_unknown_filter: Option<Spanned<bool>>,
    /// append/override.
    pub amendment: Amendment,
    /// Whether a key's value was rejected (its error is reported and the key left
    /// unset). Falco rejects such a rule, so nothing Falco says only of rules it
    /// loads (the event-type warning) is said of it.
    pub rejected_value: bool,
    /// Every key present, in order.
    pub keys: Vec<Key>,
    /// The whole item.
    pub span: FileSpan,
}

impl Item {
    /// The whole item's span.
    pub fn span(&self) -> FileSpan {
        match self {
            Item::RequiredEngineVersion(item) => item.span,
            Item::RequiredPluginVersions(item) => item.span,
            Item::List(item) => item.span,
            Item::Macro(item) => item.span,
            Item::Rule(item) => item.span,
        }
    }
}
