//! Command-line arguments.

use std::net::SocketAddr;
use std::path::PathBuf;

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
    /// The compiled rule bundle (`falco-rulec compile -o FILE`).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// Write alerts as JSON (overrides `json_output`).
    #[arg(long)]
    pub json: bool,
    /// A Falco configuration file; see docs/runtime.md for the keys applied.
    #[arg(long, value_name = "falco.yaml")]
    pub config: Option<PathBuf>,
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
}

/// Arguments of `falco-rt capture`.
#[derive(Debug, clap::Args)]
pub struct CaptureArgs {
    /// The JSON-lines file to write (`-` for stdout).
    #[arg(short, long, value_name = "events.jsonl")]
    pub output: PathBuf,
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
}
