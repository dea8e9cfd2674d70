//! The container cache the capture loop reads without waiting, and the thread that
//! fills it from the engines.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use falco_events::ContainerInfo;
use falco_rt_enrich::{ContainerMetadata, KnownContainer};
use falco_rt_state::Runtime;
use rustc_hash::FxHashMap;
use tokio::sync::mpsc;

use crate::Engines;
use crate::resolver;

/// Lookups waiting for the resolver thread; when full, a container is asked again the
/// next time it is met.
const QUEUE: usize = 4096;
/// Most containers kept; past it, the ones not seen for longest are forgotten.
pub const MAX_CONTAINERS: usize = 65_536;
/// How long a container no engine knew is left alone before it is asked again.
pub const RETRY_UNKNOWN: Duration = Duration::from_secs(30);

/// What is known of one container id.
#[derive(Debug)]
enum Slot {
    /// A lookup is under way.
    Pending,
    /// An engine described it.
    Known(Arc<KnownContainer>),
    /// No engine knew it; asked again after this instant.
    Unknown(Instant),
}

/// Counters for the stats line.
#[derive(Debug, Default)]
pub struct ContainerStats {
    /// Containers an engine described.
    pub known: AtomicU64,
    /// Lookups asked of the engines.
    pub lookups: AtomicU64,
    /// Lookups that found nothing or failed.
    pub misses: AtomicU64,
}

/// Container metadata by full id: filled by a thread of its own that asks the engines,
/// read by the capture loop without waiting ([`ContainerMetadata`]).
#[derive(Debug)]
pub struct Containers {
    slots: Mutex<FxHashMap<String, Slot>>,
    generation: AtomicU64,
    requests: mpsc::Sender<String>,
    /// Counters.
    pub stats: ContainerStats,
    worker: Mutex<Option<(JoinHandle<()>, tokio::sync::watch::Sender<bool>)>>,
}

impl Containers {
    /// Starts the resolver thread on `engines` (the sockets that exist are used; each is
    /// reported on stderr at start).
    pub fn start(engines: Engines) -> std::io::Result<Arc<Containers>> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let containers = Arc::new(Containers {
            slots: Mutex::new(FxHashMap::default()),
            generation: AtomicU64::new(0),
            requests: tx,
            stats: ContainerStats::default(),
            worker: Mutex::new(None),
        });
        let shared = containers.clone();
        let thread = std::thread::Builder::new()
            .name("falco-rt-containers".into())
            .spawn(move || resolver::run(engines, shared, rx, stop_rx))?;
        *containers
            .worker
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some((thread, stop_tx));
        Ok(containers)
    }

    /// A cache without engines (lookups are never answered), for tests and replays.
    pub fn detached() -> Arc<Containers> {
        let (tx, _) = mpsc::channel(1);
        Arc::new(Containers {
            slots: Mutex::new(FxHashMap::default()),
            generation: AtomicU64::new(0),
            requests: tx,
            stats: ContainerStats::default(),
            worker: Mutex::new(None),
        })
    }

    /// Stops the resolver thread and waits for it (the thread holds the cache, so call
    /// this before letting go of it).
    pub fn stop(&self) {
        let worker = self
            .worker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some((thread, stop)) = worker {
            let _ = stop.send(true);
            if thread.join().is_err() {
                eprintln!("falco-rt: the container lookup thread panicked");
            }
        }
    }

    /// Records what an engine says about a container.
    pub fn insert(&self, info: ContainerInfo) {
        let id = info.full_id.clone();
        let known = Arc::new(KnownContainer::new(info));
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if slots.len() >= MAX_CONTAINERS && !slots.contains_key(&id) {
            // Forget the containers no engine knew first, then any.
            slots.retain(|_, s| !matches!(s, Slot::Unknown(_)));
            if slots.len() >= MAX_CONTAINERS {
                slots.clear();
            }
        }
        let fresh = match slots.insert(id, Slot::Known(known.clone())) {
            Some(Slot::Known(old)) => *old != *known,
            _ => true,
        };
        drop(slots);
        if fresh {
            self.stats.known.fetch_add(1, Ordering::Relaxed);
            self.generation.fetch_add(1, Ordering::Release);
        }
    }

    /// Records that no engine knew container `full_id`.
    pub(crate) fn not_found(&self, full_id: &str) {
        self.stats.misses.fetch_add(1, Ordering::Relaxed);
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.get_mut(full_id)
            && matches!(slot, Slot::Pending)
        {
            *slot = Slot::Unknown(Instant::now() + RETRY_UNKNOWN);
        }
    }

    /// How many containers are known.
    pub fn known(&self) -> usize {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .filter(|s| matches!(s, Slot::Known(_)))
            .count()
    }
}

impl ContainerMetadata for Containers {
    fn lookup(&self, full_id: &str, _runtime: Runtime) -> Option<Arc<KnownContainer>> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        match slots.get(full_id) {
            Some(Slot::Known(k)) => return Some(k.clone()),
            Some(Slot::Pending) => return None,
            Some(Slot::Unknown(at)) if Instant::now() < *at => return None,
            Some(Slot::Unknown(_)) | None => {}
        }
        // Never waits: a full queue leaves the container unasked until it is met again.
        if self.requests.try_send(full_id.to_string()).is_ok() {
            self.stats.lookups.fetch_add(1, Ordering::Relaxed);
            slots.insert(full_id.to_string(), Slot::Pending);
        }
        None
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}
