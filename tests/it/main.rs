//! Workspace-level tests: one binary, modules inside.

mod differential;
mod k8s_conformance;
mod no_panic;
mod stdlib;
mod tidy;
mod vscode;
