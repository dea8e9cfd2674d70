//! The shell examples of the manual follow the code: every command of every `sh`,
//! `bash`, `shell` or `console` block in README.md, docs/ and editors/ is checked, so a
//! renamed flag or command breaks this test rather than a user's copy-paste.
//!
//! - `falco-rulec …` and `falco-rt …` lines go through the binaries' own argument
//!   parsers (clap), as typed, and must be accepted (`--help`/`--version` included);
//! - `falco-rules-lsp …` lines use only the arguments its `--help` text names;
//! - `cargo …` lines name packages, targets (`--bin`, `--bench`, `--example`),
//!   profiles and `--path` folders that exist in the workspace;
//! - `scripts/…` commands and `kubectl kustomize` folders exist.
//!
//! Other programs (`ls`, `sudo`'s own options, `kubectl label`, …) are not ours and are
//! left alone. A block that must not be checked (e.g. an example of a mistake) is
//! preceded by the line `<!-- doc-examples: skip REASON -->`; the reason is required.
//!
//! Then the examples that can run here are run (`every_runnable_falco_rulec_example_runs`):
//! the `falco-rulec` commands that read rules, events and bundles (lint, explain,
//! compile, inspect, replay, test, fmt, diff, show, keygen), in the order of their
//! page, in a scratch folder per page that holds the repository's files the examples
//! name and, as `rules/` (the folder of a user's rules in most examples), the
//! standard library's rules. The real binary must not end in a usage or input error
//! (exit 2) or a crash; findings (exit 1) are what many examples show. Commands that
//! need a registry, a kernel, root or a path outside the scratch folder (`/etc/…`,
//! `git:…`, a file no earlier example wrote) stay parse-only.

use falco_rulec_tests::{cargo_metadata, repo_root};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The marker that exempts the next block.
const SKIP: &str = "<!-- doc-examples: skip";

/// One command of an example.
struct Example {
    /// `docs/x.md:12`.
    origin: String,
    /// The words of the command, after `VAR=value` prefixes and `sudo`.
    words: Vec<String>,
}

/// The Markdown files of the manual.
fn manual() -> Vec<PathBuf> {
    let root = repo_root();
    let mut files = vec![root.join("README.md")];
    let mut dirs = vec![root.join("docs"), root.join("editors")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|name| name != "node_modules") {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|ext| ext == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The commands of the shell blocks of `text`, with the line each starts on.
fn commands_of(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut block: Option<bool> = None; // Some(console?) inside a shell block
    let mut skip_next = false;
    let mut pending: Option<(usize, String)> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim_start();
        if let Some(console) = block {
            if trimmed.starts_with("```") {
                block = None;
                continue;
            }
            let command = if console {
                match trimmed.strip_prefix("$ ") {
                    Some(command) => command,
                    None => continue,
                }
            } else {
                trimmed
            };
            let (start, mut joined) = pending.take().unwrap_or((number, String::new()));
            match command.strip_suffix('\\') {
                Some(head) => {
                    joined.push_str(head);
                    joined.push(' ');
                    pending = Some((start, joined));
                }
                None => {
                    joined.push_str(command);
                    out.push((start, joined));
                }
            }
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix(SKIP) {
            let reason = rest.trim_end_matches("-->").trim();
            assert!(!reason.is_empty(), "line {number}: a skip needs a reason");
            skip_next = true;
            continue;
        }
        if let Some(info) = trimmed.strip_prefix("```") {
            // Only shell blocks are read; any other fence (a language, or a block's
            // closing fence) leaves the reader outside.
            let language = info.split_whitespace().next().unwrap_or("");
            let shell = matches!(language, "sh" | "bash" | "shell" | "console");
            block = (shell && !skip_next).then_some(language == "console");
            skip_next = false;
        }
    }
    out
}

/// Splits a command line into its simple commands (at `&&`, `||`, `|`, `;`), drops
/// comments, and removes `VAR=value` prefixes and `sudo`.
fn simple_commands(line: &str, origin: &str) -> Vec<Vec<String>> {
    let words = shell_words::split(line)
        .unwrap_or_else(|error| panic!("{origin}: cannot split `{line}`: {error}"));
    let mut commands = vec![Vec::new()];
    for word in words {
        if word.starts_with('#') {
            break;
        }
        if matches!(word.as_str(), "&&" | "||" | "|" | ";") {
            commands.push(Vec::new());
            continue;
        }
        if let Some(current) = commands.last_mut() {
            current.push(word);
        }
    }
    commands
        .into_iter()
        .map(|words| {
            words
                .into_iter()
                .skip_while(|word| word == "sudo" || (word.contains('=') && !word.starts_with('-')))
                .collect::<Vec<_>>()
        })
        .filter(|words| !words.is_empty())
        .collect()
}

fn examples() -> Vec<Example> {
    let root = repo_root();
    let mut out = Vec::new();
    for file in manual() {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let relative = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for (line, command) in commands_of(&text) {
            let origin = format!("{relative}:{line}");
            for words in simple_commands(&command, &origin) {
                out.push(Example {
                    origin: origin.clone(),
                    words,
                });
            }
        }
    }
    out
}

/// What `cargo metadata` says about the workspace: packages with their targets.
struct Workspace {
    /// Package name → target kind → target names.
    packages: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    /// Profiles: cargo's own and the workspace's `[profile.*]`.
    profiles: BTreeSet<String>,
}

fn workspace() -> Workspace {
    let metadata = cargo_metadata();
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut packages = BTreeMap::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        if !package["id"]
            .as_str()
            .is_some_and(|id| members.contains(id))
        {
            continue;
        }
        let mut targets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for target in package["targets"].as_array().into_iter().flatten() {
            for kind in target["kind"].as_array().into_iter().flatten() {
                targets
                    .entry(kind.as_str().unwrap_or_default().to_owned())
                    .or_default()
                    .insert(target["name"].as_str().unwrap_or_default().to_owned());
            }
        }
        packages.insert(
            package["name"].as_str().unwrap_or_default().to_owned(),
            targets,
        );
    }
    let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap_or_default();
    let mut profiles: BTreeSet<String> = ["dev", "release", "test", "bench"]
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    for line in manifest.lines() {
        if let Some(rest) = line.strip_prefix("[profile.") {
            let name = rest.split(['.', ']']).next().unwrap_or_default();
            profiles.insert(name.to_owned());
        }
    }
    Workspace { packages, profiles }
}

impl Workspace {
    /// Whether some package (or `package`, when given) has a target `name` of `kind`.
    fn has_target(&self, package: Option<&str>, kind: &str, name: &str) -> bool {
        self.packages
            .iter()
            .filter(|(candidate, _)| package.is_none_or(|package| package == *candidate))
            .any(|(_, targets)| targets.get(kind).is_some_and(|names| names.contains(name)))
    }
}

/// The value after `flag` (`--flag VALUE` or `--flag=VALUE`), for every occurrence.
fn values<'a>(words: &'a [String], flag: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        if word == flag {
            if let Some(value) = iter.next() {
                out.push(value.as_str());
            }
        } else if let Some(value) = word
            .strip_prefix(flag)
            .and_then(|rest| rest.strip_prefix('='))
        {
            out.push(value);
        }
    }
    out
}

/// Problems with a `cargo …` command.
fn check_cargo(words: &[String], workspace: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    // Only the words before `--` are cargo's; the rest go to the program.
    let own: Vec<String> = words
        .iter()
        .take_while(|word| *word != "--")
        .cloned()
        .collect();
    let packages = values(&own, "-p")
        .into_iter()
        .chain(values(&own, "--package"))
        .collect::<Vec<_>>();
    for package in &packages {
        if !workspace.packages.contains_key(*package) {
            problems.push(format!("no package `{package}`"));
        }
    }
    let package = packages.first().copied();
    for (flag, kind) in [
        ("--bin", "bin"),
        ("--bench", "bench"),
        ("--example", "example"),
    ] {
        for name in values(&own, flag) {
            if !workspace.has_target(package, kind, name) {
                problems.push(format!("no {kind} target `{name}`"));
            }
        }
    }
    for profile in values(&own, "--profile") {
        if !workspace.profiles.contains(profile) {
            problems.push(format!("no profile `{profile}`"));
        }
    }
    for path in values(&own, "--path") {
        if !repo_root().join(path).join("Cargo.toml").is_file() {
            problems.push(format!("no package at `{path}`"));
        }
    }
    problems
}

/// Problems with a command of one of our binaries, by its own argument parser.
fn check_ours(program: &str, words: &[String]) -> Vec<String> {
    use clap::Parser as _;
    let accepted = |result: Result<(), clap::Error>| match result {
        Ok(()) => Vec::new(),
        Err(error)
            if matches!(
                error.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            Vec::new()
        }
        Err(error) => vec![error.to_string()],
    };
    match program {
        "falco-rulec" => accepted(falco_rulec::cli::Cli::try_parse_from(words).map(drop)),
        "falco-rt" => accepted(falco_rt::cli::Cli::try_parse_from(words).map(drop)),
        _ => check_language_server(words),
    }
}

/// `falco-rules-lsp`'s arguments are read by hand (lsp/src/main.rs); every flag and
/// subcommand an example uses must appear in its `--help` text there.
fn check_language_server(words: &[String]) -> Vec<String> {
    static SOURCE: OnceLock<String> = OnceLock::new();
    let source = SOURCE.get_or_init(|| {
        std::fs::read_to_string(repo_root().join("lsp/src/main.rs")).unwrap_or_default()
    });
    let help = source
        .split_once("const HELP")
        .map(|(_, rest)| rest.split_once("\";").map_or(rest, |(help, _)| help))
        .unwrap_or_default();
    let mut problems = Vec::new();
    for word in &words[1..] {
        let is_option = word.starts_with('-');
        let is_subcommand = word == "bench";
        if (is_option || is_subcommand) && !help.contains(word.as_str()) {
            problems.push(format!("`{word}` is not in falco-rules-lsp --help"));
        }
    }
    problems
}

/// The binary a program word names: `falco-rulec`, `target/release/falco-rt`, ….
fn our_binary(word: &str) -> Option<&'static str> {
    let name = Path::new(word).file_name()?.to_str()?;
    ["falco-rulec", "falco-rt", "falco-rules-lsp"]
        .into_iter()
        .find(|binary| *binary == name)
}

fn check(example: &Example, workspace: &Workspace) -> Vec<String> {
    let words = &example.words;
    let program = words[0].as_str();
    if let Some(binary) = our_binary(program) {
        let mut words = words.clone();
        words[0] = binary.to_owned();
        return check_ours(binary, &words);
    }
    if program == "cargo" {
        return check_cargo(words, workspace);
    }
    if program.starts_with("scripts/") {
        let path = repo_root().join(program);
        return if path.is_file() {
            Vec::new()
        } else {
            vec![format!("no script `{program}`")]
        };
    }
    if let Some(example_name) = program
        .strip_prefix("target/")
        .and_then(|rest| rest.split_once("/examples/"))
        .map(|(_, name)| name)
        && !workspace.has_target(None, "example", example_name)
    {
        return vec![format!("no example target `{example_name}`")];
    }
    if program == "kubectl" && words.get(1).is_some_and(|word| word == "kustomize") {
        return words[2..]
            .iter()
            .filter(|word| !word.starts_with('-'))
            .filter(|dir| !repo_root().join(dir).join("kustomization.yaml").is_file())
            .map(|dir| format!("no kustomization in `{dir}`"))
            .collect();
    }
    Vec::new()
}

#[test]
fn every_shell_example_of_the_manual_matches_the_code() {
    let examples = examples();
    let workspace = workspace();
    let ours = examples
        .iter()
        .filter(|example| our_binary(&example.words[0]).is_some())
        .count();
    assert!(
        ours >= 20,
        "only {ours} commands of our binaries found: is the block extraction broken?"
    );
    let problems: Vec<String> = examples
        .iter()
        .flat_map(|example| {
            check(example, &workspace).into_iter().map(move |problem| {
                format!(
                    "{}: `{}`: {problem}",
                    example.origin,
                    example.words.join(" ")
                )
            })
        })
        .collect();
    assert!(
        problems.is_empty(),
        "examples of the manual that the code does not accept:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checks_catch_a_wrong_flag_a_missing_target_and_a_bad_block() {
    let workspace = workspace();
    let example = |line: &str| Example {
        origin: "test".to_owned(),
        words: simple_commands(line, "test").remove(0),
    };
    assert!(
        !check(
            &example("falco-rulec lint --no-such-flag x.yaml"),
            &workspace
        )
        .is_empty()
    );
    assert!(!check(&example("falco-rulec no-such-command"), &workspace).is_empty());
    assert!(
        check(
            &example("falco-rulec lint rules/ --format json"),
            &workspace
        )
        .is_empty()
    );
    assert!(!check(&example("sudo falco-rt --no-such-flag"), &workspace).is_empty());
    assert!(
        !check(
            &example("cargo bench -p falco-rulec --bench nope"),
            &workspace
        )
        .is_empty()
    );
    assert!(!check(&example("cargo build --profile nope"), &workspace).is_empty());
    assert!(!check(&example("falco-rules-lsp --nope"), &workspace).is_empty());
    assert!(check(&example("falco-rules-lsp bench --edits 3"), &workspace).is_empty());

    let markdown = "text\n```sh\nfalco-rulec lint a.yaml \\\n  --format json   # note\n```\n\
        <!-- doc-examples: skip shows a mistake -->\n```sh\nfalco-rulec nope\n```\n\
        ```console\n$ falco-rulec fmt --check rules/\nformatted\n```\n";
    let commands = commands_of(markdown);
    assert_eq!(
        commands,
        [
            (
                3,
                "falco-rulec lint a.yaml  --format json   # note".to_owned()
            ),
            (11, "falco-rulec fmt --check rules/".to_owned()),
        ]
    );
}

/// Subcommands that only read local files and write into the working folder.
const RUNNABLE: &[&str] = &[
    "lint", "explain", "compile", "inspect", "replay", "test", "fmt", "diff", "show", "keygen",
];

/// Options whose value is a file the command writes (`--baseline` with
/// `--write-baseline`; a later example reads it).
const OUTPUT_OPTIONS: &[&str] = &["-o", "--output", "--lcov", "--profile-json"];

/// The `falco-rulec` binary of this build: `cargo build` is a no-op after `cargo test`
/// built the workspace, and builds it when only this package's tests were built.
fn falco_rulec_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = std::process::Command::new(&cargo)
        .args(["build", "-q", "-p", "falco-rulec", "--bin", "falco-rulec"])
        .current_dir(repo_root())
        .status()
        .unwrap_or_else(|error| panic!("{cargo} build: {error}"));
    assert!(status.success(), "cargo build -p falco-rulec failed");
    let target = cargo_metadata()["target_directory"]
        .as_str()
        .expect("cargo metadata names the target directory");
    Path::new(target).join("debug/falco-rulec")
}

/// Copies `from` (a file or a folder) to `to`.
fn copy_into(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("scratch folder");
        for entry in std::fs::read_dir(from).expect("readable folder").flatten() {
            copy_into(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).expect("scratch folder");
        }
        std::fs::copy(from, to).expect("copy into the scratch folder");
    }
}

/// Whether `example` can run in `dir`: a runnable subcommand, and every argument that
/// names a path is there already or can be copied from the repository (which it then
/// is). Values of output options are written, not read.
fn runnable_in(example: &Example, dir: &Path) -> bool {
    let words = &example.words;
    if words.len() < 2 || !RUNNABLE.contains(&words[1].as_str()) {
        return words.len() == 2 && matches!(words[1].as_str(), "--help" | "--version");
    }
    let writes_baseline = words.iter().any(|word| word == "--write-baseline");
    let mut output = false;
    for word in &words[2..] {
        if std::mem::take(&mut output) {
            continue;
        }
        if OUTPUT_OPTIONS.contains(&word.as_str()) || (writes_baseline && word == "--baseline") {
            output = true;
            continue;
        }
        if word.contains(['|', '[', ']']) || word.contains("...") {
            return false; // a synopsis, not a command
        }
        if word.starts_with('-') {
            continue;
        }
        if word.starts_with('/') || word.starts_with("git:") || word.contains("://") {
            return false;
        }
        let looks_like_path = word.contains('/')
            || [
                ".yaml", ".yml", ".frb", ".json", ".jsonl", ".scap", ".key", ".pub",
            ]
            .iter()
            .any(|ext| word.ends_with(ext));
        if !looks_like_path || dir.join(word).exists() {
            continue;
        }
        let in_repo = repo_root().join(word);
        if !in_repo.exists() {
            return false;
        }
        // The bundled samples refer to each other (`tests` to `../rules`): whole.
        let copied = match word.split('/').next() {
            Some("rules-stdlib") => "rules-stdlib",
            _ => word.as_str(),
        };
        copy_into(&repo_root().join(copied), &dir.join(copied));
    }
    true
}

#[test]
fn every_runnable_falco_rulec_example_runs() {
    let binary = falco_rulec_binary();
    let scratch = std::env::temp_dir().join(format!("doc-examples-{}", std::process::id()));
    let mut by_page: BTreeMap<String, Vec<Example>> = BTreeMap::new();
    for example in examples() {
        if our_binary(&example.words[0]) == Some("falco-rulec") {
            let page = example.origin.rsplit_once(':').map_or("", |(page, _)| page);
            by_page.entry(page.to_owned()).or_default().push(example);
        }
    }
    let (mut ran, mut problems) = (Vec::new(), Vec::new());
    for (page, examples) in &by_page {
        let dir = scratch.join(page.replace('/', "_"));
        copy_into(&repo_root().join("rules-stdlib/rules"), &dir.join("rules"));
        for example in examples {
            if !runnable_in(example, &dir) {
                continue;
            }
            let start = std::time::Instant::now();
            let output = std::process::Command::new(&binary)
                .args(&example.words[1..])
                .current_dir(&dir)
                .env("NO_COLOR", "1")
                .output()
                .expect("run falco-rulec");
            let command = example.words.join(" ");
            match output.status.code() {
                Some(0 | 1) => ran.push(format!(
                    "{}: {command} ({} ms)",
                    example.origin,
                    start.elapsed().as_millis()
                )),
                code => problems.push(format!(
                    "{}: `{command}` ended with {code:?}:\n{}",
                    example.origin,
                    String::from_utf8_lossy(&output.stderr)
                )),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(
        problems.is_empty(),
        "examples of the manual that fail when run:\n{}",
        problems.join("\n")
    );
    // Nine examples run today; a drop means the selection broke.
    assert!(
        ran.len() >= 8,
        "only {} examples ran:\n{}",
        ran.len(),
        ran.join("\n")
    );
    println!("ran {} examples:\n{}", ran.len(), ran.join("\n"));
}
