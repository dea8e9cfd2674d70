//! The loaded bundle: loading and verifying it, sharing it between the capture loop and
//! the webhook, and what it asks the kernel to capture.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use falco_rt_capture::syscalls::{self, STATE_SYSCALLS};
use falco_vm::Engine;
use rustc_hash::FxHashSet;

use crate::config::Config;

/// Reads, verifies and loads a bundle file with the configuration's rule options.
pub fn load_bundle(path: &Path, cfg: &Config, hostname: &str) -> Result<Engine, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut engine = Engine::load(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    engine.set_rule_matching(cfg.rule_matching);
    engine.set_min_priority(cfg.min_priority);
    engine.set_hostname(hostname);
    Ok(engine)
}

/// The engine in force, swapped whole on reload.
#[derive(Debug)]
pub struct Rules {
    current: Mutex<Arc<Engine>>,
    generation: AtomicU64,
}

impl Rules {
    /// Starts with `engine`.
    pub fn new(engine: Engine) -> Self {
        Self {
            current: Mutex::new(Arc::new(engine)),
            generation: AtomicU64::new(0),
        }
    }

    /// The engine in force and its generation (bumped by each swap).
    pub fn current(&self) -> (Arc<Engine>, u64) {
        let e = self
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        (e, self.generation.load(Ordering::Acquire))
    }

    /// The generation in force.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Puts `engine` in force.
    pub fn swap(&self, engine: Engine) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(engine);
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
