//! A rule's `exceptions`, as Falco's reader checks them. Lengths, operators and
//! fields are checked later, by the resolver.

use crate::reader::{ItemReader, Read, empty_value, list_entry, spanned_string, wrong_kind};
use crate::{
    Exception, ExceptionFields, ExceptionTupleElement, ExceptionValue, ListEntry, Spanned,
};
use falco_diagnostics::{Code, Diagnostic};
use falco_yaml::Node;

const EXCEPTION_KEYS: &[&str] = &["name", "fields", "comps", "values"];

/// Reads `exceptions` (absent or null: none). When `appending`, `fields` may be
/// left out.
pub(crate) fn read_exceptions(
    reader: &ItemReader<'_>,
    appending: bool,
) -> Read<Option<Spanned<Vec<Exception>>>> {
    let Some((_, list)) = reader.entry("exceptions") else {
        return Ok(None);
    };
    if list.is_null() {
        return Ok(None);
    }
    let Some(entries) = list.as_sequence() else {
        return Err(wrong_kind(list, "exceptions", "a sequence"));
    };
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        out.push(read_exception(entry, appending)?);
    }
    Ok(Some(Spanned {
        value: out,
        span: list.span,
    }))
}

fn read_exception(node: &Node, appending: bool) -> Read<Exception> {
    let Some(mut reader) = ItemReader::new(node, "exception") else {
        return Err(Diagnostic::new(
            Code::E106,
            node.span,
            format!(
                "an exception must be a mapping, found a {}",
                node.kind_name()
            ),
        )
        .with_label("not a mapping")
        .with_help("write `- name: ...` with `fields`, `comps` and `values`"));
    };
    let name = reader
        .string("name", false)?
        .ok_or_else(|| reader.missing(&["name"], EXCEPTION_KEYS))?;
    reader.name = Some(name.clone());
    let fields = read_fields(&reader, appending)?;
    let comps = read_comps(&reader)?;
    let values = read_values(&reader)?;
    Ok(Exception {
        name,
        fields,
        comps,
        values,
        span: node.span,
    })
}

fn read_fields(reader: &ItemReader<'_>, appending: bool) -> Read<Option<Spanned<ExceptionFields>>> {
    let Some((key, value)) = reader.entry("fields") else {
        if appending {
            return Ok(None);
        }
        return Err(reader.missing(&["fields"], EXCEPTION_KEYS));
    };
    if value.is_null() {
        // Falco reads nothing from it; the resolver reports the missing fields.
        return Ok(None);
    }
    if let Some(text) = value.as_str() {
        if text.is_empty() {
            return Err(empty_value(key, value, "fields"));
        }
        return Ok(Some(Spanned {
            value: ExceptionFields::Single(spanned_string(value)),
            span: value.span,
        }));
    }
    let Some(items) = value.as_sequence() else {
        return Err(wrong_kind(
            value,
            "fields",
            "a field or a sequence of fields",
        ));
    };
    let mut fields = Vec::with_capacity(items.len());
    for item in items {
        fields.push(scalar_entry(item, "fields")?.map_or_else(
            || spanned_string(item),
            |entry| Spanned {
                value: entry.value,
                span: entry.span,
            },
        ));
    }
    Ok(Some(Spanned {
        value: ExceptionFields::List(fields),
        span: value.span,
    }))
}

fn read_comps(reader: &ItemReader<'_>) -> Read<Option<Spanned<Vec<Spanned<String>>>>> {
    let Some((key, value)) = reader.entry("comps") else {
        return Ok(None);
    };
    if value.is_null() {
        return Ok(None);
    }
    if let Some(text) = value.as_str() {
        if text.is_empty() {
            return Err(empty_value(key, value, "comps"));
        }
        return Ok(Some(Spanned {
            value: vec![spanned_string(value)],
            span: value.span,
        }));
    }
    let Some(items) = value.as_sequence() else {
        return Err(wrong_kind(
            value,
            "comps",
            "an operator or a sequence of operators",
        ));
    };
    let mut comps = Vec::with_capacity(items.len());
    for item in items {
        comps.push(scalar_entry(item, "comps")?.map_or_else(
            || spanned_string(item),
            |entry| Spanned {
                value: entry.value,
                span: entry.span,
            },
        ));
    }
    Ok(Some(Spanned {
        value: comps,
        span: value.span,
    }))
}

/// A scalar element of `fields`/`comps`/`values`: non-empty when written, `None`
/// when null (Falco keeps an empty entry).
fn scalar_entry(node: &Node, key: &str) -> Read<Option<ListEntry>> {
    if node.is_null() {
        return Ok(None);
    }
    match node.as_str() {
        Some("") => Err(Diagnostic::new(
            Code::E105,
            node.span,
            format!("an entry of `{key}` is empty"),
        )
        .with_label("empty entry")
        .with_help("remove the entry or give it a value")),
        Some(_) => Ok(Some(list_entry(node))),
        None => Err(Diagnostic::new(
            Code::E106,
            node.span,
            format!(
                "entries of `{key}` must be scalars here, found a {}",
                node.kind_name()
            ),
        )
        .with_label("expected a scalar")),
    }
}

fn read_values(reader: &ItemReader<'_>) -> Read<Option<Spanned<Vec<ExceptionValue>>>> {
    let Some((_, value)) = reader.entry("values") else {
        return Ok(None);
    };
    let Some(items) = value.as_sequence() else {
        return Err(
            wrong_kind(value, "values", "a sequence").with_help("write `values: []` for no values")
        );
    };
    let mut values = Vec::with_capacity(items.len());
    for item in items {
        let entry = match item.as_sequence() {
            Some(elements) => {
                let mut tuple = Vec::with_capacity(elements.len());
                for element in elements {
                    tuple.push(match element.as_sequence() {
                        Some(inner) => {
                            let mut entries = Vec::with_capacity(inner.len());
                            for value in inner {
                                entries.push(
                                    scalar_entry(value, "values")?
                                        .unwrap_or_else(|| list_entry(value)),
                                );
                            }
                            ExceptionTupleElement::List(entries, element.span)
                        }
                        None => ExceptionTupleElement::Scalar(
                            scalar_entry(element, "values")?.unwrap_or_else(|| list_entry(element)),
                        ),
                    });
                }
                ExceptionValue::Tuple(tuple, item.span)
            }
            None => ExceptionValue::Scalar(
                scalar_entry(item, "values")?.unwrap_or_else(|| list_entry(item)),
            ),
        };
        values.push(entry);
    }
    Ok(Some(Spanned {
        value: values,
        span: value.span,
    }))
}
