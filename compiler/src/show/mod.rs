//! `falco-rulec show RULE`: a rule as Falco compiles it, after load order, appends and
//! overrides, with its macros inlined, its lists substituted and its exceptions
//! added, as a tree of pieces, each with where it was written and what it brings:
//! event types and fields (of a macro), and bytecode instructions (`docs/show.md`).
//!
//! The tree is the traced lowering's map of the rule's code (`falco_lower::CodeNode`,
//! one check per operand as written), so each piece's instruction count is its share
//! of that code; the rule's code as `compile` writes it (sets merged, exception rows
//! as tuple checks) is given beside it.

pub mod render;

use falco_analysis::Analysis;
use falco_bundle::{Bundle, Const, EventTypes, Insn, Operand, Rhs};
use falco_lower::{CodeKind, CodeNode};
use falco_resolve::{Macro, Origin, Rule};
use falco_schema::Schema;
use falco_span::FileSpan;
use falco_typeck::{EventTypeSet, event_types};

/// A rule, shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    /// Its name.
    pub name: String,
    /// Its event source.
    pub source: String,
    /// Its priority, as Falco prints it.
    pub priority: String,
    /// Whether it is enabled.
    pub enabled: bool,
    /// `file:line` of its definition.
    pub defined_at: String,
    /// `file:line` of each item that appended to, overrode or redefined it.
    pub amended_at: Vec<String>,
    /// Its event types (`all`, `none`, names, or `all but` names).
    pub event_types: String,
    /// Every field its condition reads (exceptions included), sorted.
    pub fields: Vec<String>,
    /// Its exceptions: name and `file:line`.
    pub exceptions: Vec<(String, String)>,
    /// Instructions of its code as `compile` writes it.
    pub instructions: u32,
    /// The condition's pieces.
    pub condition: Piece,
}

/// One piece of the condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// `and`, `or`, `not`, `macro NAME`, a check as compiled (lists substituted), or
    /// `true`/`false`.
    pub label: String,
    /// Where it was written, `file:line`.
    pub at: Option<String>,
    /// Where it came from besides the rule's own condition: a macro's definition, a
    /// list, an append or override, an exception.
    pub origins: Vec<String>,
    /// Instructions of its code (one check per operand).
    pub instructions: u32,
    /// A macro's event types.
    pub event_types: Option<String>,
    /// The fields its code reads (macros only; a check shows its own).
    pub fields: Vec<String>,
    /// Its operands.
    pub children: Vec<Piece>,
}

/// Why a rule cannot be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShowError {
    /// No rule has the name.
    NoSuchRule,
    /// The ruleset has errors (lint shows them).
    Errors(usize),
    /// The rule was not compiled (its source is not known), with why.
    NotCompiled(String),
}

/// The rule `name` of `analysis`.
pub fn show(analysis: &Analysis, name: &str) -> Result<Shown, ShowError> {
    let ruleset = &analysis.ruleset;
    let Some(rule) = ruleset.rules.iter().find(|rule| rule.name == name) else {
        return Err(ShowError::NoSuchRule);
    };
    if analysis.error_count() > 0 {
        return Err(ShowError::Errors(analysis.error_count()));
    }
    let compiled = crate::cli::compile::compile_analysis(analysis)
        .map_err(|error| ShowError::NotCompiled(error.to_string()))?;
    let (traced, maps) = crate::cli::compile::compile_traced(analysis)
        .map_err(|error| ShowError::NotCompiled(error.to_string()))?;
    let find = |bundle: &Bundle| bundle.rules.iter().position(|r| r.name == name);
    let (Some(index), Some(traced_index)) = (find(&compiled.bundle), find(&traced.bundle)) else {
        let reason = compiled
            .skipped
            .iter()
            .find(|skipped| skipped.rule == name)
            .map_or_else(
                || "not compiled".to_owned(),
                |skipped| skipped.message.clone(),
            );
        return Err(ShowError::NotCompiled(reason));
    };
    let bundle_rule = &compiled.bundle.rules[index];
    let map = maps
        .get(traced_index)
        .ok_or_else(|| ShowError::NotCompiled("no code map".to_owned()))?;
    let walker = Walker {
        analysis,
        bundle: &traced.bundle,
        rule,
    };
    Ok(Shown {
        name: rule.name.clone(),
        source: rule.source.clone(),
        priority: rule.priority.name().to_owned(),
        enabled: rule.enabled,
        defined_at: place(analysis, rule.origin.definition),
        amended_at: rule
            .origin
            .amendments
            .iter()
            .map(|span| place(analysis, *span))
            .collect(),
        event_types: bundle_types(&bundle_rule.event_types),
        fields: walker.fields(map),
        exceptions: rule
            .exceptions
            .iter()
            .map(|exception| {
                (
                    exception.name.value.clone(),
                    place(analysis, exception.span),
                )
            })
            .collect(),
        instructions: bundle_rule.code_len,
        condition: walker.piece(map, &rule.origin, None),
    })
}

/// `file:line` of a span.
fn place(analysis: &Analysis, span: FileSpan) -> String {
    match analysis.file(span.file) {
        Some(file) => format!(
            "{}:{}",
            file.path,
            file.line_index.position(&file.text, span.span.start).line
        ),
        None => "?".to_owned(),
    }
}

fn field_text(name: &str, arg: Option<&str>) -> String {
    match arg {
        Some(arg) => format!("{name}[{arg}]"),
        None => name.to_owned(),
    }
}

fn join(names: &[String]) -> String {
    names.join(", ")
}

fn bundle_types(types: &EventTypes) -> String {
    match types {
        EventTypes::All => "all".to_owned(),
        EventTypes::None => "none".to_owned(),
        EventTypes::Only(names) => join(names),
        EventTypes::AllExcept(names) => format!("all but {}", join(names)),
    }
}

fn typeck_types(types: &EventTypeSet) -> String {
    let sorted =
        |names: &std::collections::BTreeSet<String>| names.iter().cloned().collect::<Vec<_>>();
    match types {
        EventTypeSet::All => "all".to_owned(),
        EventTypeSet::None => "none".to_owned(),
        EventTypeSet::Only(names) => join(&sorted(names)),
        EventTypeSet::AllExcept(names) => format!("all but {}", join(&sorted(names))),
    }
}

/// Turns a rule's code map into pieces.
struct Walker<'a> {
    analysis: &'a Analysis,
    bundle: &'a Bundle,
    rule: &'a Rule,
}

impl Walker<'_> {
    /// The piece of `node`, written in the item whose origin is `owner` (the rule, or
    /// the macro `node` lies in, which is `in_macro`).
    fn piece(&self, node: &CodeNode, owner: &Origin, in_macro: Option<&Macro>) -> Piece {
        let mut piece = Piece {
            label: String::new(),
            at: node.span.map(|span| place(self.analysis, span)),
            origins: Vec::new(),
            instructions: node.code.end.saturating_sub(node.code.start),
            event_types: None,
            fields: Vec::new(),
            children: Vec::new(),
        };
        // A group's span runs across its operands' origins; each operand tells its own.
        if let Some(span) = node.span
            && !matches!(node.kind, CodeKind::And | CodeKind::Or)
        {
            piece.origins = self.origins(span, owner, in_macro, node.kind == CodeKind::Check);
        }
        match &node.kind {
            CodeKind::And => piece.label = "and".to_owned(),
            CodeKind::Or => piece.label = "or".to_owned(),
            CodeKind::Not => piece.label = "not".to_owned(),
            CodeKind::Const(value) => piece.label = value.to_string(),
            CodeKind::Check => {
                // Exception checks are generated from the exception's fields, comps
                // and values, which are written apart: they are shown as compiled.
                let generated = piece.origins.iter().any(|o| o.starts_with("exception "));
                piece.label = match node.span {
                    Some(span) if !generated => self.check_text(span),
                    _ => self.compiled_check(node),
                };
            }
            CodeKind::Macro(name) => {
                piece.label = format!("macro {name}");
                let item = self.macro_named(name);
                if let Some(item) = item {
                    let mut at = format!(
                        "defined at {}",
                        place(self.analysis, item.origin.definition)
                    );
                    for amendment in &item.origin.amendments {
                        at.push_str(&format!(
                            ", amended at {}",
                            place(self.analysis, *amendment)
                        ));
                    }
                    piece.origins.push(at);
                    piece.event_types = self.macro_types(name);
                }
                piece.fields = self.fields(node);
                let owner = item.map_or(owner, |item| &item.origin);
                piece.children = node
                    .children
                    .iter()
                    .map(|child| self.piece(child, owner, item.or(in_macro)))
                    .collect();
                return piece;
            }
        }
        piece.children = node
            .children
            .iter()
            .map(|child| self.piece(child, owner, in_macro))
            .collect();
        piece
    }

    fn macro_named(&self, name: &str) -> Option<&Macro> {
        self.analysis.ruleset.macro_named(name)
    }

    /// A macro's event types under the rule's source.
    fn macro_types(&self, name: &str) -> Option<String> {
        let ruleset = &self.analysis.ruleset;
        let source = self.rule.source.as_str();
        let lookup = |name: &str| {
            let id = ruleset.macros.iter().position(|item| item.name == name)?;
            self.analysis
                .typed
                .macros
                .get(&(id, source.to_owned()))
                .map(|tree| &**tree)
        };
        let tree = lookup(name)?;
        Some(typeck_types(&event_types(
            tree,
            &lookup,
            Schema::get(),
            source,
        )))
    }

    /// Where a piece came from, beyond being written in `owner`'s item: an append or
    /// override of it, an exception, and (for a check) the lists substituted into it.
    fn origins(
        &self,
        span: FileSpan,
        owner: &Origin,
        in_macro: Option<&Macro>,
        check: bool,
    ) -> Vec<String> {
        let mut origins = Vec::new();
        let inside = |outer: FileSpan| {
            outer.file == span.file
                && outer.span.start <= span.span.start
                && span.span.end <= outer.span.end
        };
        if in_macro.is_none()
            && let Some(exception) = self.rule.exceptions.iter().find(|e| inside(e.span))
        {
            origins.push(format!(
                "exception {} at {}",
                exception.name.value,
                place(self.analysis, exception.span)
            ));
        } else if !inside(owner.item)
            && let Some(amendment) = owner
                .amendments
                .iter()
                .filter(|a| a.file == span.file && a.span.start <= span.span.start)
                .max_by_key(|a| a.span.start)
        {
            origins.push(format!("appended at {}", place(self.analysis, *amendment)));
        }
        let lists = if check {
            self.lists_in(span, in_macro)
        } else {
            Vec::new()
        };
        for (list, _) in lists {
            let mut origin = format!(
                "list {} at {}",
                list.name,
                place(self.analysis, list.origin.definition)
            );
            for amendment in &list.origin.amendments {
                origin.push_str(&format!(
                    ", amended at {}",
                    place(self.analysis, *amendment)
                ));
            }
            origins.push(origin);
        }
        origins
    }

    /// The lists substituted inside `span`, with where their name is written.
    fn lists_in(
        &self,
        span: FileSpan,
        in_macro: Option<&Macro>,
    ) -> Vec<(&falco_resolve::List, FileSpan)> {
        let condition = in_macro.map_or(&self.rule.condition, |item| &item.condition);
        condition
            .list_uses
            .iter()
            .filter(|used| {
                used.span.file == span.file
                    && span.span.start <= used.span.span.start
                    && used.span.span.end <= span.span.end
            })
            .filter_map(|used| Some((self.analysis.ruleset.lists.get(used.list)?, used.span)))
            .collect()
    }

    /// A check as compiled: its operand, operator and values.
    fn compiled_check(&self, node: &CodeNode) -> String {
        let check = match self.bundle.code.get(node.code.start as usize) {
            Some(Insn::Check(id)) => self.bundle.checks.get(*id as usize),
            _ => None,
        };
        let Some(check) = check else {
            return "?".to_owned();
        };
        let mut text = format!("{} {}", self.operand_text(check.lhs), check.op.name());
        match &check.rhs {
            Rhs::None => {}
            Rhs::Const(id) => {
                text.push(' ');
                text.push_str(&self.const_text(*id));
            }
            Rhs::List(ids) => {
                let items: Vec<String> = ids.iter().map(|id| self.const_text(*id)).collect();
                text.push_str(&format!(" ({})", items.join(", ")));
            }
            Rhs::Operand(operand) => {
                text.push(' ');
                text.push_str(&self.operand_text(*operand));
            }
        }
        text
    }

    fn operand_text(&self, operand: u32) -> String {
        match self.bundle.operands.get(operand as usize) {
            Some(Operand::Field(field)) => self
                .bundle
                .fields
                .get(*field as usize)
                .map_or_else(|| "?".to_owned(), |f| field_text(&f.name, f.arg.as_deref())),
            Some(Operand::Transform { kind, args, arg }) => {
                let args: Vec<String> = args.iter().map(|a| self.operand_text(*a)).collect();
                let mut text = format!("{}({})", kind.name(), args.join(", "));
                if let Some(arg) = arg {
                    text.push_str(&format!("[{arg}]"));
                }
                text
            }
            Some(Operand::Literal(value)) => value.clone(),
            Some(Operand::List(items)) => {
                let items: Vec<String> = items.iter().map(|a| self.operand_text(*a)).collect();
                format!("({})", items.join(", "))
            }
            None => "?".to_owned(),
        }
    }

    fn const_text(&self, id: u32) -> String {
        match self.bundle.consts.get(id as usize) {
            Some(Const::Str(bytes)) => String::from_utf8_lossy(bytes).into_owned(),
            Some(Const::Int(n)) => n.to_string(),
            Some(Const::UInt(n)) => n.to_string(),
            Some(Const::Double(x)) => x.to_string(),
            Some(Const::Bool(b)) => b.to_string(),
            Some(Const::Ip(ip)) => ip.to_string(),
            Some(Const::Net(ip, prefix)) => format!("{ip}/{prefix}"),
            None => "?".to_owned(),
        }
    }

    /// A check as written, its lists substituted and its blanks collapsed.
    fn check_text(&self, span: FileSpan) -> String {
        let Some(file) = self.analysis.file(span.file) else {
            return "?".to_owned();
        };
        let mut text = String::new();
        let mut at = span.span.start as usize;
        let mut uses = self.lists_in(span, None);
        uses.extend(
            self.analysis
                .ruleset
                .macros
                .iter()
                .flat_map(|item| self.lists_in(span, Some(item))),
        );
        uses.sort_by_key(|(_, used)| used.span.start);
        uses.dedup_by_key(|(_, used)| used.span.start);
        for (list, used) in uses {
            let start = used.span.start as usize;
            if start < at {
                continue;
            }
            text.push_str(file.text.get(at..start).unwrap_or_default());
            let items: Vec<&str> = list.items.iter().map(|item| item.value.as_str()).collect();
            text.push_str(&items.join(", "));
            at = used.span.end as usize;
        }
        text.push_str(
            file.text
                .get(at..span.span.end as usize)
                .unwrap_or_default(),
        );
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The fields the code of `node` reads, sorted.
    fn fields(&self, node: &CodeNode) -> Vec<String> {
        let mut fields = std::collections::BTreeSet::new();
        let code = self
            .bundle
            .code
            .get(node.code.start as usize..node.code.end as usize)
            .unwrap_or_default();
        for insn in code {
            let Insn::Check(id) = insn else { continue };
            let Some(check) = self.bundle.checks.get(*id as usize) else {
                continue;
            };
            let mut operands = vec![check.lhs];
            if let Rhs::Operand(operand) = check.rhs {
                operands.push(operand);
            }
            while let Some(operand) = operands.pop() {
                match self.bundle.operands.get(operand as usize) {
                    Some(Operand::Field(field)) => {
                        if let Some(field) = self.bundle.fields.get(*field as usize) {
                            fields.insert(field_text(&field.name, field.arg.as_deref()));
                        }
                    }
                    Some(Operand::Transform { args, .. }) => operands.extend(args),
                    _ => {}
                }
            }
        }
        fields.into_iter().collect()
    }
}
