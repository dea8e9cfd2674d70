//! falco-rt following a tag on a real registry (docker-registry on 127.0.0.1), webhook
//! only: new signed digests are swapped in and shown on /metrics; an unsigned bundle
//! and one needing fields falco-rt cannot supply are refused with one Critical alert
//! each while the running bundle stays; after a restart with the registry down the
//! cached bundle runs.

use crate::support::registry::{Mode, Registry};
use crate::support::{Agent, TempDir, compile, configmap_fixture, get, k8s_rule, post, wait_until};
use falco_registry::reference::Target;
use falco_registry::signature::{self, Envelope, SigningKey};
use falco_registry::{Client, ClientOptions, Digest, Reference, artifact};

fn one_event() -> String {
    configmap_fixture()
        .lines()
        .next()
        .expect("event")
        .to_string()
}

/// Pushes `bytes` to `r`, signed by `key` when given; returns the manifest digest.
/// Publishes `bytes` at tag `r` the way CI should: pushed to a staging tag, signed by
/// `key` when given, and only then tagged, so no follower sees it unsigned.
fn publish(client: &Client, r: &Reference, bytes: &[u8], key: Option<&SigningKey>) -> Digest {
    let staging = r.with_target(Target::Tag("staging".into()));
    let digest = artifact::push(client, &staging, bytes, None).expect("push");
    if let Some(k) = key {
        let mut env = Envelope::new(&Digest::of(bytes));
        env.sign(k).expect("sign");
        signature::store(client, &staging, &digest, &env).expect("store signature");
    }
    artifact::tag(client, &staging, r).expect("tag");
    digest
}

/// A field of the syscall source that falco-rt leaves `<NA>` (libsinsp measures it
/// between a syscall's enter and exit events).
const UNSUPPLIED: &str = "evt.latency";

fn bundle_info(metrics: &str) -> Option<String> {
    metrics
        .lines()
        .find(|l| l.starts_with("falco_rt_bundle_info{"))
        .map(str::to_string)
}

#[test]
fn follows_a_tag_refuses_bad_bundles_and_restarts_from_the_cache() {
    let Some(mut reg) = Registry::start("follow", &Mode::Plain) else {
        return;
    };
    let dir = TempDir::new("follow");
    let pair = signature::generate().expect("keygen");
    std::fs::write(dir.path("k.key"), &pair.private_pem).expect("write");
    std::fs::write(dir.path("k.pub"), &pair.public_pem).expect("write");
    let key = SigningKey::load(&dir.path("k.key")).expect("key");
    let client = Client::new(&ClientOptions {
        insecure: true,
        ..ClientOptions::default()
    })
    .expect("client");
    let canary = Reference::parse(&reg.reference("rules/k8s:canary")).expect("ref");
    let d1 = publish(&client, &canary, &k8s_rule("Rule A"), Some(&key));

    let bundle_arg = format!("oci://{}", reg.reference("rules/k8s:canary"));
    let cache = dir.path("cache");
    let public = dir.path("k.pub");
    let args = [
        "--bundle",
        &bundle_arg,
        "--insecure-registry",
        "--follow-interval",
        "200ms",
        "--verify-key",
        public.to_str().expect("utf8"),
        "--cache-dir",
        cache.to_str().expect("utf8"),
        "--no-syscalls",
        "--json",
        "--k8s-audit-listen",
        "127.0.0.1:0",
        "--metrics-listen",
        "127.0.0.1:0",
    ];
    let mut agent = Agent::spawn(&args);
    let hook = agent.webhook_addr();
    let metrics = agent.metrics_addr();
    assert_eq!(get(metrics, "/healthz").0, 200);
    let (status, text) = get(metrics, "/metrics");
    assert_eq!(status, 200);
    let info = bundle_info(&text).expect("bundle info");
    assert!(
        info.contains(&format!("digest=\"{d1}\"")) && info.ends_with(" 1"),
        "{info}"
    );
    assert!(info.contains("version=\"staging\""), "{info}");
    assert_eq!(post(hook, &one_event()), 200);
    let alert = agent.wait_stdout("Rule A fired");
    let v: serde_json::Value = serde_json::from_str(&alert).expect("json alert");
    assert_eq!(
        v["output_fields"]["falco_rt.bundle_digest"],
        d1.as_str(),
        "{alert}"
    );

    // A new signed digest is swapped in.
    let d2 = publish(&client, &canary, &k8s_rule("Rule B"), Some(&key));
    assert!(
        wait_until(30, || get(metrics, "/metrics")
            .1
            .contains(&format!("digest=\"{d2}\""))),
        "v2 never ran"
    );
    assert_eq!(post(hook, &one_event()), 200);
    agent.wait_stdout("Rule B fired");

    // Unsigned: refused once, the running bundle stays.
    let d3 = publish(&client, &canary, &k8s_rule("Rule C"), None);
    let refused = agent.wait_stdout(d3.as_str());
    assert!(
        refused.contains("bundle update refused") && refused.contains("\"Critical\""),
        "{refused}"
    );
    assert!(refused.contains("\"stage\":\"signature\""), "{refused}");
    // Needs a field falco-rt cannot supply: refused at the compatibility stage.
    assert!(
        !falco_events::agent_fields::supplies(UNSUPPLIED),
        "{UNSUPPLIED} is supplied now: pick another field falco-rt leaves <NA>"
    );
    let needs_field = compile(vec![(
        "rules.yaml".into(),
        format!(
            "- rule: Rule D\n  desc: d\n  condition: evt.type = execve and {UNSUPPLIED} > 0\n  output: d %proc.name\n  priority: WARNING\n"
        ),
    )]);
    let d4 = publish(&client, &canary, &needs_field, Some(&key));
    let refused = agent.wait_stdout(d4.as_str());
    assert!(
        refused.contains("\"stage\":\"compatibility\"") && refused.contains(UNSUPPLIED),
        "{refused}"
    );
    // More polls go by; still one alert per digest, still v2.
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(agent.count_stdout(d3.as_str()), 1);
    assert_eq!(agent.count_stdout(d4.as_str()), 1);
    let text = get(metrics, "/metrics").1;
    assert!(
        bundle_info(&text).is_some_and(|i| i.contains(d2.as_str())),
        "{text}"
    );
    assert!(
        text.contains("falco_rt_bundle_reloads_total{result=\"failure\",stage=\"signature\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("falco_rt_bundle_last_reload_success 0"),
        "{text}"
    );
    assert!(
        text.contains("falco_rt_webhook_requests_total{status=\"200\"} 2"),
        "{text}"
    );
    assert!(text.contains("falco_rt_rules_matches_total{rule_name=\"Rule B\",priority=\"Warning\",source=\"k8s_audit\"} 1"), "{text}");
    assert_eq!(post(hook, &one_event()), 200);
    assert!(wait_until(30, || agent.count_stdout("Rule B fired") == 2));
    assert_eq!(agent.count_stdout("Rule C fired"), 0);
    assert_eq!(agent.stop(), 0);

    // Registry down: a restart runs the cached bundle (v2).
    reg.pause();
    let mut agent = Agent::spawn(&args);
    agent.wait_stderr("running the cached bundle");
    let hook = agent.webhook_addr();
    let metrics = agent.metrics_addr();
    assert!(bundle_info(&get(metrics, "/metrics").1).is_some_and(|i| i.contains(d2.as_str())));
    assert_eq!(post(hook, &one_event()), 200);
    agent.wait_stdout("Rule B fired");
    // The registry comes back with a good signed digest: the agent resumes.
    reg.resume();
    let d5 = publish(&client, &canary, &k8s_rule("Rule E"), Some(&key));
    assert!(
        wait_until(60, || get(metrics, "/metrics")
            .1
            .contains(&format!("digest=\"{d5}\""))),
        "did not resume"
    );
    assert_eq!(agent.stop(), 0);

    // A pinned digest is fetched once and runs.
    let pinned = format!("oci://{}", canary.with_target(Target::Digest(d2.clone())));
    let mut agent = Agent::spawn(&[
        "--bundle",
        &pinned,
        "--insecure-registry",
        "--cache-dir",
        cache.to_str().expect("utf8"),
        "--no-syscalls",
        "--k8s-audit-listen",
        "127.0.0.1:0",
    ]);
    let hook = agent.webhook_addr();
    assert_eq!(post(hook, &one_event()), 200);
    agent.wait_stdout("Rule B fired");
    assert_eq!(agent.stop(), 0);
}

#[test]
fn a_file_bundle_needs_its_signature_when_keys_are_given() {
    let dir = TempDir::new("file-sig");
    let pair = signature::generate().expect("keygen");
    std::fs::write(dir.path("k.key"), &pair.private_pem).expect("write");
    std::fs::write(dir.path("k.pub"), &pair.public_pem).expect("write");
    let bundle = dir.path("rules.frb");
    let bytes = k8s_rule("Rule F");
    std::fs::write(&bundle, &bytes).expect("write");
    let public = dir.path("k.pub");
    let run = || {
        let args = [
            "--bundle",
            bundle.to_str().expect("utf8"),
            "--verify-key",
            public.to_str().expect("utf8"),
            "--no-syscalls",
            "--k8s-audit-listen",
            "127.0.0.1:0",
        ];
        // An agent that accepts the bundle would run on: give it 30 s to refuse.
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_falco-rt"))
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run");
        let refused = wait_until(30, || matches!(child.try_wait(), Ok(Some(_))));
        if !refused {
            let _ = child.kill();
        }
        child.wait_with_output().expect("wait")
    };
    let out = run();
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unsigned bundle was accepted"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("signature") && err.contains("is not signed"),
        "{err}"
    );
    // Signed by another key: refused too.
    let other = signature::generate().expect("keygen");
    std::fs::write(dir.path("o.key"), &other.private_pem).expect("write");
    let mut env = Envelope::new(&Digest::of(&bytes));
    env.sign(&SigningKey::load(&dir.path("o.key")).expect("key"))
        .expect("sign");
    std::fs::write(signature::file_signature_path(&bundle), env.to_bytes()).expect("write");
    let out = run();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bundle signed by another key was accepted"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not signed by a trusted key"));
    // Signed by the key: it runs.
    env.sign(&SigningKey::load(&dir.path("k.key")).expect("key"))
        .expect("sign");
    std::fs::write(signature::file_signature_path(&bundle), env.to_bytes()).expect("write");
    let mut agent = Agent::spawn(&[
        "--bundle",
        bundle.to_str().expect("utf8"),
        "--verify-key",
        dir.path("k.pub").to_str().expect("utf8"),
        "--no-syscalls",
        "--k8s-audit-listen",
        "127.0.0.1:0",
    ]);
    let hook = agent.webhook_addr();
    assert_eq!(post(hook, &one_event()), 200);
    agent.wait_stdout("Rule F fired");
    assert_eq!(agent.stop(), 0);
}
