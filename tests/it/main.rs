//! Workspace-level tests: one binary, modules inside.

mod k8s_conformance;
mod no_panic;
mod stdlib;
mod tidy;
mod vscode;
