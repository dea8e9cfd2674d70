//! How many cases a property test runs: one rule for every property test.
//!
//! Each test names its own default, chosen for what one case costs (a cheap parser
//! property runs thousands, a whole lint-compile-load round a few dozen), and passes it
//! through [`cases`]. `PROPTEST_CASES=N`, when set, replaces every default with `N`: more
//! for a longer exploration, fewer for a quick look. CI does not set it, so CI runs the
//! defaults. Tests that keep proptest's own default configuration follow the same rule,
//! since proptest reads the variable itself (its default is 256).

/// The variable that replaces every property test's default number of cases.
pub const CASES_VAR: &str = "PROPTEST_CASES";

/// The number of cases a property test whose default is `default` runs:
/// `PROPTEST_CASES` when set, `default` otherwise.
///
/// # Panics
/// When `PROPTEST_CASES` is set but is not a whole number: a mistyped count must not
/// quietly run the default.
pub fn cases(default: u32) -> u32 {
    match std::env::var(CASES_VAR) {
        Err(std::env::VarError::NotPresent) => default,
        Ok(value) => match value.trim().parse() {
            Ok(cases) => cases,
            Err(_) => panic!("{CASES_VAR}={value:?} is not a number of cases"),
        },
        Err(std::env::VarError::NotUnicode(value)) => {
            panic!("{CASES_VAR}={value:?} is not a number of cases")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// Runs this test binary's `test` in a child with `PROPTEST_CASES` set to `value`
    /// (or unset).
    fn child(test: &str, value: Option<&str>) -> (bool, String) {
        crate::run_child(test, CASES_VAR, value)
    }

    /// The variable replaces the default when set, and a bad value fails.
    #[test]
    fn the_variable_replaces_every_default() {
        if std::env::var_os(crate::CHILD).is_some() {
            println!("cases: {} {}", cases(1500), cases(12));
            return;
        }
        let name = "cases::tests::the_variable_replaces_every_default";
        let (ok, text) = child(name, None);
        assert!(ok && text.contains("cases: 1500 12"), "{text}");
        let (ok, text) = child(name, Some("7"));
        assert!(ok && text.contains("cases: 7 7"), "{text}");
        let (ok, text) = child(name, Some("many"));
        assert!(
            !ok && text.contains("PROPTEST_CASES=\"many\" is not a number of cases"),
            "{text}"
        );
    }

    /// The workspace's Rust files, outside build output.
    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if path.is_dir() {
                if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                    rust_files(&path, out);
                }
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }

    /// Every case count in the workspace goes through [`cases`]: no literal count in a
    /// proptest configuration, no other reader of the variable.
    #[test]
    fn every_property_test_takes_its_count_from_cases() {
        let Ok(root) = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../..")
            .canonicalize()
        else {
            panic!("no workspace root");
        };
        let this = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cases.rs");
        let mut files = Vec::new();
        rust_files(&root, &mut files);
        assert!(files.len() > 100, "found only {} Rust files", files.len());
        let mut problems = Vec::new();
        for file in &files {
            if file.canonicalize().ok() == this.canonicalize().ok() {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            for (line_number, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                let literal_count = code
                    .split("with_cases(")
                    .skip(1)
                    .chain(code.split("cases: ").skip(1))
                    .any(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
                let reads_variable = code.contains("\"PROPTEST_CASES\"");
                if literal_count || reads_variable {
                    problems.push(format!(
                        "{}:{}: {}",
                        file.strip_prefix(&root).unwrap_or(file).display(),
                        line_number + 1,
                        line.trim()
                    ));
                }
            }
        }
        assert!(
            problems.is_empty(),
            "case counts that bypass falco_test_budget::cases:\n  {}",
            problems.join("\n  ")
        );
    }
}
