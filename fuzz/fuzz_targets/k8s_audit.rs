//! `cargo fuzz run k8s_audit`: see `falco_rulec_fuzz::targets::k8s_audit`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| falco_rulec_fuzz::targets::k8s_audit::run(data));
