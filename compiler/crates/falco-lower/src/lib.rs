//! Lowering: typed rules → IR → a [`falco_bundle::Bundle`].
//!
//! ```text
//! let input = Input { ruleset: &analysis.ruleset, rules: &typed.rules, macros: &typed.macros,
//!                     engine_version: env!("CARGO_PKG_VERSION") };
//! let Lowered { bundle, skipped } = lower(&input)?;      // Err: rules that cannot be lowered
//! let bytes = falco_bundle::encode(&bundle);
//! ```
//!
//! - Macros are inlined from their typed trees (bound through each condition's
//!   `macro_refs`), `and`/`or` become forward jumps that short-circuit.
//! - Disjunctions over one operand merge into one check (`=`s into an `in` set;
//!   `contains`/`startswith`/`endswith`/`glob` into a multi-pattern check), and
//!   exception tuples (`(f1 = a and f2 = b) or ...`) into one tuple check that the VM
//!   answers with a hash lookup on the first value. The VM turns
//!   sets into hash sets, prefix lists into prefix sets, contains lists into
//!   Aho-Corasick automata, globs and regexes into compiled matchers, networks into
//!   CIDR matchers.
//! - Each rule gets its event types (libsinsp's evttype analysis through `not`,
//!   reusing `falco_typeck::event_types`), the fields it reads, and its output
//!   template as text and field references.
//! - Rules with an unknown source, or with `skip-if-unknown-filter` and a field the
//!   source lacks, are skipped (as Falco skips them) and listed in
//!   [`Lowered::skipped`].

mod expr;
mod ir;
mod map;
mod tables;

#[cfg(test)]
mod tests;

/// Runs `f` with at least [`STACK_RED_ZONE`] of stack left, moving to a new
/// [`STACK_SEGMENT`] when less is (the recursive steps of lowering call it, as the
/// condition parser grows its stack through chumsky).
pub(crate) fn grow_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, f)
}

/// The stack one recursive step of lowering may need (a few KiB in a debug build).
const STACK_RED_ZONE: usize = 64 << 10;

/// The size of each stack segment lowering adds when it runs short.
const STACK_SEGMENT: usize = 1 << 20;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use falco_bundle::{Bundle, EventTypes, OutputPart, PluginRequirement, Rule, SyscallSet};
use falco_resolve::expansion::{
    MAX_EXPANDED_CHECKS, MAX_INLINED_DEPTH, condition_expansion, macro_expansions,
};
use falco_resolve::{MacroId, Ruleset};
use falco_schema::Schema;
use falco_typeck::{Context, EventTypeSet, TypedExpr, TypedOutputPart, check_output, event_types};

use crate::expr::Lowerer;
use crate::tables::Tables;

pub use crate::map::{CodeKind, CodeNode};

/// What lowering reads: the resolved ruleset and its typed conditions (as
/// `falco_analysis::TypedRuleset` holds them).
pub struct Input<'a> {
    /// The resolved ruleset.
    pub ruleset: &'a Ruleset,
    /// Typed condition of each rule, by index in `ruleset.rules` (`None`: skipped).
    pub rules: &'a [Option<Arc<TypedExpr>>],
    /// Typed condition of each macro, per source it is used with.
    pub macros: &'a HashMap<(MacroId, String), Arc<TypedExpr>>,
    /// The compiler's version, recorded in the bundle.
    pub engine_version: &'a str,
}

/// A lowered ruleset.
#[derive(Debug)]
pub struct Lowered {
    /// The bundle.
    pub bundle: Bundle,
    /// Rules left out, with why (unknown source, unknown field under
    /// `skip-if-unknown-filter`).
    pub skipped: Vec<LowerError>,
}

/// A rule that could not be lowered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerError {
    /// The rule's name.
    pub rule: String,
    /// Why.
    pub message: String,
}

impl std::fmt::Display for LowerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rule `{}`: {}", self.rule, self.message)
    }
}

/// Lowers every rule. Fails with every rule that has an error (lint reports those
/// first, so a clean lint never fails here).
pub fn lower(input: &Input<'_>) -> Result<Lowered, Vec<LowerError>> {
    lower_with(input, false).map(|(lowered, _)| lowered)
}

/// Lowers every rule as [`lower`] does, but one check per operand as written (no
/// disjunction is merged into a set, no tuple check is built, nothing is
/// flattened), and returns beside the bundle, for each of its rules, where each
/// piece of its code came from. The rules match the same events; their code is
/// longer. Coverage and `show` use it.
pub fn lower_traced(input: &Input<'_>) -> Result<(Lowered, Vec<CodeNode>), Vec<LowerError>> {
    lower_with(input, true)
}

fn lower_with(
    input: &Input<'_>,
    traced: bool,
) -> Result<(Lowered, Vec<CodeNode>), Vec<LowerError>> {
    let schema = Schema::get();
    let mut tables = Tables::default();
    let mut code = Vec::new();
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    let mut syscalls = BTreeSet::new();
    let mut all_syscalls = false;
    let expansions = macro_expansions(&input.ruleset.macros);
    let mut maps = Vec::new();
    for (index, rule) in input.ruleset.rules.iter().enumerate() {
        let fail = |message: String| LowerError {
            rule: rule.name.clone(),
            message,
        };
        let tree = match input.rules.get(index) {
            Some(Some(tree)) if !rule.unknown_source => tree,
            _ => {
                skipped.push(fail(format!("source `{}` is not known", rule.source)));
                continue;
            }
        };
        // Lint reports these (E210, E211); inlining them would not finish.
        let expansion = condition_expansion(&rule.condition, &expansions);
        if expansion.depth > MAX_INLINED_DEPTH || expansion.checks > MAX_EXPANDED_CHECKS {
            errors.push(fail(format!(
                "with its macros inlined the condition nests {} deep and holds {} checks (at most {MAX_INLINED_DEPTH} and {MAX_EXPANDED_CHECKS})",
                expansion.depth, expansion.checks
            )));
            continue;
        }
        let source_id = tables.source(&rule.source);
        let mut lowerer = Lowerer {
            ruleset: input.ruleset,
            macros: input.macros,
            source: &rule.source,
            source_id,
            tables: &mut tables,
            fields: Vec::new(),
            traced,
        };
        let condition = lowerer.expr(tree, &rule.condition, 0);
        let ctx = Context::new(schema, &rule.source);
        let (typed_output, _) = check_output(&rule.output_ast, &ctx);
        let output = output_parts(&mut lowerer, &typed_output.parts);
        let (condition, output) = match (condition, output) {
            (Ok(c), Ok(o)) => (c, o),
            (Err(message), _) | (_, Err(message)) => {
                if rule.skip_if_unknown_filter {
                    skipped.push(fail(message));
                } else {
                    errors.push(fail(message));
                }
                continue;
            }
        };
        let mut fields = std::mem::take(&mut lowerer.fields);
        fields.sort_unstable();
        let code_start = code.len();
        let condition = if traced {
            condition
        } else {
            condition.simplify(&mut tables)
        };
        let map = condition.emit(&mut tables, &mut code);
        if traced {
            maps.push(map);
        }
        code.push(falco_bundle::Insn::Return);
        let event_types = rule_event_types(input, tree, &rule.source);
        if rule.enabled && rule.source == "syscall" {
            match &event_types {
                EventTypes::Only(names) => syscalls.extend(names.iter().cloned()),
                EventTypes::All | EventTypes::AllExcept(_) => all_syscalls = true,
                EventTypes::None => {}
            }
        }
        rules.push(Rule {
            name: rule.name.clone(),
            desc: rule.desc.clone(),
            priority: rule.priority,
            tags: rule.tags.clone(),
            source: source_id,
            enabled: rule.enabled,
            output,
            code_start: to_u32(code_start),
            code_len: to_u32(code.len() - code_start),
            event_types,
            fields,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let ruleset = input.ruleset;
    let bundle = Bundle {
        engine_version: input.engine_version.to_owned(),
        required_engine_version: ruleset.required_engine_version.map(|v| v.to_string()),
        plugins: ruleset
            .plugin_requirements
            .iter()
            .map(|p| PluginRequirement {
                name: p.name.value.clone(),
                version: p.version.value.to_string(),
                alternatives: p
                    .alternatives
                    .iter()
                    .map(|a| (a.name.value.clone(), a.version.value.to_string()))
                    .collect(),
            })
            .collect(),
        sources: tables.sources,
        fields: tables.fields,
        consts: tables.consts,
        operands: tables.operands,
        checks: tables.checks,
        code,
        rules,
        syscalls: SyscallSet {
            all: all_syscalls,
            names: syscalls.into_iter().collect(),
        },
    };
    Ok((Lowered { bundle, skipped }, maps))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The output template: text and field references, trimmed as Falco trims it.
fn output_parts(
    lowerer: &mut Lowerer<'_>,
    parts: &[TypedOutputPart],
) -> Result<Vec<OutputPart>, String> {
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            TypedOutputPart::Text(text, _) => match out.last_mut() {
                Some(OutputPart::Text(prev)) => prev.push_str(text),
                _ => out.push(OutputPart::Text(text.clone())),
            },
            TypedOutputPart::Field(field, _) => out.push(OutputPart::Field(lowerer.field(field))),
            TypedOutputPart::ContainerInfo(_) => {}
            TypedOutputPart::Error(_) => return Err("the output has an unknown field".into()),
        }
    }
    if let Some(OutputPart::Text(first)) = out.first_mut() {
        *first = first.trim_start().to_owned();
    }
    if let Some(OutputPart::Text(last)) = out.last_mut() {
        *last = last.trim_end().to_owned();
    }
    out.retain(|p| !matches!(p, OutputPart::Text(t) if t.is_empty()));
    Ok(out)
}

fn rule_event_types(input: &Input<'_>, tree: &TypedExpr, source: &str) -> EventTypes {
    if source != "syscall" {
        return EventTypes::All;
    }
    let lookup = |name: &str| {
        let id = input.ruleset.macros.iter().position(|m| m.name == name)?;
        input
            .macros
            .get(&(id, source.to_owned()))
            .map(|tree| &**tree)
    };
    match event_types(tree, &lookup, Schema::get(), source) {
        EventTypeSet::None => EventTypes::None,
        EventTypeSet::All => EventTypes::All,
        EventTypeSet::Only(names) => EventTypes::Only(names.into_iter().collect()),
        EventTypeSet::AllExcept(names) => EventTypes::AllExcept(names.into_iter().collect()),
    }
}
