//! The configuration tree: values with their places, and the typed reads Falco does on
//! them (yaml-cpp's conversions).

use std::cell::Cell;
use std::sync::Arc;

use falco_span::LineIndex;
use falco_yaml::{Node, NodeKind};

use crate::place::{ConfigError, Origin, Place};

/// A configuration value and where it was written.
#[derive(Clone, Debug)]
pub struct Value {
    /// What it holds.
    pub kind: Kind,
    /// Where it is written.
    pub place: Place,
}

/// What a value holds.
#[derive(Clone, Debug)]
pub enum Kind {
    /// `~`, `null`, an empty value (yaml-cpp's null).
    Null,
    /// Any other scalar, as text.
    Scalar(String),
    /// A sequence.
    Seq(Vec<Value>),
    /// A mapping, in the order written.
    Map(Vec<Entry>),
}

/// One key of a mapping.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key is written.
    pub key_place: Place,
    /// Its value.
    pub value: Value,
    /// Whether a reader asked for this key ([`Value::get`]).
    pub(crate) read: Cell<bool>,
    /// The place of an earlier entry with the same key, which is the one used.
    pub(crate) shadowed_by: Option<Place>,
}

impl Entry {
    pub(crate) fn new(key: String, key_place: Place, value: Value) -> Entry {
        Entry {
            key,
            key_place,
            value,
            read: Cell::new(false),
            shadowed_by: None,
        }
    }
}

impl Value {
    /// An empty mapping at `place`.
    pub(crate) fn empty_map(place: Place) -> Value {
        Value {
            kind: Kind::Map(Vec::new()),
            place,
        }
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// What kind of value this is, in words.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Scalar(_) => "a scalar",
            Kind::Seq(_) => "a sequence",
            Kind::Map(_) => "a mapping",
        }
    }

    /// The value of `key` when this is a mapping (the first entry, as yaml-cpp looks keys
    /// up), marking the key as read. A null value counts as absent: yaml-cpp's typed reads
    /// fall back to the default for it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        let Kind::Map(entries) = &self.kind else {
            return None;
        };
        let entry = entries.iter().find(|e| e.key == key)?;
        entry.read.set(true);
        (!entry.value.is_null()).then_some(&entry.value)
    }

    /// Marks this value and everything below it as read.
    pub fn mark_read(&self) {
        match &self.kind {
            Kind::Map(entries) => {
                for entry in entries {
                    entry.read.set(true);
                    entry.value.mark_read();
                }
            }
            Kind::Seq(items) => items.iter().for_each(Value::mark_read),
            Kind::Null | Kind::Scalar(_) => {}
        }
    }

    /// An error at this value.
    pub fn error(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::at(&self.place, message)
    }

    /// The scalar's text.
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// A string setting named `key` (for the message).
    pub fn as_str(&self, key: &str) -> Result<&str, ConfigError> {
        self.as_scalar().ok_or_else(|| {
            self.error(format!(
                "`{key}` must be a string, not {}",
                self.kind_name()
            ))
        })
    }

    /// A boolean setting, with yaml-cpp's spellings: `true`/`false`, `yes`/`no`, `on`/`off`
    /// and `y`/`n`, each in lower case, upper case or capitalised.
    pub fn as_bool(&self, key: &str) -> Result<bool, ConfigError> {
        self.as_scalar()
            .and_then(yaml_cpp_bool)
            .ok_or_else(|| self.error(format!("`{key}` must be true or false")))
    }

    /// A non-negative integer setting (decimal, or hexadecimal after `0x`).
    pub fn as_u64(&self, key: &str) -> Result<u64, ConfigError> {
        let parsed = self.as_scalar().and_then(|s| match s.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => s.strip_prefix('+').unwrap_or(s).parse().ok(),
        });
        parsed.ok_or_else(|| self.error(format!("`{key}` must be a non-negative integer")))
    }

    /// A number setting (`.1`, `1e-3`, `30`).
    pub fn as_f64(&self, key: &str) -> Result<f64, ConfigError> {
        self.as_scalar()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.error(format!("`{key}` must be a number")))
    }

    /// The items of a sequence setting; a scalar counts as a one-item sequence, as for
    /// Falco's `get_sequence`.
    pub fn as_items(&self, key: &str) -> Result<Vec<&Value>, ConfigError> {
        match &self.kind {
            Kind::Seq(items) => Ok(items.iter().collect()),
            Kind::Scalar(_) => Ok(vec![self]),
            Kind::Null => Ok(Vec::new()),
            Kind::Map(_) => Err(self.error(format!("`{key}` must be a list, not a mapping"))),
        }
    }

    /// Checks that a section is a mapping.
    pub fn as_section(&self, key: &str) -> Result<&Value, ConfigError> {
        match self.kind {
            Kind::Map(_) => Ok(self),
            _ => Err(self.error(format!(
                "`{key}` must be a mapping, not {}",
                self.kind_name()
            ))),
        }
    }
}

/// yaml-cpp's boolean conversion.
fn yaml_cpp_bool(s: &str) -> Option<bool> {
    let flexible = s.chars().all(|c| c.is_ascii_lowercase())
        || s.chars().all(|c| c.is_ascii_uppercase())
        || s.chars().next().is_some_and(|c| {
            c.is_ascii_uppercase() && s[1..].chars().all(|c| c.is_ascii_lowercase())
        });
    if !flexible {
        return None;
    }
    match s.to_ascii_lowercase().as_str() {
        "y" | "yes" | "true" | "on" => Some(true),
        "n" | "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// Most values a configuration may hold once its aliases are expanded: a few anchors
/// aliased inside each other would otherwise multiply into billions of values.
pub const MAX_VALUES: usize = 1_000_000;

/// A text the tree is built from: where it came from and how to find lines in it.
pub(crate) struct Text<'a> {
    pub(crate) origin: Arc<Origin>,
    pub(crate) text: &'a str,
    pub(crate) index: LineIndex,
}

impl<'a> Text<'a> {
    pub(crate) fn new(origin: Origin, text: &'a str) -> Text<'a> {
        Text {
            origin: Arc::new(origin),
            text,
            index: LineIndex::new(text),
        }
    }

    pub(crate) fn place(&self, offset: u32) -> Place {
        let p = self.index.position(self.text, offset);
        Place {
            origin: self.origin.clone(),
            line: p.line,
            column: p.column,
        }
    }

    /// The first document of the text as a value (`None` when it holds no node), or the
    /// first YAML syntax error.
    pub(crate) fn parse(&self) -> Result<Option<Value>, ConfigError> {
        let (documents, diagnostics) = falco_yaml::parse(falco_span::FileId(0), self.text);
        if let Some(d) = diagnostics.first() {
            return Err(ConfigError::at(
                &self.place(d.primary.span.span.start),
                d.message.clone(),
            ));
        }
        let mut budget = MAX_VALUES;
        documents
            .into_iter()
            .next()
            .and_then(|d| d.root)
            .map(|root| self.value(&root, &mut budget))
            .transpose()
    }

    fn value(&self, node: &Node, budget: &mut usize) -> Result<Value, ConfigError> {
        let place = self.place(node.span.span.start);
        *budget = budget.checked_sub(1).ok_or_else(|| {
            ConfigError::at(
                &place,
                format!(
                    "the configuration holds more than {MAX_VALUES} values once its aliases are expanded"
                ),
            )
        })?;
        let kind = match &node.kind {
            _ if node.is_null() => Kind::Null,
            NodeKind::Scalar(s) => Kind::Scalar(s.as_str().to_string()),
            NodeKind::Sequence(items) => Kind::Seq(
                items
                    .iter()
                    .map(|n| self.value(n, budget))
                    .collect::<Result<_, _>>()?,
            ),
            NodeKind::Mapping(pairs) => {
                let mut entries: Vec<Entry> = Vec::with_capacity(pairs.len());
                for (key, value) in pairs.iter() {
                    let key_place = self.place(key.span.span.start);
                    let Some(name) = key.as_str() else {
                        return Err(ConfigError::at(
                            &key_place,
                            format!("a key must be a string, not {}", key.kind_name()),
                        ));
                    };
                    let mut entry =
                        Entry::new(name.to_string(), key_place, self.value(value, budget)?);
                    entry.shadowed_by = entries
                        .iter()
                        .find(|e| e.key == name)
                        .map(|first| first.key_place.clone());
                    entries.push(entry);
                }
                Kind::Map(entries)
            }
        };
        Ok(Value { kind, place })
    }
}
