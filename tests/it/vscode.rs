//! The VS Code extension (`editors/vscode`) builds, passes its unit and grammar tests,
//! and packages as a `.vsix`: this runs `editors/vscode/scripts/ci.sh`.
//!
//! Without npm the test is skipped with a message, except under CI (`CI` set), where the
//! Node.js toolchain is installed by `.ci/run` and its absence is a failure.

use falco_rulec_tests::repo_root;
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
    if !npm_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "npm is not on PATH, and CI is set: .ci/run must install Node.js and npm \
             (see editors/vscode/README.md) so the VS Code extension is built and tested"
        );
        eprintln!(
            "skipped vscode_extension_builds_tests_and_packages: npm is not on PATH \
             (install Node.js >= 18 and npm to build the VS Code extension)"
        );
        return;
    }
    let vsix = extension.join("falco-rules.vsix");
    if vsix.exists() {
        std::fs::remove_file(&vsix).expect("remove the previous falco-rules.vsix");
    }
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
        "falco-rules.vsix is not a zip archive"
    );
    for member in [
        "extension/package.json",
        "extension/out/src/extension.js",
        "extension/syntaxes/falco-rules.tmLanguage.json",
        "extension/syntaxes/falco-condition.tmLanguage.json",
        "extension/snippets/falco-rules.code-snippets",
        "extension/node_modules/vscode-languageclient/package.json",
    ] {
        assert!(
            bytes
                .windows(member.len())
                .any(|window| window == member.as_bytes()),
            "falco-rules.vsix lacks {member}"
        );
    }
}
