use super::*;

mod corpus;
mod freshness;
mod plugins;

fn ok(source: &str, name: &str, arg: Option<&str>) -> ResolvedField {
    match Schema::get().resolve(source, name, arg) {
        Ok(r) => r,
        Err(e) => panic!("{source}: `{name}` {arg:?} should resolve, got: {e}"),
    }
}

fn err(source: &str, name: &str, arg: Option<&str>) -> FieldError {
    match Schema::get().resolve(source, name, arg) {
        Ok(r) => panic!(
            "{source}: `{name}` {arg:?} should fail, resolved to {}",
            r.field.name
        ),
        Err(e) => e,
    }
}

#[test]
fn known_sources() {
    let s = Schema::get();
    let sources: Vec<_> = s.known_sources().collect();
    assert_eq!(sources, ["syscall", "k8s_audit", "aws_cloudtrail"]);
    assert!(!s.is_known_source("okta"));
    assert!(matches!(
        err("okta", "okta.app", None),
        FieldError::UnknownSource { .. }
    ));
}

#[test]
fn bracket_arguments() {
    let r = ok("syscall", "proc.aname", Some("2"));
    assert_eq!(r.field.name, "proc.aname");
    assert_eq!(
        r.arg,
        Some(FieldArg {
            form: ArgForm::Bracket,
            text: "2".into()
        })
    );
    assert!(ok("syscall", "proc.aname", None).arg.is_none());
    assert_eq!(
        ok("syscall", "k8s.pod.label", Some("app")).field.provider,
        Provider::Plugin("container")
    );
    assert_eq!(ok("syscall", "evt.arg", Some("0")).ty, FieldType::Charbuf);
    assert_eq!(
        ok("syscall", "proc.env", Some("HOME")).field.name,
        "proc.env"
    );
    assert!(ok("syscall", "fd.types", Some("0")).is_list);
    let r = ok("k8s_audit", "jevt.value", Some("/stage"));
    assert_eq!(r.field.provider, Provider::Plugin("json"));
    assert!(ok("k8s_audit", "ka.req.pod.containers.image", None).is_list);
    assert!(ok("k8s_audit", "ka.req.pod.containers.image", Some("0")).is_list);
    assert_eq!(
        ok(
            "aws_cloudtrail",
            "json.value",
            Some("/responseElements/ConsoleLogin")
        )
        .ty,
        FieldType::Charbuf
    );
}

#[test]
fn longest_prefix() {
    assert_eq!(ok("syscall", "fd.name", None).field.name, "fd.name");
    assert_eq!(ok("syscall", "fd.nameraw", None).field.name, "fd.nameraw");
    assert_eq!(ok("syscall", "evt.args", None).field.name, "evt.args");
    assert_eq!(ok("syscall", "proc.pid.ts", None).field.name, "proc.pid.ts");
    assert_eq!(
        ok("syscall", "thread.cgroups", None).field.name,
        "thread.cgroups"
    );
    assert_eq!(
        ok("k8s_audit", "ka.req.pod.containers.image.repository", None)
            .field
            .name,
        "ka.req.pod.containers.image.repository"
    );
    assert_eq!(ok("aws_cloudtrail", "ct.name", None).field.name, "ct.name");
    assert_eq!(
        ok("aws_cloudtrail", "s3.bytes.in", None).ty,
        FieldType::Uint64
    );
    // A longer name that only extends a field without a dotted argument is unknown.
    assert!(matches!(
        err("syscall", "proc.namex", None),
        FieldError::Unknown { .. }
    ));
    assert!(matches!(
        err("syscall", "fd.name.foo", None),
        FieldError::Unknown { .. }
    ));
}

#[test]
fn dotted_arguments() {
    let r = ok("syscall", "evt.arg.flags", None);
    assert_eq!(r.field.name, "evt.arg");
    assert_eq!(
        r.arg,
        Some(FieldArg {
            form: ArgForm::Dotted,
            text: "flags".into()
        })
    );
    assert_eq!(r.ty, FieldType::Charbuf);
    assert_eq!(ok("syscall", "evt.arg.name", None).field.name, "evt.arg");
    let r = ok("syscall", "evt.rawarg.res", None);
    assert_eq!(r.field.name, "evt.rawarg");
    assert_eq!(r.ty, FieldType::Errno);
    assert_eq!(
        ok("syscall", "evt.rawarg.flags", None).ty,
        FieldType::Flags32
    );
    assert_eq!(
        ok("syscall", "evt.type.is.open", None).field.name,
        "evt.type.is"
    );
    assert_eq!(
        ok("syscall", "thread.cgroup.cpuacct", None).field.name,
        "thread.cgroup"
    );
    assert_eq!(
        ok("syscall", "evt.abspath.src", None).field.name,
        "evt.abspath"
    );
    assert_eq!(ok("syscall", "evt.abspath", None).arg, None);
    assert!(matches!(
        err("syscall", "evt.arg.nosuchparam", None),
        FieldError::UnknownEventParam { .. }
    ));
    assert!(matches!(
        err("syscall", "evt.type.is.nosuch", None),
        FieldError::UnknownEventType { .. }
    ));
    assert!(matches!(
        err("syscall", "evt.abspath.up", None),
        FieldError::BadArg { .. }
    ));
    // evt.rawarg takes no brackets; evt.type.is needs its suffix.
    assert!(matches!(
        err("syscall", "evt.rawarg", Some("0")),
        FieldError::ArgNotAllowed {
            form: ArgForm::Bracket,
            ..
        }
    ));
    assert!(matches!(
        err("syscall", "evt.type.is", None),
        FieldError::ArgMissing { .. }
    ));
    assert!(matches!(
        err("syscall", "thread.cgroup", None),
        FieldError::ArgMissing { .. }
    ));
    assert!(matches!(
        err("syscall", "evt.arg.fd", Some("0")),
        FieldError::ArgNotAllowed { .. }
    ));
}

#[test]
fn argument_checks() {
    assert!(matches!(
        err("syscall", "k8s.pod.label", None),
        FieldError::ArgMissing { .. }
    ));
    assert!(matches!(
        err("syscall", "proc.name", Some("1")),
        FieldError::ArgNotAllowed { .. }
    ));
    assert!(matches!(
        err("syscall", "proc.aname", Some("x")),
        FieldError::ArgNotNumeric { .. }
    ));
    assert!(matches!(
        err("syscall", "evt.arg", Some("fd")),
        FieldError::ArgNotNumeric { .. }
    ));
    assert!(matches!(
        err("k8s_audit", "ka.req.pod.containers.image", Some("a")),
        FieldError::ArgNotNumeric { .. }
    ));
    assert!(matches!(
        err("k8s_audit", "ka.uri.param", None),
        FieldError::ArgMissing { .. }
    ));
    assert!(matches!(
        err("k8s_audit", "jevt.value", None),
        FieldError::ArgMissing { .. }
    ));
    // Plugin fields accept only brackets.
    assert!(matches!(
        err("syscall", "k8s.pod.label.app", None),
        FieldError::ArgNotAllowed {
            form: ArgForm::Dotted,
            ..
        }
    ));
    let msg = err("syscall", "k8s.pod.label", None).to_string();
    assert_eq!(
        msg,
        "field `k8s.pod.label` requires an argument, e.g. `k8s.pod.label[name]`"
    );
}

#[test]
fn wrong_source_is_not_unknown() {
    match err("syscall", "ka.verb", None) {
        FieldError::WrongSource { sources, .. } => assert_eq!(sources, ["k8s_audit"]),
        other => panic!("{other:?}"),
    }
    match err("k8s_audit", "proc.name", None) {
        FieldError::WrongSource { sources, .. } => assert_eq!(sources, ["syscall"]),
        other => panic!("{other:?}"),
    }
    match err("syscall", "json.value", Some("/a")) {
        FieldError::WrongSource { sources, .. } => {
            assert_eq!(sources, ["k8s_audit", "aws_cloudtrail"])
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        err("syscall", "ka.nosuch", None),
        FieldError::Unknown { .. }
    ));
    // Generic evt.* fields work everywhere; syscall-only evt.* fields do not.
    assert!(ok("k8s_audit", "evt.time", None).field.is_generic());
    assert!(ok("aws_cloudtrail", "evt.source", None).field.is_generic());
    assert!(matches!(
        err("k8s_audit", "evt.type", None),
        FieldError::WrongSource { .. }
    ));
    let msg = err("syscall", "ka.verb", None).to_string();
    assert_eq!(
        msg,
        "field `ka.verb` is not available for source `syscall` (only for `k8s_audit`)"
    );
}

#[test]
fn suggestions() {
    match err("syscall", "proc.nam", None) {
        FieldError::Unknown { suggestion, .. } => assert_eq!(suggestion, Some("proc.name")),
        other => panic!("{other:?}"),
    }
    match err("syscall", "evt.arg.flagz", None) {
        FieldError::UnknownEventParam { suggestion, .. } => assert_eq!(suggestion, Some("flags")),
        other => panic!("{other:?}"),
    }
    assert_eq!(Schema::get().suggest_event_type("opnat"), Some("openat"));
    assert_eq!(
        err("syscall", "proc.nam", None).to_string(),
        "unknown field `proc.nam`"
    );
}

#[test]
fn deprecated_fields() {
    let s = Schema::get();
    for name in ["evt.dir", "evt.latency", "evt.latency.human", "k8s.rc.name"] {
        assert!(ok("syscall", name, None).field.deprecated, "{name}");
    }
    assert!(!ok("syscall", "proc.name", None).field.deprecated);
    assert_eq!(
        s.field("k8s.deployment.name").and_then(|f| f.replacement),
        Some("k8smeta.deployment.name")
    );
    assert_eq!(
        s.field("ka.req.container.image")
            .and_then(|f| f.replacement),
        Some("ka.req.pod.containers.image")
    );
}

#[test]
fn event_types() {
    let s = Schema::get();
    for name in [
        "open",
        "openat",
        "openat2",
        "execve",
        "execveat",
        "container",
        "procexit",
        "switch",
        "connect",
    ] {
        assert!(s.is_event_type(name), "{name}");
    }
    // Syscall names without an own event are accepted too (they arrive as generic events).
    assert!(s.is_event_type("getpid"));
    assert!(s.event_type("getpid").is_none());
    assert!(!s.is_event_type("nosuchsyscall"));
    // Async events of the container plugin.
    assert!(s.is_event_type("container_removed"));
    assert!(s.event_type("container").is_some());
    assert!(!s.is_event_type("Open"));
    let open = s.event_type("open").expect("open");
    assert_eq!(open.kind, EventKind::Syscall);
    assert!(
        open.params
            .iter()
            .any(|p| p.name == "flags" && p.ty == FieldType::Flags32)
    );
    assert_eq!(
        s.event_type("switch").map(|e| e.kind),
        Some(EventKind::Tracepoint)
    );
    assert_eq!(s.event_param("res").map(|p| p.ty), Some(FieldType::Errno));
    let names: Vec<_> = s.event_type_names().collect();
    assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "event names sorted and unique"
    );
}

#[test]
fn field_types_and_groups() {
    assert_eq!(FieldType::from_name("PT_CHARBUF"), Some(FieldType::Charbuf));
    assert_eq!(
        FieldType::from_name("charbuf_pair_array"),
        Some(FieldType::CharbufPairArray)
    );
    assert_eq!(FieldType::from_name("nope"), None);
    assert_eq!(FieldType::Ipnet.pt_name(), "PT_IPNET");
    for ty in FieldType::ALL {
        assert_eq!(FieldType::from_name(ty.name()), Some(*ty));
    }
    assert!(FieldType::Uint64.is_numeric());
    assert!(FieldType::Reltime.is_numeric());
    assert!(FieldType::Port.is_numeric());
    assert!(!FieldType::Charbuf.is_numeric());
    assert_eq!(FieldType::Charbuf.group(), TypeGroup::String);
    assert_eq!(FieldType::Fspath.group(), TypeGroup::String);
    assert_eq!(FieldType::Bytebuf.group(), TypeGroup::Buffer);
    assert_eq!(FieldType::Ipaddr.group(), TypeGroup::Ip);
    assert_eq!(FieldType::Bool.group(), TypeGroup::Bool);
    assert_eq!(FieldType::Uid.group(), TypeGroup::Other);
}

#[test]
fn operator_tables() {
    assert!(op_allowed("contains", FieldType::Charbuf, false));
    assert!(op_allowed("regex", FieldType::Charbuf, false));
    assert!(!op_allowed("contains", FieldType::Uint64, false));
    assert!(!op_allowed("glob", FieldType::Int64, false));
    assert!(op_allowed("<", FieldType::Int64, false));
    assert!(op_allowed("bcontains", FieldType::Bytebuf, false));
    assert!(!op_allowed("bcontains", FieldType::Charbuf, false));
    assert!(!op_allowed("contains", FieldType::Ipaddr, false));
    assert!(op_allowed("in", FieldType::Ipnet, false));
    // List fields: only in / intersects / exists.
    assert_eq!(
        ops_allowed(FieldType::Charbuf, true),
        ["in", "exists", "intersects"]
    );
    assert!(!op_allowed("=", FieldType::Charbuf, true));
    assert_eq!(ops_allowed(FieldType::Uid, false), ["exists"]);
    assert_eq!(ops_allowed(FieldType::Int64, true), ["exists"]);
    assert!(op_allowed("exists", FieldType::Charbuf, false));
}

#[test]
fn transformer_tables() {
    let lower = transformer("tolower").expect("tolower");
    assert!(lower.accepts(FieldType::Charbuf, false));
    assert!(!lower.accepts(FieldType::Uint64, false));
    assert_eq!(
        lower.output_for(FieldType::Fspath, true),
        (FieldType::Fspath, true)
    );
    let len = transformer("len").expect("len");
    assert!(len.accepts(FieldType::Uint64, true));
    assert_eq!(
        len.output_for(FieldType::Charbuf, true),
        (FieldType::Uint64, false)
    );
    assert_eq!(
        transformer("join").map(|t| t.output),
        Some(Some(FieldType::Charbuf))
    );
    assert!(transformer("getopt").is_some_and(|t| t.output_list));
    assert!(transformer("storage").is_none());
    assert!(transformer("val").is_some());
}

#[test]
fn names_are_unique_and_described() {
    let s = Schema::get();
    let mut seen = std::collections::HashSet::new();
    for f in s.all_fields() {
        assert!(seen.insert(f.name), "duplicate field {}", f.name);
        assert!(
            !f.description.is_empty() && f.description.ends_with('.'),
            "{}: description",
            f.name
        );
    }
    assert!(seen.len() > 450);
}

#[test]
fn no_field_is_shadowed() {
    // With first-class-wins lookup, a field whose name starts with a field of an earlier class
    // of the same source can never be reached; the tables must not contain such a pair. The
    // exact-name fast path of `resolve` relies on this, so check the full walk here.
    let s = Schema::get();
    for source in s.sources() {
        for f in s.fields_for(source.name) {
            match resolve::lookup_walk(source, f.name) {
                resolve::Lookup::Found(found, _) => assert_eq!(
                    found.name, f.name,
                    "{}: {} is shadowed",
                    source.name, f.name
                ),
                resolve::Lookup::NoClass => panic!("{}: {} not found", source.name, f.name),
            }
        }
    }
}

#[test]
fn lookup_is_fast() {
    let s = Schema::get();
    let names = [
        "proc.name",
        "fd.name",
        "evt.type",
        "proc.aname",
        "container.image.repository",
        "evt.arg.flags",
    ];
    let start = std::time::Instant::now();
    let mut n = 0usize;
    for _ in 0..1000 {
        for name in names {
            n += usize::from(s.resolve("syscall", name, None).is_ok());
        }
    }
    let elapsed = start.elapsed();
    assert_eq!(n, 6000);
    println!("6000 resolutions in {elapsed:?}");
    // Generous bound for unoptimised builds on a loaded machine.
    assert!(elapsed.as_millis() < 500, "{elapsed:?}");
}

#[test]
fn rawarg_types_follow_the_event_table() {
    // libsinsp: `evt.rawarg.res > 0` compiles, `evt.rawarg.addr > 0` and `.tuple > 0` do not.
    let res = ok("syscall", "evt.rawarg.res", None);
    assert!(op_allowed(">", res.ty, res.is_list));
    for name in ["evt.rawarg.addr", "evt.rawarg.tuple"] {
        let r = ok("syscall", name, None);
        assert!(!op_allowed(">", r.ty, r.is_list), "{name}: {}", r.ty);
    }
    assert!(ok("syscall", "evt.rawarg.uid", None).ty.is_numeric());
    assert!(
        ok("syscall", "evt.rawarg.flags", None)
            .field
            .flags
            .no_transformer
    );
}
