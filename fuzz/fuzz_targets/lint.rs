//! `cargo fuzz run lint`: see `falco_rulec_fuzz::targets::lint`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| falco_rulec_fuzz::targets::lint::run(data));
