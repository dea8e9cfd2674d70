//! `config_files`: more configuration files merged into the main one.
//!
//! Each entry is a path, or `{path: ..., strategy: append|override|add-only}`. A file is
//! merged; a directory stands for its regular files in name order; a path that does not
//! exist is skipped, as Falco skips it. The strategies, per top-level key of the included
//! file: `append` (the default) adds a sequence's items to the same key's sequence and
//! replaces anything else, `override` replaces the key, `add-only` sets only keys that
//! are not set yet. Included files cannot include further files. Relative paths are
//! taken from the including file's directory (Falco takes them from its working
//! directory), like `rules_files`, so a configuration reads the same from anywhere.

use std::path::{Path, PathBuf};

use crate::place::{ConfigError, Origin};
use crate::tree::{Entry, Kind, Text, Value};

/// How an included file's keys are merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strategy {
    Append,
    Override,
    AddOnly,
}

/// One entry of `config_files`.
#[derive(Debug)]
pub(crate) struct Include {
    pub(crate) path: PathBuf,
    pub(crate) strategy: Strategy,
}

/// The entries of `root`'s `config_files`, resolved against `base`.
pub(crate) fn includes(root: &Value, base: &Path) -> Result<Vec<Include>, ConfigError> {
    let Some(list) = root.get("config_files") else {
        return Ok(Vec::new());
    };
    list.mark_read();
    let mut out = Vec::new();
    for item in list.as_items("config_files")? {
        let (path, strategy) = match &item.kind {
            Kind::Scalar(path) => (path.as_str(), Strategy::Append),
            Kind::Map(_) => {
                let path = item
                    .get("path")
                    .ok_or_else(|| item.error("a `config_files` entry needs a `path`"))?
                    .as_str("config_files.path")?;
                let strategy = match item
                    .get("strategy")
                    .map(|s| s.as_str("strategy"))
                    .transpose()?
                {
                    None | Some("append") => Strategy::Append,
                    Some("override") => Strategy::Override,
                    Some("add-only") => Strategy::AddOnly,
                    Some(other) => {
                        return Err(item.error(format!(
                            "unknown `strategy` `{other}` (append, override or add-only)"
                        )));
                    }
                };
                (path, strategy)
            }
            _ => return Err(item.error("a `config_files` entry is a path or {path, strategy}")),
        };
        out.push(Include {
            path: base.join(path),
            strategy,
        });
    }
    Ok(out)
}

/// The files an entry stands for: itself, or a directory's regular files in name order;
/// none when it does not exist.
pub(crate) fn files_of(include: &Include) -> Result<Vec<PathBuf>, ConfigError> {
    let path = &include.path;
    if path.is_file() {
        return Ok(vec![path.clone()]);
    }
    if !path.is_dir() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(path).map_err(|e| ConfigError::file(path, e.to_string()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// Reads an included file and merges it into `root`.
pub(crate) fn merge_file(
    root: &mut Value,
    path: &Path,
    strategy: Strategy,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::file(path, e.to_string()))?;
    let source = Text::new(Origin::File(path.to_path_buf()), &text);
    let Some(mut included) = source.parse()? else {
        return Ok(());
    };
    crate::env::expand(&mut included, lookup);
    let Kind::Map(entries) = included.kind else {
        return Err(included.error("an included configuration must be a mapping of keys"));
    };
    let Kind::Map(root_entries) = &mut root.kind else {
        return Ok(());
    };
    for entry in entries {
        if entry.key == "config_files" {
            return Err(ConfigError::at(
                &entry.key_place,
                "an included configuration cannot include more files (`config_files`)",
            ));
        }
        let existing = root_entries.iter_mut().find(|e| e.key == entry.key);
        match (strategy, existing) {
            (_, None) => root_entries.push(Entry::new(entry.key, entry.key_place, entry.value)),
            (Strategy::AddOnly, Some(_)) => {}
            (Strategy::Append, Some(old)) if matches!(entry.value.kind, Kind::Seq(_)) => {
                append(old, entry.value)?;
            }
            (Strategy::Append | Strategy::Override, Some(old)) => {
                *old = Entry::new(entry.key, entry.key_place, entry.value);
            }
        }
    }
    Ok(())
}

/// Adds the items of the sequence `more` to `old`'s value.
fn append(old: &mut Entry, more: Value) -> Result<(), ConfigError> {
    let Kind::Seq(items) = more.kind else {
        return Ok(());
    };
    if old.value.is_null() {
        old.value.kind = Kind::Seq(Vec::new());
    }
    match &mut old.value.kind {
        Kind::Seq(existing) => {
            existing.extend(items);
            Ok(())
        }
        _ => Err(ConfigError::at(
            &more.place,
            format!(
                "cannot append to `{}`, which is {} at {}",
                old.key,
                old.value.kind_name(),
                old.value.place
            ),
        )),
    }
}
