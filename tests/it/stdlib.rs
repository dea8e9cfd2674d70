//! The standard library's rule tests (`rules-stdlib/tests/*.yaml`) pass: every rule fires
//! on its positive cases and stays quiet on its near misses, through the real compiler and
//! VM (`falco-rulec test`'s code path).

use falco_rulec::rule_tests::report::{Totals, human};
use falco_rulec::rule_tests::run_file;
use falco_rulec_tests::repo_root;

#[test]
fn stdlib_rule_tests_pass() {
    let dir = repo_root().join("rules-stdlib/tests");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no test files in {}", dir.display());
    let outcomes: Vec<_> = files.iter().map(|file| run_file(file, false)).collect();
    let totals = Totals::of(&outcomes);
    println!(
        "stdlib rule tests: {} passed, {} failed",
        totals.passed, totals.failed
    );
    assert_eq!(totals.exit_code(), 0, "\n{}", human(&outcomes));
}

/// Every stdlib rule has a case where it fires, and a quiet case (no rule expected to fire)
/// that names it under `not_fire`, or says `not_fire: others` in the test file named after
/// the rule's own rules file.
#[test]
fn every_stdlib_rule_has_a_positive_and_a_negative_case() {
    use falco_rulec::rule_tests::format::parse;
    use falco_rulec::rule_tests::{NotFire, RulesSpec};
    use std::collections::BTreeSet;

    let file_name = |path: &std::path::Path| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let rules_dir = repo_root().join("rules-stdlib/rules");
    let mut paths: Vec<_> = std::fs::read_dir(&rules_dir)
        .expect("rules-stdlib/rules")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|p| (file_name(p), std::fs::read_to_string(p).expect("readable")))
        .collect();
    let analysis = falco_analysis::analyze(files);
    // (rule, the name of the file that defines it)
    let rules: Vec<(String, String)> = analysis
        .ruleset
        .rules
        .iter()
        .map(|rule| {
            let file = analysis
                .file(rule.origin.definition.file)
                .map(|f| f.path.clone())
                .unwrap_or_default();
            (rule.name.clone(), file)
        })
        .collect();
    assert!(rules.len() >= 21, "the stdlib has {} rules", rules.len());

    let dir = repo_root().join("rules-stdlib/tests");
    let mut positive = BTreeSet::new();
    let mut negative = BTreeSet::new();
    for entry in std::fs::read_dir(&dir)
        .expect("rules-stdlib/tests")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        let text = std::fs::read_to_string(&path).expect("readable");
        let file = parse(&path, &text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        assert!(
            matches!(file.rules, RulesSpec::Files(_)),
            "tests load ../rules"
        );
        let test_file = file_name(&path);
        for case in &file.cases {
            for expectation in &case.fire {
                positive.insert(expectation.rule.clone());
            }
            if !case.fire.is_empty() {
                continue;
            }
            match &case.not_fire {
                NotFire::Rules(names) => negative.extend(names.iter().map(|(n, _)| n.clone())),
                NotFire::Others => negative.extend(
                    rules
                        .iter()
                        .filter(|(_, defined_in)| *defined_in == test_file)
                        .map(|(rule, _)| rule.clone()),
                ),
            }
        }
    }
    for (rule, _) in &rules {
        assert!(positive.contains(rule), "no case expects `{rule}` to fire");
        assert!(negative.contains(rule), "no quiet case covers `{rule}`");
    }
}

/// Falco users load their own rules after the upstream ones. The stdlib compiles behind
/// the three upstream rules files (in the order Falco's packages list them) with no error,
/// and defines no list, macro or rule under a name the upstream files use: a redefined
/// macro or list would change the upstream rules that refer to it, and a list named like
/// an upstream macro is an error (E301).
#[test]
fn stdlib_compiles_behind_the_upstream_rules() {
    use falco_rulec_tests::corpus_dir;
    use std::collections::BTreeSet;

    let upstream: Vec<(String, String)> = [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ]
    .iter()
    .map(|name| {
        let path = corpus_dir().join("upstream-rules").join(name);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        ((*name).to_string(), text)
    })
    .collect();
    let stdlib = falco_rulec::cli::defaults::default_rules();

    // (every item name, the rule names) of a set of files loaded on its own.
    let names = |files: Vec<(String, String)>| {
        let ruleset = falco_analysis::analyze(files).ruleset;
        let rules: BTreeSet<String> = ruleset.rules.iter().map(|r| r.name.clone()).collect();
        let mut all = rules.clone();
        all.extend(ruleset.lists.iter().map(|l| l.name.clone()));
        all.extend(ruleset.macros.iter().map(|m| m.name.clone()));
        (all, rules)
    };
    let (upstream_names, upstream_rules) = names(upstream.clone());
    let (stdlib_names, stdlib_rules) = names(stdlib.clone());
    let shared: Vec<_> = upstream_names.intersection(&stdlib_names).collect();
    assert!(
        shared.is_empty(),
        "the stdlib redefines upstream items: {shared:?}"
    );

    let files: Vec<(String, String)> = upstream.into_iter().chain(stdlib).collect();
    let (analysis, compiled) = falco_rulec::cli::compile::compile_files(files);
    let errors: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity == falco_diagnostics::Severity::Error)
        .map(|d| format!("{}: {}", d.code.as_str(), d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let bundle = compiled.unwrap_or_else(|e| panic!("compile failed: {e}"));
    let engine = falco_vm::Engine::load(&bundle.bytes).expect("the bundle loads");
    let rules: BTreeSet<String> = engine.rules().iter().map(|r| r.name.clone()).collect();
    let expected: BTreeSet<String> = upstream_rules.union(&stdlib_rules).cloned().collect();
    assert_eq!(rules, expected, "every rule of both is in the bundle");
    assert!(
        rules.contains("Read sensitive file untrusted") && rules.contains("Sensitive File Read")
    );
}
