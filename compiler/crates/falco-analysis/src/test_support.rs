//! Helpers shared by the re-analysis tests (`incremental`, `memo`).

use super::Analysis;

/// The three upstream rules files (`falco_rules.yaml`, incubating, sandbox) as
/// (name, text), in Falco's load order.
pub(crate) fn upstream_rules() -> Vec<(String, String)> {
    [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ]
    .into_iter()
    .map(|name| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../../shared/corpus/upstream-rules")
            .join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        (name.to_owned(), text)
    })
    .collect()
}

/// Everything `analyze` returns, in a form that compares (the typed macros sit
/// in hash maps, so they are sorted first). Spans are part of it, so a memo
/// that returned a result at a stale position would show.
pub(crate) fn fingerprint(analysis: &Analysis) -> String {
    let mut macros: Vec<String> = analysis
        .typed
        .macros
        .iter()
        .map(|(key, tree)| format!("{key:?} {tree:?}"))
        .collect();
    macros.sort();
    let mut superseded: Vec<String> = analysis
        .typed
        .superseded_macros
        .iter()
        .map(|(key, tree)| format!("{key:?} {tree:?}"))
        .collect();
    superseded.sort();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{macros:?}\n{superseded:?}",
        analysis.files,
        analysis.diagnostics,
        analysis.summary,
        analysis.ruleset,
        analysis.typed.rules
    )
}
