//! The collector: items in load order → one entry per name, with appends and
//! overrides applied (Falco's `rule_loader::collector`).

use rustc_hash::FxHashMap;

use falco_diagnostics::{Code, Diagnostic, counted};
use falco_loader::{
    Amendment, Exception, ExceptionFields, ExceptionValue, Item, ListEntry, ListItem, LoadedFile,
    MacroItem, OverrideMode, PluginRequirement, Priority, RuleItem, Version,
};
use falco_span::{FileId, FileSpan, MappedText, Span};

use crate::exceptions::validate_exception;
use crate::model::Origin;
use crate::{Broken, Options};

/// A list as collected.
pub(crate) struct CollectedList {
    pub name: String,
    pub origin: Origin,
    pub index: u32,
    pub visibility: u32,
    pub items: Vec<ListEntry>,
}

/// A macro as collected.
#[derive(Clone)]
pub(crate) struct CollectedMacro {
    pub name: String,
    pub origin: Origin,
    pub index: u32,
    pub visibility: u32,
    pub condition: MappedText,
}

/// A rule as collected.
pub(crate) struct CollectedRule {
    pub name: String,
    pub origin: Origin,
    pub source: String,
    pub unknown_source: bool,
    pub condition: MappedText,
    pub output: MappedText,
    pub desc: String,
    pub priority: Priority,
    pub enabled: bool,
    pub tags: Vec<String>,
    pub exceptions: Vec<Exception>,
    pub capture: bool,
    pub capture_duration: Option<u64>,
    pub warn_evttypes: bool,
    pub skip_if_unknown_filter: bool,
    pub rejected_value: bool,
}

/// Everything collected from the files.
#[derive(Default)]
pub(crate) struct Collected {
    pub lists: Vec<CollectedList>,
    pub macros: Vec<CollectedMacro>,
    pub rules: Vec<CollectedRule>,
    pub required_engine_version: Option<Version>,
    pub plugin_requirements: Vec<PluginRequirement>,
    /// Macro definitions that a later file replaced, in the order they were
    /// replaced.
    pub superseded_macros: Vec<SupersededMacroItem>,
}

/// A macro definition as it stood at the end of the last file that kept it,
/// before a later file replaced its condition. Falco compiled it then.
pub(crate) struct SupersededMacroItem {
    /// The definition as it was.
    pub item: CollectedMacro,
    /// The last file whose load compiled it.
    pub active_until: FileId,
    /// The name of the item that replaced it.
    pub replaced_by: FileSpan,
}

struct Collector<'a> {
    out: Collected,
    list_names: FxHashMap<String, usize>,
    macro_names: FxHashMap<String, usize>,
    rule_names: FxHashMap<String, usize>,
    next_index: u32,
    /// The file being collected.
    file: FileId,
    /// Macros amended in this file, as they were at the end of the previous one
    /// (what Falco had compiled), by slot.
    macros_before_file: FxHashMap<usize, CollectedMacro>,
    options: &'a Options,
    broken: &'a Broken,
    diagnostics: &'a mut Vec<Diagnostic>,
}

/// Runs the collector over every item of every file, in order.
pub(crate) fn collect(
    files: &[LoadedFile],
    options: &Options,
    broken: &Broken,
    diagnostics: &mut Vec<Diagnostic>,
) -> Collected {
    let mut collector = Collector {
        out: Collected::default(),
        list_names: FxHashMap::default(),
        macro_names: FxHashMap::default(),
        rule_names: FxHashMap::default(),
        next_index: 0,
        file: FileId(0),
        macros_before_file: FxHashMap::default(),
        options,
        broken,
        diagnostics,
    };
    for file in files {
        collector.file = file.file;
        collector.macros_before_file.clear();
        for item in &file.items {
            collector.item(item);
        }
    }
    collector.out
}

/// Appends `next` to `prev` with one space between, as Falco concatenates.
pub(crate) fn append_text(prev: &mut MappedText, next: &MappedText) {
    let at = next.to_file(Span::empty(0)).unwrap_or_default();
    prev.push_collapsed(" ", at);
    prev.push_mapped(next);
}

fn is_appending(amendment: &Amendment) -> bool {
    amendment.append.as_ref().is_some_and(|append| append.value)
}

impl Collector<'_> {
    fn take_index(&mut self) -> u32 {
        let index = self.next_index;
        self.next_index += 1;
        index
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::RequiredEngineVersion(item) => {
                let required = item.version.value;
                if required > self.options.engine_version {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::E201,
                            item.version.span,
                            format!(
                                "rules require engine version {required}, but the target engine is {}",
                                self.options.engine_version
                            ),
                        )
                        .with_label("required here")
                        .with_help("upgrade Falco, or lower `required_engine_version` if the rules do not need the newer engine"),
                    );
                }
                if self
                    .out
                    .required_engine_version
                    .is_none_or(|current| current < required)
                {
                    self.out.required_engine_version = Some(required);
                }
            }
            Item::RequiredPluginVersions(item) => {
                for requirement in &item.plugins {
                    self.diagnostics
                        .extend(crate::plugins::unsatisfiable(requirement, self.options));
                }
                self.out
                    .plugin_requirements
                    .extend(item.plugins.iter().cloned());
            }
            Item::List(item) => self.list(item),
            Item::Macro(item) => self.macro_item(item),
            Item::Rule(item) => self.rule(item),
        }
    }

    fn missing_target(&mut self, kind: &str, name: &falco_loader::Spanned<String>, verb: &str) {
        // The loader already reported why that item is missing.
        if self.broken.contains(kind, &name.value) {
            return;
        }
        let candidates: Vec<&str> = match kind {
            "list" => self.list_names.keys().map(String::as_str).collect(),
            "macro" => self.macro_names.keys().map(String::as_str).collect(),
            _ => self.rule_names.keys().map(String::as_str).collect(),
        };
        let diagnostic = Diagnostic::new(
            Code::E202,
            name.span,
            format!(
                "{verb} {kind} `{}`, but no {kind} by that name exists yet",
                name.value
            ),
        )
        .with_label(format!("no earlier {kind} `{}`", name.value));
        self.diagnostics.push(
            match falco_diagnostics::did_you_mean(&name.value, candidates) {
                Some(near) => diagnostic.with_did_you_mean(&name.value, near),
                None => diagnostic.with_help(format!(
                    "define the {kind} before this item, in this file or in a file loaded earlier"
                )),
            },
        );
    }

    fn list(&mut self, item: &ListItem) {
        let entries = item
            .items
            .as_ref()
            .map(|items| items.value.clone())
            .unwrap_or_default();
        let mode = if is_appending(&item.amendment) {
            Some(OverrideMode::Append)
        } else {
            item.amendment.mode_of("items")
        };
        // Falco treats replacing the items of a list that does not exist yet as a
        // plain definition.
        let exists = self.list_names.contains_key(&item.name.value);
        let Some(mode) = mode.filter(|mode| exists || *mode == OverrideMode::Append) else {
            let index = self.take_index();
            match self.list_names.get(&item.name.value) {
                Some(&slot) => {
                    let prev = &mut self.out.lists[slot];
                    let changed = !same_values(&prev.items, &entries);
                    prev.visibility = index;
                    prev.items = entries;
                    prev.origin.amendments.push(item.name.span);
                    let first = prev.origin.definition;
                    if changed {
                        self.redefined(item.name.span, first, "list");
                    }
                }
                None => {
                    self.list_names
                        .insert(item.name.value.clone(), self.out.lists.len());
                    self.out.lists.push(CollectedList {
                        name: item.name.value.clone(),
                        origin: origin(item.name.span, item.span),
                        index,
                        visibility: index,
                        items: entries,
                    });
                }
            }
            return;
        };
        let Some(&slot) = self.list_names.get(&item.name.value) else {
            let verb = if mode == OverrideMode::Append {
                "cannot append to"
            } else {
                "cannot replace items of"
            };
            self.missing_target("list", &item.name, verb);
            return;
        };
        let index = self.take_index();
        let prev = &mut self.out.lists[slot];
        match mode {
            OverrideMode::Append => prev.items.extend(entries),
            OverrideMode::Replace => prev.items = entries,
        }
        prev.visibility = index;
        prev.origin.amendments.push(item.name.span);
    }

    /// Reports a redefinition that changes the item (identical copies, common when
    /// several rules files carry the same helper, stay silent).
    fn redefined(&mut self, at: FileSpan, first: FileSpan, kind: &str) {
        self.diagnostics.push(
            Diagnostic::new(
                Code::I201,
                at,
                format!("this {kind} replaces an earlier definition"),
            )
            .with_related(first, "first defined here"),
        );
    }

    fn macro_item(&mut self, item: &MacroItem) {
        let condition = item.condition.clone().unwrap_or_default();
        let mode = if is_appending(&item.amendment) {
            Some(OverrideMode::Append)
        } else {
            item.amendment.mode_of("condition")
        };
        // As for lists, replacing a macro that does not exist yet defines it.
        let exists = self.macro_names.contains_key(&item.name.value);
        let Some(mode) = mode.filter(|mode| exists || *mode == OverrideMode::Append) else {
            let index = self.take_index();
            match self.macro_names.get(&item.name.value) {
                Some(&slot) => {
                    let first = self.out.macros[slot].origin.definition;
                    let changed = self.out.macros[slot].condition.text != condition.text;
                    self.keep_macro_before_file(slot);
                    if changed {
                        self.supersede_macro(slot, item.name.span);
                    }
                    let prev = &mut self.out.macros[slot];
                    prev.visibility = index;
                    prev.condition = condition;
                    prev.origin.amendments.push(item.name.span);
                    if changed {
                        self.redefined(item.name.span, first, "macro");
                    }
                }
                None => {
                    self.macro_names
                        .insert(item.name.value.clone(), self.out.macros.len());
                    self.out.macros.push(CollectedMacro {
                        name: item.name.value.clone(),
                        origin: origin(item.name.span, item.span),
                        index,
                        visibility: index,
                        condition,
                    });
                }
            }
            return;
        };
        let Some(&slot) = self.macro_names.get(&item.name.value) else {
            let verb = if mode == OverrideMode::Append {
                "cannot append to"
            } else {
                "cannot replace the condition of"
            };
            self.missing_target("macro", &item.name, verb);
            return;
        };
        let index = self.take_index();
        self.keep_macro_before_file(slot);
        if mode == OverrideMode::Replace && self.out.macros[slot].condition.text != condition.text {
            self.supersede_macro(slot, item.name.span);
        }
        let prev = &mut self.out.macros[slot];
        match mode {
            OverrideMode::Append => append_text(&mut prev.condition, &condition),
            OverrideMode::Replace => prev.condition = condition,
        }
        prev.visibility = index;
        prev.origin.amendments.push(item.name.span);
    }

    /// Keeps macro `slot` as it was at the end of the previous file, before this
    /// file first changes it (unless this file defined it).
    fn keep_macro_before_file(&mut self, slot: usize) {
        let current = &self.out.macros[slot];
        if last_file(&current.origin) < self.file {
            self.macros_before_file.insert(slot, current.clone());
        }
    }

    /// Records that this file replaces the condition of macro `slot`: the version
    /// the previous file left was compiled by Falco, so it is checked as it was.
    fn supersede_macro(&mut self, slot: usize, replaced_by: FileSpan) {
        if let Some(item) = self.macros_before_file.remove(&slot) {
            self.out.superseded_macros.push(SupersededMacroItem {
                item,
                active_until: FileId(self.file.0.saturating_sub(1)),
                replaced_by,
            });
        }
    }

    fn rule(&mut self, item: &RuleItem) {
        if is_appending(&item.amendment) {
            self.amend_rule(item, &|_| Some(OverrideMode::Append));
        } else if !item.amendment.overrides.is_empty() {
            let amendment = &item.amendment;
            self.amend_rule(item, &|key| amendment.mode_of(key));
        } else if is_enabled_toggle(item) {
            match self.rule_names.get(&item.name.value) {
                Some(&slot) => {
                    let rule = &mut self.out.rules[slot];
                    rule.enabled = item.enabled.as_ref().is_none_or(|enabled| enabled.value);
                    rule.origin.amendments.push(item.name.span);
                }
                None => self.missing_target("rule", &item.name, "cannot enable or disable"),
            }
        } else {
            self.define_rule(item);
        }
    }

    fn define_rule(&mut self, item: &RuleItem) {
        let source = item
            .source
            .as_ref()
            .map(|source| source.value.clone())
            .filter(|source| !source.is_empty())
            .unwrap_or_else(|| "syscall".to_owned());
        let previous = self.rule_names.get(&item.name.value).copied();
        if let Some(slot) = previous {
            let prev = &self.out.rules[slot];
            if prev.source != source {
                let at = item
                    .source
                    .as_ref()
                    .map_or(item.name.span, |source| source.span);
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::E204,
                        at,
                        format!(
                            "rule `{}` is redefined with source `{source}`, but it was defined with source `{}`",
                            item.name.value, prev.source
                        ),
                    )
                    .with_related(prev.origin.definition, "first defined here")
                    .with_help("give the rule a new name, or keep the original source"),
                );
                return;
            }
        }
        let unknown_source = !self.options.known_sources.contains(&source);
        if unknown_source {
            let at = item
                .source
                .as_ref()
                .map_or(item.name.span, |source| source.span);
            self.diagnostics.push(
                Diagnostic::new(Code::W203, at, format!("unknown source `{source}`, so rule `{}` is skipped", item.name.value))
                    .with_help(format!(
                        "known sources: {}; load the plugin that provides `{source}` to check this rule",
                        self.options.known_sources.join(", ")
                    )),
            );
        }
        let mut exceptions = Vec::new();
        if let Some(list) = &item.exceptions {
            for exception in &list.value {
                if exceptions
                    .iter()
                    .any(|seen: &Exception| seen.name.value == exception.name.value)
                {
                    self.duplicate_exception(exception, &exceptions);
                }
                let mut exception = exception.clone();
                if validate_exception(&mut exception, self.diagnostics) {
                    exceptions.push(exception);
                }
            }
        }
        self.take_index();
        let rule = CollectedRule {
            name: item.name.value.clone(),
            origin: origin(item.name.span, item.span),
            source,
            unknown_source,
            condition: item.condition.clone().unwrap_or_default(),
            output: item.output.clone().unwrap_or_default(),
            desc: item
                .desc
                .as_ref()
                .map(|desc| desc.value.clone())
                .unwrap_or_default(),
            priority: item
                .priority
                .as_ref()
                .map_or(Priority::Debug, |priority| priority.value),
            enabled: item.enabled.as_ref().is_none_or(|enabled| enabled.value),
            tags: sorted_tags(item),
            exceptions,
            capture: item.capture.as_ref().is_some_and(|capture| capture.value),
            capture_duration: item
                .capture_duration
                .as_ref()
                .map(|duration| duration.value),
            warn_evttypes: item.warn_evttypes.as_ref().is_none_or(|warn| warn.value),
            skip_if_unknown_filter: item
                .skip_if_unknown_filter
                .as_ref()
                .is_some_and(|skip| skip.value),
            rejected_value: item.rejected_value,
        };
        match previous {
            Some(slot) => {
                let first = self.out.rules[slot].origin.clone();
                let prev = &self.out.rules[slot];
                if prev.condition.text != rule.condition.text
                    || prev.output.text != rule.output.text
                {
                    self.redefined(item.name.span, first.definition, "rule");
                }
                let mut rule = rule;
                rule.origin = first;
                rule.origin.amendments.push(item.name.span);
                self.out.rules[slot] = rule;
            }
            None => {
                self.rule_names
                    .insert(item.name.value.clone(), self.out.rules.len());
                self.out.rules.push(rule);
            }
        }
    }

    fn duplicate_exception(&mut self, exception: &Exception, seen: &[Exception]) {
        let mut diagnostic = Diagnostic::new(
            Code::W204,
            exception.name.span,
            format!(
                "exception name `{}` is used twice in this rule",
                exception.name.value
            ),
        )
        .with_help("give each exception of a rule its own name");
        if let Some(first) = seen
            .iter()
            .find(|seen| seen.name.value == exception.name.value)
        {
            diagnostic = diagnostic.with_related(first.name.span, "first used here");
        }
        self.diagnostics.push(diagnostic);
    }

    fn amend_rule(&mut self, item: &RuleItem, mode_of: &dyn Fn(&str) -> Option<OverrideMode>) {
        if is_appending(&item.amendment)
            && item.condition.is_none()
            && item.output.is_none()
            && item.desc.is_none()
            && item.tags.is_none()
            && item.exceptions.is_none()
        {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::E207,
                    item.name.span,
                    format!(
                        "appending to rule `{}` with nothing to append",
                        item.name.value
                    ),
                )
                .with_label("no condition, output, desc, tags or exceptions")
                .with_help("add the condition or exceptions to append, or remove this item"),
            );
            return;
        }
        let Some(&slot) = self.rule_names.get(&item.name.value) else {
            let verb = if is_appending(&item.amendment) {
                "cannot append to"
            } else {
                "cannot override"
            };
            self.missing_target("rule", &item.name, verb);
            return;
        };
        if let Some(source) = &item.source {
            let prev = &self.out.rules[slot];
            if !source.value.is_empty() && source.value != prev.source {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::E204,
                        source.span,
                        format!(
                            "rule `{}` is amended with source `{}`, but it was defined with source `{}`",
                            item.name.value, source.value, prev.source
                        ),
                    )
                    .with_related(prev.origin.definition, "defined here"),
                );
                return;
            }
        }
        self.take_index();
        let mut added_exceptions = Vec::new();
        if let Some(list) = &item.exceptions {
            let prev_exceptions = &self.out.rules[slot].exceptions;
            let replacing = mode_of("exceptions") == Some(OverrideMode::Replace);
            for exception in &list.value {
                let existing = !replacing
                    && prev_exceptions
                        .iter()
                        .any(|prev| prev.name.value == exception.name.value);
                added_exceptions.push((exception.clone(), existing));
            }
        }
        let diagnostics = &mut *self.diagnostics;
        let rule = &mut self.out.rules[slot];
        rule.origin.amendments.push(item.name.span);
        if let Some(condition) = &item.condition {
            match mode_of("condition") {
                Some(OverrideMode::Append) if !condition.text.is_empty() => {
                    append_text(&mut rule.condition, condition)
                }
                Some(OverrideMode::Replace) => rule.condition = condition.clone(),
                _ => {}
            }
        }
        if let Some(output) = &item.output {
            match mode_of("output") {
                Some(OverrideMode::Append) if !output.text.is_empty() => {
                    append_text(&mut rule.output, output)
                }
                Some(OverrideMode::Replace) => rule.output = output.clone(),
                _ => {}
            }
        }
        if let Some(desc) = &item.desc {
            match mode_of("desc") {
                Some(OverrideMode::Append) if !desc.value.is_empty() => {
                    rule.desc.push(' ');
                    rule.desc.push_str(&desc.value);
                }
                Some(OverrideMode::Replace) => rule.desc = desc.value.clone(),
                _ => {}
            }
        }
        if item.tags.is_some() {
            match mode_of("tags") {
                Some(OverrideMode::Append) => {
                    rule.tags.extend(sorted_tags(item));
                    rule.tags.sort();
                    rule.tags.dedup();
                }
                Some(OverrideMode::Replace) => rule.tags = sorted_tags(item),
                None => {}
            }
        }
        if item.exceptions.is_some() {
            if mode_of("exceptions") == Some(OverrideMode::Replace) {
                rule.exceptions.clear();
            }
            for (exception, existing) in added_exceptions {
                if existing {
                    merge_exception_values(rule, exception, diagnostics);
                } else {
                    let mut exception = exception;
                    if validate_exception(&mut exception, diagnostics) {
                        rule.exceptions.push(exception);
                    }
                }
            }
        }
        let replace = |key: &str| mode_of(key) == Some(OverrideMode::Replace);
        if let Some(priority) = item.priority.as_ref().filter(|_| replace("priority")) {
            rule.priority = priority.value;
        }
        if let Some(enabled) = item.enabled.as_ref().filter(|_| replace("enabled")) {
            rule.enabled = enabled.value;
        }
        if let Some(capture) = item.capture.as_ref().filter(|_| replace("capture")) {
            rule.capture = capture.value;
        }
        if let Some(duration) = item
            .capture_duration
            .as_ref()
            .filter(|_| replace("capture_duration"))
        {
            rule.capture_duration = Some(duration.value);
        }
        if let Some(warn) = item
            .warn_evttypes
            .as_ref()
            .filter(|_| replace("warn_evttypes"))
        {
            rule.warn_evttypes = warn.value;
        }
        if let Some(skip) = item
            .skip_if_unknown_filter
            .as_ref()
            .filter(|_| replace("skip-if-unknown-filter"))
        {
            rule.skip_if_unknown_filter = skip.value;
        }
    }
}

/// Adds the values of an appended exception to the existing one of the same name.
fn merge_exception_values(
    rule: &mut CollectedRule,
    exception: Exception,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(prev) = rule
        .exceptions
        .iter_mut()
        .find(|prev| prev.name.value == exception.name.value)
    else {
        return;
    };
    if let Some(fields) = &exception.fields {
        diagnostics.push(
            Diagnostic::new(
                Code::E206,
                fields.span,
                format!("cannot change the fields of existing exception `{}` when appending", exception.name.value),
            )
            .with_related(prev.name.span, "exception defined here")
            .with_help("append only `values`, or replace the rule's exceptions with `override: {exceptions: replace}`"),
        );
        return;
    }
    if let Some(comps) = &exception.comps {
        diagnostics.push(
            Diagnostic::new(
                Code::E206,
                comps.span,
                format!("cannot change the comps of existing exception `{}` when appending", exception.name.value),
            )
            .with_related(prev.name.span, "exception defined here")
            .with_help("append only `values`, or replace the rule's exceptions with `override: {exceptions: replace}`"),
        );
        return;
    }
    if let (Some(ExceptionFields::List(fields)), Some(values)) = (
        prev.fields.as_ref().map(|fields| &fields.value),
        exception.values.as_ref(),
    ) {
        for value in &values.value {
            let (count, span) = match value {
                ExceptionValue::Tuple(elements, span) => (elements.len(), *span),
                ExceptionValue::Scalar(entry) => (1, entry.span),
            };
            if count != fields.len() {
                diagnostics.push(
                    Diagnostic::new(
                        Code::E205,
                        span,
                        format!(
                            "exception `{}` has {} but this appended value has {}",
                            exception.name.value,
                            counted(fields.len(), "field"),
                            counted(count, "element")
                        ),
                    )
                    .with_label(format!("{} here", counted(count, "element")))
                    .with_related(prev.name.span, "exception defined here")
                    .with_help(
                        "give one value per field, in the order of the exception's `fields`",
                    ),
                );
                return;
            }
        }
    }
    match exception.values {
        Some(values) if !values.value.is_empty() => match &mut prev.values {
            Some(prev_values) => prev_values.value.extend(values.value),
            None => prev.values = Some(values),
        },
        _ => diagnostics.push(
            Diagnostic::new(
                Code::W205,
                exception.name.span,
                format!(
                    "exception `{}` is appended with no values",
                    exception.name.value
                ),
            )
            .with_related(prev.name.span, "exception defined here")
            .with_help("add `values`, or remove this exception entry"),
        ),
    }
}

fn is_enabled_toggle(item: &RuleItem) -> bool {
    item.enabled.is_some()
        && item.condition.is_none()
        && item.output.is_none()
        && item.desc.is_none()
        && item.priority.is_none()
}

fn sorted_tags(item: &RuleItem) -> Vec<String> {
    let mut tags: Vec<String> = item
        .tags
        .as_ref()
        .map(|tags| tags.value.iter().map(|tag| tag.value.clone()).collect())
        .unwrap_or_default();
    tags.sort();
    tags.dedup();
    tags
}

/// The last file that defined or amended an item.
pub(crate) fn last_file(origin: &Origin) -> FileId {
    origin
        .amendments
        .iter()
        .map(|span| span.file)
        .fold(origin.definition.file, std::cmp::max)
}

fn origin(name: FileSpan, item: FileSpan) -> Origin {
    Origin {
        definition: name,
        item,
        amendments: Vec::new(),
    }
}

fn same_values(a: &[ListEntry], b: &[ListEntry]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.value == b.value)
}
