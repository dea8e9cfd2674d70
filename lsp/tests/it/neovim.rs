//! Real editor clients: headless Neovim with the setup from `editors/neovim/`, on every
//! Neovim the machine has: Debian's (0.7, `nvim` on `PATH`) and a current one
//! (`/opt/falco-rulec/nvim/bin/nvim`, installed from PyPI by `scripts/install-deps`).
//! Each opens rules files the way a user does, and `editors/neovim/test/editor.lua`
//! reports what happened: filetypes, diagnostics, `K`, CTRL-] and `<C-x><C-o>`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::client::temp_dir;

/// The current Neovim that `scripts/install-deps` installs.
const CURRENT_NVIM: &str = "/opt/falco-rulec/nvim/bin/nvim";

/// A rules file with a macro `ok` used by a rule whose condition has an unknown field.
const BAD_RULES: &str = "- macro: ok\n  condition: proc.name = sh\n\n- rule: r\n  desc: d\n  condition: ok and proc.nmae = bash\n  output: o\n  priority: NOTICE\n";

/// Whether the slow Neovim test `name` runs (`FALCO_TEST_ALL=1`, with `nvim` there).
fn available(name: &str, nvim: &str, install: &str) -> bool {
    let ready = match Command::new(nvim).arg("--version").output() {
        Ok(_) => Ok(()),
        Err(_) => Err(format!("{nvim} is missing ({install})")),
    };
    falco_test_budget::slow_test(name, ready)
}

/// Runs the editor script in `nvim` over a fresh workspace; returns its report.
fn run(nvim: &str, name: &str) -> Value {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = temp_dir(name);
    std::fs::create_dir_all(dir.join(".git")).expect("create .git");
    std::fs::create_dir_all(dir.join("rules.d")).expect("create rules.d");
    let files = [
        ("bad_rules.yaml", BAD_RULES),
        (
            "falco_rules.local.yaml",
            "- list: local_list\n  items: []\n",
        ),
        ("rules.d/extra.yaml", ""),
        (
            "detections.yaml",
            "# Our detections\n- required_engine_version: 0.31.0\n\n- macro: mine\n  condition: evt.num > 0\n",
        ),
        (
            "values.yaml",
            "replicaCount: 1\nitems:\n  - rule: not at the top\n",
        ),
        ("notes.txt", "- rule: a text file\n"),
    ];
    for (file, text) in files {
        std::fs::write(dir.join(file), text).expect("write a workspace file");
    }
    let out = dir.join("report.json");
    let status = Command::new(nvim)
        .args(["--headless", "-u", "NONE", "-i", "NONE", "--noplugin", "-n"])
        .arg("-c")
        .arg(format!(
            "luafile {}",
            repo.join("editors/neovim/test/editor.lua").display()
        ))
        .env("FALCO_LSP_REPO", &repo)
        .env("FALCO_LSP_CMD", env!("CARGO_BIN_EXE_falco-rules-lsp"))
        .env("FALCO_LSP_DIR", &dir)
        .env("FALCO_LSP_OUT", &out)
        .env_remove("XDG_CONFIG_HOME")
        .status()
        .expect("run nvim");
    assert!(status.success(), "{nvim} failed: {status}");
    let text = std::fs::read_to_string(&out)
        .unwrap_or_else(|error| panic!("{nvim} wrote no report ({error})"));
    let _ = std::fs::remove_dir_all(&dir);
    serde_json::from_str(&text).expect("JSON from nvim")
}

/// What every Neovim must do with the setup.
fn check(report: &Value) {
    let filetypes = &report["filetypes"];
    for rules in [
        "falco_rules.local.yaml",
        "rules.d/extra.yaml",
        "detections.yaml",
        "new_rules.yaml",
    ] {
        assert_eq!(filetypes[rules], "yaml.falco", "{rules}: {report}");
    }
    assert_eq!(filetypes["values.yaml"], "yaml", "{report}");
    assert_eq!(filetypes["notes.txt"], "text", "{report}");

    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "E401" && d["lnum"] == 5 && d["col"] == 20),
        "{report}"
    );
    assert_eq!(report["omnifunc"], "v:lua.vim.lsp.omnifunc", "{report}");
    assert_eq!(report["tagfunc"], "v:lua.vim.lsp.tagfunc", "{report}");
    // `K` shows the macro's hover, not a man page.
    let hover = report["hover"].as_str().unwrap_or_default();
    assert!(hover.contains("proc.name = sh"), "hover: {report}");
    // CTRL-] jumps to the macro's definition on line 1.
    assert_eq!(report["tag_error"], Value::Null, "{report}");
    assert_eq!(report["tag_line"], 1, "{report}");
    // <C-x><C-o> after `proc.` offers the process fields.
    let completion = report["completion"].as_array().expect("completion items");
    assert!(
        completion.iter().any(|item| item == "proc.name"),
        "{report}"
    );
    assert!(
        completion.iter().all(|item| item
            .as_str()
            .is_some_and(|label| label.starts_with("proc."))),
        "{report}"
    );
}

#[test]
fn neovim_debian() {
    if !available(
        "neovim_debian",
        "nvim",
        "apt-get install neovim (scripts/install-deps)",
    ) {
        return;
    }
    let report = run("nvim", "nvim-debian");
    check(&report);
}

#[test]
fn neovim_current() {
    if !available(
        "neovim_current",
        CURRENT_NVIM,
        "scripts/install-deps installs it from PyPI",
    ) {
        return;
    }
    let report = run(CURRENT_NVIM, "nvim-current");
    let version: Vec<u32> = report["version"]
        .as_str()
        .unwrap_or_default()
        .split('.')
        .filter_map(|part| part.parse().ok())
        .collect();
    assert!(
        version >= vec![0, 11],
        "expected Neovim 0.11 or newer (vim.lsp.config): {report}"
    );
    check(&report);
}
