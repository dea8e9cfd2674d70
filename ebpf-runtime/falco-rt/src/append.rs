//! `append_output`: what Falco adds to rule outputs from its configuration.
//!
//! Falco's rule loader appends, to the output of every rule an entry matches (`match`:
//! the rule's `source`, `tags` it all has, its `rule` name; all when absent), a space and
//! the entry's `extra_output`, then, with `suggested_output: true`, `name_with_underscores
//! =%name` for each field its provider suggests (the container plugin's
//! `container.id`, `container.name`, `container.image.repository`, `container.image.tag`,
//! `k8s.pod.name`, `k8s.ns.name`: this is how upstream alerts carry container context).
//! `extra_fields` add keys to `output_fields` of JSON alerts only: a field name gives
//! the field's value, `name: format` the rendered format.
//!
//! falco-rt does the same when it loads a bundle: the appended text and fields become
//! part of each rule's output in the decoded bundle, before the VM builds its
//! extractors, and the extra fields are handed to the VM
//! ([`falco_vm::Engine::set_extra_fields`]). A format is split into text and `%field` references here, the way
//! libsinsp's formatter reads it (a width after `%` is skipped; the longest field name
//! the schema knows wins; `[arg]` follows the name). The compiler's own output parser
//! is not used because the agent links no parser crate; transformers (`%toupper(...)`)
//! and the `%(field)` form are refused with a message.

use falco_bundle::{Bundle, Field, OutputPart};
use falco_schema::{Provider, Schema};

/// One `append_output` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppendOutput {
    /// Where the entry is written, for messages.
    pub place: String,
    /// `match.source`.
    pub source: Option<String>,
    /// `match.tags`: the rule must have all of them.
    pub tags: Vec<String>,
    /// `match.rule`.
    pub rule: Option<String>,
    /// `extra_output`.
    pub extra_output: Option<String>,
    /// `extra_fields`.
    pub extra_fields: Vec<ExtraField>,
    /// `suggested_output`.
    pub suggested_output: bool,
}

/// One of `extra_fields`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtraField {
    /// A field name: its value, typed, under its own name.
    Raw(String),
    /// `key: format`: the rendered format under `key`.
    Formatted {
        /// The key in `output_fields`.
        key: String,
        /// The format, with `%field` references.
        format: String,
    },
}

impl ExtraField {
    /// The key it adds to `output_fields`.
    pub fn key(&self) -> &str {
        match self {
            ExtraField::Raw(name) => name,
            ExtraField::Formatted { key, .. } => key,
        }
    }
}

/// A piece of a split format.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field { name: String, arg: Option<String> },
}

/// What `append_output` gives rule `index` of a bundle: its `extra_fields`.
pub type RuleExtras = (usize, Vec<falco_vm::ExtraField>);

/// Appends the matching entries' text to the outputs of `bundle`'s rules, and returns
/// the extra JSON fields of each rule that has some (for [`falco_vm::Engine::
/// set_extra_fields`]). An entry whose format names a field a matched rule's source
/// does not have is an error, as it is when Falco loads the rules.
pub fn apply(bundle: &mut Bundle, entries: &[AppendOutput]) -> Result<Vec<RuleExtras>, String> {
    let mut extras = Vec::new();
    for index in 0..bundle.rules.len() {
        let (source, name, tags) = {
            let r = &bundle.rules[index];
            let source = bundle
                .sources
                .get(r.source as usize)
                .cloned()
                .unwrap_or_default();
            (source, r.name.clone(), r.tags.clone())
        };
        let mut pieces: Vec<Piece> = Vec::new();
        let mut rule_extras: Vec<(String, Vec<Piece>, bool)> = Vec::new();
        for entry in entries.iter().filter(|e| matches(e, &source, &name, &tags)) {
            let fail = |e: String| format!("{}: append_output for rule `{name}`: {e}", entry.place);
            if let Some(format) = entry.extra_output.as_deref().filter(|f| !f.is_empty()) {
                pieces.push(Piece::Text(" ".into()));
                pieces.extend(split(format, &source).map_err(fail)?);
            }
            if entry.suggested_output {
                for field in suggested(&source) {
                    pieces.push(Piece::Text(format!(" {}=", field.replace('.', "_"))));
                    pieces.push(Piece::Field {
                        name: field.to_string(),
                        arg: None,
                    });
                }
            }
            for extra in &entry.extra_fields {
                let (key, format, raw) = match extra {
                    ExtraField::Raw(name) => (name.clone(), format!("%{name}"), true),
                    ExtraField::Formatted { key, format } => (key.clone(), format.clone(), false),
                };
                let parts = split(&format, &source).map_err(fail)?;
                if raw && !matches!(parts.as_slice(), [Piece::Field { .. }]) {
                    return Err(fail(format!("`{key}` is not a field of source `{source}`")));
                }
                rule_extras.retain(|(k, _, _)| *k != key);
                rule_extras.push((key, parts, raw));
            }
        }
        if !pieces.is_empty() {
            let parts = intern(bundle, index, pieces);
            let output = &mut bundle.rules[index].output;
            for part in parts {
                match (output.last_mut(), part) {
                    (Some(OutputPart::Text(last)), OutputPart::Text(t)) => last.push_str(&t),
                    (_, part) => output.push(part),
                }
            }
        }
        if !rule_extras.is_empty() {
            let fields = rule_extras
                .into_iter()
                .map(|(key, pieces, raw)| {
                    let parts = intern(bundle, index, pieces);
                    match (raw, parts.as_slice()) {
                        (true, [OutputPart::Field(field)]) => {
                            falco_vm::ExtraField::Raw { key, field: *field }
                        }
                        _ => falco_vm::ExtraField::Formatted { key, parts },
                    }
                })
                .collect();
            extras.push((index, fields));
        }
    }
    Ok(extras)
}

fn matches(entry: &AppendOutput, source: &str, rule: &str, tags: &[String]) -> bool {
    entry.source.as_deref().is_none_or(|s| s == source)
        && entry.rule.as_deref().is_none_or(|r| r == rule)
        && entry.tags.iter().all(|t| tags.contains(t))
}

/// The fields falco-rt's providers suggest for `source`, in Falco's order: libsinsp's
/// and the built-in container metadata's (the container plugin's); k8smeta is not
/// loaded.
fn suggested(source: &str) -> impl Iterator<Item = &'static str> {
    Schema::get()
        .fields_for(source)
        .filter(|f| f.flags.suggested)
        .filter(|f| {
            matches!(
                f.provider,
                Provider::Libsinsp | Provider::Plugin("container")
            )
        })
        .map(|f| f.name)
}

/// Output parts for `pieces` of rule `index`, with their fields in the bundle's field
/// table (shared with the fields already there) and in the rule's field list.
fn intern(bundle: &mut Bundle, index: usize, pieces: Vec<Piece>) -> Vec<OutputPart> {
    let source = bundle.rules[index].source;
    pieces
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(t) => OutputPart::Text(t),
            Piece::Field { name, arg } => {
                let field = Field { source, name, arg };
                let at = match bundle.fields.iter().position(|f| *f == field) {
                    Some(at) => at,
                    None => {
                        bundle.fields.push(field);
                        bundle.fields.len() - 1
                    }
                };
                let at = u32::try_from(at).unwrap_or(u32::MAX);
                let rule = &mut bundle.rules[index];
                if let Err(slot) = rule.fields.binary_search(&at) {
                    rule.fields.insert(slot, at);
                }
                OutputPart::Field(at)
            }
        })
        .collect()
}

/// Splits an output format into text and field references (see the module docs).
fn split(format: &str, source: &str) -> Result<Vec<Piece>, String> {
    let schema = Schema::get();
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = format;
    while let Some(percent) = rest.find('%') {
        text.push_str(&rest[..percent]);
        let after = rest[percent + 1..].trim_start_matches(|c: char| c.is_ascii_digit());
        if after.starts_with('(') {
            return Err(format!(
                "`%(...)` in `{format}`: Falco does not accept this form; write `%field`"
            ));
        }
        let run = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(after.len());
        if after[run..].starts_with('(') {
            return Err(format!(
                "`%{}(...)` in `{format}`: falco-rt does not apply transformers in append_output",
                &after[..run]
            ));
        }
        // The longest prefix of the run that the schema knows, with its `[arg]`.
        let found = (1..=run).rev().find_map(|len| {
            let name = &after[..len];
            let tail = &after[len..];
            let arg = tail
                .strip_prefix('[')
                .and_then(|t| t.find(']').map(|end| &t[..end]));
            if let Some(arg) = arg
                && schema.is_field(source, name, Some(arg))
            {
                return Some((name, Some(arg), len + arg.len() + 2));
            }
            schema
                .is_field(source, name, None)
                .then_some((name, None, len))
        });
        let Some((name, arg, used)) = found else {
            return Err(format!(
                "`%{}` in `{format}` is not a field of source `{source}`",
                &after[..run.max(1).min(after.len())]
            ));
        };
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(Piece::Field {
            name: name.to_string(),
            arg: arg.map(str::to_string),
        });
        rest = &after[used..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, arg: Option<&str>) -> Piece {
        Piece::Field {
            name: name.into(),
            arg: arg.map(str::to_string),
        }
    }

    fn text(t: &str) -> Piece {
        Piece::Text(t.into())
    }

    #[test]
    fn formats_split_as_libsinsp_reads_them() {
        assert_eq!(
            split("on CPU %evt.cpu and %proc.aname[2]", "syscall"),
            Ok(vec![
                text("on CPU "),
                field("evt.cpu", None),
                text(" and "),
                field("proc.aname", Some("2")),
            ])
        );
        // The longest known name wins; the rest is text. A width is skipped.
        assert_eq!(
            split("%proc.nameand %10user.name", "syscall"),
            Ok(vec![
                field("proc.name", None),
                text("and "),
                field("user.name", None)
            ])
        );
        assert_eq!(
            split("%evt.arg.flags %ka.user.name", "k8s_audit").map(|p| p.len()),
            Err("`%evt.arg.flags` in `%evt.arg.flags %ka.user.name` is not a field of source `k8s_audit`".into())
        );
        assert!(split("%toupper(proc.name)", "syscall").is_err_and(|e| e.contains("transformers")));
        assert!(split("%(proc.name)", "syscall").is_err_and(|e| e.contains("%(...)")));
        assert!(split("100%", "syscall").is_err());
        assert_eq!(split("no fields", "syscall"), Ok(vec![text("no fields")]));
    }

    #[test]
    fn suggested_fields_are_the_container_plugins_in_falcos_order() {
        let got: Vec<_> = suggested("syscall").collect();
        assert_eq!(
            got,
            [
                "container.id",
                "container.name",
                "container.image.repository",
                "container.image.tag",
                "k8s.pod.name",
                "k8s.ns.name"
            ]
        );
        assert_eq!(suggested("k8s_audit").count(), 0);
    }
}
