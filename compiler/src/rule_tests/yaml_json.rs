//! Events written as YAML in a test file → one line of JSON each, the text the event
//! readers take. Keys keep their order; plain scalars follow the YAML 1.2 core schema
//! (`null`, booleans, integers, floats), quoted scalars are strings.

use std::collections::HashSet;

use falco_events::json::write_json_string;
use falco_events::{MAX_EVENT_BYTES, Source};
use falco_span::FileSpan;
use falco_yaml::{Node, NodeKind, ScalarStyle};

/// The time given to the first inline event that has none: 2024-01-01T00:00:00Z.
pub const BASE_TS_NS: u64 = 1_704_067_200_000_000_000;
/// Inline events without a time are this far apart (1 ms).
pub const TS_STEP_NS: u64 = 1_000_000;

/// What a converted event is missing is filled from this.
pub struct Fill<'a> {
    /// The case's source.
    pub source: Source,
    /// The case's index in the file.
    pub case_index: usize,
    /// The case's name.
    pub case_name: &'a str,
    /// The event's index in the case.
    pub event_index: usize,
}

/// Converts one inline event to a line of JSON, adding the keys the reader needs and the
/// author left out. An error names the node at fault.
pub fn event_line(node: &Node, fill: &Fill<'_>) -> Result<String, (FileSpan, String)> {
    let Some(entries) = node.as_mapping() else {
        return Err((
            node.span,
            format!("an event must be a mapping, not a {}", node.kind_name()),
        ));
    };
    let has = |key: &str| entries.iter().any(|(k, _)| k.as_str() == Some(key));
    let step = u64::try_from(fill.event_index).unwrap_or(u64::MAX);
    let ts = BASE_TS_NS.saturating_add(step.saturating_mul(TS_STEP_NS));
    let mut out = String::from("{");
    let mut first = true;
    let mut add = |out: &mut String, key: &str, value: &str| {
        if !first {
            out.push(',');
        }
        first = false;
        write_json_string(key, out);
        out.push(':');
        out.push_str(value);
    };
    match fill.source {
        Source::Syscall => {
            if !has("ts") {
                add(&mut out, "ts", &ts.to_string());
            }
        }
        Source::K8sAudit => {
            let text = |s: &str| {
                let mut t = String::new();
                write_json_string(s, &mut t);
                t
            };
            if !has("kind") {
                add(&mut out, "kind", &text("Event"));
            }
            if !has("apiVersion") {
                add(&mut out, "apiVersion", &text("audit.k8s.io/v1"));
            }
            if !has("auditID") {
                let id = format!(
                    "test-{}-{}-{}",
                    fill.case_index + 1,
                    fill.event_index + 1,
                    fill.case_name.replace(char::is_whitespace, "-")
                );
                add(&mut out, "auditID", &text(&id));
            }
            let time = rfc3339(ts);
            for key in ["requestReceivedTimestamp", "stageTimestamp"] {
                if !has(key) {
                    add(&mut out, key, &text(&time));
                }
            }
        }
    }
    let mut seen = HashSet::new();
    for (key, value) in entries {
        let Some(name) = key.as_str() else {
            return Err((key.span, "event keys must be scalars".into()));
        };
        if !seen.insert(name) {
            return Err((key.span, format!("`{name}` is given twice")));
        }
        add(&mut out, name, "");
        write_value(value, &mut out)?;
    }
    out.push('}');
    Ok(out)
}

/// Appends `node` as JSON. Fails once `out` holds more than an event may
/// ([`MAX_EVENT_BYTES`]): aliases share nodes, so a few lines of YAML can stand for
/// more JSON than any event.
fn write_value(node: &Node, out: &mut String) -> Result<(), (FileSpan, String)> {
    if out.len() > MAX_EVENT_BYTES {
        return Err((
            node.span,
            format!(
                "the event is larger than {} MiB once written as JSON (the event size limit)",
                MAX_EVENT_BYTES >> 20
            ),
        ));
    }
    match &node.kind {
        NodeKind::Scalar(scalar) => {
            if scalar.style != ScalarStyle::Plain || node.tag.is_some() {
                write_json_string(scalar.as_str(), out);
            } else {
                write_plain(scalar.as_str(), out);
            }
        }
        NodeKind::Sequence(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out)?;
            }
            out.push(']');
        }
        NodeKind::Mapping(entries) => {
            out.push('{');
            let mut seen = HashSet::new();
            for (i, (key, value)) in entries.iter().enumerate() {
                let Some(name) = key.as_str() else {
                    return Err((key.span, "mapping keys must be scalars".into()));
                };
                if !seen.insert(name) {
                    return Err((key.span, format!("`{name}` is given twice")));
                }
                if i > 0 {
                    out.push(',');
                }
                write_json_string(name, out);
                out.push(':');
                write_value(value, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// A plain scalar by the YAML 1.2 core schema.
fn write_plain(text: &str, out: &mut String) {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => out.push_str("null"),
        "true" | "True" | "TRUE" => out.push_str("true"),
        "false" | "False" | "FALSE" => out.push_str("false"),
        _ => match number(text) {
            Some(json) => out.push_str(&json),
            None => write_json_string(text, out),
        },
    }
}

/// The JSON form of a core-schema number (`12`, `-3`, `0x1f`, `0o17`, `1.5e3`), if `text`
/// is one.
fn number(text: &str) -> Option<String> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let radix = |prefix: &str, radix: u32| {
        digits
            .strip_prefix(prefix)
            .and_then(|d| i128::from_str_radix(d, radix).ok())
    };
    if let Some(value) = radix("0x", 16).or_else(|| radix("0o", 8)) {
        return Some(if negative { -value } else { value }.to_string());
    }
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits
            .parse::<u128>()
            .ok()
            .map(|v| format!("{}{v}", if negative { "-" } else { "" }));
    }
    let float_chars = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    let starts_with_digit = digits.bytes().next().is_some_and(|b| b.is_ascii_digit());
    if float_chars
        && starts_with_digit
        && let Ok(value) = text.parse::<f64>()
        && value.is_finite()
    {
        return Some(format!("{value:?}"));
    }
    None
}

/// `ts` (ns since the epoch) as RFC 3339 with nanoseconds, UTC.
fn rfc3339(ts: u64) -> String {
    let mut out = String::new();
    falco_events::write_rfc3339(ts, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_of_the_base_time() {
        assert_eq!(rfc3339(BASE_TS_NS), "2024-01-01T00:00:00.000000000Z");
        assert_eq!(
            rfc3339(951_782_400_000_000_007),
            "2000-02-29T00:00:00.000000007Z"
        );
    }

    #[test]
    fn an_alias_bomb_stops_at_the_event_size_limit() {
        // Nine levels of nine aliases: 9^9 strings, gigabytes of JSON.
        let mut text = String::from("- a0: &a0 [xxxxxxxxxxxxxxxx, xxxxxxxxxxxxxxxx]\n");
        for level in 1..10 {
            let aliases = vec![format!("*a{}", level - 1); 9].join(", ");
            text.push_str(&format!("  a{level}: &a{level} [{aliases}]\n"));
        }
        let (documents, diagnostics) = falco_yaml::parse(falco_span::FileId(0), &text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let root = documents[0].root.as_ref().expect("root");
        let event = &root.as_sequence().expect("sequence")[0];
        let fill = Fill {
            source: Source::Syscall,
            case_index: 0,
            case_name: "bomb",
            event_index: 0,
        };
        let (_, message) = event_line(event, &fill).expect_err("too large");
        assert!(message.contains("event size limit"), "{message}");
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let json = |text: &str| {
            let mut out = String::new();
            write_plain(text, &mut out);
            out
        };
        assert_eq!(json("12"), "12");
        assert_eq!(json("-3"), "-3");
        assert_eq!(json("0x1f"), "31");
        assert_eq!(json("0o17"), "15");
        assert_eq!(json("1.5"), "1.5");
        assert_eq!(json("true"), "true");
        assert_eq!(json("~"), "null");
        assert_eq!(json("/etc/shadow"), "\"/etc/shadow\"");
        assert_eq!(json("1.2.3.4"), "\"1.2.3.4\"");
        assert_eq!(json("inf"), "\"inf\"");
    }
}
