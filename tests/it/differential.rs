//! Differential test: the VM and a plain evaluator of the typed tree (`reference.rs`) agree
//! on random conditions over random events.
//!
//! Conditions are generated as text over fixed fields of known types (strings, numbers,
//! addresses, networks, booleans, byte buffers, a compare-any field, a list field), with
//! every operator, the `oneof`/`anyof`/`allof` modifiers, the transformers `tolower`,
//! `toupper`, `basename`, `b64`, `len`, `concat`, `join` and `getopt` (over lists whose
//! fields may have no value), field-to-field comparisons,
//! `and`/`or`/`not`, and values that are often missing (`<NA>`). Each goes through
//! `analyze` (conditions with errors are skipped: they are not programs), through the
//! compiler to bundle bytes and into `falco_vm::Engine` (and through the traced
//! compilation coverage uses, one check per operand); then both sides judge the same
//! events. The event-type index must also keep every rule that matches an event among the
//! event's candidates.
//!
//! 512 conditions per source by default, from a fixed seed (`PROPTEST_CASES` for more),
//! each judged on 8 events.

mod reference;

use falco_analysis::analyze;
use falco_events::{Event, Source, read_events};
use falco_rulec::cli::compile::{compile_analysis, compile_traced};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRng, TestRunner};

/// What a generated field yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Str,
    Int,
    Ip,
    Net,
    Bool,
    Bytes,
    /// Several candidates, compared one by one (`proc.aname`).
    AnyStr,
    /// A list field (`ka.user.groups`).
    List,
    /// `b64` of a string: text or raw bytes, compared with byte-wise operators only.
    Decoded,
}

const SYSCALL_FIELDS: &[(&str, Kind)] = &[
    ("proc.name", Kind::Str),
    ("proc.pname", Kind::Str),
    ("fd.name", Kind::Str),
    ("user.name", Kind::Str),
    ("container.id", Kind::Str),
    ("evt.type", Kind::Str),
    ("proc.pid", Kind::Int),
    ("proc.tty", Kind::Int),
    ("fd.num", Kind::Int),
    ("evt.rawres", Kind::Int),
    ("fd.sport", Kind::Int),
    ("fd.sip", Kind::Ip),
    ("fd.snet", Kind::Net),
    ("fd.connected", Kind::Bool),
    ("evt.buffer", Kind::Bytes),
    ("proc.aname", Kind::AnyStr),
];

const K8S_FIELDS: &[(&str, Kind)] = &[
    ("ka.auditid", Kind::Str),
    ("ka.user.name", Kind::Str),
    ("ka.verb", Kind::Str),
    ("ka.target.namespace", Kind::Str),
    ("ka.uri", Kind::Str),
    ("ka.user.groups", Kind::List),
];

const WORDS: &[&str] = &[
    "bash",
    "sh",
    "BaSh",
    "nginx",
    "ba",
    "",
    "YmFzaA==",
    "YmFzaA",
    "YR==",
    "c2g",
    "YmFzaA==YQ",
    "a b",
    "/etc/shadow",
    "/etc",
    "/etc/",
    "/etcx/a",
    "etc/shadow",
    "//etc//shadow/",
    "/usr/bin/bash",
    "openat",
    "execve",
    "system:masters",
    "get",
];
const PATH_PREFIXES: &[&str] = &[
    "/etc",
    "/etc/",
    "/usr",
    "/usr/bin/",
    "/etcx",
    "",
    "/",
    "etc",
    "//etc//",
    "/e*c",
    "/*/bash",
    "etc/sh[a-z]dow",
];
/// Words for `getopt`'s argument list, and its option strings.
const ARGV: &[&str] = &[
    "-t", "x", "-nt", "-tvalue", "--", "--exec", "-", "-a", "y", "-b", "-z",
];
const OPTSTRINGS: &[&str] = &["t:", "nt:", ":ab:", "a", "b:t", "nt", ":t"];
const PATTERNS: &[&str] = &["*sh", "/etc/*", "b?sh", "[bn]*", "*", "[!b]*", "\\*"];
const REGEXES: &[&str] = &["ba.*", "[a-z]+", "nginx|bash", "/etc/.*", ".*"];
const INTS: &[&str] = &["-1", "0", "1", "3", "22", "443", "65535", "4294967296"];
const IPS: &[&str] = &["10.0.0.1", "192.168.1.5", "8.8.8.8", "::1", "2001:db8::1"];
const NETS: &[&str] = &["10.0.0.0/8", "192.168.0.0/16", "0.0.0.0/0", "2001:db8::/32"];
const HEXES: &[&str] = &["6261", "7368", "00ff", "62617368"];
/// String operators with a literal on the right. `<`, `<=`, `>`, `>=` take only numbers,
/// `val()` or a transformer there (libsinsp's grammar), so they appear with `val()` below;
/// `bcontains`/`bstartswith` are for byte buffers.
const STRING_OPS: &[&str] = &[
    "=",
    "==",
    "!=",
    "contains",
    "icontains",
    "startswith",
    "endswith",
    "glob",
    "iglob",
    "regex",
    "pmatch",
];
const MODIFIER_OPS: &[&str] = &[
    "=",
    "!=",
    "contains",
    "icontains",
    "startswith",
    "endswith",
    "glob",
    "iglob",
];
const MODIFIERS: &[&str] = &["oneof", "anyof", "allof"];
const NUMBER_OPS: &[&str] = &["=", "!=", "<", "<=", ">", ">="];

fn pick(items: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    proptest::sample::select(items)
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn word() -> impl Strategy<Value = String> {
    pick(WORDS).prop_map(quoted)
}

fn list_of(item: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    proptest::collection::vec(item, 1..4).prop_map(|items| format!("({})", items.join(", ")))
}

/// The value for a string operator.
fn string_value(op: &'static str) -> BoxedStrategy<String> {
    match op {
        "glob" | "iglob" => pick(PATTERNS).prop_map(quoted).boxed(),
        "regex" => pick(REGEXES).prop_map(quoted).boxed(),
        "bcontains" | "bstartswith" => pick(HEXES).prop_map(str::to_owned).boxed(),
        "pmatch" => list_of(pick(PATH_PREFIXES).prop_map(quoted)).boxed(),
        _ => word().boxed(),
    }
}

/// A left operand: the field, or a transformer over it (strings only).
fn left(field: &'static str, kind: Kind) -> BoxedStrategy<(String, Kind)> {
    let plain = Just((field.to_owned(), kind));
    if kind != Kind::Str {
        return plain.boxed();
    }
    prop_oneof![4 => left_transformed(field), 1 => getopt_of(field)].boxed()
}

/// `getopt` over a list holding `field` (which may have no value) and some words, with or
/// without a selector.
fn getopt_of(field: &'static str) -> BoxedStrategy<(String, Kind)> {
    prop_oneof![
        (
            proptest::collection::vec(pick(ARGV).prop_map(quoted), 0..5),
            pick(OPTSTRINGS),
            pick(&["t", "n", "a", "b"]),
        )
            .prop_map(move |(argv, opts, c)| {
                let mut items = vec![field.to_owned()];
                items.extend(argv);
                (
                    format!("getopt(({}), \"{opts}\")[{c}]", items.join(", ")),
                    Kind::Str,
                )
            }),
        (
            proptest::collection::vec(pick(ARGV).prop_map(quoted), 0..5),
            pick(OPTSTRINGS),
        )
            .prop_map(move |(argv, opts)| {
                let mut items = vec![field.to_owned()];
                items.extend(argv);
                (
                    format!("getopt(({}), \"{opts}\")", items.join(", ")),
                    Kind::List,
                )
            }),
    ]
    .boxed()
}

/// The field, or one of the transformers over it.
fn left_transformed(field: &'static str) -> BoxedStrategy<(String, Kind)> {
    let plain = Just((field.to_owned(), Kind::Str));
    prop_oneof![
        4 => plain,
        1 => Just((format!("b64({field})"), Kind::Decoded)),
        1 => pick(&["tolower", "toupper", "basename"])
            .prop_map(move |t| (format!("{t}({field})"), Kind::Str)),
        1 => Just((format!("len({field})"), Kind::Int)),
        1 => word().prop_map(move |w| (format!("concat({field}, {w})"), Kind::Str)),
        // The list is `<NA>` as a whole when one of its fields has none.
        1 => (word(), 0..3usize).prop_map(move |(w, shape)| {
            let list = match shape {
                0 => format!("{field}, {w}, {field}"),
                1 => format!("{w}, {field}"),
                _ => field.to_owned(),
            };
            (format!("join(\",\", ({list}))"), Kind::Str)
        }),
    ]
    .boxed()
}

/// One check over `fields`.
fn check(fields: &'static [(&'static str, Kind)]) -> BoxedStrategy<String> {
    let strings: Vec<&'static str> = fields
        .iter()
        .filter(|(_, k)| *k == Kind::Str)
        .map(|(f, _)| *f)
        .collect();
    let strings: &'static [&'static str] = Box::leak(strings.into_boxed_slice());
    proptest::sample::select(fields)
        .prop_flat_map(move |(field, kind)| left(field, kind))
        .prop_flat_map(move |(lhs, kind)| {
            let l1 = lhs.clone();
            let l2 = lhs.clone();
            let l3 = lhs.clone();
            let l4 = lhs.clone();
            let exists = Just(format!("{lhs} exists")).boxed();
            let ops = STRING_OPS;
            let rhs: BoxedStrategy<String> = match kind {
                Kind::Str | Kind::AnyStr => prop_oneof![
                    4 => pick(ops).prop_flat_map(move |op| {
                        let l = l1.clone();
                        string_value(op).prop_map(move |v| format!("{l} {op} {v}"))
                    }),
                    2 => (pick(MODIFIER_OPS), pick(MODIFIERS), list_of(word()))
                        .prop_map(move |(op, m, vs)| format!("{l2} {op} {m} {vs}")),
                    2 => (pick(&["in", "intersects"]), list_of(word()))
                        .prop_map(move |(op, vs)| format!("{l3} {op} {vs}")),
                    1 => (pick(&["=", "!=", "contains", "startswith", "<", ">="]), pick(strings))
                        .prop_map(move |(op, other)| format!("{l4} {op} val({other})")),
                ]
                .boxed(),
                Kind::Int => prop_oneof![
                    3 => (pick(NUMBER_OPS), pick(INTS))
                        .prop_map(move |(op, v)| format!("{l1} {op} {v}")),
                    1 => list_of(pick(INTS).prop_map(str::to_owned))
                        .prop_map(move |vs| format!("{l2} in {vs}")),
                ]
                .boxed(),
                Kind::Ip | Kind::Net => prop_oneof![
                    (pick(&["=", "!="]), pick(IPS).prop_union(pick(NETS)))
                        .prop_map(move |(op, v)| format!("{l1} {op} {v}")),
                    list_of(pick(IPS).prop_union(pick(NETS)).prop_map(str::to_owned))
                        .prop_map(move |vs| format!("{l2} in {vs}")),
                ]
                .boxed(),
                Kind::Bool => (pick(&["=", "!="]), pick(&["true", "false"]))
                    .prop_map(move |(op, v)| format!("{l1} {op} {v}"))
                    .boxed(),
                Kind::Bytes => prop_oneof![
                    (pick(&["bcontains", "bstartswith"]), pick(HEXES))
                        .prop_map(move |(op, v)| format!("{l1} {op} {v}")),
                    (
                        pick(&["=", "!=", "contains", "startswith", "endswith"]),
                        word()
                    )
                        .prop_map(move |(op, v)| format!("{l2} {op} {v}")),
                ]
                .boxed(),
                // Decoded bytes may not be text: byte-wise operators only.
                Kind::Decoded => prop_oneof![
                    (
                        pick(&["=", "!=", "contains", "startswith", "endswith"]),
                        word()
                    )
                        .prop_map(move |(op, v)| format!("{l1} {op} {v}")),
                    (pick(&["in", "intersects"]), list_of(word()))
                        .prop_map(move |(op, vs)| format!("{l2} {op} {vs}")),
                ]
                .boxed(),
                Kind::List => (
                    pick(&["in", "intersects"]),
                    list_of(prop_oneof![
                        word(),
                        pick(&["t", "n", "a", "x", "?", "value"]).prop_map(quoted)
                    ]),
                )
                    .prop_map(move |(op, vs)| format!("{l1} {op} {vs}"))
                    .boxed(),
            };
            prop_oneof![6 => rhs, 1 => exists]
        })
        .boxed()
}

/// A condition: checks joined by `and`/`or`, some negated, up to three levels deep.
fn condition(fields: &'static [(&'static str, Kind)]) -> impl Strategy<Value = String> {
    check(fields).prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| format!("not ({c})")),
            (inner.clone(), inner.clone(), pick(&["and", "or"]))
                .prop_map(|(a, b, op)| format!("({a}) {op} ({b})")),
            proptest::collection::vec(inner, 2..4).prop_map(|cs| cs.join(" and ")),
        ]
    })
}

fn json_str(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A syscall event line: thread, ancestors, fd and buffer each present or not.
fn syscall_event() -> impl Strategy<Value = String> {
    let thread = proptest::option::of((
        pick(WORDS),
        0i64..5000,
        prop_oneof![Just(0u32), Just(34816u32)],
        proptest::option::of(pick(&["root", "alice", "BaSh"])),
    ));
    let ancestors = proptest::collection::vec(pick(WORDS), 0..3);
    let fd = proptest::option::of(prop_oneof![
        (pick(WORDS), -1i64..5).prop_map(|(name, num)| format!(
            "{{\"num\": {num}, \"type\": \"file\", \"name\": {}}}",
            json_str(name)
        )),
        (pick(IPS), 0u16..3, any::<bool>()).prop_map(|(ip, port, connected)| {
            let port = [22, 443, 65535][usize::from(port)];
            let (ty, cip) = if ip.contains(':') {
                ("ipv6", "::2")
            } else {
                ("ipv4", "10.1.1.1")
            };
            format!(
                "{{\"num\": 3, \"type\": \"{ty}\", \"cip\": \"{cip}\", \"cport\": 40000, \"sip\": \"{ip}\", \"sport\": {port}, \"connected\": {connected}}}"
            )
        }),
    ]);
    let data = proptest::option::of(pick(&["bash", "sh -c id", "", "\u{1}b"]));
    (
        pick(&["openat", "execve", "write", "connect"]),
        -3i64..4,
        thread,
        ancestors,
        fd,
        data,
        any::<bool>(),
    )
        .prop_map(|(ty, res, thread, ancestors, fd, data, in_container)| {
            let mut out = format!("{{\"ts\": 1000, \"type\": \"{ty}\", \"res\": {res}");
            if let Some(data) = data {
                out.push_str(&format!(", \"args\": {{\"data\": {}}}", json_str(data)));
            }
            if let Some((name, pid, tty, user)) = thread {
                out.push_str(&format!(
                    ", \"thread\": {{\"pid\": {pid}, \"name\": {}, \"tty\": {tty}",
                    json_str(name)
                ));
                if let Some(user) = user {
                    out.push_str(&format!(", \"user\": \"{user}\""));
                }
                out.push('}');
                let list: Vec<String> = ancestors
                    .iter()
                    .enumerate()
                    .map(|(i, a)| format!("{{\"pid\": {}, \"name\": {}}}", 100 + i, json_str(a)))
                    .collect();
                out.push_str(&format!(", \"ancestors\": [{}]", list.join(", ")));
            }
            if let Some(fd) = fd {
                out.push_str(&format!(", \"fd\": {fd}"));
            }
            if in_container {
                out.push_str(", \"container\": {\"id\": \"0123456789ab\"}");
            }
            out.push('}');
            out
        })
}

/// A Kubernetes audit event, with each part present or not.
fn k8s_event() -> impl Strategy<Value = String> {
    (
        proptest::option::of(pick(WORDS)),
        proptest::option::of(proptest::collection::vec(pick(WORDS), 0..3)),
        proptest::option::of(pick(WORDS)),
        proptest::option::of(pick(WORDS)),
        proptest::option::of(pick(WORDS)),
        pick(&["x", "-t", "-ab", "--", "-tvalue"]),
    )
        .prop_map(|(user, groups, verb, namespace, uri, audit_id)| {
            let mut out = String::from(
                "{\"kind\": \"Event\", \"apiVersion\": \"audit.k8s.io/v1\", \"stage\": \"ResponseComplete\", \"stageTimestamp\": \"2024-01-01T00:00:00Z\"",
            );
            out.push_str(&format!(", \"auditID\": {}", json_str(audit_id)));
            let mut user_obj = Vec::new();
            if let Some(user) = user {
                user_obj.push(format!("\"username\": {}", json_str(user)));
            }
            if let Some(groups) = groups {
                let items: Vec<String> = groups.iter().map(|g| json_str(g)).collect();
                user_obj.push(format!("\"groups\": [{}]", items.join(", ")));
            }
            out.push_str(&format!(", \"user\": {{{}}}", user_obj.join(", ")));
            if let Some(verb) = verb {
                out.push_str(&format!(", \"verb\": {}", json_str(verb)));
            }
            if let Some(ns) = namespace {
                out.push_str(&format!(", \"objectRef\": {{\"namespace\": {}}}", json_str(ns)));
            }
            if let Some(uri) = uri {
                out.push_str(&format!(", \"requestURI\": {}", json_str(uri)));
            }
            out.push('}');
            out
        })
}

/// What one generated case came to.
enum Outcome {
    /// Lint rejected the condition.
    Skipped,
    /// Both sides judged every event; how many matched.
    Agreed(usize),
}

fn run_case(source: Source, condition: &str, lines: &[String]) -> Result<Outcome, TestCaseError> {
    let indented = condition.replace('\n', " ");
    let rules = format!(
        "- rule: generated\n  desc: d\n  condition: |\n    {indented}\n  output: o\n  priority: INFO\n  source: {}\n",
        source.name()
    );
    let analysis = analyze(vec![("generated.yaml".to_owned(), rules)]);
    if analysis.error_count() > 0 {
        return Ok(Outcome::Skipped);
    }
    let Some(Some(typed)) = analysis.typed.rules.first() else {
        return Err(TestCaseError::fail(format!(
            "no typed tree for `{condition}`"
        )));
    };
    let compiled = compile_analysis(&analysis)
        .map_err(|e| TestCaseError::fail(format!("`{condition}` does not compile: {e}")))?;
    let engine = falco_vm::Engine::load(&compiled.bytes)
        .map_err(|e| TestCaseError::fail(format!("`{condition}`: bundle refused: {e}")))?;
    let mut scratch = engine.scratch();
    // The traced code (one check per operand, for coverage) judges the same.
    let (traced, _) = compile_traced(&analysis)
        .map_err(|e| TestCaseError::fail(format!("`{condition}` does not compile traced: {e}")))?;
    let traced = falco_vm::Engine::load(&traced.bytes)
        .map_err(|e| TestCaseError::fail(format!("`{condition}`: traced bundle refused: {e}")))?;
    let mut traced_scratch = traced.scratch();
    let events: Vec<Event> = read_events(source, &lines.join("\n"))
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(|e| TestCaseError::fail(format!("generated event unreadable: {e}")))?;
    let mut matched = 0;
    for (event, line) in events.iter().zip(lines) {
        let expected = reference::eval(typed, event, source.name()).ok_or_else(|| {
            TestCaseError::fail(format!("the reference cannot evaluate `{condition}`"))
        })?;
        let actual = engine.rule_matches(0, event, &mut scratch);
        prop_assert_eq!(
            actual,
            expected,
            "VM and reference disagree on `{}`\nevent: {}",
            condition,
            line
        );
        prop_assert_eq!(
            traced.rule_matches(0, event, &mut traced_scratch),
            expected,
            "traced code and reference disagree on `{}`\nevent: {}",
            condition,
            line
        );
        if expected {
            matched += 1;
            prop_assert!(
                engine.candidates(event).contains(&0),
                "the event-type index leaves out a matching rule: `{}`\nevent: {}",
                condition,
                line
            );
        }
    }
    Ok(Outcome::Agreed(matched))
}

fn differential(
    source: Source,
    fields: &'static [(&'static str, Kind)],
    events: BoxedStrategy<String>,
) {
    let cases = falco_test_budget::cases(512);
    // A fixed seed keeps CI reproducible; longer runs (`PROPTEST_CASES`) explore further.
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let compared = std::cell::Cell::new(0usize);
    let skipped = std::cell::Cell::new(0usize);
    let matched = std::cell::Cell::new(0usize);
    let strategy = (condition(fields), proptest::collection::vec(events, 8));
    let result = runner.run(&strategy, |(condition, lines)| {
        match run_case(source, &condition, &lines)? {
            Outcome::Skipped => skipped.set(skipped.get() + 1),
            Outcome::Agreed(n) => {
                compared.set(compared.get() + 1);
                matched.set(matched.get() + n);
            }
        }
        Ok(())
    });
    println!(
        "differential {source}: {} conditions compared on 8 events each ({} matches), {} rejected by lint",
        compared.get(),
        matched.get(),
        skipped.get()
    );
    if let Err(error) = result {
        panic!("{error}");
    }
    // The generator must mostly produce valid conditions, and some must match.
    assert!(
        compared.get() * 2 > cases as usize,
        "too many conditions rejected"
    );
    assert!(matched.get() > 0, "no condition ever matched");
}

#[test]
fn vm_agrees_with_the_reference_on_syscall_conditions() {
    differential(Source::Syscall, SYSCALL_FIELDS, syscall_event().boxed());
}

#[test]
fn vm_agrees_with_the_reference_on_k8s_audit_conditions() {
    differential(Source::K8sAudit, K8S_FIELDS, k8s_event().boxed());
}

/// `b64` on inputs libsinsp's decoder (`Base64::decodeWithoutPadding`) refuses (`<NA>`):
/// a length of the form 4n+1, non-zero unused bits in the last character, text after the
/// padding, padding alone; and on inputs it accepts. VM against reference.
#[test]
fn b64_refuses_what_libsinsp_refuses() {
    let inputs = [
        "YmFzaA==",
        "YmFzaA",
        "",
        "/usr/bin/bash",
        "YR==",
        "YQ==YQ",
        "Y===",
        "=",
        "==",
        "YmFzaA=",
        "!!",
    ];
    for input in inputs {
        let line = format!(
            "{{\"ts\": 1, \"type\": \"execve\", \"thread\": {{\"pid\": 1, \"name\": {}}}}}",
            json_str(input)
        );
        for condition in ["b64(proc.name) exists", "b64(proc.name) = \"bash\""] {
            match run_case(Source::Syscall, condition, std::slice::from_ref(&line)) {
                Ok(Outcome::Agreed(_)) => {}
                Ok(Outcome::Skipped) => panic!("`{condition}` does not lint"),
                Err(error) => panic!("b64 of {input:?}: {error}"),
            }
        }
    }
}

/// `pmatch` as libsinsp's `path_prefix_search` does it: both sides split on `/` with empty
/// components dropped, under a common root, so the empty prefix and `/` match every value
/// (relative ones too), `/etc` matches `etc/passwd`, and a component with a wildcard is a
/// glob. VM against reference.
#[test]
fn pmatch_compares_components_as_libsinsp_does() {
    let cases = [
        ("bash", "\"\""),
        ("bash", "/"),
        ("etc/passwd", "/etc"),
        ("//etc//passwd", "/etc"),
        ("/etc/passwd", "etc"),
        ("/etc/passwd", "/etc/"),
        ("/etcx/a", "/etc"),
        ("", "/etc"),
        ("/etc", "\"/etc/passwd\""),
        ("etc//passwd", "\"/e*c\""),
        ("/etc/passwd", "\"/etc/*\", \"/usr\""),
        ("/etc", "\"/etc/*\""),
    ];
    for (name, prefix) in cases {
        let line = format!(
            "{{\"ts\": 1, \"type\": \"openat\", \"fd\": {{\"num\": 3, \"type\": \"file\", \"name\": {}}}}}",
            json_str(name)
        );
        let condition = format!("fd.name pmatch ({prefix})");
        match run_case(Source::Syscall, &condition, std::slice::from_ref(&line)) {
            Ok(Outcome::Agreed(_)) => {}
            Ok(Outcome::Skipped) => panic!("`{condition}` does not lint"),
            Err(error) => panic!("{name:?} pmatch {prefix}: {error}"),
        }
    }
}

/// `getopt` without a selector, when an option's value is missing (`-t` last, with
/// `t:`): libsinsp lists an empty string in place of the option (its
/// `emit_option_result` gets `""` as the name), so `getopt(("-t"), "t:")` is `("")`.
#[test]
fn getopt_lists_a_missing_value_as_libsinsp_does() {
    let line =
        "{\"ts\": 1, \"type\": \"execve\", \"thread\": {\"pid\": 1, \"name\": \"-t\"}}".to_owned();
    for condition in [
        "getopt((proc.name), \"t:\") intersects (\"t\")",
        "getopt((proc.name), \"t:\") intersects (\"\")",
    ] {
        match run_case(Source::Syscall, condition, std::slice::from_ref(&line)) {
            Ok(Outcome::Agreed(_)) => {}
            Ok(Outcome::Skipped) => panic!("`{condition}` does not lint"),
            Err(error) => panic!("{error}"),
        }
    }
}

/// A transformer list with a field that has no value: libsinsp's `list_check` fails as a
/// whole, so `join` and `getopt` over it are `<NA>` (the event has no file descriptor).
#[test]
fn a_transformer_list_with_a_missing_field_is_missing() {
    let line =
        "{\"ts\": 1, \"type\": \"execve\", \"thread\": {\"pid\": 1, \"name\": \"-t\"}}".to_owned();
    for condition in [
        "join(\",\", (proc.name, fd.name)) exists",
        "not join(\",\", (proc.name, fd.name)) exists",
        "join(\",\", (proc.name, \"x\")) = \"-t,x\"",
        "getopt((proc.name, fd.name), \"t:\") exists",
        "not getopt((proc.name, fd.name), \"t:\")[t] exists",
    ] {
        match run_case(Source::Syscall, condition, std::slice::from_ref(&line)) {
            Ok(Outcome::Agreed(n)) => assert_eq!(
                n,
                usize::from(!condition.contains("fd.name") || condition.starts_with("not")),
                "`{condition}`"
            ),
            Ok(Outcome::Skipped) => panic!("`{condition}` does not lint"),
            Err(error) => panic!("{error}"),
        }
    }
}
