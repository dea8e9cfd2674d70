//! Fleet visibility: `/metrics` (Prometheus, through `prometheus-client`) and
//! `/healthz` on `--metrics-listen`.
//!
//! Names follow Prometheus practice (`_total` counters, `_info` for the running bundle,
//! base units) under `falco_rt_`, and Falco's own names where the meaning is the same
//! (`rules_matches_total{rule_name,priority,source}`, `outputs_queue_num_drops_total`).
//! The values are read at scrape time from the agent's counters ([`Snapshot`]) and from
//! what [`FleetState`] records (bundle in force, reloads, rule matches).

mod server;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

pub use server::{MetricsServer, serve};

/// The bundle in force.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BundleInfo {
    /// Its digest: the manifest digest from a registry, the file's sha256 otherwise.
    pub digest: String,
    /// `org.opencontainers.image.version` from a registry; empty for a file.
    pub version: String,
    /// Where it came from (`oci://…` or the file path).
    pub origin: String,
}

/// The last reload attempt.
#[derive(Clone, Debug, Default)]
struct Reloads {
    success: u64,
    /// Failures by stage.
    failure: BTreeMap<&'static str, u64>,
    last_success: Option<bool>,
    last_time_s: f64,
}

/// One rule's matches.
#[derive(Clone, Debug)]
struct Matches {
    priority: &'static str,
    source: String,
    count: u64,
}

/// What the agent records for the metrics.
#[derive(Debug, Default)]
pub struct FleetState {
    bundle: Mutex<BundleInfo>,
    reloads: Mutex<Reloads>,
    /// Matches by rule: its priority, source and count.
    matches: Mutex<HashMap<String, Matches>>,
}

fn now_s() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl FleetState {
    /// Records the bundle now in force.
    pub fn set_bundle(&self, info: BundleInfo) {
        *self.bundle.lock().unwrap_or_else(PoisonError::into_inner) = info;
    }

    /// The bundle in force.
    pub fn bundle(&self) -> BundleInfo {
        self.bundle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Records a reload: `Ok` or the stage it failed at.
    pub fn reload(&self, result: Result<(), &'static str>) {
        let mut r = self.reloads.lock().unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok(()) => r.success += 1,
            Err(stage) => *r.failure.entry(stage).or_default() += 1,
        }
        r.last_success = Some(result.is_ok());
        r.last_time_s = now_s();
    }

    /// Counts one match of `rule`.
    pub fn matched(&self, rule: &str, priority: &'static str, source: &str) {
        let mut m = self.matches.lock().unwrap_or_else(PoisonError::into_inner);
        // Looked up by name without a copy: rules fire far more often than they are new.
        match m.get_mut(rule) {
            Some(n) => {
                n.count += 1;
                n.priority = priority;
            }
            None => {
                m.insert(
                    rule.to_string(),
                    Matches {
                        priority,
                        source: source.to_string(),
                        count: 1,
                    },
                );
            }
        }
    }
}

/// The agent's counters at scrape time.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// Events evaluated per source.
    pub events: Vec<(&'static str, u64)>,
    /// Records the kernel dropped (ring full).
    pub kernel_drops: u64,
    /// Alerts dropped from full output queues.
    pub outputs_queue_drops: u64,
    /// Alerts not delivered, per output (`file`, `http`).
    pub delivery_failures: Vec<(&'static str, u64)>,
    /// Webhook requests by status.
    pub webhook_requests: Vec<(u16, u64)>,
    /// Webhook connections open.
    pub webhook_connections: u64,
    /// Webhook TLS handshakes that failed or timed out.
    pub webhook_handshake_failures: u64,
    /// Resident memory in bytes.
    pub rss_bytes: u64,
    /// CPU time in seconds.
    pub cpu_seconds: f64,
}

/// Writes the exposition of `state` and `snap` in the text format.
pub fn render(state: &FleetState, snap: &Snapshot) -> String {
    let mut out = String::new();
    let mut registry = prometheus_client::registry::Registry::default();
    registry.register_collector(Box::new(Frozen {
        bundle: state.bundle(),
        reloads: state
            .reloads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone(),
        matches: state
            .matches
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        snap: snap.clone(),
    }));
    if prometheus_client::encoding::text::encode(&mut out, &registry).is_err() {
        out.clear();
    }
    out
}

/// One scrape's values.
#[derive(Debug)]
struct Frozen {
    bundle: BundleInfo,
    reloads: Reloads,
    matches: BTreeMap<String, Matches>,
    snap: Snapshot,
}

type Fmt = Result<(), std::fmt::Error>;

fn counter(e: &mut DescriptorEncoder, name: &str, help: &str, v: u64) -> Fmt {
    ConstCounter::new(v).encode(e.encode_descriptor(name, help, None, MetricType::Counter)?)
}

fn gauge<N: prometheus_client::encoding::EncodeGaugeValue>(
    e: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    v: N,
) -> Fmt {
    ConstGauge::new(v).encode(e.encode_descriptor(name, help, None, MetricType::Gauge)?)
}

impl prometheus_client::collector::Collector for Frozen {
    fn encode(&self, mut e: DescriptorEncoder) -> Fmt {
        let b = &self.bundle;
        e.encode_descriptor(
            "falco_rt_bundle",
            "The rule bundle in force: its digest, version and origin",
            None,
            MetricType::Info,
        )?
        .encode_info(&[
            ("digest", b.digest.as_str()),
            ("version", b.version.as_str()),
            ("origin", b.origin.as_str()),
        ])?;
        {
            let mut m = e.encode_descriptor(
                "falco_rt_bundle_reloads",
                "Bundle reloads and registry updates tried, by result and failed stage",
                None,
                MetricType::Counter,
            )?;
            ConstCounter::new(self.reloads.success)
                .encode(m.encode_family(&[("result", "success"), ("stage", "")])?)?;
            for (stage, n) in &self.reloads.failure {
                ConstCounter::new(*n)
                    .encode(m.encode_family(&[("result", "failure"), ("stage", *stage)])?)?;
            }
        }
        if let Some(ok) = self.reloads.last_success {
            gauge(
                &mut e,
                "falco_rt_bundle_last_reload_success",
                "1 when the last reload or update put its bundle in force, 0 when it was refused",
                i64::from(ok),
            )?;
            gauge(
                &mut e,
                "falco_rt_bundle_last_reload_timestamp_seconds",
                "When the last reload or update was tried (Unix time)",
                self.reloads.last_time_s,
            )?;
        }
        {
            let mut m = e.encode_descriptor(
                "falco_rt_events",
                "Events evaluated by the rules, by source",
                None,
                MetricType::Counter,
            )?;
            for (source, n) in &self.snap.events {
                ConstCounter::new(*n).encode(m.encode_family(&[("source", *source)])?)?;
            }
        }
        counter(
            &mut e,
            "falco_rt_kernel_drops",
            "Syscall records the kernel ring dropped",
            self.snap.kernel_drops,
        )?;
        {
            let mut m = e.encode_descriptor(
                "falco_rt_rules_matches",
                "Alerts raised, by rule, priority and source (as Falco's falcosecurity_falco_rules_matches_total)",
                None,
                MetricType::Counter,
            )?;
            for (rule, n) in &self.matches {
                ConstCounter::new(n.count).encode(m.encode_family(&[
                    ("rule_name", rule.as_str()),
                    ("priority", n.priority),
                    ("source", n.source.as_str()),
                ])?)?;
            }
        }
        counter(
            &mut e,
            "falco_rt_outputs_queue_num_drops",
            "Alerts dropped because an output queue was full (as Falco's)",
            self.snap.outputs_queue_drops,
        )?;
        {
            let mut m = e.encode_descriptor(
                "falco_rt_outputs_delivery_failures",
                "Alerts an output could not deliver, by output",
                None,
                MetricType::Counter,
            )?;
            for (output, n) in &self.snap.delivery_failures {
                ConstCounter::new(*n).encode(m.encode_family(&[("output", *output)])?)?;
            }
        }
        {
            let mut m = e.encode_descriptor(
                "falco_rt_webhook_requests",
                "Kubernetes audit webhook requests, by answer status",
                None,
                MetricType::Counter,
            )?;
            for (status, n) in &self.snap.webhook_requests {
                let s = status.to_string();
                ConstCounter::new(*n).encode(m.encode_family(&[("status", s.as_str())])?)?;
            }
        }
        let unauthorized = self
            .snap
            .webhook_requests
            .iter()
            .find(|(s, _)| *s == 401)
            .map_or(0, |(_, n)| *n);
        counter(
            &mut e,
            "falco_rt_webhook_auth_failures",
            "Webhook requests refused for lack of a client certificate or valid token",
            unauthorized,
        )?;
        counter(
            &mut e,
            "falco_rt_webhook_tls_handshake_failures",
            "Webhook TLS handshakes that failed or did not finish in time",
            self.snap.webhook_handshake_failures,
        )?;
        gauge(
            &mut e,
            "falco_rt_webhook_connections",
            "Webhook connections open",
            self.snap.webhook_connections as i64,
        )?;
        gauge(
            &mut e,
            "falco_rt_memory_rss_bytes",
            "Resident memory of the agent",
            self.snap.rss_bytes as i64,
        )?;
        counter(
            &mut e,
            "falco_rt_cpu_seconds",
            "CPU time of the agent (user and system), in whole seconds",
            self.snap.cpu_seconds as u64,
        )?;
        Ok(())
    }
}
