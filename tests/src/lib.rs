//! Helpers for the workspace-level tests in `it/`: where the repository and the shared
//! corpus are, what `cargo metadata` says about the workspace, and how to pull the
//! example out of a code's documentation.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

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

/// `cargo metadata` of the workspace, run once per test binary: its packages with
/// their targets, the workspace members, and the dependency graph resolved for the
/// host the tests run on (so that only its dependencies are resolved and fetched).
pub fn cargo_metadata() -> &'static Value {
    static METADATA: OnceLock<Value> = OnceLock::new();
    METADATA.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = Command::new(&cargo)
            .args(["metadata", "--format-version", "1", "--filter-platform"])
            .arg(host_triple())
            .current_dir(repo_root())
            .output()
            .unwrap_or_else(|error| panic!("{cargo} metadata: {error}"));
        assert!(
            output.status.success(),
            "cargo metadata failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("cargo metadata writes JSON")
    })
}

/// The host the tests run on (`rustc -vV`).
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(&rustc)
        .arg("-vV")
        .output()
        .unwrap_or_else(|error| panic!("{rustc} -vV: {error}"));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("{rustc} -vV names no host"))
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
