//! `cargo fuzz run scap`: see `falco_rulec_fuzz::targets::scap`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| falco_rulec_fuzz::targets::scap::run(data));
