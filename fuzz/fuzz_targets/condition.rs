//! `cargo fuzz run condition`: see `falco_rulec_fuzz::targets::condition`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| falco_rulec_fuzz::targets::condition::run(data));
