//! `cargo fuzz run lsp`: see `falco_rulec_fuzz::targets::lsp`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| falco_rulec_fuzz::targets::lsp::run(data));
