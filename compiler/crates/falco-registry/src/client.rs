//! The distribution API (<https://github.com/opencontainers/distribution-spec>) over
//! ureq: manifests and blobs, read and written, with authentication.
//!
//! Every response is bounded: a body with a declared size over its limit is refused
//! before it is read, and no read goes past the limit; every request has a deadline
//! ([`ClientOptions::timeout`]). Redirects are followed (at most 5; credentials are
//! not sent to another host). HTTPS is the default, with the system's web PKI roots or
//! a CA file; plain HTTP only with [`ClientOptions::insecure`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Deserialize;
use ureq::http::Response;
use ureq::{Body, RequestBuilder};

use crate::auth::{Challenge, CredentialStore, parse_challenge, read_bounded};
use crate::manifest::{Descriptor, Fetched, Manifest, OCI_MANIFEST};
use crate::reference::Target;
use crate::{Digest, Error, MAX_AUX_BYTES, MAX_MANIFEST_BYTES, Reference};

/// How to reach registries.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Plain HTTP instead of HTTPS (`--insecure`).
    pub insecure: bool,
    /// A PEM file of CA certificates to trust instead of the web PKI roots.
    pub ca_file: Option<PathBuf>,
    /// Credentials by registry.
    pub credentials: CredentialStore,
    /// Deadline of one request, from connecting to the last body byte.
    pub timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            insecure: false,
            ca_file: None,
            credentials: CredentialStore::anonymous(),
            timeout: Duration::from_secs(30),
        }
    }
}

/// A registry client. Tokens are cached per registry and scope.
#[derive(Debug)]
pub struct Client {
    agent: ureq::Agent,
    scheme: &'static str,
    credentials: CredentialStore,
    auth: Mutex<HashMap<(String, String), Arc<str>>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Get,
    Head,
    Put,
    Post,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Put => "PUT",
            Method::Post => "POST",
        }
    }
}

/// One request to send.
struct Call<'a> {
    method: Method,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Option<&'a [u8]>,
}

impl Call<'_> {
    fn name(&self) -> String {
        format!("{} {}", self.method.name(), self.url)
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    token: Option<String>,
    access_token: Option<String>,
}

#[derive(Deserialize)]
struct ErrorsAnswer {
    errors: Vec<ErrorEntry>,
}

#[derive(Deserialize)]
struct ErrorEntry {
    code: Option<String>,
    message: Option<String>,
}

fn with_headers<B>(
    mut rb: RequestBuilder<B>,
    headers: &[(&'static str, String)],
) -> RequestBuilder<B> {
    for (k, v) in headers {
        rb = rb.header(*k, v.as_str());
    }
    rb
}

impl Client {
    /// A client with these options; a CA file that cannot be used is an error.
    pub fn new(options: &ClientOptions) -> Result<Client, Error> {
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(ca) = &options.ca_file {
            let pem = read_bounded(ca, MAX_AUX_BYTES)?;
            let certs = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Error::Io(format!("{}: {e}", ca.display())))?;
            if certs.is_empty() {
                return Err(Error::Io(format!(
                    "{}: no CA certificate in the file",
                    ca.display()
                )));
            }
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(5)
            .timeout_global(Some(options.timeout))
            .user_agent(concat!("falco-registry/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build()
            .into();
        Ok(Client {
            agent,
            scheme: if options.insecure { "http" } else { "https" },
            credentials: options.credentials.clone(),
            auth: Mutex::new(HashMap::new()),
        })
    }

    fn base(&self, r: &Reference) -> String {
        format!("{}://{}/v2/{}", self.scheme, r.registry, r.repository)
    }

    fn execute(&self, call: &Call<'_>, auth: Option<&str>) -> Result<Response<Body>, Error> {
        let mut headers = call.headers.clone();
        if let Some(a) = auth {
            headers.push(("Authorization", a.to_string()));
        }
        let url = call.url.as_str();
        let result = match call.method {
            Method::Get => with_headers(self.agent.get(url), &headers).call(),
            Method::Head => with_headers(self.agent.head(url), &headers).call(),
            Method::Put => {
                with_headers(self.agent.put(url), &headers).send(call.body.unwrap_or(&[]))
            }
            Method::Post => {
                with_headers(self.agent.post(url), &headers).send(call.body.unwrap_or(&[]))
            }
        };
        result.map_err(|e| Error::Transport {
            request: call.name(),
            message: transport_message(&e),
        })
    }

    /// Sends `call` for `r`'s repository, answering the registry's challenge once.
    fn send(&self, r: &Reference, push: bool, call: &Call<'_>) -> Result<Response<Body>, Error> {
        let scope = format!(
            "repository:{}:{}",
            r.repository,
            if push { "pull,push" } else { "pull" }
        );
        let key = (r.registry.clone(), scope.clone());
        let cached = self
            .auth
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        let resp = self.execute(call, cached.as_deref())?;
        if resp.status().as_u16() != 401 {
            return Ok(resp);
        }
        let challenge = resp
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_challenge);
        let creds = self.credentials.lookup(&r.registry);
        let header: Arc<str> = match challenge {
            Some(Challenge::Basic) => match creds {
                Some(c) => c.basic().into(),
                None => {
                    return Err(unauthorized(
                        call,
                        &r.registry,
                        "the registry wants a user name and password and none is configured",
                    ));
                }
            },
            Some(Challenge::Bearer {
                realm,
                service,
                scope: asked,
            }) => {
                let token = self.token(
                    call,
                    &realm,
                    service.as_deref(),
                    asked.as_deref().unwrap_or(&scope),
                    creds,
                )?;
                format!("Bearer {token}").into()
            }
            None => return Err(status_error(call, resp)),
        };
        if cached.as_deref() == Some(&*header) {
            return Err(unauthorized(
                call,
                &r.registry,
                "the credentials were refused",
            ));
        }
        self.auth
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, header.clone());
        let resp = self.execute(call, Some(&header))?;
        if resp.status().as_u16() == 401 {
            return Err(unauthorized(
                call,
                &r.registry,
                "the credentials were refused",
            ));
        }
        Ok(resp)
    }

    /// The registry token flow: GET the realm with the service and scope, with basic
    /// credentials when there are some.
    fn token(
        &self,
        call: &Call<'_>,
        realm: &str,
        service: Option<&str>,
        scope: &str,
        creds: Option<&crate::auth::Credentials>,
    ) -> Result<String, Error> {
        let request = format!("GET {realm} (token for {})", call.url);
        if !(realm.starts_with("https://")
            || (self.scheme == "http" && realm.starts_with("http://")))
        {
            return Err(Error::Transport {
                request,
                message: "the token realm is not an https URL (plain http only with --insecure)"
                    .into(),
            });
        }
        let mut rb = self.agent.get(realm).query("scope", scope);
        if let Some(s) = service {
            rb = rb.query("service", s);
        }
        if let Some(c) = creds {
            rb = rb.header("Authorization", c.basic());
        }
        let mut resp = rb.call().map_err(|e| Error::Transport {
            request: request.clone(),
            message: transport_message(&e),
        })?;
        let status = resp.status().as_u16();
        if status != 200 {
            return Err(Error::Status {
                request,
                status,
                message: format!(
                    "the token server refused{}",
                    if creds.is_some() {
                        " the credentials"
                    } else {
                        " anonymous access"
                    }
                ),
            });
        }
        let body = read_body(&mut resp, "token answer", MAX_AUX_BYTES, &request)?;
        let answer: TokenAnswer = serde_json::from_slice(&body).map_err(|e| {
            Error::Invalid(format!(
                "{request}: the token answer is not JSON with a token: {e}"
            ))
        })?;
        answer
            .token
            .or(answer.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::Invalid(format!("{request}: the token answer has no token")))
    }

    /// Reads the manifest `r` points at, checking its digest (against a pinned digest
    /// and the registry's `Docker-Content-Digest`).
    pub fn manifest(&self, r: &Reference) -> Result<Fetched, Error> {
        self.manifest_opt(r)?.ok_or_else(|| Error::Status {
            request: format!("GET {}/manifests/{}", self.base(r), r.target_text()),
            status: 404,
            message: format!("not found: no manifest at {r}"),
        })
    }

    /// Like [`Client::manifest`], `None` when the registry has none (404).
    pub fn manifest_opt(&self, r: &Reference) -> Result<Option<Fetched>, Error> {
        let call = Call {
            method: Method::Get,
            url: format!("{}/manifests/{}", self.base(r), r.target_text()),
            headers: vec![("Accept", OCI_MANIFEST.to_string())],
            body: None,
        };
        let mut resp = self.send(r, false, &call)?;
        match resp.status().as_u16() {
            200 => {}
            404 => return Ok(None),
            _ => return Err(status_error(&call, resp)),
        }
        let served = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = read_body(
            &mut resp,
            &format!("the manifest of {r}"),
            MAX_MANIFEST_BYTES,
            &call.name(),
        )?;
        let digest = Digest::of(&bytes);
        let what = format!("the manifest of {r}");
        if let Target::Digest(d) = &r.target {
            d.check(&what, &bytes)?;
        }
        if let Some(s) = served
            && s.starts_with("sha256:")
            && s != digest.as_str()
        {
            return Err(Error::DigestMismatch {
                what: format!("{what} (Docker-Content-Digest)"),
                expected: s,
                actual: digest.to_string(),
            });
        }
        let manifest = Manifest::parse(&what, &bytes)?;
        Ok(Some(Fetched {
            bytes,
            digest,
            manifest,
        }))
    }

    /// Stores manifest bytes at `r` (a tag, or their digest); returns their digest.
    pub fn put_manifest(&self, r: &Reference, bytes: &[u8]) -> Result<Digest, Error> {
        let call = Call {
            method: Method::Put,
            url: format!("{}/manifests/{}", self.base(r), r.target_text()),
            headers: vec![("Content-Type", OCI_MANIFEST.to_string())],
            body: Some(bytes),
        };
        let resp = self.send(r, true, &call)?;
        if resp.status().as_u16() != 201 {
            return Err(status_error(&call, resp));
        }
        let digest = Digest::of(bytes);
        if let Some(s) = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            && s != digest.as_str()
        {
            return Err(Error::DigestMismatch {
                what: format!("the manifest stored at {r}"),
                expected: digest.to_string(),
                actual: s.to_string(),
            });
        }
        Ok(digest)
    }

    /// Reads the blob `desc` describes from `r`'s repository: refused before reading
    /// when its declared size is over `limit`, checked against its size and digest.
    pub fn blob(&self, r: &Reference, desc: &Descriptor, limit: u64) -> Result<Vec<u8>, Error> {
        let what = format!("blob {} ({})", desc.digest, desc.media_type);
        if desc.size > limit {
            return Err(Error::TooLarge {
                what,
                size: Some(desc.size),
                limit,
            });
        }
        let digest = Digest::parse(&desc.digest)?;
        let call = Call {
            method: Method::Get,
            url: format!("{}/blobs/{}", self.base(r), digest),
            headers: Vec::new(),
            body: None,
        };
        let mut resp = self.send(r, false, &call)?;
        if resp.status().as_u16() != 200 {
            return Err(status_error(&call, resp));
        }
        let bytes = read_body(&mut resp, &what, desc.size, &call.name())?;
        if bytes.len() as u64 != desc.size {
            return Err(Error::Invalid(format!(
                "{what}: {} bytes served, the manifest says {}",
                bytes.len(),
                desc.size
            )));
        }
        digest.check(&what, &bytes)?;
        Ok(bytes)
    }

    /// Uploads a blob to `r`'s repository unless it is there already; returns its digest.
    pub fn push_blob(&self, r: &Reference, bytes: &[u8]) -> Result<Digest, Error> {
        let digest = Digest::of(bytes);
        let head = Call {
            method: Method::Head,
            url: format!("{}/blobs/{}", self.base(r), digest),
            headers: Vec::new(),
            body: None,
        };
        if self.send(r, true, &head)?.status().as_u16() == 200 {
            return Ok(digest);
        }
        let start = Call {
            method: Method::Post,
            url: format!("{}/blobs/uploads/", self.base(r)),
            headers: Vec::new(),
            body: None,
        };
        let resp = self.send(r, true, &start)?;
        if resp.status().as_u16() != 202 {
            return Err(status_error(&start, resp));
        }
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Error::Invalid(format!("{}: 202 without a Location", start.name())))?;
        let mut url = if location.starts_with("http://") || location.starts_with("https://") {
            location.to_string()
        } else {
            format!("{}://{}{location}", self.scheme, r.registry)
        };
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("digest=");
        url.push_str(&digest.to_string().replace(':', "%3A"));
        let put = Call {
            method: Method::Put,
            url,
            headers: vec![("Content-Type", "application/octet-stream".to_string())],
            body: Some(bytes),
        };
        let resp = self.send(r, true, &put)?;
        if resp.status().as_u16() != 201 {
            return Err(status_error(&put, resp));
        }
        Ok(digest)
    }
}

/// Reads a body of at most `limit` bytes; a declared size over it is refused unread.
fn read_body(
    resp: &mut Response<Body>,
    what: &str,
    limit: u64,
    request: &str,
) -> Result<Vec<u8>, Error> {
    let declared = resp
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(n) = declared
        && n > limit
    {
        return Err(Error::TooLarge {
            what: what.to_string(),
            size: Some(n),
            limit,
        });
    }
    resp.body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => Error::TooLarge {
                what: what.to_string(),
                size: None,
                limit,
            },
            e => Error::Transport {
                request: request.to_string(),
                message: format!("reading {what}: {}", transport_message(&e)),
            },
        })
}

fn unauthorized(call: &Call<'_>, registry: &str, why: &str) -> Error {
    Error::Status {
        request: call.name(),
        status: 401,
        message: format!(
            "unauthorized: {why} (credentials for {registry} come from FALCO_REGISTRY_USERNAME/FALCO_REGISTRY_PASSWORD or ~/.docker/config.json)"
        ),
    }
}

/// An error for an unexpected status, with the registry's own message.
fn status_error(call: &Call<'_>, mut resp: Response<Body>) -> Error {
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(|v| format!(" (retry after {v} s)"))
        .unwrap_or_default();
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_AUX_BYTES)
        .read_to_vec()
        .unwrap_or_default();
    let detail = serde_json::from_slice::<ErrorsAnswer>(&body)
        .ok()
        .map(|a| {
            a.errors
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        e.code.as_deref().unwrap_or("ERROR"),
                        e.message.as_deref().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| {
            let text: String = String::from_utf8_lossy(&body)
                .chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect();
            text.trim().to_string()
        });
    let phrase = match status {
        401 => "unauthorized",
        403 => "forbidden: the credentials may not do this",
        404 => "not found",
        408 => "request timeout",
        429 => "too many requests",
        500..=599 => "registry error",
        300..=399 => "redirect not followed",
        _ => "unexpected answer",
    };
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    };
    Error::Status {
        request: call.name(),
        status,
        message: format!("{phrase}{retry}{detail}"),
    }
}

fn transport_message(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::TooManyRedirects => "too many redirects (more than 5)".to_string(),
        ureq::Error::ConnectionFailed => "connection failed".to_string(),
        ureq::Error::HostNotFound => "host not found".to_string(),
        e => e.to_string(),
    }
}
