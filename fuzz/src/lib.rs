//! The fuzz targets, in the cargo-fuzz layout (`fuzz/fuzz_targets/<name>.rs` are
//! one-line libFuzzer entry points into [`targets`]).
//!
//! Each target is a plain function of one input, so the same code runs under
//! libFuzzer (`scripts/fuzz TARGET MINUTES`, nightly) and in a stable test
//! (`tests/replay.rs`) that replays every saved input: the hand-made seeds in
//! `fuzz/seeds/<name>/`, the fixed findings in `fuzz/regressions/<name>/`, the
//! seeds taken from the shared corpus, and, when a campaign ran on this machine,
//! libFuzzer's corpus and findings (`fuzz/corpus/`, `fuzz/artifacts/`, not
//! committed). A target panics when a contract breaks; docs/robustness.md lists the
//! targets, their contracts and the campaigns' figures.

use std::path::{Path, PathBuf};

pub mod seeds;
pub mod targets;

/// A fuzz target: its name (the cargo-fuzz binary and the folders under `fuzz/`),
/// what it does with one input, and its seeds from the shared corpus.
pub struct Target {
    /// The name.
    pub name: &'static str,
    /// Runs one input; panics when a contract breaks.
    pub run: fn(&[u8]),
    /// The seeds taken from the shared corpus (`../shared/corpus`).
    pub seeds: fn(&Path) -> Vec<Vec<u8>>,
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "lint",
        run: targets::lint::run,
        seeds: targets::lint::seeds,
    },
    Target {
        name: "condition",
        run: targets::condition::run,
        seeds: targets::condition::seeds,
    },
    Target {
        name: "bundle",
        run: targets::bundle::run,
        seeds: targets::bundle::seeds,
    },
    Target {
        name: "k8s_audit",
        run: targets::k8s_audit::run,
        seeds: targets::k8s_audit::seeds,
    },
    Target {
        name: "lsp",
        run: targets::lsp::run,
        seeds: targets::lsp::seeds,
    },
    Target {
        name: "events",
        run: targets::events::run,
        seeds: targets::events::seeds,
    },
    Target {
        name: "scap",
        run: targets::scap::run,
        seeds: targets::scap::seeds,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|target| target.name == name)
}

/// The `fuzz/` folder.
pub fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared corpus beside the repository (`<repo>/../shared/corpus`).
pub fn corpus_dir() -> PathBuf {
    fuzz_dir().join("../../shared/corpus")
}

/// The inputs saved under `fuzz/<folder>/<target>/` for each of `folders`, as (path,
/// bytes), sorted by path; missing folders have none.
pub fn saved_inputs(target: &str, folders: &[&str]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut inputs = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(folder).join(target)) else {
            continue;
        };
        for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
            if let Ok(bytes) = std::fs::read(&path) {
                inputs.push((path, bytes));
            }
        }
    }
    inputs.sort();
    inputs
}
