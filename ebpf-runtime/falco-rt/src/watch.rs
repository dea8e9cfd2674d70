//! Noticing that the bundle file changed: its size, modification time or inode differ,
//! and have stayed the same for one more check (so a file being written is not read
//! half-way).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    ino: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: m.len(),
        modified: m.modified().ok(),
        ino: m.ino(),
    })
}

/// Polls a file for changes.
#[derive(Debug)]
pub struct Watch {
    path: PathBuf,
    interval: Duration,
    loaded: Option<Stamp>,
    seen: Option<Stamp>,
    next: Instant,
}

impl Watch {
    /// Watches `path` every `interval` (zero: never reports a change); the current
    /// file counts as loaded.
    pub fn new(path: &Path, interval: Duration) -> Self {
        let s = stamp(path);
        Self {
            path: path.to_path_buf(),
            interval,
            loaded: s.clone(),
            seen: s,
            next: Instant::now() + interval,
        }
    }

    /// True when the file changed since it was last loaded and looks settled.
    pub fn changed(&mut self) -> bool {
        if self.interval.is_zero() || Instant::now() < self.next {
            return false;
        }
        self.next = Instant::now() + self.interval;
        let now = stamp(&self.path);
        let settled = now == self.seen;
        self.seen = now.clone();
        settled && now.is_some() && now != self.loaded
    }

    /// Records the file as loaded (after a reload attempt, good or bad).
    pub fn mark_loaded(&mut self) {
        self.loaded = stamp(&self.path);
        self.seen = self.loaded.clone();
    }
}
