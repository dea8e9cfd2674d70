//! What keeps the enabled syscall rules of a bundle from running in falco-rt as they
//! run in Falco: the fields they read or print that falco-rt leaves `<NA>` on their
//! event types (`falco_events::agent_fields`), and the event types it cannot capture.
//! The agent names them at start, `falco-rulec inspect --runtime` lists the fields, and
//! docs/runtime.md's table of upstream rules is generated from this (and tested).

use falco_bundle::{Bundle, EventTypes};

/// Event types the runtime produces that are not syscalls.
pub(crate) const NON_SYSCALL_EVENTS: &[&str] = &["procexit"];

/// One enabled syscall rule and what falco-rt lacks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleGap<'a> {
    /// The rule's name.
    pub rule: &'a str,
    /// Fields it reads or prints that are `<NA>` on its events in falco-rt (with their
    /// bracket argument, as written).
    pub fields: Vec<String>,
    /// Event types it needs that falco-rt cannot capture.
    pub event_types: Vec<&'a str>,
}

/// Whether falco-rt can capture events of type `name`.
pub fn capturable(name: &str) -> bool {
    falco_rt_capture::syscalls::number(name).is_some() || NON_SYSCALL_EVENTS.contains(&name)
}

/// The enabled syscall rules of `bundle` that falco-rt cannot run as Falco does, in
/// bundle order.
pub fn rule_gaps(bundle: &Bundle) -> Vec<RuleGap<'_>> {
    bundle
        .rules
        .iter()
        .filter(|rule| {
            rule.enabled
                && bundle.sources.get(rule.source as usize).map(String::as_str) == Some("syscall")
        })
        .filter_map(|rule| {
            let types: Vec<&str> = match &rule.event_types {
                EventTypes::Only(names) => names.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            };
            let names: Vec<String> = rule
                .fields
                .iter()
                .filter_map(|&id| bundle.fields.get(id as usize))
                .map(|f| match &f.arg {
                    Some(arg) => format!("{}[{arg}]", f.name),
                    None => f.name.clone(),
                })
                .collect();
            let fields: Vec<String> =
                falco_events::agent_fields::unsupplied(names.iter().map(String::as_str), &types)
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
            let event_types: Vec<&str> = types.into_iter().filter(|t| !capturable(t)).collect();
            (!fields.is_empty() || !event_types.is_empty()).then_some(RuleGap {
                rule: &rule.name,
                fields,
                event_types,
            })
        })
        .collect()
}
