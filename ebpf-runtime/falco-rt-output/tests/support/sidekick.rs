//! A local HTTP receiver that accepts alerts as Falcosidekick does: a POST whose JSON body
//! has a known `priority`, a non-empty `rule`, a non-zero `time` and non-empty
//! `output_fields` gets 200; anything else gets 400. It can be told to answer 503 to the
//! first requests, to exercise retries. Loopback only; it stops when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

const PRIORITIES: &[&str] = &[
    "emergency",
    "alert",
    "critical",
    "error",
    "warning",
    "notice",
    "informational",
    "info",
    "debug",
];

/// A running receiver.
pub struct Sidekick {
    pub addr: SocketAddr,
    /// Bodies accepted (200), in arrival order.
    pub accepted: Arc<Mutex<Vec<serde_json::Value>>>,
    /// Requests refused by the check (400), with the reason.
    pub rejected: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Sidekick {
    /// Starts on an ephemeral loopback port; the first `fail_first` requests get 503.
    pub fn start(fail_first: usize) -> Sidekick {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let rejected = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let failures = Arc::new(AtomicUsize::new(fail_first));
        let (acc, rej, st) = (accepted.clone(), rejected.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((s, _)) => serve(s, &acc, &rej, &failures),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Sidekick {
            addr,
            accepted,
            rejected,
            stop,
            thread: Some(thread),
        }
    }

    /// The URL to post to.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Waits up to `timeout` until `n` alerts were accepted; returns them.
    pub fn wait_accepted(&self, n: usize, timeout: Duration) -> Vec<serde_json::Value> {
        let end = std::time::Instant::now() + timeout;
        loop {
            let got = self.accepted.lock().expect("lock").clone();
            if got.len() >= n || std::time::Instant::now() >= end {
                return got;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Sidekick {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    s: TcpStream,
    acc: &Mutex<Vec<serde_json::Value>>,
    rej: &Mutex<Vec<String>>,
    failures: &AtomicUsize,
) {
    let _ = s.set_nonblocking(false);
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(match s.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut s = s;
    // One request per connection is all a client needs here; we close after answering.
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let (status, reason) = if failures
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |f| f.checked_sub(1))
        .is_ok()
    {
        (503, "Service Unavailable")
    } else if !request_line.starts_with("POST ") {
        rej.lock()
            .expect("lock")
            .push(format!("method: {request_line}"));
        (400, "Bad Request")
    } else {
        match check(&body) {
            Ok(v) => {
                acc.lock().expect("lock").push(v);
                (200, "OK")
            }
            Err(why) => {
                rej.lock().expect("lock").push(why);
                (400, "Bad Request")
            }
        }
    };
    let _ = write!(
        s,
        "HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
}

/// Falcosidekick's acceptance check of a Falco payload.
pub fn check(body: &[u8]) -> Result<serde_json::Value, String> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    let priority = v["priority"].as_str().unwrap_or("");
    if !PRIORITIES.contains(&priority.to_ascii_lowercase().as_str()) {
        return Err(format!("bad priority `{priority}`"));
    }
    if v["rule"].as_str().is_none_or(str::is_empty) {
        return Err("empty rule".into());
    }
    let time = v["time"].as_str().unwrap_or("");
    if time.is_empty() || time.starts_with("0001-01-01") || time.starts_with("1970-01-01T00:00:00Z")
    {
        return Err(format!("zero time `{time}`"));
    }
    if v["output_fields"].as_object().is_none_or(|o| o.is_empty()) {
        return Err("empty output_fields".into());
    }
    Ok(v)
}
