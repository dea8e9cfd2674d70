//! Running the real binary on fixture files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A rules file that lints clean: a rule restricted to two event types.
pub const CLEAN: &str = "\
- list: shells
  items: [bash, zsh]

- rule: shell spawned
  desc: a shell started
  condition: evt.type in (execve, execveat) and proc.name in (shells)
  output: shell started (command=%proc.cmdline)
  priority: NOTICE
";

/// A rules file with an error: a misspelled field.
pub const UNKNOWN_FIELD: &str = "\
- rule: shell spawned
  desc: a shell started
  condition: evt.type = execve and proc.nam = bash
  output: shell started (command=%proc.cmdline)
  priority: NOTICE
";

/// A rules file with only a warning: a list nothing uses.
pub const UNUSED_LIST: &str = "\
- list: unused_things
  items: [a, b]

- rule: shell spawned
  desc: a shell started
  condition: evt.type = execve and proc.name = bash
  output: shell started (command=%proc.cmdline)
  priority: NOTICE
";

/// The repository's root (the workspace above `compiler/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("compiler/ has a parent")
        .to_path_buf()
}

/// The shared corpus, `<repo>/../shared/corpus`, or `path` inside it.
pub fn corpus(path: &str) -> PathBuf {
    repo_root().join("../shared/corpus").join(path)
}

/// A scratch directory, fresh for each call.
pub fn scratch() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "falco-rulec-it-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Writes `text` to `dir/name` (creating parents) and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create parent");
    }
    std::fs::write(&path, text).expect("write fixture");
    path
}

/// The result of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Parses stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}):\n{}", self.stdout))
    }
}

/// Runs `falco-rulec ARGS` in `cwd` with `NO_COLOR` removed (tests set it explicitly).
pub fn run_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_falco-rulec"));
    command.args(args).current_dir(cwd).env_remove("NO_COLOR");
    for (key, value) in env {
        command.env(key, value);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("run falco-rulec");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs `falco-rulec ARGS` in a scratch directory.
pub fn run(args: &[&str]) -> Run {
    run_in(&scratch(), args, &[])
}

/// The codes of a JSON run's diagnostics.
pub fn codes(json: &serde_json::Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .map(|diagnostics| {
            diagnostics
                .iter()
                .filter_map(|diagnostic| diagnostic["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
