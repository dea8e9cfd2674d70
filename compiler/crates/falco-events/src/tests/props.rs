//! Property tests: no input makes reading or extraction panic, or go over the test
//! budget (`falco_test_budget::bounded`: time and memory).

use falco_test_budget::bounded;
use proptest::prelude::*;

use crate::{Extractor, FieldValue, Scratch, read_k8s_audit, read_syscall};

/// Every field of both sources, compiled with a few arguments (once).
fn all_extractors() -> &'static [Extractor] {
    static ALL: std::sync::OnceLock<Vec<Extractor>> = std::sync::OnceLock::new();
    ALL.get_or_init(compile_all)
}

fn compile_all() -> Vec<Extractor> {
    let schema = falco_schema::Schema::get();
    let mut out = Vec::new();
    for source in ["syscall", "k8s_audit"] {
        for f in schema.fields_for(source) {
            for arg in [
                None,
                Some("0"),
                Some("1"),
                Some("flags"),
                Some("/requestObject"),
                Some("x*"),
            ] {
                if let Ok(ex) = Extractor::new(source, f.name, arg) {
                    out.push(ex);
                }
            }
        }
    }
    out
}

const K8S_SEED: &str = r#"{"kind":"Event","auditID":"a","stageTimestamp":"2020-01-01T00:00:00Z","requestURI":"/x?a=b","objectRef":{"resource":"pods"},"requestObject":{"spec":{"containers":[{"image":"a:b","securityContext":{"privileged":true},"ports":[{"hostPort":1}]}],"volumes":[{"hostPath":{"path":"/"}}]},"rules":[{"verbs":["*"]}],"subjects":[{"kind":"User","name":"u"}]}}"#;
const SYS_SEED: &str = r#"{"ts":1,"type":"openat","res":3,"args":{"flags":577,"mode":"0755","name":"/a/b"},"thread":{"pid":1,"sid":1,"exepath":"/bin/sh","args":["-c"]},"ancestors":[{"pid":0}],"fd":{"type":"ipv4","cip":"1.2.3.4","sip":"::1","cport":1,"sport":2,"is_server":true},"container":{"id":"c","image":"x/y:z","mounts":[{"source":"/s","dest":"/d"}]}}"#;

fn mutate(seed: &str, cuts: &[(usize, u8)]) -> String {
    const ALPHABET: &[u8] = b"{}[]\",:0-e\\u";
    let pick = |b: u8| ALPHABET[usize::from(b) % ALPHABET.len()];
    let mut bytes = seed.as_bytes().to_vec();
    for &(pos, b) in cuts {
        if bytes.is_empty() {
            break;
        }
        let i = pos % bytes.len();
        match b % 3 {
            0 => {
                bytes.remove(i);
            }
            1 => bytes.insert(i, pick(b)),
            _ => bytes[i] = pick(b),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn exercise(text: &str, extractors: &[Extractor]) {
    let mut scratch = Scratch::new();
    for r in read_k8s_audit(text).into_iter().chain(read_syscall(text)) {
        match r {
            Ok(ev) => {
                for ex in extractors {
                    let v = ex.extract(&ev, &mut scratch);
                    let _ = v.to_text();
                    let mut json = String::new();
                    v.write_json(&mut json);
                }
            }
            Err(e) => {
                assert!(e.line >= 1 && e.column >= 1);
                assert!(!e.message.is_empty());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(falco_test_budget::cases(300)))]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        bounded(format!("{text:?}"), || exercise(&text, &[]));
    }

    #[test]
    fn garbled_events_never_panic(
        cuts in proptest::collection::vec((0usize..2000, any::<u8>()), 0..6),
        which in any::<bool>(),
    ) {
        let extractors = all_extractors();
        let seed = if which { K8S_SEED } else { SYS_SEED };
        let text = mutate(seed, &cuts);
        bounded(format!("{text:?}"), || exercise(&text, extractors));
    }
}

#[test]
fn seeds_are_valid() {
    assert!(read_k8s_audit(K8S_SEED).iter().all(Result::is_ok));
    assert!(read_syscall(SYS_SEED).iter().all(Result::is_ok));
    exercise(K8S_SEED, all_extractors());
    exercise(SYS_SEED, all_extractors());
}

/// Every extracted value has the variant its schema type calls for, so the VM can rely on
/// the type checker's types.
#[test]
fn values_match_schema_types() {
    use falco_schema::FieldType as T;
    let schema = falco_schema::Schema::get();
    let mut scratch = Scratch::new();
    let mut checked = 0;
    let exec = super::syscall::EXEC.replace('\n', " ");
    for (source, text) in [
        ("syscall", SYS_SEED),
        ("syscall", exec.as_str()),
        ("k8s_audit", K8S_SEED),
    ] {
        let events: Vec<_> = crate::read_events(crate::Source::from_name(source).unwrap(), text)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        for f in schema.fields_for(source) {
            for arg in [None, Some("0"), Some("flags"), Some("/requestObject")] {
                let Ok(resolved) = schema.resolve(source, f.name, arg) else {
                    continue;
                };
                let ex =
                    Extractor::from_resolved(crate::Source::from_name(source).unwrap(), &resolved);
                for ev in &events {
                    let v = ex.extract(ev, &mut scratch);
                    let ok = match v {
                        FieldValue::Missing | FieldValue::AnyOf(_) => true,
                        FieldValue::StrList(_) => resolved.is_list,
                        FieldValue::Str(_) => {
                            matches!(resolved.ty, T::Charbuf | T::Fspath | T::Fsrelpath | T::Dyn)
                        }
                        FieldValue::Bytes(_) => resolved.ty == T::Bytebuf,
                        FieldValue::U64(_) => {
                            resolved.ty.is_numeric()
                                && !matches!(
                                    resolved.ty,
                                    T::Int8
                                        | T::Int16
                                        | T::Int32
                                        | T::Int64
                                        | T::Reltime
                                        | T::Abstime
                                )
                        }
                        FieldValue::I64(_) => matches!(
                            resolved.ty,
                            T::Int8 | T::Int16 | T::Int32 | T::Int64 | T::Errno | T::Fd | T::Pid
                        ),
                        FieldValue::F64(_) => resolved.ty == T::Double,
                        FieldValue::Bool(_) => resolved.ty == T::Bool,
                        FieldValue::Ip(_) => matches!(
                            resolved.ty,
                            T::Ipaddr | T::Ipnet | T::Ipv4addr | T::Ipv6addr
                        ),
                        FieldValue::Net(_) => resolved.ty == T::Ipnet,
                        FieldValue::RelTime(_) => resolved.ty == T::Reltime,
                        FieldValue::AbsTime(_) => resolved.ty == T::Abstime,
                    };
                    assert!(ok, "{} {arg:?}: {:?} for type {:?}", f.name, v, resolved.ty);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 300);
}
