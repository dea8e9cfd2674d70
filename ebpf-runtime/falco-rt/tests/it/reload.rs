//! Hot reload without eBPF (the webhook path): a good bundle switches rules live, on file
//! change and on SIGHUP; a corrupt one keeps the old rules and raises a Critical alert.

use crate::support::{Agent, TempDir, configmap_fixture, k8s_rule, post};

/// Replaces `path` atomically, as deployment tools do.
fn install(path: &std::path::Path, bytes: &[u8]) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

fn one_event() -> String {
    configmap_fixture()
        .lines()
        .next()
        .expect("event")
        .to_string()
}

fn count(agent: &Agent, needle: &str) -> usize {
    agent
        .stdout
        .lock()
        .expect("lock")
        .iter()
        .filter(|l| l.contains(needle))
        .count()
}

#[test]
fn file_change_switches_rules_and_a_corrupt_bundle_keeps_them() {
    let dir = TempDir::new("reload-watch");
    let bundle = dir.path("rules.frb");
    install(&bundle, &k8s_rule("Rule A"));
    let mut agent = Agent::spawn_webhook_only(&bundle, &["--watch-interval-ms", "50"]);
    let addr = agent.webhook_addr();
    assert_eq!(post(addr, &one_event()), 200);
    agent.wait_stdout("Warning Rule A fired");

    install(&bundle, &k8s_rule("Rule B"));
    agent.wait_stderr("bundle reloaded");
    assert_eq!(post(addr, &one_event()), 200);
    agent.wait_stdout("Warning Rule B fired");

    let mut corrupt = k8s_rule("Rule C");
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0xff;
    install(&bundle, &corrupt);
    let alert = agent.wait_stdout("falco-rt internal: bundle reload failed");
    assert!(
        alert.contains(": Critical falco-rt internal: bundle reload failed"),
        "{alert}"
    );
    assert_eq!(post(addr, &one_event()), 200);
    let end = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while count(&agent, "Rule B fired") < 2 && std::time::Instant::now() < end {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(count(&agent, "Rule B fired"), 2);
    assert_eq!(count(&agent, "Rule C fired"), 0);
    assert_eq!(count(&agent, "Rule A fired"), 1);
    assert_eq!(agent.stop(), 0);
}

#[test]
fn sighup_reloads_when_watching_is_off() {
    let dir = TempDir::new("reload-hup");
    let bundle = dir.path("rules.frb");
    install(&bundle, &k8s_rule("Rule A"));
    let mut agent = Agent::spawn_webhook_only(&bundle, &["--watch-interval-ms", "0"]);
    let addr = agent.webhook_addr();
    install(&bundle, &k8s_rule("Rule B"));
    assert_eq!(post(addr, &one_event()), 200);
    agent.wait_stdout("Rule A fired");
    agent.signal("HUP");
    agent.wait_stderr("bundle reloaded");
    assert_eq!(post(addr, &one_event()), 200);
    agent.wait_stdout("Rule B fired");
    assert_eq!(agent.stop(), 0);
}

#[test]
fn stats_line_counts_events_alerts_and_deliveries() {
    let dir = TempDir::new("stats");
    let bundle = dir.path("rules.frb");
    install(&bundle, &k8s_rule("Rule S"));
    let mut agent = Agent::spawn_webhook_only(&bundle, &["--stats-interval", "1"]);
    let addr = agent.webhook_addr();
    assert_eq!(post(addr, &one_event()), 200);
    agent.wait_stdout("Rule S fired");
    agent.signal("USR1");
    let line = agent.wait_stderr("\"k8s_events\":1,");
    let v: serde_json::Value = serde_json::from_str(&line).expect("stats JSON");
    assert_eq!(v["falco_rt_stats"]["alerts"], 1, "{line}");
    assert_eq!(v["falco_rt_stats"]["outputs_undelivered"], 0, "{line}");
    assert_eq!(agent.stop(), 0);
}
