//! Rule tests (`falco-rulec test`): YAML files of cases, each with events and the rules
//! that must or must not fire on them. The format is described in `docs/rule-tests.md`.
//!
//! - [`format`] reads a test file into [`TestFile`] (every mistake with its line and
//!   column);
//! - [`run`] loads the rules, compiles them into a bundle, replays each case's events on
//!   the VM and compares the alerts with the expectations;
//! - [`report`] renders the outcomes as text or JSON;
//! - with `--coverage`, [`coverage`] counts what the events made of each operand and
//!   exception row of the rules, and [`coverage_report`] renders that as text, JSON
//!   and lcov.

pub mod coverage;
pub mod coverage_report;
mod engine;
pub mod format;
pub mod report;
pub mod run;
mod yaml_json;

pub use format::{Case, EventsSpec, Expectation, NotFire, RuleMatching, RulesSpec, TestFile};
pub use run::{CaseOutcome, CaseStatus, Failure, FileFailure, FileOutcome, run_file};
