//! Following a tag on an OCI registry (`--bundle oci://REG/REPO:TAG`).
//!
//! Every `--follow-interval` (±10 %, and a random first delay within one interval, so
//! that a fleet does not poll in step) the tag is resolved. A new manifest digest is
//! pulled (every digest checked by `falco-registry`), its signature fetched, and the
//! bundle goes through [`crate::admit`]; only then is it swapped in and cached on disk.
//! A refused digest raises one Critical alert per digest and reason; the running
//! bundle stays, and polling backs off (the delay doubles up to 8 intervals) until the
//! tag moves or the registry answers again. A digest reference (`@sha256:…`) is pinned:
//! fetched once, never resolved again.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use falco_registry::artifact;
use falco_registry::reference::Target;
use falco_registry::signature::{self, Envelope};
use falco_registry::{Client, Digest, Reference};
use falco_vm::Engine;
use serde::{Deserialize, Serialize};

use crate::admit::{Refusal, Stage};

/// A bundle from the registry, not yet admitted.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The manifest digest.
    pub digest: Digest,
    /// `org.opencontainers.image.version`.
    pub version: Option<String>,
    /// The bundle bytes.
    pub bytes: Vec<u8>,
    /// Its signatures, if the registry has any.
    pub envelope: Option<Envelope>,
}

/// Where to follow and how.
#[derive(Debug)]
pub struct Source {
    /// The reference.
    pub reference: Reference,
    /// The registry client.
    pub client: Client,
    /// The last good bundle on disk.
    pub cache: Cache,
    /// Poll interval.
    pub interval: Duration,
    /// Largest bundle pulled.
    pub max_bytes: u64,
}

/// What one poll found.
#[derive(Debug)]
pub enum Poll {
    /// The tag still points at the running digest.
    Unchanged,
    /// A new digest, pulled with its checks passed.
    New(Candidate),
    /// A new digest whose content is wrong (digest mismatch, too large, not a bundle).
    Bad(Digest, Refusal),
    /// The registry could not be asked (down, refused, failing).
    Unreachable(String),
}

impl Source {
    /// Resolves the reference and pulls what is new.
    pub fn poll(&self, running: Option<&Digest>) -> Poll {
        let r = &self.reference;
        // No digest is known yet, so any error here (down, refused, a garbage
        // manifest) is the registry's, not a candidate's.
        let fetched = match self.client.manifest(r) {
            Ok(f) => f,
            Err(e) => return Poll::Unreachable(e.to_string()),
        };
        if running == Some(&fetched.digest) {
            return Poll::Unchanged;
        }
        let digest = fetched.digest.clone();
        let pulled = match artifact::pull_fetched(&self.client, r, &fetched, self.max_bytes) {
            Ok(p) => p,
            Err(e) if e.is_transient() => return Poll::Unreachable(e.to_string()),
            Err(e) => return Poll::Bad(digest, Refusal::new(Stage::Fetch, e)),
        };
        let envelope = match signature::fetch(&self.client, r, &digest) {
            Ok(e) => e,
            Err(e) if e.is_transient() => return Poll::Unreachable(e.to_string()),
            Err(e) => return Poll::Bad(digest, Refusal::new(Stage::Signature, e)),
        };
        Poll::New(Candidate {
            digest,
            version: pulled.version,
            bytes: pulled.bytes,
            envelope,
        })
    }

    /// Whether the reference is a pinned digest.
    pub fn pinned(&self) -> bool {
        matches!(self.reference.target, Target::Digest(_))
    }
}

/// The last good bundle of one reference, on disk: `DIR/<registry_repository>/`
/// holding `bundle.frb`, `bundle.frb.sig` (when signed) and `entry.json` (manifest
/// digest, bundle digest, version), written in that order, each atomically.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    digest: String,
    bundle_digest: String,
    version: Option<String>,
}

impl Cache {
    /// The cache of `reference` under `root`.
    pub fn new(root: &Path, reference: &Reference) -> Cache {
        let name: String = reference
            .repository_path()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Cache {
            dir: root.join(name),
        }
    }

    /// Stores an admitted candidate.
    pub fn store(&self, c: &Candidate) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let bundle = self.dir.join("bundle.frb");
        write_atomic(&bundle, &c.bytes)?;
        let sig = signature::file_signature_path(&bundle);
        match &c.envelope {
            Some(e) => write_atomic(&sig, &e.to_bytes())?,
            None => {
                if sig.exists() {
                    std::fs::remove_file(&sig)?;
                }
            }
        }
        let entry = Entry {
            digest: c.digest.to_string(),
            bundle_digest: Digest::of(&c.bytes).to_string(),
            version: c.version.clone(),
        };
        write_atomic(
            &self.dir.join("entry.json"),
            &serde_json::to_vec(&entry).unwrap_or_default(),
        )
    }

    /// The cached candidate, if a whole one is there.
    pub fn load(&self) -> Result<Candidate, String> {
        let what = self.dir.display();
        let entry: Entry = std::fs::read(self.dir.join("entry.json"))
            .map_err(|e| format!("{what}: {e}"))
            .and_then(|b| {
                serde_json::from_slice(&b).map_err(|e| format!("{what}/entry.json: {e}"))
            })?;
        let bundle = self.dir.join("bundle.frb");
        let bytes = std::fs::read(&bundle).map_err(|e| format!("{}: {e}", bundle.display()))?;
        if Digest::of(&bytes).as_str() != entry.bundle_digest {
            return Err(format!(
                "{}: does not match {} (damaged cache)",
                bundle.display(),
                entry.bundle_digest
            ));
        }
        let envelope = signature::read_file_signature(&bundle).map_err(|e| e.to_string())?;
        Ok(Candidate {
            digest: Digest::parse(&entry.digest).map_err(|e| format!("{what}: {e}"))?,
            version: entry.version,
            bytes,
            envelope,
        })
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// The checks a candidate passes (signature, verifier, compatibility, dry-run load).
pub type AdmitHook = Box<dyn Fn(&Candidate) -> Result<Engine, Refusal> + Send>;
/// Puts an admitted candidate in force.
pub type ApplyHook = Box<dyn Fn(&Candidate, Engine) + Send>;
/// Reports a refused digest.
pub type RefusedHook = Box<dyn Fn(&Digest, &Refusal) + Send>;

/// What the follower does with what it finds.
pub struct Hooks {
    /// The checks (signature, verifier, compatibility, dry-run load).
    pub admit: AdmitHook,
    /// Puts an admitted bundle in force.
    pub apply: ApplyHook,
    /// A digest was refused (called once per digest and reason).
    pub refused: RefusedHook,
    /// The registry could not be asked (called when an outage starts).
    pub unreachable: Box<dyn Fn(&str) + Send>,
    /// The registry answers again after an outage.
    pub reachable: Box<dyn Fn() + Send>,
}

/// The polling thread.
pub struct Follower {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Follower {
    /// Starts following `source` from the `running` digest.
    pub fn spawn(
        source: Source,
        running: Option<Digest>,
        hooks: Hooks,
    ) -> std::io::Result<Follower> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("falco-rt-follow".into())
            .spawn(move || follow(&source, running, &hooks, &flag))?;
        Ok(Follower {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops polling and waits for the thread (a request under way finishes first).
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            eprintln!("falco-rt: the registry follower panicked");
        }
    }
}

/// A factor in `[1 - spread, 1 + spread)`, from the standard library's random hash
/// keys (seeded per process) and the clock.
fn jitter(spread: f64) -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    let unit = (h.finish() >> 11) as f64 / (1u64 << 53) as f64;
    1.0 - spread + 2.0 * spread * unit
}

/// The delay after `failures` failed polls in a row.
pub fn delay(interval: Duration, failures: u32) -> Duration {
    interval.mul_f64(f64::from(1u32 << failures.min(3)) * jitter(0.1))
}

fn follow(source: &Source, mut running: Option<Digest>, hooks: &Hooks, stop: &AtomicBool) {
    let mut failures = 0u32;
    let mut alerted: HashSet<(Digest, String)> = HashSet::new();
    let mut outage = false;
    // A random phase within the first interval.
    let mut next = Instant::now() + source.interval.mul_f64(jitter(1.0) / 2.0);
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now < next {
            std::thread::sleep((next - now).min(Duration::from_millis(50)));
            continue;
        }
        if source.pinned() && running.is_some() {
            return;
        }
        let ok = match source.poll(running.as_ref()) {
            Poll::Unchanged => true,
            Poll::New(c) => match (hooks.admit)(&c) {
                Ok(engine) => {
                    if let Err(e) = source.cache.store(&c) {
                        eprintln!("falco-rt: caching the bundle: {e}");
                    }
                    running = Some(c.digest.clone());
                    (hooks.apply)(&c, engine);
                    alerted.clear();
                    true
                }
                Err(refusal) => {
                    if alerted.insert((c.digest.clone(), refusal.to_string())) {
                        (hooks.refused)(&c.digest, &refusal);
                    }
                    false
                }
            },
            Poll::Bad(digest, refusal) => {
                if alerted.insert((digest.clone(), refusal.to_string())) {
                    (hooks.refused)(&digest, &refusal);
                }
                false
            }
            Poll::Unreachable(why) => {
                if !outage {
                    (hooks.unreachable)(&why);
                    outage = true;
                }
                failures += 1;
                next = Instant::now() + delay(source.interval, failures);
                continue;
            }
        };
        if outage {
            (hooks.reachable)();
            outage = false;
        }
        failures = if ok { 0 } else { failures + 1 };
        next = Instant::now() + delay(source.interval, failures);
    }
}
