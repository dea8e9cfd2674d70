//! Helpers for the workspace-level tests in `it/`: where the repository and the shared
//! corpus are, and how to pull the example out of a code's documentation.

use std::path::{Path, PathBuf};

/// The repository root (this crate lives in `<repo>/tests`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The shared corpus, `<repo>/../shared/corpus`. It is never copied into the repository.
pub fn corpus_dir() -> PathBuf {
    repo_root().join("../shared/corpus")
}

/// The rules files of the corpus and of `rules-stdlib/rules`, as (path, text), sorted by
/// path. Panics with a clear message when the corpus is missing, since CI always has it.
pub fn corpus_rules_files() -> Vec<(String, String)> {
    let corpus = corpus_dir();
    let mut dirs: Vec<PathBuf> = [
        "upstream-rules",
        "upstream-rules/archive",
        "upstream-rules-2021",
        "plugin-rules",
        "k8s-audit-events",
    ]
    .iter()
    .map(|dir| corpus.join(dir))
    .collect();
    dirs.push(repo_root().join("rules-stdlib/rules"));
    let mut files = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let is_yaml = path
                .extension()
                .is_some_and(|ext| ext == "yaml" || ext == "yml");
            if let Some(text) = is_yaml
                .then(|| std::fs::read_to_string(&path).ok())
                .flatten()
            {
                files.push((path.display().to_string(), text));
            }
        }
    }
    files.sort();
    assert!(
        files.len() > 3,
        "expected the rules corpus at {} (the repository's ../shared)",
        corpus.display()
    );
    files
}

/// The body of the first ```` ```yaml ```` block of a markdown document.
pub fn first_yaml_block(markdown: &str) -> Option<&str> {
    falco_diagnostics::yaml_blocks(markdown).first().copied()
}

#[cfg(test)]
mod tests {
    use super::first_yaml_block;

    #[test]
    fn finds_the_first_yaml_block() {
        let doc =
            "# E1\n\n```text\nno\n```\n\n```yaml\n- rule: a\n  x: 1\n```\n\n```yaml\n- b\n```\n";
        assert_eq!(first_yaml_block(doc), Some("- rule: a\n  x: 1\n"));
        assert_eq!(first_yaml_block("```yaml\nunterminated\n"), None);
        assert_eq!(first_yaml_block("no blocks"), None);
    }
}
