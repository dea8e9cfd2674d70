//! The rule VM: runs a verified rule bundle over events and renders alerts as Falco
//! prints them. It links no parser crate (only `falco-bundle` and `falco-events`), so
//! the node agent can embed it alone.
//!
//! # How to use
//!
//! ```text
//! let mut engine = Engine::load(&bytes)?;              // decode + verify + build matchers
//! engine.set_rule_matching(RuleMatching::All);         // default: First
//! engine.set_min_priority(Priority::Warning);          // default: Debug (every rule)
//! engine.set_hostname("node-1");                       // for events without a host name
//! let mut scratch = engine.scratch();                  // one per thread, reused
//! let mut hits = Vec::new();
//! for event in falco_events::read_events(source, &text) {
//!     let event = event?;
//!     engine.matching_rules(&event, &mut scratch, &mut hits);   // hot path, no allocation
//!     for &rule in &hits {
//!         let alert = engine.alert(rule, &event, &mut scratch).unwrap();
//!         println!("{}", alert.to_json(&OutputOptions::default()));   // or to_text
//!     }
//! }
//! ```
//!
//! - [`Engine::rules`] are the bundle's rules (name, priority, tags, source, output,
//!   event types, fields); rule ids are indices into it.
//! - [`Engine::syscalls`] is the set of syscall event types to capture;
//!   [`Engine::candidates`] the rules the event-type index picks for an event.
//! - [`Engine::rule_matches`] evaluates one rule (used for per-rule costs and tests).
//! - [`Engine::matching_rules_traced`] reports each rule evaluated and each check's
//!   result to a [`Trace`] (coverage, profiles); `matching_rules` runs the same
//!   interpreter with the empty tracer, which compiles to nothing.
//! - [`Engine::unsupported_fields`] lists the fields that are always `<NA>` here.
//! - [`Alert`] carries everything Falco puts in an alert; [`Alert::to_text`] and
//!   [`Alert::to_json`] render it with Falco's [`OutputOptions`].
//!
//! Semantics are libsinsp's: `<NA>` (a missing value) makes every comparison false,
//! `exists` included, and `not` simply negates; a list field holds `in` when all its
//! elements are in the set and `intersects` when one is, other operators when one
//! element holds; an `AnyOf` value holds when one candidate does (but `!=` on
//! `fd.ip`/`fd.port`/`fd.net` needs both ends of the socket to differ); `oneof`/`anyof`/
//! `allof` count the values that hold (exactly one / at least one / all).

mod alert;
mod check;
mod engine;
mod fields;
mod glob;
mod operand;

#[cfg(test)]
mod tests;

pub use alert::{Alert, OutputField, OutputOptions};
pub use engine::{Engine, ExtraField, LoadError, RuleMatching, Scratch, Trace};
pub use falco_bundle::{Priority, Rule};
