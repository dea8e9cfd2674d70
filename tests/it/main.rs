//! Workspace-level tests: one binary, modules inside.

mod architecture;
mod differential;
mod doc_examples;
mod falco_anchor;
mod falco_traces;
mod fmt_corpus;
mod k8s_conformance;
mod lint_compile_load;
mod no_panic;
mod operators;
mod rules_files;
mod runtime_gaps;
mod stdlib;
mod tidy;
mod vscode;
