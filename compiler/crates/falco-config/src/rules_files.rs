//! The rules files a configuration loads.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::place::ConfigError;
use crate::tree::Kind;

/// The rules files `config` names, in order: `rules_files`, or the older `rules_file`
/// when there is no `rules_files`; a path or a list of paths. Relative entries are
/// resolved against the main configuration file's directory (Falco takes them from its
/// working directory), so that a repository's `falco.yaml` reads the same from anywhere.
/// Entries may name directories; they are not expanded here.
pub fn rules_files(config: &Config) -> Result<Vec<PathBuf>, ConfigError> {
    let Some((key, value)) = ["rules_files", "rules_file"]
        .into_iter()
        .find_map(|key| config.get(key).map(|value| (key, value)))
    else {
        return Ok(Vec::new());
    };
    let base = config
        .path()
        .and_then(Path::parent)
        .unwrap_or(Path::new(""));
    value
        .as_items(key)?
        .into_iter()
        .map(|item| match &item.kind {
            Kind::Scalar(path) => Ok(base.join(path)),
            _ => Err(item.error(format!(
                "`{key}` entries must be paths, not {}",
                item.kind_name()
            ))),
        })
        .collect()
}
