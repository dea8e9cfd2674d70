use super::*;
use std::ffi::OsStr;

#[test]
fn no_inputs_means_the_embedded_defaults() {
    let files = gather_inputs(&[], None).expect("defaults");
    assert_eq!(files, defaults::default_rules());
    assert!(
        files
            .iter()
            .all(|(path, _)| path.starts_with("rules-stdlib/rules/"))
    );
}

#[test]
fn colour_follows_the_terminal_and_no_color() {
    assert!(ColorChoice::Auto.resolve(None, true));
    assert!(!ColorChoice::Auto.resolve(None, false));
    assert!(!ColorChoice::Auto.resolve(Some(OsStr::new("1")), true));
    assert!(
        ColorChoice::Auto.resolve(Some(OsStr::new("")), true),
        "an empty NO_COLOR is unset"
    );
    assert!(ColorChoice::Always.resolve(Some(OsStr::new("1")), false));
    assert!(!ColorChoice::Never.resolve(None, true));
}

#[test]
fn explain_accepts_codes_and_names_in_any_case() {
    for text in ["E401", "e401", "unknown-field", "Unknown-Field"] {
        let doc = explain::explain(text).expect("known code");
        assert!(doc.contains("E401"), "{text}: {doc}");
    }
    let error = explain::explain("E4O1").expect_err("unknown");
    assert!(error.contains("did you mean `E401`?"), "{error}");
    let error = explain::explain("unknown-feild").expect_err("unknown");
    assert!(error.contains("did you mean `unknown-field`?"), "{error}");
    let list = explain::list();
    assert_eq!(list.lines().count(), falco_diagnostics::Code::ALL.len());
    assert!(
        list.lines()
            .any(|line| line.starts_with("E401  unknown-field ") && line.contains("error"))
    );
}

/// A chain of `levels` macros, each using the one below through `body`, and a rule
/// using the top one.
fn macro_chain(levels: usize, body: &str) -> String {
    let mut text = String::from("- macro: m0\n  condition: evt.type = open\n");
    for level in 1..=levels {
        let condition = body.replace("{p}", &format!("m{}", level - 1));
        text.push_str(&format!("- macro: m{level}\n  condition: {condition}\n"));
    }
    text.push_str(&format!(
        "- rule: r\n  desc: d\n  condition: m{levels}\n  output: o\n  priority: INFO\n"
    ));
    text
}

/// Lowering recurses once per inlined level (the traced lowering of coverage and
/// `show` wraps each level once more): at E210's limit it took about 3 MiB of stack in
/// a debug build, more than a test thread has. Its stack now grows on demand, so the
/// deepest chains lint accepts (1,000 levels, counting each macro, `not`, parenthesis
/// and `and`/`or`) lower on a thread of 256 KiB, traced and not.
#[test]
fn lowering_at_the_inlined_depth_limit_needs_no_large_stack() {
    let limit = falco_resolve::expansion::MAX_INLINED_DEPTH;
    for (levels, body) in [
        (limit - 2, "{p}"),
        ((limit - 2) / 4, "not ({p} or proc.name = x)"),
        ((limit - 2) / 3, "({p} and proc.name != x)"),
    ] {
        let text = macro_chain(levels, body);
        // The analysis itself is not what this test is about: it runs on a large stack.
        let analysis = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || falco_analysis::analyze(vec![("r.yaml".to_owned(), text)]))
            .expect("spawn")
            .join()
            .expect("analysis");
        assert_eq!(
            analysis.error_count(),
            0,
            "{body}: {:?}",
            analysis.diagnostics
        );
        let lowered = std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(256 << 10)
                .spawn_scoped(scope, || {
                    let plain = compile::compile_analysis(&analysis).map(|c| c.bundle.rules.len());
                    let traced = compile::compile_traced(&analysis)
                        .map(|(c, maps)| (c.bundle.rules.len(), maps.len()));
                    (plain, traced)
                })
                .expect("spawn")
                .join()
                .expect("lowering")
        });
        assert_eq!(lowered.0.ok(), Some(1), "{body}");
        assert_eq!(lowered.1.ok(), Some((1, 1)), "{body}");
        let deepest = macro_chain(levels + 1, body);
        let over = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || falco_analysis::analyze(vec![("r.yaml".to_owned(), deepest)]))
            .expect("spawn")
            .join()
            .expect("analysis");
        assert!(
            over.diagnostics
                .iter()
                .any(|d| d.code == falco_diagnostics::Code::E210),
            "{body}: one more level is over the limit"
        );
    }
}
