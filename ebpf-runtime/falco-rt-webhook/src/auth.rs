//! Who may post audit events: a client certificate signed by the client CA (mutual TLS,
//! as the API server's webhook kubeconfig presents), or a bearer token from a file.
//! With neither configured, anyone may.

use std::path::PathBuf;

/// The webhook's authentication settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Auth {
    /// PEM CA certificates that sign accepted client certificates (needs TLS). A client
    /// that presents a certificate not signed by them fails the handshake; one that
    /// presents none must bring a token.
    pub client_ca: Option<PathBuf>,
    /// Accepted bearer tokens.
    pub tokens: Vec<String>,
}

/// What a connection proved at the TLS layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Caller {
    /// It presented a certificate the client CA verified.
    pub client_certificate: bool,
}

impl Auth {
    /// Whether authentication is asked for.
    pub fn required(&self) -> bool {
        self.client_ca.is_some() || !self.tokens.is_empty()
    }

    /// Reads tokens from a file: one per line, blank lines ignored.
    pub fn read_tokens(path: &std::path::Path) -> Result<Vec<String>, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let tokens: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        if tokens.is_empty() {
            return Err(format!("{}: no token in the file", path.display()));
        }
        Ok(tokens)
    }

    /// Whether a request from `caller` with this `Authorization` header may post.
    pub fn admits(&self, caller: Caller, authorization: Option<&str>) -> bool {
        if !self.required() || caller.client_certificate {
            return true;
        }
        let Some(given) = authorization.and_then(|a| {
            a.split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, t)| t.trim())
        }) else {
            return false;
        };
        // Every token is compared whole, so the time taken does not tell how much of
        // a guess was right.
        self.tokens.iter().fold(false, |ok, t| {
            constant_time_eq(t.as_bytes(), given.as_bytes()) | ok
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
