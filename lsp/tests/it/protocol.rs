//! Protocol tests on the upstream rules files: each feature, through JSON-RPC.

use serde_json::{Value, json};

use crate::client::{Client, position_of, temp_dir, upstream};

const FILES: [&str; 3] = [
    "falco_rules.yaml",
    "falco-incubating_rules.yaml",
    "falco-sandbox_rules.yaml",
];

/// A workspace whose `falco.yaml` loads the three upstream files in Falco's
/// order, with all three open. Returns the client and (uri, text) per file.
fn upstream_workspace(name: &str) -> (Client, Vec<(String, String)>, std::path::PathBuf) {
    let root = temp_dir(name);
    let entries: Vec<String> = FILES
        .iter()
        .map(|file| format!("  - {}\n", upstream(file).display()))
        .collect();
    std::fs::write(
        root.join("falco.yaml"),
        format!("rules_files:\n{}", entries.concat()),
    )
    .expect("write falco.yaml");
    let mut client = Client::start(&root, json!({"debounceMs": 0}));
    let docs: Vec<(String, String)> = FILES
        .iter()
        .map(|file| client.open(&upstream(file)))
        .collect();
    for (uri, _) in &docs {
        client.wait_diagnostics(uri, |_| true);
    }
    (client, docs, root)
}

fn codes(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|diagnostic| diagnostic["code"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn at(uri: &str, position: Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position})
}

/// The text a range covers.
fn text_in<'a>(text: &'a str, range: &Value) -> &'a str {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap_or(0) as usize;
        let character = position["character"].as_u64().unwrap_or(0) as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + character
    };
    &text[offset(&range["start"])..offset(&range["end"])]
}

#[test]
fn upstream_features() {
    let (mut client, docs, root) = upstream_workspace("features");
    let (rules_uri, rules) = &docs[0];
    let baseline = client.diagnostics[rules_uri].clone();

    // The three files load together cleanly: no undefined macro across files.
    for (uri, _) in &docs {
        let list = client.diagnostics[uri].clone();
        assert!(
            !codes(&list).contains(&"E203".to_owned()),
            "{uri}: {list:?}"
        );
    }

    // Hover on `proc.name`: type, description and source.
    let hover = client.request(
        "textDocument/hover",
        at(
            rules_uri,
            position_of(rules, "(proc.name in (shell_binaries))", 0, 3),
        ),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        value.contains("`proc.name`") && value.contains("charbuf"),
        "{value}"
    );
    assert!(value.contains("syscall"), "{value}");

    // Hover on a macro shows its definition place and expansion; on an operator,
    // its meaning; on a rule name, its priority.
    let hover = client.request(
        "textDocument/hover",
        at(&docs[1].0, position_of(&docs[1].1, "spawned_process", 0, 2)),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        value.contains("evt.type in (execve, execveat)") && value.contains("falco_rules.yaml:85"),
        "{value}"
    );
    let hover = client.request(
        "textDocument/hover",
        at(
            rules_uri,
            position_of(rules, "proc.name in (shell_binaries)", 0, 10),
        ),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .contains("one of the values"),
        "{hover}"
    );
    let hover = client.request(
        "textDocument/hover",
        at(
            rules_uri,
            position_of(rules, "- rule: Run shell untrusted", 0, 10),
        ),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .contains("priority: `Notice`"),
        "{hover}"
    );

    // Definition of `spawned_process` from a use in the sandbox file: its one
    // definition in falco_rules.yaml.
    let definition = client.request(
        "textDocument/definition",
        at(&docs[2].0, position_of(&docs[2].1, "spawned_process", 0, 0)),
    );
    let locations = definition.as_array().expect("definition locations");
    assert_eq!(locations.len(), 1, "{definition}");
    assert_eq!(locations[0]["uri"], json!(rules_uri));
    assert_eq!(
        locations[0]["range"]["start"],
        json!({"line": 84, "character": 9})
    );
    assert_eq!(text_in(rules, &locations[0]["range"]), "spawned_process");

    // References include uses in all three files.
    let references = client.request(
        "textDocument/references",
        json!({
            "textDocument": {"uri": rules_uri},
            "position": {"line": 84, "character": 12},
            "context": {"includeDeclaration": true},
        }),
    );
    let references = references.as_array().expect("references");
    for (uri, text) in &docs {
        let here: Vec<&Value> = references
            .iter()
            .filter(|r| r["uri"] == json!(uri))
            .collect();
        assert!(!here.is_empty(), "no reference in {uri}");
        for reference in here {
            assert_eq!(text_in(text, &reference["range"]), "spawned_process");
        }
    }

    // Rename of a macro edits every file, each edit on the old name.
    let prepare = client.request(
        "textDocument/prepareRename",
        at(rules_uri, json!({"line": 84, "character": 12})),
    );
    assert_eq!(prepare["placeholder"], json!("spawned_process"));
    let rename = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": rules_uri}, "position": {"line": 84, "character": 12}, "newName": "process_spawned"}),
    );
    let changes = rename["changes"].as_object().expect("rename changes");
    for (uri, text) in &docs {
        let edits = changes
            .get(uri.as_str())
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("no edit in {uri}"));
        assert_eq!(
            edits.len(),
            references.iter().filter(|r| r["uri"] == json!(uri)).count()
        );
        for edit in edits {
            assert_eq!(text_in(text, &edit["range"]), "spawned_process");
            assert_eq!(edit["newText"], json!("process_spawned"));
        }
    }
    let refused = client.request_raw(
        "textDocument/rename",
        json!({"textDocument": {"uri": rules_uri}, "position": {"line": 84, "character": 12}, "newName": "9 bad"}),
    );
    assert!(refused.get("error").is_some(), "{refused}");
    // Onto an existing macro, the two would merge: refused, and the message says why.
    let clash = client.request_raw(
        "textDocument/rename",
        json!({"textDocument": {"uri": rules_uri}, "position": {"line": 84, "character": 12}, "newName": "container"}),
    );
    let message = clash["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("macro named `container` already exists"),
        "{clash}"
    );

    // Completion after `proc.`: fields only.
    let anchor = "(proc.name in (shell_binaries))";
    let offset = rules.find(anchor).expect("anchor") + 1;
    let start = crate::client::position(rules, offset);
    client.change(
        rules_uri,
        json!({"start": start, "end": start}),
        "proc. and ",
    );
    let completion = client.request(
        "textDocument/completion",
        at(rules_uri, json!({"line": start["line"], "character": start["character"].as_u64().unwrap_or(0) + 5})),
    );
    let items = completion.as_array().expect("completion items");
    let labels: Vec<&str> = items
        .iter()
        .filter_map(|item| item["label"].as_str())
        .collect();
    assert!(labels.contains(&"proc.name"), "{labels:?}");
    assert!(
        labels.iter().all(|label| label.starts_with("proc.")),
        "{labels:?}"
    );
    assert!(
        items.iter().all(|item| item["kind"] != json!(24)),
        "an operator was offered"
    );
    let end =
        json!({"line": start["line"], "character": start["character"].as_u64().unwrap_or(0) + 10});
    client.change(rules_uri, json!({"start": start, "end": end}), "");
    client.wait_diagnostics(rules_uri, |list| list == baseline.as_slice());

    // Operators after a field are those of its type.
    let completion = client.request(
        "textDocument/completion",
        at(
            rules_uri,
            position_of(rules, "(proc.name in (shell_binaries))", 0, 11),
        ),
    );
    let labels: Vec<String> = completion
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["label"].as_str().map(str::to_owned))
        .collect();
    assert!(
        labels.contains(&"startswith".to_owned()) && labels.contains(&"in".to_owned()),
        "{labels:?}"
    );
    assert!(!labels.contains(&"bcontains".to_owned()), "{labels:?}");

    // Breaking a condition publishes an error at the field, a code action fixes
    // it, and undoing clears it.
    let field = position_of(rules, "(proc.name in (shell_binaries))", 0, 1);
    let field_end = position_of(rules, "(proc.name in (shell_binaries))", 0, 10);
    client.change(
        rules_uri,
        json!({"start": field, "end": field_end}),
        "proc.nmae",
    );
    let broken =
        client.wait_diagnostics(rules_uri, |list| codes(list).contains(&"E401".to_owned()));
    let error = broken
        .iter()
        .find(|d| d["code"] == json!("E401"))
        .expect("E401");
    assert_eq!(error["range"], json!({"start": field, "end": field_end}));
    // The link opens the code's page, written to disk by the server.
    let href = error["codeDescription"]["href"].as_str().unwrap_or("");
    let page = href
        .strip_prefix("file://")
        .filter(|path| path.ends_with("/codes/E401.md"))
        .and_then(|path| std::fs::read_to_string(path).ok())
        .unwrap_or_else(|| panic!("no page at {href}"));
    assert!(page.contains("E401"), "{page}");
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": rules_uri}, "range": error["range"], "context": {"diagnostics": []}}),
    );
    let fix = actions
        .as_array()
        .and_then(|list| list.first())
        .expect("a code action");
    assert_eq!(fix["title"], json!("Replace `proc.nmae` with `proc.name`"));
    let edit = &fix["edit"]["changes"][rules_uri.as_str()][0];
    client.change(
        rules_uri,
        edit["range"].clone(),
        edit["newText"].as_str().unwrap_or(""),
    );
    client.wait_diagnostics(rules_uri, |list| list == baseline.as_slice());

    let paren = position_of(rules, "(proc.name in (shell_binaries))", 0, 0);
    client.change(rules_uri, json!({"start": paren, "end": paren}), "(");
    let broken =
        client.wait_diagnostics(rules_uri, |list| codes(list).contains(&"E302".to_owned()));
    assert!(
        broken
            .iter()
            .any(|d| d["range"]["start"]["line"] == paren["line"]),
        "{broken:?}"
    );
    let after =
        json!({"line": paren["line"], "character": paren["character"].as_u64().unwrap_or(0) + 1});
    client.change(rules_uri, json!({"start": paren, "end": after}), "");
    client.wait_diagnostics(rules_uri, |list| list == baseline.as_slice());

    // Symbols: every item of the document; workspace search across files.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": rules_uri}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .expect("symbols")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(
        names.contains(&"spawned_process")
            && names.contains(&"shell_binaries")
            && names.contains(&"Run shell untrusted")
    );
    let found = client.request("workspace/symbol", json!({"query": "spawned_pro"}));
    assert!(
        found.as_array().is_some_and(|list| !list.is_empty()),
        "{found}"
    );

    // Semantic tokens: many, and the first field of `shell_procs` is one.
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": rules_uri}}),
    );
    let data = tokens["data"].as_array().expect("token data");
    assert!(data.len() > 5 * 1000, "{} numbers", data.len());
    assert!(
        decode_tokens(data).contains(&(107, 14, 9, 0)),
        "no field token at proc.name"
    );

    // Formatting (falco-format's layout): the formatted files load to the same
    // items and lint the same (at other lines), and formatting again changes
    // nothing. A range formats only the entries it touches.
    let range_edits = client.request(
        "textDocument/rangeFormatting",
        json!({
            "textDocument": {"uri": docs[0].0},
            "range": {"start": {"line": 42, "character": 0}, "end": {"line": 42, "character": 5}},
            "options": {"tabSize": 2, "insertSpaces": true},
        }),
    );
    let range_edits = range_edits.as_array().cloned().expect("range edits");
    assert_eq!(range_edits.len(), 1, "{range_edits:?}");
    assert!(
        range_edits[0]["newText"].as_str().is_some_and(
            |text| text.starts_with("  condition: (evt.type in (open,openat,openat2)\n")
        ),
        "{range_edits:?}"
    );
    let mut formatted = Vec::new();
    for (uri, text) in &docs {
        let options = json!({"tabSize": 2, "insertSpaces": true});
        let edits = client.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": options}),
        );
        let mut edits = edits.as_array().cloned().expect("edits");
        edits.sort_by_key(|edit| {
            (
                edit["range"]["start"]["line"].as_u64(),
                edit["range"]["start"]["character"].as_u64(),
            )
        });
        let mut new_text = text.clone();
        for edit in edits.iter().rev() {
            let range = &edit["range"];
            let start = offset_of(&new_text, &range["start"]);
            let end = offset_of(&new_text, &range["end"]);
            new_text.replace_range(start..end, edit["newText"].as_str().unwrap_or(""));
        }
        client.apply_edits(uri, &edits);
        let again = client.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": options}),
        );
        assert_eq!(again, json!([]), "formatting {uri} twice");
        formatted.push((uri.clone(), new_text));
    }
    assert_ne!(
        formatted[1].1, docs[1].1,
        "the incubating file has a block to re-indent"
    );
    let lint = |files: &[(String, String)]| {
        let analysis = falco_analysis::analyze(files.to_vec());
        let items: Vec<String> = analysis
            .files
            .iter()
            .map(|file| {
                let loaded = falco_loader::load_file(file.id, &file.text);
                loaded
                    .items
                    .iter()
                    .map(|item| match item {
                        falco_loader::Item::Rule(rule) => format!(
                            "rule {} {:?} {:?}",
                            rule.name.value,
                            rule.condition.as_ref().map(|c| &c.text),
                            rule.output.as_ref().map(|o| &o.text)
                        ),
                        falco_loader::Item::Macro(item) => format!(
                            "macro {} {:?}",
                            item.name.value,
                            item.condition.as_ref().map(|c| &c.text)
                        ),
                        falco_loader::Item::List(item) => format!(
                            "list {} {:?}",
                            item.name.value,
                            item.items.as_ref().map(|i| i
                                .value
                                .iter()
                                .map(|e| &e.value)
                                .collect::<Vec<_>>())
                        ),
                        other => format!("{:?}", std::mem::discriminant(other)),
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect();
        let diagnostics: Vec<String> = analysis
            .diagnostics
            .iter()
            .map(|d| {
                let file = &analysis.files[d.primary.span.file.0 as usize];
                let at = file.text[d.primary.span.span.range()]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                format!("{} {} `{at}` {}", d.code.as_str(), file.path, d.message)
            })
            .collect();
        (items, diagnostics)
    };
    assert_eq!(lint(&formatted), lint(&docs));

    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&root);
}

/// The byte offset of an LSP position (the test texts are ASCII).
fn offset_of(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap_or(0) as usize;
    let character = position["character"].as_u64().unwrap_or(0) as usize;
    text.split_inclusive('\n')
        .take(line)
        .map(str::len)
        .sum::<usize>()
        + character
}

/// Absolute (line, character, length, type) of each encoded token.
fn decode_tokens(data: &[Value]) -> Vec<(u64, u64, u64, u64)> {
    let numbers: Vec<u64> = data.iter().filter_map(Value::as_u64).collect();
    let (mut line, mut character) = (0, 0);
    numbers
        .chunks(5)
        .map(|token| {
            if token[0] > 0 {
                character = 0;
            }
            line += token[0];
            character += token[1];
            (line, character, token[2], token[3])
        })
        .collect()
}
