//! The upstream rulesets load with no error, and only the warnings Falco gives.

use super::*;

fn load_dir(dir: &str) -> Vec<(String, LoadedFile)> {
    let path = shared().join("corpus").join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no rules files in {}", path.display());
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path.display().to_string(), load(&text))
        })
        .collect()
}

fn check(dir: &str, allowed: &[Code]) {
    for (path, loaded) in load_dir(dir) {
        let unexpected: Vec<_> = loaded
            .diagnostics
            .iter()
            .filter(|d| !allowed.contains(&d.code))
            .collect();
        assert!(unexpected.is_empty(), "{path}: {unexpected:#?}");
        assert!(
            loaded.broken.is_empty(),
            "{path}: broken items {:?}",
            loaded.broken
        );
    }
}

#[test]
fn upstream_rules_load_cleanly() {
    check("upstream-rules", &[]);
}

#[test]
fn upstream_rules_2021_load_cleanly() {
    // These files still use the integer `required_engine_version`.
    check("upstream-rules-2021", &[Code::I101]);
}

#[test]
fn plugin_rules_load_cleanly() {
    check("plugin-rules", &[Code::I101]);
}
