//! Re-analysis for an editor: the same result as [`analyze`](super::analyze), with
//! the per-file loading step cached between runs.
//!
//! A file is loaded again only when its text or its place in the load order
//! changes; everything after loading (resolution, typechecking) runs on every call,
//! exactly as `analyze` runs it. A test checks that both give equal results.

use falco_loader::LoadedFile;
use falco_span::FileId;

use super::{Analysis, analyze_loaded, source_files};

/// Keeps the loaded items of each file between analyses.
#[derive(Debug, Default)]
pub struct Incremental {
    /// The text each file was loaded from, by load-order position (`FileId`).
    texts: Vec<String>,
    /// The load of each file, same positions.
    loads: Vec<LoadedFile>,
    /// How many files the last call loaded afresh (the others came from the cache).
    reloaded: usize,
}

impl Incremental {
    /// An empty cache.
    pub fn new() -> Incremental {
        Incremental::default()
    }

    /// Lints `files` (path, text) in order, reusing the loads of unchanged files.
    /// The result equals `analyze(files)`.
    pub fn analyze(&mut self, files: Vec<(String, String)>) -> Analysis {
        let files = source_files(files);
        self.texts.truncate(files.len());
        self.loads.truncate(files.len());
        self.reloaded = 0;
        for file in &files {
            let index = file.id.0 as usize;
            if self.texts.get(index) == Some(&file.text) {
                continue;
            }
            self.reloaded += 1;
            let loaded = falco_loader::load_file(file.id, &file.text);
            if index < self.loads.len() {
                self.texts[index].clone_from(&file.text);
                self.loads[index] = loaded;
            } else {
                self.texts.push(file.text.clone());
                self.loads.push(loaded);
            }
        }
        let diagnostics = self
            .loads
            .iter()
            .flat_map(|file| file.diagnostics.iter().cloned())
            .collect();
        analyze_loaded(files, &self.loads, diagnostics)
    }

    /// The loaded items of file `id` from the last call (diagnostics included).
    pub fn loaded(&self, id: FileId) -> Option<&LoadedFile> {
        self.loads.get(id.0 as usize)
    }

    /// How many files the last call had to load afresh.
    pub fn reloaded(&self) -> usize {
        self.reloaded
    }
}

#[cfg(test)]
mod tests {
    use super::Incremental;
    use crate::analysis::{Analysis, analyze};

    fn upstream(name: &str) -> (String, String) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/upstream-rules")
            .join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        (name.to_owned(), text)
    }

    /// Everything `analyze` returns, in a form that compares (the typed macros sit
    /// in a hash map, so they are sorted first).
    fn fingerprint(analysis: &Analysis) -> String {
        let mut macros: Vec<String> = analysis
            .typed
            .macros
            .iter()
            .map(|(key, tree)| format!("{key:?} {tree:?}"))
            .collect();
        macros.sort();
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{macros:?}",
            analysis.files,
            analysis.diagnostics,
            analysis.summary,
            analysis.ruleset,
            analysis.typed.rules
        )
    }

    #[test]
    fn equals_analyze_through_edits_and_reorders() {
        let files = vec![
            upstream("falco_rules.yaml"),
            upstream("falco-incubating_rules.yaml"),
            upstream("falco-sandbox_rules.yaml"),
        ];
        let mut incremental = Incremental::new();
        let mut step = |files: Vec<(String, String)>, reloads: usize| {
            let expected = fingerprint(&analyze(files.clone()));
            let got = fingerprint(&incremental.analyze(files));
            assert_eq!(got, expected);
            assert_eq!(incremental.reloaded(), reloads);
        };
        step(files.clone(), 3);
        step(files.clone(), 0);
        let mut broken = files.clone();
        broken[0].1 = broken[0]
            .1
            .replacen("evt.type in (execve", "evt.type in (execve and", 1);
        step(broken, 1);
        step(files.clone(), 1);
        let reordered = vec![files[1].clone(), files[0].clone()];
        step(reordered, 2);
        step(files[..1].to_vec(), 1);
    }
}
