//! Plugin schema files (`--plugin-schema FILE`, `lint.plugin-schemas` in
//! `.falco-rulec.yaml`, the language server's `pluginSchemas`): the fields, event
//! names, sources and versions of plugins we do not compile in, so that rules for
//! them lint like any other (docs/plugin-schemas.md).
//!
//! A file is JSON in one of two shapes:
//!
//! - Falco's field listing, `falco --list --format=json` with the plugins loaded:
//!   `{"fieldclasses": [{"name", "event_sources", "fields": [...]}]}`;
//! - a plugin description: one object, or an array of them, with the plugin's
//!   `name` and `version`, and its answers to the plugin API's `get_fields`
//!   (`fields`), `get_event_source` (`event_source`), `get_extract_event_sources`
//!   (`extract_event_sources`) and `get_async_events` (`async_events`).

use std::fmt;
use std::path::{Path, PathBuf};

use falco_schema::{
    ArgKind, ArgSpec, FieldDecl, FieldFlags, FieldType, PluginDecl, Presence, Schema,
};
use serde_json::{Map, Value};

/// The largest plugin schema file read (16 MiB, as for rules files); Falco's own
/// listing with every plugin is far below 1 MiB.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Why a plugin schema file cannot be used.
#[derive(Debug)]
pub struct PluginSchemaError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong, with the JSON position or the place in the document.
    pub message: String,
}

impl fmt::Display for PluginSchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for PluginSchemaError {}

/// The built-in schema with the plugins of every file in `paths` added (the
/// built-in schema itself when `paths` is empty).
pub fn read(paths: &[PathBuf]) -> Result<&'static Schema, PluginSchemaError> {
    let mut plugins = Vec::new();
    for path in paths {
        let error = |message: String| PluginSchemaError {
            path: path.clone(),
            message,
        };
        let text = read_bounded(path).map_err(error)?;
        plugins.extend(parse(&text).map_err(error)?);
    }
    Ok(Schema::with_plugins(plugins))
}

fn read_bounded(path: &Path) -> Result<String, String> {
    let size = std::fs::metadata(path)
        .map_err(|error| error.to_string())?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "the file has {size} bytes, more than the {MAX_FILE_BYTES} a plugin schema may have"
        ));
    }
    std::fs::read_to_string(path).map_err(|error| error.to_string())
}

/// The plugins a schema file's text describes.
pub fn parse(text: &str) -> Result<Vec<PluginDecl>, String> {
    let root: Value =
        serde_json::from_str(text).map_err(|error| format!("invalid JSON: {error}"))?;
    match &root {
        Value::Object(object) if object.contains_key("fieldclasses") => listing(object),
        Value::Object(object) => Ok(vec![plugin(object, "the plugin")?]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| match item {
                Value::Object(object) => plugin(object, &format!("plugin {}", index + 1)),
                _ => Err(format!("plugin {} is not an object", index + 1)),
            })
            .collect(),
        _ => Err(
            "expected Falco's field listing (an object with `fieldclasses`) or plugin descriptions (an object or an array of them)"
                .to_owned(),
        ),
    }
}

/// `falco --list --format=json`: each field class is one plugin (libsinsp's own
/// classes add only the fields this build does not know).
fn listing(root: &Map<String, Value>) -> Result<Vec<PluginDecl>, String> {
    let classes = array(root, "fieldclasses", "the listing")?;
    classes
        .iter()
        .enumerate()
        .map(|(index, class)| {
            let place = format!("field class {}", index + 1);
            let class = class
                .as_object()
                .ok_or_else(|| format!("{place} is not an object"))?;
            let name = string(class, "name", &place)?.ok_or(format!("{place} has no `name`"))?;
            let place = format!("field class `{name}`");
            let fields = array(class, "fields", &place)?;
            Ok(PluginDecl {
                name: name.strip_suffix(" (plugin)").unwrap_or(name).to_owned(),
                version: None,
                event_source: None,
                extract_sources: strings(class, "event_sources", &place)?,
                event_names: Vec::new(),
                fields: fields
                    .iter()
                    .enumerate()
                    .map(|(index, field)| {
                        listed_field(field, &format!("{place}, field {}", index + 1))
                    })
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

/// One field of Falco's listing: `{"name", "type": "CHARBUF", "is_list",
/// "argument": null | {"required", "type": ["INDEX", "KEY"]}, "desc"}`.
fn listed_field(field: &Value, place: &str) -> Result<FieldDecl, String> {
    let field = field
        .as_object()
        .ok_or_else(|| format!("{place} is not an object"))?;
    let name = string(field, "name", place)?.ok_or(format!("{place} has no `name`"))?;
    let place = format!("field `{name}`");
    let written = string(field, "type", &place)?.ok_or(format!("{place} has no `type`"))?;
    // The listing writes libsinsp's `PT_*` names without the prefix, and `DYNAMIC`
    // for `PT_DYN`.
    let ty = match written {
        "DYNAMIC" => Some(FieldType::Dyn),
        _ => FieldType::from_name(&format!("PT_{written}")),
    }
    .ok_or_else(|| format!("{place}: unknown type `{written}`"))?;
    let arg = match field.get("argument") {
        None | Some(Value::Null) => ArgSpec::NONE,
        Some(Value::Object(argument)) => {
            let required = boolean(argument, "required", &place)?;
            let kinds = strings(argument, "type", &place)?;
            let index = kinds.iter().any(|kind| kind == "INDEX");
            let key = kinds.iter().any(|kind| kind == "KEY");
            bracket_arg(required, index, key).unwrap_or(ArgSpec {
                presence: presence(required),
                bracket: Some(ArgKind::Any),
                dotted: None,
            })
        }
        Some(_) => return Err(format!("{place}: `argument` is not an object")),
    };
    Ok(FieldDecl {
        name: name.to_owned(),
        ty,
        is_list: boolean(field, "is_list", &place)?,
        arg,
        flags: FieldFlags::NONE,
        description: string(field, "desc", &place)?
            .unwrap_or_default()
            .to_owned(),
    })
}

/// One plugin description.
fn plugin(object: &Map<String, Value>, place: &str) -> Result<PluginDecl, String> {
    let name = string(object, "name", place)?.ok_or(format!("{place} has no `name`"))?;
    let place = format!("plugin `{name}`");
    let version = string(object, "version", &place)?
        .map(|text| {
            semver(text)
                .ok_or_else(|| format!("{place}: version `{text}` is not MAJOR.MINOR.PATCH"))
        })
        .transpose()?;
    let fields = array(object, "fields", &place)?;
    Ok(PluginDecl {
        name: name.to_owned(),
        version,
        event_source: string(object, "event_source", &place)?
            .filter(|source| !source.is_empty())
            .map(str::to_owned),
        extract_sources: strings(object, "extract_event_sources", &place)?,
        event_names: strings(object, "async_events", &place)?,
        fields: fields
            .iter()
            .enumerate()
            .map(|(index, field)| plugin_field(field, &format!("{place}, field {}", index + 1)))
            .collect::<Result<_, _>>()?,
    })
}

/// One entry of a plugin's `get_fields`, read as libsinsp reads it
/// (`sinsp_plugin::init`): `type` among the plugin API's seven, `arg` with
/// `isRequired`/`isIndex`/`isKey`, `properties` `hidden`/`info`/`conversation`.
fn plugin_field(field: &Value, place: &str) -> Result<FieldDecl, String> {
    let field = field
        .as_object()
        .ok_or_else(|| format!("{place} is not an object"))?;
    let name = string(field, "name", place)?.ok_or(format!("{place} has no `name`"))?;
    let place = format!("field `{name}`");
    let written = string(field, "type", &place)?.ok_or(format!("{place} has no `type`"))?;
    let ty = match written {
        "string" => FieldType::Charbuf,
        "uint64" => FieldType::Uint64,
        "reltime" => FieldType::Reltime,
        "abstime" => FieldType::Abstime,
        "bool" => FieldType::Bool,
        "ipaddr" => FieldType::Ipaddr,
        "ipnet" => FieldType::Ipnet,
        other => {
            return Err(format!(
                "{place}: unknown type `{other}` (a plugin field is string, uint64, reltime, abstime, bool, ipaddr or ipnet)"
            ));
        }
    };
    let arg = match field.get("arg") {
        None | Some(Value::Null) => ArgSpec::NONE,
        Some(Value::Object(arg)) => {
            let required = boolean(arg, "isRequired", &place)?;
            let index = boolean(arg, "isIndex", &place)?;
            let key = boolean(arg, "isKey", &place)?;
            match bracket_arg(required, index, key) {
                Some(spec) => spec,
                None if required => {
                    return Err(format!(
                        "{place}: the argument is required but neither an index nor a key"
                    ));
                }
                None => ArgSpec::NONE,
            }
        }
        Some(_) => return Err(format!("{place}: `arg` is not an object")),
    };
    let properties = strings(field, "properties", &place)?;
    let has = |property: &str| properties.iter().any(|written| written == property);
    Ok(FieldDecl {
        name: name.to_owned(),
        ty,
        is_list: boolean(field, "isList", &place)?,
        arg,
        flags: FieldFlags {
            table_only: has("hidden"),
            info: has("info"),
            conversation: has("conversation"),
            suggested: boolean(field, "addOutput", &place)?,
            ..FieldFlags::NONE
        },
        description: string(field, "desc", &place)?
            .unwrap_or_default()
            .to_owned(),
    })
}

/// A bracket argument that is an index, a key or either; `None` if neither.
fn bracket_arg(required: bool, index: bool, key: bool) -> Option<ArgSpec> {
    let kind = match (index, key) {
        (true, true) => ArgKind::IndexOrKey,
        (true, false) => ArgKind::Index,
        (false, true) => ArgKind::Key,
        (false, false) => return None,
    };
    Some(ArgSpec {
        presence: presence(required),
        bracket: Some(kind),
        dotted: None,
    })
}

fn presence(required: bool) -> Presence {
    if required {
        Presence::Required
    } else {
        Presence::Optional
    }
}

fn semver(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.splitn(3, '.').map(|part| part.parse::<u64>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

fn string<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    place: &str,
) -> Result<Option<&'a str>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(format!("{place}: `{key}` is not a string")),
    }
}

fn boolean(object: &Map<String, Value>, key: &str, place: &str) -> Result<bool, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(value)) => Ok(*value),
        Some(_) => Err(format!("{place}: `{key}` is not true or false")),
    }
}

/// The array under `key` (empty when there is none).
fn array<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    place: &str,
) -> Result<&'a [Value], String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(format!("{place}: `{key}` is not an array")),
    }
}

fn strings(object: &Map<String, Value>, key: &str, place: &str) -> Result<Vec<String>, String> {
    array(object, key, place)?
        .iter()
        .map(|item| match item {
            Value::String(text) => Ok(text.clone()),
            _ => Err(format!(
                "{place}: `{key}` holds something other than a string"
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests;
