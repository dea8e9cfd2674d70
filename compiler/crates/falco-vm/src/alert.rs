//! Alerts and their rendering, shaped like Falco's (`falco_formats::format_event`):
//!
//! - text: `<time>: <Priority> <message>`, the time as `evt.time` prints it
//!   (`HH:MM:SS.nnnnnnnnn`, UTC here) or `evt.time.iso8601` with
//!   `time_format_iso_8601`;
//! - JSON: one object whose keys come in sorted order (Falco builds it with
//!   nlohmann's ordered-by-key map): `hostname`, `message` (optional, off by
//!   default), `output` (optional, on), `output_fields`, `priority`, `rule`, `source`,
//!   `tags` (optional, on), `time`. `time` is RFC 3339 UTC with nanoseconds;
//!   `output_fields` holds each field of the output with its JSON value (numbers and
//!   booleans as such, `<NA>` as `null`), plus the time field of the prefix
//!   (`evt.time` as nanoseconds, or `evt.time.iso8601`), keys sorted.

use falco_bundle::Priority;
use falco_events::json::write_json_string;

/// Falco's output options that shape alerts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputOptions {
    /// `json_include_output_property` (default true).
    pub json_include_output_property: bool,
    /// `json_include_tags_property` (default true).
    pub json_include_tags_property: bool,
    /// `json_include_message_property` (default false): the message without the
    /// time and priority prefix.
    pub json_include_message_property: bool,
    /// `json_include_output_fields_property` (default true).
    pub json_include_output_fields_property: bool,
    /// `time_format_iso_8601` (default false).
    pub time_format_iso_8601: bool,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions {
            json_include_output_property: true,
            json_include_tags_property: true,
            json_include_message_property: false,
            json_include_output_fields_property: true,
            time_format_iso_8601: false,
        }
    }
}

/// One field of a rule's output, as the alert shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputField {
    /// The field as written in the output (`proc.name`, `proc.aname[2]`).
    pub name: String,
    /// The value as printed in the message (`<NA>` when missing).
    pub text: String,
    /// The value as a JSON literal (`null` when missing).
    pub json: String,
}

/// A rule that fired on an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// The rule's name.
    pub rule: String,
    /// The rule's priority.
    pub priority: Priority,
    /// The event source.
    pub source: String,
    /// Event time, nanoseconds since the epoch.
    pub time_ns: u64,
    /// `evt.time` (`HH:MM:SS.nnnnnnnnn`).
    pub time: String,
    /// `evt.time.iso8601`.
    pub iso8601: String,
    /// The host name.
    pub hostname: String,
    /// The rendered output template (Falco's "message").
    pub message: String,
    /// The output's fields, in order of first appearance.
    pub output_fields: Vec<OutputField>,
    /// The rule's tags, sorted.
    pub tags: Vec<String>,
}

impl Alert {
    /// Falco's `output`: `<time>: <Priority> <message>`.
    pub fn output(&self, options: &OutputOptions) -> String {
        let time = if options.time_format_iso_8601 {
            &self.iso8601
        } else {
            &self.time
        };
        format!("{time}: {} {}", self.priority.name(), self.message)
    }

    /// The text line Falco prints (same as [`Alert::output`]).
    pub fn to_text(&self, options: &OutputOptions) -> String {
        self.output(options)
    }

    /// The JSON object Falco prints with `json_output: true`, on one line.
    pub fn to_json(&self, options: &OutputOptions) -> String {
        let mut out = String::from("{");
        out.push_str("\"hostname\":");
        write_json_string(&self.hostname, &mut out);
        if options.json_include_message_property {
            out.push_str(",\"message\":");
            write_json_string(&self.message, &mut out);
        }
        if options.json_include_output_property {
            out.push_str(",\"output\":");
            write_json_string(&self.output(options), &mut out);
        }
        if options.json_include_output_fields_property {
            out.push_str(",\"output_fields\":{");
            let mut fields: Vec<(&str, String)> = self
                .output_fields
                .iter()
                .map(|f| (f.name.as_str(), f.json.clone()))
                .collect();
            let time_field = if options.time_format_iso_8601 {
                let mut s = String::new();
                write_json_string(&self.iso8601, &mut s);
                ("evt.time.iso8601", s)
            } else {
                ("evt.time", self.time_ns.to_string())
            };
            fields.retain(|(name, _)| *name != time_field.0);
            fields.push(time_field);
            fields.sort_by(|a, b| a.0.cmp(b.0));
            for (i, (name, json)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(name, &mut out);
                out.push(':');
                out.push_str(json);
            }
            out.push('}');
        }
        out.push_str(",\"priority\":");
        write_json_string(self.priority.name(), &mut out);
        out.push_str(",\"rule\":");
        write_json_string(&self.rule, &mut out);
        out.push_str(",\"source\":");
        write_json_string(&self.source, &mut out);
        if options.json_include_tags_property {
            out.push_str(",\"tags\":[");
            for (i, tag) in self.tags.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(tag, &mut out);
            }
            out.push(']');
        }
        // RFC 3339 needs no JSON escapes.
        out.push_str(",\"time\":\"");
        falco_events::write_rfc3339(self.time_ns, &mut out);
        out.push_str("\"}");
        out
    }
}
