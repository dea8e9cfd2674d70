//! The VM side of a test run: the analysed rules compiled into a bundle, loaded into the
//! VM, and the alerts of a case's events.

use falco_events::Event;

use super::coverage::{Collector, RunCoverage};
use super::format::RuleMatching;
use crate::cli::compile::{compile_analysis, compile_traced};
use falco_analysis::Analysis;

/// An alert, as far as tests look at it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// The rule that fired.
    pub rule: String,
    /// Its output fields as (field, text), `<NA>` for missing values.
    pub output_fields: Vec<(String, String)>,
}

/// The compiled rules of one test file.
pub struct Engine {
    vm: falco_vm::Engine,
    /// With coverage: what each evaluation made of each operand.
    collector: Option<Collector>,
}

impl Engine {
    /// Compiles `analysis` (which has no errors) and loads the bundle into the VM, the
    /// way `falco-rulec compile` and `replay` do: through the encoded bytes, so the
    /// verifier runs too. With `coverage`, the rules are compiled one check per
    /// operand and every evaluation is counted.
    pub fn new(
        analysis: &Analysis,
        matching: RuleMatching,
        coverage: bool,
    ) -> Result<Engine, String> {
        let (bytes, collector) = if coverage {
            let (compiled, maps) = compile_traced(analysis).map_err(|error| error.to_string())?;
            (compiled.bytes, Some(Collector::new(maps)))
        } else {
            let compiled = compile_analysis(analysis).map_err(|error| error.to_string())?;
            (compiled.bytes, None)
        };
        let mut vm = falco_vm::Engine::load(&bytes).map_err(|error| error.to_string())?;
        vm.set_rule_matching(match matching {
            RuleMatching::First => falco_vm::RuleMatching::First,
            RuleMatching::All => falco_vm::RuleMatching::All,
        });
        Ok(Engine { vm, collector })
    }

    /// The alerts of `events`, in order.
    pub fn run(&mut self, events: &[Event]) -> Vec<Alert> {
        let mut scratch = self.vm.scratch();
        let mut alerts = Vec::new();
        let mut hits = Vec::new();
        for event in events {
            match &mut self.collector {
                Some(collector) => {
                    self.vm
                        .matching_rules_traced(event, &mut scratch, &mut hits, collector);
                }
                None => self.vm.matching_rules(event, &mut scratch, &mut hits),
            }
            for &rule in &hits {
                let Some(alert) = self.vm.alert(rule, event, &mut scratch) else {
                    continue;
                };
                alerts.push(Alert {
                    rule: alert.rule,
                    output_fields: alert
                        .output_fields
                        .into_iter()
                        .map(|field| (field.name, field.text))
                        .collect(),
                });
            }
        }
        alerts
    }

    /// With coverage, what the runs so far covered of `analysis` (the ruleset this
    /// engine was compiled from).
    pub fn coverage(&self, analysis: &Analysis) -> Option<RunCoverage> {
        let names: Vec<String> = self
            .vm
            .rules()
            .iter()
            .map(|rule| rule.name.clone())
            .collect();
        Some(self.collector.as_ref()?.resolve(analysis, &names))
    }
}
