//! [`FieldResolver`] for the built-in schema.

use falco_schema::{FieldError, ResolvedField, Schema};

use crate::resolver::{FieldInfo, FieldResolver, LookupError};
use crate::types::{Ty, ValueType};

impl FieldResolver for Schema {
    fn resolve_field(
        &self,
        source: &str,
        name: &str,
        arg: Option<&str>,
    ) -> Result<FieldInfo, LookupError> {
        self.resolve(source, name, arg)
            .map(field_info)
            .map_err(lookup_error)
    }

    fn is_field_name(&self, source: &str, text: &str) -> bool {
        let (name, arg) = crate::resolver::split_field_arg(text);
        self.is_field(source, name, arg)
    }

    fn is_event_type(&self, source: &str, name: &str) -> bool {
        self.is_event_type_of(source, name)
    }

    fn event_type_names(&self, _source: &str) -> Vec<String> {
        Schema::event_type_names(self).map(str::to_owned).collect()
    }
}

fn field_info(resolved: ResolvedField) -> FieldInfo {
    let field = resolved.field;
    FieldInfo {
        name: field.name.to_owned(),
        arg: resolved.arg.map(|arg| arg.text),
        value_type: ValueType {
            ty: Ty::from_pt_name(resolved.ty.name()),
            is_list: resolved.is_list,
        },
        no_rhs: field.flags.no_rhs,
        no_transformer: field.flags.no_transformer,
        filter_only: field.flags.filter_only,
        deprecated: field
            .deprecated
            .then(|| deprecation_help(field.name, field.replacement)),
    }
}

/// Why a deprecated field should go, for the help line.
fn deprecation_help(name: &str, replacement: Option<&str>) -> String {
    if name == "evt.dir" {
        return "enter events are no longer captured, so `evt.dir = <` is always true and `evt.dir = >` \
                always false: remove the check"
            .to_owned();
    }
    if name.starts_with("evt.latency") || name == "evt.wait_latency" {
        return "enter events are no longer captured, so latencies are no longer measured: remove the field"
            .to_owned();
    }
    match replacement {
        Some(replacement) => format!("use `{replacement}` instead"),
        None => String::new(),
    }
}

fn lookup_error(error: FieldError) -> LookupError {
    match error {
        FieldError::Unknown { suggestion, .. } => LookupError::Unknown {
            suggestion: suggestion.map(str::to_owned),
        },
        FieldError::UnknownSource { .. } => LookupError::Unknown { suggestion: None },
        FieldError::WrongSource { sources, .. } => LookupError::OtherSource {
            sources: sources.into_iter().map(str::to_owned).collect(),
        },
        other => {
            let help = other
                .suggestion()
                .map(|name| format!("did you mean `{name}`?"));
            LookupError::Argument {
                message: other.to_string(),
                help,
            }
        }
    }
}
