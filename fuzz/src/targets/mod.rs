//! One module per fuzz target: `run` takes one input, `seeds` reads the target's
//! seeds from the shared corpus.

pub mod bundle;
pub mod condition;
pub mod events;
pub mod k8s_audit;
pub mod lint;
pub mod lsp;
pub mod scap;
