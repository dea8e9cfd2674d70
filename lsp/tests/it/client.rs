//! A small LSP client for tests: starts the real `falco-rules-lsp` binary, speaks
//! JSON-RPC over its stdio, and keeps the notifications it sends.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long a test waits for any one answer before failing.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A running server and the client side of its pipes.
pub struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Latest `publishDiagnostics` per URI.
    pub diagnostics: HashMap<String, Vec<Value>>,
    /// Every notification seen, in order (method, params).
    pub notifications: Vec<(String, Value)>,
    versions: HashMap<String, i64>,
}

/// The corpus folder beside the repository.
pub fn upstream(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/upstream-rules")
        .join(name)
}

/// A file URI for a path.
pub fn uri(path: &Path) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", path.display())
}

/// A fresh empty directory under the system's temp directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("falco-rules-lsp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    /// Starts the server and initializes it with `root` as workspace folder.
    pub fn start(root: &Path, options: Value) -> Client {
        Client::start_with(root, options, json!({}))
    }

    /// Starts the server like [`Client::start`], announcing `capabilities`.
    pub fn start_with(root: &Path, options: Value, capabilities: Value) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_falco-rules-lsp"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start falco-rules-lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            incoming,
            next_id: 0,
            diagnostics: HashMap::new(),
            notifications: Vec::new(),
            versions: HashMap::new(),
        };
        let root_uri = uri(root);
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{"uri": root_uri, "name": "test"}],
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        assert!(result["capabilities"].is_object(), "initialize: {result}");
        client.notify("initialized", json!({}));
        client
    }

    /// Sends a message.
    pub fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    /// Sends raw bytes (a hand-made frame, broken on purpose).
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    /// Waits for a message that `check` accepts; returns it.
    pub fn wait_for(&mut self, mut check: impl FnMut(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.receive(deadline) {
                Some(message) if check(&message) => return message,
                Some(_) => {}
                None => panic!("no matching message within {TIMEOUT:?}"),
            }
        }
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn receive(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(message) => {
                if let Some(method) = message["method"].as_str() {
                    if method == "textDocument/publishDiagnostics" {
                        let uri = message["params"]["uri"].as_str().unwrap_or("").to_owned();
                        let list = message["params"]["diagnostics"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default();
                        self.diagnostics.insert(uri, list);
                    }
                    self.notifications
                        .push((method.to_owned(), message["params"].clone()));
                    if message.get("id").is_some() {
                        // A request from the server (e.g. workDoneProgress): answer it.
                        let id = message["id"].clone();
                        self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
                    }
                }
                Some(message)
            }
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// Sends a request and waits for its response; returns `result` (or the error
    /// object under `"error"`).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let Some(message) = self.receive(deadline) else {
                panic!("no answer to {method} within {TIMEOUT:?}");
            };
            if message.get("method").is_none() && message["id"] == json!(id) {
                return message;
            }
        }
    }

    /// Sends a request and returns its `result`, failing on an error.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let message = self.request_raw(method, params);
        assert!(message.get("error").is_none(), "{method} failed: {message}");
        message["result"].clone()
    }

    /// Waits until `check` holds for the diagnostics of `uri`.
    pub fn wait_diagnostics(
        &mut self,
        uri: &str,
        mut check: impl FnMut(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(list) = self.diagnostics.get(uri)
                && check(list)
            {
                return list.clone();
            }
            if self.receive(deadline).is_none() {
                panic!(
                    "diagnostics of {uri} never matched; last: {:?}",
                    self.diagnostics.get(uri)
                );
            }
        }
    }

    /// Opens a file with its text from disk; returns (uri, text).
    pub fn open(&mut self, path: &Path) -> (String, String) {
        let text = std::fs::read_to_string(path).expect("read file to open");
        let uri = uri(path);
        self.open_text(&uri, &text);
        (uri, text)
    }

    /// Opens a document with the given text.
    pub fn open_text(&mut self, uri: &str, text: &str) {
        self.versions.insert(uri.to_owned(), 1);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "falco-rules", "version": 1, "text": text}}),
        );
    }

    /// Sends one incremental change.
    pub fn change(&mut self, uri: &str, range: Value, text: &str) {
        self.apply_edits(uri, &[json!({"range": range, "newText": text})]);
    }

    /// Applies a workspace edit's text edits to one document in a single
    /// `didChange`, as an editor does, so the server never analyses a state
    /// with only some of them applied. The edits' ranges refer to the text
    /// before any of them; they are sent last position first.
    pub fn apply_edits(&mut self, uri: &str, edits: &[Value]) {
        let mut edits = edits.to_vec();
        edits.sort_by_key(|edit| {
            let start = &edit["range"]["start"];
            (start["line"].as_u64(), start["character"].as_u64())
        });
        let changes: Vec<Value> = edits
            .iter()
            .rev()
            .map(|edit| json!({"range": edit["range"], "text": edit["newText"].as_str().unwrap_or("")}))
            .collect();
        let version = self.versions.entry(uri.to_owned()).or_insert(1);
        *version += 1;
        let version = *version;
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": changes,
            }),
        );
    }

    /// Sends `shutdown` and `exit`; returns the exit code.
    pub fn shutdown(mut self) -> Option<i32> {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait()
    }

    /// Waits for the process to end; returns its exit code.
    pub fn wait(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A position `{line, character}` (UTF-16) of byte offset `offset` in `text`.
pub fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": character})
}

/// The position of the `n`th (0-based) occurrence of `needle` in `text`, plus `shift` bytes.
pub fn position_of(text: &str, needle: &str, n: usize, shift: usize) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("`{needle}` occurs fewer than {} times", n + 1))
        .0;
    position(text, offset + shift)
}
