//! What the diff compares, read off one side's analysis: for each rule, macro and
//! list the facts `rules-check compare` looks at (from `falco -L`) and those a
//! reviewer asks about (shape, fields, what each uses).

use std::collections::{BTreeMap, BTreeSet};

use falco_condition::ast::{Expr, OutputPart};
use falco_condition::{to_falco_string, visit};
use falco_loader::{Exception, ExceptionFields, ExceptionTupleElement, ExceptionValue};
use falco_resolve::{Condition, List, Macro, MacroId, Rule, Ruleset};
use falco_schema::Schema;
use falco_typeck::{EventTypeSet, TypedExpr, event_types};

use super::shape::{Shape, shape};
use falco_analysis::Analysis;

/// One side of a diff.
pub(crate) struct Side<'a> {
    pub(crate) ruleset: &'a Ruleset,
    pub(crate) rules: BTreeMap<&'a str, RuleFacts<'a>>,
    pub(crate) macros: BTreeMap<&'a str, MacroFacts<'a>>,
    pub(crate) lists: BTreeMap<&'a str, ListFacts<'a>>,
}

/// What is compared of a rule.
pub(crate) struct RuleFacts<'a> {
    pub(crate) rule: &'a Rule,
    /// Its own condition (appends joined, before lists and macros), as libsinsp
    /// prints it.
    pub(crate) own: String,
    /// Its whole condition, macros inlined.
    pub(crate) shape: Shape,
    pub(crate) event_types: EventTypeSet,
    /// Fields the condition reads (macros included), as written.
    pub(crate) fields: BTreeSet<String>,
    /// Fields the output prints.
    pub(crate) output_fields: BTreeSet<String>,
    /// Exceptions by name: fields, comps and values, as text.
    pub(crate) exceptions: BTreeMap<&'a str, String>,
    /// Macros and lists the condition uses, directly or through others.
    pub(crate) macros: BTreeSet<&'a str>,
    pub(crate) lists: BTreeSet<&'a str>,
}

/// What is compared of a macro.
pub(crate) struct MacroFacts<'a> {
    pub(crate) item: &'a Macro,
    /// Its own condition, as libsinsp prints it.
    pub(crate) own: String,
    /// Its event types (when a syscall rule uses it).
    pub(crate) event_types: Option<EventTypeSet>,
}

/// What is compared of a list.
pub(crate) struct ListFacts<'a> {
    pub(crate) item: &'a List,
    pub(crate) items: BTreeSet<&'a str>,
}

impl<'a> Side<'a> {
    /// The facts of an analysed ruleset.
    pub(crate) fn of(analysis: &'a Analysis) -> Side<'a> {
        let ruleset = &analysis.ruleset;
        let rules = ruleset
            .rules
            .iter()
            .enumerate()
            .map(|(index, rule)| (rule.name.as_str(), rule_facts(analysis, index, rule)))
            .collect();
        let macros = ruleset
            .macros
            .iter()
            .enumerate()
            .map(|(id, item)| {
                let facts = MacroFacts {
                    item,
                    own: to_falco_string(&item.condition.ast),
                    event_types: analysis
                        .typed
                        .macros
                        .get(&(id, "syscall".to_owned()))
                        .map(|tree| types_of(analysis, tree, "syscall")),
                };
                (item.name.as_str(), facts)
            })
            .collect();
        let lists = ruleset
            .lists
            .iter()
            .map(|list| {
                let items = list
                    .items
                    .iter()
                    .map(|entry| entry.value.as_str())
                    .collect();
                (list.name.as_str(), ListFacts { item: list, items })
            })
            .collect();
        Side {
            ruleset,
            rules,
            macros,
            lists,
        }
    }
}

fn rule_facts<'a>(analysis: &'a Analysis, index: usize, rule: &'a Rule) -> RuleFacts<'a> {
    let ruleset = &analysis.ruleset;
    let condition = &rule.condition;
    let (macros, lists) = reached(ruleset, condition);
    let mut fields = BTreeSet::new();
    collect_fields(&condition.ast, &mut fields);
    for item in macros.iter().filter_map(|&id| ruleset.macros.get(id)) {
        collect_fields(&item.condition.ast, &mut fields);
    }
    let output_fields = rule
        .output_ast
        .parts
        .iter()
        .filter_map(|part| match part {
            OutputPart::Field { field, .. } => Some(field_text(
                &field.name,
                field.arg.as_ref().map(|arg| arg.value.as_str()),
            )),
            OutputPart::Text(..) => None,
        })
        .collect();
    let event_types = match analysis.typed.rules.get(index) {
        Some(Some(tree)) if rule.source == "syscall" => types_of(analysis, tree, "syscall"),
        _ => EventTypeSet::All,
    };
    RuleFacts {
        rule,
        own: own_condition(&condition.source.text),
        shape: shape(ruleset, &condition.ast, &condition.macro_refs),
        event_types,
        fields,
        output_fields,
        exceptions: rule
            .exceptions
            .iter()
            .map(|exception| (exception.name.value.as_str(), exception_text(exception)))
            .collect(),
        macros: macros
            .into_iter()
            .map(|id| ruleset.macros[id].name.as_str())
            .collect(),
        lists,
    }
}

/// A condition's text as libsinsp prints its parse (so layout does not count);
/// the text itself when it does not parse alone (an appended fragment).
fn own_condition(text: &str) -> String {
    let (expr, errors) = falco_condition::parse_condition(text);
    if errors.is_empty() {
        to_falco_string(&expr)
    } else {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// The event types of a typed condition of `source`, its macros looked up in the
/// analysis.
fn types_of(analysis: &Analysis, tree: &TypedExpr, source: &str) -> EventTypeSet {
    let ruleset = &analysis.ruleset;
    let lookup = |name: &str| {
        let id = ruleset.macros.iter().position(|item| item.name == name)?;
        analysis
            .typed
            .macros
            .get(&(id, source.to_owned()))
            .map(|tree| &**tree)
    };
    event_types(tree, &lookup, Schema::get(), source)
}

/// The macros a condition uses (directly or through other macros) and the lists
/// substituted into any of them (and into those lists).
fn reached<'a>(
    ruleset: &'a Ruleset,
    condition: &Condition,
) -> (BTreeSet<MacroId>, BTreeSet<&'a str>) {
    let mut macros = BTreeSet::new();
    let mut lists = BTreeSet::new();
    let mut conditions = vec![condition];
    while let Some(condition) = conditions.pop() {
        for id in condition
            .macro_refs
            .iter()
            .filter_map(|reference| reference.target)
        {
            if macros.insert(id)
                && let Some(item) = ruleset.macros.get(id)
            {
                conditions.push(&item.condition);
            }
        }
        let mut pending: Vec<usize> = condition.list_uses.iter().map(|used| used.list).collect();
        while let Some(id) = pending.pop() {
            if let Some(list) = ruleset.lists.get(id)
                && lists.insert(list.name.as_str())
            {
                pending.extend(list.list_uses.iter().map(|used| used.list));
            }
        }
    }
    (macros, lists)
}

/// The fields `expr` reads itself (the rule's fields are those of its condition and of
/// each macro it reaches, each macro read once however often it is used).
fn collect_fields(expr: &Expr, out: &mut BTreeSet<String>) {
    visit::visit_fields(expr, |field| {
        out.insert(field_text(
            &field.name,
            field.arg.as_ref().map(|arg| arg.value.as_str()),
        ));
    });
}

fn field_text(name: &str, arg: Option<&str>) -> String {
    match arg {
        Some(arg) => format!("{name}[{arg}]"),
        None => name.to_owned(),
    }
}

/// An exception's fields, comps and values as one comparable text.
fn exception_text(exception: &Exception) -> String {
    let fields = match exception.fields.as_ref().map(|fields| &fields.value) {
        Some(ExceptionFields::Single(field)) => field.value.clone(),
        Some(ExceptionFields::List(fields)) => join(fields.iter().map(|f| f.value.as_str())),
        None => String::new(),
    };
    let comps = exception
        .comps
        .as_ref()
        .map(|comps| join(comps.value.iter().map(|comp| comp.value.as_str())))
        .unwrap_or_default();
    let mut rows: Vec<String> = exception
        .values
        .iter()
        .flat_map(|values| &values.value)
        .map(|value| match value {
            ExceptionValue::Scalar(entry) => entry.value.clone(),
            ExceptionValue::Tuple(elements, _) => {
                join(elements.iter().map(|element| match element {
                    ExceptionTupleElement::Scalar(entry) => entry.value.clone(),
                    ExceptionTupleElement::List(entries, _) => {
                        join(entries.iter().map(|entry| entry.value.as_str()))
                    }
                }))
            }
        })
        .collect();
    rows.sort();
    format!("fields {fields} comps {comps} values {}", rows.join(" "))
}

fn join<S: AsRef<str>>(items: impl Iterator<Item = S>) -> String {
    let items: Vec<String> = items.map(|item| item.as_ref().to_owned()).collect();
    format!("({})", items.join(", "))
}
