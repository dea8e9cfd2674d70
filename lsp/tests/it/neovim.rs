//! A real editor client: headless Neovim with the setup from `editors/neovim/`
//! opens a rules file and receives the server's diagnostics.

use std::path::Path;
use std::process::Command;

use crate::client::temp_dir;

#[test]
fn neovim_receives_diagnostics() {
    if Command::new("nvim").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "nvim is not installed, and CI is set: install it (apt-get install -y neovim)"
        );
        eprintln!(
            "SKIPPED neovim_receives_diagnostics: `nvim` is not installed (apt-get install neovim)"
        );
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = temp_dir("neovim");
    let file = dir.join("bad_rules.yaml");
    std::fs::write(
        &file,
        "- macro: ok\n  condition: proc.name = sh\n\n- rule: r\n  desc: d\n  condition: ok and proc.nmae = bash\n  output: o\n  priority: NOTICE\n",
    )
    .expect("write rules file");
    let out = dir.join("diagnostics.json");
    let status = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "--noplugin", "-n"])
        .arg("-c")
        .arg(format!(
            "luafile {}",
            repo.join("editors/neovim/test/diagnostics.lua").display()
        ))
        .env("FALCO_LSP_REPO", &repo)
        .env("FALCO_LSP_CMD", env!("CARGO_BIN_EXE_falco-rules-lsp"))
        .env("FALCO_LSP_FILE", &file)
        .env("FALCO_LSP_OUT", &out)
        .status()
        .expect("run nvim");
    assert!(status.success(), "nvim failed: {status}");
    let text = std::fs::read_to_string(&out).expect("nvim wrote no diagnostics file");
    let result: serde_json::Value = serde_json::from_str(&text).expect("JSON from nvim");
    assert_eq!(result["filetype"], "yaml.falco", "{result}");
    let diagnostics = result["diagnostics"].as_array().expect("diagnostics list");
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "E401" && d["lnum"] == 5 && d["col"] == 20),
        "{result}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
