//! The loaded bundle: loading and verifying it, sharing it between the capture loop and
//! the webhook, and what it asks the kernel to capture.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use falco_rt_capture::syscalls::{self, STATE_SYSCALLS};
use falco_vm::Engine;
use rustc_hash::FxHashSet;

use falco_registry::Digest;
use falco_registry::signature;

use crate::admit::{Policy, admit};
use crate::config::Config;

/// Reads a bundle file (and `FILE.sig` when signatures are required), checks it and
/// loads it with the configuration's rule options; returns the engine and the file's
/// digest.
pub fn load_bundle(
    path: &Path,
    policy: &Policy,
    cfg: &Config,
    hostname: &str,
) -> Result<(Engine, Digest), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let envelope = if policy.keys.is_empty() {
        None
    } else {
        signature::read_file_signature(path).map_err(|e| format!("{}: {e}", path.display()))?
    };
    let engine = admit(&bytes, envelope.as_ref(), policy, false, cfg, hostname)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((engine, Digest::of(&bytes)))
}

/// The engine in force and the digest of its bundle, swapped together.
type InForce = (Arc<Engine>, Arc<str>);

/// The engine in force, swapped whole on reload.
#[derive(Debug)]
pub struct Rules {
    current: Mutex<InForce>,
    generation: AtomicU64,
}

impl Rules {
    /// Starts with `engine` from the bundle of `digest`.
    pub fn new(engine: Engine, digest: &str) -> Self {
        Self {
            current: Mutex::new((Arc::new(engine), digest.into())),
            generation: AtomicU64::new(0),
        }
    }

    /// The engine in force and its generation (bumped by each swap).
    pub fn current(&self) -> (Arc<Engine>, u64) {
        let (e, _) = self.current_tagged();
        (e, self.generation.load(Ordering::Acquire))
    }

    /// The engine in force and its bundle's digest.
    pub fn current_tagged(&self) -> InForce {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The generation in force.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Puts `engine`, from the bundle of `digest`, in force. Events already being
    /// evaluated finish with the engine they started with.
    pub fn swap(&self, engine: Engine, digest: &str) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) =
            (Arc::new(engine), digest.into());
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

/// The syscall event types rules can match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    /// Some rule matches every event type.
    pub all: bool,
    /// The types rules name (hashed with Fx: looked up for every record).
    pub names: FxHashSet<String>,
}

impl Wanted {
    /// What `engine`'s enabled syscall rules can match.
    pub fn of(engine: &Engine) -> Self {
        let set = engine.syscalls();
        Self {
            all: set.all,
            names: set.names.iter().cloned().collect(),
        }
    }

    /// Every type (for `capture`).
    pub fn everything() -> Self {
        Self {
            all: true,
            names: FxHashSet::default(),
        }
    }

    /// Whether events of type `ty` are evaluated.
    pub fn contains(&self, ty: &str) -> bool {
        self.all || self.names.contains(ty)
    }

    /// The syscalls the kernel must capture: the event types that are syscalls, plus
    /// what the process and fd state needs. With `all`, every syscall.
    pub fn syscalls(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = if self.all {
            syscalls::X86_64.iter().map(|(n, _)| *n).collect()
        } else {
            self.names
                .iter()
                .filter_map(|n| syscalls::number(n).and_then(syscalls::name))
                .collect()
        };
        out.extend(STATE_SYSCALLS);
        out.sort_unstable();
        out.dedup();
        out
    }
}
