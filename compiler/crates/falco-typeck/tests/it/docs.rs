//! The examples of this crate's code docs (`docs/codes/<CODE>.md`) yield their code,
//! and their "how to fix" examples yield none of this crate's errors.
//!
//! A small reader takes `condition:`, `output:` and `source:` from each rule of the
//! two yaml blocks; the workspace's tidy test lints the whole files.

use std::path::PathBuf;

use falco_diagnostics::Code;
use falco_schema::Schema;
use falco_typeck::{Context, TypeError, check_condition, check_output};

const CODES: &[Code] = &[
    Code::E401,
    Code::E402,
    Code::E403,
    Code::E404,
    Code::E405,
    Code::E406,
    Code::E407,
    Code::E408,
    Code::W401,
    Code::W402,
    Code::W404,
    Code::W405,
    Code::E502,
];

fn key<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.trim_start()
        .trim_start_matches("- ")
        .strip_prefix(name)?
        .strip_prefix(':')
        .map(str::trim)
}

/// Checks every rule of a block; returns all diagnostics (parse errors as strings).
fn check_block(block: &str) -> (Vec<TypeError>, Vec<String>) {
    let schema = Schema::get();
    let mut diagnostics = Vec::new();
    let mut parse_errors = Vec::new();
    let rules: Vec<&str> = block.split("- rule:").skip(1).collect();
    for rule in rules {
        let source = rule
            .lines()
            .find_map(|line| key(line, "source"))
            .unwrap_or("syscall");
        let ctx = Context::new(schema, source);
        for line in rule.lines() {
            if let Some(condition) = key(line, "condition") {
                let (expr, errors) = falco_condition::parse_condition(condition);
                parse_errors.extend(errors.iter().map(|e| e.message.clone()));
                diagnostics.extend(check_condition(&expr, &ctx).1);
            }
            if let Some(output) = key(line, "output") {
                let (parsed, errors) = falco_condition::parse_output(output);
                parse_errors.extend(errors.iter().map(|e| e.message.clone()));
                diagnostics.extend(check_output(&parsed, &ctx).1);
            }
        }
    }
    (diagnostics, parse_errors)
}

#[test]
fn code_doc_examples_yield_their_code() {
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../docs/codes");
    let mut failures = Vec::new();
    for code in CODES {
        let path = docs.join(format!("{}.md", code.as_str()));
        let Ok(doc) = std::fs::read_to_string(&path) else {
            failures.push(format!("{}: missing {}", code.as_str(), path.display()));
            continue;
        };
        let blocks = falco_diagnostics::yaml_blocks(&doc);
        let (Some(example), Some(fixed)) = (blocks.first(), blocks.get(1)) else {
            failures.push(format!(
                "{}: needs an example and a fixed example",
                code.as_str()
            ));
            continue;
        };
        let (found, parse_errors) = check_block(example);
        if !parse_errors.is_empty() || !found.iter().any(|d| d.code == *code) {
            failures.push(format!(
                "{}: example yields {:?} (parse errors {parse_errors:?})",
                code.as_str(),
                found.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()
            ));
        }
        let (found, parse_errors) = check_block(fixed);
        if !parse_errors.is_empty() || !found.is_empty() {
            failures.push(format!(
                "{}: fixed example yields {:?} (parse errors {parse_errors:?})",
                code.as_str(),
                found
                    .iter()
                    .map(|d| format!("{} {}", d.code.as_str(), d.message))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
