//! When to publish diagnostics: a fixed delay after the last change.
//!
//! Each change moves the deadline to `last change + delay`; the publisher wakes at the
//! deadline, and only if something changed since it last published. Times come from
//! tokio's clock, so tests run on a paused clock that advances only when told or idle.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// The changes not published yet and the delay to wait after the last one.
#[derive(Default)]
pub struct Debounce {
    delay_ms: AtomicU64,
    state: Mutex<State>,
    changed: Notify,
}

#[derive(Default)]
struct State {
    /// Changes counted so far.
    changes: u64,
    /// Changes already handed to the publisher.
    taken: u64,
    /// When the last change came.
    last_change: Option<Instant>,
}

impl Debounce {
    /// A debounce waiting `delay` after the last change.
    pub fn new(delay: Duration) -> Debounce {
        let debounce = Debounce::default();
        debounce.set_delay(delay);
        debounce
    }

    /// Changes the delay (from the client's settings).
    pub fn set_delay(&self, delay: Duration) {
        let millis = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.delay_ms.store(millis, Ordering::Relaxed);
    }

    fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms.load(Ordering::Relaxed))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a change now: the deadline moves to now plus the delay.
    pub fn change(&self) {
        {
            let mut state = self.state();
            state.changes += 1;
            state.last_change = Some(Instant::now());
        }
        self.changed.notify_one();
    }

    /// Waits until there are changes and the delay has passed since the last one, and
    /// takes them: the next call waits for newer changes. A wake-up with nothing new
    /// (a stored notification) waits again instead of returning.
    pub async fn settled(&self) {
        loop {
            let deadline = {
                let mut state = self.state();
                match state.last_change {
                    Some(last) if state.changes != state.taken => {
                        let deadline = last + self.delay();
                        if Instant::now() >= deadline {
                            state.taken = state.changes;
                            return;
                        }
                        Some(deadline)
                    }
                    _ => None,
                }
            };
            match deadline {
                // A change during the sleep moves the deadline: look again after it.
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => self.changed.notified().await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::time::{Instant, advance, sleep};

    use super::Debounce;

    const DELAY: Duration = Duration::from_millis(50);

    /// Runs a publisher on `debounce` that records when it publishes (time since `start`).
    fn publisher(debounce: &Arc<Debounce>, start: Instant) -> Arc<std::sync::Mutex<Vec<u64>>> {
        let published = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (debounce, log) = (Arc::clone(debounce), Arc::clone(&published));
        tokio::spawn(async move {
            loop {
                debounce.settled().await;
                let at = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
                log.lock().expect("log").push(at);
            }
        });
        published
    }

    fn times(log: &std::sync::Mutex<Vec<u64>>) -> Vec<u64> {
        log.lock().expect("log").clone()
    }

    #[tokio::test(start_paused = true)]
    async fn publishes_one_delay_after_the_last_change() {
        let debounce = Arc::new(Debounce::new(DELAY));
        let start = Instant::now();
        let log = publisher(&debounce, start);
        debounce.change();
        advance(Duration::from_millis(5)).await;
        debounce.change();
        sleep(Duration::from_millis(200)).await;
        // 5 + 50, not two whole delays (~105).
        assert_eq!(times(&log), vec![55]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_publishes_once_after_it_ends() {
        let debounce = Arc::new(Debounce::new(DELAY));
        let start = Instant::now();
        let log = publisher(&debounce, start);
        for _ in 0..10 {
            debounce.change();
            sleep(Duration::from_millis(20)).await;
        }
        sleep(Duration::from_millis(200)).await;
        // The last change came at 180.
        assert_eq!(times(&log), vec![230]);
    }

    #[tokio::test(start_paused = true)]
    async fn no_phantom_cycle_after_a_publication() {
        let debounce = Arc::new(Debounce::new(DELAY));
        let start = Instant::now();
        let log = publisher(&debounce, start);
        // Changes while the publisher sleeps leave a stored notification behind.
        debounce.change();
        debounce.change();
        debounce.change();
        sleep(Duration::from_millis(500)).await;
        assert_eq!(times(&log), vec![50]);
        // Many open/close cycles later, an edit still takes one delay.
        for _ in 0..5 {
            debounce.change();
            sleep(Duration::from_millis(100)).await;
        }
        let before = start.elapsed();
        debounce.change();
        sleep(Duration::from_millis(200)).await;
        let last = *times(&log).last().expect("published");
        assert_eq!(
            Duration::from_millis(last) - before,
            DELAY,
            "{:?}",
            times(&log)
        );
        assert_eq!(times(&log).len(), 7, "{:?}", times(&log));
    }

    #[tokio::test(start_paused = true)]
    async fn zero_delay_publishes_at_once() {
        let debounce = Arc::new(Debounce::new(Duration::ZERO));
        let start = Instant::now();
        let log = publisher(&debounce, start);
        debounce.change();
        sleep(Duration::from_millis(1)).await;
        debounce.change();
        sleep(Duration::from_millis(1)).await;
        assert_eq!(times(&log), vec![0, 1]);
    }
}
