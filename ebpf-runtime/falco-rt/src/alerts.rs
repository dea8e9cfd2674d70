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
        time_ns: alert.time_ns,
        text: alert.to_text(options),
        json: alert.to_json(options),
    }
}

/// An alert that no rule raised: `message` followed by its fields in parentheses, as
/// Falco prints its internal alerts.
pub fn internal(
    rule: &str,
    priority: Priority,
    message: &str,
    fields: &[(&str, String)],
    time_ns: u64,
    hostname: &str,
) -> Alert {
    let shown: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let (time, datetime, iso8601) = clock_texts(time_ns);
    Alert {
        rule: rule.to_string(),
        priority,
        source: "internal".to_string(),
        time_ns,
        time,
        datetime,
        iso8601,
        hostname: hostname.to_string(),
        message: format!("{message} ({})", shown.join(" ")),
        output_fields: fields
            .iter()
            .map(|(k, v)| OutputField {
                name: (*k).to_string(),
                text: v.clone(),
                json: json_string(v),
            })
            .collect(),
        tags: Vec::new(),
    }
}

/// The drop alert for `dropped` records lost out of `total` in the last interval.
pub fn drops(dropped: u64, total: u64, time_ns: u64, hostname: &str) -> Alert {
    let message = format!("{DROP_RULE}. {dropped} system calls dropped in last second.");
    internal(
        DROP_RULE,
        Priority::Debug,
        &message,
        &[
            ("ebpf_enabled", "1".into()),
            ("n_drops", dropped.to_string()),
            ("n_drops_buffer", dropped.to_string()),
            ("n_drops_bug", "0".into()),
            ("n_drops_pf", "0".into()),
            ("n_evts", total.to_string()),
        ],
        time_ns,
        hostname,
    )
}

/// The alert for a bundle reload that failed; the old rules keep running.
pub fn reload_failed(file: &str, error: &str, time_ns: u64, hostname: &str) -> Alert {
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
) -> Alert {
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

/// `evt.time`, `evt.datetime` and `evt.time.iso8601` of a time, in UTC.
fn clock_texts(ns: u64) -> (String, String, String) {
    let secs = ns / 1_000_000_000;
    let frac = ns % 1_000_000_000;
    let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    let (y, mo, d) = civil_from_days((secs / 86_400) as i64);
    let time = format!("{h:02}:{m:02}:{s:02}.{frac:09}");
    let date = format!("{y:04}-{mo:02}-{d:02}");
    (
        time.clone(),
        format!("{date} {time}"),
        format!("{date}T{time}Z"),
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_alerts_render_like_falcos() {
        let opts = OutputOptions::default();
        let a = render(&drops(5, 100, 1_700_000_000_123_456_789, "node"), &opts);
        assert_eq!(
            a.text,
            "22:13:20.123456789: Debug Falco internal: syscall event drop. 5 system calls dropped in last second. (ebpf_enabled=1 n_drops=5 n_drops_buffer=5 n_drops_bug=0 n_drops_pf=0 n_evts=100)"
        );
        assert!(a.json.contains(r#""n_drops":"5""#), "{}", a.json);
        assert!(
            a.json
                .contains(r#""rule":"Falco internal: syscall event drop""#)
        );
        let r = reload_failed("/b.frb", "bad magic", 0, "node");
        assert_eq!(r.priority, Priority::Critical);
        assert_eq!(r.iso8601, "1970-01-01T00:00:00.000000000Z");
        assert_eq!(
            clock_texts(951_782_400_000_000_000).1,
            "2000-02-29 00:00:00.000000000"
        );
    }
}
