//! Falco's own load order, for a workspace without a configuration file: Falco loads
//! `falco_rules.yaml`, then `falco_rules.local.yaml`, then the files of `rules.d/`
//! (the list in `rules_files.rs`). The other files follow; each group is in name
//! (path) order.

use std::path::{Path, PathBuf};

use crate::rules_files::{DEFAULT_LOAD_ORDER, RULES_DIRECTORIES};

/// Where `path` falls in Falco's default order: the index of the first entry of
/// [`DEFAULT_LOAD_ORDER`] it matches (its file name, or for a rules directory the
/// name of its folder), after all of them when it matches none.
fn rank(path: &Path) -> usize {
    let name = path.file_name().and_then(|name| name.to_str());
    let folder = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|name| name.to_str());
    DEFAULT_LOAD_ORDER
        .iter()
        .position(|entry| {
            if RULES_DIRECTORIES.contains(entry) {
                folder == Some(*entry)
            } else {
                name == Some(*entry)
            }
        })
        .unwrap_or(DEFAULT_LOAD_ORDER.len())
}

/// Sorts `paths` in Falco's default load order.
pub fn sort(paths: &mut [PathBuf]) {
    paths.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::sort;

    #[test]
    fn falco_rules_first_then_local_then_rules_d_then_the_rest_by_name() {
        let mut paths: Vec<PathBuf> = [
            "/ws/zz_rules.yaml",
            "/ws/rules.d/b.yaml",
            "/ws/falco-sandbox_rules.yaml",
            "/ws/falco_rules.local.yaml",
            "/ws/rules.d/a.yaml",
            "/ws/falco-incubating_rules.yaml",
            "/ws/falco_rules.yaml",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        sort(&mut paths);
        let names: Vec<&str> = paths.iter().filter_map(|p| p.to_str()).collect();
        assert_eq!(
            names,
            [
                "/ws/falco_rules.yaml",
                "/ws/falco_rules.local.yaml",
                "/ws/rules.d/a.yaml",
                "/ws/rules.d/b.yaml",
                "/ws/falco-incubating_rules.yaml",
                "/ws/falco-sandbox_rules.yaml",
                "/ws/zz_rules.yaml",
            ]
        );
    }
}
