//! Reading one side of a diff: rules files, a directory, a Falco configuration, a
//! comma-separated list of those, or any of them at a git revision
//! (`git:REV:PATH`, read with `git` from the current directory's repository).

use std::path::Path;
use std::process::Command;

use falco_analysis::config;
use falco_analysis::inputs;

/// Where a side's files are read from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Store {
    /// The file system.
    Disk,
    /// A git revision of the current directory's repository.
    Git(String),
}

/// The rules files a side names, as (path, text) in load order.
pub fn load(spec: &str) -> Result<Vec<(String, String)>, String> {
    let (store, paths) = match spec.strip_prefix("git:") {
        Some(rest) => {
            let (rev, path) = rest
                .split_once(':')
                .ok_or_else(|| format!("`{spec}`: expected `git:REV:PATH`"))?;
            (Store::Git(rev.to_owned()), split(path))
        }
        None if Path::new(spec).exists() => (Store::Disk, vec![spec.to_owned()]),
        None => (Store::Disk, split(spec)),
    };
    let mut files = Vec::new();
    for path in paths {
        files.extend(store.rules_files(&path)?);
    }
    if files.is_empty() {
        return Err(format!("`{spec}` names no rules files"));
    }
    Ok(files)
}

fn split(paths: &str) -> Vec<String> {
    paths
        .split(',')
        .filter(|path| !path.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Store {
    /// The rules files `path` stands for: itself, a directory's `*.yaml`/`*.yml`
    /// files in name order, or a configuration's `rules_files` (each of those the
    /// same way, relative to the configuration's directory).
    fn rules_files(&self, path: &str) -> Result<Vec<(String, String)>, String> {
        if self.is_dir(path)? {
            let mut files = Vec::new();
            for file in self.list(path)? {
                let text = self.read(&file)?;
                files.push((self.show(&file), text));
            }
            return Ok(files);
        }
        let text = self.read(path)?;
        if !config::is_configuration(&text) {
            return Ok(vec![(self.show(path), text)]);
        }
        let entries = config::rules_files_in(&text)
            .map_err(|error| format!("cannot use configuration `{}`: {error}", self.show(path)))?;
        let base = Path::new(path).parent().unwrap_or(Path::new(""));
        let mut files = Vec::new();
        for entry in entries {
            let entry = base.join(entry).display().to_string();
            if self.is_dir(&entry)? {
                for file in self.list(&entry)? {
                    let text = self.read(&file)?;
                    files.push((self.show(&file), text));
                }
            } else {
                files.push((self.show(&entry), self.read(&entry)?));
            }
        }
        Ok(files)
    }

    /// How a path is shown in messages and outputs.
    fn show(&self, path: &str) -> String {
        match self {
            Store::Disk => path.to_owned(),
            Store::Git(rev) => format!("git:{rev}:{path}"),
        }
    }

    fn is_dir(&self, path: &str) -> Result<bool, String> {
        match self {
            Store::Disk => Ok(Path::new(path).is_dir()),
            Store::Git(rev) => {
                Ok(git(&["cat-file", "-t", &format!("{rev}:{path}")])?.trim() == "tree")
            }
        }
    }

    /// A directory's `*.yaml`/`*.yml` files in name order.
    fn list(&self, dir: &str) -> Result<Vec<String>, String> {
        match self {
            Store::Disk => inputs::expand(Path::new(dir))
                .map(|files| {
                    files
                        .iter()
                        .map(|file| file.display().to_string())
                        .collect()
                })
                .map_err(|error| format!("cannot read `{dir}`: {error}")),
            Store::Git(rev) => {
                let listing = git(&["ls-tree", "--name-only", &format!("{rev}:{dir}")])?;
                let mut files: Vec<String> = listing
                    .lines()
                    .filter(|name| name.ends_with(".yaml") || name.ends_with(".yml"))
                    .map(|name| Path::new(dir).join(name).display().to_string())
                    .collect();
                files.sort_by(|a, b| file_name(a).cmp(file_name(b)));
                Ok(files)
            }
        }
    }

    fn read(&self, path: &str) -> Result<String, String> {
        match self {
            Store::Disk => std::fs::read(path)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .map_err(|error| format!("cannot read `{path}`: {error}")),
            Store::Git(rev) => git(&["show", &format!("{rev}:{path}")]),
        }
    }
}

fn file_name(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or(path)
}

/// Runs `git ARGS` and returns its output, or what went wrong.
fn git(args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}
