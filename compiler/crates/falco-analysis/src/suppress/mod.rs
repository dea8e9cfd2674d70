//! Suppressions, in ruff's and clippy's manner: what a project or a run says about
//! the diagnostics an [`Analysis`] found, applied after the analysis.
//!
//! In order, for each warning or info (errors are never suppressed: Falco rejects
//! the file):
//! 1. an inline `# falco-rulec: allow(CODE)` on its item drops it ([`inline`]);
//! 2. a per-file ignore whose glob matches its file drops it;
//! 3. its code's level (`allow`, `warn`, `deny`) drops it, or makes it a warning
//!    or an error;
//! 4. a baseline entry with the same file, code and message accepts it ([`baseline`]).
//!
//! Step 1 is part of every analysis ([`inline::apply`]), since the comments are in
//! the files: inline suppressions that suppressed nothing are reported (`W901`), and
//! so are malformed ones (`W902`). Steps 2 to 4 are [`LintSettings::apply`]; the
//! project file's `lint` section ([`project`]) and the command line fill the same
//! [`LintSettings`], and the language server applies them too.

pub mod baseline;
pub(crate) mod inline;
pub mod project;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use falco_diagnostics::{Code, Diagnostic, Severity};

use crate::Analysis;
pub use baseline::Baseline;

/// What a code is set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning.
    Warn,
    /// Reported as an error (the run fails).
    Deny,
}

impl Level {
    /// The level's name, as flags and the project file spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

/// Codes ignored in the files a glob matches.
#[derive(Clone, Debug)]
pub struct PerFileIgnore {
    /// The glob as written, relative to [`LintSettings::base`].
    pub pattern: String,
    matcher: globset::GlobMatcher,
    /// The codes.
    pub codes: Vec<Code>,
}

/// Everything that decides which diagnostics are shown and how.
#[derive(Clone, Debug, Default)]
pub struct LintSettings {
    /// The directory globs and baseline paths are relative to (the project file's).
    pub base: PathBuf,
    levels: BTreeMap<Code, Level>,
    per_file: Vec<PerFileIgnore>,
    /// Accepted findings.
    pub baseline: Option<Baseline>,
    /// Plugin schema files the rules are checked against (`lint.plugin-schemas`,
    /// resolved against `base`; read with [`crate::plugin_schema::read`]).
    pub plugin_schemas: Vec<PathBuf>,
}

/// How many diagnostics a [`LintSettings::apply`] took away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Dropped by an inline comment, a per-file ignore or an `allow` level.
    pub allowed: usize,
    /// Accepted by the baseline.
    pub baselined: usize,
}

impl LintSettings {
    /// Settings with nothing set, relative to `base`.
    pub fn new(base: impl Into<PathBuf>) -> LintSettings {
        LintSettings {
            base: base.into(),
            ..LintSettings::default()
        }
    }

    /// Sets `code` to `level` (a later call wins). An error code can only be denied
    /// (which changes nothing): Falco rejects a file with an error, so it cannot be
    /// allowed or made a warning.
    pub fn set_level(&mut self, code: Code, level: Level) -> Result<(), String> {
        if code.default_severity() == Severity::Error && level != Level::Deny {
            return Err(format!(
                "`{}` ({}) is an error, which Falco rejects: it cannot be set to `{}`",
                code.as_str(),
                code.name(),
                level.as_str()
            ));
        }
        self.levels.insert(code, level);
        Ok(())
    }

    /// The level set for `code`, if any.
    pub fn level(&self, code: Code) -> Option<Level> {
        self.levels.get(&code).copied()
    }

    /// Ignores `codes` in the files `pattern` matches (a glob relative to
    /// [`LintSettings::base`]: `*` stays within a folder, `**` crosses folders).
    pub fn ignore_in(&mut self, pattern: &str, codes: Vec<Code>) -> Result<(), String> {
        if let Some(code) = codes
            .iter()
            .find(|code| code.default_severity() == Severity::Error)
        {
            return Err(format!(
                "`{}` ({}) is an error, which Falco rejects: it cannot be ignored",
                code.as_str(),
                code.name()
            ));
        }
        let matcher = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|error| format!("invalid glob `{pattern}`: {error}"))?
            .compile_matcher();
        self.per_file.push(PerFileIgnore {
            pattern: pattern.to_owned(),
            matcher,
            codes,
        });
        Ok(())
    }

    /// Applies the settings to `analysis` (whose inline suppressions the analysis
    /// applied already): drops, re-levels and accepts its diagnostics.
    pub fn apply(&self, analysis: &mut Analysis) -> Applied {
        let mut applied = Applied::default();
        for mut diagnostic in std::mem::take(&mut analysis.diagnostics) {
            if diagnostic.severity != Severity::Error {
                if self.ignored_in_file(analysis, &diagnostic) {
                    applied.allowed += 1;
                    continue;
                }
                match self.levels.get(&diagnostic.code) {
                    Some(Level::Allow) => {
                        applied.allowed += 1;
                        continue;
                    }
                    Some(Level::Warn) => diagnostic.severity = Severity::Warning,
                    Some(Level::Deny) => diagnostic.severity = Severity::Error,
                    None => {}
                }
            }
            analysis.diagnostics.push(diagnostic);
        }
        if let Some(baseline) = &self.baseline {
            applied.baselined = baseline.accept(analysis);
        }
        applied
    }

    /// Whether a per-file ignore matches the diagnostic's file and code.
    fn ignored_in_file(&self, analysis: &Analysis, diagnostic: &Diagnostic) -> bool {
        let relevant: Vec<&PerFileIgnore> = self
            .per_file
            .iter()
            .filter(|ignore| ignore.codes.contains(&diagnostic.code))
            .collect();
        if relevant.is_empty() {
            return false;
        }
        let Some(file) = analysis.file(diagnostic.primary.span.file) else {
            return false;
        };
        let path = relative_to(&file.path, &self.base);
        relevant.iter().any(|ignore| ignore.matcher.is_match(&path))
    }
}

/// `path` (as given, relative to the working directory or absolute) relative to
/// `base`, with `/` separators; the path as given when it is not under `base`.
pub fn relative_to(path: &str, base: &Path) -> String {
    let absolute = |path: &Path| std::path::absolute(path).map(|path| normalize(&path));
    match (absolute(Path::new(path)), absolute(base)) {
        (Ok(path_abs), Ok(base_abs)) => match path_abs.strip_prefix(&base_abs) {
            Ok(relative) => relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            Err(_) => path.to_owned(),
        },
        _ => path.to_owned(),
    }
}

/// Removes `.` and folds `..` components without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests;
