//! Protocol tests on small files: the workspace without a configuration (open
//! files in name order), completion contexts, code actions, closing, exit codes.

use serde_json::{Value, json};

use crate::client::{Client, position_of, temp_dir};

const A: &str = "- list: shells
  items: [bash, sh]

- macro: spawned
  condition: evt.type = execve

- macro: unused_one
  condition: proc.name = x

- rule: r1
  desc: d
  condition: spawned and proc.name in (shells)
  output: \"proc %proc.name\"
  priority: WARNING
  source: syscall
  tags: [process, mitre_execution]
";

const B: &str = "- rule: r2
  desc: d
  condition: spawned and proc.pname = bash
  output: x
  priority: NOTICE

- macro: spawned
  condition: and proc.name != x
  append: true

- rule: k1
  desc: d
  condition: ka.verb = create
  output: x
  priority: NOTICE
  source: k8s_audit
";

fn labels(result: &Value) -> Vec<String> {
    result
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["label"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn complete(client: &mut Client, uri: &str, position: Value) -> Vec<String> {
    labels(&client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position}),
    ))
}

fn codes(list: &[Value]) -> Vec<&str> {
    list.iter().filter_map(|d| d["code"].as_str()).collect()
}

/// Applies the first code action for the diagnostic with `code`.
fn fix(client: &mut Client, uri: &str, code: &str, title_start: &str) {
    let diagnostic = client.diagnostics[uri]
        .iter()
        .find(|d| d["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("no {code}"));
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}}),
    );
    let action = actions
        .as_array()
        .and_then(|list| {
            list.iter()
                .find(|a| a["title"].as_str().unwrap_or("").starts_with(title_start))
        })
        .cloned()
        .unwrap_or_else(|| panic!("no action `{title_start}` in {actions}"));
    let edits = action["edit"]["changes"][uri]
        .as_array()
        .cloned()
        .expect("edits");
    client.apply_edits(uri, &edits);
}

#[test]
fn small_workspace() {
    let root = temp_dir("fixtures");
    let (a, b) = (root.join("a_rules.yaml"), root.join("b_rules.yaml"));
    std::fs::write(&a, A).expect("write a");
    std::fs::write(&b, B).expect("write b");
    let mut client = Client::start(&root, json!({"debounceMs": 0}));
    let (a_uri, _) = client.open(&a);
    let (b_uri, _) = client.open(&b);

    // b uses a macro of a (name order: a loads first): no undefined macro; the
    // deprecated append is reported in b, the unused macro in a.
    let b_list = client.wait_diagnostics(&b_uri, |list| codes(list).contains(&"W103"));
    assert!(!codes(&b_list).contains(&"E203"), "{b_list:?}");
    client.wait_diagnostics(&a_uri, |list| codes(list).contains(&"W201"));

    // Completion contexts.
    let items = complete(&mut client, &a_uri, position_of(A, "in (shells)", 0, 4));
    assert!(
        items.contains(&"shells".to_owned()),
        "lists after `in (`: {items:?}"
    );
    let items = complete(&mut client, &a_uri, position_of(A, "execve", 0, 0));
    assert!(
        items.contains(&"execve".to_owned()) && items.contains(&"openat".to_owned()),
        "event types: {items:?}"
    );
    let items = complete(&mut client, &a_uri, position_of(A, "%proc.name", 0, 1));
    assert!(
        items.contains(&"proc.name".to_owned()) && !items.contains(&"spawned".to_owned()),
        "output fields: {items:?}"
    );
    let items = complete(&mut client, &a_uri, position_of(A, "spawned and", 0, 0));
    assert!(
        items.contains(&"spawned".to_owned()) && items.contains(&"unused_one".to_owned()),
        "macros: {items:?}"
    );
    let items = complete(&mut client, &a_uri, position_of(A, "  priority", 0, 5));
    // The key under the cursor is offered, keys the rule already has are not.
    assert!(
        items.contains(&"priority".to_owned())
            && items.contains(&"enabled".to_owned())
            && !items.contains(&"condition".to_owned()),
        "rule keys: {items:?}"
    );
    let items = complete(&mut client, &a_uri, position_of(A, "WARNING", 0, 0));
    assert!(
        items.contains(&"WARNING".to_owned()) && items.contains(&"CRITICAL".to_owned()),
        "priorities: {items:?}"
    );
    let items = complete(&mut client, &a_uri, position_of(A, "syscall", 0, 0));
    assert!(
        items.contains(&"k8s_audit".to_owned()),
        "sources: {items:?}"
    );
    let items = complete(&mut client, &a_uri, position_of(A, "process, mitre", 0, 0));
    assert!(
        items.contains(&"mitre_execution".to_owned()),
        "tags: {items:?}"
    );
    let items = complete(&mut client, &a_uri, position_of(A, "- list", 0, 2));
    assert!(items.contains(&"macro".to_owned()), "item kinds: {items:?}");

    // Fields are those of the rule's source.
    let items = complete(&mut client, &b_uri, position_of(B, "ka.verb", 0, 0));
    assert!(
        items.contains(&"ka.verb".to_owned()) && !items.contains(&"proc.name".to_owned()),
        "k8s_audit fields: {items:?}"
    );

    // Definition of a macro that is appended to: its one definition; the append
    // is among the references.
    let definition = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": b_uri}, "position": position_of(B, "spawned and", 0, 1)}),
    );
    assert_eq!(definition.as_array().map(Vec::len), Some(1), "{definition}");
    assert_eq!(definition[0]["uri"], json!(a_uri));
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": a_uri}, "position": position_of(A, "spawned", 0, 1), "context": {"includeDeclaration": false}}),
    );
    let in_b: Vec<u64> = references
        .as_array()
        .expect("refs")
        .iter()
        .filter(|r| r["uri"] == json!(b_uri))
        .filter_map(|r| r["range"]["start"]["line"].as_u64())
        .collect();
    assert_eq!(in_b, vec![2, 6], "{references}");

    // Code actions: `append: true` to `override:`, remove the unused macro.
    fix(&mut client, &b_uri, "W103", "Replace `append: true`");
    let b_list = client.wait_diagnostics(&b_uri, |list| !codes(list).contains(&"W103"));
    assert!(
        b_list.iter().all(|d| d["severity"] != json!(1)),
        "{b_list:?}"
    );
    fix(
        &mut client,
        &a_uri,
        "W201",
        "Remove unused macro `unused_one`",
    );
    let a_list = client.wait_diagnostics(&a_uri, |list| !codes(list).contains(&"W201"));
    assert!(
        a_list.iter().all(|d| d["severity"] != json!(1)),
        "{a_list:?}"
    );
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": a_uri}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .expect("symbols")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["shells", "spawned", "r1"]);

    // A project file puts b before a: b's override now targets a macro not yet
    // defined. Removing the file restores name order. (The server looks at the
    // configuration again before each analysis; a save triggers one.)
    let project = root.join(".falco-rulec.yaml");
    std::fs::write(
        &project,
        "rules_files: [b_rules.yaml, a_rules.yaml, missing_rules.yaml]\n",
    )
    .expect("write project file");
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": a_uri}}),
    );
    client.wait_diagnostics(&b_uri, |list| codes(list).contains(&"E202"));
    // The missing file is reported once, as a message.
    let shown = client
        .notifications
        .iter()
        .filter(|(method, params)| {
            method == "window/showMessage"
                && params["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("missing_rules.yaml")
        })
        .count();
    assert_eq!(shown, 1, "{:?}", client.notifications);
    std::fs::remove_file(&project).expect("remove project file");
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": a_uri}}),
    );
    client.wait_diagnostics(&b_uri, |list| !codes(list).contains(&"E202"));

    // Closing b leaves a alone in the workspace: b's diagnostics are cleared.
    client.change(
        &b_uri,
        json!({"start": {"line": 2, "character": 13}, "end": {"line": 2, "character": 13}}),
        "(",
    );
    client.wait_diagnostics(&b_uri, |list| codes(list).contains(&"E302"));
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": b_uri}}),
    );
    client.wait_diagnostics(&b_uri, <[Value]>::is_empty);

    // `exit` without `shutdown` ends the server with code 1.
    client.notify("exit", Value::Null);
    assert_eq!(client.wait(), Some(1));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn utf16_positions() {
    let root = temp_dir("utf16");
    let path = root.join("c_rules.yaml");
    let text = "- rule: r\n  desc: d\n  condition: proc.name = \"é😀\" and proc.nmae = x\n  output: o\n  priority: NOTICE\n";
    std::fs::write(&path, text).expect("write");
    let mut client = Client::start(&root, json!({"debounceMs": 0}));
    let (uri, _) = client.open(&path);
    // The error's range counts `😀` as two UTF-16 code units.
    let list = client.wait_diagnostics(&uri, |list| codes(list).contains(&"E401"));
    let error = list.iter().find(|d| d["code"] == "E401").expect("E401");
    let start = position_of(text, "proc.nmae", 0, 0);
    assert_eq!(start, json!({"line": 2, "character": 35}));
    assert_eq!(error["range"]["start"], start);
    // An edit addressed in UTF-16 after the emoji lands where it should: fixing
    // the name clears the error.
    let end = position_of(text, "proc.nmae", 0, 9);
    client.change(&uri, json!({"start": start, "end": end}), "proc.name");
    client.wait_diagnostics(&uri, |list| !codes(list).contains(&"E401"));
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position_of(text, "proc.nmae", 0, 2)}),
    );
    assert_eq!(hover["range"]["start"], start, "{hover}");
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn fixes_apply_only_to_the_text_they_were_made_for() {
    let root = temp_dir("carried_fixes");
    let path = root.join("d_rules.yaml");
    let text = "- rule: r\n  desc: d\n  condition: \"evt.type = execve and proc.nmae = x\"\n  output: o\n  priority: \"WARNNG\"\n\n- rule: s\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: NOTICE\n  tag: [process]\n";
    std::fs::write(&path, text).expect("write");
    let mut client = Client::start(&root, json!({"debounceMs": 0}));
    let (uri, _) = client.open(&path);
    client.wait_diagnostics(&uri, |list| {
        codes(list).contains(&"E107") && codes(list).contains(&"W102")
    });
    // The priority's span holds the quotes, not the text the fix replaces: no
    // action rather than one that drops them.
    let priority = client.diagnostics[&uri]
        .iter()
        .find(|d| d["code"] == "E107")
        .cloned()
        .expect("E107");
    assert_eq!(
        priority["range"]["start"],
        position_of(text, "\"WARNNG\"", 0, 0)
    );
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": priority["range"], "context": {"diagnostics": [priority]}}),
    );
    assert_eq!(actions, json!([]), "{actions}");
    // A misspelt key is fixed by the diagnostic's own replacement.
    fix(&mut client, &uri, "W102", "Replace `tag` with `tags`");
    client.wait_diagnostics(&uri, |list| !codes(list).contains(&"W102"));
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&root);
}
