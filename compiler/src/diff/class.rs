//! What each kind of change is, and its class: the meaning `rules-check compare`
//! (falcosecurity/rules, `build/checker/cmd/compare.go`) and the rules repository's
//! versioning guide (`RELEASE.md`) give them. Changes that tool does not classify
//! (a description, a condition that keeps its event types, a macro's text) are
//! patch changes, as the guide says of condition changes that keep a rule's scope.
//!
//! One class differs from that tool's: raising `required_engine_version` is major
//! here, not minor. Every older Falco refuses the ruleset then, and the rules
//! maintainers release such changes as major versions (falco-rules 3.0.0, 4.0.0 and
//! 5.0.0; the review of rules PR #218 says the guide's "minor" is not enough), so
//! this is the class their releases imply (`docs/diff.md` has the comparison).

/// How much a change asks of a version number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Backward compatible: Falco, plugins and configuration need no change.
    Patch,
    /// New content, or a newer Falco or plugin needed.
    Minor,
    /// Rulesets built on this one may break, or behaviour changes.
    Major,
}

impl Class {
    /// The name in the outputs: `major`, `minor` or `patch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Patch => "patch",
            Class::Minor => "minor",
            Class::Major => "major",
        }
    }
}

macro_rules! kinds {
    ($($kind:ident $class:ident $id:literal: $doc:literal;)*) => {
        /// A kind of change.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            $(#[doc = $doc] $kind,)*
        }

        impl Kind {
            /// Every kind, in table order.
            pub const ALL: &'static [Kind] = &[$(Kind::$kind,)*];

            /// Its class.
            pub fn class(self) -> Class {
                match self {
                    $(Kind::$kind => Class::$class,)*
                }
            }

            /// Its stable name in the JSON output.
            pub fn id(self) -> &'static str {
                match self {
                    $(Kind::$kind => $id,)*
                }
            }
        }
    };
}

kinds! {
    EngineVersionIncremented Major "engine_version_incremented": "`required_engine_version` went up (older Falco versions refuse the rules).";
    EngineVersionDecremented Patch "engine_version_decremented": "`required_engine_version` went down.";
    PluginAdded Minor "plugin_requirement_added": "A plugin requirement was added.";
    PluginRemoved Patch "plugin_requirement_removed": "A plugin requirement was removed with all its alternatives.";
    PluginIncremented Minor "plugin_version_incremented": "A plugin's required version went up.";
    PluginDecremented Patch "plugin_version_decremented": "A plugin's required version went down.";
    AlternativeAdded Patch "plugin_alternative_added": "An alternative was added to a plugin requirement.";
    AlternativeRemoved Major "plugin_alternative_removed": "An alternative was removed from a plugin requirement that stays.";
    RuleAdded Minor "rule_added": "A rule was added.";
    RuleRemoved Major "rule_removed": "A rule was removed.";
    RuleRenamed Major "rule_renamed": "A rule was renamed (same condition and output).";
    RuleEnabled Patch "rule_enabled": "A rule is enabled by default now.";
    RuleDisabled Major "rule_disabled": "A rule is disabled by default now.";
    SourceChanged Major "source_changed": "A rule's event source changed.";
    PriorityRaised Patch "priority_more_urgent": "A rule's priority is more urgent.";
    PriorityLowered Major "priority_less_urgent": "A rule's priority is less urgent.";
    TagsAdded Patch "tags_added": "A rule has more tags.";
    TagsRemoved Major "tags_removed": "A rule lost tags.";
    EventTypesWidened Patch "event_types_widened": "A rule matches event types it did not match.";
    EventTypesNarrowed Major "event_types_narrowed": "A rule no longer matches event types it matched.";
    ConditionChanged Patch "condition_changed": "A rule's own condition text changed.";
    ReachedChanged Patch "reached_item_changed": "A macro or list a rule uses changed.";
    ExceptionsAdded Patch "exceptions_added": "A rule has new exceptions.";
    ExceptionsRemoved Patch "exceptions_removed": "A rule lost exceptions.";
    ExceptionValuesChanged Patch "exception_values_changed": "An exception's fields, operators or values changed.";
    FieldsChanged Patch "fields_changed": "The fields a rule's condition reads changed.";
    OutputChanged Patch "output_changed": "A rule's output text changed.";
    OutputFieldsChanged Patch "output_fields_changed": "The fields a rule's output prints changed.";
    DescChanged Patch "desc_changed": "A rule's description changed.";
    OptionChanged Patch "option_changed": "`capture`, `capture_duration`, `warn_evttypes` or `skip-if-unknown-filter` changed.";
    MacroAdded Minor "macro_added": "A macro was added.";
    MacroRemoved Major "macro_removed": "A macro was removed (or renamed).";
    MacroConditionChanged Patch "macro_condition_changed": "A macro's condition changed.";
    MacroEventTypesChanged Major "macro_event_types_changed": "A macro matches other event types.";
    ListAdded Minor "list_added": "A list was added.";
    ListRemoved Major "list_removed": "A list was removed (or renamed).";
    ListItemsChanged Patch "list_items_changed": "A list has items added or removed.";
}
