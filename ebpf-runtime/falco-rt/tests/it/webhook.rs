//! The agent with the webhook only (no eBPF): the upstream ConfigMap fixture raises the
//! stdlib alert on stdout and at a Falcosidekick-like receiver; bad requests do not stop it.

use std::time::Duration;

use crate::support::sidekick::Sidekick;
use crate::support::{Agent, TempDir, configmap_fixture, post, stdlib_bundle};

#[test]
fn configmap_with_aws_key_alerts_on_stdout_and_over_http() {
    let dir = TempDir::new("webhook");
    let bundle = dir.path("stdlib.frb");
    std::fs::write(&bundle, stdlib_bundle()).expect("bundle");
    let sk = Sidekick::start(0);
    let config = dir.path("falco.yaml");
    std::fs::write(
        &config,
        format!(
            "json_output: true\nstdout_output:\n  enabled: true\nhttp_output:\n  enabled: true\n  url: {}\nfile_output:\n  enabled: true\n  filename: {}\n",
            sk.url(),
            dir.path("alerts.txt").display()
        ),
    )
    .expect("config");
    let mut agent = Agent::spawn(&[
        "--bundle",
        bundle.to_str().expect("utf8"),
        "--config",
        config.to_str().expect("utf8"),
        "--no-syscalls",
        "--k8s-audit-listen",
        "127.0.0.1:0",
    ]);
    let addr = agent.webhook_addr();

    assert_eq!(post(addr, "{\"kind\": "), 400);
    assert_eq!(post(addr, "[{\"kind\":\"Pod\"}]"), 400);
    assert_eq!(post(addr, &configmap_fixture()), 200);

    let line = agent.wait_stdout("ConfigMap With Private Credentials");
    let alert: serde_json::Value = serde_json::from_str(&line).expect("JSON alert");
    assert_eq!(alert["priority"], "Warning");
    assert_eq!(alert["source"], "k8s_audit");
    assert_eq!(alert["output_fields"]["ka.req.configmap.name"], "my-config");
    assert!(
        alert["output"]
            .as_str()
            .is_some_and(|o| o.contains("Warning ConfigMap holds private credentials")),
        "{line}"
    );
    // All six events of the fixture reach the receiver and pass its check.
    let got = sk.wait_accepted(6, Duration::from_secs(20));
    assert_eq!(
        got.len(),
        6,
        "rejected: {:?}",
        sk.rejected.lock().expect("lock")
    );
    assert!(
        got.iter()
            .all(|a| a["rule"] == "ConfigMap With Private Credentials")
    );
    assert!(sk.rejected.lock().expect("lock").is_empty());

    assert_eq!(agent.stop(), 0);
    let file = std::fs::read_to_string(dir.path("alerts.txt")).expect("file output");
    assert_eq!(
        file.lines()
            .filter(|l| l.contains("ConfigMap With Private Credentials"))
            .count(),
        6
    );
}

/// `falco.yaml` settings reach the alerts (`append_output`, `program_output`, an `-o`
/// override), and what falco-rt does not apply is named at start, with the plugins the
/// rules require.
#[test]
fn configuration_reaches_the_alerts_and_what_is_not_applied_is_named() {
    let dir = TempDir::new("webhook-config");
    let bundle = dir.path("stdlib.frb");
    std::fs::write(&bundle, stdlib_bundle()).expect("bundle");
    let program_out = dir.path("program.txt");
    let config = dir.path("falco.yaml");
    std::fs::write(
        &config,
        format!(
            "json_output: true\nstdout_output:\n  enabled: true\nwebserver:\n  enabled: true\n\
             append_output:\n  - match:\n      source: k8s_audit\n    extra_output: \"by %ka.user.name\"\n\
             \x20   extra_fields:\n      - audit_id: \"id %ka.auditid\"\n      - ka.verb\n\
             program_output:\n  enabled: true\n  keep_alive: true\n  program: cat >> {}\n",
            program_out.display()
        ),
    )
    .expect("config");
    let mut agent = Agent::spawn(&[
        "--bundle",
        bundle.to_str().expect("utf8"),
        "-c",
        config.to_str().expect("utf8"),
        "-o",
        "json_include_tags_property=false",
        "--no-syscalls",
        "--k8s-audit-listen",
        "127.0.0.1:0",
    ]);
    let addr = agent.webhook_addr();
    let webserver = agent.wait_stderr("`webserver`");
    assert!(
        webserver.contains("falco.yaml:4:1: `webserver` is enabled but not applied"),
        "{webserver}"
    );
    let plugin = agent.wait_stderr("the rules require plugin `k8saudit`");
    assert!(plugin.contains("webhook"), "{plugin}");

    assert_eq!(post(addr, &configmap_fixture()), 200);
    let line = agent.wait_stdout("ConfigMap With Private Credentials");
    let alert: serde_json::Value = serde_json::from_str(&line).expect("JSON alert");
    let fields = &alert["output_fields"];
    let user = fields["ka.user.name"]
        .as_str()
        .expect("the appended field is an output field");
    assert!(
        alert["output"]
            .as_str()
            .is_some_and(|o| o.ends_with(&format!(" by {user}"))),
        "{line}"
    );
    assert_eq!(
        fields["audit_id"],
        "id 9a2bb12c-b9f7-4d34-809c-671e8c7e1e06"
    );
    assert_eq!(fields["ka.verb"], "create");
    assert!(
        alert.get("tags").is_none(),
        "-o json_include_tags_property=false: {line}"
    );

    assert_eq!(agent.stop(), 0);
    let program = std::fs::read_to_string(&program_out).expect("the program wrote");
    assert_eq!(
        program
            .lines()
            .filter(|l| l.contains("ConfigMap With Private Credentials"))
            .count(),
        6
    );
}
