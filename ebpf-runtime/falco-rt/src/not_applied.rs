//! The settings of a configuration that falco-rt does not apply, named at start.
//!
//! After [`crate::config::Config`] has read the keys it applies, every key left unread
//! is reported with its place and, for the keys of Falco's own `falco.yaml`, the
//! reason (the table below). A section that asks for something (`enabled: true`) says
//! so, since that is what a user would miss.

use falco_config::{Config, Kind, Unread};

/// Why falco-rt does not apply a key, by its path (`http_output.insecure`) or its
/// top-level name (`webserver`).
const REASONS: &[(&str, &str)] = &[
    (
        "rules_files",
        "falco-rt runs the compiled bundle given with --bundle; compile these files into it with `falco-rulec compile --config`",
    ),
    (
        "rules_file",
        "falco-rt runs the compiled bundle given with --bundle; compile these files into it with `falco-rulec compile --config`",
    ),
    (
        "watch_config_files",
        "falco-rt reads the configuration once at start (the bundle is watched and reloaded)",
    ),
    (
        "engine",
        "falco-rt captures with its own eBPF program (--ring-bytes sizes its buffer)",
    ),
    (
        "load_plugins",
        "falco-rt loads no plugins: container metadata is built in, and Kubernetes audit events arrive on its own webhook",
    ),
    (
        "plugins",
        "falco-rt loads no plugins: container metadata is built in, and Kubernetes audit events arrive on its own webhook",
    ),
    ("plugins_hostinfo", "falco-rt loads no plugins"),
    (
        "webserver",
        "falco-rt has no embedded web server (the Kubernetes audit webhook is set with --k8s-audit-listen)",
    ),
    ("grpc", "falco-rt has no gRPC server"),
    (
        "grpc_output",
        "falco-rt has no gRPC output: alerts are not sent there",
    ),
    (
        "log_stderr",
        "falco-rt writes its own messages to stderr, always",
    ),
    (
        "log_syslog",
        "falco-rt writes its own messages to stderr only",
    ),
    ("log_level", "falco-rt writes all its own messages"),
    ("libs_logger", "falco-rt has no libs logger"),
    (
        "metrics",
        "falco-rt prints its counters as a stats line (--stats-interval, SIGUSR1)",
    ),
    (
        "output_timeout",
        "each falco-rt output has its own queue and thread, so a slow one never holds the others",
    ),
    (
        "syscall_event_timeouts",
        "falco-rt's ring buffer reader has no timeout alert",
    ),
    (
        "base_syscalls",
        "falco-rt captures the syscalls its rules and its process state need",
    ),
    ("falco_libs", "falco-rt keeps its own process tables"),
    ("capture", "falco-rt does not write capture files"),
    ("static_fields", "falco-rt has no static fields"),
    (
        "buffer_format_base64",
        "falco-rt does not print data buffers",
    ),
    (
        "container_engines",
        "falco-rt finds container engines on their default sockets",
    ),
    (
        "http_output.insecure",
        "falco-rt always verifies the server",
    ),
    (
        "http_output.ca_cert",
        "falco-rt verifies servers with the system's certificate authorities",
    ),
    (
        "http_output.ca_bundle",
        "falco-rt verifies servers with the system's certificate authorities",
    ),
    (
        "http_output.ca_path",
        "falco-rt verifies servers with the system's certificate authorities",
    ),
    (
        "http_output.mtls",
        "falco-rt's HTTP output has no client certificate",
    ),
    (
        "http_output.client_cert",
        "falco-rt's HTTP output has no client certificate",
    ),
    (
        "http_output.client_key",
        "falco-rt's HTTP output has no client certificate",
    ),
    (
        "http_output.echo",
        "falco-rt does not echo the server's answers",
    ),
    (
        "http_output.compress_uploads",
        "falco-rt posts alerts uncompressed",
    ),
    (
        "http_output.keep_alive",
        "falco-rt's HTTP client manages its connections",
    ),
    (
        "http_output.max_consecutive_timeouts",
        "falco-rt retries each alert up to 5 times with backoff",
    ),
];

/// One line per setting falco-rt does not apply, in the order written.
pub fn report(config: &Config) -> Vec<String> {
    config.unread().iter().map(|u| line(config, u)).collect()
}

fn line(config: &Config, u: &Unread) -> String {
    if let Some(first) = &u.duplicate_of {
        return format!(
            "{}: `{}` is written twice; the first one, at {first}, is used",
            u.place, u.key
        );
    }
    let top = u.key.split(['.', '[']).next().unwrap_or(&u.key);
    let reason = REASONS
        .iter()
        .find(|(key, _)| *key == u.key)
        .or_else(|| REASONS.iter().find(|(key, _)| *key == top))
        .map(|(_, reason)| *reason);
    let asked = is_enabled(config, &u.key);
    match (asked, reason) {
        (true, Some(r)) => format!("{}: `{}` is enabled but not applied: {r}", u.place, u.key),
        (true, None) => format!(
            "{}: `{}` is enabled but falco-rt does not have it",
            u.place, u.key
        ),
        (false, Some(r)) => format!("{}: `{}` is not applied: {r}", u.place, u.key),
        (false, None) => format!("{}: `{}` is not a setting falco-rt has", u.place, u.key),
    }
}

/// Whether the top-level section `key` says `enabled: true`.
fn is_enabled(config: &Config, key: &str) -> bool {
    let Kind::Map(entries) = &config.root().kind else {
        return false;
    };
    let Some(section) = entries.iter().find(|e| e.key == key).map(|e| &e.value) else {
        return false;
    };
    let Kind::Map(inner) = &section.kind else {
        return false;
    };
    inner
        .iter()
        .find(|e| e.key == "enabled")
        .and_then(|e| e.value.as_bool("enabled").ok())
        .unwrap_or(false)
}

/// What falco-rt does for each plugin rules files may require.
const PLUGINS: &[(&str, &str)] = &[
    (
        "container",
        "falco-rt serves its fields itself: the container id from the cgroup, the rest from the container engines' APIs (docs/runtime.md)",
    ),
    (
        "k8saudit",
        "falco-rt's Kubernetes audit webhook is this source (`k8s_audit`)",
    ),
    (
        "k8saudit-eks",
        "falco-rt's Kubernetes audit webhook is this source (`k8s_audit`); it does not read EKS logs from CloudWatch",
    ),
    (
        "k8saudit-gke",
        "falco-rt's Kubernetes audit webhook is this source (`k8s_audit`); it does not read GKE logs from Pub/Sub",
    ),
    ("json", "falco-rt computes the `json.*` fields itself"),
];

/// One line for each plugin the bundle's rules require: what falco-rt does in its place.
pub fn plugin_requirements(bundle: &falco_bundle::Bundle) -> Vec<String> {
    bundle
        .plugins
        .iter()
        .map(|p| {
            let what = std::iter::once(p.name.as_str())
                .chain(p.alternatives.iter().map(|(n, _)| n.as_str()))
                .find_map(|name| PLUGINS.iter().find(|(n, _)| *n == name))
                .map_or(
                    "falco-rt has no such plugin: rules of its source do not run, and rules reading its fields see <NA>",
                    |(_, what)| *what,
                );
            format!(
                "the rules require plugin `{}` {} or later: {what}",
                p.name, p.version
            )
        })
        .collect()
}
