//! Hostile input: messages that are not JSON, not UTF-8 or not JSON-RPC get their
//! error or a log message and the server goes on; every position of a document with
//! multi-byte and astral characters answers every request kind without an error.

use serde_json::{Value, json};

use crate::client::{Client, temp_dir};

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// The response to the raw request with `id`.
fn response(client: &mut Client, id: Value) -> Value {
    client.wait_for(|message| message.get("method").is_none() && message["id"] == id)
}

/// The next `window/logMessage` that names `method`.
fn log_message(client: &mut Client, method: &str) -> Value {
    client.wait_for(|message| {
        message["method"] == "window/logMessage"
            && message["params"]["message"]
                .as_str()
                .is_some_and(|text| text.contains(method))
    })
}

#[test]
fn unreadable_messages_are_answered_and_serving_goes_on() {
    let root = temp_dir("hostile");
    let mut client = Client::start(&root, json!({"debounceMs": 0}));
    let uri = format!("file://{}/rules.yaml", root.display());
    client.open_text(&uri, "- rule: é\n");

    // Not JSON: -32700 with a null id (the id cannot be read).
    client.send_bytes(&frame(b"this is not json"));
    let answer = response(&mut client, Value::Null);
    assert_eq!(answer["error"]["code"], -32700, "{answer}");

    // A lone surrogate in a request: -32700 under the request's own id.
    client.send_bytes(&frame(
        br#"{"jsonrpc":"2.0","id":9001,"method":"textDocument/hover","params":{"x":"\ud800"}}"#,
    ));
    let answer = response(&mut client, json!(9001));
    assert_eq!(answer["error"]["code"], -32700, "{answer}");

    // Invalid UTF-8 in a notification: dropped, and the client is told.
    let mut body =
        br#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"x":""#.to_vec();
    body.extend_from_slice(b"\xff\xfe\"}}");
    client.send_bytes(&frame(&body));
    let log = log_message(&mut client, "textDocument/didChange");
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("UTF-8"),
        "{log}"
    );

    // A notification whose parameters do not fit its method.
    client.send_bytes(&frame(
        br#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":1}}"#,
    ));
    log_message(&mut client, "textDocument/didOpen");

    // A broken header, then JSON that is not a message.
    client.send_bytes(b"Content-Length: lots\r\n\r\n");
    let answer = response(&mut client, Value::Null);
    assert_eq!(answer["error"]["code"], -32700, "{answer}");
    client.send_bytes(&frame(br#"{"id":77,"hello":"world"}"#));
    let answer = response(&mut client, json!(77));
    assert_eq!(answer["error"]["code"], -32600, "{answer}");

    // Still serving: completion right after a multi-byte character.
    let completion = client.request_raw(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 9}}),
    );
    assert!(completion.get("error").is_none(), "{completion}");
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&root);
}

/// A document with two-byte, three-byte and astral (surrogate pair) characters in
/// names, values, strings, comments and outputs.
const WIDE: &str = "\
# ünïcödé 😀 comment
- list: lïst_😀
  items: [é, \"😀x\", ab]
- macro: mäcro
  condition: proc.name in (lïst_😀) and fd.name = \"é😀\"
- rule: rülé 😀
  desc: dé😀sc ✓
  condition: evt.type = open and mäcro and proc.cmdline contains \"😀é\" and proc.nam = 😀
  output: \"😀 %proc.name é %fd.na😀\"
  priority: INFO
  tags: [é, 😀]
";

#[test]
fn every_position_of_a_wide_document_answers_every_request() {
    let root = temp_dir("wide");
    let mut client = Client::start(&root, json!({"debounceMs": 0}));
    let uri = format!("file://{}/wide.yaml", root.display());
    client.open_text(&uri, WIDE);
    client.wait_diagnostics(&uri, |list| !list.is_empty());
    let document = json!({"uri": uri});
    for method in [
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
        "textDocument/formatting",
    ] {
        let answer = client.request_raw(
            method,
            json!({"textDocument": document, "options": {"tabSize": 2, "insertSpaces": true}}),
        );
        assert!(answer.get("error").is_none(), "{method}: {answer}");
    }
    let lines: Vec<&str> = WIDE.split('\n').collect();
    for (line, text) in lines.iter().enumerate() {
        let width: usize = text.chars().map(char::len_utf16).sum();
        // Every UTF-16 column, the middle of surrogate pairs included, and past the end.
        for character in 0..=width + 1 {
            let position = json!({"line": line, "character": character});
            let at = json!({"textDocument": document, "position": position});
            let range = json!({"start": position, "end": {"line": line + 1, "character": 0}});
            let requests = [
                ("textDocument/hover", at.clone()),
                ("textDocument/completion", at.clone()),
                ("textDocument/definition", at.clone()),
                (
                    "textDocument/references",
                    json!({"textDocument": document, "position": position, "context": {"includeDeclaration": true}}),
                ),
                ("textDocument/prepareRename", at.clone()),
                (
                    "textDocument/rename",
                    json!({"textDocument": document, "position": position, "newName": "renamed"}),
                ),
                (
                    "textDocument/codeAction",
                    json!({"textDocument": document, "range": range, "context": {"diagnostics": []}}),
                ),
            ];
            for (method, params) in requests {
                let answer = client.request_raw(method, params);
                assert!(
                    answer.get("error").is_none(),
                    "{method} at {line}:{character}: {answer}"
                );
            }
        }
    }
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&root);
}

/// Issue 12: the server aborted at 26 levels of `mK: m(K-1) and m(K-1)`. With 40
/// levels (2^40 checks once inlined) it publishes E211 on the rule and answers every
/// request on every macro reference, including hover on the largest.
#[test]
fn doubling_macros_get_their_diagnostic_and_every_request_an_answer() {
    let mut text = String::from("- macro: m0\n  condition: evt.type = open\n");
    for level in 1..=40 {
        let below = level - 1;
        text.push_str(&format!(
            "- macro: m{level}\n  condition: m{below} and m{below}\n"
        ));
    }
    text.push_str("- rule: r\n  desc: d\n  condition: m40\n  output: o\n  priority: INFO\n");
    let root = temp_dir("doubling");
    let mut client = Client::start(&root, json!({"debounceMs": 0}));
    let uri = format!("file://{}/doubling.yaml", root.display());
    client.open_text(&uri, &text);
    let diagnostics = client.wait_diagnostics(&uri, |list| !list.is_empty());
    let codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|diagnostic| diagnostic["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["E211"], "{diagnostics:?}");
    let document = json!({"uri": uri});
    for method in [
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
        "textDocument/formatting",
    ] {
        let answer = client.request_raw(
            method,
            json!({"textDocument": document, "options": {"tabSize": 2, "insertSpaces": true}}),
        );
        assert!(answer.get("error").is_none(), "{method}: {answer}");
    }
    for (line, source) in text.lines().enumerate() {
        let Some(column) = source.find("condition: m") else {
            continue;
        };
        let position = json!({"line": line, "character": column + "condition: m".len()});
        let at = json!({"textDocument": document, "position": position});
        for method in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
            "textDocument/prepareRename",
        ] {
            let answer = client.request_raw(method, at.clone());
            assert!(
                answer.get("error").is_none(),
                "{method} at {line}: {answer}"
            );
        }
        let answer = client.request_raw(
            "textDocument/references",
            json!({"textDocument": document, "position": position, "context": {"includeDeclaration": true}}),
        );
        assert!(
            answer.get("error").is_none(),
            "references at {line}: {answer}"
        );
    }
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&root);
}

/// Issue 12: Falco refuses a value over 255 bytes; the server publishes E411 as lint
/// does, on the list item that holds it.
#[test]
fn a_value_longer_than_falco_takes_is_e411_on_its_list_item() {
    let long = "a".repeat(falco_typeck::MAX_VALUE_BYTES + 1);
    let text = format!(
        "- list: names\n  items: [bash, {long}]\n- rule: r\n  desc: d\n  condition: evt.type = open and proc.name in (names)\n  output: o\n  priority: INFO\n"
    );
    let root = temp_dir("long-value");
    let mut client = Client::start(&root, json!({"debounceMs": 0}));
    let uri = format!("file://{}/long.yaml", root.display());
    client.open_text(&uri, &text);
    let diagnostics = client.wait_diagnostics(&uri, |list| !list.is_empty());
    let codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|diagnostic| diagnostic["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["E411"], "{diagnostics:?}");
    let start = &diagnostics[0]["range"]["start"];
    assert_eq!(
        (start["line"].as_u64(), start["character"].as_u64()),
        (Some(1), Some("  items: [bash, ".len() as u64)),
        "{diagnostics:?}"
    );
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&root);
}
