//! Load order: configuration entries, paths and directories, and every input error.

use super::config::rules_files_in;
use super::{MAX_RULES_FILE_BYTES, expand, gather};
use std::fs;
use std::path::{Path, PathBuf};

/// A fresh, empty directory under the system temp dir, unique per test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "falco-analysis-inputs-{}-{name}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("parent dir");
    }
    fs::write(path, text).expect("write fixture");
}

fn names(files: &[(String, String)]) -> Vec<String> {
    files.iter().map(|(_, text)| text.clone()).collect()
}

#[test]
fn directories_expand_to_yaml_files_in_name_order() {
    let dir = scratch("expand");
    for name in ["b.yaml", "a.yml", "c.txt", "B.yaml", "10.yaml", "9.yaml"] {
        write(&dir.join(name), name);
    }
    fs::create_dir_all(dir.join("sub.yaml")).expect("sub dir");
    let files: Vec<String> = expand(&dir)
        .expect("expand")
        .iter()
        .map(|path| {
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(files, ["10.yaml", "9.yaml", "B.yaml", "a.yml", "b.yaml"]);
}

#[test]
fn files_load_in_the_order_given() {
    let dir = scratch("order");
    write(&dir.join("z.yaml"), "z");
    write(&dir.join("a.yaml"), "a");
    write(&dir.join("d/2.yaml"), "d2");
    write(&dir.join("d/1.yaml"), "d1");
    let files = gather(
        &[dir.join("z.yaml"), dir.join("d"), dir.join("a.yaml")],
        None,
    )
    .expect("gather");
    assert_eq!(names(&files), ["z", "d1", "d2", "a"]);
    assert_eq!(
        files[1].0,
        dir.join("d").join("1.yaml").display().to_string()
    );
}

#[test]
fn config_rules_files_load_first_and_resolve_against_the_config() {
    let dir = scratch("config");
    write(
        &dir.join("etc/falco.yaml"),
        "rules_files:\n  - main.yaml\n  - rules.d\n  - /nonexistent-but-unused\n",
    );
    // Drop the absolute entry: this test is about order and relative resolution.
    write(
        &dir.join("etc/falco.yaml"),
        "rules_files:\n  - main.yaml\n  - rules.d\n  - local.yaml\n",
    );
    write(&dir.join("etc/main.yaml"), "main");
    write(&dir.join("etc/local.yaml"), "local");
    write(&dir.join("etc/rules.d/b.yaml"), "rb");
    write(&dir.join("etc/rules.d/a.yaml"), "ra");
    write(&dir.join("extra.yaml"), "extra");
    let files =
        gather(&[dir.join("extra.yaml")], Some(&dir.join("etc/falco.yaml"))).expect("gather");
    assert_eq!(names(&files), ["main", "ra", "rb", "local", "extra"]);
}

#[test]
fn config_keys_and_shapes() {
    let list = |text: &str| rules_files_in(text).map_err(|error| error.to_string());
    assert_eq!(
        list("rules_files: [a.yaml, b]").as_deref(),
        Ok(&["a.yaml".to_owned(), "b".to_owned()][..])
    );
    assert_eq!(
        list("rules_file:\n  - old.yaml\n").as_deref(),
        Ok(&["old.yaml".to_owned()][..])
    );
    assert_eq!(
        list("rules_file: single.yaml").as_deref(),
        Ok(&["single.yaml".to_owned()][..])
    );
    assert_eq!(
        list("rules_file: [old.yaml]\nrules_files: [new.yaml]").as_deref(),
        Ok(&["new.yaml".to_owned()][..]),
        "rules_files wins over rules_file"
    );
    assert_eq!(list("json_output: true").as_deref(), Ok(&[][..]));
    assert_eq!(list("").as_deref(), Ok(&[][..]));
    assert!(list("rules_files: {a: b}").is_err());
    assert!(list("rules_files: [[a]]").is_err());
    assert!(list("rules_files: [a\n").is_err());
    assert!(list(&"[".repeat(10_000)).is_err());
}

#[test]
fn missing_inputs_are_all_reported() {
    let dir = scratch("missing");
    write(&dir.join("ok.yaml"), "ok");
    let errors = gather(
        &[dir.join("nope.yaml"), dir.join("ok.yaml"), dir.join("gone")],
        None,
    )
    .expect_err("missing files");
    assert_eq!(errors.len(), 2);
    assert!(errors[0].to_string().contains("nope.yaml"), "{}", errors[0]);
    let errors = gather(&[], Some(&dir.join("falco.yaml"))).expect_err("missing config");
    assert!(
        errors[0]
            .to_string()
            .starts_with("cannot use configuration"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_directory_given_without_rules_files_is_an_error() {
    let dir = scratch("empty");
    write(&dir.join("rules/a.yaml"), "a");
    write(&dir.join("notes.txt"), "not rules");
    let errors = gather(std::slice::from_ref(&dir), None).expect_err("no rules file");
    assert_eq!(errors.len(), 1);
    let message = errors[0].to_string();
    assert!(
        message.contains(&dir.display().to_string()) && message.contains("no rules file"),
        "{message}"
    );
    // The same folder named by a configuration's `rules_files` loads nothing, as
    // Falco allows; its subfolder is fine on the command line.
    write(&dir.join("falco.yaml"), "rules_files: [.]");
    assert!(gather(&[], Some(&dir.join("falco.yaml"))).is_ok());
    assert_eq!(
        names(&gather(&[dir.join("rules")], None).expect("rules")),
        ["a"]
    );
}

/// Issue 12: every input has a size bound. A rules file one byte over the limit is an
/// input error naming the file and the limit; one at the limit is read.
#[test]
fn a_rules_file_over_the_size_limit_is_an_input_error() {
    let dir = scratch("large");
    let at_limit = "#".repeat(MAX_RULES_FILE_BYTES as usize);
    write(&dir.join("at.yaml"), &at_limit);
    assert!(gather(&[dir.join("at.yaml")], None).is_ok());
    write(&dir.join("over.yaml"), &format!("{at_limit}#"));
    let errors = gather(&[dir.join("over.yaml")], None).expect_err("over the limit");
    let message = errors[0].to_string();
    assert!(
        message.contains("over.yaml") && message.contains("larger than 16 MiB"),
        "{message}"
    );
    let _ = fs::remove_dir_all(&dir);
}
