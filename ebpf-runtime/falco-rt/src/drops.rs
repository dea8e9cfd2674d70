//! What happens when the kernel ring drops events: Falco's `syscall_event_drops`.
//!
//! Once a second the agent compares the kernel's counters with the last check. When
//! events were dropped and the share of dropped events is above `threshold`, the
//! actions run, as many times as a token bucket allows (`rate` tokens a second, at most
//! `max_burst` saved up; Falco's defaults give one action every 30 s). The actions, in
//! this order: `log` (a line on stderr), `alert` (Falco's "syscall event drop" alert),
//! `exit` (the agent stops with an error). `ignore`, or no actions at all, does nothing.
//! Without a configuration file there are no actions, as in Falco.

/// One of `syscall_event_drops.actions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropAction {
    /// `ignore`.
    Ignore,
    /// `log`.
    Log,
    /// `alert`.
    Alert,
    /// `exit`.
    Exit,
}

/// `syscall_event_drops`.
#[derive(Clone, Debug, PartialEq)]
pub struct DropPolicy {
    /// `threshold`: the share of dropped events (0 to 1) above which actions run.
    pub threshold: f64,
    /// `actions`.
    pub actions: Vec<DropAction>,
    /// `rate`: tokens gained per second.
    pub rate: f64,
    /// `max_burst`: most tokens saved up.
    pub max_burst: f64,
    /// `simulate_drops`: count one drop more at every check (the threshold is then 0).
    pub simulate: bool,
}

impl Default for DropPolicy {
    /// Falco's values when the section is absent: no actions.
    fn default() -> Self {
        Self {
            threshold: 0.1,
            actions: Vec::new(),
            rate: 0.03333,
            max_burst: 1.0,
            simulate: false,
        }
    }
}

/// What one check decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropReport {
    /// Events dropped since the last check.
    pub dropped: u64,
    /// Events the kernel handled since the last check, dropped ones included.
    pub total: u64,
    /// The actions to take now, in order.
    pub actions: Vec<DropAction>,
}

/// Applies a [`DropPolicy`] to successive counter readings.
#[derive(Debug)]
pub struct DropMonitor {
    policy: DropPolicy,
    tokens: f64,
    last_ns: u64,
}

impl DropMonitor {
    /// A monitor starting at `now_ns` with a full bucket.
    pub fn new(policy: DropPolicy, now_ns: u64) -> Self {
        let tokens = policy.max_burst;
        Self {
            policy,
            tokens,
            last_ns: now_ns,
        }
    }

    /// Checks `dropped` of `submitted + dropped` events seen since the last check, at
    /// `now_ns`; `None` when nothing is to be done.
    pub fn check(&mut self, submitted: u64, dropped: u64, now_ns: u64) -> Option<DropReport> {
        let dropped = dropped + u64::from(self.policy.simulate);
        let threshold = if self.policy.simulate {
            0.0
        } else {
            self.policy.threshold
        };
        let total = submitted + dropped;
        if dropped == 0 || (dropped as f64 / total as f64) <= threshold {
            return None;
        }
        if !self.claim(now_ns) {
            return None;
        }
        let actions = [DropAction::Log, DropAction::Alert, DropAction::Exit]
            .into_iter()
            .filter(|a| self.policy.actions.contains(a))
            .collect();
        Some(DropReport {
            dropped,
            total,
            actions,
        })
    }

    /// Takes a token if there is one (the bucket fills at `rate` per second).
    fn claim(&mut self, now_ns: u64) -> bool {
        let elapsed = now_ns.saturating_sub(self.last_ns) as f64 / 1e9;
        self.last_ns = now_ns;
        self.tokens = (self.tokens + self.policy.rate * elapsed).min(self.policy.max_burst);
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    fn policy(actions: &[DropAction]) -> DropPolicy {
        DropPolicy {
            actions: actions.to_vec(),
            ..DropPolicy::default()
        }
    }

    #[test]
    fn the_threshold_is_a_share_of_all_events() {
        let mut m = DropMonitor::new(policy(&[DropAction::Alert]), 0);
        assert_eq!(m.check(900, 100, S), None, "10% is not above 0.1");
        let r = m.check(800, 200, 2 * S).expect("20% is");
        assert_eq!((r.dropped, r.total), (200, 1000));
        assert_eq!(r.actions, [DropAction::Alert]);
        assert_eq!(m.check(1000, 0, 3 * S), None, "no drops");
    }

    #[test]
    fn the_token_bucket_limits_how_often_actions_run() {
        // Falco's defaults: one token saved, one more every 30 s.
        let mut m = DropMonitor::new(policy(&[DropAction::Log, DropAction::Alert]), 0);
        assert!(m.check(0, 5, S).is_some());
        for t in 2..30 {
            assert_eq!(m.check(0, 5, t * S), None, "second {t}");
        }
        assert!(m.check(0, 5, 32 * S).is_some(), "refilled after 30 s");
    }

    #[test]
    fn actions_run_log_then_alert_then_exit_and_ignore_does_nothing() {
        let mut m = DropMonitor::new(
            policy(&[DropAction::Exit, DropAction::Alert, DropAction::Log]),
            0,
        );
        let r = m.check(0, 1, S).expect("drops");
        assert_eq!(
            r.actions,
            [DropAction::Log, DropAction::Alert, DropAction::Exit]
        );
        let mut m = DropMonitor::new(policy(&[DropAction::Ignore]), 0);
        assert_eq!(m.check(0, 1, S).map(|r| r.actions), Some(vec![]));
    }

    #[test]
    fn simulated_drops_ignore_the_threshold() {
        let p = DropPolicy {
            simulate: true,
            ..policy(&[DropAction::Alert])
        };
        let mut m = DropMonitor::new(p, 0);
        let r = m.check(1_000_000, 0, S).expect("one simulated drop");
        assert_eq!((r.dropped, r.total), (1, 1_000_001));
    }
}
