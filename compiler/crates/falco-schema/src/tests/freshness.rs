//! The embedded tables must say exactly what `rules-stdlib/schema/*.json` says.

use crate::tables::{CLASSES, EVENT_CODES, EVENT_NAMES, EVENT_PARAMS, EVENTS, SOURCES};
use crate::*;
use serde_json::Value;
use std::path::PathBuf;

pub(super) fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../rules-stdlib/schema")
}

fn load(file: &str) -> Value {
    let path = schema_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn bool_of(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

#[test]
fn fields_match_json() {
    let mut json_classes = Vec::new();
    for file in [
        "generic.json",
        "syscall.json",
        "k8s_audit.json",
        "aws_cloudtrail.json",
        "json_plugin.json",
    ] {
        let doc = load(file);
        json_classes.extend(doc["classes"].as_array().cloned().unwrap_or_default());
    }
    assert_eq!(json_classes.len(), CLASSES.len());
    for (jc, class) in json_classes.iter().zip(CLASSES) {
        assert_eq!(str_of(jc, "id"), Some(class.id));
        assert_eq!(str_of(jc, "prefix_class"), Some(class.falco_name));
        assert_eq!(
            str_of(jc, "provider").map(str::to_owned),
            Some(class.provider.to_string())
        );
        assert_eq!(str_of(jc, "desc"), Some(class.description));
        let fields = jc["fields"].as_array().cloned().unwrap_or_default();
        assert_eq!(fields.len(), class.fields.len(), "{}", class.id);
        for (jf, f) in fields.iter().zip(class.fields) {
            assert_eq!(str_of(jf, "name"), Some(f.name));
            assert_eq!(str_of(jf, "type"), Some(f.ty.name()), "{}", f.name);
            assert_eq!(str_of(jf, "desc"), Some(f.description), "{}", f.name);
            assert_eq!(bool_of(jf, "list"), f.is_list, "{}", f.name);
            assert_eq!(bool_of(jf, "deprecated"), f.deprecated, "{}", f.name);
            assert_eq!(str_of(jf, "replacement"), f.replacement, "{}", f.name);
            assert_eq!(f.provider, class.provider);
            match jf.get("arg") {
                None => assert_eq!(f.arg, ArgSpec::NONE, "{}", f.name),
                Some(arg) => {
                    let presence = match f.arg.presence {
                        Presence::None => "none",
                        Presence::Required => "required",
                        Presence::Optional => "optional",
                    };
                    assert_eq!(str_of(arg, "presence"), Some(presence), "{}", f.name);
                    assert_eq!(
                        str_of(arg, "bracket"),
                        f.arg.bracket.map(ArgKind::name),
                        "{}",
                        f.name
                    );
                    assert_eq!(
                        str_of(arg, "dotted"),
                        f.arg.dotted.map(ArgKind::name),
                        "{}",
                        f.name
                    );
                }
            }
            let flags: Vec<&str> = jf
                .get("flags")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let fl = f.flags;
            let expect = [
                ("no_rhs", fl.no_rhs),
                ("no_transformer", fl.no_transformer),
                ("filter_only", fl.filter_only),
                ("print_only", fl.print_only),
                ("table_only", fl.table_only),
                ("info", fl.info),
                ("conversation", fl.conversation),
            ];
            for (name, set) in expect {
                assert_eq!(flags.contains(&name), set, "{}: flag {name}", f.name);
            }
        }
    }
    let sources = load("sources.json");
    let js = sources["sources"].as_array().cloned().unwrap_or_default();
    assert_eq!(js.len(), SOURCES.len());
    for (j, s) in js.iter().zip(SOURCES) {
        assert_eq!(str_of(j, "name"), Some(s.name));
        let ids: Vec<&str> = j["classes"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let ours: Vec<&str> = s
            .classes
            .iter()
            .filter_map(|&i| CLASSES.get(i))
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, ours);
    }
}

#[test]
fn event_codes_match_json() {
    let doc = load("event_table.json");
    let codes = doc["events"].as_array().cloned().unwrap_or_default();
    assert_eq!(codes.len(), EVENT_CODES.len());
    for (jc, c) in codes.iter().zip(EVENT_CODES) {
        assert_eq!(jc["code"].as_u64(), Some(u64::from(c.code)));
        assert_eq!(str_of(jc, "id"), Some(c.id));
        assert_eq!(str_of(jc, "name"), Some(c.name), "{}", c.id);
        assert_eq!(str_of(jc, "dir"), Some(if c.enter { ">" } else { "<" }));
        assert_eq!(str_of(jc, "category"), Some(c.category));
        assert_eq!(
            jc["fd_param"].as_u64(),
            c.fd_param.map(u64::from),
            "{}",
            c.id
        );
        let flags = jc["flags"].as_array().map_or(0, Vec::len);
        assert_eq!(flags as u32, c.flags.0.count_ones(), "{}", c.id);
        let params = jc["params"].as_array().cloned().unwrap_or_default();
        let jp: Vec<(&str, &str)> = params
            .iter()
            .filter_map(|p| Some((str_of(p, "name")?, str_of(p, "type")?)))
            .collect();
        let ours: Vec<(&str, &str)> = c.params.iter().map(|p| (p.name, p.ty.name())).collect();
        assert_eq!(jp, ours, "{}", c.id);
        for (p, ours) in params.iter().zip(c.params) {
            let info = match ours.info {
                ParamInfo::None => None,
                ParamInfo::Flags(t) => Some(("flags", t.to_owned())),
                ParamInfo::Dynamic(t) => Some(("dynamic", t.to_owned())),
                ParamInfo::Dirfd(n) => Some(("dirfd", n.to_string())),
            };
            if let Some((key, value)) = info {
                let json = p[key]
                    .as_str()
                    .map_or_else(|| p[key].to_string(), str::to_owned);
                assert_eq!(json, value, "{} {}", c.id, ours.name);
            }
            if let ParamInfo::Flags(t) = ours.info {
                assert!(Schema::get().flag_table(t).is_some(), "{t}");
            }
            if let ParamInfo::Dynamic(t) = ours.info {
                assert!(Schema::get().dynamic_table(t).is_some(), "{t}");
            }
        }
    }
    let file_flags = Schema::get().flag_table("file_flags").expect("file_flags");
    assert!(file_flags.entries.contains(&("O_CREAT", 4)));
    let passes: Vec<u64> = doc["converter_passes_enter"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let ours: Vec<u64> = EVENT_CODES
        .iter()
        .filter(|c| c.converter_passes)
        .map(|c| u64::from(c.code))
        .collect();
    assert_eq!(passes, ours);
    let s = Schema::get();
    let syscalls = doc["syscalls"].as_object().cloned().unwrap_or_default();
    for (code, name) in &syscalls {
        let code: u16 = code.parse().expect("numeric code");
        assert_eq!(s.syscall_name(code), name.as_str());
        assert_eq!(s.syscall_code(name.as_str().unwrap_or("")), Some(code));
    }
    assert_eq!(s.syscall_name(139), Some("madvise"));
}

/// What a capture hands libsinsp: exits always, enter events only where libscap's
/// converter passes them on (open's does; read's is kept for its exit and dropped).
#[test]
fn delivered_codes_follow_the_converter() {
    let s = Schema::get();
    let by_id = |id: &str| EVENT_CODES.iter().find(|c| c.id == id).expect(id);
    assert!(by_id("PPME_SYSCALL_OPEN_E").delivered_from_captures());
    assert!(by_id("PPME_SYSCALL_OPEN_X").delivered_from_captures());
    assert!(!by_id("PPME_SYSCALL_READ_E").delivered_from_captures());
    assert!(by_id("PPME_SYSCALL_READ_X").delivered_from_captures());
    assert!(!by_id("PPME_PROCEXIT_X").delivered_from_captures());
    assert!(
        s.event_codes()
            .iter()
            .filter(|c| c.enter && c.delivered_from_captures())
            .count()
            > 7
    );
}

/// Each event type has the parameters of the code it is derived from: its current exit
/// version where there is one.
#[test]
fn event_types_come_from_the_codes() {
    let s = Schema::get();
    let mut names: Vec<&str> = Vec::new();
    for c in EVENT_CODES {
        if !names.contains(&c.name) {
            names.push(c.name);
        }
    }
    assert_eq!(names, EVENTS.iter().map(|e| e.name).collect::<Vec<_>>());
    for e in EVENTS {
        let from: Vec<EventParam> = e.params.to_vec();
        let source = EVENT_CODES.iter().rev().find(|c| {
            c.name == e.name
                && c.params
                    .iter()
                    .map(|p| EventParam {
                        name: p.name,
                        ty: p.ty,
                    })
                    .eq(from.iter().copied())
        });
        assert!(source.is_some(), "{}", e.name);
        match s.current_code(e.name, false) {
            Some(exit) => {
                assert!(!e.old, "{}", e.name);
                assert_eq!(exit.params.len(), e.params.len(), "{}", e.name);
            }
            None => assert_eq!(e.old, s.current_code(e.name, true).is_none(), "{}", e.name),
        }
    }
    let open = s.current_code("open", false).expect("open exit");
    assert_eq!(open.id, "PPME_SYSCALL_OPEN_X");
    assert_eq!(s.event_code(open.code), Some(open));
}

#[test]
fn event_names_match_json() {
    let doc = load("event_types.json");
    let syscalls = doc["syscalls"].as_array().cloned().unwrap_or_default();
    let plugin_events: Vec<&str> = doc["plugin_events"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| str_of(p, "name")).collect())
        .unwrap_or_default();
    let mut all: Vec<&str> = EVENTS.iter().map(|e| e.name).collect();
    all.extend(syscalls.iter().filter_map(Value::as_str));
    all.extend(plugin_events.iter().copied());
    all.sort_unstable();
    all.dedup();
    let ours: Vec<&str> = EVENT_NAMES.iter().map(|(n, _)| *n).collect();
    assert_eq!(all, ours);
    for (name, index) in EVENT_NAMES {
        assert_eq!(
            index.and_then(|i| EVENTS.get(i)).map(|e| e.name),
            Schema::get().event_type(name).map(|e| e.name)
        );
    }
    let mut params: Vec<&str> = EVENT_CODES
        .iter()
        .flat_map(|c| c.params.iter().map(|p| p.name))
        .collect();
    params.sort_unstable();
    params.dedup();
    assert_eq!(
        params,
        EVENT_PARAMS.iter().map(|p| p.name).collect::<Vec<_>>()
    );
}

#[test]
fn operators_match_json() {
    // The operator names themselves are checked against the condition parser's
    // table by the workspace test `operators`.
    let doc = load("operators.json");
    let groups = doc["ops_by_group"].as_object().cloned().unwrap_or_default();
    for (group, list) in &groups {
        let list: Vec<&str> = list
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let ty = FieldType::ALL
            .iter()
            .copied()
            .find(|t| t.group().name() == group)
            .expect("a type per group");
        assert_eq!(ops_allowed(ty, false), list.as_slice(), "{group}");
    }
    let trans = doc["transformers"].as_array().cloned().unwrap_or_default();
    assert_eq!(trans.len(), transformers().len());
}

/// Flag and enum values get libsinsp's names, in table order.
#[test]
fn flag_names_follow_libsinsp() {
    let s = Schema::get();
    let names = |table: &str, value: u32, exact: bool| {
        let mut out = String::new();
        s.flag_table(table)
            .expect(table)
            .write_names(value, exact, &mut out);
        out
    };
    assert_eq!(names("file_flags", 7, false), "O_CREAT|O_RDWR");
    assert_eq!(names("file_flags", 1, false), "O_RDONLY");
    assert_eq!(names("file_flags", 0, false), "O_NONE");
    assert_eq!(names("file_flags", 1 | 4096, false), "O_RDONLY|O_CLOEXEC");
    assert_eq!(names("socket_families", 16, true), "AF_ROUTE|AF_NETLINK");
    assert_eq!(names("socket_families", 2, true), "AF_INET");
    assert_eq!(names("socket_families", 200, true), "");
}
