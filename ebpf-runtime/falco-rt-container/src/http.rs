//! HTTP/1.1 `GET` over a unix socket (the docker-compatible APIs), with a limit on the
//! time and the size of every answer.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;

/// How long one request may take, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest answer body read (an inspect of a container with many mounts and labels
/// is a few kilobytes).
pub const MAX_BODY: usize = 4 << 20;
/// The longest line of an event stream.
pub const MAX_EVENT_LINE: usize = 1 << 20;

/// Why a request gave nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The engine answered 404: it does not know the object.
    NotFound,
    /// Anything else: connection, timeout, status, size.
    Failed(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::NotFound => f.write_str("not found"),
            HttpError::Failed(e) => f.write_str(e),
        }
    }
}

fn failed(e: impl std::fmt::Display) -> HttpError {
    HttpError::Failed(e.to_string())
}

/// Sends `GET uri` on a new connection to `socket`; the response, once its status is
/// known (the body is still to be read).
async fn send(socket: &Path, uri: &str) -> Result<hyper::Response<Incoming>, HttpError> {
    let stream = UnixStream::connect(socket).await.map_err(failed)?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(failed)?;
    tokio::spawn(async move {
        // Ends with the response, or when the request is dropped.
        let _ = connection.await;
    });
    let request = hyper::Request::get(uri)
        .header(hyper::header::HOST, "localhost")
        .body(Empty::<Bytes>::new())
        .map_err(failed)?;
    let response = sender.send_request(request).await.map_err(failed)?;
    match response.status().as_u16() {
        200..=299 => Ok(response),
        404 => Err(HttpError::NotFound),
        status => Err(HttpError::Failed(format!("HTTP status {status} for {uri}"))),
    }
}

/// The body of `GET uri`, at most [`MAX_BODY`] bytes, within [`REQUEST_TIMEOUT`].
pub async fn get(socket: &Path, uri: &str) -> Result<Vec<u8>, HttpError> {
    let work = async {
        let mut body = send(socket, uri).await?.into_body();
        let mut out = Vec::new();
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.map_err(failed)?.into_data() {
                if out.len() + data.len() > MAX_BODY {
                    return Err(HttpError::Failed(format!(
                        "the answer to {uri} is larger than {MAX_BODY} bytes"
                    )));
                }
                out.extend_from_slice(&data);
            }
        }
        Ok(out)
    };
    tokio::time::timeout(REQUEST_TIMEOUT, work)
        .await
        .map_err(|_| HttpError::Failed(format!("no answer to {uri} within {REQUEST_TIMEOUT:?}")))?
}

/// Streams `GET uri` line by line to `line` until the stream ends or fails; a line
/// longer than [`MAX_EVENT_LINE`] ends it with an error. The connection must be
/// answered within [`REQUEST_TIMEOUT`]; the stream itself has no end.
pub async fn stream_lines(
    socket: &Path,
    uri: &str,
    mut line: impl FnMut(&[u8]),
) -> Result<(), HttpError> {
    let response = tokio::time::timeout(REQUEST_TIMEOUT, send(socket, uri))
        .await
        .map_err(|_| {
            HttpError::Failed(format!("no answer to {uri} within {REQUEST_TIMEOUT:?}"))
        })??;
    let mut body = response.into_body();
    let mut pending: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(failed)?.into_data() else {
            continue;
        };
        pending.extend_from_slice(&data);
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let rest = pending.split_off(end + 1);
            line(&pending[..end]);
            pending = rest;
        }
        if pending.len() > MAX_EVENT_LINE {
            return Err(HttpError::Failed(format!(
                "an event of {uri} is longer than {MAX_EVENT_LINE} bytes"
            )));
        }
    }
    Ok(())
}
