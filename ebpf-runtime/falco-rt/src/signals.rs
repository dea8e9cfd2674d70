//! Signals as flags the loops poll: SIGTERM/SIGINT stop, SIGHUP reloads, SIGUSR1 prints stats.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1};

/// Flags set by signal handlers.
#[derive(Clone, Debug, Default)]
pub struct Signals {
    /// SIGTERM or SIGINT arrived.
    pub stop: Arc<AtomicBool>,
    /// SIGHUP arrived.
    pub reload: Arc<AtomicBool>,
    /// SIGUSR1 arrived.
    pub stats: Arc<AtomicBool>,
}

impl Signals {
    /// Installs the handlers.
    pub fn install() -> std::io::Result<Self> {
        let s = Signals::default();
        for sig in [SIGTERM, SIGINT] {
            signal_hook::flag::register(sig, s.stop.clone())?;
        }
        signal_hook::flag::register(SIGHUP, s.reload.clone())?;
        signal_hook::flag::register(SIGUSR1, s.stats.clone())?;
        Ok(s)
    }

    /// Whether a stop was asked for.
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Takes a pending flag (true once per signal burst).
    pub fn take(flag: &AtomicBool) -> bool {
        flag.swap(false, Ordering::Relaxed)
    }
}
