//! Where the bundle comes from: a file (watched, reloaded on change or SIGHUP) or a tag
//! on an OCI registry (followed, see [`crate::follow`]); starting from it, and the
//! hooks that put what the follower finds in force.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use falco_registry::auth::CredentialStore;
use falco_registry::{Client, ClientOptions, Digest, Reference};
use falco_vm::Engine;

use crate::admit::{Policy, Refusal, admit};
use crate::agent::{Shared, now_ns};
use crate::alerts;
use crate::cli::RunArgs;
use crate::config::Config;
use crate::follow::{Cache, Candidate, Follower, Hooks, Poll, Source};
use crate::metrics::BundleInfo;
use crate::rules::load_bundle;

/// The default `--follow-interval`.
pub const DEFAULT_FOLLOW_INTERVAL: Duration = Duration::from_secs(300);

/// The bundle's source.
#[derive(Debug)]
pub enum Origin {
    /// A file.
    File(PathBuf),
    /// A registry reference, until the follower takes it.
    Registry {
        /// `oci://…` as given.
        name: String,
        /// The source, taken by [`Origin::follow`].
        source: Option<Box<Source>>,
    },
}

/// What the agent starts with.
pub struct Start {
    /// The engine.
    pub engine: Engine,
    /// Its bundle.
    pub info: BundleInfo,
    /// The manifest digest in force, for a registry.
    pub running: Option<Digest>,
    /// A registry digest refused at start (alerted once outputs run).
    pub refused: Option<(Digest, Refusal)>,
}

impl Origin {
    /// The origin `--bundle` names (`oci://` for a registry).
    pub fn of(bundle: &Path, args: &RunArgs, cfg: &Config) -> Result<Origin, String> {
        let text = bundle.to_string_lossy();
        if !text.starts_with("oci://") {
            return Ok(Origin::File(bundle.to_path_buf()));
        }
        let reference = Reference::parse(&text).map_err(|e| format!("--bundle: {e}"))?;
        let credentials = CredentialStore::from_environment().map_err(|e| e.to_string())?;
        let client = Client::new(&ClientOptions {
            insecure: args.insecure_registry,
            ca_file: args.registry_ca.clone(),
            credentials,
            ..ClientOptions::default()
        })
        .map_err(|e| e.to_string())?;
        let source = Source {
            cache: Cache::new(&args.cache_dir, &reference),
            reference,
            client,
            interval: args
                .follow_interval
                .or(cfg.follow_interval)
                .unwrap_or(DEFAULT_FOLLOW_INTERVAL),
            max_bytes: falco_registry::MAX_BUNDLE_BYTES,
        };
        Ok(Origin::Registry {
            name: text.into_owned(),
            source: Some(Box::new(source)),
        })
    }

    /// How alerts and messages name it.
    pub fn name(&self) -> String {
        match self {
            Origin::File(p) => p.display().to_string(),
            Origin::Registry { name, .. } => name.clone(),
        }
    }

    /// The file, for a file origin.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Origin::File(p) => Some(p),
            Origin::Registry { .. } => None,
        }
    }

    /// Loads the first bundle: the file; or the registry's, else the cached one.
    pub fn start(&self, policy: &Policy, cfg: &Config, host: &str) -> Result<Start, String> {
        let (name, source) = match self {
            Origin::File(path) => {
                let (engine, digest) = load_bundle(path, policy, cfg, host)?;
                return Ok(Start {
                    engine,
                    info: BundleInfo {
                        digest: digest.to_string(),
                        version: String::new(),
                        origin: path.display().to_string(),
                    },
                    running: None,
                    refused: None,
                });
            }
            Origin::Registry {
                name,
                source: Some(source),
            } => (name, source),
            Origin::Registry { name, .. } => return Err(format!("{name}: already followed")),
        };
        let check = |c: &Candidate| admit(&c.bytes, c.envelope.as_ref(), policy, true, cfg, host);
        let start = |c: Candidate, engine: Engine, refused| Start {
            engine,
            info: info(name, &c),
            running: Some(c.digest),
            refused,
        };
        let mut refused = None;
        let why = match source.poll(None) {
            Poll::New(c) => match check(&c) {
                Ok(engine) => {
                    if let Err(e) = source.cache.store(&c) {
                        eprintln!("falco-rt: caching the bundle: {e}");
                    }
                    return Ok(start(c, engine, None));
                }
                Err(r) => {
                    let why = format!("{} was refused: {r}", c.digest);
                    refused = Some((c.digest, r));
                    why
                }
            },
            Poll::Bad(d, r) => {
                let why = format!("{d} was refused: {r}");
                refused = Some((d, r));
                why
            }
            Poll::Unreachable(why) => why,
            Poll::Unchanged => "no bundle".to_string(),
        };
        let cached = source
            .cache
            .load()
            .map_err(|e| format!("{name}: {why}; and there is no usable cached bundle ({e})"))?;
        let engine = check(&cached).map_err(|r| {
            format!(
                "{name}: {why}; and the cached bundle {} is refused: {r}",
                cached.digest
            )
        })?;
        eprintln!(
            "falco-rt: {name}: {why}; running the cached bundle {}",
            cached.digest
        );
        Ok(start(cached, engine, refused))
    }

    /// Starts following a registry tag (nothing for a file, or a digest already in force).
    pub(crate) fn follow(
        &mut self,
        shared: &Arc<Shared>,
        policy: &Policy,
        cfg: &Config,
        running: Option<Digest>,
    ) -> Result<Option<Follower>, String> {
        let Origin::Registry { name, source } = self else {
            return Ok(None);
        };
        let Some(source) = source.take() else {
            return Ok(None);
        };
        if source.pinned() && running.is_some() {
            return Ok(None);
        }
        eprintln!(
            "falco-rt: following {name} every {}",
            humantime::format_duration(source.interval)
        );
        let name = name.clone();
        let (policy, cfg) = (policy.clone(), cfg.clone());
        let (s1, s2, s3, s4) = (shared.clone(), shared.clone(), shared.clone(), name.clone());
        let n1 = name.clone();
        let hooks = Hooks {
            admit: Box::new(move |c| {
                admit(&c.bytes, c.envelope.as_ref(), &policy, true, &cfg, &s1.host)
            }),
            apply: Box::new(move |c, engine| {
                let n = engine.rules().len();
                s2.rules.swap(engine, c.digest.as_str());
                s2.fleet.set_bundle(info(&n1, c));
                s2.fleet.reload(Ok(()));
                eprintln!(
                    "falco-rt: {n1}: now running {} ({}, {n} rules)",
                    c.digest,
                    c.version.as_deref().unwrap_or("no version")
                );
            }),
            refused: Box::new(move |digest, refusal| refused(&s3, &name, digest, refusal)),
            unreachable: Box::new(move |why| {
                eprintln!("falco-rt: {s4}: registry unreachable, retrying with backoff: {why}");
            }),
            reachable: Box::new(|| eprintln!("falco-rt: the registry answers again")),
        };
        Follower::spawn(*source, running, hooks)
            .map(Some)
            .map_err(|e| format!("registry follower: {e}"))
    }
}

fn info(name: &str, c: &Candidate) -> BundleInfo {
    BundleInfo {
        digest: c.digest.to_string(),
        version: c.version.clone().unwrap_or_default(),
        origin: name.to_string(),
    }
}

/// A registry digest was refused: stderr, the metrics and one Critical alert.
pub(crate) fn refused(shared: &Shared, reference: &str, digest: &Digest, refusal: &Refusal) {
    eprintln!("falco-rt: {reference}: refused {digest}, the running bundle stays: {refusal}");
    shared.fleet.reload(Err(refusal.stage.name()));
    let alert = alerts::update_refused(
        reference,
        digest.as_str(),
        refusal.stage.name(),
        &refusal.reason,
        now_ns(),
        &shared.host,
    );
    shared.internal(alert);
}
