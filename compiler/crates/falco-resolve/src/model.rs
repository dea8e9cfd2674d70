//! The resolved ruleset.

use std::sync::Arc;

use falco_condition::ast::{Expr, Output};
use falco_diagnostics::Diagnostic;
use falco_loader::{Exception, ListEntry, PluginRequirement, Priority, Version};
use falco_span::{FileId, FileSpan, MappedText, Span};

/// Index of a list in [`Ruleset::lists`].
pub type ListId = usize;
/// Index of a macro in [`Ruleset::macros`].
pub type MacroId = usize;

/// Everything the files define, after load order, appends and overrides.
#[derive(Clone, Debug, Default)]
pub struct Ruleset {
    /// Lists in definition order.
    pub lists: Vec<List>,
    /// Macros in definition order.
    pub macros: Vec<Macro>,
    /// Rules in definition order.
    pub rules: Vec<Rule>,
    /// The highest `required_engine_version`, if any.
    pub required_engine_version: Option<Version>,
    /// Every `required_plugin_versions` entry, in order.
    pub plugin_requirements: Vec<PluginRequirement>,
    /// Macro definitions that a later file replaced, in the order they were
    /// replaced.
    pub superseded_macros: Vec<SupersededMacro>,
}

impl Ruleset {
    /// The list named `name`.
    pub fn list(&self, name: &str) -> Option<&List> {
        self.lists.iter().find(|list| list.name == name)
    }

    /// The macro named `name`.
    pub fn macro_named(&self, name: &str) -> Option<&Macro> {
        self.macros.iter().find(|item| item.name == name)
    }

    /// The rule named `name`.
    pub fn rule(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.name == name)
    }
}

/// Where an item was defined and amended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The name's span in the first definition (a redefinition keeps the position).
    pub definition: FileSpan,
    /// The whole first-definition item.
    pub item: FileSpan,
    /// Name spans of later items that redefined, appended to or overrode it.
    pub amendments: Vec<FileSpan>,
}

/// A use of a list inside a condition or another list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListUse {
    /// Which list.
    pub list: ListId,
    /// Where its name is written.
    pub span: FileSpan,
}

/// A resolved list.
#[derive(Clone, Debug)]
pub struct List {
    /// Name.
    pub name: String,
    /// Definition and amendments.
    pub origin: Origin,
    /// Entries after appends, with earlier lists spliced in (unquoted values).
    pub items: Vec<ListEntry>,
    /// Uses of other lists inside this list's items.
    pub list_uses: Vec<ListUse>,
    /// Whether a rule, macro or list refers to it.
    pub used: bool,
}

/// A condition after assembly: the text as written (appends joined), the text the
/// parser saw (exceptions added, lists substituted), and the parse.
#[derive(Clone, Debug)]
pub struct Condition {
    /// Condition text with appends, before list substitution.
    pub source: MappedText,
    /// The text that was parsed: exceptions appended, lists substituted.
    pub expanded: MappedText,
    /// The syntax tree of `expanded` (spans into `expanded.text`), shared with
    /// the [`ParseMemo`](crate::ParseMemo) that may hold it.
    pub ast: Arc<Expr>,
    /// Lists substituted into it.
    pub list_uses: Vec<ListUse>,
    /// Macro references and what they resolved to.
    pub macro_refs: Vec<MacroRef>,
    /// Whether the parse reported errors.
    pub has_syntax_errors: bool,
}

impl Condition {
    /// Maps a span of [`Condition::expanded`] back to its file.
    pub fn to_file(&self, span: Span) -> Option<FileSpan> {
        self.expanded.to_file(span)
    }
}

/// A macro reference inside a condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroRef {
    /// The name.
    pub name: String,
    /// Span in the condition's expanded text.
    pub span: Span,
    /// The macro it binds to (`None` when undefined or not visible).
    pub target: Option<MacroId>,
}

/// A resolved macro.
#[derive(Clone, Debug)]
pub struct Macro {
    /// Name.
    pub name: String,
    /// Definition and amendments.
    pub origin: Origin,
    /// The condition.
    pub condition: Condition,
    /// Whether a rule or another macro refers to it.
    pub used: bool,
    /// Whether it is part of a reference loop (an error; Falco refuses it).
    pub looped: bool,
}

/// A macro definition that a later file replaced. Falco compiles the whole
/// ruleset after each file it loads, so this definition was compiled with the
/// files up to `active_until` and is checked as it stood then: its lists
/// substituted and its macro references bound as they were, under the sources of
/// the rules loaded by then.
#[derive(Clone, Debug)]
pub struct SupersededMacro {
    /// Name.
    pub name: String,
    /// Its definition and the amendments it had then.
    pub origin: Origin,
    /// The condition as it was.
    pub condition: Condition,
    /// The last file whose load compiled it.
    pub active_until: FileId,
    /// The name of the later item that replaced it.
    pub replaced_by: FileSpan,
}

impl SupersededMacro {
    /// Adds to a diagnostic about this definition the later item that replaced it.
    pub fn explain(&self, diagnostic: Diagnostic) -> Diagnostic {
        diagnostic
            .with_related(
                self.replaced_by,
                format!("`{}` is replaced here, by a later file", self.name),
            )
            .with_note(
                "Falco compiles the rules after each file it loads, so it checked this definition before the later file replaced it",
            )
    }
}

/// A resolved rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Name.
    pub name: String,
    /// Definition and amendments.
    pub origin: Origin,
    /// Event source (`syscall` when not given).
    pub source: String,
    /// Whether the source is unknown (the rule is then skipped, as Falco does).
    pub unknown_source: bool,
    /// Description.
    pub desc: String,
    /// Priority.
    pub priority: Priority,
    /// Whether the rule is enabled.
    pub enabled: bool,
    /// Tags (a set, sorted, as Falco keeps them).
    pub tags: Vec<String>,
    /// Exceptions after appends.
    pub exceptions: Vec<Exception>,
    /// The condition (exceptions included in its expanded text).
    pub condition: Condition,
    /// The output format text, with appends.
    pub output: MappedText,
    /// The parsed output (spans into `output.text`), shared like
    /// [`Condition::ast`].
    pub output_ast: Arc<Output>,
    /// `capture`
    pub capture: bool,
    /// `capture_duration` in milliseconds, if set.
    pub capture_duration: Option<u64>,
    /// `warn_evttypes` (default true).
    pub warn_evttypes: bool,
    /// `skip-if-unknown-filter` (default false).
    pub skip_if_unknown_filter: bool,
    /// Whether the loader rejected one of the definition's key values (reported;
    /// the key has its default here). Falco rejects the rule.
    pub rejected_value: bool,
}
