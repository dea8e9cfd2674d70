//! The `lint` section of the project file `.falco-rulec.yaml`:
//!
//! ```yaml
//! lint:
//!   allow: [W206, unused-list]      # codes or names
//!   warn: [I201]
//!   deny: [W201]
//!   per-file-ignores:
//!     "legacy/**/*.yaml": [W201, W202]
//!   baseline: falco-rulec-baseline.json
//!   plugin-schemas: [plugins/krsi.json]   # docs/plugin-schemas.md
//! ```
//!
//! Globs and the baseline path are relative to the project file's folder. A code
//! named under two levels, an unknown code, an error code that is allowed or
//! warned, or an unknown key is a configuration error: nothing is linted.

use std::path::{Path, PathBuf};

use falco_diagnostics::Code;

use super::{Baseline, Level, LintSettings};
use crate::config::{ConfigError, Node, parse};

/// The project file's name.
pub const PROJECT_FILE: &str = ".falco-rulec.yaml";

/// The nearest project file in `start` or one of its ancestors.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|folder| folder.join(PROJECT_FILE))
        .find(|path| path.is_file())
}

/// Reads the `lint` section of the project file at `path` (settings with nothing
/// set when it has none).
pub fn read(path: &Path) -> Result<LintSettings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(ConfigError::Io)?;
    let base = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    settings_in(&text, &base)
}

/// The settings a project file's text gives, relative to `base`.
pub fn settings_in(text: &str, base: &Path) -> Result<LintSettings, ConfigError> {
    let mut settings = LintSettings::new(base);
    let Some(Node::Map(entries)) = parse(text)? else {
        return Ok(settings);
    };
    let Some((_, lint)) = entries
        .iter()
        .find(|(key, _)| matches!(key, Node::Scalar(key) if key == "lint"))
    else {
        return Ok(settings);
    };
    let shape = |message: String| ConfigError::Shape(message);
    let lint = match lint {
        Node::Map(lint) => lint,
        Node::Scalar(value) if value.is_empty() || value == "~" || value == "null" => {
            return Ok(settings);
        }
        _ => return Err(shape("`lint` must be a mapping".into())),
    };
    for (key, value) in lint {
        let Node::Scalar(key) = key else {
            return Err(shape("`lint` keys must be plain words".into()));
        };
        match key.as_str() {
            "allow" | "warn" | "deny" => {
                let level = match key.as_str() {
                    "allow" => Level::Allow,
                    "warn" => Level::Warn,
                    _ => Level::Deny,
                };
                for code in codes(value, &format!("lint.{key}"))? {
                    if let Some(other) = settings.level(code).filter(|other| *other != level) {
                        return Err(shape(format!(
                            "`{}` is under both `lint.{}` and `lint.{key}`",
                            code.as_str(),
                            other.as_str()
                        )));
                    }
                    settings
                        .set_level(code, level)
                        .map_err(|error| shape(format!("lint.{key}: {error}")))?;
                }
            }
            "per-file-ignores" => {
                let Node::Map(globs) = value else {
                    return Err(shape(
                        "`lint.per-file-ignores` must map globs to lists of codes".into(),
                    ));
                };
                for (glob, list) in globs {
                    let Node::Scalar(glob) = glob else {
                        return Err(shape("`lint.per-file-ignores` keys must be globs".into()));
                    };
                    let codes = codes(list, &format!("lint.per-file-ignores.\"{glob}\""))?;
                    settings
                        .ignore_in(glob, codes)
                        .map_err(|error| shape(format!("lint.per-file-ignores: {error}")))?;
                }
            }
            "baseline" => {
                let Node::Scalar(file) = value else {
                    return Err(shape("`lint.baseline` must be a path".into()));
                };
                let path = base.join(file);
                let baseline = Baseline::read(&path).map_err(shape)?;
                settings.baseline = Some(baseline);
            }
            "plugin-schemas" => {
                let files = match value {
                    Node::Scalar(file) => vec![file],
                    Node::Seq(items) => items
                        .iter()
                        .map(|item| match item {
                            Node::Scalar(file) => Ok(file),
                            _ => Err(shape("`lint.plugin-schemas` entries must be paths".into())),
                        })
                        .collect::<Result<_, _>>()?,
                    _ => {
                        return Err(shape(
                            "`lint.plugin-schemas` must be a path or a list of paths".into(),
                        ));
                    }
                };
                settings
                    .plugin_schemas
                    .extend(files.into_iter().map(|file| base.join(file)));
            }
            other => {
                return Err(shape(format!(
                    "unknown key `lint.{other}` (expected allow, warn, deny, per-file-ignores, baseline or plugin-schemas)"
                )));
            }
        }
    }
    Ok(settings)
}

/// A list of codes or names (or a single one).
fn codes(value: &Node, place: &str) -> Result<Vec<Code>, ConfigError> {
    let one = |node: &Node| match node {
        Node::Scalar(text) => parse_code(text).map_err(ConfigError::Shape),
        _ => Err(ConfigError::Shape(format!(
            "`{place}` entries must be codes or names"
        ))),
    };
    match value {
        Node::Seq(items) => items.iter().map(one).collect(),
        Node::Scalar(_) => one(value).map(|code| vec![code]),
        _ => Err(ConfigError::Shape(format!(
            "`{place}` must be a list of codes or names"
        ))),
    }
}

/// A code (`W201`) or its name (`unused-macro`), with a suggestion when unknown.
pub fn parse_code(text: &str) -> Result<Code, String> {
    Code::parse(text).ok_or_else(|| {
        let close = falco_diagnostics::did_you_mean(
            text,
            Code::ALL
                .iter()
                .flat_map(|code| [code.as_str(), code.name()]),
        );
        match close {
            Some(close) => format!("unknown code `{text}`; did you mean `{close}`?"),
            None => format!("unknown code `{text}` (`falco-rulec explain --list` lists them)"),
        }
    })
}
