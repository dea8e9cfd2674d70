//! The engine: a verified bundle with its extractors and matchers built, the
//! per-source event-type index, and the interpreter loop.

use std::fmt;

use falco_bundle::{Bundle, BundleError, EventTypes, Insn, Priority, Rule, SyscallSet};
use falco_events::{Event, Extractor, FieldValue, Source};
use rustc_hash::FxHashMap;

use crate::alert::{Alert, OutputField};
use crate::check::{CompiledCheck, Matcher, Tuples, compile};
use crate::fields::{EventFields, FieldStore};
use crate::operand::{Level, Operands};

/// What a traced evaluation ([`Engine::matching_rules_traced`]) reports. Every
/// method does nothing by default; `()` is the tracer that records nothing, and
/// evaluating with it is the untraced evaluation.
pub trait Trace {
    /// Rule `rule` (an index into [`Engine::rules`]) is evaluated on the event.
    #[inline(always)]
    fn enter(&mut self, _rule: usize) {}
    /// The instruction at `pc` (an index into the bundle's code), a check or a
    /// constant, left `acc` in the accumulator.
    #[inline(always)]
    fn step(&mut self, _pc: usize, _acc: bool) {}
    /// Rule `rule` was evaluated, and `matched` or not.
    #[inline(always)]
    fn leave(&mut self, _rule: usize, _matched: bool) {}
}

impl Trace for () {}

/// Falco's `rule_matching` option.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RuleMatching {
    /// Stop at the first matching rule of an event (Falco's default).
    #[default]
    First,
    /// Report every matching rule.
    All,
}

/// Why a bundle could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The bytes are not a valid bundle.
    Bundle(BundleError),
    /// A check's matcher could not be built (e.g. a regex this engine refuses).
    Check {
        /// The check's index.
        index: usize,
        /// Why.
        message: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Bundle(e) => e.fmt(f),
            LoadError::Check { index, message } => {
                write!(f, "invalid bundle: check {index}: {message}")
            }
        }
    }
}

impl std::error::Error for LoadError {}

impl From<BundleError> for LoadError {
    fn from(e: BundleError) -> Self {
        LoadError::Bundle(e)
    }
}

/// Per-evaluation buffers. Make one per thread with [`Engine::scratch`] and reuse it:
/// evaluation then allocates nothing once the buffers have grown.
#[derive(Debug)]
pub struct Scratch {
    eval: Eval,
    render: falco_events::Scratch,
    /// Field values of the current event.
    fields: FieldStore,
}

/// The buffers of the interpreter and the checks.
#[derive(Debug)]
struct Eval {
    lhs: Vec<Level>,
    rhs: Vec<Level>,
    /// Per check: the generation (event) its result is for, and the result. Rules
    /// share checks through macros, so each check runs at most once per event.
    memo: Vec<(u32, bool)>,
    generation: u32,
    /// Candidate rows of a tuple check.
    rows: Vec<u32>,
}

impl Scratch {
    /// Starts a new event (forgetting every remembered check result and field value)
    /// and runs `work` on it.
    fn with_event<R>(
        &mut self,
        event: &Event,
        work: impl for<'e> FnOnce(&'e Event, &mut Eval, &mut EventFields<'e>) -> R,
    ) -> R {
        let eval = &mut self.eval;
        eval.generation = eval.generation.wrapping_add(1);
        if eval.generation == 0 {
            eval.memo.iter_mut().for_each(|m| *m = (0, false));
            eval.generation = 1;
        }
        self.fields
            .with_event(eval.generation, event, |event, fields| {
                work(event, eval, fields)
            })
    }
}

/// Rules of one source, indexed by event type.
#[derive(Debug, Default)]
struct SourceIndex {
    name: String,
    /// Rules that can match each event type some rule names.
    by_type: FxHashMap<String, Vec<u32>>,
    /// Rules for every other event type (and for sources without event types).
    other: Vec<u32>,
    /// `evt.time` and `evt.time.iso8601` of this source.
    clock: Option<[Extractor; 2]>,
}

/// A loaded, verified bundle, ready to evaluate events. Immutable while evaluating,
/// so one engine can serve several threads (each with its own [`Scratch`]).
#[derive(Debug)]
pub struct Engine {
    bundle: Bundle,
    operands: Operands,
    checks: Vec<CompiledCheck>,
    sources: Vec<SourceIndex>,
    /// Index into `sources` for each event source this crate reads.
    by_source: [Option<usize>; 2],
    rule_matching: RuleMatching,
    min_priority: Priority,
    hostname: String,
    /// Output fields only JSON alerts carry, by rule ([`Engine::set_extra_fields`]).
    extra_fields: Vec<Vec<ExtraField>>,
}

/// An output field that JSON alerts carry in `output_fields` but the text does not
/// show: Falco's `append_output.extra_fields`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtraField {
    /// A field's value, typed, under `key` (index into the bundle's fields).
    Raw {
        /// The key in `output_fields`.
        key: String,
        /// The field (index into [`Bundle::fields`]).
        field: u32,
    },
    /// A rendered format, as a string, under `key`.
    Formatted {
        /// The key in `output_fields`.
        key: String,
        /// The format's text and fields.
        parts: Vec<falco_bundle::OutputPart>,
    },
}

impl Engine {
    /// Decodes, verifies and loads bundle bytes.
    pub fn load(bytes: &[u8]) -> Result<Engine, LoadError> {
        Engine::from_bundle(falco_bundle::decode(bytes)?)
    }

    /// Loads a bundle that is already decoded (it is verified again).
    pub fn from_bundle(bundle: Bundle) -> Result<Engine, LoadError> {
        falco_bundle::verify(&bundle)?;
        let extractors = bundle
            .fields
            .iter()
            .map(|f| {
                let source = bundle.sources.get(f.source as usize)?;
                Extractor::new(source, &f.name, f.arg.as_deref()).ok()
            })
            .collect();
        let checks = bundle
            .checks
            .iter()
            .enumerate()
            .map(|(index, c)| {
                compile(c, &bundle.consts, &bundle.operands)
                    .map_err(|message| LoadError::Check { index, message })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let operands = Operands {
            operands: bundle.operands.clone(),
            extractors,
        };
        let mut engine = Engine {
            bundle,
            operands,
            checks,
            sources: Vec::new(),
            by_source: [None, None],
            rule_matching: RuleMatching::First,
            min_priority: Priority::Debug,
            hostname: String::new(),
            extra_fields: Vec::new(),
        };
        engine.build_index();
        Ok(engine)
    }

    /// Gives rule `rule`'s JSON alerts these extra output fields (a key the output
    /// already has takes the extra field's value, as in Falco). Field indexes must be
    /// valid for the bundle; others render as `<NA>`.
    pub fn set_extra_fields(&mut self, rule: usize, fields: Vec<ExtraField>) {
        if self.extra_fields.len() <= rule {
            self.extra_fields.resize_with(rule + 1, Vec::new);
        }
        self.extra_fields[rule] = fields;
    }

    /// The bundle.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// The rules, in load order; rule ids index this.
    pub fn rules(&self) -> &[Rule] {
        &self.bundle.rules
    }

    /// The syscall event types the bundle's enabled rules need.
    pub fn syscalls(&self) -> &SyscallSet {
        &self.bundle.syscalls
    }

    /// Fields the bundle reads that cannot be computed from events here (they are
    /// always `<NA>`), as `name` or `name[arg]`, sorted.
    pub fn unsupported_fields(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .bundle
            .fields
            .iter()
            .zip(&self.operands.extractors)
            .filter(|(_, e)| !e.as_ref().is_some_and(Extractor::is_supported))
            .map(|(f, _)| match &f.arg {
                Some(arg) => format!("{}[{arg}]", f.name),
                None => f.name.clone(),
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Sets `rule_matching` (default [`RuleMatching::First`]).
    pub fn set_rule_matching(&mut self, matching: RuleMatching) {
        self.rule_matching = matching;
    }

    /// Loads only rules at least this severe (Falco's `priority` option; default
    /// `Debug`, every rule).
    pub fn set_min_priority(&mut self, priority: Priority) {
        self.min_priority = priority;
        self.build_index();
    }

    /// Whether rule `rule` (an index into [`Engine::rules`]) is evaluated at all:
    /// enabled, and at least as severe as the minimum priority. False for a bad index.
    pub fn is_active(&self, rule: usize) -> bool {
        self.bundle
            .rules
            .get(rule)
            .is_some_and(|r| r.enabled && r.priority <= self.min_priority)
    }

    /// The host name alerts report for events that carry none.
    pub fn set_hostname(&mut self, hostname: impl Into<String>) {
        self.hostname = hostname.into();
    }

    /// Fresh evaluation buffers.
    pub fn scratch(&self) -> Scratch {
        let levels = || {
            (0..falco_bundle::MAX_OPERAND_DEPTH)
                .map(|_| Level::default())
                .collect()
        };
        Scratch {
            eval: Eval {
                lhs: levels(),
                rhs: levels(),
                memo: vec![(0, false); self.checks.len()],
                generation: 0,
                rows: Vec::new(),
            },
            render: falco_events::Scratch::new(),
            fields: FieldStore::new(self.bundle.fields.len()),
        }
    }

    fn build_index(&mut self) {
        let mut sources: Vec<SourceIndex> = self
            .bundle
            .sources
            .iter()
            .map(|name| SourceIndex {
                name: name.clone(),
                clock: ["evt.time", "evt.time.iso8601"]
                    .map(|f| Extractor::new(name, f, None).ok())
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .and_then(|v| v.try_into().ok()),
                ..SourceIndex::default()
            })
            .collect();
        let active: Vec<(u32, &Rule)> = self
            .bundle
            .rules
            .iter()
            .enumerate()
            .filter(|(i, _)| self.is_active(*i))
            .map(|(i, r)| (u32::try_from(i).unwrap_or(u32::MAX), r))
            .collect();
        for (_, rule) in &active {
            if let EventTypes::Only(names) | EventTypes::AllExcept(names) = &rule.event_types
                && let Some(index) = sources.get_mut(rule.source as usize)
            {
                for name in names {
                    index.by_type.entry(name.clone()).or_default();
                }
            }
        }
        for (id, rule) in &active {
            let Some(index) = sources.get_mut(rule.source as usize) else {
                continue;
            };
            for (name, ids) in index.by_type.iter_mut() {
                if rule.event_types.contains(name) {
                    ids.push(*id);
                }
            }
            if matches!(rule.event_types, EventTypes::All | EventTypes::AllExcept(_)) {
                index.other.push(*id);
            }
        }
        self.by_source = [Source::Syscall, Source::K8sAudit]
            .map(|src| sources.iter().position(|s| s.name == src.name()));
        self.sources = sources;
    }

    /// The enabled rules (at or above the minimum priority) that can match `event`'s
    /// source and type, in load order.
    pub fn candidates(&self, event: &Event) -> &[u32] {
        let slot = match event.source() {
            Source::Syscall => 0,
            Source::K8sAudit => 1,
        };
        let Some(index) = self
            .by_source
            .get(slot)
            .copied()
            .flatten()
            .and_then(|i| self.sources.get(i))
        else {
            return &[];
        };
        match event.event_type().and_then(|t| index.by_type.get(t)) {
            Some(ids) => ids,
            None => &index.other,
        }
    }

    /// The rules that match `event`, in load order, into `out` (cleared first): the
    /// first only, or all, as `rule_matching` says.
    pub fn matching_rules(&self, event: &Event, scratch: &mut Scratch, out: &mut Vec<usize>) {
        out.clear();
        let candidates = self.candidates(event);
        if candidates.is_empty() {
            return;
        }
        scratch.with_event(event, |event, eval, fields| {
            for &id in candidates {
                if self.run(id as usize, event, eval, fields) {
                    out.push(id as usize);
                    if self.rule_matching == RuleMatching::First {
                        return;
                    }
                }
            }
        });
    }

    /// [`Engine::matching_rules`], telling `trace` each rule it evaluates and the
    /// result of each check it runs (for coverage and per-rule costs). The same
    /// selection as `matching_rules`; a `dyn Trace`, so the traced interpreter is
    /// compiled here once and the untraced one keeps its code (`docs/perf.md`,
    /// "Rule VM": a generic `matching_rules_traced` shared with `matching_rules`
    /// measured 5-10% slower).
    pub fn matching_rules_traced(
        &self,
        event: &Event,
        scratch: &mut Scratch,
        out: &mut Vec<usize>,
        trace: &mut dyn Trace,
    ) {
        out.clear();
        let candidates = self.candidates(event);
        if candidates.is_empty() {
            return;
        }
        scratch.with_event(event, |event, eval, fields| {
            for &id in candidates {
                if self.interpret(id as usize, event, eval, fields, trace) {
                    out.push(id as usize);
                    if self.rule_matching == RuleMatching::First {
                        return;
                    }
                }
            }
        });
    }

    /// Whether rule `rule` (an index into [`Engine::rules`]) matches `event`,
    /// regardless of event type, enabled flag or priority. False for a bad index.
    pub fn rule_matches(&self, rule: usize, event: &Event, scratch: &mut Scratch) -> bool {
        scratch.with_event(event, |event, eval, fields| {
            self.run(rule, event, eval, fields)
        })
    }

    /// Runs a rule's code, reusing check results of the current event.
    fn run<'e>(
        &self,
        index: usize,
        event: &'e Event,
        eval: &mut Eval,
        fields: &mut EventFields<'e>,
    ) -> bool {
        self.interpret(index, event, eval, fields, &mut ())
    }

    /// The interpreter behind [`Engine::run`] (with the empty tracer, which
    /// compiles to nothing) and the traced evaluation. Inlined into both, so
    /// the untraced `run` keeps its own place in the code.
    #[inline(always)]
    fn interpret<'e, T: Trace + ?Sized>(
        &self,
        index: usize,
        event: &'e Event,
        eval: &mut Eval,
        fields: &mut EventFields<'e>,
        trace: &mut T,
    ) -> bool {
        let Some(rule) = self.bundle.rules.get(index) else {
            return false;
        };
        trace.enter(index);
        let start = rule.code_start as usize;
        let end = start.saturating_add(rule.code_len as usize);
        let code = &self.bundle.code;
        let mut acc = false;
        let mut pc = start;
        // The verifier guarantees forward jumps inside the rule and a final `Return`;
        // the loop bound holds even if it did not.
        while pc < end {
            match code.get(pc) {
                Some(Insn::Check(c)) => {
                    acc = self.check(*c as usize, event, eval, fields);
                    trace.step(pc, acc);
                }
                Some(Insn::JumpIfFalse(t)) if !acc => {
                    pc = (*t as usize).max(pc + 1);
                    continue;
                }
                Some(Insn::JumpIfTrue(t)) if acc => {
                    pc = (*t as usize).max(pc + 1);
                    continue;
                }
                Some(Insn::JumpIfFalse(_) | Insn::JumpIfTrue(_)) => {}
                Some(Insn::Not) => acc = !acc,
                Some(Insn::Set(v)) => {
                    acc = *v;
                    trace.step(pc, acc);
                }
                Some(Insn::Return) | None => {
                    trace.leave(index, acc);
                    return acc;
                }
            }
            pc += 1;
        }
        trace.leave(index, acc);
        acc
    }

    // `check`, `evaluate` and `tuples` are always inlined: the compiler inlined them
    // into `run` while it was their only caller; the traced evaluation is a second
    // one, and without these the VM bench lost 5-10% (docs/perf.md, "Rule VM").
    #[inline(always)]
    fn check<'e>(
        &self,
        index: usize,
        event: &'e Event,
        eval: &mut Eval,
        fields: &mut EventFields<'e>,
    ) -> bool {
        let generation = eval.generation;
        if let Some(&(seen, result)) = eval.memo.get(index)
            && seen == generation
        {
            return result;
        }
        let result = self.evaluate(index, event, eval, fields);
        if let Some(slot) = eval.memo.get_mut(index) {
            *slot = (generation, result);
        }
        result
    }

    #[inline(always)]
    fn evaluate<'e>(
        &self,
        index: usize,
        event: &'e Event,
        eval: &mut Eval,
        fields: &mut EventFields<'e>,
    ) -> bool {
        let Some(check) = self.checks.get(index) else {
            return false;
        };
        if let Matcher::Tuples(tuples) = &check.matcher {
            return self.tuples(tuples, event, eval, fields);
        }
        let lhs = self.operands.value(check.lhs, event, &mut eval.lhs, fields);
        match check.matcher {
            Matcher::Operand(o) => {
                let rhs = self.operands.value(o, event, &mut eval.rhs, fields);
                if rhs.is_missing() {
                    return false;
                }
                check.test(&lhs, Some(&rhs))
            }
            _ => check.test(&lhs, None),
        }
    }

    /// Whether some row of a tuple check equals the columns' values: rows are found
    /// by the first value, then filtered column by column.
    #[inline(always)]
    fn tuples<'e>(
        &self,
        tuples: &Tuples,
        event: &'e Event,
        eval: &mut Eval,
        fields: &mut EventFields<'e>,
    ) -> bool {
        let Eval { lhs, rows, .. } = eval;
        for (column, &operand) in tuples.columns.iter().enumerate() {
            let value = self.operands.value(operand, event, lhs, fields);
            if column == 0 {
                tuples.first_column(&value, rows);
            } else {
                tuples.filter(column, &value, rows);
            }
            if rows.is_empty() {
                return false;
            }
        }
        !rows.is_empty()
    }

    /// Evaluates `event` and renders an alert for each matching rule.
    pub fn process(&self, event: &Event, scratch: &mut Scratch) -> Vec<Alert> {
        let mut ids = Vec::new();
        self.matching_rules(event, scratch, &mut ids);
        ids.into_iter()
            .filter_map(|id| self.alert(id, event, scratch))
            .collect()
    }

    fn field_value<'a>(
        &self,
        field: u32,
        event: &'a Event,
        scratch: &'a mut falco_events::Scratch,
    ) -> FieldValue<'a> {
        match self.operands.extractors.get(field as usize) {
            Some(Some(e)) if !e.is_filter_only() => e.extract(event, scratch),
            _ => FieldValue::Missing,
        }
    }

    /// One extra output field on `event`.
    fn extra_field(
        &self,
        extra: &ExtraField,
        event: &Event,
        scratch: &mut falco_events::Scratch,
    ) -> OutputField {
        match extra {
            ExtraField::Raw { key, field } => {
                let value = self.field_value(*field, event, scratch);
                let mut json = String::new();
                value.write_json(&mut json);
                OutputField {
                    name: key.clone(),
                    text: value.to_text(),
                    json,
                }
            }
            ExtraField::Formatted { key, parts } => {
                let mut text = String::new();
                for part in parts {
                    match part {
                        falco_bundle::OutputPart::Text(t) => text.push_str(t),
                        falco_bundle::OutputPart::Field(f) => {
                            self.field_value(*f, event, scratch).write_text(&mut text);
                        }
                    }
                }
                let mut json = String::new();
                falco_events::json::write_json_string(&text, &mut json);
                OutputField {
                    name: key.clone(),
                    text,
                    json,
                }
            }
        }
    }

    /// The alert of rule `rule` for `event` (`None` for a bad index): the output
    /// message with every field rendered as Falco prints it, and the output fields.
    pub fn alert(&self, rule: usize, event: &Event, scratch: &mut Scratch) -> Option<Alert> {
        let r = self.bundle.rules.get(rule)?;
        let source = self.bundle.sources.get(r.source as usize)?;
        let mut message = String::new();
        let mut fields: Vec<OutputField> = Vec::new();
        for part in &r.output {
            match part {
                falco_bundle::OutputPart::Text(t) => message.push_str(t),
                falco_bundle::OutputPart::Field(f) => {
                    let value = match self.operands.extractors.get(*f as usize) {
                        Some(Some(e)) if !e.is_filter_only() => {
                            e.extract(event, &mut scratch.render)
                        }
                        _ => FieldValue::Missing,
                    };
                    value.write_text(&mut message);
                    let name = self.bundle.fields.get(*f as usize).map(|f| match &f.arg {
                        Some(arg) => format!("{}[{arg}]", f.name),
                        None => f.name.clone(),
                    })?;
                    if !fields.iter().any(|o| o.name == name) {
                        let mut json = String::new();
                        value.write_json(&mut json);
                        fields.push(OutputField {
                            name,
                            text: value.to_text(),
                            json,
                        });
                    }
                }
            }
        }
        for extra in self.extra_fields.get(rule).into_iter().flatten() {
            let field = self.extra_field(extra, event, &mut scratch.render);
            fields.retain(|o| o.name != field.name);
            fields.push(field);
        }
        let index = self.sources.get(r.source as usize);
        let clock = |i: usize, scratch: &mut falco_events::Scratch| {
            index
                .and_then(|s| s.clock.as_ref())
                .and_then(|c| c.get(i))
                .map(|e| e.extract(event, scratch).to_text())
                .unwrap_or_default()
        };
        let time = clock(0, &mut scratch.render);
        let iso8601 = clock(1, &mut scratch.render);
        Some(Alert {
            rule: r.name.clone(),
            priority: r.priority,
            source: source.clone(),
            time_ns: event.ts(),
            time,
            iso8601,
            hostname: event
                .hostname()
                .map_or_else(|| self.hostname.clone(), str::to_owned),
            message,
            output_fields: fields,
            tags: r.tags.clone(),
        })
    }
}
