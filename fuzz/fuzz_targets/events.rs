//! `cargo fuzz run events`: see `falco_rulec_fuzz::targets::events`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| falco_rulec_fuzz::targets::events::run(data));
