use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

/// The messages `forward` would write for `input`, fed in chunks of `chunk` bytes.
fn frames(input: &[u8], chunk: usize) -> Vec<Value> {
    let mut framer = Framer::default();
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        framer.push(piece);
        while let Some(frame) = framer.next_frame() {
            let message = screen_frame(frame);
            out.push(serde_json::from_slice(&message).expect("stand-ins are JSON"));
        }
    }
    out
}

fn framed(body: &str) -> Vec<u8> {
    frame_bytes(body.as_bytes())
}

#[test]
fn good_messages_pass_unchanged() {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
    let mut input = framed(body);
    input.extend(framed(
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    ));
    input.extend(framed(r#"{"jsonrpc":"2.0","id":7,"result":null}"#));
    for chunk in [1, 3, 64, 4096] {
        let got = frames(&input, chunk);
        assert_eq!(got.len(), 3, "chunk {chunk}");
        assert_eq!(got[0]["method"], "initialize");
        assert_eq!(got[1]["method"], "initialized");
        assert_eq!(got[2]["id"], 7);
    }
}

#[test]
fn a_request_that_is_not_json_is_answered_under_its_id() {
    let got = frames(
        &framed(r#"{"jsonrpc":"2.0","id":4,"method":"textDocument/hover","params":{"#),
        1024,
    );
    // The id cannot be read from broken JSON: the answer goes to `null`.
    assert_eq!(got[0]["id"], Value::Null);
    assert_eq!(got[0]["method"], UNREADABLE_REQUEST);
    assert_eq!(got[0]["params"]["code"], PARSE_ERROR);
    let got = frames(&framed("not json at all"), 1024);
    assert_eq!(got[0]["id"], Value::Null);
    assert_eq!(got[0]["params"]["code"], PARSE_ERROR);
}

#[test]
fn a_lone_surrogate_is_a_parse_error_under_the_request_id() {
    let body =
        r#"{"jsonrpc":"2.0","id":"a","method":"textDocument/hover","params":{"x":"\ud800"}}"#;
    let got = frames(&framed(body), 1024);
    assert_eq!(got[0]["id"], "a");
    assert_eq!(got[0]["method"], UNREADABLE_REQUEST);
    assert_eq!(got[0]["params"]["code"], PARSE_ERROR);
    // A pair of surrogates is a character, and passes.
    let body =
        r#"{"jsonrpc":"2.0","id":"a","method":"textDocument/hover","params":{"x":"\ud83d\ude00"}}"#;
    assert_eq!(
        frames(&framed(body), 1024)[0]["method"],
        "textDocument/hover"
    );
}

#[test]
fn a_notification_that_cannot_be_read_is_dropped_with_its_method_named() {
    let body = r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"text":"\udc00"}}"#;
    let got = frames(&framed(body), 1024);
    assert!(got[0].get("id").is_none(), "{}", got[0]);
    assert_eq!(got[0]["method"], UNREADABLE_NOTIFICATION);
    assert_eq!(got[0]["params"]["method"], "textDocument/didChange");
    // Invalid UTF-8.
    let got = frames(
        &frame_bytes(b"{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"x\":\"\xff\"}"),
        1024,
    );
    assert_eq!(got[0]["method"], UNREADABLE_NOTIFICATION);
    assert!(
        got[0]["params"]["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("UTF-8")),
        "{}",
        got[0]
    );
}

#[test]
fn a_notification_with_parameters_that_do_not_fit_is_dropped() {
    let body = r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":1}}"#;
    let got = frames(&framed(body), 1024);
    assert_eq!(got[0]["method"], UNREADABLE_NOTIFICATION);
    assert_eq!(got[0]["params"]["code"], INVALID_REQUEST);
}

#[test]
fn json_that_is_no_message_is_an_invalid_request() {
    for body in [
        "[]",
        "42",
        r#"{"id":3}"#,
        r#"{"jsonrpc":"1.0","id":3,"method":"x"}"#,
    ] {
        let got = frames(&framed(body), 1024);
        assert_eq!(got[0]["method"], UNREADABLE_REQUEST, "{body}");
        assert_eq!(got[0]["params"]["code"], INVALID_REQUEST, "{body}");
    }
    let got = frames(&framed(r#"{"id":3}"#), 1024);
    assert_eq!(got[0]["id"], 3);
}

#[test]
fn bad_headers_are_skipped_up_to_the_next_message() {
    let mut input = b"Content-Length: many\r\n\r\n".to_vec();
    input.extend(framed(
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    ));
    let got = frames(&input, 7);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0]["method"], UNREADABLE_REQUEST);
    assert_eq!(got[1]["method"], "initialized");
    // Garbage with no header at all, longer than a header may be.
    let mut input = vec![b'x'; MAX_HEADER_BYTES * 3];
    input.extend(framed(
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    ));
    let got = frames(&input, 1000);
    assert_eq!(got.last().expect("a message")["method"], "initialized");
    // A lax client's `\n` line ends and a charset are accepted.
    let body = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    let input = format!(
        "Content-Type: application/vscode-jsonrpc; charset=latin1\nContent-Length: {}\n\n{body}",
        body.len()
    );
    assert_eq!(frames(input.as_bytes(), 5)[0]["method"], "initialized");
}

#[test]
fn an_oversized_message_is_skipped_without_being_held() {
    let length = MAX_MESSAGE_BYTES + 10;
    let mut framer = Framer::default();
    framer.push(format!("Content-Length: {length}\r\n\r\n").as_bytes());
    let frame = framer.next_frame().expect("a frame");
    assert!(matches!(frame, Frame::Unreadable(_)), "{frame:?}");
    let chunk = vec![b'x'; 1 << 20];
    let mut left = length;
    while left > 0 {
        let piece = left.min(chunk.len());
        framer.push(&chunk[..piece]);
        left -= piece;
        assert!(framer.next_frame().is_none());
        assert!(framer.buffer.len() < 1 << 20);
    }
    framer.push(&framed(
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    ));
    assert!(matches!(framer.next_frame(), Some(Frame::Body(_))));
}

proptest! {
    /// Any bytes: every frame becomes a message tower-lsp decodes, and the framer
    /// holds no more than a header and a body.
    #[test]
    fn anything_frames_into_decodable_messages(
        input in proptest::collection::vec(any::<u8>(), 0..600),
        chunk in 1usize..64,
    ) {
        let mut framer = Framer::default();
        for piece in input.chunks(chunk) {
            framer.push(piece);
            while let Some(frame) = framer.next_frame() {
                let message = screen_frame(frame);
                let decoded = serde_json::from_slice::<Request>(&message).is_ok()
                    || serde_json::from_slice::<Response>(&message).is_ok();
                prop_assert!(decoded, "{}", String::from_utf8_lossy(&message));
            }
        }
    }

    /// A message cut anywhere arrives whole.
    #[test]
    fn chunking_does_not_change_the_messages(text in "[a-zé😀\\\\\"]{0,40}", chunk in 1usize..16) {
        let body = json!({"jsonrpc": "2.0", "method": "initialized", "params": {"x": text}}).to_string();
        let got = frames(&framed(&body), chunk);
        prop_assert_eq!(got.len(), 1);
        prop_assert_eq!(&got[0]["params"]["x"], &json!(text));
    }
}

#[test]
fn surrogates_are_paired_or_replaced() {
    assert_eq!(pair_surrogates(r#""\ud800""#), r#""\ufffd""#);
    assert_eq!(pair_surrogates(r#""\ud83d\ude00""#), r#""\ud83d\ude00""#);
    assert_eq!(pair_surrogates(r#""\\ud800""#), r#""\\ud800""#);
    assert_eq!(pair_surrogates(r#""\udc00\n""#), r#""\ufffd\n""#);
    assert_eq!(pair_surrogates("\"\\é\""), "\"\\é\"");
}
