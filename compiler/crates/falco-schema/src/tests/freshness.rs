//! The embedded tables must say exactly what `rules-stdlib/schema/*.json` says.

use crate::tables::{CLASSES, EVENT_NAMES, EVENT_PARAMS, EVENTS, SOURCES};
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
fn events_match_json() {
    let doc = load("event_types.json");
    let events = doc["events"].as_array().cloned().unwrap_or_default();
    assert_eq!(events.len(), EVENTS.len());
    for (je, e) in events.iter().zip(EVENTS) {
        assert_eq!(str_of(je, "name"), Some(e.name));
        assert_eq!(str_of(je, "category"), Some(e.category));
        assert_eq!(bool_of(je, "old"), e.old);
        let params = je["params"].as_array().cloned().unwrap_or_default();
        let jp: Vec<(&str, &str)> = params
            .iter()
            .filter_map(|p| Some((str_of(p, "name")?, str_of(p, "type")?)))
            .collect();
        let ours: Vec<(&str, &str)> = e.params.iter().map(|p| (p.name, p.ty.name())).collect();
        assert_eq!(jp, ours, "{}", e.name);
    }
    let syscalls = doc["syscalls"].as_array().cloned().unwrap_or_default();
    let plugin_events: Vec<&str> = doc["plugin_events"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| str_of(p, "name")).collect())
        .unwrap_or_default();
    let mut all: Vec<&str> = events.iter().filter_map(|e| str_of(e, "name")).collect();
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
    let params = doc["params"].as_array().cloned().unwrap_or_default();
    assert_eq!(params.len(), EVENT_PARAMS.len());
    for p in &params {
        let name = str_of(p, "name").unwrap_or_default();
        assert_eq!(
            Schema::get().event_param(name).map(|p| p.ty.name()),
            str_of(p, "type"),
            "{name}"
        );
    }
}

#[test]
fn operators_match_json() {
    let doc = load("operators.json");
    let ops: Vec<&str> = doc["operators"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert_eq!(ops, operators());
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
