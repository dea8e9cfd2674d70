//! The VM side of a test run: the analysed rules compiled into a bundle, loaded into the
//! VM, and the alerts of a case's events.

use falco_events::Event;

use super::format::RuleMatching;
use crate::cli::compile::compile_analysis;
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
}

impl Engine {
    /// Compiles `analysis` (which has no errors) and loads the bundle into the VM, the
    /// way `falco-rulec compile` and `replay` do: through the encoded bytes, so the
    /// verifier runs too.
    pub fn new(analysis: &Analysis, matching: RuleMatching) -> Result<Engine, String> {
        let compiled = compile_analysis(analysis).map_err(|error| error.to_string())?;
        let mut vm = falco_vm::Engine::load(&compiled.bytes).map_err(|error| error.to_string())?;
        vm.set_rule_matching(match matching {
            RuleMatching::First => falco_vm::RuleMatching::First,
            RuleMatching::All => falco_vm::RuleMatching::All,
        });
        Ok(Engine { vm })
    }

    /// The alerts of `events`, in order.
    pub fn run(&self, events: &[Event]) -> Vec<Alert> {
        let mut scratch = self.vm.scratch();
        let mut alerts = Vec::new();
        for event in events {
            for alert in self.vm.process(event, &mut scratch) {
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
}
