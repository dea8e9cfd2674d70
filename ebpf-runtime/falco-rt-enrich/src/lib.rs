//! From kernel records to Falco events.
//!
//! [`Enricher::record`] applies one capture record to the userspace [`State`] and writes
//! the Falco event it stands for as one line of the replay format (`docs/event-format.md`):
//! the event type and return value, the arguments under Falco's parameter names (with
//! Falco's text for flags, modes and ids), the thread and its ancestors from the process
//! table, the file descriptor the call acts on, and the container (its id from the
//! cgroup; its engine's metadata from a [`ContainerMetadata`] source, such as
//! `falco-rt-container`'s cache, when it has answered). The same line is what
//! `falco-rt capture` records and what [`to_event`] parses for the rule VM, so a capture
//! replays exactly as the agent saw it.
//!
//! What the runtime supplies is listed in `falco_events::agent_fields`; any other field
//! is `<NA>`. The crate links no eBPF loader.

mod args;
mod caps;
mod json;
mod line;
mod unlisted;

#[cfg(test)]
mod tests;

pub use line::{ContainerMetadata, Enricher, KnownContainer, event_type, to_event};
