//! Alerts: rendering the VM's alerts for the outputs, and falco-rt's own alerts (event
//! drops, a failed bundle reload) in the same shape.

use falco_vm::{Alert, OutputField, OutputOptions, Priority};

/// The rule name of the drop alert, as Falco names it.
pub const DROP_RULE: &str = "Falco internal: syscall event drop";
/// The rule name of the alert for a bundle that could not be reloaded.
pub const RELOAD_FAILED_RULE: &str = "falco-rt internal: bundle reload failed";
/// The rule name of the alert for a registry bundle that was refused.
pub const UPDATE_REFUSED_RULE: &str = "falco-rt internal: bundle update refused";
/// The output field that names the bundle an alert came from.
pub const BUNDLE_DIGEST_FIELD: &str = "falco_rt.bundle_digest";

/// Renders `alert` for the outputs (text and JSON).
pub fn render(alert: &Alert, options: &OutputOptions) -> falco_rt_output::Alert {
    falco_rt_output::Alert {
        rule: alert.rule.clone(),
        priority: alert.priority.name().to_string(),
        severity: alert.priority as u8,
        time_ns: alert.time_ns,
        text: alert.to_text(options),
        json: alert.to_json(options),
    }
}

/// An alert that no rule raised, rendered as Falco renders its internal alerts: the text
/// is `time: Priority message (k="v" ...)` with the fields sorted by name and their values
/// JSON-quoted; the JSON has `output` (the message alone), `output_fields`, `priority`,
/// `rule`, `source` (`internal`), `time` and `hostname`, and no tags.
pub fn internal(
    rule: &str,
    priority: Priority,
    message: &str,
    fields: &[(&str, String)],
    time_ns: u64,
    hostname: &str,
) -> falco_rt_output::Alert {
    let mut fields: Vec<(&str, String)> =
        fields.iter().map(|(k, v)| (*k, json_string(v))).collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let shown: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut time = String::new();
    falco_events::write_clock(time_ns, false, true, &mut time);
    let mut rfc3339 = String::new();
    falco_events::write_rfc3339(time_ns, &mut rfc3339);
    let mut json = String::from("{\"hostname\":");
    json.push_str(&json_string(hostname));
    json.push_str(",\"output\":");
    json.push_str(&json_string(message));
    json.push_str(",\"output_fields\":{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&json_string(k));
        json.push(':');
        json.push_str(v);
    }
    json.push_str("},\"priority\":");
    json.push_str(&json_string(priority.name()));
    json.push_str(",\"rule\":");
    json.push_str(&json_string(rule));
    json.push_str(",\"source\":\"internal\",\"time\":");
    json.push_str(&json_string(&rfc3339));
    json.push('}');
    falco_rt_output::Alert {
        rule: rule.to_string(),
        priority: priority.name().to_string(),
        severity: priority as u8,
        time_ns,
        text: format!(
            "{time}: {} {message} ({})",
            priority.name(),
            shown.join(" ")
        ),
        json,
    }
}

/// The message of the drop alert (and of the `log` action).
pub fn drop_message(dropped: u64) -> String {
    format!("{DROP_RULE}. {dropped} system calls dropped in last second.")
}

/// The drop alert for `dropped` records lost out of `total` in the last interval, with
/// the fields of Falco's that falco-rt knows: it does not split drops by syscall
/// category, so the `n_drops_buffer_*_exit`, `n_drops_scratch_map`, `n_drops_page_faults`
/// and `n_drops_bug` fields are absent.
pub fn drops(dropped: u64, total: u64, time_ns: u64, hostname: &str) -> falco_rt_output::Alert {
    internal(
        DROP_RULE,
        Priority::Debug,
        &drop_message(dropped),
        &[
            ("ebpf_enabled", "1".into()),
            ("n_drops", dropped.to_string()),
            ("n_drops_buffer_total", dropped.to_string()),
            ("n_evts", total.to_string()),
        ],
        time_ns,
        hostname,
    )
}

/// The alert for a bundle reload that failed; the old rules keep running.
pub fn reload_failed(
    file: &str,
    error: &str,
    time_ns: u64,
    hostname: &str,
) -> falco_rt_output::Alert {
    internal(
        RELOAD_FAILED_RULE,
        Priority::Critical,
        &format!("{RELOAD_FAILED_RULE}, the previous rules stay loaded"),
        &[("file", file.to_string()), ("error", error.to_string())],
        time_ns,
        hostname,
    )
}

/// The alert for a registry bundle refused at `stage`; the running bundle stays.
pub fn update_refused(
    reference: &str,
    digest: &str,
    stage: &str,
    reason: &str,
    time_ns: u64,
    hostname: &str,
) -> falco_rt_output::Alert {
    internal(
        UPDATE_REFUSED_RULE,
        Priority::Critical,
        &format!("{UPDATE_REFUSED_RULE}, the running bundle stays"),
        &[
            ("reference", reference.to_string()),
            ("digest", digest.to_string()),
            ("stage", stage.to_string()),
            ("error", reason.to_string()),
        ],
        time_ns,
        hostname,
    )
}

/// Adds the bundle digest to an alert's output fields (JSON alerts carry it in
/// `output_fields`, which Falcosidekick forwards).
pub fn name_bundle(alert: &mut Alert, digest: &str) {
    alert.output_fields.push(OutputField {
        name: BUNDLE_DIGEST_FIELD.to_string(),
        text: digest.to_string(),
        json: json_string(digest),
    });
}

fn json_string(s: &str) -> String {
    let mut out = String::new();
    falco_events::json::write_json_string(s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_alerts_render_like_falcos() {
        let a = drops(5, 100, 1_700_000_000_123_456_789, "node");
        assert_eq!(
            a.text,
            "22:13:20.123456789: Debug Falco internal: syscall event drop. 5 system calls dropped in last second. (ebpf_enabled=\"1\" n_drops=\"5\" n_drops_buffer_total=\"5\" n_evts=\"100\")"
        );
        assert_eq!(
            a.json,
            r#"{"hostname":"node","output":"Falco internal: syscall event drop. 5 system calls dropped in last second.","output_fields":{"ebpf_enabled":"1","n_drops":"5","n_drops_buffer_total":"5","n_evts":"100"},"priority":"Debug","rule":"Falco internal: syscall event drop","source":"internal","time":"2023-11-14T22:13:20.123456789Z"}"#
        );
        assert_eq!(a.severity, 7);
        let r = reload_failed("/b.frb", "bad magic", 0, "node");
        assert_eq!((r.priority.as_str(), r.severity), ("Critical", 2));
        assert!(
            r.json
                .ends_with(r#""time":"1970-01-01T00:00:00.000000000Z"}"#),
            "{}",
            r.json
        );
    }
}
