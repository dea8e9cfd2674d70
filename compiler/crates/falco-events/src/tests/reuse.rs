//! `SyscallBuilder::reuse` builds the same event as a new builder, whatever the event
//! whose buffers it fills.

use proptest::prelude::*;

use crate::event::EventBody;
use crate::{ContainerContext, Event, FdInfo, ProcChain, ProcInfo, SyscallBuilder};

/// One event to build: type, arguments (name, number or text), descriptor, chain.
#[derive(Debug, Clone)]
struct Spec {
    ty: &'static str,
    args: Vec<(&'static str, Result<i64, String>)>,
    fd: Option<(i64, &'static str, Option<String>)>,
    procs: Vec<(i64, String)>,
    container: bool,
}

const TYPES: &[&str] = &["openat", "open", "close", "execve", "connect", "chdir"];
const NAMES: &[&str] = &["fd", "dirfd", "name", "flags", "mode", "path", "res"];
const FD_KINDS: &[&str] = &["file", "ipv4", "unix", "nosuchkind"];

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..TYPES.len(),
        prop::collection::vec(
            (
                0..NAMES.len(),
                prop_oneof![any::<i64>().prop_map(Ok), "[a-z/|0-9]{0,12}".prop_map(Err)],
            ),
            0..6,
        ),
        prop::option::of((
            any::<i64>(),
            0..FD_KINDS.len(),
            prop::option::of("[a-z/]{0,20}"),
        )),
        prop::collection::vec((0i64..5, "[a-z]{0,8}"), 0..4),
        any::<bool>(),
    )
        .prop_map(|(ty, args, fd, procs, container)| Spec {
            ty: TYPES[ty],
            args: args.into_iter().map(|(n, v)| (NAMES[n], v)).collect(),
            fd: fd.map(|(n, k, name)| (n, FD_KINDS[k], name)),
            procs,
            container,
        })
}

fn build(spec: &Spec, old: Option<Event>) -> Event {
    let mut b = SyscallBuilder::reuse(old, spec.ty, 42).expect("known type");
    b.res(3);
    for (name, v) in &spec.args {
        match v {
            Ok(n) if n % 2 == 0 => b.arg_int(name, *n),
            Ok(n) => b.arg_raw_text(name, *n, "TEXT"),
            Err(t) => b.arg_str(name, t),
        };
    }
    if !spec.procs.is_empty() {
        let args = vec!["-c".to_string()];
        let chain = ProcChain::new(
            spec.procs.iter().map(|(pid, name)| ProcInfo {
                pid: *pid,
                name,
                exe: name,
                args: Some(&args),
                ..ProcInfo::default()
            }),
            spec.container.then_some(&ContainerContext::pending("abc")),
        );
        b.chain(&chain, spec.procs[0].0 + 7);
    }
    if let Some((num, kind, name)) = &spec.fd {
        b.fd(&FdInfo {
            num: *num,
            kind,
            name: name.as_deref(),
            ..FdInfo::default()
        });
    }
    b.build(7, 1, None)
}

/// Everything extraction reads is equal (the reused buffers are not).
fn assert_same(a: &Event, b: &Event) {
    assert_eq!((a.num, a.ts, a.first_ts), (b.num, b.ts, b.first_ts));
    let (EventBody::Syscall(a), EventBody::Syscall(b)) = (&a.body, &b.body) else {
        panic!("not syscall events");
    };
    assert_eq!(a.evt_type, b.evt_type);
    assert_eq!((a.enter, a.cpu, a.res), (b.enter, b.cpu, b.res));
    assert_eq!(a.args, b.args);
    assert_eq!(a.procs, b.procs);
    assert_eq!(a.tid, b.tid);
    assert_eq!(a.fd, b.fd);
    assert_eq!(a.container, b.container);
    assert_eq!(a.k8s, b.k8s);
    assert_eq!(a.open_flags, b.open_flags);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(falco_test_budget::cases(200)))]

    #[test]
    fn reused_builds_equal_new_builds(specs in prop::collection::vec(spec(), 1..6)) {
        let mut spare = None;
        for s in &specs {
            let reused = build(s, spare.take());
            assert_same(&reused, &build(s, None));
            spare = Some(reused);
        }
    }
}

proptest! {
    #[test]
    fn push_int_writes_what_to_string_writes(v in any::<i64>()) {
        let mut out = String::from("x");
        crate::syscall::push_int(&mut out, v);
        prop_assert_eq!(out, format!("x{v}"));
    }
}

#[test]
fn push_int_extremes() {
    for v in [0, -1, 9, 10, i64::MIN, i64::MAX] {
        let mut out = String::new();
        crate::syscall::push_int(&mut out, v);
        assert_eq!(out, v.to_string());
    }
}

proptest! {
    #[test]
    fn numeric_open_flags_give_the_bits_of_their_text(v in 0u64..0o40000000) {
        let mut b = SyscallBuilder::new("openat", 1).expect("type");
        b.arg_int("flags", v as i64);
        let built = b.build(1, 1, None);
        let EventBody::Syscall(e) = &built.body else { panic!("syscall") };
        let line = format!(r#"{{"ts":1,"type":"openat","args":{{"flags":"{}"}}}}"#, e.args[0].text);
        let parsed = crate::read_syscall(&line).remove(0).expect("parses");
        let EventBody::Syscall(p) = &parsed.body else { panic!("syscall") };
        prop_assert_eq!(e.open_flags, p.open_flags);
        prop_assert_eq!(&e.args[0].text, &p.args[0].text);
    }
}
