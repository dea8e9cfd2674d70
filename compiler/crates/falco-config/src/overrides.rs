//! Falco's `-o key=value` command-line overrides.
//!
//! The key is a path: names separated by `.`, each followed by any number of `[N]`
//! (the N-th item of a sequence) or `[]` (a new item appended). `\.`, `\[`, `\]` and `\\`
//! put those characters into a name (`annotations.kubernetes\.io/role`). Missing
//! mappings and the last item of a sequence are created on the way. A value written as
//! `{...}` is read as a YAML flow mapping; any other value is a string, as Falco stores
//! it (`-o json_output=true` sets the text `true`, which reads as the boolean).

use std::sync::Arc;

use crate::place::{ConfigError, Origin, Place};
use crate::tree::{Entry, Kind, Text, Value};

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
    /// A new item at the end of a sequence.
    Append,
}

/// An option split into its path and value.
#[derive(Debug)]
pub(crate) struct Override {
    pub(crate) key: String,
    pub(crate) path: Vec<Step>,
    pub(crate) value: Value,
}

impl Override {
    /// Reads `option` (`key=value`).
    pub(crate) fn parse(option: &str) -> Result<Override, ConfigError> {
        let origin = Arc::new(Origin::Option(option.to_string()));
        let place = Place {
            origin: origin.clone(),
            line: 1,
            column: 1,
        };
        let Some((key, text)) = option.split_once('=') else {
            return Err(ConfigError::at(
                &place,
                "an option must be of the form key=value or key.subkey=value",
            ));
        };
        let path = key_path(key)
            .map_err(|message| ConfigError::at(&place, format!("in the key `{key}`: {message}")))?;
        let value = if text.starts_with('{') && text.ends_with('}') {
            let text_source = Text::new(Origin::Option(option.to_string()), text);
            let mut value = text_source
                .parse()?
                .unwrap_or_else(|| Value::empty_map(place.clone()));
            relocate(&mut value, &place);
            value
        } else {
            Value {
                kind: Kind::Scalar(text.to_string()),
                place: place.clone(),
            }
        };
        Ok(Override {
            key: key.to_string(),
            path,
            value,
        })
    }

    /// Whether the option sets `config_files` (those apply before the included files are
    /// merged, the others after).
    pub(crate) fn sets_config_files(&self) -> bool {
        self.key.starts_with("config_files")
    }

    /// Puts the value into `root`.
    pub(crate) fn apply(self, root: &mut Value) -> Result<(), ConfigError> {
        let place = self.value.place.clone();
        let slot = walk(root, &self.path, &place)?;
        *slot = self.value;
        Ok(())
    }
}

/// Values read from the option text point into the option; give them the option's
/// place (line 1, column 1 of `-o '...'`), which is how they are reported.
fn relocate(value: &mut Value, place: &Place) {
    value.place = place.clone();
    match &mut value.kind {
        Kind::Seq(items) => items.iter_mut().for_each(|v| relocate(v, place)),
        Kind::Map(entries) => entries.iter_mut().for_each(|e| {
            e.key_place = place.clone();
            relocate(&mut e.value, place);
        }),
        Kind::Null | Kind::Scalar(_) => {}
    }
}

/// The slot `path` names below `value`, created as needed.
fn walk<'v>(
    value: &'v mut Value,
    path: &[Step],
    place: &Place,
) -> Result<&'v mut Value, ConfigError> {
    let Some((step, rest)) = path.split_first() else {
        return Ok(value);
    };
    if value.is_null() {
        value.kind = match step {
            Step::Key(_) => Kind::Map(Vec::new()),
            Step::Index(_) | Step::Append => Kind::Seq(Vec::new()),
        };
    }
    let what = value.kind_name();
    let next = match (step, &mut value.kind) {
        (Step::Key(key), Kind::Map(entries)) => {
            let at = match entries.iter().position(|e| e.key == *key) {
                Some(at) => at,
                None => {
                    entries.push(Entry::new(
                        key.clone(),
                        place.clone(),
                        Value {
                            kind: Kind::Null,
                            place: place.clone(),
                        },
                    ));
                    entries.len() - 1
                }
            };
            &mut entries[at].value
        }
        (Step::Index(i), Kind::Seq(items)) => {
            let len = items.len();
            if *i == len {
                items.push(Value {
                    kind: Kind::Null,
                    place: place.clone(),
                });
            }
            items.get_mut(*i).ok_or_else(|| {
                ConfigError::at(
                    place,
                    format!(
                        "index {i} is past the end of a sequence of {len} items (`[]` appends)"
                    ),
                )
            })?
        }
        (Step::Append, Kind::Seq(items)) => {
            items.push(Value {
                kind: Kind::Null,
                place: place.clone(),
            });
            let last = items.len() - 1;
            &mut items[last]
        }
        (Step::Key(key), _) => {
            return Err(ConfigError::at(
                place,
                format!("cannot set `{key}` inside {what}"),
            ));
        }
        (Step::Index(_) | Step::Append, _) => {
            return Err(ConfigError::at(place, format!("cannot index into {what}")));
        }
    };
    walk(next, rest, place)
}

/// Splits a key into its steps.
pub(crate) fn key_path(key: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut chars = key.chars();
    loop {
        let mut name = String::new();
        let mut after = None;
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(e @ ('.' | '[' | ']' | '\\')) => name.push(e),
                    Some(other) => return Err(format!("`\\{other}` is not an escape")),
                    None => return Err("a key cannot end with `\\`".into()),
                },
                '.' | '[' => {
                    after = Some(c);
                    break;
                }
                c => name.push(c),
            }
        }
        if name.is_empty() {
            return Err(match after {
                Some(c) => format!("expected a name before `{c}`"),
                None => "expected a name at the end".into(),
            });
        }
        steps.push(Step::Key(name));
        while after == Some('[') {
            let mut index = String::new();
            loop {
                match chars.next() {
                    Some(']') => break,
                    Some(d) => index.push(d),
                    None => return Err("`[` is not closed".into()),
                }
            }
            steps.push(if index.is_empty() {
                Step::Append
            } else {
                Step::Index(
                    index
                        .parse()
                        .map_err(|_| format!("expected a numeric index, found `{index}`"))?,
                )
            });
            after = match chars.next() {
                None => None,
                Some(c @ ('.' | '[')) => Some(c),
                Some(c) => return Err(format!("expected `.` or `[` after `]`, found `{c}`")),
            };
        }
        if after.is_none() {
            return Ok(steps);
        }
    }
}
