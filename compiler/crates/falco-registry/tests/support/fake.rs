//! A registry impostor for the bad-registry tests: a small HTTP/1.1 server on
//! 127.0.0.1 that answers each request with what the test's function says, and records
//! the requests.

#![allow(dead_code)] // each test binary uses part of it

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One answer.
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Answer {
    /// `status` with `body`.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, k: &str, v: &str) -> Answer {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
}

/// `(method, path, request head)` → the answer.
type Route = dyn Fn(&str, &str, &str) -> Answer + Send + Sync;

/// A running impostor.
pub struct Fake {
    /// Its address.
    pub addr: SocketAddr,
    /// `METHOD PATH` of every request so far.
    pub requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Fake {
    /// Serves `route(method, path)`.
    pub fn start(route: impl Fn(&str, &str) -> Answer + Send + Sync + 'static) -> Fake {
        Self::start_with_head(move |method, path, _| route(method, path))
    }

    /// Serves `route(method, path, head)`, the head being the request line and headers.
    pub fn start_with_head(
        route: impl Fn(&str, &str, &str) -> Answer + Send + Sync + 'static,
    ) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let route: Arc<Route> = Arc::new(route);
        let (log, flag) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(mut s) = conn else { continue };
                let (route, log) = (route.clone(), log.clone());
                std::thread::spawn(move || serve(&mut s, &*route, &log));
            }
        });
        Fake {
            addr,
            requests,
            stop,
        }
    }

    /// Whether a request for a path containing `needle` came.
    pub fn asked(&self, needle: &str) -> bool {
        self.requests
            .lock()
            .expect("lock")
            .iter()
            .any(|r| r.contains(needle))
    }
}

fn serve(s: &mut TcpStream, route: &Route, log: &Mutex<Vec<String>>) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut first = text.lines().next().unwrap_or("").split_whitespace();
    let (method, path) = (first.next().unwrap_or(""), first.next().unwrap_or(""));
    // Drain a declared body.
    let len = text
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .and_then(|v| v.trim().parse::<usize>().ok())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    let _ = s.read_exact(&mut body);
    log.lock().expect("lock").push(format!("{method} {path}"));
    let a = route(method, path, &text);
    let mut out = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", a.status);
    let has_length = a
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
    for (k, v) in &a.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !has_length {
        out.push_str(&format!("Content-Length: {}\r\n", a.body.len()));
    }
    out.push_str("\r\n");
    let _ = s.write_all(out.as_bytes());
    if method != "HEAD" {
        let _ = s.write_all(&a.body);
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.addr);
    }
}
