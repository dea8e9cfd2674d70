//! The event-type warning (`no-evttype-restriction`): a syscall rule whose
//! condition does not narrow the event types, as Falco counts them.

use std::cell::RefCell;
use std::sync::Arc;

use falco_diagnostics::{Code, Diagnostic};
use falco_resolve::Rule;
use falco_schema::Schema;
use falco_typeck::{EventTypeSet, TypedExpr, event_types};

use super::rule::RuleReport;
use crate::memo::{CheckMemo, EventTypes, LookedUp};

/// More event types than this (counted as Falco does, enter and exit events
/// separately) earns a rule the `no-evttype-restriction` warning.
const EVTTYPE_LIMIT: usize = 100;

impl RuleReport<'_> {
    /// The warning for a syscall rule with typed condition `tree` that matches
    /// too many event types. An undefined macro already has its error; guessing
    /// event types without it would only add noise.
    pub(super) fn event_type_warning(
        &self,
        rule: &Rule,
        tree: &Arc<TypedExpr>,
        memo: Option<&mut CheckMemo>,
    ) -> Option<Diagnostic> {
        let resolved = rule
            .condition
            .macro_refs
            .iter()
            .all(|reference| reference.target.is_some());
        if rule.source != "syscall"
            || !rule.warn_evttypes
            || rule.condition.has_syntax_errors
            || !resolved
        {
            return None;
        }
        let count = too_many_event_types(&self.event_types(rule, tree, memo))?;
        Some(
            Diagnostic::new(
                Code::W206,
                rule.origin.definition,
                format!("rule `{}` matches {count}", rule.name),
            )
            .with_label("no `evt.type` restriction")
            .with_help(
                "restrict the event types, e.g. `evt.type in (execve, execveat) and ...`, or set `warn_evttypes: false`",
            ),
        )
    }

    /// The event types of a rule's typed condition: kept in the memo while the
    /// trees they came from are the same, else computed (and kept).
    fn event_types(
        &self,
        rule: &Rule,
        tree: &Arc<TypedExpr>,
        memo: Option<&mut CheckMemo>,
    ) -> EventTypeSet {
        let lookup = |name: &str| self.macro_trees.get(&(name, rule.source.as_str())).copied();
        let text = &rule.condition.expanded.text;
        let Some(memo) = memo else {
            let lookup = |name: &str| lookup(name).map(|tree| &**tree);
            return event_types(tree, &lookup, self.schema, &rule.source);
        };
        if let Some(set) = memo.event_types(text, tree, lookup) {
            return set.clone();
        }
        let (set, looked_up) = recorded_event_types(tree, &lookup, self.schema, &rule.source);
        let kept = EventTypes {
            tree: Arc::clone(tree),
            macros: looked_up,
            set: set.clone(),
        };
        memo.store_event_types(text.clone(), kept);
        set
    }
}

/// The event types of a rule's typed condition, and the macro trees the analysis
/// looked up by name on the way.
fn recorded_event_types<'a>(
    tree: &TypedExpr,
    lookup: &dyn Fn(&str) -> Option<&'a Arc<TypedExpr>>,
    schema: &Schema,
    source: &str,
) -> (EventTypeSet, LookedUp) {
    let looked_up = RefCell::new(Vec::new());
    let recording = |name: &str| {
        let found = lookup(name);
        looked_up
            .borrow_mut()
            .push((name.to_owned(), found.cloned()));
        found.map(|tree| &**tree)
    };
    let set = event_types(tree, &recording, schema, source);
    (set, looked_up.into_inner())
}

/// How Falco would count the rule's event types, when that is too many (Falco
/// counts an event type twice: enter and exit events).
fn too_many_event_types(set: &EventTypeSet) -> Option<String> {
    match set {
        EventTypeSet::None => None,
        EventTypeSet::All => Some("every event type".to_owned()),
        EventTypeSet::AllExcept(_) => Some("nearly every event type".to_owned()),
        EventTypeSet::Only(names) if names.len() * 2 > EVTTYPE_LIMIT => {
            Some(format!("{} event types", names.len()))
        }
        EventTypeSet::Only(_) => None,
    }
}
