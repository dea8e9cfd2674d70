//! The server's command line: `--help`, `--version` and unknown arguments.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_falco-rules-lsp"))
        .args(args)
        .output()
        .expect("falco-rules-lsp runs")
}

#[test]
fn help_and_version_print_and_succeed() {
    for flag in ["--version", "-V"] {
        let out = run(&[flag]);
        assert!(out.status.success(), "{flag}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("falco-rules-lsp {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
    for flag in ["--help", "-h"] {
        let out = run(&[flag]);
        assert!(out.status.success(), "{flag}");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("Usage: falco-rules-lsp"), "{help}");
        assert!(help.contains("Exit codes:"), "{help}");
    }
    let out = run(&["--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--help"));
}
