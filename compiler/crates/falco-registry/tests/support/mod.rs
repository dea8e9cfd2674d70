//! A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) started
//! on 127.0.0.1 with a temporary configuration and storage, plain, with htpasswd auth
//! and TLS (a CA and server certificate made with rcgen), or with token auth pointing
//! at a token issuer of the test's own. Also used by the falco-rt tests and benches.

#![allow(dead_code)] // each test binary uses part of it

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The registry binary.
const BINARY: &str = "/usr/bin/docker-registry";

/// How the registry is set up.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Plain HTTP, anonymous.
    Plain,
    /// HTTPS with a test CA, basic auth from an htpasswd file.
    TlsHtpasswd {
        /// User.
        user: String,
        /// Password.
        password: String,
    },
    /// Plain HTTP with the token flow: `realm` issues tokens signed by the key whose
    /// self-signed certificate is `cert_pem`.
    Token {
        /// The token endpoint.
        realm: String,
        /// The `service` name.
        service: String,
        /// The issuer name.
        issuer: String,
        /// The signing certificate (PEM), the registry's root bundle.
        cert_pem: String,
    },
}

/// A running registry.
pub struct Registry {
    child: Option<Child>,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// Its scratch directory (config, storage, certificates).
    pub dir: PathBuf,
    /// The CA certificate (PEM file) with TLS.
    pub ca: Option<PathBuf>,
    config: PathBuf,
    tls: bool,
}

/// Whether the registry can be run here; without it, tests skip unless
/// `FALCO_TEST_ALL=1`.
pub fn available() -> bool {
    let ready = if Path::new(BINARY).exists() {
        Ok(())
    } else {
        Err(format!(
            "{BINARY} is missing (scripts/install-deps installs docker-registry)"
        ))
    };
    falco_test_budget::available("the registry tests", ready)
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A scratch directory.
pub fn scratch(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("falco-registry-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).expect("scratch dir");
    p
}

impl Registry {
    /// Starts a registry (None when it is not installed and this is not CI).
    pub fn start(name: &str, mode: &Mode) -> Option<Registry> {
        if !available() {
            return None;
        }
        let dir = scratch(name);
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n  secret: falco-rt-tests\n",
            dir.join("storage").display()
        );
        let mut ca = None;
        let tls = matches!(mode, Mode::TlsHtpasswd { .. });
        match mode {
            Mode::Plain => {}
            Mode::TlsHtpasswd { user, password } => {
                let (ca_pem, cert_pem, key_pem) = server_certificates();
                for (file, text) in [
                    ("ca.pem", &ca_pem),
                    ("cert.pem", &cert_pem),
                    ("key.pem", &key_pem),
                ] {
                    std::fs::write(dir.join(file), text).expect("write pem");
                }
                ca = Some(dir.join("ca.pem"));
                let out = Command::new("htpasswd")
                    .args(["-Bbn", user, password])
                    .output()
                    .expect("htpasswd (apache2-utils)");
                assert!(out.status.success(), "htpasswd failed");
                std::fs::write(dir.join("htpasswd"), &out.stdout).expect("write htpasswd");
                config.push_str(&format!(
                    "  tls:\n    certificate: {}\n    key: {}\nauth:\n  htpasswd:\n    realm: test-realm\n    path: {}\n",
                    dir.join("cert.pem").display(),
                    dir.join("key.pem").display(),
                    dir.join("htpasswd").display()
                ));
            }
            Mode::Token {
                realm,
                service,
                issuer,
                cert_pem,
            } => {
                std::fs::write(dir.join("token-root.pem"), cert_pem).expect("write root");
                config.push_str(&format!(
                    "auth:\n  token:\n    realm: {realm}\n    service: {service}\n    issuer: {issuer}\n    rootcertbundle: {}\n",
                    dir.join("token-root.pem").display()
                ));
            }
        }
        let config_path = dir.join("config.yml");
        std::fs::write(&config_path, config).expect("write config");
        let mut r = Registry {
            child: None,
            addr,
            dir,
            ca,
            config: config_path,
            tls,
        };
        r.resume();
        Some(r)
    }

    /// `oci://` reference text for `repo:tag`.
    pub fn reference(&self, repo_tag: &str) -> String {
        format!("{}/{repo_tag}", self.addr)
    }

    /// Stops the registry process (its storage stays).
    pub fn pause(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same address and storage; waits until it answers.
    pub fn resume(&mut self) {
        self.pause();
        // Its log (every 404 and 401 is an "error" there) goes to a file beside it.
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("registry.log"))
            .expect("registry log");
        let child = Command::new(BINARY)
            .arg("serve")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        self.child = Some(child);
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            if self.answers() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("docker-registry did not start on {}", self.addr);
    }

    /// Whether `/v2/` answers (any status; with TLS, a handshake is enough).
    fn answers(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(&self.addr) else {
            return false;
        };
        if self.tls {
            return true;
        }
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        let _ = s.write_all(b"GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let mut buf = [0u8; 12];
        s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.1")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.pause();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A test CA and a server certificate for 127.0.0.1 and localhost it signed: (CA PEM,
/// certificate PEM, key PEM).
pub fn server_certificates() -> (String, String, String) {
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "falco-rulec test CA");
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let key = rcgen::KeyPair::generate().expect("key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params");
    params
        .subject_alt_names
        .push(rcgen::SanType::IpAddress("127.0.0.1".parse().expect("ip")));
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let cert = params.signed_by(&key, &issuer).expect("cert");
    (ca.pem(), cert.pem(), key.serialize_pem())
}
