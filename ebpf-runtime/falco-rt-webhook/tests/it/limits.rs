//! Who may post, and the bounds on every connection: bearer tokens, mutual TLS with a
//! client CA, 401 for anyone else (counted), a late body (408), idle connections and
//! stalled TLS handshakes closed, and 503 beyond the connection cap.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use falco_rt_webhook::{Auth, Handler, TlsFiles, Webhook, WebhookConfig};

fn event() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/corpus/k8s-audit-events/events/create_configmap_sensitive_values.json",
    );
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    text.lines().next().expect("an event").to_string()
}

fn start(cfg: WebhookConfig) -> (Webhook, Arc<AtomicUsize>) {
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let handler: Handler = Arc::new(move |evs| {
        c.fetch_add(evs.len(), Ordering::Relaxed);
    });
    (Webhook::start(cfg, handler).expect("start"), n)
}

/// Posts one event with extra header lines; returns the status (0: no answer).
fn post(addr: SocketAddr, extra: &str) -> u16 {
    let body = event();
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let head = format!(
        "POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body.as_bytes());
    status_of(&mut s)
}

fn status_of(s: &mut TcpStream) -> u16 {
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out)
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// Waits (up to 30 s, for a loaded machine) until `done` holds; the caller asserts.
fn wait_for(done: impl Fn() -> bool) {
    let end = std::time::Instant::now() + Duration::from_secs(30);
    while !done() && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("falco-rt-webhook-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

#[test]
fn bearer_tokens_admit_and_everyone_else_gets_401() {
    let mut cfg = WebhookConfig::new("127.0.0.1:0".parse().expect("addr"));
    cfg.auth = Auth {
        client_ca: None,
        tokens: vec!["old-token".into(), "new-token".into()],
    };
    let (hook, events) = start(cfg);
    let addr = hook.local_addr();
    assert_eq!(post(addr, ""), 401);
    assert_eq!(post(addr, "Authorization: Bearer wrong\r\n"), 401);
    assert_eq!(post(addr, "Authorization: Basic bmV3LXRva2Vu\r\n"), 401);
    assert_eq!(post(addr, "Authorization: Bearer new-token\r\n"), 200);
    assert_eq!(post(addr, "Authorization: bearer old-token\r\n"), 200);
    assert_eq!(events.load(Ordering::Relaxed), 2);
    assert_eq!(hook.stats().with_status(401), 3);
    assert_eq!(hook.stats().with_status(200), 2);
    hook.stop();
}

/// A CA, and a certificate it signed for `name` (client or server): (CA PEM, cert PEM,
/// key PEM).
fn issue(names: Vec<String>, client: bool) -> (String, String, String) {
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let key = rcgen::KeyPair::generate().expect("key");
    let mut params = rcgen::CertificateParams::new(names).expect("params");
    if client {
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    }
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let cert = params.signed_by(&key, &issuer).expect("cert");
    (ca.pem(), cert.pem(), key.serialize_pem())
}

fn https_agent(server_ca: &str, client: Option<(&str, &str)>) -> ureq::Agent {
    let root = ureq::tls::Certificate::from_pem(server_ca.as_bytes()).expect("ca");
    let mut tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![root])));
    if let Some((cert, key)) = client {
        let chain = vec![ureq::tls::Certificate::from_pem(cert.as_bytes()).expect("cert")];
        let key = ureq::tls::PrivateKey::from_pem(key.as_bytes()).expect("key");
        tls = tls.client_cert(Some(ureq::tls::ClientCert::new_with_certs(&chain, key)));
    }
    ureq::Agent::config_builder()
        .tls_config(tls.build())
        .http_status_as_error(false)
        .build()
        .into()
}

#[test]
fn mutual_tls_with_a_client_ca_or_a_token() {
    let d = dir("mtls");
    let (server_ca, server_cert, server_key) = issue(vec!["localhost".into()], false);
    let (client_ca, client_cert, client_key) = issue(vec!["kube-apiserver".into()], true);
    let (_, stranger_cert, stranger_key) = issue(vec!["stranger".into()], true);
    for (f, t) in [
        ("cert.pem", &server_cert),
        ("key.pem", &server_key),
        ("client-ca.pem", &client_ca),
    ] {
        std::fs::write(d.join(f), t).expect("write");
    }
    let mut cfg = WebhookConfig::new("127.0.0.1:0".parse().expect("addr"));
    cfg.tls = Some(TlsFiles {
        cert: d.join("cert.pem"),
        key: d.join("key.pem"),
    });
    cfg.auth = Auth {
        client_ca: Some(d.join("client-ca.pem")),
        tokens: vec!["t0ken".into()],
    };
    let (hook, events) = start(cfg);
    let url = format!("https://localhost:{}/k8s-audit", hook.local_addr().port());
    let send = |agent: &ureq::Agent, token: Option<&str>| {
        let mut req = agent.post(&url).header("Content-Type", "application/json");
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        req.send(event().as_bytes()).map(|r| r.status().as_u16())
    };
    let with_cert = https_agent(&server_ca, Some((&client_cert, &client_key)));
    assert_eq!(send(&with_cert, None).expect("mtls"), 200);
    let without = https_agent(&server_ca, None);
    assert_eq!(send(&without, None).expect("no cert"), 401);
    assert_eq!(send(&without, Some("t0ken")).expect("token"), 200);
    // A certificate from another CA fails the handshake.
    let stranger = https_agent(&server_ca, Some((&stranger_cert, &stranger_key)));
    assert!(send(&stranger, None).is_err());
    assert_eq!(events.load(Ordering::Relaxed), 2);
    assert_eq!(hook.stats().with_status(401), 1);
    // The client can see the alert before the server has counted the failure.
    let failures = || hook.stats().handshake_failures.load(Ordering::Relaxed);
    wait_for(|| failures() >= 1);
    assert!(failures() >= 1);
    hook.stop();
    // A client CA without TLS is refused at start.
    let mut cfg = WebhookConfig::new("127.0.0.1:0".parse().expect("addr"));
    cfg.auth.client_ca = Some(d.join("client-ca.pem"));
    let handler: Handler = Arc::new(|_| {});
    assert!(Webhook::start(cfg, handler).is_err());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn late_bodies_idle_connections_and_stalled_handshakes_are_cut() {
    let mut cfg = WebhookConfig::new("127.0.0.1:0".parse().expect("addr"));
    cfg.read_timeout = Duration::from_millis(300);
    let (hook, _) = start(cfg);
    let addr = hook.local_addr();
    // Declares 100 bytes, sends 10, stalls: 408, and the connection ends.
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(b"POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"kind\":\"E")
        .expect("write");
    assert_eq!(status_of(&mut s), 408);
    // Sends nothing: closed without an answer.
    let mut idle = TcpStream::connect(addr).expect("connect");
    idle.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut buf = Vec::new();
    let n = idle.read_to_end(&mut buf).expect("closed, not timed out");
    assert!(
        n == 0 || String::from_utf8_lossy(&buf).contains("408"),
        "{buf:?}"
    );
    // Half a request line: closed too.
    let mut half = TcpStream::connect(addr).expect("connect");
    half.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    half.write_all(b"POST /k8s-au").expect("write");
    let _ = half.read_to_end(&mut buf).expect("closed, not timed out");
    assert_eq!(post(addr, ""), 200);
    assert_eq!(hook.stats().with_status(408), 1);
    hook.stop();

    // TLS: a client that connects and never finishes the handshake is cut off.
    let d = dir("handshake");
    let (_, cert, key) = issue(vec!["localhost".into()], false);
    std::fs::write(d.join("cert.pem"), cert).expect("write");
    std::fs::write(d.join("key.pem"), key).expect("write");
    let mut cfg = WebhookConfig::new("127.0.0.1:0".parse().expect("addr"));
    cfg.tls = Some(TlsFiles {
        cert: d.join("cert.pem"),
        key: d.join("key.pem"),
    });
    cfg.handshake_timeout = Duration::from_millis(300);
    let (hook, _) = start(cfg);
    let mut s = TcpStream::connect(hook.local_addr()).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(&[0x16, 0x03, 0x01]).expect("half a record");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).expect("closed, not timed out");
    // Counted just after the connection is dropped.
    wait_for(|| hook.stats().handshake_failures.load(Ordering::Relaxed) > 0);
    assert_eq!(hook.stats().handshake_failures.load(Ordering::Relaxed), 1);
    hook.stop();
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn beyond_the_connection_cap_the_answer_is_503() {
    let mut cfg = WebhookConfig::new("127.0.0.1:0".parse().expect("addr"));
    cfg.max_connections = 4;
    let (hook, events) = start(cfg);
    let addr = hook.local_addr();
    let held: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(addr).expect("connect"))
        .collect();
    // Wait until the server has counted them.
    let end = std::time::Instant::now() + Duration::from_secs(30);
    while hook.stats().connections.load(Ordering::Relaxed) < 4 && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(post(addr, ""), 503);
    drop(held);
    let end = std::time::Instant::now() + Duration::from_secs(30);
    while hook.stats().connections.load(Ordering::Relaxed) > 0 && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(post(addr, ""), 200);
    assert_eq!(events.load(Ordering::Relaxed), 1);
    assert_eq!(hook.stats().with_status(503), 1);
    hook.stop();
}
