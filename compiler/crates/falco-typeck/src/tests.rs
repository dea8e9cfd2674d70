//! Unit tests: typed trees, value conversion, diagnostics and their spans, outputs,
//! event types through macros.

use std::collections::BTreeSet;
use std::net::IpAddr;

use falco_condition::ast::Op;
use falco_diagnostics::Code;
use falco_schema::Schema;

use crate::typed::{Literal, TypedExpr, TypedOperand, TypedValue};
use crate::{
    Context, EventTypeSet, MockFields, TypeError, TypedCheck, TypedOutputPart, check_condition,
    check_output, event_types, regex_is_simple,
};

fn check_in(source: &str, condition: &str) -> (TypedExpr, Vec<TypeError>) {
    let (expr, errors) = falco_condition::parse_condition(condition);
    assert!(
        errors.is_empty(),
        "parse errors in {condition:?}: {errors:?}"
    );
    let resolver = MockFields::new(Schema::get()).with_libsinsp_test_fields();
    let ctx = Context::new(&resolver, source);
    check_condition(&expr, &ctx)
}

fn check(condition: &str) -> (TypedExpr, Vec<TypeError>) {
    check_in("syscall", condition)
}

fn codes(condition: &str) -> Vec<Code> {
    check(condition).1.iter().map(|error| error.code).collect()
}

fn only_check(typed: &TypedExpr) -> &TypedCheck {
    match typed {
        TypedExpr::Check(check) => check,
        other => panic!("expected a check, got {other:?}"),
    }
}

fn single_value(condition: &str) -> Literal {
    let (typed, errors) = check(condition);
    assert!(errors.is_empty(), "{condition:?}: {errors:?}");
    match &only_check(&typed).right {
        TypedValue::Single(value) => value.value.clone(),
        other => panic!("expected one value, got {other:?}"),
    }
}

/// The text a diagnostic's span covers.
fn spanned<'a>(condition: &'a str, error: &TypeError) -> &'a str {
    condition.get(error.span.range()).unwrap_or("<bad span>")
}

#[test]
fn values_convert_to_the_field_type() {
    assert_eq!(single_value("evt.num = 42"), Literal::UInt(42));
    assert_eq!(single_value("fd.num = -3"), Literal::Int(-3));
    assert_eq!(single_value("evt.cpu = -1"), Literal::Int(-1));
    assert_eq!(single_value("evt.is_io = true"), Literal::Bool(true));
    assert_eq!(single_value("fd.sport = 443"), Literal::Port(443));
    assert_eq!(single_value("fd.sport = ssh"), Literal::Port(22));
    assert_eq!(
        single_value("fd.ip = 10.0.0.1"),
        Literal::Ip("10.0.0.1".parse::<IpAddr>().unwrap())
    );
    assert_eq!(
        single_value("fd.ip = ::1"),
        Literal::Ip("::1".parse::<IpAddr>().unwrap())
    );
    assert_eq!(
        single_value("fd.net = 10.0.0.0/8"),
        Literal::Net {
            addr: "10.0.0.0".parse::<IpAddr>().unwrap(),
            prefix: 8
        }
    );
    assert_eq!(
        single_value("evt.buffer bcontains 7f45"),
        Literal::Bytes(vec![0x7f, 0x45])
    );
    assert_eq!(
        single_value("proc.name = bash"),
        Literal::Str("bash".to_owned())
    );
    assert_eq!(
        single_value("proc.name regex 'ba(sh|zz)'"),
        Literal::Regex("ba(sh|zz)".to_owned())
    );
    // libsinsp truncates to the width: -1 in an unsigned 64-bit field wraps around.
    assert_eq!(single_value("evt.num = -1"), Literal::UInt(u64::MAX));
}

#[test]
fn value_errors_point_at_the_value() {
    for (condition, value) in [
        ("evt.num = 0x10", "0x10"),
        ("evt.num = 1.5", "1.5"),
        ("evt.num = abc", "abc"),
        ("evt.cpu = 70000", "70000"),
        ("thread.cpu = 1.0", "1.0"),
        ("evt.is_io = 1", "1"),
        ("fd.ip = 1.2.3", "1.2.3"),
        ("fd.net = 10.0.0.0", "10.0.0.0"),
        ("fd.net = 10.0.0.0/33", "10.0.0.0/33"),
        ("fd.sport = 70000", "70000"),
        ("fd.sport = not-a-service", "not-a-service"),
        ("evt.buffer bcontains abc", "abc"),
        ("evt.buffer bstartswith zz", "zz"),
        ("proc.name regex 'a('", "'a('"),
        ("proc.name = \"a\\x00\"", "\"a\\x00\""),
    ] {
        let (_, errors) = check(condition);
        assert_eq!(errors.len(), 1, "{condition:?}: {errors:?}");
        let error = &errors[0];
        assert_eq!(error.code, Code::E404, "{condition:?}: {error:?}");
        assert_eq!(spanned(condition, error), value, "{condition:?}");
    }
}

#[test]
fn lists_convert_each_element() {
    let (typed, errors) = check("fd.sport in (22, http, 8080)");
    assert!(errors.is_empty(), "{errors:?}");
    let TypedValue::List(values, _) = &only_check(&typed).right else {
        panic!("expected a list")
    };
    let ports: Vec<Literal> = values.iter().map(|value| value.value.clone()).collect();
    assert_eq!(
        ports,
        vec![Literal::Port(22), Literal::Port(80), Literal::Port(8080)]
    );
}

#[test]
fn operator_errors_point_at_the_operator() {
    for condition in [
        "evt.num contains 1",
        "fd.ip startswith 10",
        "evt.is_io > 1",
        "proc.name bcontains 00",
        "fd.types = file",
        "fd.ip contains anyof (1.2.3.4)",
        "evt.buffer glob x",
    ] {
        let (typed, errors) = check(condition);
        assert_eq!(errors.len(), 1, "{condition:?}: {errors:?}");
        assert_eq!(errors[0].code, Code::E403, "{condition:?}");
        let op = only_check(&typed).op;
        assert!(
            spanned(condition, &errors[0]).starts_with(op.as_str()),
            "{condition:?}: {:?}",
            errors[0]
        );
    }
}

#[test]
fn one_error_per_root_cause() {
    // An unknown field accepts every operator and value: no cascade.
    let condition = "proc.nmae contains 1 and proc.nmae > 0x5";
    let (_, errors) = check(condition);
    assert_eq!(
        errors.iter().map(|e| e.code).collect::<Vec<_>>(),
        vec![Code::E401, Code::E401]
    );
    assert_eq!(spanned(condition, &errors[0]), "proc.nmae");
    assert_eq!(errors[0].help.as_deref(), Some("did you mean `proc.name`?"));
    // A wrong operator does not also complain about the value.
    assert_eq!(codes("evt.num glob abc"), vec![Code::E403]);
    // A failed transformer types as error.
    assert_eq!(codes("tolower(evt.num) contains 1"), vec![Code::E407]);
}

#[test]
fn fields_of_other_sources_say_where_they_belong() {
    let (_, errors) = check("ka.verb = create");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, Code::E402);
    assert!(
        errors[0]
            .label
            .as_deref()
            .unwrap_or("")
            .contains("k8s_audit"),
        "{:?}",
        errors[0]
    );
    let (_, errors) = check_in("k8s_audit", "ka.verb = create");
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn field_arguments_are_checked() {
    assert_eq!(codes("proc.aname[x] = bash"), vec![Code::E406]);
    assert_eq!(codes("proc.aname[2] = bash"), Vec::<Code>::new());
    assert_eq!(codes("proc.name[1] = bash"), vec![Code::E406]);
    assert_eq!(codes("toupper(proc.name)[1] = BASH"), vec![Code::E406]);
    assert_eq!(
        codes("getopt((\"-t\", \"x\"), \"t:\")[tt] = x"),
        vec![Code::E406]
    );
}

#[test]
fn event_types_are_validated() {
    let condition = "evt.type in (open, execvee)";
    let (_, errors) = check(condition);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, Code::E405);
    assert_eq!(spanned(condition, &errors[0]), "execvee");
    assert_eq!(errors[0].help.as_deref(), Some("did you mean `execve`?"));
    assert_eq!(codes("evt.type = openat"), Vec::<Code>::new());
}

#[test]
fn transformers_are_typed() {
    let (typed, errors) = check("len(fd.types) > 1");
    assert!(errors.is_empty(), "{errors:?}");
    let check_node = only_check(&typed);
    assert_eq!(check_node.left.value_type().to_string(), "UINT64");
    assert_eq!(
        check_node.right,
        TypedValue::Single(crate::TypedLiteral {
            text: "1".to_owned(),
            bytes: None,
            value: Literal::UInt(1),
            span: falco_span::Span::new(16, 17),
        })
    );
    assert_eq!(codes("tolower(evt.num) = 1"), vec![Code::E407]);
    assert_eq!(codes("b64(evt.buffer) = x"), Vec::<Code>::new());
    assert_eq!(codes("toupper(evt.rawarg.res) = -1"), vec![Code::E407]);
    assert_eq!(
        codes("join(\"-\", (fd.name, fd.directory)) = x"),
        Vec::<Code>::new()
    );
    assert_eq!(codes("join(\"-\", fd.name) = x"), vec![Code::E407]);
    assert_eq!(codes("concat(fd.name, fd.types) = x"), vec![Code::E407]);
    assert_eq!(
        codes("getopt(\"x\", \"n\") intersects (n)"),
        vec![Code::E407]
    );
    assert_eq!(
        codes("getopt((\"-t\", \"x\"), \"t:\")[t] = x"),
        Vec::<Code>::new()
    );
}

#[test]
fn field_comparisons() {
    let (typed, errors) = check("proc.name = val(proc.pname)");
    assert!(errors.is_empty(), "{errors:?}");
    let TypedValue::Field(TypedOperand::Field(field)) = &only_check(&typed).right else {
        panic!("expected a field on the right")
    };
    assert_eq!(field.name, "proc.pname");
    assert_eq!(codes("proc.name regex val(proc.pname)"), vec![Code::E408]);
    assert_eq!(codes("proc.name pmatch val(proc.pname)"), vec![Code::E408]);
    assert_eq!(codes("fd.net = val(fd.net)"), vec![Code::E408]);
    assert_eq!(codes("proc.aname = val(proc.name)"), vec![Code::E408]);
    assert_eq!(codes("proc.name = val(proc.pid)"), vec![Code::E407]);
    assert_eq!(codes("proc.name = tolower(proc.pname)"), Vec::<Code>::new());
}

#[test]
fn event_type_checks_falco_cannot_index() {
    assert_eq!(codes("evt.type = val(syscall.type)"), vec![Code::E408]);
    assert_eq!(codes("toupper(evt.type) != open"), vec![Code::E407]);
    assert_eq!(codes("tolower(evt.type) exists"), vec![Code::E407]);
    assert_eq!(codes("tolower(evt.type) contains open"), Vec::<Code>::new());
    assert_eq!(codes("evt.around[1000] > 5"), vec![Code::E403]);
}

#[test]
fn warnings() {
    let condition = "proc.name = proc.pname";
    let (_, errors) = check(condition);
    assert_eq!(
        errors.iter().map(|e| e.code).collect::<Vec<_>>(),
        vec![Code::W404]
    );
    assert_eq!(spanned(condition, &errors[0]), "proc.pname");
    assert_eq!(codes("proc.name = 'tolower(proc.pname)'"), vec![Code::W404]);
    assert_eq!(codes("proc.name regex '^bash$'"), vec![Code::W405]);
    assert_eq!(
        check("proc.name regex '.*bash'").1[0].help.as_deref(),
        Some("write `endswith bash` instead; it is faster")
    );
    assert_eq!(codes("proc.name regex 'ba(sh|zz)'"), Vec::<Code>::new());
    assert_eq!(codes("evt.dir = <"), vec![Code::W401]);
    let (_, errors) = check_in("k8s_audit", "ka.user.name in (admin, <NA>)");
    assert_eq!(
        errors.iter().map(|e| e.code).collect::<Vec<_>>(),
        vec![Code::W402]
    );
    let (_, errors) = check_in("k8s_audit", "ka.user.name exists");
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn regex_heuristic() {
    for simple in ["abc", "^abc$", ".*abc", "abc.*", ".+abc.?", "a-b_c"] {
        assert!(regex_is_simple(simple), "{simple}");
    }
    for complex in ["a.c", "a|b", "ab+", "a.{2}", "a\\.b", "[ab]", ".*a.*b"] {
        assert!(!regex_is_simple(complex), "{complex}");
    }
}

#[test]
fn tree_keeps_shape_and_macros() {
    let (typed, errors) = check("(my_macro and not proc.name = bash) or evt.num = 0");
    assert!(errors.is_empty(), "{errors:?}");
    let TypedExpr::Or(children, _) = &typed else {
        panic!("expected or, got {typed:?}")
    };
    let TypedExpr::And(inner, _) = &children[0] else {
        panic!("expected and")
    };
    assert!(matches!(&inner[0], TypedExpr::Macro(ident) if ident.name == "my_macro"));
    assert!(matches!(&inner[1], TypedExpr::Not(..)));
    assert!(matches!(&children[1], TypedExpr::Check(check) if check.op == Op::Eq));
}

#[test]
fn event_types_follow_macros() {
    let (open_macro, _) = check("evt.type in (open, openat)");
    let (never, _) = check("evt.num = 0");
    let lookup = |name: &str| match name {
        "open_read" => Some(&open_macro),
        "never_true" => Some(&never),
        _ => None,
    };
    let schema = Schema::get();
    let set = |condition: &str| event_types(&check(condition).0, &lookup, schema, "syscall");
    let names = |items: &[&str]| {
        items
            .iter()
            .map(|name| (*name).to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        set("open_read and proc.name = cat"),
        EventTypeSet::Only(names(&["open", "openat"]))
    );
    assert_eq!(
        set("not open_read"),
        EventTypeSet::AllExcept(names(&["open", "openat"]))
    );
    assert_eq!(set("never_true and open_read"), EventTypeSet::None);
    assert_eq!(set("undefined_macro"), EventTypeSet::All);
    assert_eq!(EventTypeSet::AllExcept(names(&["open"])).count(300), 299);
}

#[test]
fn outputs() {
    let text = "user=%user.name cmd=%proc.cmdlin %container.info ip=%fd.ip";
    let (output, parse_errors) = falco_condition::parse_output(text);
    assert!(parse_errors.is_empty(), "{parse_errors:?}");
    let schema = Schema::get();
    let ctx = Context::new(schema, "syscall");
    let (typed, errors) = check_output(&output, &ctx);
    let found: Vec<(Code, &str)> = errors.iter().map(|e| (e.code, spanned(text, e))).collect();
    assert_eq!(
        found,
        vec![
            (Code::E502, "proc.cmdlin"),
            (Code::W401, "%container.info"),
            (Code::W502, "fd.ip")
        ]
    );
    assert_eq!(
        errors[0].help.as_deref(),
        Some("did you mean `proc.cmdline`?")
    );
    assert!(
        matches!(typed.parts.get(1), Some(TypedOutputPart::Field(field, _)) if field.name == "user.name")
    );
    assert!(
        typed
            .parts
            .iter()
            .any(|part| matches!(part, TypedOutputPart::ContainerInfo(_)))
    );
}

/// An output checked under `syscall`: its parts as (kind, text) and its
/// diagnostics as (code, spanned text).
fn output_parts(text: &str) -> (Vec<String>, Vec<(Code, String)>) {
    let (output, parse_errors) = falco_condition::parse_output(text);
    assert!(parse_errors.is_empty(), "{parse_errors:?}");
    let ctx = Context::new(Schema::get(), "syscall");
    let (typed, errors) = check_output(&output, &ctx);
    let parts = typed
        .parts
        .iter()
        .map(|part| match part {
            TypedOutputPart::Text(text, _) => format!("text {text}"),
            TypedOutputPart::Field(field, span) => {
                format!("field {} {}", field.name, &text[span.range()])
            }
            TypedOutputPart::ContainerInfo(_) => "container.info".to_owned(),
            TypedOutputPart::Error(span) => format!("error {}", &text[span.range()]),
        })
        .collect();
    let errors = errors
        .iter()
        .map(|error| (error.code, spanned(text, error).to_owned()))
        .collect();
    (parts, errors)
}

/// libsinsp's formatter reads `%token` as the longest prefix that compiles as a
/// field (`sinsp_evt_formatter::set_format` shrinks the token until it does) and
/// prints the rest as text; its unit test `multiple_fields_with_no_blank` renders
/// `start%proc.nameand%thread.tidend` as `startinitand1end`. Falco 0.44.1 accepts
/// every output here but `%proc.nam`, `%evt.arg[foo]` and `%evt.rawarg.foo`.
#[test]
fn outputs_resolve_tokens_as_the_formatter_does() {
    let (parts, errors) = output_parts("start%proc.nameand%thread.tidend");
    assert_eq!(
        parts,
        [
            "text start",
            "field proc.name %proc.name",
            "text and",
            "field thread.tid %thread.tid",
            "text end"
        ]
    );
    assert!(errors.is_empty(), "{errors:?}");
    // Near misses and arguments a field does not take fall back with a warning.
    for (text, field, rest) in [
        ("%proc.names", "proc.name", "s"),
        ("%proc.exepaht", "proc.exe", "paht"),
        ("%user.name2", "user.name", "2"),
        ("%proc.name[3]", "proc.name", "[3]"),
        ("%evt.arg.protocol", "evt.arg", "col"),
        ("%20proc.pnames", "proc.pname", "s"),
    ] {
        let (parts, errors) = output_parts(text);
        assert_eq!(
            parts,
            [
                format!("field {field} {}", &text[..text.len() - rest.len()]),
                format!("text {rest}")
            ],
            "{text}"
        );
        assert_eq!(errors.len(), 1, "{text}: {errors:?}");
        assert_eq!(errors[0].0, Code::W501, "{text}: {errors:?}");
    }
    // No prefix is a field: Falco refuses the output.
    for text in ["%proc.nam", "%evt.arg[foo]", "%evt.rawarg.foo"] {
        let (parts, errors) = output_parts(text);
        assert!(
            errors.iter().any(|(code, _)| *code == Code::E502),
            "{text}: {parts:?} {errors:?}"
        );
    }
    // A field that only conditions read stays a field: Falco prints `<NA>` for it,
    // and a JSON alert has it in `output_fields` as null (the VM's part).
    let (parts, errors) = output_parts("ip=%fd.ip");
    assert_eq!(parts, ["text ip=", "field fd.ip %fd.ip"]);
    assert_eq!(errors, [(Code::W502, "fd.ip".to_owned())]);
}

#[test]
fn nothing_panics_on_odd_values() {
    for condition in [
        "evt.num = ''",
        "evt.num = '-'",
        "evt.num = '+'",
        "evt.num = 99999999999999999999999999999999999999999999",
        "fd.net = '/'",
        "fd.net = '1.2.3.4/'",
        "fd.net = '::/'",
        "fd.sport = ''",
        "evt.buffer bcontains ''",
        "fd.ip = ''",
        "proc.name = ''",
        "evt.type = ''",
    ] {
        let _ = check(condition);
    }
}

#[test]
fn re2_literal_braces_are_escaped_for_the_regex_crate() {
    use crate::re2_to_rust;
    assert_eq!(re2_to_rust("a{2,4}"), "a{2,4}");
    assert_eq!(re2_to_rust("pentest-[0-9]{2"), "pentest-[0-9]\\{2");
    assert_eq!(re2_to_rust("4}"), "4\\}");
    assert_eq!(re2_to_rust("x{}y"), "x\\{\\}y");
    assert_eq!(re2_to_rust("[{]\\{"), "[{]\\{");
    assert_eq!(re2_to_rust("a{,3}"), "a\\{,3\\}");
}

/// Every set over a three-name universe (finite or co-finite), as
/// [`EventTypeSet`]s and as plain membership masks.
fn small_event_type_sets() -> Vec<(EventTypeSet, [bool; 3])> {
    const NAMES: [&str; 3] = ["open", "read", "write"];
    let mut sets = Vec::new();
    for finite in [true, false] {
        for mask in 0u8..8 {
            let names: BTreeSet<String> = (0..3)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| NAMES[i].to_owned())
                .collect();
            let members = std::array::from_fn(|i| (mask & (1 << i) != 0) == finite);
            let set = match (finite, names.is_empty()) {
                (true, true) => EventTypeSet::None,
                (false, true) => EventTypeSet::All,
                (true, false) => EventTypeSet::Only(names),
                (false, false) => EventTypeSet::AllExcept(names),
            };
            sets.push((set, members));
        }
    }
    sets
}

#[test]
fn event_type_set_algebra_matches_membership() {
    const NAMES: [&str; 3] = ["open", "read", "write"];
    let sets = small_event_type_sets();
    let holds = |set: &EventTypeSet, expected: [bool; 3]| {
        NAMES
            .iter()
            .zip(expected)
            .all(|(name, member)| set.contains(name) == member)
    };
    for (a, a_members) in &sets {
        let not_a = a_members.map(|member| !member);
        assert!(holds(&a.complement(), not_a), "not {a:?}");
        for (b, b_members) in &sets {
            let and = std::array::from_fn(|i| a_members[i] && b_members[i]);
            let or = std::array::from_fn(|i| a_members[i] || b_members[i]);
            assert!(holds(&a.intersect(b), and), "{a:?} and {b:?}");
            assert!(holds(&a.union(b), or), "{a:?} or {b:?}");
        }
    }
}

/// Issue 12: a pattern over the VM's compiled-size limit was accepted here, written
/// into the bundle, and refused by `replay` and falco-rt. It is E409 on the value,
/// and a pattern just within the limit passes (and loads: see falco-vm).
#[test]
fn regexes_over_the_vm_size_limit_are_refused_on_the_value() {
    let pattern = ".{1000}".repeat(36);
    let condition = format!("proc.name regex \"{pattern}\"");
    let (_, errors) = check(&condition);
    assert_eq!(
        errors.iter().map(|error| error.code).collect::<Vec<_>>(),
        vec![Code::E409],
        "{errors:?}"
    );
    assert_eq!(spanned(&condition, &errors[0]), format!("\"{pattern}\""));
    assert!(codes(&format!("proc.name regex \"{}\"", "[^a]{1000}".repeat(25))).is_empty());
    assert_eq!(codes("proc.name regex \"(unclosed\""), vec![Code::E404]);
}

/// Issue 12: 8 nested transformers passed lint, and the bundle verifier refused the
/// bundle. Seven pass; more are E410 on the operand.
#[test]
fn transformers_nest_at_most_as_deep_as_bundle_operands() {
    let nested =
        |depth: usize| format!("{}proc.name{}", "tolower(".repeat(depth), ")".repeat(depth));
    assert!(codes(&format!("{} = bash", nested(7))).is_empty());
    let condition = format!("{} = bash", nested(8));
    let (_, errors) = check(&condition);
    assert_eq!(
        errors.iter().map(|error| error.code).collect::<Vec<_>>(),
        vec![Code::E410],
        "{errors:?}"
    );
    assert_eq!(spanned(&condition, &errors[0]), nested(8));
    assert!(
        errors[0].message.contains("8 deep"),
        "{}",
        errors[0].message
    );
}

/// Falco refuses a value longer than 255 bytes for a string, path or byte field
/// ("filter parameter too long"), whatever the operator; Falco 0.44.1 was checked
/// with `=`, `!=`, `contains`, `icontains`, `in`, `startswith`, `endswith`, `glob`,
/// `regex`, `pmatch`, `bcontains` and a transformer. Bytes count, not characters, and
/// a number field takes a longer text.
#[test]
fn values_longer_than_falco_takes_are_e411_on_the_value() {
    use crate::MAX_VALUE_BYTES;
    let longest = "a".repeat(MAX_VALUE_BYTES);
    let over = "a".repeat(MAX_VALUE_BYTES + 1);
    let hex = |bytes: usize| "61".repeat(bytes);
    // W405 (a `regex` that could be plain) is beside the point here.
    let errors_of = |condition: &str| -> Vec<TypeError> {
        let (_, errors) = check(condition);
        errors
            .into_iter()
            .filter(|error| error.code != Code::W405)
            .collect()
    };
    for template in [
        "proc.name = {}",
        "proc.name != \"{}\"",
        "proc.cmdline contains {}",
        "proc.name icontains {}",
        "proc.name in (x, {})",
        "fd.name startswith {}",
        "fd.name endswith {}",
        "fd.name glob {}",
        "fd.name regex {}",
        "fd.name pmatch ({})",
        "tolower(proc.name) = {}",
        "evt.buffer contains {}",
    ] {
        let fits = template.replace("{}", &longest);
        assert!(
            errors_of(&fits).is_empty(),
            "{fits}: {:?}",
            errors_of(&fits)
        );
        let condition = template.replace("{}", &over);
        let errors = errors_of(&condition);
        assert_eq!(
            errors.iter().map(|error| error.code).collect::<Vec<_>>(),
            vec![Code::E411],
            "{template}: {errors:?}"
        );
        assert!(
            spanned(&condition, &errors[0]).contains(&over),
            "{template}"
        );
        assert!(
            errors[0].message.contains("256 bytes"),
            "{}",
            errors[0].message
        );
    }
    assert!(codes(&format!("evt.buffer bcontains {}", hex(MAX_VALUE_BYTES))).is_empty());
    assert_eq!(
        codes(&format!(
            "evt.buffer bcontains {}",
            hex(MAX_VALUE_BYTES + 1)
        )),
        vec![Code::E411]
    );
    let two_byte = |chars: usize| "é".repeat(chars);
    assert!(codes(&format!("proc.name = {}a", two_byte(127))).is_empty());
    assert_eq!(
        codes(&format!("proc.name = {}", two_byte(128))),
        vec![Code::E411]
    );
    assert!(codes(&format!("proc.pid = {}1", "0".repeat(300))).is_empty());
}
