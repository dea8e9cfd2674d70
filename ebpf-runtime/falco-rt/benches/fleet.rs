//! A fleet on one machine: `--agents` falco-rt agents (webhook only, every port on
//! 127.0.0.1) follow one tag on a real registry (docker-registry).
//!
//! ```sh
//! cargo bench -p falco-rt --bench fleet -- [--agents N] [--interval-ms MS] [--stream-ms MS]
//! ```
//!
//! Phases, each reported on one line:
//! 1. **rollout**: v2 is pushed and signed; the time until every agent shows its digest
//!    in `falco_rt_bundle_info` on `/metrics` (goal: at most 2 × interval + 1 s);
//! 2. **refusals**: an unsigned bundle, then a signed one needing a field falco-rt cannot
//!    supply: how many agents switch (goal 0) and how many Critical refusal alerts each
//!    raised for each digest (goal exactly 1);
//! 3. **outage**: the registry is stopped for 5 intervals: agents alive (goal all), then
//!    restarted with a new signed bundle: the time until all run it;
//! 4. **swaps under a stream**: events are posted to every agent in turn while two new
//!    bundles are rolled out; events answered, alerted and lost (goal 0 lost).

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use falco_registry::signature::{self, Envelope, SigningKey};
use falco_registry::{Client, ClientOptions, Digest, Reference, artifact};
use support::registry::{Mode, Registry};
use support::{Agent, TempDir, bench_arg, compile, configmap_fixture, get, k8s_rule, post};

/// Publishes `bytes` at tag `r` the way CI should: pushed to a staging tag, signed by
/// `key` when given, and only then tagged, so no follower sees it unsigned.
fn publish(client: &Client, r: &Reference, bytes: &[u8], key: Option<&SigningKey>) -> Digest {
    let staging = r.with_target(falco_registry::reference::Target::Tag("staging".into()));
    let digest = artifact::push(client, &staging, bytes, None).expect("push");
    if let Some(k) = key {
        let mut env = Envelope::new(&Digest::of(bytes));
        env.sign(k).expect("sign");
        signature::store(client, &staging, &digest, &env).expect("store signature");
    }
    artifact::tag(client, &staging, r).expect("tag");
    digest
}

struct Node {
    agent: Agent,
    hook: std::net::SocketAddr,
    metrics: std::net::SocketAddr,
}

fn running(node: &Node, digest: &Digest) -> bool {
    get(node.metrics, "/metrics")
        .1
        .lines()
        .any(|l| l.starts_with("falco_rt_bundle_info{") && l.contains(digest.as_str()))
}

/// Waits until every node runs `digest`; the time it took, or None after `limit`.
fn rollout(nodes: &[Node], digest: &Digest, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut done = vec![false; nodes.len()];
    while start.elapsed() < limit {
        for (i, n) in nodes.iter().enumerate() {
            if !done[i] {
                done[i] = running(n, digest);
            }
        }
        if done.iter().all(|d| *d) {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let agents = bench_arg(&args, "--agents", 50) as usize;
    let interval = Duration::from_millis(bench_arg(&args, "--interval-ms", 1000));
    let stream = Duration::from_millis(bench_arg(&args, "--stream-ms", 5000));
    let Some(mut reg) = Registry::start("fleet-bench", &Mode::Plain) else {
        return;
    };
    let dir = TempDir::new("fleet-bench");
    let pair = signature::generate().expect("keygen");
    std::fs::write(dir.path("k.key"), &pair.private_pem).expect("write");
    std::fs::write(dir.path("k.pub"), &pair.public_pem).expect("write");
    let key = SigningKey::load(&dir.path("k.key")).expect("key");
    let client = Client::new(&ClientOptions {
        insecure: true,
        ..ClientOptions::default()
    })
    .expect("client");
    let tag = Reference::parse(&reg.reference("rules/fleet:stable")).expect("ref");
    let d1 = publish(&client, &tag, &k8s_rule("Fleet v1"), Some(&key));

    let bundle = format!("oci://{}", reg.reference("rules/fleet:stable"));
    let interval_text = format!("{}ms", interval.as_millis());
    let started = Instant::now();
    let mut nodes: Vec<Node> = (0..agents)
        .map(|i| {
            let cache = dir.path(&format!("cache-{i}"));
            let mut agent = Agent::spawn_quiet(&[
                "--bundle",
                &bundle,
                "--insecure-registry",
                "--follow-interval",
                &interval_text,
                "--verify-key",
                dir.path("k.pub").to_str().expect("utf8"),
                "--cache-dir",
                cache.to_str().expect("utf8"),
                "--no-syscalls",
                "--k8s-audit-listen",
                "127.0.0.1:0",
                "--metrics-listen",
                "127.0.0.1:0",
            ]);
            let hook = agent.webhook_addr();
            let metrics = agent.metrics_addr();
            Node {
                agent,
                hook,
                metrics,
            }
        })
        .collect();
    rollout(&nodes, &d1, Duration::from_secs(120)).expect("v1 everywhere");
    println!(
        "fleet: {agents} agents, follow interval {} ms, started in {:.1} s",
        interval.as_millis(),
        started.elapsed().as_secs_f64()
    );

    // 1. Rollout.
    let t = Instant::now();
    let d2 = publish(&client, &tag, &k8s_rule("Fleet v2"), Some(&key));
    let push = t.elapsed();
    let took = rollout(&nodes, &d2, interval * 10 + Duration::from_secs(30));
    let goal = interval * 2 + Duration::from_secs(1);
    match took {
        Some(d) => println!(
            "rollout: push+sign {:.2} s, then all {agents} on v2 after {:.2} s (goal <= {:.2} s: {})",
            push.as_secs_f64(),
            d.as_secs_f64(),
            goal.as_secs_f64(),
            if d <= goal { "met" } else { "MISSED" }
        ),
        None => println!("rollout: NOT all agents reached v2"),
    }

    // 2. Refusals.
    let unsigned = publish(&client, &tag, &k8s_rule("Fleet unsigned"), None);
    std::thread::sleep(interval * 4);
    let incompatible_bytes = compile(vec![(
        "rules.yaml".into(),
        "- rule: Fleet image\n  desc: d\n  condition: evt.type = execve and container.image.repository = nginx\n  output: x %proc.name\n  priority: WARNING\n".into(),
    )]);
    let incompatible = publish(&client, &tag, &incompatible_bytes, Some(&key));
    // Backoff after the first refusal may stretch polls to 8 intervals.
    std::thread::sleep(interval * 12);
    for (what, d) in [("unsigned", &unsigned), ("unservable field", &incompatible)] {
        let switched = nodes.iter().filter(|n| running(n, d)).count();
        let alerts: Vec<usize> = nodes
            .iter()
            .map(|n| n.agent.count_stdout(d.as_str()))
            .collect();
        let exactly_one = alerts.iter().filter(|&&a| a == 1).count();
        println!(
            "refusal ({what}): {switched} agents switched (goal 0), {exactly_one}/{agents} raised exactly one Critical alert (min {}, max {})",
            alerts.iter().min().unwrap_or(&0),
            alerts.iter().max().unwrap_or(&0)
        );
    }

    // 3. Outage.
    reg.pause();
    std::thread::sleep(interval * 5);
    let alive = nodes
        .iter_mut()
        .map(|n| n.agent.alive())
        .filter(|a| *a)
        .count();
    reg.resume();
    let t = Instant::now();
    let d5 = publish(&client, &tag, &k8s_rule("Fleet v5"), Some(&key));
    let back = rollout(&nodes, &d5, interval * 20 + Duration::from_secs(30)).map(|_| t.elapsed());
    println!(
        "outage: registry stopped {:.1} s, {alive}/{agents} agents alive; after restart all on the new bundle in {} (backoff up to 8 intervals)",
        (interval * 5).as_secs_f64(),
        back.map_or("NEVER".to_string(), |d| format!("{:.2} s", d.as_secs_f64()))
    );

    // 4. Swaps under a steady stream.
    let before: Vec<usize> = nodes
        .iter()
        .map(|n| n.agent.count_stdout("Fleet v"))
        .collect();
    let event = configmap_fixture()
        .lines()
        .next()
        .expect("event")
        .to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let hooks: Vec<std::net::SocketAddr> = nodes.iter().map(|n| n.hook).collect();
    let per_node: Arc<Vec<AtomicU64>> = Arc::new((0..agents).map(|_| AtomicU64::new(0)).collect());
    let sender = {
        let (stop, sent, refused, per_node) = (
            stop.clone(),
            sent.clone(),
            refused.clone(),
            per_node.clone(),
        );
        std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let n = i % hooks.len();
                if post(hooks[n], &event) == 200 {
                    sent.fetch_add(1, Ordering::Relaxed);
                    per_node[n].fetch_add(1, Ordering::Relaxed);
                } else {
                    refused.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let t = Instant::now();
    let mut swaps = 0;
    for name in ["Fleet v6", "Fleet v7"] {
        let d = publish(&client, &tag, &k8s_rule(name), Some(&key));
        if rollout(&nodes, &d, interval * 10 + Duration::from_secs(30)).is_some() {
            swaps += 1;
        }
    }
    while t.elapsed() < stream {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    let _ = sender.join();
    let total = sent.load(Ordering::Relaxed);
    let end = Instant::now() + Duration::from_secs(30);
    let alerted = loop {
        let a: u64 = nodes
            .iter()
            .zip(&before)
            .map(|(n, b)| (n.agent.count_stdout("Fleet v") - b) as u64)
            .sum();
        if a >= total || Instant::now() > end {
            break a;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    println!(
        "swaps under a stream: {swaps} rollouts to {agents} agents in {:.1} s; {total} events answered 200, {} not; {alerted} alerted, {} lost",
        t.elapsed().as_secs_f64(),
        refused.load(Ordering::Relaxed),
        total.saturating_sub(alerted)
    );
    for n in nodes {
        let _ = n.agent.stop();
    }
}
