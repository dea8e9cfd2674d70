//! The type checker's integration tests, in one binary: libsinsp conformance,
//! the code docs' examples, robustness on damaged conditions, and the upstream rulesets.

mod conformance;
mod docs;
mod robustness;
mod upstream;
