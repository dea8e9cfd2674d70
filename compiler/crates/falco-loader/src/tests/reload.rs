//! A piecewise reload equals loading the whole new text, and it is what an edit
//! inside a condition gets.

use super::*;
use crate::{LoadIndex, Reload, load_indexed, reload};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// A small file with every kind of item and the YAML forms the reader handles:
/// block scalars, quoted and multi-line scalars, flow lists closed at the key's
/// column (read joined), comments at column 0 inside items, broken items.
const SYNTHETIC: &str = "# a rules file\n\
- required_engine_version: 0.26.0\n\
\n\
- required_plugin_versions:\n  - name: a\n    version: 0.1.0\n    alternatives:\n      - name: b\n        version: 0.2.0\n\
- list: l\n  items: [a, \"b c\", 'd''e']\n\
- list: spread\n  items: [\n    x,\n    y\n  ]\n\
- macro: m\n  condition: >\n    evt.type = open\n\n    and fd.name != \"x\"\n# a comment at column 0\n  override:\n    condition: replace\n\n\
- macro: k\n  condition: |+\n    proc.name = a\n\n\
- rule: r\n  desc: \"two\n    lines\"\n  condition: m and proc.name in (l)\n  output: o %proc.name\n  priority: INFO\n  tags: [t, u]\n  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=, in]\n      values:\n        - [a, [b, c]]\n    - name: f\n      fields: proc.name\n      values: [x, y]\n\
- rule: broken\n  condition: evt.type = open\n  priority: SOMETIMES\n\
- macro: unknown keys\n  condition: x\n  colour: red\n\
- rule: r\n  condition: and x\n  override:\n    condition: append\n\
- rule: old\n  condition: or y\n  append: true\n\
- {rule: flow, condition: a, output: b, priority: DEBUG, desc: c}\n\
- ignored: item\n";

/// Snippets that stress item boundaries, quoting and indentation.
const SNIPPETS: &[&str] = &[
    "\"",
    "'",
    ":",
    ": ",
    "\n",
    "\n  ",
    "\n    ",
    "\n- ",
    "- ",
    "-",
    "  ",
    "#",
    " # c",
    "[",
    "]",
    "{",
    "}",
    ",",
    " &a ",
    " *a",
    "|",
    ">",
    "\t",
    "x",
    " and proc.name = x",
    "\n    and fd.name = x",
    "\r\n",
    "\n- rule: n\n  condition: x\n",
    "é",
    "\n\n",
    "---\n",
    "...",
    "%",
    "!",
    "\\",
    "priority: ",
    "condition: ",
    "  tags: [a]\n",
    "\n]",
];

fn upstream(name: &str) -> String {
    let path = shared().join("corpus/upstream-rules").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The texts the edits start from.
fn bases() -> Vec<String> {
    vec![
        upstream("falco_rules.yaml"),
        upstream("falco-incubating_rules.yaml"),
        upstream("falco-sandbox_rules.yaml"),
        SYNTHETIC.to_string(),
        SYNTHETIC.replace('\n', "\r\n"),
    ]
}

/// One edit: where (a fraction of the text, or of the text after a `condition:`),
/// how much to delete, and what to insert.
#[derive(Clone, Debug)]
struct Edit {
    in_condition: bool,
    at: f64,
    delete: usize,
    insert: String,
}

fn edit() -> impl Strategy<Value = Edit> {
    let insert = prop_oneof![
        proptest::sample::select(SNIPPETS).prop_map(str::to_string),
        "[ -~\n]{0,6}",
        proptest::collection::vec(proptest::sample::select(SNIPPETS), 1..4)
            .prop_map(|pieces| pieces.concat()),
    ];
    (
        any::<bool>(),
        0.0..1.0f64,
        prop_oneof![Just(0usize), 0usize..12],
        insert,
    )
        .prop_map(|(in_condition, at, delete, insert)| Edit {
            in_condition,
            at,
            delete,
            insert,
        })
}

/// The nearest char boundary at or after `at`.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// `text` with `edit` applied.
fn apply(text: &str, edit: &Edit) -> String {
    let anchors: Vec<usize> = text.match_indices("condition:").map(|(at, _)| at).collect();
    let at = if edit.in_condition && !anchors.is_empty() {
        let anchor = anchors[(edit.at * anchors.len() as f64) as usize % anchors.len()];
        // Somewhere in the next 120 bytes after `condition: `.
        anchor + 11 + ((edit.at * 7919.0) as usize % 120)
    } else {
        (edit.at * text.len() as f64) as usize
    };
    let at = boundary(text, at);
    let end = boundary(text, at + edit.delete);
    let mut edited = text.to_string();
    edited.replace_range(at..end, &edit.insert);
    edited
}

/// Reloads `new` after `old` and checks it against a whole load; returns how.
fn check_reload(
    old: &str,
    loaded: &mut LoadedFile,
    index: &mut LoadIndex,
    new: &str,
) -> Result<Reload, TestCaseError> {
    let how = reload(old, loaded, index, new);
    let (expected, expected_index) = load_indexed(FileId(0), new);
    let same = loaded.file == expected.file
        && loaded.items == expected.items
        && loaded.diagnostics == expected.diagnostics
        && loaded.broken == expected.broken;
    prop_assert!(same, "{how:?}: {loaded:#?}\nexpected {expected:#?}");
    prop_assert_eq!(&*index, &expected_index, "{:?}", how);
    Ok(how)
}

#[test]
fn reload_equals_a_whole_load_after_random_edits() {
    let bases = bases();
    let loads: Vec<(LoadedFile, LoadIndex)> = bases
        .iter()
        .map(|text| load_indexed(FileId(0), text))
        .collect();
    for (text, (loaded, index)) in bases.iter().zip(&loads) {
        assert!(index.is_piecewise(), "{}", &text[..40]);
        assert_eq!(format!("{loaded:?}"), format!("{:?}", load(text)));
    }
    let (piecewise, edited) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    let mut runner = TestRunner::new(Config {
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (0..bases.len(), proptest::collection::vec(edit(), 1..3));
    let result = runner.run(&strategy, |(base, edits)| {
        let mut text = bases[base].clone();
        let (mut loaded, mut index) = loads[base].clone();
        for edit in &edits {
            edited.set(edited.get() + 1);
            let edited = apply(&text, edit);
            if check_reload(&text, &mut loaded, &mut index, &edited)? == Reload::Piecewise {
                piecewise.set(piecewise.get() + 1);
            }
            text = edited;
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
    // Some random edits must take the piecewise path, or this test proves nothing
    // about it. About a third of them do, so below 60 edits (PROPTEST_CASES under
    // about 30) the sample is too small to require it.
    assert!(
        piecewise.get() > 0 || edited.get() < 60,
        "none of {} edits was reloaded piecewise",
        edited.get()
    );
}

#[test]
fn edits_inside_conditions_reload_piecewise() {
    let text = upstream("falco_rules.yaml");
    let (mut loaded, mut index) = load_indexed(FileId(0), &text);
    let mut old = text.clone();
    let mut edits = 0;
    let in_comment = |at: usize| {
        text[..at]
            .rsplit('\n')
            .next()
            .is_some_and(|line| line.contains('#'))
    };
    let fields = text
        .match_indices("proc.name")
        .filter(|(at, _)| !in_comment(*at));
    for (at, _) in fields.step_by(7) {
        // Break the field, then restore it (the edit an editor makes while typing).
        for new in [
            format!("{}proc.nme{}", &text[..at], &text[at + 9..]),
            text.clone(),
            format!(
                "{}proc.name and\n    evt.type = open{}",
                &text[..at],
                &text[at + 9..]
            ),
            text.clone(),
        ] {
            let how = reload(&old, &mut loaded, &mut index, &new);
            assert_eq!(how, Reload::Piecewise, "edit at {at}");
            assert_eq!(format!("{loaded:?}"), format!("{:?}", load(&new)));
            old = new;
            edits += 1;
        }
    }
    assert!(edits > 10);
}

#[test]
fn edits_across_items_reload_whole() {
    let text = SYNTHETIC;
    let (mut loaded, mut index) = load_indexed(FileId(0), text);
    // A new item inside an old one, an item joined to the previous one, an alias,
    // an edit that touches two items, an edit before the first item.
    let at = text.find("  desc: \"two").unwrap();
    for edited in [
        format!("{}- rule: n\n{}", &text[..at], &text[at..]),
        text.replacen("\n- macro: k", " - macro: k", 1),
        text.replacen("items: [a,", "items: [*a,", 1),
        text.replacen("INFO\n  tags", "INFO\n- tags", 1),
        text.replacen("# a rules", "# the rules", 1),
    ] {
        let how = reload(text, &mut loaded, &mut index, &edited);
        assert_eq!(how, Reload::Whole, "{edited}");
        assert_eq!(format!("{loaded:?}"), format!("{:?}", load(&edited)));
        (loaded, index) = load_indexed(FileId(0), text);
    }
    assert_eq!(
        reload(text, &mut loaded, &mut index, text),
        Reload::Unchanged
    );
}

#[test]
fn an_index_of_another_text_does_not_panic() {
    // Inputs that do not belong together give an unspecified load, never a panic.
    let short = "- rule: a\n  condition: x\n";
    let (mut loaded, mut index) = load_indexed(FileId(0), SYNTHETIC);
    let _ = reload(
        short,
        &mut loaded,
        &mut index,
        "- rule: a\n  condition: y\n",
    );
    // An index without its load: the edit cannot be spliced in, so the whole file
    // is loaded.
    let (_, mut index) = load_indexed(FileId(0), SYNTHETIC);
    let mut loaded = LoadedFile::default();
    let edited = SYNTHETIC.replacen("in (l)", "in (k)", 1);
    assert_eq!(
        reload(SYNTHETIC, &mut loaded, &mut index, &edited),
        Reload::Whole
    );
    assert_eq!(format!("{loaded:?}"), format!("{:?}", load(&edited)));
}
