//! The one switch of the test suite, `FALCO_TEST_ALL`.
//!
//! Unset, `cargo test` runs the fast suite: the slow tests (the VS Code extension's
//! npm build, headless Neovim, live eBPF) print a skip line naming the switch, and a
//! test whose tool is missing (npm, `nvim`, `docker-registry`, `kubectl`, binutils,
//! eBPF permission) prints why it skips. `FALCO_TEST_ALL=1`, as in CI, runs every
//! test and lets none skip: whatever is missing is a failure. The one exception is the
//! comparison with a real Falco (`tests/it/falco_anchor.rs`), which needs a Falco built
//! by hand and runs only when `FALCO_BIN` names it.

/// The variable; `1` turns it on.
pub const VAR: &str = "FALCO_TEST_ALL";

/// Whether `FALCO_TEST_ALL=1`: every test runs and none may skip.
pub fn all() -> bool {
    std::env::var(VAR).is_ok_and(|value| value == "1")
}

/// Whether the slow test `name` runs: only under `FALCO_TEST_ALL=1`, and then only
/// when `ready` (what it needs is here; under the switch an `Err` fails the test).
/// When it does not run it says why on stderr.
pub fn slow_test(name: &str, ready: Result<(), String>) -> bool {
    if !all() {
        eprintln!("skip {name}: a slow test; {VAR}=1 runs it");
        return false;
    }
    match ready {
        Ok(()) => true,
        Err(why) => panic!("{name}: {VAR}=1 but {why}"),
    }
}

/// Whether the test `name` can run: `ready` is `Ok` when what it needs is here.
/// Otherwise it skips with a message, or fails under `FALCO_TEST_ALL=1`.
pub fn available(name: &str, ready: Result<(), String>) -> bool {
    match ready {
        Ok(()) => true,
        Err(why) if all() => panic!("{name}: {VAR}=1 but {why}"),
        Err(why) => {
            eprintln!("skip {name}: {why}; {VAR}=1 makes this a failure");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs this test binary's `test` in a child with the switch on or off.
    fn child(test: &str, switch: bool) -> (bool, String) {
        crate::run_child(test, VAR, switch.then_some("1"))
    }

    /// A slow test whose tool is missing: the child asks the switch.
    #[test]
    fn a_slow_test_runs_only_under_the_switch_and_then_must_be_ready() {
        if std::env::var_os(crate::CHILD).is_some() {
            assert!(!slow_test("child", Err("no tool".to_owned())));
            return;
        }
        let name = "switch::tests::a_slow_test_runs_only_under_the_switch_and_then_must_be_ready";
        let (ok, stderr) = child(name, false);
        assert!(ok && stderr.contains("skip child: a slow test"), "{stderr}");
        let (ok, stderr) = child(name, true);
        assert!(
            !ok && stderr.contains("FALCO_TEST_ALL=1 but no tool"),
            "{stderr}"
        );
    }

    /// A test whose tool is missing skips without the switch and fails with it.
    #[test]
    fn a_missing_tool_skips_only_without_the_switch() {
        if std::env::var_os(crate::CHILD).is_some() {
            assert!(!available("child", Err("no tool".to_owned())));
            return;
        }
        assert!(available("ready", Ok(())));
        let name = "switch::tests::a_missing_tool_skips_only_without_the_switch";
        let (ok, stderr) = child(name, false);
        assert!(ok && stderr.contains("skip child: no tool"), "{stderr}");
        let (ok, stderr) = child(name, true);
        assert!(
            !ok && stderr.contains("FALCO_TEST_ALL=1 but no tool"),
            "{stderr}"
        );
    }
}
