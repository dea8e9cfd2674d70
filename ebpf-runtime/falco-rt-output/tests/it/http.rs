//! HTTP and file outputs against a local receiver that applies Falcosidekick's check.

use std::time::{Duration, Instant};

use crate::support::sidekick::Sidekick;
use falco_rt_output::{Alert, FileOutput, HttpOutput, Outputs, OutputsConfig};

fn alert(rule: &str, fields: &str) -> Alert {
    Alert {
        rule: rule.into(),
        priority: "Warning".into(),
        severity: 4,
        time_ns: 1_700_000_000_000_000_000,
        text: format!("22:13:20.000000000: Warning {rule}"),
        json: format!(
            r#"{{"hostname":"node","output":"x","output_fields":{fields},"priority":"Warning","rule":"{rule}","source":"syscall","tags":[],"time":"2023-11-14T22:13:20.000000000Z"}}"#
        ),
    }
}

fn http_only(h: HttpOutput) -> OutputsConfig {
    OutputsConfig {
        stdout: false,
        http: Some(h),
        ..OutputsConfig::default()
    }
}

fn fast(url: String) -> HttpOutput {
    HttpOutput {
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        timeout: Duration::from_secs(2),
        ..HttpOutput::new(url)
    }
}

#[test]
fn accepted_alert_is_counted_as_sent() {
    let sk = Sidekick::start(0);
    let out = Outputs::start(&http_only(fast(sk.url()))).expect("start");
    out.emit(alert("R1", r#"{"proc.name":"cat"}"#));
    let got = sk.wait_accepted(1, Duration::from_secs(5));
    let stats = out.shutdown(Duration::from_secs(2));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["rule"], "R1");
    assert_eq!(stats.http_sent, 1);
    assert_eq!(stats.undelivered(), 0);
}

#[test]
fn server_errors_are_retried_with_backoff() {
    let sk = Sidekick::start(2);
    let out = Outputs::start(&http_only(fast(sk.url()))).expect("start");
    out.emit(alert("R2", r#"{"proc.name":"cat"}"#));
    let got = sk.wait_accepted(1, Duration::from_secs(5));
    let stats = out.shutdown(Duration::from_secs(2));
    assert_eq!(got.len(), 1);
    assert_eq!(stats.http_retries, 2);
    assert_eq!(stats.http_sent, 1);
}

#[test]
fn payload_the_check_refuses_is_counted_not_retried() {
    let sk = Sidekick::start(0);
    let out = Outputs::start(&http_only(fast(sk.url()))).expect("start");
    out.emit(alert("R3", "{}"));
    let end = Instant::now() + Duration::from_secs(5);
    while sk.rejected.lock().expect("lock").is_empty() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
    let stats = out.shutdown(Duration::from_secs(2));
    assert_eq!(
        sk.rejected.lock().expect("lock").as_slice(),
        ["empty output_fields"]
    );
    assert_eq!(stats.http_failed, 1);
    assert_eq!(stats.http_retries, 0);
}

#[test]
fn unreachable_endpoint_never_blocks_and_counts_losses() {
    // A port that was just free: connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let h = HttpOutput {
        queue_capacity: 4,
        max_attempts: 3,
        ..fast(format!("http://127.0.0.1:{port}/"))
    };
    let out = Outputs::start(&http_only(h)).expect("start");
    // The poster is busy retrying the first alerts; a blocking emit would hang here
    // instead of dropping.
    for i in 0..200 {
        out.emit(alert(&format!("R{i}"), r#"{"a":"b"}"#));
    }
    let stats = out.shutdown(Duration::from_millis(300));
    assert_eq!(stats.emitted, 200);
    assert!(stats.http_dropped >= 190, "{stats}");
    assert_eq!(stats.http_sent, 0);
    assert_eq!(stats.http_dropped + stats.http_failed, 200, "{stats}");
}

#[test]
fn file_output_writes_text_or_json_lines() {
    let dir = std::env::temp_dir().join(format!("falco-rt-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for (json, keep_alive) in [(false, false), (true, true)] {
        let path = dir.join(format!("alerts-{json}.log"));
        let _ = std::fs::remove_file(&path);
        let cfg = OutputsConfig {
            stdout: false,
            json_output: json,
            file: Some(FileOutput {
                path: path.clone(),
                keep_alive,
            }),
            ..OutputsConfig::default()
        };
        let out = Outputs::start(&cfg).expect("start");
        out.emit(alert("A", r#"{"a":"1"}"#));
        out.emit(alert("B", r#"{"a":"2"}"#));
        let stats = out.shutdown(Duration::from_secs(1));
        assert_eq!(stats.undelivered(), 0);
        let text = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        if json {
            assert!(lines[1].starts_with('{') && lines[1].contains(r#""rule":"B""#));
        } else {
            assert_eq!(lines[0], "22:13:20.000000000: Warning A");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
