//! Baselines: the findings a team accepted when it adopted the linter. A finding
//! matches an entry by file, code and message (not by line, so edits above it do
//! not break the match); an entry accepts as many findings as its `count`, so a
//! second copy of an accepted problem is new.
//!
//! The file is JSON, sorted, one entry per line group, meant to be committed:
//!
//! ```json
//! {"version": 1, "findings": [
//!   {"file": "rules/app.yaml", "code": "W201", "message": "macro `m` is never used", "count": 1}
//! ]}
//! ```
//!
//! Paths are relative to the baseline file's folder. Errors are never recorded or
//! accepted: Falco rejects a file with an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use falco_diagnostics::Severity;
use serde::{Deserialize, Serialize};

use crate::Analysis;

/// The baseline format's version.
const VERSION: u32 = 1;

/// Accepted findings, and the folder their paths are relative to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    /// The baseline file's folder.
    pub base: PathBuf,
    counts: BTreeMap<Key, usize>,
}

/// What identifies a finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    file: String,
    code: String,
    message: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    code: String,
    message: String,
    count: usize,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read baseline `{}`: {error}", path.display()))?;
        let format: FileFormat = serde_json::from_str(&text)
            .map_err(|error| format!("baseline `{}` is not valid: {error}", path.display()))?;
        if format.version != VERSION {
            return Err(format!(
                "baseline `{}` has version {}; this falco-rulec reads version {VERSION}",
                path.display(),
                format.version
            ));
        }
        let mut baseline = Baseline {
            base: folder_of(path),
            counts: BTreeMap::new(),
        };
        for entry in format.findings {
            let key = Key {
                file: entry.file,
                code: entry.code,
                message: entry.message,
            };
            *baseline.counts.entry(key).or_default() += entry.count;
        }
        Ok(baseline)
    }

    /// The warnings and infos of `analysis`, to be written next to `path`.
    pub fn record(analysis: &Analysis, path: &Path) -> Baseline {
        let mut baseline = Baseline {
            base: folder_of(path),
            counts: BTreeMap::new(),
        };
        for diagnostic in &analysis.diagnostics {
            if diagnostic.code.default_severity() == Severity::Error {
                continue;
            }
            if let Some(key) = baseline.key(analysis, diagnostic) {
                *baseline.counts.entry(key).or_default() += 1;
            }
        }
        baseline
    }

    /// The file's text: sorted, so that it diffs well.
    pub fn to_json(&self) -> String {
        let format = FileFormat {
            version: VERSION,
            findings: self
                .counts
                .iter()
                .map(|(key, &count)| Entry {
                    file: key.file.clone(),
                    code: key.code.clone(),
                    message: key.message.clone(),
                    count,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&format).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Number of accepted findings.
    pub fn len(&self) -> usize {
        self.counts.values().sum()
    }

    /// Whether it accepts nothing.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Removes the diagnostics of `analysis` the baseline accepts; returns how many.
    pub fn accept(&self, analysis: &mut Analysis) -> usize {
        let mut left = self.counts.clone();
        let mut accepted = 0;
        let diagnostics = std::mem::take(&mut analysis.diagnostics);
        for diagnostic in diagnostics {
            let slot = (diagnostic.code.default_severity() != Severity::Error)
                .then(|| self.key(analysis, &diagnostic))
                .flatten()
                .and_then(|key| left.get_mut(&key))
                .filter(|count| **count > 0);
            match slot {
                Some(count) => {
                    *count -= 1;
                    accepted += 1;
                }
                None => analysis.diagnostics.push(diagnostic),
            }
        }
        accepted
    }

    fn key(&self, analysis: &Analysis, diagnostic: &falco_diagnostics::Diagnostic) -> Option<Key> {
        let file = analysis.file(diagnostic.primary.span.file)?;
        Some(Key {
            file: super::relative_to(&file.path, &self.base),
            code: diagnostic.code.as_str().to_owned(),
            message: diagnostic.message.clone(),
        })
    }
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
