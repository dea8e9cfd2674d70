//! A profile as a table for people and as JSON for tools (the `replay --profile-json`
//! contract, version 1, in `docs/profile.md`).

use std::fmt::Write as _;

use serde::Serialize;

use super::{Profile, RuleProfile};

/// The version of the JSON shape.
pub const JSON_VERSION: u32 = 1;

/// Nanoseconds per evaluation, rounded down (0 when never evaluated).
fn per_evaluation(rule: &RuleProfile) -> u64 {
    rule.cost
        .nanos
        .checked_div(rule.cost.evaluations)
        .unwrap_or(0)
}

/// `part` of `whole` in percent (0 when the whole is 0).
fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// The table: a summary line, then one line per rule, most expensive first.
pub fn table(profile: &Profile) -> String {
    let total = profile.total_nanos();
    let evaluations: u64 = profile.rules.iter().map(|r| r.cost.evaluations).sum();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "profile: {} events, {} rules, {evaluations} rule evaluations, {:.3} ms in rules",
        profile.events,
        profile.rules.len(),
        total as f64 / 1e6
    );
    let _ = writeln!(
        out,
        "{:>10}  {:>6}  {:>11}  {:>9}  {:>8}  rule",
        "time (ms)", "share", "evaluations", "matches", "ns/eval"
    );
    for rule in &profile.rules {
        let _ = writeln!(
            out,
            "{:>10.3}  {:>5.1}%  {:>11}  {:>9}  {:>8}  {}",
            rule.cost.nanos as f64 / 1e6,
            percent(rule.cost.nanos, total),
            rule.cost.evaluations,
            rule.cost.matches,
            per_evaluation(rule),
            rule.rule
        );
    }
    out
}

#[derive(Serialize)]
struct JsonProfile<'a> {
    version: u32,
    events: u64,
    rule_matching: &'a str,
    time_ns: u64,
    rules: Vec<JsonRule<'a>>,
}

#[derive(Serialize)]
struct JsonRule<'a> {
    rule: &'a str,
    source: &'a str,
    evaluations: u64,
    matches: u64,
    time_ns: u64,
    ns_per_evaluation: u64,
}

/// The JSON document; `rule_matching` is `first` or `all`, as the replay ran.
pub fn json(profile: &Profile, rule_matching: &str) -> String {
    let document = JsonProfile {
        version: JSON_VERSION,
        events: profile.events,
        rule_matching,
        time_ns: profile.total_nanos(),
        rules: profile
            .rules
            .iter()
            .map(|rule| JsonRule {
                rule: &rule.rule,
                source: &rule.source,
                evaluations: rule.cost.evaluations,
                matches: rule.cost.matches,
                time_ns: rule.cost.nanos,
                ns_per_evaluation: per_evaluation(rule),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
