//! The agent's integration tests, in one binary (one link of the agent and its test
//! support instead of seven): live eBPF capture (`live`, `containers`, slow, under
//! `FALCO_TEST_ALL=1`), the webhook path (`webhook`, `reload`, `soak`), following a
//! registry tag (`follow`) and the Kubernetes manifests (`deploy`).

#[path = "../support/mod.rs"]
mod support;

#[path = "../../../falco-rt-container/tests/support/podman.rs"]
mod podman;

mod containers;
mod deploy;
mod follow;
mod live;
mod reload;
mod soak;
mod webhook;
