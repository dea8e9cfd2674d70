//! One module per feature; each handler is a plain function over a [`World`](crate::workspace::World).

pub mod code_actions;
pub mod completion;
pub mod formatting;
pub mod hover;
pub mod navigation;
pub mod semantic_tokens;
pub mod symbols;
