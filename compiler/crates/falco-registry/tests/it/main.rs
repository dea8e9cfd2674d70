//! The registry client's integration tests, in one binary: a real `docker-registry`
//! (`registry`), its token flow (`token`) and misbehaving impostors (`bad_registry`).

#[path = "../support/fake.rs"]
mod fake;
#[path = "../support/mod.rs"]
mod support;

mod bad_registry;
mod registry;
mod token;

/// A small valid bundle, different per `name`.
pub fn bundle(name: &str) -> Vec<u8> {
    falco_bundle::encode(&falco_bundle::Bundle {
        engine_version: name.to_string(),
        required_engine_version: None,
        plugins: Vec::new(),
        sources: vec!["k8s_audit".into()],
        fields: Vec::new(),
        consts: Vec::new(),
        operands: Vec::new(),
        checks: Vec::new(),
        code: Vec::new(),
        rules: Vec::new(),
        syscalls: falco_bundle::SyscallSet {
            all: false,
            names: Vec::new(),
        },
    })
}
