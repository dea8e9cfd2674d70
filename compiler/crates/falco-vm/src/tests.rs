use falco_bundle::*;
use falco_events::{Event, read_syscall};

use crate::{Engine, OutputOptions, RuleMatching};

const EVENT: &str = r#"{"ts": "2024-05-01T10:00:00.000000123Z", "type": "openat", "res": 3, "args": {"fd": 3, "name": "/etc/shadow", "flags": 0}, "thread": {"tid": 42, "pid": 42, "uid": 0, "user": "root", "exe": "cat", "exepath": "/usr/bin/cat", "args": ["/etc/shadow"]}, "ancestors": [{"pid": 41, "name": "bash", "exepath": "/usr/bin/bash"}, {"pid": 1, "name": "sudo", "exepath": "/usr/bin/sudo"}], "fd": {"num": 3, "type": "file", "name": "/etc/shadow"}}"#;

fn event() -> Event {
    read_syscall(EVENT).remove(0).expect("test event")
}

fn s(text: &str) -> Const {
    Const::Str(text.as_bytes().to_vec())
}

/// A bundle with one rule whose condition is one check.
fn one_check(
    field: &str,
    arg: Option<&str>,
    op: CmpOp,
    quant: Option<Quant>,
    values: Vec<Const>,
    list: bool,
) -> Bundle {
    let n = values.len() as u32;
    let rhs = if op == CmpOp::Exists {
        Rhs::None
    } else if list {
        Rhs::List((0..n).collect())
    } else {
        Rhs::Const(0)
    };
    Bundle {
        engine_version: "test".into(),
        sources: vec!["syscall".into()],
        fields: vec![Field {
            source: 0,
            name: field.into(),
            arg: arg.map(str::to_owned),
        }],
        consts: values,
        operands: vec![Operand::Field(0)],
        checks: vec![Check {
            lhs: 0,
            op,
            quant,
            rhs,
        }],
        code: vec![Insn::Check(0), Insn::Return],
        rules: vec![rule("r", 0, 2, Priority::Warning, EventTypes::All)],
        ..Bundle::default()
    }
}

fn rule(name: &str, start: u32, len: u32, priority: Priority, event_types: EventTypes) -> Rule {
    Rule {
        name: name.into(),
        desc: String::new(),
        priority,
        tags: vec!["t".into()],
        source: 0,
        enabled: true,
        output: vec![OutputPart::Text("file ".into()), OutputPart::Field(0)],
        code_start: start,
        code_len: len,
        event_types,
        fields: vec![0],
    }
}

fn holds(bundle: Bundle) -> bool {
    let engine = Engine::from_bundle(bundle).expect("load");
    let mut scratch = engine.scratch();
    engine.rule_matches(0, &event(), &mut scratch)
}

fn check(field: &str, op: CmpOp, value: Const) -> bool {
    holds(one_check(
        field,
        None,
        op,
        None,
        vec![value],
        op.takes_set(),
    ))
}

fn check_list(field: &str, op: CmpOp, quant: Option<Quant>, values: &[&str]) -> bool {
    holds(one_check(
        field,
        None,
        op,
        quant,
        values.iter().map(|v| s(v)).collect(),
        true,
    ))
}

#[test]
fn string_operators() {
    assert!(check("fd.name", CmpOp::Eq, s("/etc/shadow")));
    assert!(!check("fd.name", CmpOp::Ne, s("/etc/shadow")));
    assert!(check("fd.name", CmpOp::Contains, s("shad")));
    assert!(check("fd.name", CmpOp::IContains, s("SHAD")));
    assert!(!check("fd.name", CmpOp::Contains, s("SHAD")));
    assert!(check("fd.name", CmpOp::StartsWith, s("/etc/")));
    assert!(check("fd.name", CmpOp::EndsWith, s("dow")));
    assert!(check("fd.name", CmpOp::Glob, s("/etc/*")));
    assert!(!check("fd.name", CmpOp::Glob, s("/ETC/*")));
    assert!(check("fd.name", CmpOp::IGlob, s("/ETC/*")));
    assert!(check("fd.name", CmpOp::Regex, s("/etc/sh.*")));
    assert!(
        !check("fd.name", CmpOp::Regex, s("etc")),
        "regex matches the whole value"
    );
    assert!(check("fd.name", CmpOp::BContains, s("shadow")));
    assert!(check("fd.name", CmpOp::BStartsWith, s("/etc")));
}

#[test]
fn sets_prefixes_and_paths() {
    assert!(check_list(
        "fd.name",
        CmpOp::In,
        None,
        &["/etc/passwd", "/etc/shadow"]
    ));
    assert!(!check_list("fd.name", CmpOp::In, None, &["/etc/passwd"]));
    assert!(check_list(
        "fd.name",
        CmpOp::PMatch,
        None,
        &["/usr", "/etc"]
    ));
    assert!(!check_list("fd.name", CmpOp::PMatch, None, &["/et"]));
    // Path components under a common root, as libsinsp's `path_prefix_search` splits them.
    for prefixes in [
        &[""][..],
        &["/"],
        &["etc"],
        &["//etc//"],
        &["/usr", "etc/shadow/"],
    ] {
        assert!(
            check_list("fd.name", CmpOp::PMatch, None, prefixes),
            "/etc/shadow pmatch {prefixes:?}"
        );
    }
    assert!(!check_list(
        "fd.name",
        CmpOp::PMatch,
        None,
        &["/etc/shadow/x", "/e*/x"]
    ));
    assert!(check_list(
        "fd.name",
        CmpOp::StartsWith,
        Some(Quant::Any),
        &["/usr", "/etc/sh"]
    ));
    assert!(check_list(
        "fd.name",
        CmpOp::Contains,
        Some(Quant::Any),
        &["xyz", "adow"]
    ));
    assert!(check_list(
        "fd.name",
        CmpOp::IContains,
        Some(Quant::Any),
        &["xyz", "ADOW"]
    ));
    assert!(check_list(
        "fd.name",
        CmpOp::Glob,
        Some(Quant::Any),
        &["/x*", "*dow"]
    ));
}

#[test]
fn modifiers_count_the_values_that_hold() {
    assert!(check_list(
        "proc.name",
        CmpOp::Eq,
        Some(Quant::ExactlyOne),
        &["cat", "sh"]
    ));
    assert!(!check_list(
        "proc.name",
        CmpOp::Eq,
        Some(Quant::ExactlyOne),
        &["cat", "cat"]
    ));
    assert!(check_list(
        "proc.name",
        CmpOp::Eq,
        Some(Quant::Any),
        &["cat", "cat"]
    ));
    assert!(check_list(
        "proc.name",
        CmpOp::Contains,
        Some(Quant::All),
        &["c", "t"]
    ));
    assert!(!check_list(
        "proc.name",
        CmpOp::Contains,
        Some(Quant::All),
        &[]
    ));
    assert!(check_list(
        "proc.name",
        CmpOp::Ne,
        Some(Quant::ExactlyOne),
        &["cat", "cat", "sh"]
    ));
}

#[test]
fn missing_values_make_comparisons_false() {
    // A file descriptor has no port: fd.sport is <NA>.
    assert!(!check("fd.sport", CmpOp::Eq, Const::UInt(1)));
    assert!(!check("fd.sport", CmpOp::Ne, Const::UInt(1)));
    assert!(!holds(one_check(
        "fd.sport",
        None,
        CmpOp::Exists,
        None,
        vec![],
        false
    )));
    assert!(holds(one_check(
        "fd.name",
        None,
        CmpOp::Exists,
        None,
        vec![],
        false
    )));
    // `not` negates a false comparison on <NA> into true.
    let mut b = one_check(
        "fd.sport",
        None,
        CmpOp::Eq,
        None,
        vec![Const::UInt(1)],
        false,
    );
    b.code = vec![Insn::Check(0), Insn::Not, Insn::Return];
    b.rules[0].code_len = 3;
    assert!(holds(b));
}

#[test]
fn numbers_ips_and_any_of() {
    assert!(check("proc.pid", CmpOp::Eq, Const::Int(42)));
    assert!(check("proc.pid", CmpOp::Gt, Const::UInt(41)));
    assert!(!check("proc.pid", CmpOp::Lt, Const::Int(42)));
    assert!(check("user.uid", CmpOp::Eq, Const::UInt(0)));
    assert!(holds(one_check(
        "proc.pid",
        None,
        CmpOp::In,
        None,
        vec![Const::Int(1), Const::Int(42)],
        true
    )));
    // proc.aname without index: any ancestor.
    assert!(check("proc.aname", CmpOp::Eq, s("sudo")));
    assert!(holds(one_check(
        "proc.aname",
        Some("2"),
        CmpOp::Eq,
        None,
        vec![s("sudo")],
        false
    )));
    assert!(!holds(one_check(
        "proc.aname",
        Some("1"),
        CmpOp::Eq,
        None,
        vec![s("sudo")],
        false
    )));
}

#[test]
fn field_to_field_and_transformers() {
    let mut b = one_check("proc.name", None, CmpOp::Eq, None, vec![], false);
    b.fields.push(Field {
        source: 0,
        name: "proc.exe".into(),
        arg: None,
    });
    b.operands.push(Operand::Field(1));
    b.checks[0].rhs = Rhs::Operand(1);
    assert!(holds(b.clone()));
    // toupper(proc.name) = "CAT"
    b.operands.push(Operand::Transform {
        kind: Transform::ToUpper,
        args: vec![0],
        arg: None,
    });
    b.consts = vec![s("CAT")];
    b.checks[0] = Check {
        lhs: 2,
        op: CmpOp::Eq,
        quant: None,
        rhs: Rhs::Const(0),
    };
    assert!(holds(b.clone()));
    // basename(fd.name) via concat of literal: concat(proc.name, "-x") = "cat-x"
    b.operands.push(Operand::Literal("-x".into()));
    b.operands.push(Operand::Transform {
        kind: Transform::Concat,
        args: vec![0, 3],
        arg: None,
    });
    b.consts = vec![s("cat-x")];
    b.checks[0].lhs = 4;
    assert!(holds(b));
}

#[test]
fn short_circuit_index_matching_and_alerts() {
    // Rule a: fd.name = /etc/shadow (openat only); rule b: same, every type.
    let mut b = one_check(
        "fd.name",
        None,
        CmpOp::Eq,
        None,
        vec![s("/etc/shadow")],
        false,
    );
    b.rules = vec![
        rule(
            "a",
            0,
            2,
            Priority::Notice,
            EventTypes::Only(vec!["openat".into()]),
        ),
        rule(
            "b",
            0,
            2,
            Priority::Critical,
            EventTypes::Only(vec!["execve".into()]),
        ),
        rule("c", 0, 2, Priority::Critical, EventTypes::All),
    ];
    let mut engine = Engine::from_bundle(b).expect("load");
    let mut scratch = engine.scratch();
    let ev = event();
    assert_eq!(engine.candidates(&ev), &[0, 2]);
    let mut hits = Vec::new();
    engine.matching_rules(&ev, &mut scratch, &mut hits);
    assert_eq!(hits, vec![0]);
    engine.set_rule_matching(RuleMatching::All);
    engine.matching_rules(&ev, &mut scratch, &mut hits);
    assert_eq!(hits, vec![0, 2]);
    engine.set_min_priority(Priority::Error);
    engine.matching_rules(&ev, &mut scratch, &mut hits);
    assert_eq!(hits, vec![2]);
    engine.set_hostname("node");
    let alert = engine.alert(0, &ev, &mut scratch).expect("alert");
    let options = OutputOptions::default();
    assert_eq!(
        alert.to_text(&options),
        "10:00:00.000000123: Notice file /etc/shadow"
    );
    assert_eq!(
        alert.to_json(&options),
        r#"{"hostname":"node","output":"10:00:00.000000123: Notice file /etc/shadow","output_fields":{"evt.time":1714557600000000123,"fd.name":"/etc/shadow"},"priority":"Notice","rule":"a","source":"syscall","tags":["t"],"time":"2024-05-01T10:00:00.000000123Z"}"#
    );
    let bare = OutputOptions {
        json_include_output_property: false,
        json_include_tags_property: false,
        ..OutputOptions::default()
    };
    assert!(!alert.to_json(&bare).contains("\"output\""));
    assert!(!alert.to_json(&bare).contains("\"tags\""));
}

#[test]
fn bad_regex_is_a_load_error() {
    let b = one_check("fd.name", None, CmpOp::Regex, None, vec![s("(")], false);
    let err = Engine::from_bundle(b).unwrap_err();
    assert!(err.to_string().contains("regex"), "{err}");
}

#[test]
fn tuple_checks_match_whole_rows() {
    let tuple = |rows: &[(&str, &str)]| {
        let mut b = one_check("proc.name", None, CmpOp::In, None, vec![], true);
        b.fields.push(Field {
            source: 0,
            name: "fd.name".into(),
            arg: None,
        });
        b.operands = vec![
            Operand::Field(0),
            Operand::Field(1),
            Operand::List(vec![0, 1]),
        ];
        b.consts = rows.iter().flat_map(|(a, c)| [s(a), s(c)]).collect();
        b.checks[0] = Check {
            lhs: 2,
            op: CmpOp::In,
            quant: None,
            rhs: Rhs::List((0..b.consts.len() as u32).collect()),
        };
        holds(b)
    };
    assert!(tuple(&[("vi", "/etc/passwd"), ("cat", "/etc/shadow")]));
    assert!(!tuple(&[("cat", "/etc/passwd"), ("vi", "/etc/shadow")]));
    assert!(!tuple(&[]));
}

/// One engine serves several threads, each with its own scratch.
#[test]
fn engine_is_shareable_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Engine>();
    shareable::<crate::Alert>();
    fn sendable<T: Send>() {}
    sendable::<crate::Scratch>();
}

#[test]
fn getopt_follows_libsinsp() {
    let getopt = |words: &[&str], optstring: &str, selector: Option<&str>, expect: Const| {
        let mut b = one_check("proc.name", None, CmpOp::Eq, None, vec![expect], false);
        let first = b.operands.len() as u32;
        for w in words {
            b.operands.push(Operand::Literal((*w).into()));
        }
        let list = b.operands.len() as u32;
        b.operands
            .push(Operand::List((first..first + words.len() as u32).collect()));
        b.operands.push(Operand::Literal(optstring.into()));
        b.operands.push(Operand::Transform {
            kind: Transform::Getopt,
            args: vec![list, list + 1],
            arg: selector.map(str::to_owned),
        });
        b.checks[0].lhs = list + 2;
        holds(b)
    };
    let argv = ["-n", "-t", "x", "file", "-t", "y"];
    assert!(
        getopt(&argv, "nt:", Some("t"), s("x")),
        "stops at the first non-option"
    );
    assert!(getopt(&argv, "nt:", Some("n"), s("n")));
    assert!(getopt(&["-ntvalue"], "nt:", Some("t"), s("value")));
    assert!(
        getopt(&["-t"], "nt:", Some("t"), s("")),
        "a missing value is empty"
    );
    assert!(getopt(&["--exec", "-t", "z"], "t:", Some("t"), s("z")));
    assert!(!getopt(&["--", "-t", "z"], "t:", Some("t"), s("z")));
    // Without a selector: the options and values, as a list.
    let mut b = one_check(
        "proc.name",
        None,
        CmpOp::Intersects,
        None,
        vec![s("?")],
        true,
    );
    b.operands.extend([
        Operand::Literal("-qt".into()),
        Operand::Literal("v".into()),
        Operand::List(vec![1, 2]),
        Operand::Literal("t:".into()),
        Operand::Transform {
            kind: Transform::Getopt,
            args: vec![3, 4],
            arg: None,
        },
    ]);
    b.checks[0].lhs = 5;
    assert!(holds(b), "unknown options give `?`");
}

#[test]
fn socket_fields_need_both_ends_for_not_equal() {
    let line = r#"{"ts": 1, "type": "connect", "res": 0, "thread": {"pid": 7, "exepath": "/usr/bin/nc"}, "fd": {"num": 4, "type": "ipv4", "cip": "10.0.0.2", "cport": 41234, "sip": "1.2.3.4", "sport": 443, "l4proto": "tcp"}}"#;
    let ev = read_syscall(line).remove(0).expect("socket event");
    let run = |op: CmpOp, port: u64| {
        let engine = Engine::from_bundle(one_check(
            "fd.port",
            None,
            op,
            None,
            vec![Const::UInt(port)],
            false,
        ))
        .expect("load");
        let mut scratch = engine.scratch();
        engine.rule_matches(0, &ev, &mut scratch)
    };
    assert!(run(CmpOp::Eq, 443));
    assert!(run(CmpOp::Eq, 41234));
    assert!(!run(CmpOp::Ne, 443), "one end is 443");
    assert!(run(CmpOp::Ne, 80));
}

/// A filter-only field (`fd.ip`) has a value in a condition, but an output prints
/// it as having none: `<NA>` in the text and `null` in `output_fields`, as Falco's
/// formatter does (Falco 0.44.1 replay: `ip=<NA>`, `"fd.ip": null`).
#[test]
fn filter_only_fields_print_as_missing() {
    let line = r#"{"ts": 1, "type": "connect", "res": 0, "thread": {"pid": 7, "exepath": "/usr/bin/nc"}, "fd": {"num": 4, "type": "ipv4", "cip": "10.0.0.2", "cport": 41234, "sip": "1.2.3.4", "sport": 443, "l4proto": "tcp"}}"#;
    let ev = read_syscall(line).remove(0).expect("socket event");
    let mut b = one_check(
        "fd.ip",
        None,
        CmpOp::Eq,
        None,
        vec![Const::Ip("1.2.3.4".parse().expect("ip"))],
        false,
    );
    b.fields.push(Field {
        source: 0,
        name: "fd.sip".into(),
        arg: None,
    });
    b.rules[0].output = vec![
        OutputPart::Text("ip=".into()),
        OutputPart::Field(0),
        OutputPart::Text(" sip=".into()),
        OutputPart::Field(1),
    ];
    let engine = Engine::from_bundle(b).expect("load");
    let mut scratch = engine.scratch();
    assert!(
        engine.rule_matches(0, &ev, &mut scratch),
        "the condition reads it"
    );
    let alert = engine.alert(0, &ev, &mut scratch).expect("alert");
    assert_eq!(alert.message, "ip=<NA> sip=1.2.3.4");
    let json = alert.to_json(&OutputOptions::default());
    assert!(
        json.contains(r#""fd.ip":null,"fd.sip":"1.2.3.4"}"#),
        "{json}"
    );
}

/// `transform(literals...) op expect`, with the literals as the transformer's arguments
/// (a `list` of them as the first argument when `list` is set, for `join`/`getopt`).
fn transformed(kind: Transform, args: &[Operand], op: CmpOp, expect: Vec<Const>) -> bool {
    let list = op.takes_set();
    let mut b = one_check("proc.name", None, op, None, expect, list);
    let first = b.operands.len() as u32;
    b.operands.extend(args.iter().cloned());
    b.operands.push(Operand::Transform {
        kind,
        args: (first..first + args.len() as u32).collect(),
        arg: None,
    });
    b.checks[0].lhs = first + args.len() as u32;
    holds(b)
}

#[test]
fn b64_refuses_what_libsinsp_refuses() {
    let b64 = |input: &str| {
        let arg = [Operand::Literal(input.into())];
        let exists = transformed(Transform::B64, &arg, CmpOp::Exists, vec![]);
        let bash = transformed(Transform::B64, &arg, CmpOp::Eq, vec![s("bash")]);
        (exists, bash)
    };
    assert_eq!(b64("YmFzaA=="), (true, true));
    assert_eq!(b64("YmFzaA="), (true, true), "padding is not counted");
    assert_eq!(b64("YmFzaA"), (true, true));
    assert_eq!(b64(""), (true, false));
    for refused in [
        "/usr/bin/bash", // 4n+1 characters
        "YR==",          // unused bits set in the last character
        "YmFzaB",
        "YQ==YQ", // text after the padding
        "Y===",
        "=",
        "==",
        "!!",
    ] {
        assert_eq!(b64(refused), (false, false), "b64({refused:?})");
    }
}

#[test]
fn getopt_lists_a_missing_value_as_empty() {
    let getopt = |op: CmpOp, expect: &str| {
        let args = [
            Operand::Literal("-t".into()),
            Operand::List(vec![1]),
            Operand::Literal("t:".into()),
        ];
        let mut b = one_check("proc.name", None, op, None, vec![s(expect)], true);
        b.operands.extend(args);
        b.operands.push(Operand::Transform {
            kind: Transform::Getopt,
            args: vec![2, 3],
            arg: None,
        });
        b.checks[0].lhs = 4;
        holds(b)
    };
    assert!(getopt(CmpOp::In, ""), "getopt((\"-t\"), \"t:\") is (\"\")");
    assert!(!getopt(CmpOp::Intersects, "t"));
}

#[test]
fn a_transformer_list_with_a_missing_field_is_missing() {
    // fd.sport has no value on a file; libsinsp's list argument fails as a whole, and
    // `join`/`getopt` with it.
    let join = |items: Vec<u32>| {
        let mut b = one_check("fd.sport", None, CmpOp::Exists, None, vec![], false);
        b.fields.push(Field {
            source: 0,
            name: "proc.name".into(),
            arg: None,
        });
        b.operands.extend([
            Operand::Field(1),
            Operand::Literal(",".into()),
            Operand::List(items),
        ]);
        b.operands.push(Operand::Transform {
            kind: Transform::Join,
            args: vec![2, 3],
            arg: None,
        });
        b.checks[0].lhs = 4;
        holds(b)
    };
    assert!(join(vec![1, 2]), "join(\",\", (proc.name, \",\")) exists");
    assert!(
        !join(vec![1, 0]),
        "join(\",\", (proc.name, fd.sport)) is <NA>"
    );
    let getopt = |items: Vec<u32>| {
        let mut b = one_check("fd.sport", None, CmpOp::Exists, None, vec![], false);
        b.operands.extend([
            Operand::Literal("-t".into()),
            Operand::List(items),
            Operand::Literal("t:".into()),
        ]);
        b.operands.push(Operand::Transform {
            kind: Transform::Getopt,
            args: vec![2, 3],
            arg: None,
        });
        b.checks[0].lhs = 4;
        holds(b)
    };
    assert!(getopt(vec![1]));
    assert!(!getopt(vec![1, 0]));
}

#[test]
fn extra_fields_reach_json_output_fields_only() {
    let mut bundle = one_check("fd.name", None, CmpOp::Exists, None, vec![], false);
    bundle.fields.push(Field {
        source: 0,
        name: "proc.name".into(),
        arg: None,
    });
    bundle.fields.push(Field {
        source: 0,
        name: "user.uid".into(),
        arg: None,
    });
    let mut engine = Engine::from_bundle(bundle).expect("load");
    engine.set_extra_fields(
        0,
        vec![
            crate::ExtraField::Formatted {
                key: "who".into(),
                parts: vec![OutputPart::Text("by ".into()), OutputPart::Field(1)],
            },
            crate::ExtraField::Raw {
                key: "user.uid".into(),
                field: 2,
            },
            // An extra field replaces an output field of the same name.
            crate::ExtraField::Formatted {
                key: "fd.name".into(),
                parts: vec![OutputPart::Text("hidden".into())],
            },
        ],
    );
    let mut scratch = engine.scratch();
    let alert = engine.alert(0, &event(), &mut scratch).expect("alert");
    let options = OutputOptions::default();
    assert_eq!(alert.message, "file /etc/shadow", "the text is unchanged");
    let json = alert.to_json(&options);
    assert!(json.contains(r#""who":"by cat""#), "{json}");
    assert!(json.contains(r#""user.uid":0"#), "{json}");
    assert!(json.contains(r#""fd.name":"hidden""#), "{json}");
}

/// Records what a traced evaluation reports.
#[derive(Default)]
struct Recorder {
    events: Vec<String>,
}

impl crate::Trace for Recorder {
    fn enter(&mut self, rule: usize) {
        self.events.push(format!("enter {rule}"));
    }
    fn step(&mut self, pc: usize, acc: bool) {
        self.events.push(format!("{pc}={acc}"));
    }
    fn leave(&mut self, rule: usize, matched: bool) {
        self.events.push(format!("leave {rule} {matched}"));
    }
}

#[test]
fn a_trace_sees_each_rule_and_each_check_it_runs() {
    // Rule a: `fd.name = /etc/hosts and fd.name = /etc/shadow` (the second check is
    // skipped); rule b: `fd.name = /etc/hosts or fd.name = /etc/shadow` (both run).
    let mut bundle = one_check(
        "fd.name",
        None,
        CmpOp::Eq,
        None,
        vec![s("/etc/hosts"), s("/etc/shadow")],
        false,
    );
    bundle.checks.push(Check {
        lhs: 0,
        op: CmpOp::Eq,
        quant: None,
        rhs: Rhs::Const(1),
    });
    bundle.code = vec![
        Insn::Check(0),
        Insn::JumpIfFalse(3),
        Insn::Check(1),
        Insn::Return,
        Insn::Check(0),
        Insn::JumpIfTrue(7),
        Insn::Check(1),
        Insn::Return,
    ];
    bundle.rules = vec![
        rule("a", 0, 4, Priority::Warning, EventTypes::All),
        rule("b", 4, 4, Priority::Warning, EventTypes::All),
    ];
    let mut engine = Engine::from_bundle(bundle).expect("load");
    engine.set_rule_matching(RuleMatching::All);
    let mut scratch = engine.scratch();
    let (mut hits, mut traced) = (Vec::new(), Vec::new());
    let mut recorder = Recorder::default();
    engine.matching_rules_traced(&event(), &mut scratch, &mut traced, &mut recorder);
    engine.matching_rules(&event(), &mut scratch, &mut hits);
    assert_eq!(traced, hits);
    assert_eq!(hits, [1]);
    assert_eq!(
        recorder.events,
        [
            "enter 0",
            "0=false",
            "leave 0 false",
            "enter 1",
            "4=false",
            "6=true",
            "leave 1 true"
        ]
    );
}
