//! No input makes the front end panic: corpus rules files, damaged by deleting,
//! duplicating and swapping characters and lines, go through `analyze` and every
//! renderer, each within the test budget (`falco_test_budget::bounded`: time and
//! memory). 64 cases by default; set `PROPTEST_CASES` for more.

use falco_analysis::analyze;
use falco_rulec::render::{Format, render};
use falco_rulec_tests::corpus_rules_files;
use falco_test_budget::bounded;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// One edit; positions are fractions of the current length, so they stay valid.
#[derive(Clone, Debug)]
enum Edit {
    DeleteChar(f64),
    DuplicateChar(f64),
    SwapChars(f64, f64),
    InsertChar(f64, char),
    DeleteLine(f64),
    DuplicateLine(f64),
    SwapLines(f64, f64),
}

/// Characters that matter to YAML and to conditions.
const INTERESTING: &[char] = &[
    ':', '-', '[', ']', '{', '}', '(', ')', '"', '\'', '#', '|', '>', '&', '*', '!', '%', '@', '`',
    ',', '\\', ' ', '\n', '\t', '\r', 'é', '\u{feff}', '=', '<',
];

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    prop_oneof![
        at.clone().prop_map(Edit::DeleteChar),
        at.clone().prop_map(Edit::DuplicateChar),
        (at.clone(), at.clone()).prop_map(|(a, b)| Edit::SwapChars(a, b)),
        (at.clone(), proptest::sample::select(INTERESTING))
            .prop_map(|(a, c)| Edit::InsertChar(a, c)),
        at.clone().prop_map(Edit::DeleteLine),
        at.clone().prop_map(Edit::DuplicateLine),
        (at.clone(), at).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

fn index(fraction: f64, len: usize) -> usize {
    ((fraction * len as f64) as usize).min(len.saturating_sub(1))
}

fn apply(text: &str, edit: &Edit) -> String {
    match *edit {
        Edit::DeleteChar(_)
        | Edit::DuplicateChar(_)
        | Edit::SwapChars(..)
        | Edit::InsertChar(..) => {
            let mut chars: Vec<char> = text.chars().collect();
            if chars.is_empty() {
                return text.to_owned();
            }
            let len = chars.len();
            match *edit {
                Edit::DeleteChar(a) => {
                    chars.remove(index(a, len));
                }
                Edit::DuplicateChar(a) => {
                    let i = index(a, len);
                    chars.insert(i, chars[i]);
                }
                Edit::SwapChars(a, b) => chars.swap(index(a, len), index(b, len)),
                Edit::InsertChar(a, c) => chars.insert(index(a, len), c),
                _ => {}
            }
            chars.into_iter().collect()
        }
        Edit::DeleteLine(_) | Edit::DuplicateLine(_) | Edit::SwapLines(..) => {
            let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
            if lines.is_empty() {
                return text.to_owned();
            }
            let len = lines.len();
            match *edit {
                Edit::DeleteLine(a) => {
                    lines.remove(index(a, len));
                }
                Edit::DuplicateLine(a) => {
                    let i = index(a, len);
                    lines.insert(i, lines[i]);
                }
                Edit::SwapLines(a, b) => lines.swap(index(a, len), index(b, len)),
                _ => {}
            }
            lines.concat()
        }
    }
}

/// Lines `[start, start + count)` of `text` (fractions of its line count), to keep each
/// case small enough for a debug build.
fn excerpt(text: &str, start: f64, count: usize) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let first = index(start, lines.len());
    lines.iter().skip(first).take(count).copied().collect()
}

#[test]
fn damaged_corpus_files_never_panic() {
    let corpus = corpus_rules_files();
    let cases = falco_test_budget::cases(64);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let file = 0..corpus.len();
    // One or two excerpts (a second file exercises cross-file resolution), each damaged.
    let case = proptest::collection::vec(
        (
            file,
            0.0..1.0f64,
            1usize..400,
            proptest::collection::vec(edit(), 0..12),
        ),
        1..3,
    );
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case, |case| {
        bounded(format!("{case:?}"), || check_case(&corpus, &case))
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

/// Lints `case`'s damaged excerpts and renders them in every format.
fn check_case(
    corpus: &[(String, String)],
    case: &[(usize, f64, usize, Vec<Edit>)],
) -> Result<(), TestCaseError> {
    let files: Vec<(String, String)> = case
        .iter()
        .map(|(file, start, count, edits)| {
            let (path, text) = &corpus[*file];
            let damaged = edits
                .iter()
                .fold(excerpt(text, *start, *count), |text, edit| {
                    apply(&text, edit)
                });
            (path.clone(), damaged)
        })
        .collect();
    let analysis = analyze(files);
    for format in [Format::Human, Format::Json, Format::Sarif, Format::Github] {
        let text = render(&analysis, format, false);
        if text.is_empty() && format != Format::Github {
            return Err(TestCaseError::fail(format!("{format:?} rendered nothing")));
        }
    }
    Ok(())
}

#[test]
fn whole_corpus_files_never_panic() {
    // Every corpus file undamaged, alone: the common case must certainly not panic.
    for (path, text) in corpus_rules_files() {
        bounded(&path, || {
            let analysis = analyze(vec![(path.clone(), text)]);
            let _ = render(&analysis, Format::Human, false);
            let _ = render(&analysis, Format::Json, false);
        });
    }
}
