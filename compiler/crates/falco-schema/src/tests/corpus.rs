//! Every field and event type the upstream rules files use must resolve.
//!
//! This is a crude scan on purpose (no YAML parser here): it collects the `condition:` and
//! `output:` blocks of each item, drops quoted strings, and checks the dotted names that start
//! with a known field prefix, plus the values compared with `evt.type`.

use crate::Schema;
use crate::tables::FIELD_INDEX;
use std::collections::HashMap;
use std::path::PathBuf;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/corpus")
}

/// (file, default source)
const FILES: &[(&str, &str)] = &[
    ("upstream-rules/falco_rules.yaml", "syscall"),
    ("upstream-rules/falco-incubating_rules.yaml", "syscall"),
    ("upstream-rules/falco-sandbox_rules.yaml", "syscall"),
    ("upstream-rules-2021/falco_rules.yaml", "syscall"),
    ("upstream-rules-2021/application_rules.yaml", "syscall"),
    ("upstream-rules-2021/falco_rules.local.yaml", "syscall"),
    ("upstream-rules-2021/k8s_audit_rules.yaml", "k8s_audit"),
    ("plugin-rules/k8s_audit_rules.yaml", "k8s_audit"),
    ("plugin-rules/k8s_audit_rules_gke.yaml", "k8s_audit"),
    ("plugin-rules/aws_cloudtrail_rules.yaml", "aws_cloudtrail"),
    ("plugin-rules/k8smeta_example_rule.yaml", "syscall"),
];

/// One `condition:` or `output:` block.
struct Block {
    line: usize,
    is_output: bool,
    text: String,
}

#[derive(Default)]
struct Item {
    source: Option<String>,
    blocks: Vec<Block>,
}

struct FileScan {
    items: Vec<Item>,
    lists: HashMap<String, Vec<String>>,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn scan_file(text: &str) -> FileScan {
    let lines: Vec<&str> = text.lines().collect();
    let mut items = Vec::new();
    let mut lists: HashMap<String, Vec<String>> = HashMap::new();
    let mut current: Option<Item> = None;
    let mut current_list: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines.get(i).copied().unwrap_or_default();
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.is_empty() {
            i += 1;
            continue;
        }
        if indent(line) == 0 && trimmed.starts_with("- ") {
            if let Some(item) = current.take() {
                items.push(item);
            }
            current = Some(Item::default());
            current_list = trimmed.strip_prefix("- list:").map(|n| n.trim().to_owned());
            if let Some(name) = &current_list {
                lists.entry(name.clone()).or_default();
            }
            i += 1;
            continue;
        }
        let key_indent = indent(line);
        let mut block_key = None;
        for key in ["condition:", "output:", "items:", "source:"] {
            if let Some(rest) = trimmed.strip_prefix(key) {
                block_key = Some((key, rest.to_owned()));
            }
        }
        let Some((key, first)) = block_key else {
            i += 1;
            continue;
        };
        let start = i + 1;
        let mut text = first;
        i += 1;
        while let Some(next) = lines.get(i) {
            if !next.trim().is_empty() && indent(next) <= key_indent {
                break;
            }
            text.push('\n');
            text.push_str(next);
            i += 1;
        }
        let Some(item) = current.as_mut() else {
            continue;
        };
        match key {
            "source:" => item.source = Some(text.trim().to_owned()),
            "items:" => {
                if let Some(name) = &current_list {
                    let cleaned = text.replace(['[', ']'], " ");
                    let entries = cleaned
                        .split([',', '\n'])
                        .map(|s| {
                            s.trim()
                                .trim_start_matches("- ")
                                .trim()
                                .trim_matches(['"', '\''])
                                .to_owned()
                        })
                        .filter(|s| !s.is_empty() && !s.starts_with('#'));
                    lists.entry(name.clone()).or_default().extend(entries);
                }
            }
            _ => item.blocks.push(Block {
                line: start,
                is_output: key == "output:",
                text,
            }),
        }
    }
    if let Some(item) = current.take() {
        items.push(item);
    }
    FileScan { items, lists }
}

/// Replaces quoted strings with blanks (keeping their length and the quotes).
fn blank_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push(c);
            }
            Some(_) => out.push(if c == '\n' { '\n' } else { ' ' }),
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// A dotted name found in a block: name, bracket argument, byte offset.
struct Token {
    name: String,
    arg: Option<String>,
    start: usize,
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(0);
        let prev = if i == 0 {
            b' '
        } else {
            bytes.get(i - 1).copied().unwrap_or(b' ')
        };
        if !b.is_ascii_alphabetic()
            || is_ident_byte(prev)
            || matches!(prev, b'.' | b'/' | b'-' | b'$' | b'*')
        {
            i += 1;
            continue;
        }
        let start = i;
        let mut segments = 0;
        loop {
            while bytes.get(i).is_some_and(|b| is_ident_byte(*b)) {
                i += 1;
            }
            if bytes.get(i) == Some(&b'.')
                && bytes.get(i + 1).is_some_and(|b| b.is_ascii_alphabetic())
            {
                i += 1;
                segments += 1;
            } else {
                break;
            }
        }
        if segments == 0 {
            continue;
        }
        let name = text.get(start..i).unwrap_or_default().to_owned();
        let mut arg = None;
        if bytes.get(i) == Some(&b'[')
            && let Some(close) = text.get(i..).and_then(|rest| rest.find(']'))
        {
            arg = text.get(i + 1..i + close).map(str::to_owned);
            i += close + 1;
        }
        // Values such as `k8s.gcr.io/...` or `docker.io:443` are not field names.
        if matches!(bytes.get(i), Some(b'/' | b'-' | b':' | b'*')) {
            continue;
        }
        out.push(Token { name, arg, start });
    }
    out
}

fn known_prefix(name: &str) -> bool {
    let segment = name.split('.').next().unwrap_or(name);
    FIELD_INDEX
        .binary_search_by(|(s, _)| (*s).cmp(segment))
        .is_ok()
}

/// The values compared with `evt.type` in a block (after quotes are removed).
fn evt_type_values(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("evt.type") {
        let after = rest.get(pos + "evt.type".len()..).unwrap_or_default();
        rest = after;
        if after.starts_with(|c: char| c == '.' || c == '_' || c.is_ascii_alphanumeric()) {
            continue;
        }
        let after = after.trim_start();
        let value_part = if let Some(v) = after.strip_prefix("!=") {
            v
        } else if let Some(v) = after.strip_prefix('=') {
            v.strip_prefix('=').unwrap_or(v)
        } else if let Some(v) = after.strip_prefix("in") {
            let v = v.trim_start();
            if let Some(list) = v.strip_prefix('(') {
                let inner = list.split(')').next().unwrap_or_default();
                out.extend(
                    inner
                        .split(',')
                        .map(|s| s.trim().trim_matches(['"', '\'']).to_owned())
                        .filter(|s| !s.is_empty()),
                );
            } else {
                let word: String = v
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !word.is_empty() {
                    out.push(word);
                }
            }
            continue;
        } else {
            continue;
        };
        let value_part = value_part.trim_start();
        // `evt.type = oneof (a, b)`: a modifier followed by a list.
        let modified = ["oneof", "anyof", "allof"].iter().find_map(|m| {
            value_part
                .strip_prefix(m)
                .map(str::trim_start)
                .and_then(|v| v.strip_prefix('('))
        });
        if let Some(list) = modified {
            let inner = list.split(')').next().unwrap_or_default();
            out.extend(
                inner
                    .split(',')
                    .map(|s| s.trim().trim_matches(['"', '\'']).to_owned())
                    .filter(|s| !s.is_empty()),
            );
            continue;
        }
        let value: String = value_part
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !value.is_empty() {
            out.push(value);
        }
    }
    out
}

#[test]
fn upstream_rules_fields_and_event_types_resolve() {
    let schema = Schema::get();
    let mut failures = Vec::new();
    let (mut fields_checked, mut types_checked) = (0usize, 0usize);
    for (file, default_source) in FILES {
        let path = corpus().join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            failures.push(format!("{file}: cannot read {}", path.display()));
            continue;
        };
        let scan = scan_file(&text);
        for item in &scan.items {
            let source = item.source.as_deref().unwrap_or(default_source);
            for block in &item.blocks {
                let text = if block.is_output {
                    block.text.clone()
                } else {
                    blank_quotes(&block.text)
                };
                for tok in tokens(&text) {
                    let in_output = block.is_output;
                    let after_percent = text
                        .get(..tok.start)
                        .is_some_and(|b| b.ends_with('%') || b.ends_with("%("));
                    if in_output && !after_percent {
                        continue;
                    }
                    if !in_output && !known_prefix(&tok.name) {
                        continue;
                    }
                    if in_output && schema.is_deprecated_output_placeholder(&tok.name) {
                        continue;
                    }
                    fields_checked += 1;
                    if let Err(e) = schema.resolve(source, &tok.name, tok.arg.as_deref()) {
                        failures.push(format!("{file}:{}: {source}: {e}", block.line));
                    }
                }
                if block.is_output {
                    continue;
                }
                for value in evt_type_values(&block.text) {
                    let names = match scan.lists.get(&value) {
                        Some(items) => items.clone(),
                        None => vec![value.clone()],
                    };
                    for name in names {
                        if scan.lists.contains_key(&name) {
                            continue;
                        }
                        types_checked += 1;
                        if !schema.is_event_type(&name) {
                            failures.push(format!(
                                "{file}:{}: unknown event type `{name}`",
                                block.line
                            ));
                        }
                    }
                }
            }
        }
    }
    println!("checked {fields_checked} field references and {types_checked} event type values");
    for f in &failures {
        println!("  {f}");
    }
    assert!(
        fields_checked > 2000,
        "scan found too few fields: {fields_checked}"
    );
    assert!(
        types_checked > 100,
        "scan found too few event types: {types_checked}"
    );
    assert!(
        failures.is_empty(),
        "{} references do not resolve (listed above)",
        failures.len()
    );
}

#[test]
fn hand_picked_upstream_references() {
    let s = Schema::get();
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("syscall", "proc.aname", Some("2")),
        ("syscall", "proc.pname", None),
        ("syscall", "container.image.repository", None),
        ("syscall", "k8s.ns.name", None),
        ("syscall", "fd.sip.name", None),
        ("syscall", "evt.arg.request", None),
        ("syscall", "evt.arg.flags", None),
        ("syscall", "evt.rawres", None),
        ("syscall", "proc.exepath", None),
        ("syscall", "k8smeta.pod.uid", None),
        ("k8s_audit", "ka.target.resource", None),
        ("k8s_audit", "ka.req.pod.volumes.hostpath", None),
        ("k8s_audit", "ka.req.binding.subjects", None),
        ("k8s_audit", "jevt.rawtime", None),
        ("k8s_audit", "jevt.value", Some("/requestObject/spec/tls")),
        ("aws_cloudtrail", "ct.user.identitytype", None),
        (
            "aws_cloudtrail",
            "json.value",
            Some("/additionalEventData/MFAUsed"),
        ),
        ("aws_cloudtrail", "s3.bucket", None),
        ("aws_cloudtrail", "ec2.imageids", None),
    ];
    for (source, name, arg) in cases {
        assert!(
            s.resolve(source, name, *arg).is_ok(),
            "{source}: {name} {arg:?}"
        );
    }
}

/// libsinsp's compile/eval cases that are expected to compile: every field they name (other
/// than the test-only `c.*` mock class) must resolve for `syscall`, and every `evt.type`
/// value must be a known event type. Prints the agreement rate and each disagreement.
#[test]
fn libs_filter_cases_fields_resolve() {
    let schema = Schema::get();
    let path = corpus().join("conditions/libs_filter_cases.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let (mut checked, mut failures) = (0usize, Vec::new());
    for case in cases.as_array().into_iter().flatten() {
        let layer = case["layer"].as_str().unwrap_or_default();
        if case["expect"].as_str() != Some("ok") || layer == "parse" {
            continue;
        }
        let condition = case["condition"].as_str().unwrap_or_default();
        let blanked = blank_quotes(condition);
        for tok in tokens(&blanked) {
            if tok.name.starts_with("c.") || !known_prefix(&tok.name) {
                continue;
            }
            checked += 1;
            if let Err(e) = schema.resolve("syscall", &tok.name, tok.arg.as_deref()) {
                failures.push(format!("`{condition}`: {e}"));
            }
        }
        for value in evt_type_values(condition) {
            checked += 1;
            if !schema.is_event_type(&value) {
                failures.push(format!("`{condition}`: unknown event type `{value}`"));
            }
        }
    }
    let agree = checked - failures.len();
    println!("libs filter cases: {agree}/{checked} field and event-type references resolve");
    for f in &failures {
        println!("  {f}");
    }
    assert!(checked > 300, "too few references: {checked}");
    assert!(
        failures.is_empty(),
        "{} references do not resolve (listed above)",
        failures.len()
    );
}
