//! The front end checks every limit of the back end first (issue 12): whatever `lint`
//! accepts compiles, and whatever `compile` writes loads in the VM and in falco-rt's
//! loader (`admit`, as for a bundle file given by hand). Rules files are generated
//! around the limits: macro chains and doubling macros, nested transformers, large
//! regular expressions, lists; plus damaged excerpts of the corpus. 48 cases by
//! default; set `PROPTEST_CASES` for more.

use falco_analysis::analyze;
use falco_rulec::cli::compile::compile_analysis;
use falco_rulec_tests::corpus_rules_files;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Checks that stand alone (no macro, list or limit involved).
const CHECKS: &[&str] = &[
    "evt.type = execve",
    "evt.type in (open, openat, connect)",
    "proc.name in (bash, sh, zsh)",
    "fd.name startswith /etc/",
    "fd.name glob '/var/*/log'",
    "proc.cmdline contains '--password'",
    "fd.sip = 10.0.0.1",
    "fd.net = 10.0.0.0/8",
    "proc.pid > 100",
    "proc.aname[2] = sshd",
    "user.name exists",
    "fd.name pmatch (/etc, /usr/bin)",
    "evt.arg.flags contains O_CREAT",
    "proc.name icontains SH",
];

/// Regular expressions, small and near or over the size limit (E409), valid or not.
fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec!["ba.*", "[a-z]+[0-9]?", "(a|b){3}", "^x$", "(unclosed"])
            .prop_map(str::to_owned),
        (1usize..40).prop_map(|n| ".{1000}".repeat(n)),
        (1usize..26).prop_map(|n| "[^a]{1000}".repeat(n)),
    ]
}

/// A check: a plain one, one under 0 to 10 transformers (E410 past 7), or a regex.
fn check() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(CHECKS).prop_map(str::to_owned),
        2 => (0usize..11, proptest::sample::select(vec!["tolower", "toupper", "basename"])).prop_map(
            |(depth, transformer)| format!(
                "{}proc.name{} = bash",
                format!("{transformer}(").repeat(depth),
                ")".repeat(depth)
            )
        ),
        1 => pattern().prop_map(|pattern| format!("proc.name regex \"{pattern}\"")),
        1 => Just("proc.name in (names)".to_owned()),
    ]
}

/// A condition over checks and the macros `m0` .. `m{macros - 1}`.
fn condition(macros: usize) -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        3 => check(),
        1 => (0..macros.max(1)).prop_map(move |index| if macros == 0 {
            "evt.type = open".to_owned()
        } else {
            format!("m{index}")
        }),
    ];
    leaf.prop_recursive(4, 16, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|a| format!("not {a}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("({a} or {b})")),
        ]
    })
}

/// How the macros of a generated file use each other.
#[derive(Clone, Debug)]
enum Macros {
    /// Each its own condition over the earlier ones.
    Free(Vec<String>),
    /// `mK: m(K-1)`, the length around the inlined-depth limit (E210).
    Chain(usize),
    /// `mK: m(K-1) and m(K-1)`, around the size limit (E211).
    Doubling(usize),
}

fn macros() -> impl Strategy<Value = Macros> {
    // A chain `m0` .. `mN` used by a rule nests N + 2 levels.
    let limit = falco_resolve::expansion::MAX_INLINED_DEPTH - 2;
    prop_oneof![
        3 => (0usize..6).prop_flat_map(|count| {
            (0..count)
                .map(|index| condition(index).boxed())
                .collect::<Vec<_>>()
        }).prop_map(Macros::Free),
        1 => (limit - 30..limit + 5).prop_map(Macros::Chain),
        1 => (10usize..20).prop_map(Macros::Doubling),
    ]
}

fn rules_file(macros: &Macros, conditions: &[String]) -> String {
    let mut text = String::from("- list: names\n  items: [bash, sh, \"my shell\"]\n\n");
    let count = match macros {
        Macros::Free(bodies) => {
            for (index, body) in bodies.iter().enumerate() {
                text.push_str(&format!("- macro: m{index}\n  condition: {body}\n\n"));
            }
            bodies.len()
        }
        Macros::Chain(length) | Macros::Doubling(length) => {
            text.push_str("- macro: m0\n  condition: evt.type = open\n\n");
            for index in 1..=*length {
                let below = index - 1;
                let body = match macros {
                    Macros::Doubling(_) => format!("m{below} and m{below}"),
                    _ => format!("m{below}"),
                };
                text.push_str(&format!("- macro: m{index}\n  condition: {body}\n\n"));
            }
            length + 1
        }
    };
    for (index, condition) in conditions.iter().enumerate() {
        // Rules use the last macro so that chains are used whole.
        let condition = if count > 0 && index == 0 {
            format!("m{} and {condition}", count - 1)
        } else {
            condition.clone()
        };
        text.push_str(&format!(
            "- rule: rule {index}\n  desc: generated\n  condition: {condition}\n  output: seen (name=%proc.name file=%fd.name)\n  priority: NOTICE\n  warn_evttypes: false\n\n"
        ));
    }
    text
}

/// The contract for one set of files: lint's verdict and compile's agree, and a
/// written bundle loads.
fn lint_compile_load(files: Vec<(String, String)>) -> Result<(), TestCaseError> {
    let analysis = analyze(files);
    let result = compile_analysis(&analysis);
    if analysis.error_count() > 0 {
        prop_assert!(result.is_err(), "compile accepted what lint refused");
        return Ok(());
    }
    let compiled = match result {
        Ok(compiled) => compiled,
        Err(error) => {
            return Err(TestCaseError::fail(format!(
                "lint found no error, but compile refused: {error}"
            )));
        }
    };
    if let Err(error) = falco_vm::Engine::load(&compiled.bytes) {
        return Err(TestCaseError::fail(format!(
            "compile wrote a bundle the VM refuses: {error}"
        )));
    }
    let policy = falco_rt::admit::Policy::default();
    let config = falco_rt::config::Config::default();
    if let Err(refusal) =
        falco_rt::admit::admit(&compiled.bytes, None, &policy, false, &config, "host")
    {
        return Err(TestCaseError::fail(format!(
            "compile wrote a bundle falco-rt refuses: {refusal}"
        )));
    }
    Ok(())
}

fn cases() -> u32 {
    falco_test_budget::cases(48)
}

/// Runs `f` on a thread with a 64 MiB stack: lowering recurses once per inlined level,
/// and a debug build at the 1,000-level limit needs more than a test thread's 2 MiB
/// (the binaries compile on their main thread, with 8 MiB).
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(f)
        .expect("spawn the test thread");
    if let Err(panic) = handle.join() {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn generated_rules_lint_compile_and_load_alike() {
    with_big_stack(|| {
        let config = Config {
            cases: cases(),
            failure_persistence: None,
            ..Config::default()
        };
        let case = (macros(), proptest::collection::vec(condition(0), 1..4));
        let mut runner = TestRunner::new(config);
        let result = runner.run(&case, |(macros, conditions)| {
            let text = rules_file(&macros, &conditions);
            falco_test_budget::bounded("a generated rules file", || {
                lint_compile_load(vec![("generated.yaml".to_owned(), text)])
            })
        });
        if let Err(error) = result {
            panic!("{error}");
        }
    });
}

#[test]
fn corpus_files_and_their_excerpts_lint_compile_and_load_alike() {
    with_big_stack(|| {
        let corpus = corpus_rules_files();
        let config = Config {
            cases: cases(),
            failure_persistence: None,
            ..Config::default()
        };
        // An excerpt of one file: whole items only lint clean, so cut at item starts.
        let case = (0..corpus.len(), 0.0..1.0f64, 1usize..60);
        let mut runner = TestRunner::new(config);
        let result = runner.run(&case, |(file, start, items)| {
            let (path, text) = &corpus[file];
            let starts: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices("\n- ").map(|(at, _)| at + 1))
                .collect();
            let first = ((start * starts.len() as f64) as usize).min(starts.len() - 1);
            let from = starts[first];
            let to = starts.get(first + items).copied().unwrap_or(text.len());
            let excerpt = text[from..to].to_owned();
            falco_test_budget::bounded(format!("{path} from byte {from}"), || {
                lint_compile_load(vec![(path.clone(), excerpt)])
            })
        });
        if let Err(error) = result {
            panic!("{error}");
        }
        // Every whole corpus file too.
        for (path, text) in corpus {
            let outcome = lint_compile_load(vec![(path.clone(), text)]);
            assert!(outcome.is_ok(), "{path}: {outcome:?}");
        }
    });
}
