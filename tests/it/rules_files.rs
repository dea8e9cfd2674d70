//! Which files are rules files is decided from one data file, `editors/rules-files.json`.
//! This test renders that data into each place that needs it (the VS Code manifest and a
//! TypeScript module, a Lua module for Neovim, Helix's `languages.toml`, a Rust module of
//! the language server, and the `files:` patterns of the pre-commit hooks) and compares
//! with what is committed. A stale place is rewritten and the test fails, so running it
//! once updates everything and the diff shows what changed (the way rust-analyzer keeps
//! its generated code fresh).

use std::fmt::Write as _;
use std::path::Path;

use falco_rulec_tests::repo_root;
use serde::Deserialize;

/// `editors/rules-files.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFiles {
    #[allow(dead_code)]
    about: String,
    name_globs: Vec<String>,
    rules_directories: Vec<String>,
    yaml_extensions: Vec<String>,
    config_files: Vec<String>,
    default_load_order: Vec<String>,
    sniff: Sniff,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sniff {
    max_lines: u32,
    item_keys: Vec<String>,
}

const GENERATED: &str =
    "Generated from editors/rules-files.json by tests/it/rules_files.rs: do not edit.";

fn load() -> RulesFiles {
    let path = repo_root().join("editors/rules-files.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("read {}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

impl RulesFiles {
    /// The name globs, then a glob for the YAML files directly inside each rules
    /// directory. Each editor writes "any folders" its own way: `name_prefix` goes before
    /// a name glob, `dir_prefix` before a folder's glob.
    fn patterns(&self, name_prefix: &str, dir_prefix: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .name_globs
            .iter()
            .map(|glob| format!("{name_prefix}{glob}"))
            .collect();
        for dir in &self.rules_directories {
            for ext in &self.yaml_extensions {
                out.push(format!("{dir_prefix}{dir}/*.{ext}"));
            }
        }
        out
    }
}

fn quoted(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|item| serde_json::Value::from(item.as_str()).to_string())
        .collect()
}

/// A list of quoted strings, one per line at `indent`, each followed by a comma (the
/// last one only when `trailing`).
fn lines(items: &[String], indent: &str, trailing: bool) -> String {
    let quoted = quoted(items);
    let mut out = String::new();
    for (index, item) in quoted.iter().enumerate() {
        let comma = if trailing || index + 1 < quoted.len() {
            ","
        } else {
            ""
        };
        let _ = writeln!(out, "{indent}{item}{comma}");
    }
    out
}

fn typescript(data: &RulesFiles) -> String {
    let list = |name: &str, doc: &str, items: &[String]| {
        format!(
            "/** {doc} */\nexport const {name}: readonly string[] = [\n{}];\n",
            lines(items, "  ", true)
        )
    };
    [
        format!("// {GENERATED}\n"),
        list(
            "NAME_GLOBS",
            "File names of rules files (globs over the name alone).",
            &data.name_globs,
        ),
        list(
            "RULES_DIRECTORIES",
            "Folders whose YAML files are all rules files (Falco's `rules.d`).",
            &data.rules_directories,
        ),
        list(
            "YAML_EXTENSIONS",
            "Extensions of YAML files.",
            &data.yaml_extensions,
        ),
        list(
            "CONFIG_FILES",
            "Configuration files whose `rules_files` name rules files.",
            &data.config_files,
        ),
        list(
            "FILENAME_PATTERNS",
            "The language's `filenamePatterns` (package.json): the name globs, and the YAML files of each rules directory.",
            &data.patterns("", "**/"),
        ),
        format!(
            "/** A YAML file is sniffed as rules when one of its first lines starts an item of these kinds. */\nexport const SNIFF_ITEM_KEYS: readonly string[] = [\n{}];\n",
            lines(&data.sniff.item_keys, "  ", true)
        ),
        format!(
            "/** How many lines sniffing reads. */\nexport const SNIFF_MAX_LINES = {};\n",
            data.sniff.max_lines
        ),
    ]
    .join("\n")
}

fn lua(data: &RulesFiles) -> String {
    let list = |name: &str, doc: &str, items: &[String]| {
        format!("-- {doc}\nM.{name} = {{\n{}}}\n", lines(items, "  ", true))
    };
    [
        format!("-- {GENERATED}\nlocal M = {{}}\n"),
        list(
            "name_globs",
            "File names of rules files (globs over the name alone).",
            &data.name_globs,
        ),
        list(
            "rules_directories",
            "Folders whose YAML files are all rules files (Falco's `rules.d`).",
            &data.rules_directories,
        ),
        list("yaml_extensions", "Extensions of YAML files.", &data.yaml_extensions),
        list(
            "config_files",
            "Configuration files whose `rules_files` name rules files.",
            &data.config_files,
        ),
        list(
            "autocmd_patterns",
            "The rules above as autocommand patterns.",
            &data.patterns("", "*/"),
        ),
        list(
            "sniff_item_keys",
            "A YAML file is sniffed as rules when one of its first lines starts an item of these kinds.",
            &data.sniff.item_keys,
        ),
        format!(
            "-- How many lines sniffing reads.\nM.sniff_max_lines = {}\n\nreturn M\n",
            data.sniff.max_lines
        ),
    ]
    .join("\n")
}

fn rust(data: &RulesFiles) -> String {
    let list = |name: &str, doc: &str, items: &[String]| {
        format!(
            "/// {doc}\npub const {name}: &[&str] = &[{}];\n",
            quoted(items).join(", ")
        )
    };
    [
        format!("//! Which files are rules files. {GENERATED}\n"),
        list(
            "NAME_GLOBS",
            "File names of rules files (globs over the name alone).",
            &data.name_globs,
        ),
        list(
            "RULES_DIRECTORIES",
            "Folders whose YAML files are all rules files (Falco's `rules.d`).",
            &data.rules_directories,
        ),
        list(
            "YAML_EXTENSIONS",
            "Extensions of YAML files.",
            &data.yaml_extensions,
        ),
        list(
            "CONFIG_FILES",
            "Configuration files at the workspace root whose `rules_files` give the load order, in order of preference.",
            &data.config_files,
        ),
        list(
            "DEFAULT_LOAD_ORDER",
            "Falco's own order without a configuration: these file names, then the files of these folders; the rest follow in name order.",
            &data.default_load_order,
        ),
        list(
            "WATCH_GLOBS",
            "Globs (over whole paths) of the files the server asks the client to watch: rules files and configuration files.",
            &data
                .patterns("**/", "**/")
                .into_iter()
                .chain(data.config_files.iter().map(|name| format!("**/{name}")))
                .collect::<Vec<_>>(),
        ),
    ]
    .join("\n")
}

fn helix(data: &RulesFiles) -> String {
    let mut out = format!("# {GENERATED}\nfile-types = [\n");
    for glob in data.patterns("**/", "**/") {
        let _ = writeln!(out, "  {{ glob = {} }},", quoted(&[glob])[0]);
    }
    out.push_str("]\n");
    out.push_str(&format!(
        "roots = [{}]\n",
        quoted(&data.config_files).join(", ")
    ));
    out
}

/// A Python regular expression (pre-commit's `files:`) matching the paths of rules
/// files: any folder, then a name glob or a rules directory's glob.
fn pre_commit_regex(data: &RulesFiles) -> String {
    let alternatives: Vec<String> = data
        .patterns("", "")
        .iter()
        .map(|glob| {
            glob.chars()
                .map(|c| match c {
                    '*' => "[^/]*".to_owned(),
                    '.' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '^' | '$' | '|'
                    | '\\' => format!("\\{c}"),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect();
    format!("(^|/)({})$", alternatives.join("|"))
}

/// `text` with the value of every `files:` line marked `# rules-files` set to `regex`.
fn replace_marked_files_lines(text: &str, regex: &str) -> String {
    text.lines()
        .map(|line| match line.split_once("files: ") {
            Some((indent, _)) if line.ends_with("  # rules-files") => {
                format!("{indent}files: '{regex}'  # rules-files\n")
            }
            _ => format!("{line}\n"),
        })
        .collect()
}

/// `text` with the lines between the marker lines `begin` and `end` replaced by `body`.
fn replace_between(text: &str, begin: &str, end: &str, body: &str, file: &Path) -> String {
    let start = text
        .find(begin)
        .and_then(|at| text[at..].find('\n').map(|nl| at + nl + 1))
        .unwrap_or_else(|| panic!("{}: no `{begin}` line", file.display()));
    let stop = text[start..]
        .find(end)
        .map(|at| start + at)
        .and_then(|at| text[..at].rfind('\n').map(|nl| nl + 1))
        .unwrap_or_else(|| panic!("{}: no `{end}` line", file.display()));
    format!("{}{body}{}", &text[..start], &text[stop..])
}

/// `text` with the JSON array after `"key": [` replaced by `items` (one per line).
fn replace_json_array(
    text: &str,
    key: &str,
    items: &[String],
    indent: &str,
    file: &Path,
) -> String {
    let opening = format!("\"{key}\": [\n");
    let start = text
        .find(&opening)
        .map(|at| at + opening.len())
        .unwrap_or_else(|| panic!("{}: no `{opening}`", file.display()));
    let stop = text[start..]
        .find(']')
        .map(|at| start + at)
        .and_then(|at| text[..at].rfind('\n').map(|nl| nl + 1))
        .unwrap_or_else(|| panic!("{}: `{key}` is not closed", file.display()));
    format!(
        "{}{}{}",
        &text[..start],
        lines(items, indent, false),
        &text[stop..]
    )
}

/// Writes `contents` to `relative` if it differs; returns whether it did.
fn ensure(relative: &str, contents: &str, stale: &mut Vec<String>) {
    let path = repo_root().join(relative);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != contents {
        std::fs::write(&path, contents)
            .unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
        stale.push(relative.to_owned());
    }
}

fn read(relative: &str) -> String {
    let path = repo_root().join(relative);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("read {}: {error}", path.display()))
}

#[test]
fn rules_file_patterns_are_generated_from_one_list() {
    let data = load();
    let mut stale = Vec::new();

    ensure(
        "editors/vscode/src/rulesFiles.ts",
        &typescript(&data),
        &mut stale,
    );
    ensure(
        "editors/neovim/lua/falco_rules/rules_files.lua",
        &lua(&data),
        &mut stale,
    );
    ensure("lsp/src/rules_files.rs", &rust(&data), &mut stale);

    let helix_path = "editors/helix/languages.toml";
    let helix_text = replace_between(
        &read(helix_path),
        "# rules-files: begin",
        "# rules-files: end",
        &helix(&data),
        Path::new(helix_path),
    );
    ensure(helix_path, &helix_text, &mut stale);

    let manifest_path = "editors/vscode/package.json";
    let mut manifest = read(manifest_path);
    manifest = replace_json_array(
        &manifest,
        "filenamePatterns",
        &data.patterns("", "**/"),
        "          ",
        Path::new(manifest_path),
    );
    let mut activation = vec!["onLanguage:yaml".to_owned()];
    activation.extend(
        data.patterns("**/", "**/")
            .into_iter()
            .chain(data.config_files.iter().cloned())
            .map(|glob| format!("workspaceContains:{glob}")),
    );
    manifest = replace_json_array(
        &manifest,
        "activationEvents",
        &activation,
        "    ",
        Path::new(manifest_path),
    );
    ensure(manifest_path, &manifest, &mut stale);

    let hooks_path = ".pre-commit-hooks.yaml";
    let hooks = replace_marked_files_lines(&read(hooks_path), &pre_commit_regex(&data));
    assert!(
        hooks.contains("# rules-files"),
        "{hooks_path} has no marked `files:` line"
    );
    ensure(hooks_path, &hooks, &mut stale);

    assert!(
        stale.is_empty(),
        "these files did not match editors/rules-files.json and were rewritten; review and commit them: {stale:?}"
    );
}
