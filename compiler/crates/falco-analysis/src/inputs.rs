//! Which rules files a run loads, in which order, and their texts.
//!
//! Order: the configuration's `rules_files` first (in their order), then the paths given
//! (in their order). A directory stands for its `*.yaml`/`*.yml` files in name order.

use crate::config;
use std::fmt;
use std::path::{Path, PathBuf};

/// An input that could not be used.
#[derive(Debug)]
pub enum InputError {
    /// A rules file or directory could not be read.
    Unreadable {
        /// The path as given (or as resolved from the configuration).
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// A directory given on the command line holds no rules file.
    NoRulesFiles {
        /// The directory as given.
        path: PathBuf,
    },
    /// The configuration file could not be read or understood.
    Config {
        /// Its path.
        path: PathBuf,
        /// Why.
        error: config::ConfigError,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Unreadable { path, error } => {
                write!(f, "cannot read `{}`: {error}", path.display())
            }
            InputError::NoRulesFiles { path } => write!(
                f,
                "`{}` holds no rules file (no *.yaml or *.yml directly in it)",
                path.display()
            ),
            InputError::Config { path, error } => {
                write!(f, "cannot use configuration `{}`: {error}", path.display())
            }
        }
    }
}

/// Gathers the files of a run as (path, text), in load order, or every input error.
/// A directory given in `paths` must hold a rules file (an empty bundle or a clean
/// lint of nothing would hide a wrong path); one in the configuration's
/// `rules_files` may be empty, as Falco allows.
pub fn gather(
    paths: &[PathBuf],
    config_path: Option<&Path>,
) -> Result<Vec<(String, String)>, Vec<InputError>> {
    let mut errors = Vec::new();
    let mut roots = Vec::new();
    if let Some(config_path) = config_path {
        match config::rules_files(config_path) {
            Ok(files) => roots.extend(files),
            Err(error) => errors.push(InputError::Config {
                path: config_path.to_owned(),
                error,
            }),
        }
    }
    let from_config = roots.len();
    roots.extend(paths.iter().cloned());
    let mut files = Vec::new();
    for (index, root) in roots.iter().enumerate() {
        match expand(root) {
            Ok(expanded) if expanded.is_empty() && index >= from_config => {
                errors.push(InputError::NoRulesFiles { path: root.clone() })
            }
            Ok(expanded) => files.extend(expanded),
            Err(error) => errors.push(InputError::Unreadable {
                path: root.clone(),
                error,
            }),
        }
    }
    let mut loaded = Vec::new();
    for file in files {
        match read(&file) {
            Ok(text) => loaded.push((file.display().to_string(), text)),
            Err(error) => errors.push(InputError::Unreadable { path: file, error }),
        }
    }
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(errors)
    }
}

/// A file stands for itself; a directory for its `*.yaml`/`*.yml` files in name order.
pub fn expand(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|file| file.is_file() && is_yaml(file))
        .collect();
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext == "yaml" || ext == "yml")
}

/// The largest rules file read (Falco has no limit; the largest file it ships is
/// about 0.2 MiB). A larger file is an input error, read no further than the limit.
pub const MAX_RULES_FILE_BYTES: u64 = 16 << 20;

/// Reads a rules file. Bytes that are not UTF-8 are replaced (U+FFFD), so that the
/// YAML stage reports them instead of the run failing.
fn read(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_RULES_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_RULES_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the file is larger than {} MiB, the limit for a rules file",
                MAX_RULES_FILE_BYTES >> 20
            ),
        ));
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    })
}

#[cfg(test)]
mod tests;
