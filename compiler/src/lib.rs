//! falco-rulec: the command-line front end. Its commands (`cli/`) run the analysis
//! engine ([`falco_analysis`]) and the back end (lowering, bundles, the VM), and its
//! renderers (`render/`) print what the analysis found; `rule_tests/` is the
//! `falco-rulec test` runner and `profile/` measures rules during `replay --profile`.

pub mod cli;
pub mod diff;
pub mod profile;
pub mod render;
pub mod rule_tests;
pub mod show;
