//! The HTTP(S) server.

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use falco_events::Event;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::check::{Rejection, check_body, check_content_type};
use crate::{MAX_BODY_BYTES, MAX_EVENT_BYTES, TlsFiles};

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

/// Request counters.
#[derive(Debug, Default)]
pub struct WebhookStats {
    /// Requests answered 200.
    pub accepted: AtomicU64,
    /// Requests refused (any 4xx).
    pub rejected: AtomicU64,
    /// Audit events handed to the handler.
    pub events: AtomicU64,
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
        let acceptor = match &cfg.tls {
            Some(files) => Some(TlsAcceptor::from(files.server_config()?)),
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
        let shared = shared.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(handle(req, &shared).await) }
            });
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10));
            // Connection errors (a client that goes away, a failed TLS handshake) concern
            // that connection only.
            match acceptor {
                Some(a) => {
                    if let Ok(tls) = a.accept(stream).await {
                        let _ = http.serve_connection(TokioIo::new(tls), service).await;
                    }
                }
                None => {
                    let _ = http.serve_connection(TokioIo::new(stream), service).await;
                }
            }
        });
    }
}

async fn handle(req: Request<Incoming>, shared: &Shared) -> Response<Full<Bytes>> {
    match accept(req, shared).await {
        Ok(n) => {
            shared.stats.accepted.fetch_add(1, Ordering::Relaxed);
            shared.stats.events.fetch_add(n as u64, Ordering::Relaxed);
            respond(StatusCode::OK, "ok\n".into())
        }
        Err(r) => {
            shared.stats.rejected.fetch_add(1, Ordering::Relaxed);
            let status = StatusCode::from_u16(r.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let mut resp = respond(status, format!("{r}\n"));
            if matches!(r, Rejection::Method(_)) {
                resp.headers_mut()
                    .insert(ALLOW, hyper::header::HeaderValue::from_static("POST"));
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
async fn accept(req: Request<Incoming>, shared: &Shared) -> Result<usize, Rejection> {
    if req.uri().path() != shared.cfg.path {
        return Err(Rejection::NotFound);
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
    let body = Limited::new(req.into_body(), limit)
        .collect()
        .await
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
