//! `falco-rulec fmt` keeps the lint result of every rules file of the shared corpus
//! (all folders, and the YAML of every loader case): the same diagnostics (code,
//! severity, message, help, notes) pointing at the same text, only at other
//! positions. That the YAML data is the same, and that formatting the output again
//! gives it back, is checked in falco-format's own corpus test.

use std::path::{Path, PathBuf};

use falco_analysis::{Analysis, analyze};
use falco_rulec_tests::corpus_dir;

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

/// Each rules file of the corpus alone, the loader cases' file sets, and the
/// current upstream files loaded together, as rulesets of (path, text).
fn rulesets() -> Vec<Vec<(String, String)>> {
    let corpus = corpus_dir();
    let mut paths = Vec::new();
    yaml_files(&corpus, &mut paths);
    paths.sort();
    assert!(
        paths.len() > 100,
        "expected the corpus at {}",
        corpus.display()
    );
    let read = |path: &Path| {
        let text = std::fs::read_to_string(path).expect("corpus files are UTF-8");
        (path.display().to_string(), text)
    };
    let mut rulesets: Vec<Vec<(String, String)>> =
        paths.iter().map(|path| vec![read(path)]).collect();
    rulesets.push(
        [
            "falco_rules.yaml",
            "falco-incubating_rules.yaml",
            "falco-sandbox_rules.yaml",
        ]
        .iter()
        .map(|name| read(&corpus.join("upstream-rules").join(name)))
        .collect(),
    );
    let cases =
        std::fs::read_to_string(corpus.join("loader/loader_cases.json")).expect("the loader cases");
    let cases: serde_json::Value = serde_json::from_str(&cases).expect("loader cases are JSON");
    for case in cases.as_array().into_iter().flatten() {
        let files: Vec<(String, String)> = case["files"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|file| {
                Some((
                    file["name"].as_str()?.to_owned(),
                    file["yaml"].as_str()?.to_owned(),
                ))
            })
            .collect();
        rulesets.push(files);
    }
    rulesets
}

/// A diagnostic without its positions: code, severity, message, help, notes, the
/// text its primary span covers (blank runs read as one space, since the layout
/// moves line breaks inside conditions) and its labels' messages.
fn lint_summary(analysis: &Analysis) -> Vec<String> {
    let mut lines: Vec<String> = analysis
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let span = diagnostic.primary.span;
            let covered = analysis
                .file(span.file)
                .and_then(|file| file.text.get(span.span.range()))
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let related: Vec<&str> = diagnostic
                .related
                .iter()
                .map(|label| label.message.as_str())
                .collect();
            format!(
                "{} {:?} {} | help {:?} | notes {:?} | at `{covered}` ({}) | related {related:?}",
                diagnostic.code.as_str(),
                diagnostic.severity,
                diagnostic.message,
                diagnostic.help,
                diagnostic.notes,
                diagnostic.primary.message,
            )
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn formatting_keeps_the_lint_result_of_every_corpus_file() {
    let mut compared = 0;
    let mut changed = 0;
    let mut failures = Vec::new();
    for ruleset in rulesets() {
        let mut formatted = Vec::new();
        for (path, text) in &ruleset {
            match falco_format::format(text) {
                Ok(result) => formatted.push((path.clone(), result.text())),
                // A file that is not YAML cannot be formatted; it stays as it is.
                Err(falco_format::FormatError::InvalidYaml { .. }) => {
                    formatted.push((path.clone(), text.clone()));
                }
                Err(error) => failures.push(format!("{path}: {error}")),
            }
        }
        if formatted == ruleset {
            continue;
        }
        changed += 1;
        let before = lint_summary(&analyze(ruleset.clone()));
        let after = lint_summary(&analyze(formatted));
        compared += before.len();
        if before != after {
            let names: Vec<&str> = ruleset.iter().map(|(path, _)| path.as_str()).collect();
            failures.push(format!(
                "{names:?}:\nbefore: {before:#?}\nafter: {after:#?}"
            ));
        }
    }
    eprintln!("{changed} rulesets changed by formatting, {compared} diagnostics compared");
    assert!(
        changed > 100,
        "only {changed} rulesets were changed by formatting"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
