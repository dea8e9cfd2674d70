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
