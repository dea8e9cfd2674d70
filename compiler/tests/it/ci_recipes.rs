//! The CI recipes users copy (docs/ci.md): the GitHub workflow, the composite action
//! (`action.yml`), the GitLab pipeline, the release workflow and the pre-commit hooks.
//! Each file passes its published schema (check-jsonschema's copies of SchemaStore's,
//! from PyPI), every shell snippet in it parses, the action's lint step runs against
//! the real binary, and pre-commit itself runs the hooks on a sample repository.
//!
//! check-jsonschema and pre-commit live in a venv that `scripts/install-deps` makes;
//! without it these tests skip with a message, except under `FALCO_TEST_ALL=1` (CI),
//! where its absence is a failure.

use crate::support::*;
use falco_span::FileId;
use falco_yaml::Node;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The venv with check-jsonschema and pre-commit (scripts/install-deps).
const TOOLS: &str = "/opt/falco-rulec/citools/bin";

/// The tool's path, or `None` (after saying why) when the venv is missing, unless
/// `FALCO_TEST_ALL=1`.
fn tool(name: &str) -> Option<PathBuf> {
    let path = Path::new(TOOLS).join(name);
    if path.is_file() {
        return Some(path);
    }
    let why = format!(
        "{} is missing (run scripts/install-deps as root)",
        path.display()
    );
    falco_test_budget::available(name, Err(why));
    None
}

/// The recipe files and the schema each must pass.
const RECIPES: &[(&str, &str)] = &[
    ("docs/ci/github-workflow.yml", "vendor.github-workflows"),
    (".github/workflows/release.yml", "vendor.github-workflows"),
    ("action.yml", "vendor.github-actions"),
    ("docs/ci/gitlab-ci.yml", "vendor.gitlab-ci"),
];

#[test]
fn recipes_pass_their_schemas() {
    let Some(checker) = tool("check-jsonschema") else {
        return;
    };
    for (file, schema) in RECIPES {
        let output = Command::new(&checker)
            .args(["--builtin-schema", schema])
            .arg(repo_root().join(file))
            .output()
            .expect("run check-jsonschema");
        assert!(
            output.status.success(),
            "{file} does not pass {schema}:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_schema_check_fails_on_a_broken_workflow() {
    let Some(checker) = tool("check-jsonschema") else {
        return;
    };
    let text = read("docs/ci/github-workflow.yml").replace("runs-on:", "runs_on:");
    let broken = write(&scratch(), "broken.yml", &text);
    let status = Command::new(&checker)
        .args(["--builtin-schema", "vendor.github-workflows"])
        .arg(&broken)
        .output()
        .expect("run check-jsonschema")
        .status;
    assert!(!status.success(), "a misspelled key must fail the check");
}

fn read(relative: &str) -> String {
    let path = repo_root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The root node of a YAML file of the repository.
fn yaml(relative: &str) -> Node {
    let (documents, diagnostics) = falco_yaml::parse(FileId(0), &read(relative));
    assert!(diagnostics.is_empty(), "{relative}: {diagnostics:?}");
    documents
        .into_iter()
        .next()
        .and_then(|document| document.root)
        .unwrap_or_else(|| panic!("{relative} is empty"))
}

/// Every value of a `key` entry anywhere under `node`, in order.
fn values_of<'a>(node: &'a Node, key: &str, out: &mut Vec<&'a Node>) {
    if let Some(entries) = node.as_mapping() {
        for (name, value) in entries {
            if name.as_str() == Some(key) {
                out.push(value);
            }
            values_of(value, key, out);
        }
    } else if let Some(items) = node.as_sequence() {
        for item in items {
            values_of(item, key, out);
        }
    }
}

/// Checks `script`'s syntax with `shell -n`.
fn assert_parses(shell: &str, script: &str, origin: &str) {
    let output = Command::new(shell)
        .args(["-n", "-c", script])
        .output()
        .expect("run the shell");
    assert!(
        output.status.success(),
        "{origin}: {shell} cannot parse\n{script}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_shell_snippet_parses() {
    for file in [
        "docs/ci/github-workflow.yml",
        ".github/workflows/release.yml",
        "action.yml",
    ] {
        let root = yaml(file);
        let mut scripts = Vec::new();
        values_of(&root, "run", &mut scripts);
        assert!(!scripts.is_empty(), "{file} has run steps");
        for script in scripts {
            // GitHub runs `run:` with bash; `${{ … }}` is expanded before, so it never
            // reaches the shell's parser in a way that matters here.
            let text = script.as_str().expect("a run step is a string");
            assert_parses("bash", text, file);
        }
    }
    let root = yaml("docs/ci/gitlab-ci.yml");
    let mut lists = Vec::new();
    values_of(&root, "script", &mut lists);
    values_of(&root, "before_script", &mut lists);
    assert!(lists.len() >= 3);
    for list in lists {
        for line in list.as_sequence().expect("a script is a list") {
            assert_parses("sh", line.as_str().expect("a script line"), "gitlab-ci.yml");
        }
    }
}

/// The `run` script of the action's step called `name`.
fn action_step(name: &str) -> String {
    let root = yaml("action.yml");
    let steps = root
        .get("runs")
        .and_then(|runs| runs.get("steps"))
        .and_then(Node::as_sequence)
        .expect("runs.steps");
    steps
        .iter()
        .find(|step| step.get("name").and_then(Node::as_str) == Some(name))
        .and_then(|step| step.get("run"))
        .and_then(Node::as_str)
        .unwrap_or_else(|| panic!("action.yml has no `{name}` step"))
        .to_owned()
}

/// A PATH whose first entry holds the `falco-rulec` under test.
fn path_with_binary() -> String {
    let binary = Path::new(env!("CARGO_BIN_EXE_falco-rulec"));
    let dir = binary.parent().expect("the binary's folder");
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Runs the action's lint step in `dir` with `inputs` as its environment; returns
/// the exit code, stdout and the step's outputs file.
fn run_lint_step(dir: &Path, inputs: &[(&str, &str)]) -> (i32, String, String) {
    let outputs = dir.join("github-output");
    std::fs::write(&outputs, "").expect("outputs file");
    let mut command = Command::new("bash");
    command
        .args(["-e", "-c", &action_step("Lint")])
        .current_dir(dir)
        .env("PATH", path_with_binary())
        .env("GITHUB_OUTPUT", &outputs)
        .env_remove("NO_COLOR");
    for name in ["PATHS", "CONFIG", "ARGS"] {
        command.env(name, "");
    }
    command.env("SARIF", "report.sarif").env("DENY", "false");
    for (name, value) in inputs {
        command.env(name, value);
    }
    let output = command.output().expect("run the action's lint step");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        std::fs::read_to_string(&outputs).unwrap_or_default(),
    )
}

#[test]
fn the_actions_lint_step_writes_sarif_annotates_and_fails_on_errors() {
    let dir = scratch();
    write(&dir, "rules/app_rules.yaml", UNKNOWN_FIELD);
    let (code, stdout, outputs) = run_lint_step(&dir, &[("PATHS", "rules/")]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("::error file=rules/app_rules.yaml,"),
        "{stdout}"
    );
    assert!(outputs.contains("exit-code=1\n"), "{outputs}");
    assert!(outputs.contains("sarif-file=report.sarif\n"), "{outputs}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.sarif")).expect("sarif"))
            .expect("SARIF is JSON");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "E401");

    // A warning passes unless warnings are denied.
    let dir = scratch();
    write(&dir, "rules/app_rules.yaml", UNUSED_LIST);
    let (code, _, _) = run_lint_step(&dir, &[("PATHS", "rules/")]);
    assert_eq!(code, 0);
    let (code, _, outputs) = run_lint_step(&dir, &[("PATHS", "rules/"), ("DENY", "true")]);
    assert_eq!(code, 1, "{outputs}");
}

#[test]
fn the_actions_lint_step_refuses_to_lint_nothing() {
    let dir = scratch();
    let (code, stdout, _) = run_lint_step(&dir, &[]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("::error title=falco-rulec::"), "{stdout}");
}

/// Runs `git ARGS` in `dir`.
fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A git repository holding only this repository's `.pre-commit-hooks.yaml`, committed:
/// what pre-commit reads from a hooks repository (try-repo would miss the file in a
/// working tree where it is not committed yet).
fn hooks_repository() -> PathBuf {
    let dir = scratch();
    write(
        &dir,
        ".pre-commit-hooks.yaml",
        &read(".pre-commit-hooks.yaml"),
    );
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "hooks"]);
    dir
}

/// Runs pre-commit's `try-repo` of the hook `hook` of the hooks repository `hooks` on
/// every file of the sample repository `dir`.
fn try_hook(pre_commit: &Path, hooks: &Path, dir: &Path, hook: &str) -> (bool, String) {
    let output = Command::new(pre_commit)
        .args(["try-repo"])
        .arg(hooks)
        .arg(hook)
        .args(["--all-files", "--color", "never"])
        .current_dir(dir)
        .env("PATH", path_with_binary())
        .env("PRE_COMMIT_HOME", dir.join(".pre-commit-home"))
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .expect("run pre-commit");
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[test]
fn pre_commit_runs_the_hooks_on_a_sample_repository() {
    let Some(pre_commit) = tool("pre-commit") else {
        return;
    };
    let hooks = hooks_repository();
    let dir = scratch();
    git(&dir, &["init", "-q"]);
    // A rules file with an error, and YAML that is not a rules file (not linted).
    write(&dir, "rules/app_rules.yaml", UNKNOWN_FIELD);
    write(&dir, "deploy/values.yaml", "replicas: [\n");
    git(&dir, &["add", "."]);
    let (passed, log) = try_hook(&pre_commit, &hooks, &dir, "falco-rulec-lint");
    assert!(!passed, "the error fails the hook:\n{log}");
    assert!(log.contains("E401"), "{log}");
    assert!(!log.contains("values.yaml"), "{log}");

    write(&dir, "rules/app_rules.yaml", CLEAN);
    git(&dir, &["add", "."]);
    let (passed, log) = try_hook(&pre_commit, &hooks, &dir, "falco-rulec-lint");
    assert!(passed, "{log}");

    // The formatter hook rewrites a badly indented file, which fails the run once.
    write(
        &dir,
        "rules/app_rules.yaml",
        &CLEAN.replace("  items: [bash, zsh]", "  items:   [bash,   zsh]"),
    );
    git(&dir, &["add", "."]);
    let (passed, log) = try_hook(&pre_commit, &hooks, &dir, "falco-rulec-fmt");
    assert!(!passed, "a rewritten file fails the hook:\n{log}");
    let (passed, log) = try_hook(&pre_commit, &hooks, &dir, "falco-rulec-fmt");
    assert!(passed, "the second run finds nothing to change:\n{log}");
}
