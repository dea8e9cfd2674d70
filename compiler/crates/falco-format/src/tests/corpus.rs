//! Every rules file of the shared corpus (all folders, and the YAML of every loader
//! case) formats to text that holds the same data and formats to itself again.

use std::path::{Path, PathBuf};

use crate::{FormatError, format};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/corpus")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml")
        {
            out.push(path);
        }
    }
}

/// (name, text) of every YAML file of the corpus, the default rules and the YAML of
/// every loader case.
pub(crate) fn corpus_texts() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    yaml_files(&corpus(), &mut paths);
    yaml_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../rules-stdlib/rules"),
        &mut paths,
    );
    paths.sort();
    assert!(
        paths.len() > 100,
        "expected the corpus at {}",
        corpus().display()
    );
    let mut texts: Vec<(String, String)> = paths
        .iter()
        .filter_map(|path| {
            Some((
                path.display().to_string(),
                std::fs::read_to_string(path).ok()?,
            ))
        })
        .collect();
    let cases = std::fs::read_to_string(corpus().join("loader/loader_cases.json"))
        .expect("the loader cases");
    let cases: serde_json::Value = serde_json::from_str(&cases).expect("loader cases are JSON");
    for case in cases.as_array().into_iter().flatten() {
        let name = case["name"].as_str().unwrap_or_default();
        for file in case["files"].as_array().into_iter().flatten() {
            if let Some(yaml) = file["yaml"].as_str() {
                let file_name = file["name"].as_str().unwrap_or_default();
                texts.push((format!("loader case {name}: {file_name}"), yaml.to_owned()));
            }
        }
    }
    texts
}

#[test]
fn corpus_files_keep_their_data_and_are_fixed_points() {
    let mut formatted = 0;
    let mut invalid = Vec::new();
    let mut failures = Vec::new();
    for (name, text) in corpus_texts() {
        match format(&text) {
            Ok(result) => {
                formatted += 1;
                let once = result.text();
                match format(&once) {
                    Ok(again) if again.text() == once => {}
                    Ok(again) => failures.push(format!(
                        "{name}: not idempotent:\n{}",
                        first_difference(&once, &again.text())
                    )),
                    Err(error) => failures.push(format!("{name}: output does not format: {error}")),
                }
            }
            Err(FormatError::InvalidYaml { .. }) => invalid.push(name),
            Err(error) => failures.push(format!("{name}: {error}")),
        }
    }
    eprintln!(
        "formatted {formatted} files; {} are not valid YAML: {invalid:?}",
        invalid.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(formatted > 250, "only {formatted} files formatted");
}

/// The first line where two texts differ, with a little context.
pub(crate) fn first_difference(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(3);
    format!(
        "line {}:\n--- first\n{}\n--- second\n{}",
        at + 1,
        a[from..(at + 4).min(a.len())].join("\n"),
        b[from..(at + 4).min(b.len())].join("\n")
    )
}
