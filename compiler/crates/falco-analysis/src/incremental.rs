//! Re-analysis for an editor: the same result as [`analyze`](super::analyze), with
//! the per-file loading step cached between runs.
//!
//! A file is loaded again only when its text or its place in the load order
//! changes, and then through [`falco_loader::reload`]: an edit inside one item
//! re-reads only that item (the rest of the file's load moves by the edit's change
//! in length). Line indexes are kept too, and only an edit's bytes are scanned.
//! Resolution and typechecking run on every call, reusing the list substitution
//! of every condition whose text, map and lists did not change (moved by the
//! edit), and the parse and typecheck of every condition and output text seen by
//! the previous call (see `super::memo`). Tests check that both give equal
//! results.

use falco_loader::{LoadIndex, LoadedFile, Reload};
use falco_schema::Schema;
use falco_span::{FileEdit, FileId, LineIndex};

use super::memo::Memo;
use super::{Analysis, SourceFile, analyze_loaded};

/// Keeps the loaded items of each file between analyses.
#[derive(Debug, Default)]
pub struct Incremental {
    /// The text each file was loaded from, by load-order position (`FileId`).
    texts: Vec<String>,
    /// The line index of each text, same positions.
    line_indexes: Vec<LineIndex>,
    /// The load of each file, same positions.
    loads: Vec<LoadedFile>,
    /// What the next reload of each file needs, same positions.
    indexes: Vec<LoadIndex>,
    /// How many files the last call loaded afresh (the others came from the cache).
    reloaded: usize,
    /// How many of those were re-read only in the edited item.
    piecewise: usize,
    /// Parses and typechecks of the last call, by text.
    memo: Memo,
    /// The schema checked against (`None`: the built-in one).
    schema: Option<&'static Schema>,
}

impl Incremental {
    /// An empty cache.
    pub fn new() -> Incremental {
        Incremental::default()
    }

    /// Checks the next analyses against `schema` (the built-in one with user
    /// plugin schemas added). The typechecks kept so far were made against the
    /// schema before, so they are dropped when it changes.
    pub fn set_schema(&mut self, schema: &'static Schema) {
        if !std::ptr::eq(self.schema(), schema) {
            self.memo = Memo::default();
            self.schema = Some(schema);
        }
    }

    /// The schema analyses are checked against.
    pub fn schema(&self) -> &'static Schema {
        self.schema.unwrap_or_else(Schema::get)
    }

    /// Lints `files` (path, text) in order, reusing the loads of unchanged files.
    /// The result equals `analyze_with(files, self.schema())`.
    pub fn analyze(&mut self, files: Vec<(String, String)>) -> Analysis {
        if files.len() < self.texts.len() {
            self.memo.parses.forget_positions();
        }
        self.texts.truncate(files.len());
        self.line_indexes.truncate(files.len());
        self.loads.truncate(files.len());
        self.indexes.truncate(files.len());
        self.reloaded = 0;
        self.piecewise = 0;
        let mut sources = Vec::with_capacity(files.len());
        for (index, (path, text)) in files.into_iter().enumerate() {
            let id = FileId(index as u32);
            sources.push(SourceFile {
                id,
                path,
                line_index: self.load(id, &text),
                text,
            });
        }
        let diagnostics = self
            .loads
            .iter()
            .flat_map(|file| file.diagnostics.iter().cloned())
            .collect();
        let schema = self.schema();
        analyze_loaded(
            sources,
            &self.loads,
            diagnostics,
            schema,
            Some(&mut self.memo),
        )
    }

    /// Brings the cached load of file `id` up to `text`; returns its line index.
    fn load(&mut self, id: FileId, text: &str) -> LineIndex {
        let index = id.0 as usize;
        match self.texts.get_mut(index) {
            Some(old) if old == text => {}
            Some(old) => {
                let edit = FileEdit::between(id, old, text);
                self.memo.parses.edited(&edit);
                let how = falco_loader::reload(
                    old,
                    &mut self.loads[index],
                    &mut self.indexes[index],
                    text,
                );
                self.reloaded += 1;
                self.piecewise += usize::from(how == Reload::Piecewise);
                self.line_indexes[index] = self.line_indexes[index].edited(text, &edit);
                old.clear();
                old.push_str(text);
            }
            None => {
                self.memo.parses.forget_positions();
                let (loaded, load_index) = falco_loader::load_indexed(id, text);
                self.reloaded += 1;
                self.texts.push(text.to_owned());
                self.line_indexes.push(LineIndex::new(text));
                self.loads.push(loaded);
                self.indexes.push(load_index);
            }
        }
        self.line_indexes[index].clone()
    }

    /// The loaded items of file `id` from the last call (diagnostics included).
    pub fn loaded(&self, id: FileId) -> Option<&LoadedFile> {
        self.loads.get(id.0 as usize)
    }

    /// How many files the last call had to load afresh.
    pub fn reloaded(&self) -> usize {
        self.reloaded
    }

    /// How many of the files the last call loaded afresh were re-read only in the
    /// item an edit changed.
    pub fn piecewise(&self) -> usize {
        self.piecewise
    }

    /// How many conditions the last call substituted lists into afresh (the
    /// others came from the memo).
    pub fn substituted(&self) -> usize {
        self.memo.parses.substituted()
    }

    /// How many conditions and outputs the last call parsed, and how many it
    /// typechecked, afresh (the others came from the memo).
    pub fn redone(&self) -> (usize, usize) {
        (self.memo.parses.parsed(), self.memo.checks.checked())
    }
}

#[cfg(test)]
mod tests {
    use super::Incremental;
    use crate::analyze;
    use crate::test_support::{fingerprint, upstream_rules};

    #[test]
    fn equals_analyze_through_edits_and_reorders() {
        let files = upstream_rules();
        let mut incremental = Incremental::new();
        let mut step = |files: Vec<(String, String)>, reloads: usize, piecewise: usize| {
            let expected = fingerprint(&analyze(files.clone()));
            let got = fingerprint(&incremental.analyze(files));
            assert_eq!(got, expected);
            assert_eq!(incremental.reloaded(), reloads);
            assert_eq!(incremental.piecewise(), piecewise);
        };
        step(files.clone(), 3, 0);
        step(files.clone(), 0, 0);
        let mut broken = files.clone();
        broken[0].1 = broken[0]
            .1
            .replacen("evt.type in (execve", "evt.type in (execve and", 1);
        step(broken, 1, 1);
        step(files.clone(), 1, 1);
        // An edit in the middle of the file that changes its length: the items
        // behind it move, and a field misspelled there is reported at its place.
        let middle = files[0].1.len() / 2;
        let at = middle + files[0].1[middle..].find("proc.name").unwrap();
        let mut misspelled = files.clone();
        misspelled[0].1.replace_range(at..at + 9, "proc.nam");
        step(misspelled.clone(), 1, 1);
        misspelled[0].1.replace_range(at..at, "\n      ");
        step(misspelled, 1, 1);
        step(files.clone(), 1, 1);
        let reordered = vec![files[1].clone(), files[0].clone()];
        step(reordered, 2, 0);
        step(files[..1].to_vec(), 1, 0);
    }
}
