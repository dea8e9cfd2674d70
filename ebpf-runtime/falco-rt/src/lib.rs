//! The falco-rt node agent (binary `falco-rt`).
//!
//! A compiled rule bundle in, alerts out. The modules, one job each:
//!
//! - [`cli`]: the command line; [`config`]: the `falco.yaml` keys that apply, and
//!   [`not_applied`]: the ones that do not, named at start; [`append`]: `append_output`;
//!   [`drops`]: `syscall_event_drops`;
//! - [`rules`]: loading and verifying the bundle, the engine in force, the syscalls it
//!   needs; [`admit`]: the checks a bundle passes before it runs (signature, verifier,
//!   compatibility, dry-run load); [`watch`]: noticing that the bundle file changed;
//!   [`follow`]: following a tag on an OCI registry, with the on-disk cache;
//!   [`signals`]: SIGTERM, SIGINT, SIGHUP and SIGUSR1 as flags;
//! - [`metrics`]: `/metrics` and `/healthz`;
//! - [`agent`]: the event loop (capture → state → event → VM → outputs), the webhook's
//!   handler, reloads, drop alerts and shutdown;
//! - [`alerts`]: rendering for the outputs, and falco-rt's own alerts;
//! - [`capture_cmd`]: `falco-rt capture`; [`stats`]: counters and the stats line.
//!
//! The kernel capture, the state, the enrichment, the outputs and the webhook are crates
//! of their own (`falco-rt-capture`, `-state`, `-enrich`, `-output`, `-webhook`).

pub mod admit;
pub mod agent;
pub mod alerts;
pub mod append;
pub mod capture_cmd;
pub mod capture_scap;
pub mod cli;
pub mod config;
pub mod drops;
pub mod follow;
pub mod gaps;
pub mod metrics;
pub mod not_applied;
pub mod origin;
pub mod rules;
pub mod signals;
pub mod stats;
pub mod watch;

#[cfg(test)]
mod tests;
