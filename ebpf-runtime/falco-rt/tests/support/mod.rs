//! Shared by the falco-rt integration tests: bundles compiled from rules text, and a
//! running agent whose output lines the tests wait for.

#![allow(dead_code)] // the tests and the agent bench each use part of it

#[path = "../../../falco-rt-output/tests/support/sidekick.rs"]
pub mod sidekick;

#[path = "../../../../compiler/crates/falco-registry/tests/support/mod.rs"]
pub mod registry;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Held by tests that capture, so that one agent captures at a time.
pub fn live_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A scratch directory for one test, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("falco-rt-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Compiles rules files (path, text) into bundle bytes with the falco-rulec library.
pub fn compile(files: Vec<(String, String)>) -> Vec<u8> {
    let (analysis, result) = falco_rulec::cli::compile::compile_files(files);
    match result {
        Ok(c) => c.bytes,
        Err(e) => panic!("compile failed: {e}: {:?}", analysis.diagnostics),
    }
}

/// The stdlib rules (`rules-stdlib/rules`) compiled once per test binary.
pub fn stdlib_bundle() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| compile(falco_rulec::cli::defaults::default_rules()))
}

/// The shared corpus, `<repo>/../shared/corpus`.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// The three upstream rules files, in the order Falco loads them.
pub const UPSTREAM: [&str; 3] = [
    "falco_rules.yaml",
    "falco-incubating_rules.yaml",
    "falco-sandbox_rules.yaml",
];

/// A bundle of the upstream rules files `names` (from the corpus).
pub fn upstream_bundle(names: &[&str]) -> Vec<u8> {
    let dir = corpus_dir().join("upstream-rules");
    let files = names
        .iter()
        .map(|name| {
            let text =
                std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            ((*name).to_string(), text)
        })
        .collect();
    compile(files)
}

/// The upstream k8s audit fixture with a ConfigMap holding `aws_access_key_id`.
pub fn configmap_fixture() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/corpus/k8s-audit-events/events/create_configmap_sensitive_values.json",
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A running `falco-rt` with its stdout and stderr lines collected.
pub struct Agent {
    child: Child,
    pub stdout: Arc<Mutex<Vec<String>>>,
    pub stderr: Arc<Mutex<Vec<String>>>,
}

fn collect(r: impl std::io::Read + Send + 'static, sink: Arc<Mutex<Vec<String>>>, echo: bool) {
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            if echo {
                eprintln!("[falco-rt] {line}");
            }
            sink.lock().expect("lock").push(line);
        }
    });
}

impl Agent {
    pub fn spawn(args: &[&str]) -> Agent {
        Self::spawn_bin(Path::new(env!("CARGO_BIN_EXE_falco-rt")), args)
    }

    /// An agent running `bundle` on the k8s audit webhook only (no syscall capture),
    /// listening on a free port, with `extra` flags after those.
    pub fn spawn_webhook_only(bundle: &Path, extra: &[&str]) -> Agent {
        let mut args = vec![
            "--bundle",
            bundle.to_str().expect("utf8"),
            "--no-syscalls",
            "--k8s-audit-listen",
            "127.0.0.1:0",
        ];
        args.extend_from_slice(extra);
        Self::spawn(&args)
    }

    /// Like [`Agent::spawn`], with another build of the agent (the bench's A/B runs).
    pub fn spawn_bin(bin: &Path, args: &[&str]) -> Agent {
        Self::spawn_with(bin, args, true)
    }

    /// Like [`Agent::spawn`], without echoing its stderr (the fleet bench runs dozens).
    pub fn spawn_quiet(args: &[&str]) -> Agent {
        Self::spawn_with(Path::new(env!("CARGO_BIN_EXE_falco-rt")), args, false)
    }

    fn spawn_with(bin: &Path, args: &[&str], echo: bool) -> Agent {
        let mut child = Command::new(bin)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn falco-rt");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        collect(child.stdout.take().expect("stdout"), stdout.clone(), false);
        collect(child.stderr.take().expect("stderr"), stderr.clone(), echo);
        Agent {
            child,
            stdout,
            stderr,
        }
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until a line of `which` satisfies `f`; returns it.
    pub fn wait_line(
        &mut self,
        which: &Arc<Mutex<Vec<String>>>,
        timeout: Duration,
        f: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let end = Instant::now() + timeout;
        loop {
            if let Some(l) = which.lock().expect("lock").iter().find(|l| f(l)) {
                return Some(l.clone());
            }
            if Instant::now() >= end {
                return None;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(50));
                let found = which.lock().expect("lock").iter().find(|l| f(l)).cloned();
                if found.is_none() {
                    panic!("falco-rt exited ({status}) before the expected line");
                }
                return found;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn wait_stderr(&mut self, needle: &str) -> String {
        let e = self.stderr.clone();
        self.wait_line(&e, Duration::from_secs(30), |l| l.contains(needle))
            .unwrap_or_else(|| panic!("no stderr line with {needle:?}"))
    }

    pub fn wait_stdout(&mut self, needle: &str) -> String {
        let o = self.stdout.clone();
        self.wait_line(&o, Duration::from_secs(30), |l| l.contains(needle))
            .unwrap_or_else(|| {
                panic!(
                    "no alert with {needle:?}; got {:?}",
                    o.lock().expect("lock")
                )
            })
    }

    /// The webhook's address, from the agent's start-up line.
    pub fn webhook_addr(&mut self) -> std::net::SocketAddr {
        let line = self.wait_stderr("webhook listening on ");
        let url = line.rsplit("://").next().expect("url");
        url.trim_end_matches("/k8s-audit").parse().expect("address")
    }

    /// The metrics address, from the agent's start-up line.
    pub fn metrics_addr(&mut self) -> std::net::SocketAddr {
        let line = self.wait_stderr("metrics on http://");
        let rest = line.rsplit("http://").next().expect("url");
        rest.split('/')
            .next()
            .expect("addr")
            .parse()
            .expect("address")
    }

    /// Counts the stdout lines containing `needle`.
    pub fn count_stdout(&self, needle: &str) -> usize {
        self.stdout
            .lock()
            .expect("lock")
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([format!("-{sig}"), self.pid().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill -{sig} failed");
    }

    /// SIGTERM, then waits for a clean exit; returns the exit code.
    pub fn stop(mut self) -> i32 {
        self.signal("TERM");
        let end = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(100));
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < end, "falco-rt did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Posts `body` to the webhook; returns the status code.
pub fn post(addr: std::net::SocketAddr, body: &str) -> u16 {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let head = format!(
        "POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).expect("write");
    s.write_all(body.as_bytes()).expect("write");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// A bench's numeric flag: the value after `name` in `args`, or `default`.
pub fn bench_arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// GETs `path` from `addr`; returns the status and body.
pub fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return (0, String::new());
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

/// Waits until `f` holds, polling every 20 ms, for at most `secs` seconds.
pub fn wait_until(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    f()
}

/// A k8s_audit rule named `name` compiled into a bundle.
pub fn k8s_rule(name: &str) -> Vec<u8> {
    let text = format!(
        "- rule: {name}\n  desc: test rule\n  condition: ka.verb = create\n  output: {name} fired (user=%ka.user.name)\n  priority: WARNING\n  source: k8s_audit\n"
    );
    compile(vec![("rules.yaml".into(), text)])
}
