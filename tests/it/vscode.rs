//! The VS Code extension (`editors/vscode`) builds, passes its unit and grammar tests,
//! and packages as a platform `.vsix` with the stripped release server and linter inside
//! (at most 10 MB): this runs `editors/vscode/scripts/ci.sh`. Its snippets,
//! expanded with their defaults by the extension's tests (`out/snippets/`), must then
//! load after the upstream `falco_rules.yaml` without errors.
//!
//! Slow (a release build of the server and the npm build): it runs under
//! `FALCO_TEST_ALL=1` (CI), where npm must be installed (`falco_test_budget::slow_test`).

use falco_analysis::analyze;
use falco_rulec::render::{Format, render};
use falco_rulec_tests::{corpus_dir, repo_root};
use std::path::Path;
use std::process::Command;

fn npm_available() -> bool {
    Command::new("npm")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

#[test]
fn vscode_extension_builds_tests_and_packages() {
    let extension = repo_root().join("editors/vscode");
    let ready = if npm_available() {
        Ok(())
    } else {
        Err("npm is not on PATH: install Node.js >= 18 and npm \
             (scripts/install-deps, editors/vscode/README.md)"
            .to_owned())
    };
    if !falco_test_budget::slow_test("vscode_extension_builds_tests_and_packages", ready) {
        return;
    }
    // package.sh deletes any previous .vsix of its platform before packaging.
    let vsix = extension.join(format!("falco-rules-{}.vsix", vscode_platform()));
    let output = Command::new("bash")
        .arg(extension.join("scripts/ci.sh"))
        .output()
        .expect("run bash editors/vscode/scripts/ci.sh");
    assert!(
        output.status.success(),
        "editors/vscode/scripts/ci.sh failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    let bytes = std::fs::read(&vsix).expect("ci.sh reported success, so the .vsix exists");
    // A .vsix is a zip archive; its central directory names the files uncompressed.
    assert!(
        bytes.starts_with(b"PK\x03\x04"),
        "{} is not a zip archive",
        vsix.display()
    );
    for member in [
        "extension/package.json",
        "extension/out/src/extension.js",
        "extension/syntaxes/falco-rules.tmLanguage.json",
        "extension/syntaxes/falco-condition.tmLanguage.json",
        "extension/snippets/falco-rules.code-snippets",
        "extension/node_modules/vscode-languageclient/package.json",
        "extension/server/falco-rules-lsp",
        "extension/server/falco-rulec",
    ] {
        assert!(
            bytes
                .windows(member.len())
                .any(|window| window == member.as_bytes()),
            "{} lacks {member}",
            vsix.display()
        );
    }
    assert!(
        bytes.len() <= 10_000_000,
        "the .vsix is {} bytes, more than 10 MB",
        bytes.len()
    );
    snippets_load_without_errors(&extension.join("out/snippets"));
}

/// VS Code's name for this machine's platform, as `--target` takes it.
fn vscode_platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}-{arch}")
}

/// Each expanded snippet, loaded after the upstream rules it builds on (`spawned_process`,
/// the rules and lists its overrides name), yields no error. Warnings are expected: a
/// fresh macro or list is unused.
fn snippets_load_without_errors(dir: &Path) {
    let base_path = corpus_dir().join("upstream-rules/falco_rules.yaml");
    let base = std::fs::read_to_string(&base_path)
        .unwrap_or_else(|error| panic!("read {}: {error}", base_path.display()));
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("read {}: {error}", dir.display()))
        .map(|entry| entry.expect("list the expanded snippets").path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "expected the expanded snippets in {}, found {files:?}",
        dir.display()
    );
    for file in files {
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|error| panic!("read {}: {error}", file.display()));
        let analysis = analyze(vec![
            ("falco_rules.yaml".to_owned(), base.clone()),
            (file.display().to_string(), text),
        ]);
        assert_eq!(
            analysis.error_count(),
            0,
            "the snippet {} does not load:\n{}",
            file.display(),
            render(&analysis, Format::Human, false)
        );
    }
}
