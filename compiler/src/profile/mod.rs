//! Per-rule costs of a replay (`falco-rulec replay --profile`): how often each rule
//! was evaluated and matched, and the time its evaluations took, collected through the
//! VM's trace hook ([`falco_vm::Trace`]) and rendered as a table (`report::table`) and
//! as JSON (`report::json`, the file the language server shows in a rule's hover).
//!
//! What the figures mean (`docs/profile.md`): a rule is evaluated on the events the
//! event-type index gives it, until an earlier rule matches with
//! `rule_matching: first`. Its time is the monotonic clock read around each
//! evaluation on the replay thread. A check that several rules share (through a
//! macro) runs once per event, and its cost goes to the first rule that needs it.

pub mod report;

use std::time::Instant;

use falco_vm::{Engine, Trace};

/// The figures of one rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuleCost {
    /// Events the rule was evaluated on.
    pub evaluations: u64,
    /// Of those, the events it matched.
    pub matches: u64,
    /// Nanoseconds spent evaluating it.
    pub nanos: u64,
}

/// A [`Trace`] that times each rule evaluation.
#[derive(Debug)]
pub struct Profiler {
    /// When the rule being evaluated started.
    started: Instant,
    /// By rule index.
    costs: Vec<RuleCost>,
}

impl Profiler {
    /// A profiler for the rules of `engine`.
    pub fn new(engine: &Engine) -> Profiler {
        Profiler {
            started: Instant::now(),
            costs: vec![RuleCost::default(); engine.rules().len()],
        }
    }

    /// The figures so far, by rule index.
    pub fn costs(&self) -> &[RuleCost] {
        &self.costs
    }
}

impl Trace for Profiler {
    #[inline]
    fn enter(&mut self, _rule: usize) {
        self.started = Instant::now();
    }

    #[inline]
    fn leave(&mut self, rule: usize, matched: bool) {
        let nanos = u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        if let Some(cost) = self.costs.get_mut(rule) {
            cost.evaluations += 1;
            cost.matches += u64::from(matched);
            cost.nanos = cost.nanos.saturating_add(nanos);
        }
    }
}

/// One rule's line of a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleProfile {
    /// The rule's name.
    pub rule: String,
    /// Its event source.
    pub source: String,
    /// What the replay measured.
    pub cost: RuleCost,
}

/// A replay's profile: the active rules (enabled, at or above the minimum priority),
/// most expensive first (then by name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Events replayed.
    pub events: u64,
    /// The rules.
    pub rules: Vec<RuleProfile>,
}

impl Profile {
    /// The profile of a replay through `engine` with these figures.
    pub fn new(engine: &Engine, events: u64, costs: &[RuleCost]) -> Profile {
        let sources = &engine.bundle().sources;
        let mut rules: Vec<RuleProfile> = engine
            .rules()
            .iter()
            .zip(costs)
            .enumerate()
            .filter(|(index, _)| engine.is_active(*index))
            .map(|(_, (rule, cost))| RuleProfile {
                rule: rule.name.clone(),
                source: sources
                    .get(rule.source as usize)
                    .cloned()
                    .unwrap_or_default(),
                cost: *cost,
            })
            .collect();
        rules.sort_by(|a, b| {
            b.cost
                .nanos
                .cmp(&a.cost.nanos)
                .then(b.cost.evaluations.cmp(&a.cost.evaluations))
                .then_with(|| a.rule.cmp(&b.rule))
        });
        Profile { events, rules }
    }

    /// Nanoseconds spent in all rules.
    pub fn total_nanos(&self) -> u64 {
        self.rules
            .iter()
            .fold(0, |sum, rule| sum.saturating_add(rule.cost.nanos))
    }
}
