//! `falco-rulec compile` and `inspect`: exit codes, reproducible bytes, the inspect
//! contract, and bundles that survive random damage.

use crate::support::*;
use falco_rulec::cli::compile::{compile_analysis, compile_files};
use falco_vm::{Engine, RuleMatching};

fn upstream_files() -> Vec<(String, String)> {
    [
        "upstream-rules/falco_rules.yaml",
        "upstream-rules/falco-incubating_rules.yaml",
        "upstream-rules/falco-sandbox_rules.yaml",
    ]
    .iter()
    .map(|p| {
        let path = corpus(p);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("corpus file {}: {e}", path.display()));
        (p.to_string(), text)
    })
    .collect()
}

#[test]
fn compile_writes_a_bundle_and_exits_0() {
    let dir = scratch();
    let rules = write(&dir, "rules.yaml", CLEAN);
    let run = run_in(
        &dir,
        &["compile", rules.to_str().unwrap(), "-o", "b.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("1 rules (1 enabled)"), "{}", run.stderr);
    let bytes = std::fs::read(dir.join("b.frb")).expect("bundle written");
    assert!(falco_bundle::decode(&bytes).is_ok());
}

#[test]
fn compile_of_a_folder_without_rules_files_names_it_and_writes_nothing() {
    // `compile rules-stdlib` when the rules are in `rules-stdlib/rules/`.
    let dir = scratch();
    write(&dir, "stdlib/rules/rules.yaml", CLEAN);
    write(&dir, "stdlib/README.md", "the rules are in rules/");
    let run = run_in(&dir, &["compile", "stdlib", "-o", "b.frb"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("`stdlib` holds no rules file"),
        "{}",
        run.stderr
    );
    assert!(!dir.join("b.frb").exists());
    let run = run_in(&dir, &["compile", "stdlib/rules", "-o", "b.frb"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn compile_refuses_rules_with_errors_and_writes_nothing() {
    let dir = scratch();
    let rules = write(&dir, "rules.yaml", UNKNOWN_FIELD);
    let run = run_in(
        &dir,
        &[
            "compile",
            "--color",
            "never",
            rules.to_str().unwrap(),
            "-o",
            "b.frb",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("E401"), "{}", run.stderr);
    assert!(run.stderr.contains("no bundle written"), "{}", run.stderr);
    assert!(!dir.join("b.frb").exists());
}

#[test]
fn compile_usage_errors_exit_2() {
    let dir = scratch();
    let run = run_in(&dir, &["compile", "missing.yaml", "-o", "b.frb"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = run_in(&dir, &["compile", "missing.yaml"], &[]);
    assert_eq!(run.code, 2, "-o is required: {}", run.stderr);
}

#[test]
fn same_input_gives_identical_bytes() {
    let dir = scratch();
    let rules = write(&dir, "rules.yaml", CLEAN);
    for out in ["a.frb", "b.frb"] {
        let run = run_in(&dir, &["compile", rules.to_str().unwrap(), "-o", out], &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert_eq!(
        std::fs::read(dir.join("a.frb")).unwrap(),
        std::fs::read(dir.join("b.frb")).unwrap()
    );
    // The upstream rules, through the library, twice (fresh analyses each time).
    let first = compile_files(upstream_files())
        .1
        .expect("upstream rules compile");
    let second = compile_files(upstream_files())
        .1
        .expect("upstream rules compile");
    assert_eq!(first.bytes, second.bytes);
    assert!(
        first.bundle.rules.len() > 70,
        "{}",
        first.bundle.rules.len()
    );
}

#[test]
fn inspect_json_is_the_documented_contract() {
    let dir = scratch();
    let rules = write(&dir, "rules.yaml", CLEAN);
    let run = run_in(
        &dir,
        &["compile", rules.to_str().unwrap(), "-o", "b.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = run_in(&dir, &["inspect", "b.frb", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut json = run.json();
    assert_eq!(json["sha256"].as_str().map(str::len), Some(64));
    json["sha256"] = "<sha256>".into();
    json["size"] = 0.into();
    json["engine_version"] = "<version>".into();
    insta::assert_snapshot!(serde_json::to_string_pretty(&json).unwrap());
    let text = run_in(&dir, &["inspect", "b.frb"], &[]);
    assert_eq!(text.code, 0);
    assert!(
        text.stdout.contains("syscalls (2): execve execveat"),
        "{}",
        text.stdout
    );
}

#[test]
fn inspect_runtime_lists_fields_the_agent_leaves_na() {
    let dir = scratch();
    let clean = write(&dir, "clean.yaml", CLEAN);
    let run = run_in(
        &dir,
        &["compile", clean.to_str().unwrap(), "-o", "clean.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = run_in(&dir, &["inspect", "clean.frb", "--runtime"], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("falco-rt supplies every field"),
        "{}",
        run.stdout
    );
    let rules = write(
        &dir,
        "image.yaml",
        "- rule: image shell\n  desc: d\n  condition: evt.type = execve and evt.latency > 0\n  output: shell (lat=%evt.latency.s proc=%proc.name)\n  priority: NOTICE\n",
    );
    let run = run_in(
        &dir,
        &["compile", rules.to_str().unwrap(), "-o", "image.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = run_in(&dir, &["inspect", "image.frb", "--runtime"], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("image shell: evt.latency evt.latency.s")
            || run
                .stdout
                .contains("image shell: evt.latency.s evt.latency"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("proc.name"), "{}", run.stdout);
    let run = run_in(
        &dir,
        &["inspect", "image.frb", "--runtime", "--format", "json"],
        &[],
    );
    assert_eq!(run.code, 1);
    let json = run.json();
    assert_eq!(json["runtime_unsupplied"][0]["rule"], "image shell");
    assert_eq!(
        json["runtime_unsupplied"][0]["fields"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    // Without the flag, the JSON contract has no such key.
    let run = run_in(&dir, &["inspect", "image.frb", "--format", "json"], &[]);
    assert_eq!(run.code, 0);
    assert!(run.json().get("runtime_unsupplied").is_none());

    // Arguments are answered per event type: ptrace's request is served, sendto's data
    // is not; derived socket fields (fd.net, fd.port) and proc.sname are served.
    let rules = write(
        &dir,
        "args.yaml",
        "- rule: attach\n  desc: d\n  condition: evt.type = ptrace and evt.arg.request contains PTRACE_ATTACH and fd.net = \"10.0.0.0/8\" and fd.port = 443\n  output: a (%proc.sname %fd.sport)\n  priority: NOTICE\n\
         - rule: payload\n  desc: d\n  condition: evt.type = sendto and evt.arg.data contains x\n  output: p\n  priority: NOTICE\n",
    );
    let run = run_in(
        &dir,
        &["compile", rules.to_str().unwrap(), "-o", "args.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = run_in(
        &dir,
        &["inspect", "args.frb", "--runtime", "--format", "json"],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json = run.json();
    let unsupplied = json["runtime_unsupplied"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(unsupplied.len(), 1, "{json}");
    assert_eq!(unsupplied[0]["rule"], "payload");
    assert_eq!(unsupplied[0]["fields"], serde_json::json!(["evt.arg.data"]));
}

#[test]
fn inspect_refuses_damaged_bundles_with_exit_2() {
    let dir = scratch();
    let bad = write(&dir, "bad.frb", "FALCORB\0 but nothing else");
    let run = run_in(&dir, &["inspect", bad.to_str().unwrap()], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("invalid bundle"), "{}", run.stderr);
    let run = run_in(&dir, &["inspect", "nothing.frb"], &[]);
    assert_eq!(run.code, 2);
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const EVENTS: &str = r#"{"ts": 1000, "type": "execve", "thread": {"pid": 5, "exepath": "/bin/bash", "args": ["-c", "id"]}, "ancestors": [{"pid": 4, "name": "nginx"}], "container": {"id": "abc123456789", "image": "nginx"}}
{"ts": 2000, "type": "openat", "res": 3, "args": {"fd": 3, "name": "/etc/shadow", "flags": 0}, "thread": {"pid": 6, "exepath": "/usr/bin/cat"}, "fd": {"num": 3, "type": "file", "name": "/etc/shadow"}}
{"ts": 3000, "type": "connect", "res": 0, "thread": {"pid": 7, "exepath": "/usr/bin/nc"}, "fd": {"num": 4, "type": "ipv4", "cip": "10.0.0.2", "cport": 4444, "sip": "1.2.3.4", "sport": 443, "l4proto": "tcp"}}
"#;

/// Two thousand random byte edits and truncations of a real bundle: each is refused
/// with an error or, when it still verifies, loads and evaluates events without
/// panicking. Most edits are resealed (hash recomputed) so that they reach the
/// decoder and the verifier rather than stopping at the hash check.
#[test]
fn damaged_bundles_are_refused_or_run_safely() {
    let compiled = compile_files(upstream_files())
        .1
        .expect("upstream rules compile");
    let original = compiled.bytes;
    let events: Vec<_> = falco_events::read_syscall(EVENTS)
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("test events");
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut refused, mut ran) = (0usize, 0usize);
    for round in 0..2000 {
        let mut bytes = original.clone();
        match round % 4 {
            0 => bytes.truncate(rng.below(bytes.len())),
            1 | 2 => {
                for _ in 0..1 + rng.below(4) {
                    let at = falco_bundle::HEADER_LEN
                        + rng.below(bytes.len() - falco_bundle::HEADER_LEN);
                    bytes[at] = match rng.below(3) {
                        0 => rng.next() as u8,
                        1 => bytes[at] ^ (1 << rng.below(8)),
                        _ => 0xff,
                    };
                }
                falco_bundle::reseal(&mut bytes);
            }
            _ => {
                let at = rng.below(bytes.len());
                bytes[at] ^= 0x55;
            }
        }
        match Engine::load(&bytes) {
            Err(error) => {
                assert!(!error.to_string().is_empty());
                refused += 1;
            }
            Ok(mut engine) => {
                engine.set_rule_matching(RuleMatching::All);
                let mut scratch = engine.scratch();
                let mut hits = Vec::new();
                for event in &events {
                    engine.matching_rules(event, &mut scratch, &mut hits);
                    for rule in 0..engine.rules().len() {
                        engine.rule_matches(rule, event, &mut scratch);
                    }
                    for &rule in &hits {
                        let _ = engine.alert(rule, event, &mut scratch);
                    }
                }
                ran += 1;
            }
        }
    }
    assert!(refused > 500, "refused {refused}, ran {ran}");
    eprintln!("damaged bundles: {refused} refused, {ran} loaded and ran");
}

#[test]
fn analysis_with_errors_is_refused_by_the_library_too() {
    let analysis = falco_analysis::analyze(vec![("r.yaml".into(), UNKNOWN_FIELD.into())]);
    assert!(compile_analysis(&analysis).is_err());
}

/// Every condition libsinsp compiles (the `compile` and `eval` cases of
/// `../shared/corpus/conditions`) that our front end accepts as a syscall rule
/// lowers into a bundle the VM loads and evaluates without trouble. Cases the front
/// end refuses (mock `c.*` fields, bare macro names) are counted, not run.
#[test]
fn libs_conditions_lower_load_and_run() {
    let path = corpus("conditions/libs_filter_cases.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("corpus file {}: {e}", path.display()));
    let cases: serde_json::Value = serde_json::from_str(&text).expect("cases are JSON");
    let events: Vec<_> = falco_events::read_syscall(EVENTS)
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("test events");
    let (mut ran, mut refused) = (0, 0);
    for case in cases.as_array().expect("a list of cases") {
        let layer = case["layer"].as_str().unwrap_or_default();
        if case["expect"] != "ok" || !(layer == "compile" || layer == "eval") {
            continue;
        }
        let condition = case["condition"].as_str().unwrap_or_default();
        let rules = format!(
            "- rule: case\n  desc: d\n  condition: {}\n  output: o\n  priority: INFO\n  warn_evttypes: false\n",
            serde_json::to_string(condition).unwrap()
        );
        let (_, result) = compile_files(vec![("case.yaml".into(), rules)]);
        let Ok(compiled) = result else {
            refused += 1;
            continue;
        };
        let engine = Engine::load(&compiled.bytes)
            .unwrap_or_else(|e| panic!("`{condition}` compiled but does not load: {e}"));
        let mut scratch = engine.scratch();
        for event in &events {
            engine.rule_matches(0, event, &mut scratch);
        }
        ran += 1;
    }
    eprintln!("libs conditions: {ran} lowered, loaded and ran; {refused} refused by the front end");
    assert!(ran > 300, "only {ran} conditions ran ({refused} refused)");
}

/// Macros `m0` ... `mN`, each `mK` written as `body` with `{p}` standing for
/// `m(K-1)`, and one rule whose condition is `mN`.
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

/// Issue 12: 40 levels of `mK: m(K-1) and m(K-1)` (2^40 checks inlined) did not
/// finish in lint or compile; both now refuse them at once with E211, and compile
/// writes nothing. Under the test budget, so a return to inlining aborts the run.
#[test]
fn doubling_macros_are_refused_at_once_by_lint_and_compile() {
    let dir = scratch();
    let rules = write(&dir, "rules.yaml", &macro_chain(40, "{p} and {p}"));
    let rules = rules.to_str().unwrap();
    falco_test_budget::bounded("lint and compile of 40 doubling macros", || {
        let lint = run_in(&dir, &["lint", "--format", "json", rules], &[]);
        assert_eq!(lint.code, 1, "{}", lint.stderr);
        assert_eq!(codes(&lint.json()), vec!["E211"]);
        let compile = run_in(
            &dir,
            &["compile", "--color", "never", rules, "-o", "b.frb"],
            &[],
        );
        assert_eq!(compile.code, 1, "{}", compile.stderr);
        assert!(compile.stderr.contains("E211"), "{}", compile.stderr);
        assert!(!dir.join("b.frb").exists());
    });
}

/// The inlined-depth limit (E210) admits what lowering can take: the deepest chain
/// lint accepts compiles (in the binary, on its main thread) and loads in the VM.
#[test]
fn the_deepest_macro_chain_lint_accepts_compiles_and_loads() {
    let dir = scratch();
    let deepest = falco_resolve::expansion::MAX_INLINED_DEPTH - 2;
    let rules = write(&dir, "rules.yaml", &macro_chain(deepest, "{p}"));
    let run = run_in(
        &dir,
        &["compile", rules.to_str().unwrap(), "-o", "b.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(dir.join("b.frb")).expect("bundle written");
    assert!(Engine::load(&bytes).is_ok());
    let rules = write(&dir, "deeper.yaml", &macro_chain(deepest + 1, "{p}"));
    let run = run_in(
        &dir,
        &["lint", "--format", "json", rules.to_str().unwrap()],
        &[],
    );
    assert_eq!(codes(&run.json()), vec!["E210"]);
}

/// Issue 12: Falco refuses a value over 255 bytes ("filter parameter too long");
/// lint and compile both refuse it with E411, and compile writes nothing.
#[test]
fn a_value_longer_than_falco_takes_is_refused_by_lint_and_compile() {
    let dir = scratch();
    let rules = write(
        &dir,
        "rules.yaml",
        &format!(
            "- rule: r\n  desc: d\n  condition: evt.type = open and fd.name startswith /{}\n  output: o\n  priority: INFO\n",
            "a".repeat(falco_typeck::MAX_VALUE_BYTES)
        ),
    );
    let rules = rules.to_str().unwrap();
    let lint = run_in(&dir, &["lint", "--format", "json", rules], &[]);
    assert_eq!(lint.code, 1, "{}", lint.stderr);
    assert_eq!(codes(&lint.json()), vec!["E411"]);
    let compile = run_in(
        &dir,
        &["compile", "--color", "never", rules, "-o", "b.frb"],
        &[],
    );
    assert_eq!(compile.code, 1, "{}", compile.stderr);
    assert!(compile.stderr.contains("E411"), "{}", compile.stderr);
    assert!(!dir.join("b.frb").exists());
}

/// The traced lowering behind `test --coverage` and `show` wraps every inlined level
/// once more: the deepest chain lint accepts goes through both in the binary.
#[test]
fn coverage_and_show_take_the_deepest_macro_chain() {
    let dir = scratch();
    let deepest = falco_resolve::expansion::MAX_INLINED_DEPTH - 2;
    write(&dir, "rules.yaml", &macro_chain(deepest, "{p}"));
    let tests = write(
        &dir,
        "tests.yaml",
        "rules: [rules.yaml]\ncases:\n  - name: an open\n    events:\n      - type: open\n        thread: {pid: 1, exepath: /bin/cat}\n    fire: [r]\n",
    );
    let run = run_in(
        &dir,
        &[
            "test",
            "--coverage",
            "--format",
            "json",
            tests.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let points = run.json()["coverage"]["files"].to_string();
    assert!(points.contains(&format!("m{deepest}")), "{points}");
    let run = run_in(&dir, &["show", "r", "rules.yaml"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("macro m0 [1]"), "{}", run.stdout);
    assert_eq!(
        run.stdout.matches("macro m").count(),
        deepest + 1,
        "every macro of the chain is shown"
    );
}
