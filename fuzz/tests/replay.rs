//! Replays every saved input of every fuzz target on stable Rust, each under the
//! test budget (`falco_test_budget`): the hand-made seeds (`fuzz/seeds/`), the
//! fixed findings (`fuzz/regressions/`), the seeds taken from the shared corpus, and
//! libFuzzer's findings of a local campaign (`fuzz/artifacts/`, not committed). Set
//! `FUZZ_REPLAY_CORPUS=1` to replay a local campaign's whole corpus
//! (`fuzz/corpus/`) too.
//!
//! A panic fails the input, also one caught inside the code under test (the
//! language server turns a handler's panic into an error answer), so every panic
//! is counted by a hook.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

use falco_rulec_fuzz::{TARGETS, corpus_dir, saved_inputs};
use falco_test_budget::bounded;

static PANICS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn every_saved_input_replays_without_a_panic_within_its_bound() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let mut folders = vec!["seeds", "regressions", "artifacts"];
    if std::env::var_os("FUZZ_REPLAY_CORPUS").is_some() {
        folders.push("corpus");
    }
    let mut failures = Vec::new();
    for target in TARGETS {
        let mut inputs: Vec<(String, Vec<u8>)> = saved_inputs(target.name, &folders)
            .into_iter()
            .map(|(path, bytes)| (path.display().to_string(), bytes))
            .collect();
        let shared = (target.seeds)(&corpus_dir());
        assert!(
            !shared.is_empty(),
            "no `{}` seeds from the shared corpus at {}",
            target.name,
            corpus_dir().display()
        );
        inputs.extend(
            shared
                .into_iter()
                .enumerate()
                .map(|(index, bytes)| (format!("shared corpus seed {index}"), bytes)),
        );
        for (name, bytes) in &inputs {
            let what = format!("{}: {name}", target.name);
            let before = PANICS.load(Ordering::SeqCst);
            let outcome = bounded(&what, || {
                catch_unwind(AssertUnwindSafe(|| (target.run)(bytes)))
            });
            if outcome.is_err() || PANICS.load(Ordering::SeqCst) != before {
                failures.push(what);
            }
        }
        println!("{}: {} inputs replayed", target.name, inputs.len());
    }
    assert!(
        failures.is_empty(),
        "inputs that panicked:\n  {}",
        failures.join("\n  ")
    );
}
