//! The agent: loads the bundle, starts the outputs, the webhook and the capture, and
//! runs the event loop until SIGTERM/SIGINT.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use falco_events::Event;
use falco_rt_capture::{BootClock, Capture, CaptureConfig};
use falco_rt_enrich::Enricher;
use falco_rt_output::Outputs;
use falco_rt_state::State;
use falco_rt_webhook::{Auth, Handler, TlsFiles, Webhook, WebhookConfig, WebhookStats};
use falco_vm::{Engine, OutputOptions};

use crate::admit::Policy;
use crate::alerts;
use crate::cli::RunArgs;
use crate::config::Config;
use crate::drops::{DropAction, DropMonitor, DropPolicy};
use crate::metrics::{BundleInfo, FleetState, MetricsServer, Snapshot};
use crate::not_applied;
use crate::origin::{self, Origin};
use crate::rules::{Rules, Wanted, load_bundle};
use crate::signals::Signals;
use crate::stats::{self, AgentCounters};
use crate::watch::Watch;

/// How long HTTP delivery may go on at shutdown.
const FLUSH_GRACE: Duration = Duration::from_secs(5);
/// How often kernel drop counters are checked (Falco's drop alert is per second).
const DROP_CHECK: Duration = Duration::from_secs(1);

/// Now, in nanoseconds since the epoch.
pub fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The host name alerts carry.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// What the event paths share.
pub(crate) struct Shared {
    pub(crate) rules: Arc<Rules>,
    outputs: Outputs,
    render: OutputOptions,
    counters: AgentCounters,
    next_num: AtomicU64,
    first_ts: u64,
    pub(crate) fleet: FleetState,
    pub(crate) host: String,
}

impl Shared {
    /// Evaluates one event with `engine` (from the bundle of `digest`) and emits its
    /// alerts.
    fn evaluate(
        &self,
        engine: &Engine,
        digest: &str,
        ev: &mut Event,
        scratch: &mut falco_vm::Scratch,
        hits: &mut Vec<usize>,
    ) {
        ev.set_num(self.next_num.fetch_add(1, Ordering::Relaxed));
        ev.set_first_ts(self.first_ts);
        engine.matching_rules(ev, scratch, hits);
        for &rule in hits.iter() {
            if let Some(mut alert) = engine.alert(rule, ev, scratch) {
                AgentCounters::add(&self.counters.alerts, 1);
                self.fleet
                    .matched(&alert.rule, alert.priority.name(), &alert.source);
                alerts::name_bundle(&mut alert, digest);
                self.outputs.emit(alerts::render(&alert, &self.render));
            }
        }
    }

    pub(crate) fn internal(&self, alert: falco_rt_output::Alert) {
        self.outputs.emit(alert);
    }

    /// The counters for a scrape.
    fn snapshot(&self, webhook: Option<&WebhookStats>) -> Snapshot {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let out = self.outputs.stats();
        let (cpu_ms, rss_kb) = stats::self_usage();
        Snapshot {
            events: vec![
                ("syscall", g(&self.counters.evaluated)),
                ("k8s_audit", g(&self.counters.k8s_events)),
            ],
            kernel_drops: g(&self.counters.kernel_dropped),
            outputs_queue_drops: out.writer_dropped + out.http_dropped,
            delivery_failures: vec![("file", out.write_errors), ("http", out.http_failed)],
            webhook_requests: webhook.map_or_else(Vec::new, |w| {
                falco_rt_webhook::STATUSES
                    .iter()
                    .map(|&s| (s, w.with_status(s)))
                    .collect()
            }),
            webhook_connections: webhook
                .map_or(0, |w| w.connections.load(Ordering::Relaxed) as u64),
            webhook_handshake_failures: webhook
                .map_or(0, |w| w.handshake_failures.load(Ordering::Relaxed)),
            rss_bytes: rss_kb * 1024,
            cpu_seconds: cpu_ms as f64 / 1000.0,
        }
    }
}

/// Runs the agent; returns the process exit code.
pub fn run(args: &RunArgs) -> u8 {
    match run_inner(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("falco-rt: error: {e}");
            1
        }
    }
}

fn run_inner(args: &RunArgs) -> Result<(), String> {
    let Some(bundle_arg) = args.bundle.clone() else {
        return Err(
            "--bundle FILE is required (compile one with `falco-rulec compile -o FILE`)".into(),
        );
    };
    let mut cfg = if args.config.is_some() || !args.options.is_empty() {
        Config::load(args.config.as_deref(), &args.options).map_err(|e| e.to_string())?
    } else {
        Config::default()
    };
    if args.json {
        cfg.outputs.json_output = true;
    }
    for file in &cfg.included {
        eprintln!("falco-rt: configuration: included {}", file.display());
    }
    for line in &cfg.not_applied {
        eprintln!("falco-rt: configuration: {line}");
    }
    let host = hostname();
    let policy = Policy {
        keys: args
            .verify_key
            .iter()
            .map(|p| falco_registry::signature::VerifyKey::load(p).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?,
    };
    let mut origin = Origin::of(&bundle_arg, args, &cfg)?;
    let start = origin.start(&policy, &cfg, &host)?;
    let engine = start.engine;
    for line in not_applied::plugin_requirements(engine.bundle()) {
        eprintln!("falco-rt: {line}");
    }
    let bundle_path = bundle_arg;
    let has_k8s = engine.rules().iter().any(|r| {
        engine
            .bundle()
            .sources
            .get(r.source as usize)
            .map(String::as_str)
            == Some("k8s_audit")
    });
    eprintln!(
        "falco-rt: loaded {} ({}, {} rules)",
        start.info.origin,
        start.info.digest,
        engine.rules().len()
    );
    raise_fd_limit();
    report_unsupplied(&engine);
    let signals = Signals::install().map_err(|e| format!("signal handlers: {e}"))?;
    let outputs = Outputs::start(&cfg.outputs).map_err(|e| format!("outputs: {e}"))?;
    let shared = Arc::new(Shared {
        rules: Arc::new(Rules::new(engine, &start.info.digest)),
        outputs,
        render: cfg.render.clone(),
        counters: AgentCounters::default(),
        next_num: AtomicU64::new(1),
        first_ts: now_ns(),
        fleet: FleetState::default(),
        host: host.clone(),
    });
    shared.fleet.set_bundle(start.info.clone());
    if let Some((digest, refusal)) = &start.refused {
        origin::refused(&shared, &origin.name(), digest, refusal);
    }

    let webhook = if !args.no_k8s_audit && (has_k8s || args.k8s_audit_listen.is_some()) {
        Some(start_webhook(args, &shared)?)
    } else {
        None
    };
    let metrics = match args.metrics_listen {
        Some(addr) => Some(start_metrics(addr, &shared, webhook.as_ref())?),
        None => None,
    };
    let follower = origin.follow(&shared, &policy, &cfg, start.running)?;

    let watched = origin.file().unwrap_or(&bundle_path).to_path_buf();
    let interval = if origin.file().is_some() {
        Duration::from_millis(args.watch_interval_ms)
    } else {
        Duration::ZERO
    };
    let mut watch = Watch::new(&watched, interval);
    let mut capture = if args.no_syscalls {
        None
    } else {
        let containers = match args.containers.engines()? {
            Some(engines) => Some(
                falco_rt_container::Containers::start(engines)
                    .map_err(|e| format!("container lookups: {e}"))?,
            ),
            None => None,
        };
        Some(Live::start(
            &shared,
            args.ring_bytes,
            &cfg.drops,
            containers,
        )?)
    };
    let stats_every = (args.stats_interval > 0).then(|| Duration::from_secs(args.stats_interval));
    let mut next_stats = stats_every.map(|d| Instant::now() + d);

    while !signals.stopping() {
        let reload_now = Signals::take(&signals.reload) || watch.changed();
        if reload_now && let Some(path) = origin.file() {
            reload(&shared, path, &policy, &cfg, &host);
            watch.mark_loaded();
        }
        match capture.as_mut() {
            Some(live) => live.step(&shared, &signals)?,
            None => std::thread::sleep(Duration::from_millis(20)),
        }
        let due = next_stats.is_some_and(|t| Instant::now() >= t);
        if Signals::take(&signals.stats) || due {
            print_stats(&shared, capture.as_ref());
            next_stats = stats_every.map(|d| Instant::now() + d);
        }
    }

    eprintln!("falco-rt: stopping");
    if let Some(f) = follower {
        f.stop();
    }
    if let Some(m) = metrics {
        m.serving.store(false, Ordering::Relaxed);
        m.stop();
    }
    if let Some(w) = webhook {
        w.stop();
    }
    let (kernel, decode_errors) = match capture.take() {
        Some(live) => {
            let k = live.capture.counters().ok();
            let d = live.capture.decode_errors();
            if let Some(c) = &live.containers {
                c.stop();
            }
            drop(live); // detaches the programs
            (k, d)
        }
        None => (None, 0),
    };
    let shared = Arc::try_unwrap(shared).map_err(|_| "the event paths did not stop".to_string())?;
    let out = shared.outputs.shutdown(FLUSH_GRACE);
    eprintln!(
        "{}",
        stats::line(&shared.counters, kernel, &out, decode_errors)
    );
    if out.undelivered() > 0 {
        eprintln!(
            "falco-rt: {} alert deliveries failed ({out})",
            out.undelivered()
        );
    }
    Ok(())
}

/// Raises the open-file limit to its hard limit: each webhook connection holds one.
fn raise_fd_limit() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        let _ = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        );
    }
}

fn start_webhook(args: &RunArgs, shared: &Arc<Shared>) -> Result<Webhook, String> {
    let listen = match args.k8s_audit_listen {
        Some(a) => a,
        None => falco_rt_webhook::DEFAULT_LISTEN
            .parse()
            .map_err(|e| format!("{e}"))?,
    };
    let mut cfg = WebhookConfig::new(listen);
    if let (Some(cert), Some(key)) = (&args.k8s_audit_tls_cert, &args.k8s_audit_tls_key) {
        cfg.tls = Some(TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        });
    }
    cfg.auth = Auth {
        client_ca: args.k8s_audit_client_ca.clone(),
        tokens: match &args.k8s_audit_token_file {
            Some(path) => {
                Auth::read_tokens(path).map_err(|e| format!("--k8s-audit-token-file {e}"))?
            }
            None => Vec::new(),
        },
    };
    cfg.max_connections = args.k8s_audit_max_connections;
    cfg.read_timeout = args.k8s_audit_read_timeout;
    cfg.handshake_timeout = args.k8s_audit_read_timeout;
    let tls = cfg.tls.is_some();
    let s = shared.clone();
    let handler: Handler = Arc::new(move |events: Vec<Event>| {
        // One engine for the whole batch: a swap during it changes the next batch.
        let (engine, digest) = s.rules.current_tagged();
        let mut scratch = engine.scratch();
        let mut hits = Vec::new();
        for mut ev in events {
            AgentCounters::add(&s.counters.k8s_events, 1);
            s.evaluate(&engine, &digest, &mut ev, &mut scratch, &mut hits);
        }
    });
    let hook = Webhook::start(cfg, handler).map_err(|e| e.to_string())?;
    eprintln!(
        "falco-rt: k8s audit webhook listening on {}://{}{}",
        if tls { "https" } else { "http" },
        hook.local_addr(),
        falco_rt_webhook::DEFAULT_PATH
    );
    Ok(hook)
}

fn reload(shared: &Shared, path: &std::path::Path, policy: &Policy, cfg: &Config, host: &str) {
    match load_bundle(path, policy, cfg, host) {
        Ok((engine, digest)) => {
            let n = engine.rules().len();
            shared.rules.swap(engine, digest.as_str());
            shared.fleet.set_bundle(BundleInfo {
                digest: digest.to_string(),
                version: String::new(),
                origin: path.display().to_string(),
            });
            shared.fleet.reload(Ok(()));
            eprintln!(
                "falco-rt: bundle reloaded from {} ({digest}, {n} rules)",
                path.display()
            );
        }
        Err(e) => {
            shared.fleet.reload(Err("load"));
            eprintln!("falco-rt: bundle reload failed, keeping the previous rules: {e}");
            let a = alerts::reload_failed(&path.display().to_string(), &e, now_ns(), host);
            shared.internal(a);
        }
    }
}

fn start_metrics(
    addr: std::net::SocketAddr,
    shared: &Arc<Shared>,
    webhook: Option<&Webhook>,
) -> Result<MetricsServer, String> {
    let s = shared.clone();
    let hook = webhook.map(Webhook::stats_handle);
    let server = crate::metrics::serve(
        addr,
        Arc::new(move || crate::metrics::render(&s.fleet, &s.snapshot(hook.as_deref()))),
    )?;
    eprintln!(
        "falco-rt: metrics on http://{}/metrics and /healthz",
        server.local_addr()
    );
    Ok(server)
}

fn print_stats(shared: &Shared, live: Option<&Live>) {
    let kernel = live.and_then(|l| l.capture.counters().ok());
    let decode = live.map_or(0, |l| l.capture.decode_errors());
    eprintln!(
        "{}",
        stats::line(&shared.counters, kernel, &shared.outputs.stats(), decode)
    );
}

/// The syscall path: capture, state, enrichment, evaluation.
struct Live {
    capture: Capture,
    clock: BootClock,
    state: State,
    enricher: Enricher,
    engine: Arc<Engine>,
    digest: Arc<str>,
    generation: u64,
    wanted: Wanted,
    scratch: falco_vm::Scratch,
    hits: Vec<usize>,
    last_drop_check: Instant,
    last_counters: falco_rt_capture::Counters,
    drops: DropMonitor,
    /// The container metadata cache and its lookup thread.
    containers: Option<Arc<falco_rt_container::Containers>>,
    host: String,
}

impl Live {
    fn start(
        shared: &Shared,
        ring_bytes: u32,
        drops: &DropPolicy,
        containers: Option<Arc<falco_rt_container::Containers>>,
    ) -> Result<Self, String> {
        if !ring_bytes.is_power_of_two() || ring_bytes < 4096 {
            return Err(format!(
                "--ring-bytes {ring_bytes}: must be a power of two of at least 4096"
            ));
        }
        let generation = shared.rules.generation();
        let (engine, digest) = shared.rules.current_tagged();
        let wanted = Wanted::of(&engine);
        let names = wanted.syscalls();
        let state = State::from_host(std::path::Path::new("/"), Some(std::process::id()));
        let config = CaptureConfig {
            ring_bytes,
            ..CaptureConfig::default()
        };
        let capture = Capture::start(&config, &names)
            .map_err(|e| format!("eBPF capture: {e} (run as root, or use --no-syscalls)"))?;
        eprintln!(
            "falco-rt: capturing {} syscalls with {}, {} processes known",
            names.len(),
            capture.describe_hooks(),
            state.procs.len()
        );
        Ok(Self {
            capture,
            clock: BootClock::now(),
            state,
            enricher: match &containers {
                Some(c) => Enricher::new().with_containers(c.clone()),
                None => Enricher::new(),
            },
            containers,
            scratch: engine.scratch(),
            engine,
            digest,
            generation,
            wanted,
            hits: Vec::new(),
            last_drop_check: Instant::now(),
            last_counters: falco_rt_capture::Counters::default(),
            drops: DropMonitor::new(drops.clone(), now_ns()),
            host: hostname(),
        })
    }

    /// Follows a reload: new engine, new event types, new kernel selection.
    fn follow(&mut self, shared: &Shared) -> Result<(), String> {
        if shared.rules.generation() == self.generation {
            return Ok(());
        }
        let generation = shared.rules.generation();
        let (engine, digest) = shared.rules.current_tagged();
        self.wanted = Wanted::of(&engine);
        self.scratch = engine.scratch();
        self.engine = engine;
        self.digest = digest;
        self.generation = generation;
        let names = self.wanted.syscalls();
        self.capture
            .select(&names)
            .map_err(|e| format!("applying the new syscall set: {e}"))?;
        eprintln!(
            "falco-rt: capturing {} syscalls with {}",
            names.len(),
            self.capture.describe_hooks()
        );
        Ok(())
    }

    fn step(&mut self, shared: &Shared, signals: &Signals) -> Result<(), String> {
        self.follow(shared)?;
        let Live {
            capture,
            clock,
            state,
            enricher,
            engine,
            digest,
            wanted,
            scratch,
            hits,
            ..
        } = self;
        let n = capture
            .poll(Duration::from_millis(20), |rec| {
                // On SIGTERM the rest of the batch is only drained, so stopping is prompt
                // even when the agent has fallen behind.
                let Ok(rec) = rec else {
                    return;
                };
                if signals.stopping() {
                    return;
                }
                let ts = clock.to_unix_ns(rec.header().ts_boot_ns);
                // Numbered and timed by `evaluate`.
                if let Some(mut ev) = enricher.event(state, &rec, ts, |t| wanted.contains(t), 0, 0)
                {
                    AgentCounters::add(&shared.counters.evaluated, 1);
                    shared.evaluate(engine, digest, &mut ev, scratch, hits);
                    enricher.recycle(ev);
                }
            })
            .map_err(|e| format!("capture: {e}"))?;
        AgentCounters::add(&shared.counters.records, n as u64);
        if self.last_drop_check.elapsed() >= DROP_CHECK {
            self.check_drops(shared)?;
        }
        Ok(())
    }

    /// Compares the kernel's counters with the last check and takes the
    /// `syscall_event_drops` actions; `exit` stops the agent with an error.
    fn check_drops(&mut self, shared: &Shared) -> Result<(), String> {
        self.last_drop_check = Instant::now();
        let Ok(now) = self.capture.counters() else {
            return Ok(());
        };
        shared
            .counters
            .kernel_dropped
            .store(now.dropped, Ordering::Relaxed);
        let dropped = now.dropped.wrapping_sub(self.last_counters.dropped);
        let submitted = now.submitted.wrapping_sub(self.last_counters.submitted);
        self.last_counters = now;
        let time = now_ns();
        let Some(report) = self.drops.check(submitted, dropped, time) else {
            return Ok(());
        };
        let message = alerts::drop_message(report.dropped);
        for action in &report.actions {
            match action {
                DropAction::Log => eprintln!("falco-rt: {message}"),
                DropAction::Alert => {
                    shared.internal(alerts::drops(
                        report.dropped,
                        report.total,
                        time,
                        &self.host,
                    ));
                }
                DropAction::Exit => {
                    return Err(format!(
                        "{message} Exiting (syscall_event_drops.actions has `exit`)."
                    ));
                }
                DropAction::Ignore => {}
            }
        }
        Ok(())
    }
}

/// Names, on stderr, every enabled syscall rule that reads or prints fields falco-rt
/// leaves `<NA>` on its event types (comparisons with them are false, as in Falco when
/// a value is missing), or needs events it cannot capture; the fields are the list of
/// `falco-rulec inspect --runtime`.
fn report_unsupplied(engine: &falco_vm::Engine) {
    for gap in crate::gaps::rule_gaps(engine.bundle()) {
        if !gap.fields.is_empty() {
            eprintln!(
                "falco-rt: rule {:?} reads fields falco-rt leaves <NA>: {}",
                gap.rule,
                gap.fields.join(", ")
            );
        }
        if !gap.event_types.is_empty() {
            eprintln!(
                "falco-rt: rule {:?} needs events falco-rt cannot capture: {}",
                gap.rule,
                gap.event_types.join(", ")
            );
        }
    }
}
