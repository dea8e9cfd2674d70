//! The registry client's integration tests, in one binary: a real `docker-registry`
//! (`registry`), its token flow (`token`) and misbehaving impostors (`bad_registry`).

#[path = "../support/fake.rs"]
mod fake;
#[path = "../support/mod.rs"]
mod support;

mod bad_registry;
mod registry;
mod token;
