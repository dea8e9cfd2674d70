//! The transport in front of tower-lsp-server's: it reads the client's messages
//! and passes on only messages tower-lsp can decode.
//!
//! tower-lsp's reader stops for good at the first message it cannot decode (its
//! framed stream ends after an error), so one bad message would end the server.
//! Here, a message that is not UTF-8, not JSON (a lone `\ud800` escape included), not
//! a JSON-RPC message, larger than [`MAX_MESSAGE_BYTES`], or framed without a
//! usable `Content-Length` is replaced by a message of our own
//! ([`UNREADABLE_REQUEST`], [`UNREADABLE_NOTIFICATION`]) whose handler answers it:
//! a request gets the JSON-RPC error (-32700 for what is not JSON, -32600 for JSON
//! that is no message) under its id when the id can still be read, `null`
//! otherwise; a notification is dropped and the client is told with a
//! `window/logMessage`. A notification whose parameters do not fit its method is
//! dropped the same way (tower-lsp would drop it silently). Serving goes on.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ls_types::notification::{self, Notification};

/// The largest message body read (64 MiB); a larger one is skipped unread and
/// answered as unreadable.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// The longest header block looked at (8 KiB); past it without a blank line, the
/// bytes are skipped up to the next `Content-Length`.
pub const MAX_HEADER_BYTES: usize = 8 << 10;

/// The method that stands for a request that could not be read.
pub const UNREADABLE_REQUEST: &str = "falco/unreadableRequest";

/// The method that stands for a notification that could not be read.
pub const UNREADABLE_NOTIFICATION: &str = "falco/unreadableNotification";

/// JSON-RPC's code for a message that is not JSON.
pub const PARSE_ERROR: i64 = -32700;

/// JSON-RPC's code for JSON that is not a valid message.
pub const INVALID_REQUEST: i64 = -32600;

/// What the handlers of the stand-in messages receive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unreadable {
    /// The JSON-RPC error code to answer with.
    pub code: i64,
    /// Why the message could not be read.
    pub reason: String,
    /// The method of the message, when it could still be read.
    pub method: Option<String>,
}

/// Reads framed messages from `input` and writes what tower-lsp should see to
/// `output`, until `input` ends or `output` is closed.
pub async fn forward(
    mut input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
) -> std::io::Result<()> {
    let mut framer = Framer::default();
    let mut chunk = vec![0; 64 << 10];
    loop {
        while let Some(frame) = framer.next_frame() {
            let message = screen_frame(frame);
            output.write_all(&frame_bytes(&message)).await?;
        }
        output.flush().await?;
        let read = input.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        framer.push(&chunk[..read]);
    }
}

/// What the framer cut from the input.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A message body.
    Body(Vec<u8>),
    /// Input that holds no readable message, and why.
    Unreadable(String),
}

/// What tower-lsp is given for `frame`: the body itself or a stand-in.
pub fn screen_frame(frame: Frame) -> Cow<'static, [u8]> {
    match frame {
        Frame::Body(body) => match screen(&body) {
            None => Cow::Owned(body),
            Some(stand_in) => Cow::Owned(stand_in),
        },
        Frame::Unreadable(reason) => Cow::Owned(stand_in(
            Some(Value::Null),
            Unreadable {
                code: PARSE_ERROR,
                reason,
                method: None,
            },
        )),
    }
}

/// `body` with its `Content-Length` header.
pub fn frame_bytes(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Cuts LSP messages (`Content-Length` headers, a blank line, the body) out of the
/// bytes pushed into it, holding at most one header block and one body.
#[derive(Debug, Default)]
pub struct Framer {
    buffer: Vec<u8>,
    state: State,
}

#[derive(Debug, Default)]
enum State {
    /// Reading a header block.
    #[default]
    Header,
    /// Reading a body of this length.
    Body(usize),
    /// Skipping this many bytes of a body over the size limit.
    Skip(usize),
}

impl Framer {
    /// Adds input.
    pub fn push(&mut self, bytes: &[u8]) {
        match self.state {
            State::Skip(left) if self.buffer.is_empty() => {
                let skipped = left.min(bytes.len());
                self.state = next_skip(left - skipped);
                self.buffer.extend_from_slice(&bytes[skipped..]);
            }
            _ => self.buffer.extend_from_slice(bytes),
        }
    }

    /// The next complete frame, if the input holds one.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            match self.state {
                State::Skip(left) => {
                    let skipped = left.min(self.buffer.len());
                    self.buffer.drain(..skipped);
                    self.state = next_skip(left - skipped);
                    if left > skipped {
                        return None;
                    }
                }
                State::Body(length) => {
                    if self.buffer.len() < length {
                        return None;
                    }
                    let rest = self.buffer.split_off(length);
                    let body = std::mem::replace(&mut self.buffer, rest);
                    self.state = State::Header;
                    return Some(Frame::Body(body));
                }
                State::Header => return self.header(),
            }
        }
    }

    fn header(&mut self) -> Option<Frame> {
        // Bytes glued before a `Content-Length` are no header: skip them first.
        if let Some(at) =
            find_content_length(&self.buffer[..self.buffer.len().min(MAX_HEADER_BYTES)], 0)
            && at > 0
            && self.buffer[at - 1] != b'\n'
        {
            self.buffer.drain(..at);
            return Some(Frame::Unreadable(format!(
                "{at} bytes before a message header were skipped"
            )));
        }
        let Some((end, blank)) = header_end(&self.buffer) else {
            if self.buffer.len() <= MAX_HEADER_BYTES {
                return None;
            }
            let skipped = self.resync(1);
            return Some(Frame::Unreadable(format!(
                "{skipped} bytes without a complete message header were skipped"
            )));
        };
        let length = content_length(&self.buffer[..end]);
        self.buffer.drain(..end + blank);
        match length {
            Ok(length) if length > MAX_MESSAGE_BYTES => {
                self.state = State::Skip(length);
                Some(Frame::Unreadable(format!(
                    "a message of {length} bytes is over the limit of {MAX_MESSAGE_BYTES} bytes"
                )))
            }
            Ok(length) => {
                self.state = State::Body(length);
                self.next_frame()
            }
            Err(reason) => Some(Frame::Unreadable(reason)),
        }
    }

    /// Drops buffered bytes up to the next `Content-Length` at or after `from` (or
    /// all but a tail that may start one); returns how many were dropped.
    fn resync(&mut self, from: usize) -> usize {
        let drop = find_content_length(&self.buffer, from)
            .unwrap_or_else(|| self.buffer.len().saturating_sub(CONTENT_LENGTH.len() - 1));
        self.buffer.drain(..drop);
        drop
    }
}

const CONTENT_LENGTH: &[u8] = b"content-length";

/// Where the first `Content-Length` (in any case) at or after `from` starts.
fn find_content_length(buffer: &[u8], from: usize) -> Option<usize> {
    buffer
        .get(from..)?
        .windows(CONTENT_LENGTH.len())
        .position(|candidate| candidate.eq_ignore_ascii_case(CONTENT_LENGTH))
        .map(|at| from + at)
}

fn next_skip(left: usize) -> State {
    if left == 0 {
        State::Header
    } else {
        State::Skip(left)
    }
}

/// Where the header block ends (`\r\n\r\n`, or `\n\n` from a lax client) and the
/// length of that blank line.
fn header_end(buffer: &[u8]) -> Option<(usize, usize)> {
    let limit = buffer.len().min(MAX_HEADER_BYTES + 4);
    let window = &buffer[..limit];
    let crlf = window.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = window.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(crlf), Some(lf)) if lf < crlf => Some((lf + 1, 1)),
        (Some(crlf), _) => Some((crlf + 2, 2)),
        (None, Some(lf)) => Some((lf + 1, 1)),
        (None, None) => None,
    }
}

/// The `Content-Length` of a header block (other headers are ignored).
fn content_length(header: &[u8]) -> Result<usize, String> {
    let header = String::from_utf8_lossy(header);
    for line in header.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            return value
                .trim()
                .parse()
                .map_err(|_| format!("`Content-Length: {}` is not a length", value.trim()));
        }
    }
    Err("a message header has no `Content-Length`".to_owned())
}

/// `None` when tower-lsp can take `body` as it is; otherwise the stand-in message.
pub fn screen(body: &[u8]) -> Option<Vec<u8>> {
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(error) => {
            let reason = format!("invalid UTF-8 at byte {}", error.valid_up_to());
            return Some(unreadable(body, PARSE_ERROR, reason));
        }
    };
    if let Ok(request) = serde_json::from_str::<Request>(text) {
        return match request.id() {
            None => check_notification(&request).map(|reason| {
                let method = request.method().to_owned();
                stand_in(
                    None,
                    Unreadable {
                        code: INVALID_REQUEST,
                        reason,
                        method: Some(method),
                    },
                )
            }),
            Some(_) => None,
        };
    }
    if serde_json::from_str::<Response>(text).is_ok() {
        return None;
    }
    match serde_json::from_str::<Value>(text) {
        Err(error) => Some(unreadable(body, PARSE_ERROR, format!("not JSON: {error}"))),
        Ok(_) => Some(unreadable(
            body,
            INVALID_REQUEST,
            "not a JSON-RPC 2.0 request, notification or response".to_owned(),
        )),
    }
}

/// Why a notification's parameters do not fit its method, for the notifications
/// the server handles.
fn check_notification(request: &Request) -> Option<String> {
    fn fits<N: Notification>(params: Option<&Value>) -> Result<(), serde_json::Error> {
        serde_json::from_value::<N::Params>(params.cloned().unwrap_or(Value::Null)).map(|_| ())
    }
    let params = request.params();
    let checked = match request.method() {
        notification::DidOpenTextDocument::METHOD => {
            fits::<notification::DidOpenTextDocument>(params)
        }
        notification::DidChangeTextDocument::METHOD => {
            fits::<notification::DidChangeTextDocument>(params)
        }
        notification::DidCloseTextDocument::METHOD => {
            fits::<notification::DidCloseTextDocument>(params)
        }
        notification::DidSaveTextDocument::METHOD => {
            fits::<notification::DidSaveTextDocument>(params)
        }
        notification::DidChangeConfiguration::METHOD => {
            fits::<notification::DidChangeConfiguration>(params)
        }
        notification::DidChangeWatchedFiles::METHOD => {
            fits::<notification::DidChangeWatchedFiles>(params)
        }
        _ => Ok(()),
    };
    checked
        .err()
        .map(|error| format!("its parameters do not fit: {error}"))
}

/// The stand-in for a body that could not be read, with what can still be read of
/// its id and method.
fn unreadable(body: &[u8], code: i64, reason: String) -> Vec<u8> {
    let (id, method) = salvage(body);
    let kind = Unreadable {
        code,
        reason,
        method,
    };
    match id {
        Some(id) => stand_in(Some(id), kind),
        // A notification has no answer; something without even a method gets the
        // JSON-RPC answer with a `null` id.
        None if kind.method.is_some() => stand_in(None, kind),
        None => stand_in(Some(Value::Null), kind),
    }
}

/// A stand-in message: a request with `id`, else a notification.
fn stand_in(id: Option<Value>, kind: Unreadable) -> Vec<u8> {
    let message = match id {
        Some(id) => json!({
            "jsonrpc": "2.0",
            "id": id,
            "method": UNREADABLE_REQUEST,
            "params": kind,
        }),
        None => json!({
            "jsonrpc": "2.0",
            "method": UNREADABLE_NOTIFICATION,
            "params": kind,
        }),
    };
    message.to_string().into_bytes()
}

/// The top-level `id` (a number or string) and `method` of a body that does not
/// parse, read after replacing invalid UTF-8 and unpaired surrogate escapes.
fn salvage(body: &[u8]) -> (Option<Value>, Option<String>) {
    let text = String::from_utf8_lossy(body);
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(&pair_surrogates(&text)) else {
        return (None, None);
    };
    let id = object
        .get("id")
        .filter(|id| id.is_i64() || id.is_string())
        .cloned();
    let method = object
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_owned);
    (id, method)
}

/// `text` with every `\u` escape of an unpaired UTF-16 surrogate replaced by
/// `\ufffd`.
fn pair_surrogates(text: &str) -> Cow<'_, str> {
    fn unit(escape: &str) -> Option<u16> {
        let hex = escape.strip_prefix("\\u")?.get(..4)?;
        u16::from_str_radix(hex, 16).ok()
    }
    if !text.contains("\\u") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match unit(rest) {
            Some(0xD800..=0xDBFF) => match unit(&rest[6..]) {
                Some(0xDC00..=0xDFFF) => {
                    out.push_str(&rest[..12]);
                    rest = &rest[12..];
                }
                _ => {
                    out.push_str("\\ufffd");
                    rest = &rest[6..];
                }
            },
            Some(0xDC00..=0xDFFF) => {
                out.push_str("\\ufffd");
                rest = &rest[6..];
            }
            _ => {
                // Any other escape: keep it and the character it escapes.
                let escaped = rest[1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&rest[..1 + escaped]);
                rest = &rest[1 + escaped..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests;
