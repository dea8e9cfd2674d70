//! `falco-rulec inspect`: show what a rule bundle contains.
//!
//! Exit codes: 0 when the bundle was read, 2 when it cannot be read or is invalid
//! (the verifier's message says where and why). With `--runtime`, 1 when some
//! enabled syscall rule reads or prints a field that the node agent `falco-rt` does
//! not supply (it would always be `<NA>` there); the report lists them.
//!
//! `--format json` prints one object, a contract (`inspect` v1):
//!
//! ```json
//! {
//!   "format_version": 1, "engine_version": "0.1.0", "required_engine_version": "0.26.0",
//!   "sha256": "<64 hex digits>", "size": 1234,
//!   "plugins": [{"name": "k8saudit", "version": "0.6.0", "alternatives": [{"name": "..", "version": ".."}]}],
//!   "sources": ["syscall"],
//!   "syscalls": {"all": false, "names": ["execve", "openat"]},
//!   "rules": [{"name": "..", "priority": "Warning", "source": "syscall", "enabled": true,
//!              "tags": [".."], "event_types": {"kind": "only", "names": ["execve"]},
//!              "fields": ["proc.name"], "output": "text %proc.name", "instructions": 7}]
//! }
//! ```
//!
//! `event_types.kind` is `only`, `all_except`, `all` or `none`; `names` is empty for
//! the last two. `required_engine_version` is `null` when not set. With `--runtime`
//! the object has one more key, `runtime_unsupplied`: `[{"rule": "..", "fields":
//! [".."]}]`, the enabled syscall rules that use fields falco-rt does not supply.

use std::path::PathBuf;

use serde::Serialize;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use falco_bundle::{Bundle, EventTypes, OutputPart};

/// Arguments of `falco-rulec inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The bundle.
    #[arg(value_name = "bundle.frb")]
    pub bundle: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
    pub format: InspectFormat,
    /// Also list the fields that enabled syscall rules use but the node agent
    /// `falco-rt` does not supply (always `<NA>` there); exit 1 when there are any.
    #[arg(long)]
    pub runtime: bool,
}

/// `--format` values of `inspect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InspectFormat {
    /// Readable text.
    Text,
    /// One JSON object, the `inspect` contract v1: the bundle's versions, hash, size,
    /// plugins, sources, syscalls and rules.
    Json,
}

#[derive(Serialize)]
struct Report<'a> {
    format_version: u32,
    engine_version: &'a str,
    required_engine_version: Option<&'a str>,
    sha256: String,
    size: usize,
    plugins: Vec<Plugin<'a>>,
    sources: &'a [String],
    syscalls: Syscalls<'a>,
    rules: Vec<RuleReport<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    runtime_unsupplied: Option<Vec<Unsupplied<'a>>>,
}

/// An enabled syscall rule and the fields it uses that falco-rt does not supply.
#[derive(Serialize)]
struct Unsupplied<'a> {
    rule: &'a str,
    fields: Vec<String>,
}

/// The enabled syscall rules that read or print fields falco-rt leaves `<NA>` (the
/// agent's own table of what it serves).
fn unsupplied(bundle: &Bundle) -> Vec<Unsupplied<'_>> {
    bundle
        .rules
        .iter()
        .filter(|rule| {
            rule.enabled
                && bundle.sources.get(rule.source as usize).map(String::as_str) == Some("syscall")
        })
        .filter_map(|rule| {
            let types: Vec<&str> = match &rule.event_types {
                EventTypes::Only(names) => names.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            };
            let names: Vec<String> = rule
                .fields
                .iter()
                .map(|&id| field_name(bundle, id))
                .collect();
            let fields: Vec<String> =
                falco_events::agent_fields::unsupplied(names.iter().map(String::as_str), &types)
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
            (!fields.is_empty()).then_some(Unsupplied {
                rule: &rule.name,
                fields,
            })
        })
        .collect()
}

#[derive(Serialize)]
struct Plugin<'a> {
    name: &'a str,
    version: &'a str,
    alternatives: Vec<NameVersion<'a>>,
}

#[derive(Serialize)]
struct NameVersion<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Syscalls<'a> {
    all: bool,
    names: &'a [String],
}

#[derive(Serialize)]
struct RuleReport<'a> {
    name: &'a str,
    priority: &'static str,
    source: &'a str,
    enabled: bool,
    tags: &'a [String],
    event_types: EventTypesReport<'a>,
    fields: Vec<String>,
    output: String,
    instructions: u32,
}

#[derive(Serialize)]
struct EventTypesReport<'a> {
    kind: &'static str,
    names: &'a [String],
}

fn field_name(bundle: &Bundle, id: u32) -> String {
    match bundle.fields.get(id as usize) {
        Some(f) => match &f.arg {
            Some(arg) => format!("{}[{arg}]", f.name),
            None => f.name.clone(),
        },
        None => String::new(),
    }
}

fn report<'a>(bundle: &'a Bundle, bytes: &[u8], runtime: bool) -> Report<'a> {
    Report {
        runtime_unsupplied: runtime.then(|| unsupplied(bundle)),
        format_version: falco_bundle::FORMAT_VERSION,
        engine_version: &bundle.engine_version,
        required_engine_version: bundle.required_engine_version.as_deref(),
        sha256: falco_bundle::content_hash(bytes).unwrap_or_default(),
        size: bytes.len(),
        plugins: bundle
            .plugins
            .iter()
            .map(|p| Plugin {
                name: &p.name,
                version: &p.version,
                alternatives: p
                    .alternatives
                    .iter()
                    .map(|(name, version)| NameVersion { name, version })
                    .collect(),
            })
            .collect(),
        sources: &bundle.sources,
        syscalls: Syscalls {
            all: bundle.syscalls.all,
            names: &bundle.syscalls.names,
        },
        rules: bundle
            .rules
            .iter()
            .map(|r| RuleReport {
                name: &r.name,
                priority: r.priority.name(),
                source: bundle
                    .sources
                    .get(r.source as usize)
                    .map_or("", String::as_str),
                enabled: r.enabled,
                tags: &r.tags,
                event_types: match &r.event_types {
                    EventTypes::All => EventTypesReport {
                        kind: "all",
                        names: &[],
                    },
                    EventTypes::None => EventTypesReport {
                        kind: "none",
                        names: &[],
                    },
                    EventTypes::Only(names) => EventTypesReport {
                        kind: "only",
                        names,
                    },
                    EventTypes::AllExcept(names) => EventTypesReport {
                        kind: "all_except",
                        names,
                    },
                },
                fields: r.fields.iter().map(|&f| field_name(bundle, f)).collect(),
                output: r
                    .output
                    .iter()
                    .map(|p| match p {
                        OutputPart::Text(t) => t.clone(),
                        OutputPart::Field(f) => format!("%{}", field_name(bundle, *f)),
                    })
                    .collect(),
                instructions: r.code_len,
            })
            .collect(),
    }
}

/// The JSON report (the contract above), pretty-printed.
fn render_json(r: &Report<'_>) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default()
}

/// The text report.
fn render_text(r: &Report<'_>) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "bundle format {}, compiled by falco-rulec {}",
        r.format_version, r.engine_version
    );
    let _ = writeln!(out, "sha256 {} ({} bytes)", r.sha256, r.size);
    if let Some(v) = r.required_engine_version {
        let _ = writeln!(out, "required engine version {v}");
    }
    for p in &r.plugins {
        let _ = writeln!(out, "requires plugin {} {}", p.name, p.version);
    }
    let _ = writeln!(out, "sources: {}", r.sources.join(", "));
    if r.syscalls.all {
        let _ = writeln!(out, "syscalls: all (some rule matches every event type)");
    } else {
        let _ = writeln!(
            out,
            "syscalls ({}): {}",
            r.syscalls.names.len(),
            r.syscalls.names.join(" ")
        );
    }
    let _ = writeln!(out, "rules ({}):", r.rules.len());
    for rule in &r.rules {
        let types = match rule.event_types.kind {
            "only" => rule.event_types.names.join(" "),
            "all_except" => format!("all except {}", rule.event_types.names.join(" ")),
            other => other.to_owned(),
        };
        let _ = writeln!(
            out,
            "  {} [{}{}, {}] evttypes: {types}",
            rule.name,
            rule.priority,
            if rule.enabled { "" } else { ", disabled" },
            rule.source
        );
    }
    if let Some(unsupplied) = &r.runtime_unsupplied {
        if unsupplied.is_empty() {
            let _ = writeln!(out, "falco-rt supplies every field the syscall rules use");
        } else {
            let _ = writeln!(
                out,
                "fields falco-rt does not supply (always <NA> on a node):"
            );
            for entry in unsupplied {
                let _ = writeln!(out, "  {}: {}", entry.rule, entry.fields.join(" "));
            }
        }
    }
    out
}

pub(super) fn run(args: &InspectArgs) -> u8 {
    let bytes = match std::fs::read(&args.bundle) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("error: cannot read `{}`: {error}", args.bundle.display());
            return EXIT_USAGE;
        }
    };
    let bundle = match falco_bundle::decode(&bytes) {
        Ok(bundle) => bundle,
        Err(error) => {
            eprintln!("error: `{}`: {error}", args.bundle.display());
            return EXIT_USAGE;
        }
    };
    let r = report(&bundle, &bytes, args.runtime);
    let text = match args.format {
        InspectFormat::Json => render_json(&r) + "\n",
        InspectFormat::Text => render_text(&r),
    };
    if let Err(code) = super::write_stdout(&text) {
        return code;
    }
    if r.runtime_unsupplied
        .as_ref()
        .is_some_and(|rules| !rules.is_empty())
    {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
