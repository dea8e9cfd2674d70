//! Completion where issue 14 found gaps: values after comparisons, exception
//! entries, a space that asked for every macro and field, and keys offered twice.

use serde_json::{Value, json};

use crate::client::{Client, position_of, temp_dir};

const RULES: &str = "- list: shells
  items: [bash, sh]

- macro: spawned
  condition: evt.type = execve and evt.dir = < and fd.typechar = f

- rule: r
  desc: d
  condition: spawned and proc.name in (shells) and proc.name = bash
  output: o
  priority: WARNING
  exceptions:
    - name: known
      fields: [proc.name, fd.name]
      comps: [=, startswith]
      values:
        - [sh, /tmp]
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

/// Completion at the `n`th `needle` plus `shift`; `trigger` is the character that
/// made the client ask, if any.
fn complete(
    client: &mut Client,
    uri: &str,
    needle: &str,
    shift: usize,
    trigger: Option<&str>,
) -> Vec<String> {
    let context = match trigger {
        Some(character) => json!({"triggerKind": 2, "triggerCharacter": character}),
        None => json!({"triggerKind": 1}),
    };
    labels(&client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position_of(RULES, needle, 0, shift), "context": context}),
    ))
}

#[test]
fn completion_values_exceptions_whitespace_and_present_keys() {
    let root = temp_dir("completion");
    let path = root.join("c_rules.yaml");
    std::fs::write(&path, RULES).expect("write rules");
    let mut client = Client::start(&root, json!({"debounceMs": 0}));
    let (uri, _) = client.open(&path);
    client.wait_diagnostics(&uri, |_| true);

    // Values after a comparison: the enumerated values of the field.
    let items = complete(&mut client, &uri, "< and fd", 0, None);
    assert_eq!(items, [">", "<"], "evt.dir: {items:?}");
    let items = complete(&mut client, &uri, "f\n", 0, None);
    assert!(
        items.contains(&"f".to_owned())
            && items.contains(&"4".to_owned())
            && items.contains(&"u".to_owned()),
        "fd.typechar: {items:?}"
    );
    // After `in (`: lists.
    let items = complete(&mut client, &uri, "shells) and", 0, None);
    assert!(items.contains(&"shells".to_owned()), "{items:?}");

    // Exceptions: fields, operators, lists for values, and the entry's missing keys.
    let items = complete(&mut client, &uri, "fd.name]", 0, None);
    assert!(
        items.contains(&"fd.name".to_owned()) && !items.contains(&"spawned".to_owned()),
        "fields: {items:?}"
    );
    let items = complete(&mut client, &uri, "startswith]", 0, None);
    assert!(
        items.contains(&"startswith".to_owned()) && items.contains(&"in".to_owned()),
        "comps: {items:?}"
    );
    let items = complete(&mut client, &uri, "[sh, /tmp]", 1, None);
    assert!(items.contains(&"shells".to_owned()), "values: {items:?}");

    // A space only asks where a short list is due.
    let items = complete(&mut client, &uri, "spawned and proc", 0, Some(" "));
    assert!(
        items.is_empty(),
        "a space at the start of a condition: {items:?}"
    );
    let items = complete(&mut client, &uri, "spawned and proc", 8, Some(" "));
    assert!(items.is_empty(), "a space after `and`: {items:?}");
    let items = complete(&mut client, &uri, "= bash", 0, Some(" "));
    assert!(
        items.contains(&"=".to_owned()) && items.contains(&"startswith".to_owned()),
        "operators after a field: {items:?}"
    );
    let items = complete(&mut client, &uri, "< and fd", 0, Some(" "));
    assert!(
        items.contains(&">".to_owned()),
        "values after an operator: {items:?}"
    );
    // Invoked explicitly, the start of a condition still lists macros and fields.
    let items = complete(&mut client, &uri, "spawned and proc", 0, None);
    assert!(
        items.contains(&"spawned".to_owned()) && items.contains(&"proc.name".to_owned()),
        "{items:?}"
    );

    // Keys already written are not offered again.
    let items = complete(&mut client, &uri, "  output: o", 2, None);
    for present in ["desc", "condition", "priority", "exceptions"] {
        assert!(
            !items.contains(&present.to_owned()),
            "{present} offered again: {items:?}"
        );
    }
    assert!(
        items.contains(&"tags".to_owned()) && items.contains(&"source".to_owned()),
        "{items:?}"
    );
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&root);
}
