//! Reading a Falco configuration file (`falco.yaml`) for the rules files it loads.
//!
//! Falco reads the list of rules files from `rules_files` (older releases used
//! `rules_file`; both are accepted, `rules_files` wins when both are present). The
//! value is a sequence of paths, or a single path. An entry may name a directory, whose
//! files are loaded in name order. Unlike Falco, which resolves relative entries against
//! its working directory, we resolve them against the configuration file's directory,
//! so that a repository's `falco.yaml` lints the same from anywhere.

use saphyr_parser::{Event, Parser};
use std::fmt;
use std::path::{Path, PathBuf};

/// Why a configuration file could not be used.
#[derive(Debug)]
pub enum ConfigError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The text is not YAML.
    Yaml(String),
    /// The text is YAML, but `rules_files` is not a path or a list of paths.
    Shape(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io(error) => write!(f, "{error}"),
            ConfigError::Yaml(error) => write!(f, "invalid YAML: {error}"),
            ConfigError::Shape(error) => f.write_str(error),
        }
    }
}

/// The rules files a configuration file names, in order, resolved against the
/// configuration file's directory. Entries may be directories (not expanded here).
pub fn rules_files(config_path: &Path) -> Result<Vec<PathBuf>, ConfigError> {
    let text = std::fs::read_to_string(config_path).map_err(ConfigError::Io)?;
    let entries = rules_files_in(&text)?;
    let base = config_path.parent().unwrap_or(Path::new(""));
    Ok(entries.into_iter().map(|entry| base.join(entry)).collect())
}

/// The `rules_files` (or `rules_file`) entries of a configuration text, unresolved.
/// A configuration without either key names no rules files.
pub fn rules_files_in(text: &str) -> Result<Vec<String>, ConfigError> {
    let root = parse(text)?;
    let Some(Node::Map(entries)) = root else {
        return Ok(Vec::new());
    };
    let lookup = |key: &str| {
        entries
            .iter()
            .find(|(name, _)| matches!(name, Node::Scalar(name) if name == key))
            .map(|(_, value)| value)
    };
    let Some((key, value)) = ["rules_files", "rules_file"]
        .into_iter()
        .find_map(|key| lookup(key).map(|value| (key, value)))
    else {
        return Ok(Vec::new());
    };
    match value {
        Node::Scalar(path) if path.is_empty() || path == "~" || path == "null" => Ok(Vec::new()),
        Node::Scalar(path) => Ok(vec![path.clone()]),
        Node::Seq(items) => items
            .iter()
            .map(|item| match item {
                Node::Scalar(path) => Ok(path.clone()),
                _ => Err(ConfigError::Shape(format!("`{key}` entries must be paths"))),
            })
            .collect(),
        Node::Map(_) | Node::Alias => Err(ConfigError::Shape(format!(
            "`{key}` must be a path or a list of paths"
        ))),
    }
}

/// Whether `text` reads as a configuration rather than a rules file: its root is a
/// mapping (a rules file's is a sequence).
pub fn is_configuration(text: &str) -> bool {
    matches!(parse(text), Ok(Some(Node::Map(_))))
}

/// A YAML value, as much of it as the configuration reader needs.
#[derive(Debug)]
pub(crate) enum Node {
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    Alias,
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

/// Parses the first document of `text` into a [`Node`] tree (`None` for an empty one).
pub(crate) fn parse(text: &str) -> Result<Option<Node>, ConfigError> {
    let mut events = Parser::new_from_str(text).map(|event| {
        event
            .map(|(event, _span)| event)
            .map_err(|error| ConfigError::Yaml(error.to_string()))
    });
    loop {
        match events.next().transpose()? {
            None | Some(Event::StreamEnd) | Some(Event::DocumentEnd) => return Ok(None),
            Some(Event::StreamStart) | Some(Event::DocumentStart(_)) | Some(Event::Nothing) => {}
            Some(event) => return node(event, &mut events, 0).map(Some),
        }
    }
}

fn node<'a>(
    first: Event<'a>,
    events: &mut impl Iterator<Item = Result<Event<'a>, ConfigError>>,
    depth: usize,
) -> Result<Node, ConfigError> {
    if depth > MAX_DEPTH {
        return Err(ConfigError::Shape(
            "the configuration nests too deeply".into(),
        ));
    }
    let truncated = || ConfigError::Yaml("unexpected end of the document".into());
    match first {
        Event::Scalar(value, ..) => Ok(Node::Scalar(value.into_owned())),
        Event::Alias(_) => Ok(Node::Alias),
        Event::SequenceStart(..) => {
            let mut items = Vec::new();
            loop {
                match events.next().transpose()?.ok_or_else(truncated)? {
                    Event::SequenceEnd => return Ok(Node::Seq(items)),
                    event => items.push(node(event, events, depth + 1)?),
                }
            }
        }
        Event::MappingStart(..) => {
            let mut entries = Vec::new();
            loop {
                match events.next().transpose()?.ok_or_else(truncated)? {
                    Event::MappingEnd => return Ok(Node::Map(entries)),
                    event => {
                        let key = node(event, events, depth + 1)?;
                        let value_event = events.next().transpose()?.ok_or_else(truncated)?;
                        let value = node(value_event, events, depth + 1)?;
                        entries.push((key, value));
                    }
                }
            }
        }
        _ => Err(truncated()),
    }
}
