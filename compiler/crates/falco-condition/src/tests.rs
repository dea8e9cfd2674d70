use falco_diagnostics::Code;

use crate::ast::{Expr, Modifier, Op, OpSyntax, Operand, OutputPart, TransformKind, Value};
use crate::visit::{visit_checks, visit_fields, visit_list_refs, visit_macros};
use crate::{ParseError, parse_condition, parse_output, to_falco_string};

mod conformance;
mod props;

fn ok(text: &str) -> Expr {
    let (expr, errors) = parse_condition(text);
    assert!(errors.is_empty(), "{text:?}: {errors:#?}");
    expr
}

fn printed(text: &str) -> String {
    to_falco_string(&ok(text))
}

fn errors(text: &str) -> Vec<ParseError> {
    let (_, errors) = parse_condition(text);
    assert!(!errors.is_empty(), "{text:?} should not parse");
    errors
}

fn codes(text: &str) -> Vec<&'static str> {
    errors(text).iter().map(|e| e.code.as_str()).collect()
}

fn first(text: &str) -> ParseError {
    errors(text).remove(0)
}

#[test]
fn prints_like_libsinsp() {
    assert_eq!(
        printed("evt.type = open and proc.name in (ash, bash)"),
        "(evt.type = open and proc.name in (ash, bash))"
    );
    assert_eq!(
        printed("a and (b or c) and not d"),
        "(a and (b or c) and not d)"
    );
    assert_eq!(printed("(a and b) and c"), "((a and b) and c)");
    assert_eq!(printed("not not a"), "a");
    assert_eq!(printed("not not not a"), "not a");
    assert_eq!(printed("not (not a)"), "not not a");
    assert_eq!(printed("not not(a)"), "a");
    assert_eq!(printed("not(not(a))"), "not not a");
    assert_eq!(printed("fd.name exists"), "fd.name exists");
    assert_eq!(printed("proc.name='a b'"), "proc.name = \"a b\"");
    assert_eq!(printed(r#"x.y = "q\"t""#), r#"x.y = "q\"t""#);
    assert_eq!(printed("x.y in ('a=b', c)"), "x.y in (\"a=b\", c)");
    assert_eq!(printed("x.y pmatch(a)"), "x.y pmatch (a)");
    assert_eq!(printed("x.y in my_list"), "x.y in my_list");
    assert_eq!(
        printed(r#"join("-", (fd.name, "x y")) = a"#),
        r#"join(-,(fd.name,"x y")) = a"#
    );
    assert_eq!(
        printed("fd.name = val(proc.name)"),
        "fd.name = val(proc.name)"
    );
    assert_eq!(printed("x.y = oneof (a, b)"), "x.y = oneof (a, b)");
    assert_eq!(printed("evt.num > 0x1F"), "evt.num > 0x1F");
}

#[test]
fn and_or_shapes() {
    let Expr::Or(items, span) = ok("a and b or c") else {
        panic!("expected or")
    };
    assert_eq!(items.len(), 2);
    assert!(matches!(&items[0], Expr::And(inner, _) if inner.len() == 2));
    assert_eq!((span.start, span.end), (0, 12));
    let Expr::And(items, _) = ok("a and b and(c)") else {
        panic!("expected and")
    };
    assert!(matches!(&items[2], Expr::Paren(..)));
}

#[test]
fn spans_point_into_the_text() {
    let text = "  proc.aname[2] startswith oneof (a, \"b c\")  ";
    let expr = ok(text);
    let Expr::Check(check) = &expr else {
        panic!("expected a check")
    };
    let Operand::Field(field) = &check.left else {
        panic!("expected a field")
    };
    assert_eq!(&text[field.name_span.range()], "proc.aname");
    assert_eq!(&text[field.span.range()], "proc.aname[2]");
    assert_eq!(field.arg.as_ref().map(|a| a.value.as_str()), Some("2"));
    assert_eq!(check.op.op, Op::StartsWith);
    assert_eq!(check.op.modifier, Some(Modifier::OneOf));
    assert_eq!(&text[check.op.span.range()], "startswith oneof");
    let Some(Value::List(items, list_span)) = &check.right else {
        panic!("expected a list")
    };
    assert_eq!(&text[list_span.range()], "(a, \"b c\")");
    assert_eq!(items[1].value, "b c");
    assert_eq!(&text[items[1].span.range()], "\"b c\"");
    assert_eq!(&text[check.span.range()], text.trim());
}

#[test]
fn transformers() {
    let expr = ok(r#"getopt(("-n"), "nt:")[t] = val(proc.name)"#);
    let Expr::Check(check) = &expr else {
        panic!("expected a check")
    };
    let Operand::Transform(t) = &check.left else {
        panic!("expected a transformer")
    };
    assert_eq!(t.kind, TransformKind::Getopt);
    assert!(matches!(&t.args[0], Operand::List(items, _) if items.len() == 1));
    assert!(matches!(&t.args[1], Operand::Literal(s) if s.value == "nt:"));
    assert_eq!(t.arg.as_ref().map(|a| a.value.as_str()), Some("t"));
    let Some(Value::Operand(Operand::Transform(v))) = &check.right else {
        panic!("expected val")
    };
    assert_eq!(v.kind, TransformKind::Val);
    ok("concat(fd.directory, concat(\"aaa\", toupper(fd.name))) = x");
    ok("len(fd.name) > 3");
    ok("basename(fd.name) in (a, b)");
    ok("b64( tolower( fd.name ) ) exists");
}

#[test]
fn escapes() {
    let Expr::Check(check) = ok(r#"fd.name = "a\x41\t\/\\b""#) else {
        panic!()
    };
    let Some(Value::Str(s)) = &check.right else {
        panic!()
    };
    assert_eq!(s.value, "aA\t/\\b");
    // Like libsinsp, a quote right after a backslash never closes the string.
    assert_eq!(codes(r#"fd.name = "a\\""#), ["E301"]);
    assert_eq!(s.quote, Some('"'));
    let Expr::Check(check) = ok(r#"fd.name contains "\xff""#) else {
        panic!()
    };
    let Some(Value::Str(s)) = &check.right else {
        panic!()
    };
    assert_eq!(s.as_bytes(), &[0xff]);
    assert_eq!(codes(r#"fd.name = "a\qb""#), ["E304"]);
    assert_eq!(codes(r#"fd.name = "\x4""#), ["E304"]);
    assert_eq!(codes(r#"fd.name = 'it\"s'"#), ["E304"]);
    let e = first(r#"fd.name = "a\qb""#);
    assert_eq!((e.span.start, e.span.end), (12, 14));
}

#[test]
fn error_codes() {
    assert_eq!(codes("(proc.name = a"), ["E302"]);
    assert_eq!(codes("proc.name = a)"), ["E302"]);
    assert_eq!(codes("proc.name ="), ["E303"]);
    assert_eq!(codes("proc.name in"), ["E303"]);
    assert_eq!(codes("proc.name = and b"), ["E301"]); // `and` is a bare string here
    assert_eq!(codes("proc.name foo"), ["E306"]);
    assert_eq!(codes("proc.name startswith(x)"), ["E306"]);
    assert_eq!(codes("a andb"), ["E301"]);
    assert_eq!(codes("evt.num > a"), ["E301"]);
    assert_eq!(codes(""), ["E301"]);
    assert_eq!(codes("   "), ["E301"]);
    assert_eq!(codes("evt.buffer bcontains"), ["E303"]);
    assert_eq!(codes("proc.name containsbash"), ["E306"]);
    assert!(
        first("val(proc.name) = x")
            .message
            .contains("right of an operator")
    );
    assert!(first("proc.name = 'abc").message.contains("not closed"));
    assert!(first("a or(b) and c").message.contains("write `or (`"));
    let all = errors("(a.b = 1 x)");
    assert!(
        all[0]
            .message
            .starts_with("expected `and`, `or`, `)` or the end"),
        "{all:#?}"
    );
    let e = first("proc.name foo");
    assert_eq!(e.message, "expected an operator, found `foo`");
    let e = first("proc.name = a and");
    assert_eq!(e.code, Code::E301);
    assert_eq!(e.label.as_deref(), Some("nothing follows this"));
    let e = first("proc.name = bash bash");
    assert_eq!(e.code, Code::E301);
    assert_eq!(
        e.label.as_deref(),
        Some("not expected here"),
        "no empty label"
    );
    let e = first("a and ()");
    assert!(
        e.message.contains("a field, a macro name or `(`"),
        "{}",
        e.message
    );
}

#[test]
fn recovers_and_reports_several_errors() {
    let text = "proc.name foo and (fd.name in (a, b) or x.y <) and ok_macro and evt.type =";
    let (expr, errors) = parse_condition(text);
    let found: Vec<_> = errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(found, ["E306", "E303", "E303"], "{errors:#?}");
    let mut macros = Vec::new();
    visit_macros(&expr, |m| macros.push(m.name.clone()));
    assert_eq!(macros, ["ok_macro"]);
    let mut errors_nodes = 0;
    crate::visit::walk_exprs(&expr, &mut |e| {
        errors_nodes += usize::from(matches!(e, Expr::Error(_)))
    });
    assert!(errors_nodes >= 2);

    let (_, errors) = parse_condition("a.b in (x, y and c.d = \"bad\\q\"");
    assert!(
        errors
            .iter()
            .any(|e| e.code == Code::E302 || e.code == Code::E301)
    );
}

#[test]
fn visitors() {
    let expr = ok("m1 and (tolower(fd.name) = val(proc.name) or not m2) and x.y in lst");
    let mut macros = Vec::new();
    visit_macros(&expr, |m| macros.push(m.name.as_str()));
    assert_eq!(macros, ["m1", "m2"]);
    let mut fields = Vec::new();
    visit_fields(&expr, |f| fields.push(f.name.as_str()));
    assert_eq!(fields, ["fd.name", "proc.name", "x.y"]);
    let mut checks = 0;
    visit_checks(&expr, |_| checks += 1);
    assert_eq!(checks, 2);
    let mut lists = Vec::new();
    visit_list_refs(&expr, |l| lists.push(l.name.as_str()));
    assert_eq!(lists, ["lst"]);
}

#[test]
fn upstream_style_conditions() {
    for text in [
        "spawned_process and container and shell_procs and proc.tty != 0 and container_entrypoint and not user_expected_terminal_shell_in_container_conditions",
        "open_read and sensitive_files and proc_name_exists and not proc.name in (user_mgmt_binaries, userexec_binaries, package_mgmt_binaries, cron_binaries, read_sensitive_file_binaries, shell_binaries, hids_binaries, vpn_binaries, mail_config_binaries, nomachine_binaries, sshkit_script_binaries, in.proftpd, mandb, salt-call, salt-minion, postgres_mgmt_binaries, google_oslogin_)",
        "evt.type in (open,openat,openat2) and evt.is_open_write=true and fd.typechar='f' and fd.num>=0",
        "(evt.type in (execve, execveat) and evt.dir=<)",
        "fd.name pmatch (/etc, /usr/lib) and not fd.name glob '/etc/*.conf'",
        "proc.pname in (runc:[0:PARENT], runc:[1:CHILD], runc, docker-runc, exe, docker-runc-cur, containerd-shim, systemd, crio)",
        "evt.arg.flags contains O_TRUNC and (fd.directory in (/bin, /sbin) or fd.name startswith /usr/)",
        "k8s.ns.name = \"kube-system\" and ka.req.pod.containers.image.repository intersects (falco_privileged_images)",
        "proc.cmdline contains \"nc -e\" or proc.args icontains \"-c /dev/tcp\"",
        "proc.exepath endswith /java and proc.aname[2] regex '^(a|b)$'",
        "evt.rawres >= 0 and evt.num = 0 and evt.buffer bcontains 7f454c46",
    ] {
        ok(text);
    }
}

#[test]
fn deep_nesting_is_limited_without_overflow() {
    let run = || {
        let text = format!("{}a{}", "(".repeat(150), ")".repeat(150));
        ok(&text);
        let text = format!("{}a.b = 1{}", "(".repeat(150), ")".repeat(150));
        ok(&text);
        let text = format!("{}a{}", "(".repeat(400), ")".repeat(400));
        assert_eq!(codes(&text), ["E305"]);
        let text = "(".repeat(100_000);
        assert_eq!(codes(&text), ["E305"]);
        let text = format!("{}a", "not ".repeat(50_000));
        ok(&text);
        let text = format!("{}x.y = 1", "tolower(".repeat(300));
        assert!(!parse_condition(&text).1.is_empty());
    };
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(run)
        .expect("spawn");
    assert!(handle.join().is_ok());
}

#[test]
fn outputs() {
    let text = "file=%fd.name pid=%proc.aname[2] %toupper(proc.name) %evt.arg.flags!";
    let (output, errors) = parse_output(text);
    assert!(errors.is_empty(), "{errors:?}");
    let fields: Vec<_> = output
        .parts
        .iter()
        .filter_map(|p| match p {
            OutputPart::Field { field, .. } => Some(&text[field.span.range()]),
            OutputPart::Text(..) => None,
        })
        .collect();
    assert_eq!(
        fields,
        ["fd.name", "proc.aname[2]", "proc.name", "evt.arg.flags"]
    );
    let texts: Vec<_> = output
        .parts
        .iter()
        .filter_map(|p| match p {
            OutputPart::Text(t, span) => {
                assert_eq!(&text[span.range()], t);
                Some(t.as_str())
            }
            OutputPart::Field { .. } => None,
        })
        .collect();
    assert_eq!(texts, ["file=", " pid=", " ", " ", "!"]);
    for bad in [
        "a %",
        "100%% sure",
        "100%%",
        "% x",
        "%(proc.name)",
        "%val(proc.name)",
        "%12",
    ] {
        let (_, errors) = parse_output(bad);
        assert_eq!(
            errors.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(),
            ["E501"],
            "{bad:?}"
        );
    }
    let (output, _) = parse_output("%(proc.name) x");
    assert!(matches!(
        &output.parts[0],
        OutputPart::Field {
            parenthesised: true,
            ..
        }
    ));
    let (output, errors) = parse_output("x %10proc.name");
    assert!(errors.is_empty());
    assert_eq!(output.parts.len(), 2);
}

/// Each code doc's example must produce its code (the tidy test lints the whole
/// file; this checks the condition or output alone, quickly).
#[test]
fn code_doc_examples_produce_their_codes() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../docs/codes");
    for code in ["E301", "E302", "E303", "E304", "E305", "E306", "E501"] {
        let doc = std::fs::read_to_string(docs.join(format!("{code}.md"))).expect("doc");
        let example = falco_diagnostics::yaml_blocks(&doc)
            .first()
            .copied()
            .expect("example");
        let value = |key: &str| {
            example
                .lines()
                .find_map(|line| line.trim_start().strip_prefix(key))
                .map(str::trim)
                .expect("key")
        };
        let found: Vec<&str> = if code == "E501" {
            parse_output(value("output:"))
                .1
                .iter()
                .map(|e| e.code.as_str())
                .collect()
        } else {
            parse_condition(value("condition:"))
                .1
                .iter()
                .map(|e| e.code.as_str())
                .collect()
        };
        assert!(found.contains(&code), "{code}: {found:?}");
    }
}

#[test]
fn the_operator_table_is_in_enum_order_and_every_operator_parses() {
    for (index, (op, spelling, _)) in Op::TABLE.iter().enumerate() {
        assert_eq!(*op as usize, index, "`{spelling}` is out of place");
        assert_eq!(Op::from_spelling(spelling), Some(*op));
    }
    for &op in Op::ALL {
        let value = match op.syntax() {
            OpSyntax::Unary => "",
            OpSyntax::Numeric => " 1",
            OpSyntax::Equality | OpSyntax::Word => " x",
            OpSyntax::List => " (x)",
        };
        let text = format!("proc.name {}{value}", op.as_str());
        let Expr::Check(check) = ok(&text) else {
            panic!("{text}: not a check");
        };
        assert_eq!(check.op.op, op, "{text}");
        if op.takes_modifier() {
            for &modifier in Modifier::ALL {
                let text = format!("proc.name {} {} (x)", op.as_str(), modifier.as_str());
                let Expr::Check(check) = ok(&text) else {
                    panic!("{text}: not a check");
                };
                assert_eq!((check.op.op, check.op.modifier), (op, Some(modifier)));
            }
        }
    }
}
