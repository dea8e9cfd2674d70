//! Where a value was written, and errors that say so.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The text a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A configuration file (the main one or one that `config_files` includes).
    File(PathBuf),
    /// A `-o key=value` command-line option, as given.
    Option(String),
}

/// A place in a configuration: the origin and a 1-based line and column in its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The file or option.
    pub origin: Arc<Origin>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl Place {
    /// The start of `path` (for problems with a whole file).
    pub fn file(path: &Path) -> Place {
        Place {
            origin: Arc::new(Origin::File(path.to_path_buf())),
            line: 1,
            column: 1,
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.origin {
            Origin::File(path) => write!(f, "{}:{}:{}", path.display(), self.line, self.column),
            Origin::Option(option) => write!(f, "-o '{option}'"),
        }
    }
}

/// A configuration that could not be used, with the place of the problem when it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Where (`None` for a file that could not be read at all).
    pub place: Option<Place>,
    /// The file, when the problem is a whole file (unreadable, not found).
    pub path: Option<PathBuf>,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    /// A problem at `place`.
    pub fn at(place: &Place, message: impl Into<String>) -> ConfigError {
        ConfigError {
            place: Some(place.clone()),
            path: None,
            message: message.into(),
        }
    }

    /// A file that could not be read.
    pub fn file(path: &Path, message: impl Into<String>) -> ConfigError {
        ConfigError {
            place: None,
            path: Some(path.to_path_buf()),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.place, &self.path) {
            (Some(place), _) => write!(f, "{place}: {}", self.message),
            (None, Some(path)) => write!(f, "{}: {}", path.display(), self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConfigError {}
