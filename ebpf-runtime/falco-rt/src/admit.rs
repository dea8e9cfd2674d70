//! The checks a bundle passes before it runs, whatever its source (a file or a
//! registry), in this order: signature, verifier, compatibility, dry-run load. (A
//! registry's digests are checked before, by `falco-registry` when pulling.)

use std::fmt;

use falco_bundle::Bundle;
use falco_registry::signature::{self, Envelope, VerifyKey};
use falco_schema::ENGINE_VERSION;
use falco_vm::Engine;

use crate::append;
use crate::config::Config;

/// The stage a bundle failed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading it (file or registry; digests).
    Fetch,
    /// Its signature.
    Signature,
    /// The bundle verifier.
    Verify,
    /// Engine version, fields, syscalls.
    Compatibility,
    /// Loading it into the VM.
    Load,
}

impl Stage {
    /// The stage's name in alerts and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Fetch => "fetch",
            Stage::Signature => "signature",
            Stage::Verify => "verify",
            Stage::Compatibility => "compatibility",
            Stage::Load => "load",
        }
    }
}

/// Why a bundle was not put in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Where it failed.
    pub stage: Stage,
    /// Why.
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.stage.name(), self.reason)
    }
}

impl Refusal {
    /// A refusal at `stage`.
    pub fn new(stage: Stage, reason: impl fmt::Display) -> Refusal {
        Refusal {
            stage,
            reason: reason.to_string(),
        }
    }
}

/// Which signatures are required.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// `--verify-key` files; empty: signatures are not checked.
    pub keys: Vec<VerifyKey>,
}

/// Runs the checks on bundle `bytes` with its signature envelope; the engine to run.
/// `compatibility` is asked for bundles from a registry (a file given by hand runs as
/// it is, with `<NA>` for the fields falco-rt does not supply).
pub fn admit(
    bytes: &[u8],
    envelope: Option<&Envelope>,
    policy: &Policy,
    compatibility: bool,
    cfg: &Config,
    hostname: &str,
) -> Result<Engine, Refusal> {
    if !policy.keys.is_empty() {
        signature::verify_bundle(envelope, bytes, &policy.keys)
            .map_err(|e| Refusal::new(Stage::Signature, e))?;
    }
    let mut bundle = falco_bundle::decode(bytes).map_err(|e| Refusal::new(Stage::Verify, e))?;
    if compatibility {
        compatible(&bundle).map_err(|e| Refusal::new(Stage::Compatibility, e))?;
    }
    // The configuration's `append_output`, as Falco's rule loader applies it.
    let extras =
        append::apply(&mut bundle, &cfg.append).map_err(|e| Refusal::new(Stage::Load, e))?;
    let mut engine = Engine::from_bundle(bundle).map_err(|e| Refusal::new(Stage::Load, e))?;
    for (rule, fields) in extras {
        engine.set_extra_fields(rule, fields);
    }
    engine.set_rule_matching(cfg.rule_matching);
    engine.set_min_priority(cfg.min_priority);
    engine.set_hostname(hostname);
    Ok(engine)
}

/// Whether falco-rt can serve `bundle`: its required engine version, the fields its
/// enabled syscall rules use (what `falco-rulec inspect --runtime` lists), and the
/// event types they need captured.
pub fn compatible(bundle: &Bundle) -> Result<(), String> {
    if let Some(v) = &bundle.required_engine_version
        && let Some(required) = parse_version(v)
        && required > ENGINE_VERSION
    {
        let (a, b, c) = ENGINE_VERSION;
        return Err(format!(
            "the rules require engine version {v}, falco-rt serves {a}.{b}.{c}"
        ));
    }
    let syscall_source = bundle.sources.iter().position(|s| s == "syscall");
    let mut unsupplied: Vec<String> = Vec::new();
    for rule in bundle
        .rules
        .iter()
        .filter(|r| r.enabled && Some(r.source as usize) == syscall_source)
    {
        for &id in &rule.fields {
            if let Some(f) = bundle.fields.get(id as usize)
                && !falco_events::agent_fields::supplies(&f.name)
            {
                unsupplied.push(format!("{} ({})", f.name, rule.name));
            }
        }
    }
    if !unsupplied.is_empty() {
        unsupplied.sort();
        unsupplied.dedup();
        return Err(format!(
            "fields falco-rt cannot supply: {}",
            unsupplied.join(", ")
        ));
    }
    let uncapturable: Vec<&str> = bundle
        .syscalls
        .names
        .iter()
        .map(String::as_str)
        .filter(|n| !crate::gaps::capturable(n))
        .collect();
    if !uncapturable.is_empty() {
        return Err(format!(
            "event types falco-rt cannot capture on this kernel: {}",
            uncapturable.join(", ")
        ));
    }
    Ok(())
}

fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let mut parts = v.trim().split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(0);
    let patch = parts.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(required: Option<&str>, syscalls: &[&str]) -> Bundle {
        Bundle {
            engine_version: "test".into(),
            required_engine_version: required.map(str::to_string),
            plugins: Vec::new(),
            sources: vec!["syscall".into()],
            fields: Vec::new(),
            consts: Vec::new(),
            operands: Vec::new(),
            checks: Vec::new(),
            code: Vec::new(),
            rules: Vec::new(),
            syscalls: falco_bundle::SyscallSet {
                all: false,
                names: syscalls.iter().map(|s| s.to_string()).collect(),
            },
        }
    }

    #[test]
    fn engine_versions_and_event_types_are_checked() {
        assert!(compatible(&bundle(Some("0.26.0"), &["execve", "openat", "procexit"])).is_ok());
        assert!(compatible(&bundle(Some("0.63.0"), &[])).is_ok());
        let e = compatible(&bundle(Some("0.64.0"), &[])).expect_err("too new");
        assert!(
            e.contains("require engine version 0.64.0, falco-rt serves 0.63.0"),
            "{e}"
        );
        let e = compatible(&bundle(None, &["execve", "container"])).expect_err("not capturable");
        assert!(
            e.ends_with("cannot capture on this kernel: container"),
            "{e}"
        );
    }
}
