//! Command-line arguments.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// falco-rt: runs a compiled rule bundle on this node. Syscalls are captured with eBPF
/// and Kubernetes audit events arrive on a webhook; matching rules raise Falco-shaped
/// alerts on stdout, to a file or to an HTTP endpoint.
#[derive(Debug, clap::Parser)]
#[command(name = "falco-rt", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A subcommand; without one, the agent runs.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The agent's arguments.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record live enriched syscall events in the replay format of `falco-rulec replay`.
    Capture(CaptureArgs),
}

/// Arguments of the agent.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The compiled rule bundle: a file (`falco-rulec compile -o FILE`), or
    /// `oci://HOST[:PORT]/REPOSITORY:TAG` to follow a tag on a registry
    /// (`@sha256:HEX` pins a digest).
    #[arg(long, value_name = "FILE|oci://REF")]
    pub bundle: Option<PathBuf>,
    /// How often a followed tag is resolved, e.g. `30s`, `5m`, `6h` (±10 % jitter; default
    /// `5m`, or `falco_rt.follow_interval` in the configuration).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub follow_interval: Option<Duration>,
    /// Talk to the registry over plain HTTP.
    #[arg(long)]
    pub insecure_registry: bool,
    /// Trust the CA certificates in this PEM file for the registry.
    #[arg(long, value_name = "FILE")]
    pub registry_ca: Option<PathBuf>,
    /// Run only bundles signed by one of these public keys (repeatable, for rotation);
    /// a file bundle's signatures are read from `FILE.sig`.
    #[arg(long, value_name = "FILE")]
    pub verify_key: Vec<PathBuf>,
    /// Where the last good bundle from a registry is kept for restarts.
    #[arg(long, value_name = "DIR", default_value = "/var/lib/falco-rt/bundles")]
    pub cache_dir: PathBuf,
    /// Serve `/metrics` (Prometheus) and `/healthz` on this address (none by default).
    #[arg(long, value_name = "ADDR:PORT")]
    pub metrics_listen: Option<SocketAddr>,
    /// Client CA (PEM) for the webhook: callers may authenticate with a certificate it
    /// signed (mutual TLS; needs the TLS certificate and key).
    #[arg(long, value_name = "FILE", requires = "k8s_audit_tls_cert")]
    pub k8s_audit_client_ca: Option<PathBuf>,
    /// Bearer tokens (one per line) that webhook callers may present.
    #[arg(long, value_name = "FILE")]
    pub k8s_audit_token_file: Option<PathBuf>,
    /// Webhook connections served at once; more are answered 503.
    #[arg(long, value_name = "N", default_value_t = falco_rt_webhook::MAX_CONNECTIONS)]
    pub k8s_audit_max_connections: usize,
    /// Time a webhook client has for a request's headers, and again for its body, and
    /// for a TLS handshake (e.g. `10s`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s")]
    pub k8s_audit_read_timeout: Duration,
    /// Write alerts as JSON (overrides `json_output`).
    #[arg(long)]
    pub json: bool,
    /// A Falco configuration file; see docs/runtime.md for the keys applied.
    #[arg(long, short = 'c', value_name = "falco.yaml")]
    pub config: Option<PathBuf>,
    /// Set a configuration key, as Falco's `-o` does (`-o json_output=true`,
    /// `-o 'append_output[]={extra_output: "%proc.pid"}'`); repeatable, applied in order.
    #[arg(long = "option", short = 'o', value_name = "KEY=VALUE")]
    pub options: Vec<String>,
    /// Where the Kubernetes audit webhook listens (path `/k8s-audit`). It starts when the
    /// bundle has `k8s_audit` rules or this flag is given.
    #[arg(long, value_name = "ADDR:PORT")]
    pub k8s_audit_listen: Option<SocketAddr>,
    /// Do not start the Kubernetes audit webhook.
    #[arg(long, conflicts_with = "k8s_audit_listen")]
    pub no_k8s_audit: bool,
    /// TLS certificate chain (PEM) for the webhook.
    #[arg(long, value_name = "FILE", requires = "k8s_audit_tls_key")]
    pub k8s_audit_tls_cert: Option<PathBuf>,
    /// TLS private key (PEM) for the webhook.
    #[arg(long, value_name = "FILE", requires = "k8s_audit_tls_cert")]
    pub k8s_audit_tls_key: Option<PathBuf>,
    /// Do not capture syscalls (no eBPF; only the webhook).
    #[arg(long)]
    pub no_syscalls: bool,
    /// Size of the kernel ring buffer in bytes (a power of two, at least one page).
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub ring_bytes: u32,
    /// Print statistics to stderr every N seconds (0: only on SIGUSR1 and at exit).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub stats_interval: u64,
    /// How often the bundle file is checked for changes, in milliseconds (0: reload on
    /// SIGHUP only).
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub watch_interval_ms: u64,
    /// Container metadata from these engine sockets instead of the default ones
    /// (`docker:/var/run/docker.sock`, `podman:PATH`, `cri:/run/containerd/containerd.sock`;
    /// repeatable).
    #[command(flatten)]
    pub containers: ContainerArgs,
}

/// Where container metadata comes from (the agent and `capture`).
#[derive(Debug, clap::Args)]
pub struct ContainerArgs {
    /// Ask this container engine socket (`KIND:PATH`, KIND one of docker, podman, cri)
    /// instead of the default sockets; repeatable.
    #[arg(long = "container-socket", value_name = "KIND:PATH")]
    pub container_sockets: Vec<String>,
    /// Ask no container engine: container fields other than `container.id` stay `<NA>`.
    #[arg(long, conflicts_with = "container_sockets")]
    pub no_container_engines: bool,
}

impl ContainerArgs {
    /// The engines to ask, `None` for none: the given sockets, else the defaults under
    /// `HOST_ROOT` (or `/`).
    pub fn engines(&self) -> Result<Option<falco_rt_container::Engines>, String> {
        if self.no_container_engines {
            return Ok(None);
        }
        if !self.container_sockets.is_empty() {
            return falco_rt_container::Engines::from_specs(&self.container_sockets).map(Some);
        }
        let root = std::env::var_os("HOST_ROOT").map_or_else(|| PathBuf::from("/"), PathBuf::from);
        Ok(Some(falco_rt_container::Engines::defaults(&root)))
    }
}

/// Arguments of `falco-rt capture`.
#[derive(Debug, clap::Args)]
pub struct CaptureArgs {
    /// The file to write: JSON lines (`-` for stdout), or, for a name ending in `.scap`,
    /// a capture that Falco and sysdig read too. Repeatable: every file gets the same
    /// events.
    #[arg(short, long, value_name = "events.jsonl|FILE.scap", required = true)]
    pub output: Vec<PathBuf>,
    /// Capture what this bundle needs (default: the syscalls of today's rules).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// Capture these syscalls (comma-separated) on top of what process state needs.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub syscalls: Vec<String>,
    /// Stop after this many seconds (default: at SIGINT/SIGTERM).
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
    /// Stop after this many events.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Record only events of processes whose name is one of these (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub comm: Vec<String>,
    /// Record only the events of this process and its descendants. Other processes'
    /// records are dropped before any work is done on them, so a busy machine does not
    /// slow the capture down.
    #[arg(long, value_name = "PID")]
    pub tree: Option<u32>,
    /// Where container metadata comes from.
    #[command(flatten)]
    pub containers: ContainerArgs,
}

/// Parses `500ms`, `30s`, `5m`, `6h` (a number and a unit; humantime's syntax).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| format!("`{text}`: {e}"))?;
    if d.is_zero() {
        return Err(format!("`{text}`: must be more than zero"));
    }
    Ok(d)
}
