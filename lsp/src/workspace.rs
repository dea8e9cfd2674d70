//! The workspace model: which files load, in which order, with which text, and
//! the analysis of the current texts.
//!
//! The load order comes from a project file (`.falco-rulec.yaml`) or a `falco.yaml`
//! at the workspace root (or the file named by the `configFile` setting): its
//! `rules_files` entries, directories expanded to their YAML files in name order.
//! Open documents that the configuration does not name load after those, in
//! Falco's own order (`falco_rules.yaml`, `falco_rules.local.yaml`, `rules.d/`, then
//! the rest by name: [`crate::load_order`]); without a configuration, all open
//! documents load in that order. An open buffer's text overrides the file on disk,
//! which is read again when the client reports it changed.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use falco_analysis::incremental::Incremental;
use falco_analysis::suppress::{LintSettings, project};
use falco_analysis::{Analysis, SourceFile, inputs, plugin_schema};
use falco_loader::LoadedFile;
use falco_schema::Schema;
use falco_span::{FileId, FileSpan};
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::convert::{self, Files};
use crate::document::Document;
use crate::profile::{Profile, ProfileFile};
use crate::retire::Retire;
use crate::rules_files::CONFIG_FILES;

/// One file of the load order.
#[derive(Clone, Debug)]
pub struct FileEntry {
    /// The URI diagnostics are published under.
    pub uri: Uri,
    /// The key that identifies it (its canonical path, or the URI for non-file URIs).
    pub key: PathBuf,
}

/// Diagnostics ready to send for one file.
pub struct Publication {
    /// The file.
    pub uri: Uri,
    /// Its diagnostics (empty to clear).
    pub diagnostics: Vec<lsp::Diagnostic>,
    /// The document version they belong to, for open documents.
    pub version: Option<i32>,
}

/// Everything the server knows; guarded by one lock.
#[derive(Default)]
pub struct Workspace {
    /// The workspace root and the `configFile` setting, to look again later.
    root: Option<PathBuf>,
    explicit: Option<String>,
    /// The configuration file in use, if any, and its modification time.
    config: Option<PathBuf>,
    config_stamp: Option<std::time::SystemTime>,
    /// The files the configuration names, in order.
    configured: Vec<PathBuf>,
    /// Problems with the configuration or its files not shown to the user yet.
    problems: Vec<String>,
    /// Problems already shown (for this configuration), so none repeats per edit.
    shown: std::collections::HashSet<String>,
    /// Open documents by key.
    docs: BTreeMap<PathBuf, Document>,
    /// Texts of configured files that are not open, by key.
    disk: HashMap<PathBuf, String>,
    /// The `lint` section of the project file (levels, per-file ignores, baseline).
    lint: LintSettings,
    /// The `pluginSchemas` setting, relative to the root.
    plugin_schemas: Vec<String>,
    /// Cached loads between analyses.
    incremental: Incremental,
    /// The analysis of the texts at `analyzed`.
    analysis: Analysis,
    /// Frees the analyses it replaces.
    retire: Retire,
    /// The load order of `analysis`.
    files: Vec<FileEntry>,
    /// Bumped on every change of a text or of the load order.
    generation: u64,
    /// The generation `analysis` reflects (`None` before the first analysis).
    analyzed: Option<u64>,
    /// What was last published per file.
    published: HashMap<Uri, Vec<lsp::Diagnostic>>,
    /// Documents changed since the last publication (always published).
    touched: Vec<Uri>,
    /// The replay profile that rule hovers show (the `profileFile` setting).
    profile: ProfileFile,
}

/// The key of a URI: its canonical file path when it is a file.
pub fn key_of(uri: &Uri) -> PathBuf {
    match uri.to_file_path() {
        Some(path) => std::fs::canonicalize(&path).unwrap_or_else(|_| path.into_owned()),
        None => PathBuf::from(uri.as_str()),
    }
}

impl Workspace {
    /// Reads the configuration: `explicit` (the `configFile` setting, relative to
    /// the root), else the first project file found at `root`.
    pub fn configure(&mut self, root: Option<PathBuf>, explicit: Option<String>) {
        self.root = root;
        self.explicit = explicit;
        let config = self.find_config();
        self.configured.clear();
        self.shown.clear();
        if let Some(config) = &config {
            match falco_analysis::config::rules_files(config) {
                Ok(entries) => {
                    for path in entries {
                        match inputs::expand(&path) {
                            Ok(files) => self.configured.extend(files),
                            Err(error) => {
                                let problem = inputs::InputError::Unreadable { path, error };
                                self.report(problem.to_string());
                            }
                        }
                    }
                }
                Err(error) => {
                    self.report(format!("{}: {error}", config.display()));
                }
            }
        }
        self.lint = self.lint_settings();
        let schema = self.schema();
        self.incremental.set_schema(schema);
        self.config_stamp = config.as_deref().and_then(modified);
        self.config = config;
        self.disk.clear();
        self.generation += 1;
    }

    /// Uses the profile file `setting` (the `profileFile` setting, relative to the
    /// root) in rule hovers; `None` shows none.
    pub fn set_profile(&mut self, setting: Option<String>) {
        let path = setting.map(|setting| {
            let path = PathBuf::from(setting);
            match &self.root {
                Some(root) if path.is_relative() => root.join(path),
                _ => path,
            }
        });
        self.profile.set_path(path);
    }

    /// The `lint` settings of the project file at the root, as `falco-rulec lint`
    /// applies them there; none (with the problem reported) when it cannot be used.
    fn lint_settings(&mut self) -> LintSettings {
        let Some(path) = self.root.as_deref().and_then(project::find) else {
            return LintSettings::default();
        };
        project::read(&path).unwrap_or_else(|error| {
            self.report(format!("{}: {error}", path.display()));
            LintSettings::default()
        })
    }

    /// Sets the `pluginSchemas` setting; [`Workspace::configure`] reads the files.
    pub fn set_plugin_schemas(&mut self, files: Vec<String>) {
        self.plugin_schemas = files;
    }

    /// The schema with the plugin schemas of the project file and the setting
    /// added; the built-in one (with the problem reported) when one cannot be used.
    fn schema(&mut self) -> &'static Schema {
        let root = self.root.clone().unwrap_or_default();
        let files: Vec<PathBuf> = self
            .lint
            .plugin_schemas
            .iter()
            .cloned()
            .chain(self.plugin_schemas.iter().map(|file| root.join(file)))
            .collect();
        plugin_schema::read(&files).unwrap_or_else(|error| {
            self.report(format!("cannot use plugin schema {error}"));
            Schema::get()
        })
    }

    /// The configuration file that applies now.
    fn find_config(&self) -> Option<PathBuf> {
        let root = self.root.as_deref();
        match &self.explicit {
            Some(path) => {
                let path = Path::new(path);
                Some(match root {
                    Some(root) if path.is_relative() => root.join(path),
                    _ => path.to_path_buf(),
                })
            }
            None => root.and_then(|root| {
                CONFIG_FILES
                    .iter()
                    .map(|name| root.join(name))
                    .find(|path| path.is_file())
            }),
        }
    }

    /// Reads the configuration again if another file now applies or it changed
    /// on disk (a few `stat` calls; done before each analysis).
    fn refresh_config(&mut self) {
        let config = self.find_config();
        let stamp = config.as_deref().and_then(modified);
        if config != self.config || stamp != self.config_stamp {
            self.configure(self.root.clone(), self.explicit.clone());
        }
    }

    /// Notes a problem for the user, once per configuration.
    fn report(&mut self, problem: String) {
        if self.shown.insert(problem.clone()) {
            self.problems.push(problem);
        }
    }

    /// The problems not shown yet.
    pub fn take_problems(&mut self) -> Vec<String> {
        std::mem::take(&mut self.problems)
    }

    /// Opens a document.
    pub fn open(&mut self, uri: Uri, version: i32, text: String) {
        let key = key_of(&uri);
        self.touched.push(uri.clone());
        self.docs.insert(key, Document { uri, version, text });
        self.generation += 1;
    }

    /// Applies a `didChange`.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
    ) {
        let key = key_of(uri);
        if let Some(doc) = self.docs.get_mut(&key) {
            doc.apply(version, changes);
            self.touched.push(uri.clone());
            self.generation += 1;
        }
    }

    /// Closes a document; a configured file falls back to its text on disk.
    pub fn close(&mut self, uri: &Uri) {
        let key = key_of(uri);
        if self.docs.remove(&key).is_some() {
            self.disk.remove(&key);
            self.touched.push(uri.clone());
            self.generation += 1;
        }
    }

    /// The current generation (changes since start).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The load order for the current texts.
    fn load_order(&self) -> Vec<PathBuf> {
        let mut order: Vec<PathBuf> = Vec::new();
        for path in &self.configured {
            let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            if !order.contains(&key) {
                order.push(key);
            }
        }
        let mut rest: Vec<PathBuf> = self
            .docs
            .keys()
            .filter(|key| !order.contains(key))
            .cloned()
            .collect();
        crate::load_order::sort(&mut rest);
        order.extend(rest);
        order
    }

    /// Files changed on disk (saved, or reported by the client's file watchers): the
    /// configuration is read again, and so is every file that is not open, since a
    /// file may have appeared in or left a configured folder too.
    pub fn files_changed(&mut self) {
        self.configure(self.root.clone(), self.explicit.clone());
    }

    /// Brings the analysis up to date with the texts, if anything changed.
    pub fn analyze(&mut self) {
        self.refresh_config();
        if let Some(problem) = self.profile.refresh() {
            self.report(problem);
        }
        if self.analyzed == Some(self.generation) {
            return;
        }
        let mut files = Vec::new();
        let mut inputs = Vec::new();
        for key in self.load_order() {
            let (uri, text) = match self.docs.get(&key) {
                Some(doc) => (doc.uri.clone(), doc.text.clone()),
                None => {
                    let Some(uri) = Uri::from_file_path(&key) else {
                        continue;
                    };
                    let text = match self.disk.get(&key) {
                        Some(text) => text.clone(),
                        None => match std::fs::read_to_string(&key) {
                            Ok(text) => {
                                self.disk.insert(key.clone(), text.clone());
                                text
                            }
                            Err(error) => {
                                self.report(format!("{}: {error}", key.display()));
                                continue;
                            }
                        },
                    };
                    (uri, text)
                }
            };
            inputs.push((display_path(&uri), text));
            files.push(FileEntry { uri, key });
        }
        let mut analysis = self.incremental.analyze(inputs);
        self.lint.apply(&mut analysis);
        self.retire
            .retire(std::mem::replace(&mut self.analysis, analysis));
        self.files = files;
        self.analyzed = Some(self.generation);
    }

    /// Analyses if needed, then returns the diagnostics to publish: every file
    /// whose diagnostics changed since the last publication, and every document
    /// touched since then.
    pub fn publications(&mut self) -> Vec<Publication> {
        self.analyze();
        let mut by_file: Vec<Vec<lsp::Diagnostic>> = vec![Vec::new(); self.files.len()];
        let world = self.world();
        for diagnostic in &world.analysis.diagnostics {
            let id = diagnostic.primary.span.file.0 as usize;
            if let (Some(slot), Some(file)) = (by_file.get_mut(id), world.analysis.files.get(id)) {
                slot.push(convert::to_lsp_diagnostic(&world, file, diagnostic));
            }
        }
        let touched = std::mem::take(&mut self.touched);
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for (entry, diagnostics) in self.files.iter().zip(by_file) {
            seen.push(entry.uri.clone());
            let changed = self.published.get(&entry.uri) != Some(&diagnostics);
            if changed || touched.contains(&entry.uri) {
                self.published
                    .insert(entry.uri.clone(), diagnostics.clone());
                out.push(Publication {
                    uri: entry.uri.clone(),
                    diagnostics,
                    version: self.docs.get(&entry.key).map(|doc| doc.version),
                });
            }
        }
        // Files that left the workspace (closed, not configured) are cleared.
        let gone: Vec<Uri> = self
            .published
            .keys()
            .filter(|uri| !seen.contains(uri))
            .cloned()
            .collect();
        for uri in gone {
            if self
                .published
                .remove(&uri)
                .is_some_and(|old| !old.is_empty())
                || touched.contains(&uri)
            {
                out.push(Publication {
                    uri,
                    diagnostics: Vec::new(),
                    version: None,
                });
            }
        }
        out
    }

    /// A read-only view of the current analysis (call [`Workspace::analyze`] first).
    pub fn world(&self) -> World<'_> {
        World {
            analysis: &self.analysis,
            incremental: &self.incremental,
            files: &self.files,
            profile: self.profile.path().zip(self.profile.profile()),
        }
    }
}

/// A file's modification time.
fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .ok()
}

/// The path shown in messages for a URI.
fn display_path(uri: &Uri) -> String {
    match uri.to_file_path() {
        Some(path) => path.display().to_string(),
        None => uri.as_str().to_owned(),
    }
}

/// A read-only view of the analysis that handlers work on.
pub struct World<'a> {
    /// The analysis of the current texts.
    pub analysis: &'a Analysis,
    incremental: &'a Incremental,
    files: &'a [FileEntry],
    /// The replay profile (`profileFile`), with its path as shown.
    pub profile: Option<(&'a Path, &'a Profile)>,
}

impl World<'_> {
    /// The file id and file of a URI in the load order.
    pub fn file_of(&self, uri: &Uri) -> Option<(FileId, &SourceFile)> {
        let key = key_of(uri);
        let index = self
            .files
            .iter()
            .position(|entry| entry.uri == *uri || entry.key == key)?;
        Some((FileId(index as u32), self.analysis.files.get(index)?))
    }

    /// The URI of a file id.
    pub fn uri(&self, id: FileId) -> Option<&Uri> {
        self.files.get(id.0 as usize).map(|entry| &entry.uri)
    }

    /// The source file of a file id.
    pub fn source(&self, id: FileId) -> Option<&SourceFile> {
        self.analysis.files.get(id.0 as usize)
    }

    /// The loaded items of a file.
    pub fn loaded(&self, id: FileId) -> Option<&LoadedFile> {
        self.incremental.loaded(id)
    }

    /// Every file id in load order.
    pub fn ids(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.files.len()).map(|index| FileId(index as u32))
    }

    /// The text at a file span, if it lies inside the file.
    pub fn text_at(&self, span: FileSpan) -> Option<&str> {
        self.source(span.file)?.text.get(span.span.range())
    }
}

impl Files for World<'_> {
    fn file(&self, span: FileSpan) -> Option<(&SourceFile, &Uri)> {
        Some((self.source(span.file)?, self.uri(span.file)?))
    }
}
