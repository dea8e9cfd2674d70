//! The diagnostic-code tidy check (rustc's `tidy/error_codes.rs`, in our terms): every
//! code has a doc; the doc's first ```` ```yaml ```` example, linted alone, yields that
//! code; and the human rendering of that example is a reviewed insta snapshot
//! (`it/snapshots/it__tidy__<CODE>.snap`).

use falco_analysis::analyze;
use falco_diagnostics::Code;
use falco_rulec::render::human;
use falco_rulec_tests::first_yaml_block;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The path the example is linted under (it shows in the snapshots).
const EXAMPLE_PATH: &str = "example.yaml";

/// Codes no rules text can show, with the reason; they need a doc but no example.
const WITHOUT_EXAMPLE: &[(Code, &str)] = &[(
    Code::E100,
    "an unreadable file has no text to lint (the CLI reports it and exits with 2)",
)];

#[test]
fn every_code_has_a_doc_whose_example_yields_it() {
    let mut problems = Vec::new();
    let mut passed = 0;
    let restore = quiet_panics_on_this_thread();
    for &code in Code::ALL {
        match check(code) {
            Ok(()) => passed += 1,
            Err(problem) => problems.push(format!("{}: {problem}", code.as_str())),
        }
    }
    restore();
    println!("tidy: {passed} of {} codes pass", Code::ALL.len());
    assert!(
        problems.is_empty(),
        "{} of {} codes fail the tidy check:\n  {}",
        problems.len(),
        Code::ALL.len(),
        problems.join("\n  ")
    );
}

/// Silences the panic messages of insta's caught snapshot failures on this thread (each
/// failure is listed in the final report instead); other threads keep the usual hook.
/// Returns a function that puts the previous hook back.
fn quiet_panics_on_this_thread() -> impl FnOnce() {
    let this = std::thread::current().id();
    let previous = std::sync::Arc::new(std::panic::take_hook());
    let fallback = previous.clone();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != this {
            fallback(info);
        }
    }));
    move || {
        let _ = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| previous(info)));
    }
}

fn check(code: Code) -> Result<(), String> {
    let doc = code
        .doc()
        .ok_or_else(|| format!("no doc (write docs/codes/{}.md)", code.as_str()))?;
    let heading = format!("# {}: {}", code.as_str(), code.name());
    if !doc.starts_with(&heading) {
        return Err(format!("the doc must start with `{heading}`"));
    }
    if WITHOUT_EXAMPLE.iter().any(|(exempt, _)| *exempt == code) {
        return Ok(());
    }
    let example = first_yaml_block(doc).ok_or("the doc has no ```yaml example")?;
    let analysis = analyze(vec![(EXAMPLE_PATH.to_owned(), example.to_owned())]);
    let codes: Vec<&str> = analysis
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.code.as_str())
        .collect();
    if !codes.contains(&code.as_str()) {
        return Err(format!(
            "the example yields {codes:?}, not {}",
            code.as_str()
        ));
    }
    let rendered = human::render(&analysis, false);
    // One snapshot per code; a mismatch or a missing snapshot (with INSTA_UPDATE=no or
    // CI=true) panics, which is reported here so the other codes are still checked.
    catch_unwind(AssertUnwindSafe(|| {
        insta::with_settings!({
            description => format!("human rendering of the docs/codes/{}.md example", code.as_str()),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(code.as_str(), rendered);
        });
    }))
    .map_err(|_| "the human rendering does not match its snapshot".to_owned())
}

/// The binaries users run report one version: their packages take the workspace's.
#[test]
fn every_binary_takes_the_workspace_version() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for manifest in [
        "compiler/Cargo.toml",
        "lsp/Cargo.toml",
        "ebpf-runtime/falco-rt/Cargo.toml",
    ] {
        let text = std::fs::read_to_string(root.join(manifest)).expect(manifest);
        assert!(
            text.lines()
                .any(|line| line.trim() == "version.workspace = true"),
            "{manifest} must say `version.workspace = true`"
        );
    }
}
