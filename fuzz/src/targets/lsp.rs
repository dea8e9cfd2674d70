//! LSP message framing and dispatch: the input is what a client writes to the
//! server's stdin. It goes through the server's framing layer
//! (`falco_rules_lsp::framing`), and every message that layer passes on is
//! dispatched, in order, to a fresh in-process server that was initialized and
//! given one open rules file (`file:///fuzz/rules.yaml`).
//!
//! Contract: every framed message decodes as a JSON-RPC message (the framing
//! layer's promise to tower-lsp); no handler panics or answers with an internal
//! error (-32603); bounded in time and memory.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use falco_rules_lsp::framing::{Framer, frame_bytes, screen_frame};
use falco_rules_lsp::server::{Server, service};
use futures::StreamExt;
use serde_json::{Value, json};
use tower::{Service, ServiceExt};
use tower_lsp_server::LspService;
use tower_lsp_server::jsonrpc::{ErrorCode, Request, Response};

use crate::seeds::{item_chunks, rules_files};

/// The document every run starts with open.
pub const URI: &str = "file:///fuzz/rules.yaml";

/// The rules text the document starts with.
const TEXT: &str = "- macro: shell\n  condition: proc.name in (bash, sh)\n- rule: shell in container\n  desc: a shell ran\n  condition: evt.type = execve and shell and proc.nam = é\n  output: \"shell (%proc.cmdline)\"\n  priority: WARNING\n";

/// Frames `data` as the server's stdin and dispatches every message.
pub fn run(data: &[u8]) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    else {
        return;
    };
    runtime.block_on(async {
        let (mut service, socket) = service(Arc::new(AtomicBool::new(false)));
        // The client side: whatever the server sends is read and dropped.
        tokio::spawn(socket.for_each(|_| async {}));
        for message in prelude() {
            dispatch(&mut service, message).await;
        }
        let mut framer = Framer::default();
        framer.push(data);
        while let Some(frame) = framer.next_frame() {
            let message = screen_frame(frame);
            let Ok(request) = serde_json::from_slice::<Request>(&message) else {
                assert!(
                    serde_json::from_slice::<Response>(&message).is_ok(),
                    "the framing layer passed on what tower-lsp cannot decode: {}",
                    String::from_utf8_lossy(&message)
                );
                continue;
            };
            if request.method() == "exit" {
                break;
            }
            dispatch(&mut service, request).await;
        }
    });
}

/// Calls the service with one message; an internal error is a handler's panic.
async fn dispatch(service: &mut LspService<Server>, request: Request) {
    let method = request.method().to_owned();
    let Ok(ready) = service.ready().await else {
        return;
    };
    if let Ok(Some(response)) = ready.call(request).await
        && let Some(error) = response.error()
    {
        assert_ne!(
            error.code,
            ErrorCode::InternalError,
            "`{method}` failed inside the server: {}",
            error.message
        );
    }
}

/// `initialize`, `initialized` and the `didOpen` of [`URI`].
fn prelude() -> Vec<Request> {
    vec![
        Request::build("initialize")
            .id(0)
            .params(json!({"capabilities": {}, "initializationOptions": {"debounceMs": 0}}))
            .finish(),
        Request::build("initialized").params(json!({})).finish(),
        Request::build("textDocument/didOpen")
            .params(json!({"textDocument": {"uri": URI, "languageId": "falco-rules", "version": 1, "text": TEXT}}))
            .finish(),
    ]
}

/// Sessions that replace the document with a piece of a corpus rules file, then ask
/// for hover, completion, definition, references, symbols, semantic tokens,
/// formatting and code actions at a few places.
pub fn seeds(corpus: &Path) -> Vec<Vec<u8>> {
    rules_files(corpus)
        .iter()
        .flat_map(|text| item_chunks(text))
        .step_by(5)
        .map(|chunk| session(&chunk))
        .collect()
}

fn session(text: &str) -> Vec<u8> {
    let document = json!({"uri": URI});
    let lines = text.lines().count().max(1);
    let mut messages = vec![json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": text}]},
    })];
    let mut id = 1;
    let mut request = |method: &str, params: Value| {
        id += 1;
        json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
    };
    for line in [0, lines / 2, lines.saturating_sub(1)] {
        let at = json!({"textDocument": document, "position": {"line": line, "character": 12}});
        messages.push(request("textDocument/hover", at.clone()));
        messages.push(request("textDocument/completion", at.clone()));
        messages.push(request("textDocument/definition", at));
    }
    messages.push(request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": document}),
    ));
    messages.push(request(
        "textDocument/formatting",
        json!({"textDocument": document, "options": {"tabSize": 2, "insertSpaces": true}}),
    ));
    messages
        .iter()
        .flat_map(|message| frame_bytes(message.to_string().as_bytes()))
        .collect()
}
