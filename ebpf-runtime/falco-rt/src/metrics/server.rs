//! The HTTP server of `/metrics` and `/healthz` (hyper 1 on a single-threaded tokio
//! runtime of its own, like the webhook). Other paths get 404, other methods 405.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::CONTENT_TYPE;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Produces the exposition text at each scrape.
pub type Render = Arc<dyn Fn() -> String + Send + Sync>;

/// A running metrics server.
pub struct MetricsServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
    /// `/healthz` answers 200 while this is true, 503 otherwise.
    pub serving: Arc<AtomicBool>,
}

/// Time a scraper has to send its request headers.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once.
const MAX_CONNECTIONS: usize = 64;

/// Binds `addr` and serves on a new thread.
pub fn serve(addr: SocketAddr, render: Render) -> Result<MetricsServer, String> {
    let listener = std::net::TcpListener::bind(addr)
        .map_err(|e| format!("metrics: cannot listen on {addr}: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("metrics: {e}"))?;
    let local = listener.local_addr().map_err(|e| format!("metrics: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("metrics: {e}"))?;
    let (stop, mut stop_rx) = watch::channel(false);
    let serving = Arc::new(AtomicBool::new(true));
    let health = serving.clone();
    let thread = std::thread::Builder::new()
        .name("falco-rt-metrics".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = match TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        eprintln!("falco-rt: metrics: {e}");
                        return;
                    }
                };
                let open = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
                loop {
                    let (stream, _) = tokio::select! {
                        r = listener.accept() => match r {
                            Ok(c) => c,
                            Err(_) => {
                                tokio::time::sleep(Duration::from_millis(50)).await;
                                continue;
                            }
                        },
                        _ = stop_rx.changed() => return,
                    };
                    // Over the cap the connection is closed at once.
                    let Ok(permit) = open.clone().try_acquire_owned() else {
                        continue;
                    };
                    let render = render.clone();
                    let health = health.clone();
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let answer = answer(&req, &render, &health);
                            async move { Ok::<_, Infallible>(answer) }
                        });
                        let mut http = hyper::server::conn::http1::Builder::new();
                        http.timer(TokioTimer::new())
                            .header_read_timeout(READ_TIMEOUT);
                        let _ = http.serve_connection(TokioIo::new(stream), service).await;
                        drop(permit);
                    });
                }
            });
        })
        .map_err(|e| format!("metrics: {e}"))?;
    Ok(MetricsServer {
        addr: local,
        stop,
        thread: Some(thread),
        serving,
    })
}

fn answer(
    req: &Request<hyper::body::Incoming>,
    render: &Render,
    health: &AtomicBool,
) -> Response<Full<Bytes>> {
    let (status, ctype, body) = match (req.method(), req.uri().path()) {
        (&Method::GET | &Method::HEAD, "/metrics") => (
            StatusCode::OK,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            render(),
        ),
        (&Method::GET | &Method::HEAD, "/healthz") if health.load(Ordering::Relaxed) => (
            StatusCode::OK,
            "text/plain; charset=utf-8",
            "ok\n".to_string(),
        ),
        (&Method::GET | &Method::HEAD, "/healthz") => (
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain; charset=utf-8",
            "stopping\n".to_string(),
        ),
        (_, "/metrics" | "/healthz") => (
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "use GET\n".to_string(),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found: /metrics and /healthz are served here\n".to_string(),
        ),
    };
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, hyper::header::HeaderValue::from_static(ctype));
    resp
}

impl MetricsServer {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving and waits for the thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            eprintln!("falco-rt: the metrics thread panicked");
        }
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}
