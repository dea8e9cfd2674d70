//! `cargo fuzz run bundle`: see `falco_rulec_fuzz::targets::bundle`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| falco_rulec_fuzz::targets::bundle::run(data));
