//! Who we are to a registry: credentials and the registry's challenges.
//!
//! Credentials come, first match wins, from `FALCO_REGISTRY_USERNAME` and
//! `FALCO_REGISTRY_PASSWORD` (for every registry), then from the `auths` of the
//! container tools' files: `$REGISTRY_AUTH_FILE` (podman), `$DOCKER_CONFIG/config.json`
//! or `~/.docker/config.json` (docker). Entries are `{"auth": base64("user:pass")}` or
//! `{"username": .., "password": ..}`, keyed by host (a scheme or path in the key is
//! ignored). Credential helpers (`credsStore`, `credHelpers`) are not run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use crate::Error;

/// A user name and password (or identity token).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, <hidden>)", self.username)
    }
}

impl Credentials {
    /// The `Authorization` header value for basic auth.
    pub fn basic(&self) -> String {
        format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", self.username, self.password))
        )
    }
}

/// Largest credentials file read.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Credentials by registry host.
#[derive(Clone, Debug, Default)]
pub struct CredentialStore {
    everywhere: Option<Credentials>,
    by_host: BTreeMap<String, Credentials>,
}

#[derive(Deserialize)]
struct AuthFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
}

#[derive(Deserialize)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

impl CredentialStore {
    /// No credentials (anonymous access).
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// Credentials for every registry.
    pub fn everywhere(credentials: Credentials) -> Self {
        Self {
            everywhere: Some(credentials),
            by_host: BTreeMap::new(),
        }
    }

    /// From the environment and the container tools' files (see the module docs). A
    /// file that exists but cannot be read is an error naming it.
    pub fn from_environment() -> Result<Self, Error> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let mut store = Self::default();
        if let (Some(username), Some(password)) = (
            var("FALCO_REGISTRY_USERNAME"),
            var("FALCO_REGISTRY_PASSWORD"),
        ) {
            store.everywhere = Some(Credentials { username, password });
        }
        let mut files: Vec<PathBuf> = Vec::new();
        if let Some(f) = var("REGISTRY_AUTH_FILE") {
            files.push(f.into());
        }
        match var("DOCKER_CONFIG") {
            Some(d) => files.push(Path::new(&d).join("config.json")),
            None => {
                if let Some(h) = var("HOME") {
                    files.push(Path::new(&h).join(".docker/config.json"));
                }
            }
        }
        for file in files {
            if file.exists() {
                store.add_file(&file)?;
            }
        }
        Ok(store)
    }

    /// Adds the `auths` of a docker/podman credentials file (earlier entries win).
    pub fn add_file(&mut self, path: &Path) -> Result<(), Error> {
        let what = path.display();
        let bytes = read_bounded(path, MAX_CONFIG_BYTES)?;
        let file: AuthFile = serde_json::from_slice(&bytes)
            .map_err(|e| Error::Io(format!("{what}: not a credentials file: {e}")))?;
        for (key, entry) in file.auths {
            let host = host_of_key(&key);
            let creds = match (entry.auth, entry.username, entry.password) {
                (Some(auth), _, _) if !auth.is_empty() => {
                    let decoded = STANDARD
                        .decode(auth.trim())
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                        .ok_or_else(|| {
                            Error::Io(format!(
                                "{what}: `auths.{key}.auth` is not base64 of user:password"
                            ))
                        })?;
                    let (u, p) = decoded.split_once(':').ok_or_else(|| {
                        Error::Io(format!(
                            "{what}: `auths.{key}.auth` has no `:` between user and password"
                        ))
                    })?;
                    Credentials {
                        username: u.to_string(),
                        password: p.to_string(),
                    }
                }
                (_, Some(username), Some(password)) => Credentials { username, password },
                _ => continue,
            };
            self.by_host.entry(host).or_insert(creds);
        }
        Ok(())
    }

    /// The credentials for `registry` (`HOST[:PORT]`), if any.
    pub fn lookup(&self, registry: &str) -> Option<&Credentials> {
        self.everywhere
            .as_ref()
            .or_else(|| self.by_host.get(registry))
    }
}

/// `https://host:port/v1/` → `host:port`.
fn host_of_key(key: &str) -> String {
    let rest = key.split_once("://").map_or(key, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest).to_string()
}

/// Reads at most `limit` bytes of a file; a larger file is an error.
pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let what = path.display();
    let file = std::fs::File::open(path).map_err(|e| Error::Io(format!("{what}: {e}")))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Io(format!("{what}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(Error::Io(format!("{what}: larger than {limit} bytes")));
    }
    Ok(bytes)
}

/// A `WWW-Authenticate` challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic realm=...`.
    Basic,
    /// `Bearer realm=...,service=...,scope=...`.
    Bearer {
        /// The token endpoint.
        realm: String,
        /// The `service` parameter.
        service: Option<String>,
        /// The `scope` parameter.
        scope: Option<String>,
    },
}

/// Parses a `WWW-Authenticate` header value (one challenge, quoted or bare parameters).
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, params) = header.split_once(' ').unwrap_or((header, ""));
    let params = parse_params(params);
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => Some(Challenge::Basic),
        "bearer" => Some(Challenge::Bearer {
            realm: params.get("realm")?.clone(),
            service: params.get("service").cloned(),
            scope: params.get("scope").cloned(),
        }),
        _ => None,
    }
}

fn parse_params(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = text.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, e)) = chars.next() {
                            value.push(e);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        out.insert(key, value);
        rest = next.trim_start().trim_start_matches(',');
    }
    out
}
