//! The webhook over loopback: each bad-input class gets its status, the server keeps
//! serving, good batches reach the handler, and HTTPS works with a rustls certificate.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use falco_rt_webhook::{Handler, TlsFiles, Webhook, WebhookConfig};

fn corpus_event() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/corpus/k8s-audit-events/events/create_configmap_sensitive_values.json",
    );
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    // The fixture holds six events, one per line; the tests post the first alone.
    text.lines().next().expect("an event").to_string()
}

fn start() -> (Webhook, Arc<Mutex<Vec<usize>>>) {
    let batches = Arc::new(Mutex::new(Vec::new()));
    let b = batches.clone();
    let handler: Handler = Arc::new(move |evs| b.lock().expect("lock").push(evs.len()));
    let cfg = WebhookConfig::new("127.0.0.1:0".parse().expect("addr"));
    (Webhook::start(cfg, handler).expect("start"), batches)
}

/// Sends one raw HTTP/1.1 request; returns the status and body.
fn raw(addr: SocketAddr, head: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s.write_all(head.as_bytes()).expect("write head");
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

fn post(addr: SocketAddr, path: &str, ctype: &str, body: &[u8]) -> (u16, String) {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    raw(addr, &head, body)
}

const JSON: &str = "application/json; charset=utf-8";

#[test]
fn every_bad_input_gets_its_status_and_the_server_keeps_serving() {
    let (hook, batches) = start();
    let addr = hook.local_addr();
    let event = corpus_event();
    let cases: Vec<(&str, (u16, String), &str)> = vec![
        (
            "wrong path",
            post(addr, "/other", JSON, event.as_bytes()),
            "not found",
        ),
        (
            "GET",
            raw(
                addr,
                "GET /k8s-audit HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                b"",
            ),
            "GET method not allowed",
        ),
        (
            "PUT",
            post_method(addr, "PUT", event.as_bytes()),
            "PUT method not allowed",
        ),
        (
            "text/plain",
            post(addr, "/k8s-audit", "text/plain", event.as_bytes()),
            "wrong content type",
        ),
        (
            "declared 13 MB",
            raw(
                addr,
                "POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13000000\r\nConnection: close\r\n\r\n",
                b"",
            ),
            "larger than 12582912 bytes",
        ),
        (
            "event over 262144 bytes",
            post(addr, "/k8s-audit", JSON, big_event(&event).as_bytes()),
            "audit event 1 is",
        ),
        (
            "malformed JSON",
            post(addr, "/k8s-audit", JSON, b"{\"kind\": \"Event\", "),
            "bad request: line 1",
        ),
        (
            "not an audit event",
            post(addr, "/k8s-audit", JSON, b"{\"kind\":\"Pod\"}"),
            "data not recognized as a k8s audit event",
        ),
        (
            "not UTF-8",
            post(addr, "/k8s-audit", JSON, b"{\"kind\":\"\xff\"}"),
            "not UTF-8",
        ),
        (
            "empty body",
            post(addr, "/k8s-audit", JSON, b""),
            "empty body",
        ),
    ];
    let expected = [404, 405, 405, 415, 413, 413, 400, 400, 400, 400];
    for ((what, (status, body), reason), want) in cases.iter().zip(expected) {
        assert_eq!(*status, want, "{what}: {body}");
        assert!(body.contains(reason), "{what}: {body:?} lacks {reason:?}");
    }
    assert!(batches.lock().expect("lock").is_empty());
    // Still serving, and every accepted shape reaches the handler.
    let list = format!(
        r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{event},{event}]}}"#
    );
    let array = format!("[{event},{event},{event}]");
    for body in [&event, &list, &array] {
        let (status, text) = post(addr, "/k8s-audit", "application/json", body.as_bytes());
        assert_eq!(status, 200, "{text}");
    }
    assert_eq!(*batches.lock().expect("lock"), [1, 2, 3]);
    let stats = hook.stats();
    assert_eq!(
        stats.rejected.load(std::sync::atomic::Ordering::Relaxed),
        10
    );
    assert_eq!(stats.events.load(std::sync::atomic::Ordering::Relaxed), 6);
    hook.stop();
}

fn post_method(addr: SocketAddr, method: &str, body: &[u8]) -> (u16, String) {
    let head = format!(
        "{method} /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    raw(addr, &head, body)
}

/// The corpus event with an annotation that pushes it over 262,144 bytes.
fn big_event(event: &str) -> String {
    let pad = "x".repeat(270_000);
    event.replacen('{', &format!("{{\"pad\":\"{pad}\","), 1)
}

#[test]
fn https_with_a_rustls_certificate() {
    let dir = std::env::temp_dir().join(format!("falco-rt-webhook-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let key = rcgen::KeyPair::generate().expect("key");
    let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params");
    let cert = params.self_signed(&key).expect("cert");
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, cert.pem()).expect("write cert");
    std::fs::write(&files.key, key.serialize_pem()).expect("write key");

    let batches = Arc::new(Mutex::new(Vec::new()));
    let b = batches.clone();
    let handler: Handler = Arc::new(move |evs| b.lock().expect("lock").push(evs.len()));
    let mut cfg = WebhookConfig::new("127.0.0.1:0".parse().expect("addr"));
    cfg.tls = Some(files);
    let hook = Webhook::start(cfg, handler).expect("start");
    let port = hook.local_addr().port();

    let root = ureq::tls::Certificate::from_der(cert.der()).to_owned();
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![root])))
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("https://localhost:{port}/k8s-audit");
    let resp = agent
        .post(&url)
        .header("Content-Type", "application/json")
        .send(corpus_event().as_bytes())
        .expect("https post");
    assert_eq!(resp.status().as_u16(), 200);
    let resp = agent
        .post(&url)
        .header("Content-Type", "application/json")
        .send(&b"[1]"[..])
        .expect("https post");
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(*batches.lock().expect("lock"), [1]);
    // Plain HTTP to the TLS port is refused at the handshake; the server goes on.
    let _ = raw_no_status(hook.local_addr());
    let resp = agent
        .post(&url)
        .header("Content-Type", "application/json")
        .send(corpus_event().as_bytes())
        .expect("https post after a bad handshake");
    assert_eq!(resp.status().as_u16(), 200);
    hook.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

fn raw_no_status(addr: SocketAddr) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let _ = s.write_all(b"POST /k8s-audit HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

#[test]
fn bad_tls_files_are_a_clear_error() {
    let cfg = WebhookConfig {
        tls: Some(TlsFiles {
            cert: "/nonexistent/cert.pem".into(),
            key: "/nonexistent/key.pem".into(),
        }),
        ..WebhookConfig::new("127.0.0.1:0".parse().expect("addr"))
    };
    let handler: Handler = Arc::new(|_| {});
    let err = Webhook::start(cfg, handler).err().expect("must fail");
    assert!(err.to_string().contains("/nonexistent/cert.pem"), "{err}");
}
