//! Loading a configuration in Falco's order, and listing what nobody read.

use std::path::{Path, PathBuf};

use crate::includes;
use crate::overrides::Override;
use crate::place::{ConfigError, Origin, Place};
use crate::tree::{Kind, Text, Value};

/// A loaded configuration: one tree of values from the main file, the files it includes
/// and the command-line overrides.
#[derive(Debug)]
pub struct Config {
    root: Value,
    main: Option<PathBuf>,
    included: Vec<PathBuf>,
}

/// A key nobody read, or one that an earlier copy of the same key hides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unread {
    /// The key's path (`http_output.insecure`, `append_output[0].match`).
    pub key: String,
    /// Where the key is written.
    pub place: Place,
    /// When the key is written twice in one mapping: the place of the first, which is
    /// the one used.
    pub duplicate_of: Option<Place>,
}

impl Config {
    /// Loads `path` (or nothing) and applies `options` (`key=value`), in Falco's order:
    /// the main file; the options that set `config_files`; the files `config_files`
    /// includes, merged; the other options. `${VAR}` references in the files' values are
    /// replaced by the environment's values.
    pub fn load(path: Option<&Path>, options: &[String]) -> Result<Config, ConfigError> {
        Self::load_with_env(path, options, &|name| std::env::var(name).ok())
    }

    /// [`Config::load`] with the environment given by `lookup`.
    pub fn load_with_env(
        path: Option<&Path>,
        options: &[String],
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut root = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError::file(path, e.to_string()))?;
                Self::root_of(path, &text)?
            }
            None => Value::empty_map(Place {
                origin: std::sync::Arc::new(Origin::Option(String::new())),
                line: 1,
                column: 1,
            }),
        };
        crate::env::expand(&mut root, lookup);
        let overrides = options
            .iter()
            .map(|o| Override::parse(o))
            .collect::<Result<Vec<_>, _>>()?;
        let (early, late): (Vec<_>, Vec<_>) =
            overrides.into_iter().partition(Override::sets_config_files);
        for o in early {
            o.apply(&mut root)?;
        }
        let base = path.and_then(Path::parent).unwrap_or(Path::new(""));
        let mut included = Vec::new();
        for include in includes::includes(&root, base)? {
            if path.is_some_and(|main| same_file(main, &include.path)) {
                return Err(ConfigError::file(
                    &include.path,
                    "`config_files` includes the main configuration file itself",
                ));
            }
            for file in includes::files_of(&include)? {
                includes::merge_file(&mut root, &file, include.strategy, lookup)?;
                included.push(file);
            }
        }
        for o in late {
            o.apply(&mut root)?;
        }
        Ok(Config {
            root,
            main: path.map(Path::to_path_buf),
            included,
        })
    }

    /// The main file's tree: a mapping (an empty one for an empty file).
    fn root_of(path: &Path, text: &str) -> Result<Value, ConfigError> {
        let source = Text::new(Origin::File(path.to_path_buf()), text);
        let root = source
            .parse()?
            .unwrap_or_else(|| Value::empty_map(Place::file(path)));
        match root.kind {
            Kind::Map(_) => Ok(root),
            _ => Err(root.error(format!(
                "a configuration must be a mapping of keys, not {}",
                root.kind_name()
            ))),
        }
    }

    /// The main file, if any.
    pub fn path(&self) -> Option<&Path> {
        self.main.as_deref()
    }

    /// The files `config_files` merged in, in order.
    pub fn included(&self) -> &[PathBuf] {
        &self.included
    }

    /// The top-level mapping.
    pub fn root(&self) -> &Value {
        &self.root
    }

    /// The value of the top-level `key` (marking it read); see [`Value::get`].
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.root.get(key)
    }

    /// Every key nobody read with [`Value::get`] (the highest such key of each branch:
    /// an unread section is listed once, not key by key), and every duplicate key, in
    /// the order written.
    pub fn unread(&self) -> Vec<Unread> {
        let mut out = Vec::new();
        collect_unread(&self.root, "", &mut out);
        out
    }
}

fn collect_unread(value: &Value, prefix: &str, out: &mut Vec<Unread>) {
    match &value.kind {
        Kind::Map(entries) => {
            for entry in entries {
                let key = if prefix.is_empty() {
                    entry.key.clone()
                } else {
                    format!("{prefix}.{}", entry.key)
                };
                if entry.shadowed_by.is_some() || !entry.read.get() {
                    out.push(Unread {
                        key,
                        place: entry.key_place.clone(),
                        duplicate_of: entry.shadowed_by.clone(),
                    });
                } else {
                    collect_unread(&entry.value, &key, out);
                }
            }
        }
        Kind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_unread(item, &format!("{prefix}[{i}]"), out);
            }
        }
        Kind::Null | Kind::Scalar(_) => {}
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
