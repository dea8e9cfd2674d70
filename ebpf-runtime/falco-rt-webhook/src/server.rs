//! The HTTP(S) server.

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use falco_events::Event;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{
    ALLOW, AUTHORIZATION, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, WWW_AUTHENTICATE,
};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::auth::{Auth, Caller};
use crate::check::{Rejection, check_body, check_content_type};
use crate::{
    HANDSHAKE_TIMEOUT, MAX_BODY_BYTES, MAX_CONNECTIONS, MAX_EVENT_BYTES, READ_TIMEOUT, TlsFiles,
};

/// Called with the events of every accepted request, on the server's thread.
pub type Handler = Arc<dyn Fn(Vec<Event>) + Send + Sync>;

/// Where and how to serve.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// Address to listen on (port 0 picks one; see [`Webhook::local_addr`]).
    pub listen: SocketAddr,
    /// The path the API server posts to (`/k8s-audit`).
    pub path: String,
    /// Serve HTTPS with these files.
    pub tls: Option<TlsFiles>,
    /// Largest audit event accepted.
    pub max_event_bytes: usize,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Who may post (nobody is asked by default).
    pub auth: Auth,
    /// Connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Time a client has to send a request's headers, and then its body.
    pub read_timeout: Duration,
    /// Time a client has to finish the TLS handshake.
    pub handshake_timeout: Duration,
}

impl WebhookConfig {
    /// Plain HTTP on `listen` with the plugin's defaults.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            path: crate::DEFAULT_PATH.into(),
            tls: None,
            max_event_bytes: MAX_EVENT_BYTES,
            max_body_bytes: MAX_BODY_BYTES,
            auth: Auth::default(),
            max_connections: MAX_CONNECTIONS,
            read_timeout: READ_TIMEOUT,
            handshake_timeout: HANDSHAKE_TIMEOUT,
        }
    }
}

/// Why the webhook could not start.
#[derive(Debug)]
pub enum WebhookError {
    /// Binding the address failed.
    Bind(SocketAddr, std::io::Error),
    /// The TLS files could not be used.
    Tls(String),
    /// The server thread or runtime could not be created.
    Io(std::io::Error),
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::Bind(a, e) => write!(f, "k8s audit webhook: cannot listen on {a}: {e}"),
            WebhookError::Tls(e) => write!(f, "k8s audit webhook TLS: {e}"),
            WebhookError::Io(e) => write!(f, "k8s audit webhook: {e}"),
        }
    }
}

impl std::error::Error for WebhookError {}

/// The statuses the webhook answers with, in the order of [`WebhookStats::by_status`].
pub const STATUSES: [u16; 10] = [200, 400, 401, 404, 405, 408, 413, 415, 500, 503];

/// Request counters.
#[derive(Debug, Default)]
pub struct WebhookStats {
    /// Requests answered 200.
    pub accepted: AtomicU64,
    /// Requests refused (any 4xx).
    pub rejected: AtomicU64,
    /// Audit events handed to the handler.
    pub events: AtomicU64,
    /// Requests by answer, one counter per entry of [`STATUSES`].
    pub by_status: [AtomicU64; STATUSES.len()],
    /// Connections open now.
    pub connections: AtomicUsize,
    /// TLS handshakes that failed or did not finish in time.
    pub handshake_failures: AtomicU64,
}

impl WebhookStats {
    fn count(&self, status: u16) {
        if let Some(i) = STATUSES.iter().position(|&s| s == status) {
            self.by_status[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Requests answered with `status` so far.
    pub fn with_status(&self, status: u16) -> u64 {
        STATUSES
            .iter()
            .position(|&s| s == status)
            .map_or(0, |i| self.by_status[i].load(Ordering::Relaxed))
    }
}

/// A running webhook server.
pub struct Webhook {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
    stats: Arc<WebhookStats>,
}

struct Shared {
    cfg: WebhookConfig,
    handler: Handler,
    stats: Arc<WebhookStats>,
}

impl Webhook {
    /// Binds the address and starts serving on a new thread.
    pub fn start(cfg: WebhookConfig, handler: Handler) -> Result<Webhook, WebhookError> {
        if cfg.auth.client_ca.is_some() && cfg.tls.is_none() {
            return Err(WebhookError::Tls(
                "a client CA needs TLS (a certificate and key)".into(),
            ));
        }
        let acceptor = match &cfg.tls {
            Some(files) => Some(TlsAcceptor::from(
                files.server_config(cfg.auth.client_ca.as_deref())?,
            )),
            None => None,
        };
        let std_listener = std::net::TcpListener::bind(cfg.listen)
            .map_err(|e| WebhookError::Bind(cfg.listen, e))?;
        std_listener
            .set_nonblocking(true)
            .map_err(WebhookError::Io)?;
        let addr = std_listener.local_addr().map_err(WebhookError::Io)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(WebhookError::Io)?;
        let (stop, stop_rx) = watch::channel(false);
        let stats = Arc::new(WebhookStats::default());
        let shared = Arc::new(Shared {
            cfg,
            handler,
            stats: stats.clone(),
        });
        let thread = std::thread::Builder::new()
            .name("falco-rt-webhook".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match TcpListener::from_std(std_listener) {
                        Ok(listener) => serve(listener, acceptor, shared, stop_rx).await,
                        Err(e) => eprintln!("falco-rt: k8s audit webhook: {e}"),
                    }
                });
            })
            .map_err(WebhookError::Io)?;
        Ok(Webhook {
            addr,
            stop,
            thread: Some(thread),
            stats,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Request counters.
    pub fn stats(&self) -> &WebhookStats {
        &self.stats
    }

    /// The request counters, shared (for a metrics endpoint).
    pub fn stats_handle(&self) -> Arc<WebhookStats> {
        self.stats.clone()
    }

    /// Stops accepting connections and waits for the server thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            eprintln!("falco-rt: the k8s audit webhook thread panicked");
        }
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn serve(
    listener: TcpListener,
    acceptor: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let (stream, _) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of descriptors and the like: wait a little and go on serving.
                    eprintln!("falco-rt: k8s audit webhook accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        let slot = Slot::take(&shared.stats);
        let shared = shared.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let over_cap = slot.open > shared.cfg.max_connections;
            // Connection errors (a client that goes away, a failed TLS handshake) concern
            // that connection only.
            match acceptor {
                Some(a) => {
                    let handshake =
                        tokio::time::timeout(shared.cfg.handshake_timeout, a.accept(stream)).await;
                    let Ok(Ok(tls)) = handshake else {
                        shared
                            .stats
                            .handshake_failures
                            .fetch_add(1, Ordering::Relaxed);
                        return;
                    };
                    let caller = Caller {
                        client_certificate: tls
                            .get_ref()
                            .1
                            .peer_certificates()
                            .is_some_and(|c| !c.is_empty()),
                    };
                    if over_cap {
                        busy(tls, &shared).await;
                    } else {
                        connection(tls, caller, &shared).await;
                    }
                }
                None if over_cap => busy(stream, &shared).await,
                None => connection(stream, Caller::default(), &shared).await,
            }
            drop(slot);
        });
    }
}

/// One open connection, counted while it lives.
struct Slot {
    stats: Arc<WebhookStats>,
    /// Connections open with this one.
    open: usize,
}

impl Slot {
    fn take(stats: &Arc<WebhookStats>) -> Slot {
        let open = stats.connections.fetch_add(1, Ordering::AcqRel) + 1;
        Slot {
            stats: stats.clone(),
            open,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.stats.connections.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves HTTP/1.1 requests on one connection. A client has `read_timeout` for each
/// request's headers (hyper closes the connection otherwise) and again for its body.
async fn connection<S>(io: S, caller: Caller, shared: &Arc<Shared>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service_shared = shared.clone();
    let service = hyper::service::service_fn(move |req| {
        let shared = service_shared.clone();
        async move { Ok::<_, Infallible>(handle(req, caller, &shared).await) }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(shared.cfg.read_timeout);
    let _ = http.serve_connection(TokioIo::new(io), service).await;
}

/// Answers 503 on a connection over the cap, and closes it.
async fn busy<S>(mut io: S, shared: &Shared)
where
    S: AsyncWrite + Unpin,
{
    shared.stats.count(503);
    let body = format!(
        "too many connections (limit {}), try again\n",
        shared.cfg.max_connections
    );
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let write = async {
        let _ = io.write_all(answer.as_bytes()).await;
        let _ = io.shutdown().await;
    };
    let _ = tokio::time::timeout(shared.cfg.handshake_timeout, write).await;
}

async fn handle(req: Request<Incoming>, caller: Caller, shared: &Shared) -> Response<Full<Bytes>> {
    match accept(req, caller, shared).await {
        Ok(n) => {
            shared.stats.accepted.fetch_add(1, Ordering::Relaxed);
            shared.stats.events.fetch_add(n as u64, Ordering::Relaxed);
            shared.stats.count(200);
            respond(StatusCode::OK, "ok\n".into())
        }
        Err(r) => {
            shared.stats.rejected.fetch_add(1, Ordering::Relaxed);
            shared.stats.count(r.status());
            let status = StatusCode::from_u16(r.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let mut resp = respond(status, format!("{r}\n"));
            let headers = resp.headers_mut();
            match r {
                Rejection::Method(_) => {
                    headers.insert(ALLOW, hyper::header::HeaderValue::from_static("POST"));
                }
                Rejection::Unauthorized => {
                    headers.insert(
                        WWW_AUTHENTICATE,
                        hyper::header::HeaderValue::from_static("Bearer realm=\"falco-rt\""),
                    );
                }
                Rejection::Timeout { .. } => {
                    headers.insert(CONNECTION, hyper::header::HeaderValue::from_static("close"));
                }
                _ => {}
            }
            resp
        }
    }
}

fn respond(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// Checks and reads one request; the number of events handed on.
async fn accept(
    req: Request<Incoming>,
    caller: Caller,
    shared: &Shared,
) -> Result<usize, Rejection> {
    if req.uri().path() != shared.cfg.path {
        return Err(Rejection::NotFound);
    }
    let bearer = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !shared.cfg.auth.admits(caller, bearer) {
        return Err(Rejection::Unauthorized);
    }
    if req.method() != Method::POST {
        return Err(Rejection::Method(req.method().to_string()));
    }
    check_content_type(
        req.headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    )?;
    let limit = shared.cfg.max_body_bytes;
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(Rejection::BodyTooLarge { limit });
    }
    let timeout = shared.cfg.read_timeout;
    let body = tokio::time::timeout(timeout, Limited::new(req.into_body(), limit).collect())
        .await
        .map_err(|_| Rejection::Timeout {
            ms: timeout.as_millis() as u64,
        })?
        .map_err(|e| {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Rejection::BodyTooLarge { limit }
            } else {
                Rejection::BadRequest(format!("reading the body: {e}"))
            }
        })?
        .to_bytes();
    let events = check_body(&body, shared.cfg.max_event_bytes)?;
    let n = events.len();
    (shared.handler)(events);
    Ok(n)
}
