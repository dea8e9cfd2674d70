//! Hover: a field's type, argument, description and source; a macro's or list's
//! definition and expansion; an operator's meaning; a rule's priority, source and
//! tags, and its figures in the replay profile when one is set (`profileFile`).

use std::fmt::Write;

use falco_condition::ast::Op;
use falco_schema::{Field, Presence, Schema};
use falco_span::FileSpan;
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position, Uri};

use crate::convert::{from_lsp_position, to_lsp_range};
use crate::locate::{Kind, Target, target_at};
use crate::profile::Profile;
use crate::workspace::World;

/// At most this many list items are shown.
const LIST_ITEMS_SHOWN: usize = 40;

/// The hover for a position.
pub fn hover(world: &World<'_>, uri: &Uri, position: Position) -> Option<Hover> {
    let (id, file) = world.file_of(uri)?;
    let offset = from_lsp_position(file, position);
    let target = target_at(world, id, offset)?;
    let (text, span) = match &target {
        Target::Field {
            name,
            arg,
            source,
            span,
        } => (field_hover(name, arg.as_deref(), source)?, *span),
        Target::Named { kind, name, span } => {
            let text = superseded_hover(world, *kind, *span)
                .or_else(|| named_hover(world, *kind, name))?;
            (text, *span)
        }
        Target::Operator { op, span } => (operator_hover(*op), *span),
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(to_lsp_range(file, span.span)),
    })
}

fn field_hover(name: &str, arg: Option<&str>, source: &str) -> Option<String> {
    let schema = Schema::get();
    let (field, ty, is_list) = match schema.resolve(source, name, arg) {
        Ok(resolved) => (resolved.field, resolved.ty, resolved.is_list),
        Err(error) => {
            let field = error.field().or_else(|| schema.field(name))?;
            (field, field.ty, field.is_list)
        }
    };
    let mut out = format!("**`{}`** — `{}`", field.name, ty.name());
    if is_list {
        out.push_str(" (list)");
    }
    out.push_str("\n\n");
    out.push_str(field.description);
    out.push_str("\n\n");
    if let Some(argument) = argument_text(field) {
        let _ = writeln!(out, "- argument: {argument}");
    }
    let sources = schema.sources_of(field.name).join(", ");
    let _ = writeln!(out, "- class: `{}`; sources: {sources}", field.class);
    if field.deprecated {
        match field.replacement {
            Some(replacement) => {
                let _ = writeln!(out, "- deprecated: use `{replacement}`");
            }
            None => out.push_str("- deprecated\n"),
        }
    }
    Some(out)
}

fn argument_text(field: &Field) -> Option<String> {
    let spec = &field.arg;
    if !spec.allows_arg() {
        return None;
    }
    let presence = match spec.presence {
        Presence::Required => "required",
        _ => "optional",
    };
    let mut forms = Vec::new();
    if let Some(kind) = spec.bracket {
        forms.push(format!("`[{}]`", kind.name()));
    }
    if let Some(kind) = spec.dotted {
        forms.push(format!("`.{}`", kind.name()));
    }
    Some(format!(
        "{presence}, {} (e.g. `{}`)",
        forms.join(" or "),
        falco_schema::arg_example(field)
    ))
}

/// Where a span is, as `file:line`.
fn place(world: &World<'_>, span: FileSpan) -> String {
    match world.source(span.file) {
        Some(file) => format!(
            "{}:{}",
            file.path,
            file.line_index.position(&file.text, span.span.start).line
        ),
        None => "?".to_owned(),
    }
}

/// The hover of a macro definition's name when a later file replaced that
/// definition: its own condition, and the replacement.
fn superseded_hover(world: &World<'_>, kind: Kind, at: FileSpan) -> Option<String> {
    if kind != Kind::Macro {
        return None;
    }
    let ruleset = &world.analysis.ruleset;
    let item = ruleset.superseded_macros.iter().find(|item| {
        at.file <= item.active_until
            && std::iter::once(&item.origin.definition)
                .chain(&item.origin.amendments)
                .any(|span| {
                    span.file == at.file
                        && span.span.start <= at.span.start
                        && at.span.end <= span.span.end
                })
    })?;
    Some(format!(
        "**macro** `{}`\n\n```\n{}\n```\n\nreplaced by `{}` at `{}`",
        item.name,
        item.condition.source.text.trim(),
        item.name,
        place(world, item.replaced_by)
    ))
}

fn named_hover(world: &World<'_>, kind: Kind, name: &str) -> Option<String> {
    let ruleset = &world.analysis.ruleset;
    let mut out = String::new();
    let origin = match kind {
        Kind::Macro => {
            let item = ruleset.macro_named(name)?;
            let _ = write!(
                out,
                "**macro** `{name}`\n\n```\n{}\n```\n\n",
                item.condition.source.text.trim()
            );
            &item.origin
        }
        Kind::List => {
            let item = ruleset.list(name)?;
            let shown: Vec<&str> = item
                .items
                .iter()
                .take(LIST_ITEMS_SHOWN)
                .map(|entry| entry.value.as_str())
                .collect();
            let more = item.items.len().saturating_sub(shown.len());
            let _ = write!(
                out,
                "**list** `{name}` ({} items)\n\n```\n[{}{}]\n```\n\n",
                item.items.len(),
                shown.join(", "),
                if more > 0 {
                    format!(", … {more} more")
                } else {
                    String::new()
                }
            );
            &item.origin
        }
        Kind::Rule => {
            let rule = ruleset.rule(name)?;
            let _ = write!(
                out,
                "**rule** `{name}`\n\n- priority: `{}`\n- source: `{}`\n- tags: {}\n- enabled: {}\n\n{}\n\n",
                rule.priority.name(),
                rule.source,
                if rule.tags.is_empty() {
                    "none".to_owned()
                } else {
                    rule.tags
                        .iter()
                        .map(|tag| format!("`{tag}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                rule.enabled,
                rule.desc.trim()
            );
            if let Some((path, profile)) = world.profile {
                out.push_str(&profile_text(name, &path.display().to_string(), profile));
            }
            &rule.origin
        }
    };
    let _ = write!(out, "defined at `{}`", place(world, origin.definition));
    for amendment in &origin.amendments {
        let _ = write!(out, "; amended at `{}`", place(world, *amendment));
    }
    Some(out)
}

/// A rule's line of the replay profile: its evaluations, matches and time, and its
/// rank by cost; or that the profile does not have it.
fn profile_text(name: &str, path: &str, profile: &Profile) -> String {
    let Some((rank, figures)) = profile.rule(name) else {
        return format!(
            "profile (`{path}`): not in it (disabled, or below the replay's priority)\n\n"
        );
    };
    let share = if profile.time_ns == 0 {
        0.0
    } else {
        figures.time_ns as f64 * 100.0 / profile.time_ns as f64
    };
    format!(
        "profile (`{path}`, {} events, rule_matching {}): {} evaluations, {} matches, \
         {:.3} ms ({share:.1}% of the time in rules, rank {rank} of {}), {} ns per evaluation\n\n",
        profile.events,
        profile.rule_matching,
        figures.evaluations,
        figures.matches,
        figures.time_ns as f64 / 1e6,
        profile.rules.len(),
        figures.ns_per_evaluation
    )
}

/// What an operator does, in a sentence.
pub fn operator_meaning(op: Op) -> &'static str {
    match op {
        Op::Eq | Op::EqEq => "equal to the value",
        Op::Ne => "not equal to the value",
        Op::Lt => "less than the value (numbers)",
        Op::Le => "less than or equal to the value (numbers)",
        Op::Gt => "greater than the value (numbers)",
        Op::Ge => "greater than or equal to the value (numbers)",
        Op::Contains => "the string contains the value",
        Op::IContains => "the string contains the value, ignoring case",
        Op::BContains => "the bytes contain the value, given in hex",
        Op::StartsWith => "the string starts with the value",
        Op::BStartsWith => "the bytes start with the value, given in hex",
        Op::EndsWith => "the string ends with the value",
        Op::Glob => "the string matches the shell-style wildcard pattern",
        Op::IGlob => "the string matches the wildcard pattern, ignoring case",
        Op::Regex => {
            "the string matches the regular expression (RE2 syntax); slower than the string operators"
        }
        Op::Exists => "the field has a value for this event",
        Op::In => "equal to one of the values in the list",
        Op::Intersects => "the list-valued field shares at least one element with the list",
        Op::PMatch => "the path is one of the listed paths or lies below one of them",
    }
}

fn operator_hover(op: Op) -> String {
    format!("**operator** `{}`\n\n{}", op.as_str(), operator_meaning(op))
}
