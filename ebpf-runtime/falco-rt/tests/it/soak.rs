//! The webhook under hostile load (issue 12): 1,000 connections that declare a body
//! and stall stay open while good events flow; every good event is answered 200 and
//! alerted. Then a stalled client is cut off by the read timeout and counted.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use crate::support::{Agent, TempDir, configmap_fixture, get, k8s_rule, post, wait_until};

const STALLED: usize = 1000;
const GOOD: usize = 100;

/// An agent with only the webhook and metrics listening, one k8s rule named `rule`
/// in its bundle, and the given webhook read timeout.
fn webhook_agent(dir: &TempDir, rule: &str, read_timeout: &str) -> Agent {
    let bundle = dir.path("rules.frb");
    std::fs::write(&bundle, k8s_rule(rule)).expect("bundle");
    Agent::spawn_webhook_only(
        &bundle,
        &[
            "--metrics-listen",
            "127.0.0.1:0",
            "--k8s-audit-read-timeout",
            read_timeout,
        ],
    )
}

#[test]
fn a_thousand_stalled_connections_do_not_stop_good_events() {
    let dir = TempDir::new("soak");
    let mut agent = webhook_agent(&dir, "Soak Rule", "60s");
    let hook = agent.webhook_addr();
    let metrics = agent.metrics_addr();
    let mut stalled = Vec::with_capacity(STALLED);
    for _ in 0..STALLED {
        let mut s = TcpStream::connect(hook).expect("connect");
        s.write_all(b"POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"kind\"")
            .expect("write");
        stalled.push(s);
    }
    let event = configmap_fixture()
        .lines()
        .next()
        .expect("event")
        .to_string();
    for i in 0..GOOD {
        assert_eq!(post(hook, &event), 200, "good event {i} not answered");
    }
    assert!(
        wait_until(60, || agent.count_stdout("Soak Rule fired") == GOOD),
        "{} of {GOOD} alerted",
        agent.count_stdout("Soak Rule fired")
    );
    let text = get(metrics, "/metrics").1;
    let open = text
        .lines()
        .find_map(|l| l.strip_prefix("falco_rt_webhook_connections "))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .expect("connections gauge");
    assert!(
        open >= STALLED as u64,
        "{open} connections open, {STALLED} stalled"
    );
    drop(stalled);
    assert_eq!(agent.stop(), 0);
}

#[test]
fn a_stalled_body_is_cut_off_and_counted() {
    let dir = TempDir::new("stall");
    let mut agent = webhook_agent(&dir, "Stall Rule", "300ms");
    let hook = agent.webhook_addr();
    let metrics = agent.metrics_addr();
    let mut s = TcpStream::connect(hook).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(b"POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{")
        .expect("write");
    let mut out = String::new();
    let _ = std::io::Read::read_to_string(&mut s, &mut out);
    assert!(out.starts_with("HTTP/1.1 408"), "{out}");
    assert!(
        get(metrics, "/metrics")
            .1
            .contains("falco_rt_webhook_requests_total{status=\"408\"} 1")
    );
    assert_eq!(agent.stop(), 0);
}
