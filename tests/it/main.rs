//! Workspace-level tests: one binary, modules inside.

mod no_panic;
mod tidy;
