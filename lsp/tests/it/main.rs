//! Tests of the real `falco-rules-lsp` binary over stdio.

mod abuse;
mod cli;
mod client;
mod completion;
mod fixtures;
mod hostile;
mod neovim;
mod protocol;
mod workspace;
