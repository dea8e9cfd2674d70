//! Plugin schema files: both shapes, their errors, and rules of a plugin we do
//! not compile in (krsi, which adds fields and events to the `syscall` source).

use std::path::PathBuf;

use falco_diagnostics::{Code, Severity};

use super::*;
use crate::{Analysis, analyze, analyze_with};

/// The krsi plugin's schema as shipped in `rules-stdlib/plugin-schemas/`.
fn krsi_schema() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../rules-stdlib/plugin-schemas/krsi.json")
}

/// Rules in the manner of the krsi plugin's examples: its events in `evt.type`,
/// its fields in conditions and outputs, and its version required.
const KRSI_RULES: &str = r#"
- required_plugin_versions:
  - name: krsi
    version: 0.1.0
- rule: io_uring open of a secret
  desc: a file under /etc/secrets opened through krsi
  condition: evt.type = krsi_open and krsi.name startswith /etc/secrets and krsi.iou_ret != 0
  output: "opened %krsi.name (fd=%krsi.fd dev=%krsi.dev proc=%proc.name)"
  priority: WARNING
- rule: connection to a metadata server
  desc: a krsi connect to the link-local metadata address
  condition: evt.type in (krsi_connect) and krsi.sip = 169.254.169.254 and krsi.sport = 80
  output: "connect %krsi.cip:%krsi.cport -> %krsi.sip:%krsi.sport res=%krsi.res"
  priority: NOTICE
"#;

fn errors(analysis: &Analysis) -> Vec<Code> {
    analysis
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == Severity::Error)
        .map(|diagnostic| diagnostic.code)
        .collect()
}

fn krsi_rules() -> Vec<(String, String)> {
    vec![("krsi_rules.yaml".to_owned(), KRSI_RULES.to_owned())]
}

#[test]
fn krsi_rules_lint_clean_with_the_krsi_schema_and_fail_without() {
    let without = analyze(krsi_rules());
    let found = errors(&without);
    assert!(found.contains(&Code::E405), "{:#?}", without.diagnostics);
    assert!(found.contains(&Code::E401), "{:#?}", without.diagnostics);
    assert!(found.contains(&Code::E502), "{:#?}", without.diagnostics);
    let schema = read(&[krsi_schema()]).expect("krsi.json");
    let with = analyze_with(krsi_rules(), schema);
    assert!(with.diagnostics.is_empty(), "{:#?}", with.diagnostics);
}

#[test]
fn a_requirement_the_declared_version_does_not_meet_is_an_error() {
    let schema = read(&[krsi_schema()]).expect("krsi.json");
    // krsi.json declares 0.2.0: 0.3.0 and 1.0.0 are not met (Falco wants the same
    // major version, at least as new), though a 0.3.0 release could exist.
    for (required, expected) in [
        ("0.1.0", vec![]),
        ("0.2.0", vec![]),
        ("0.3.0", vec![Code::E209]),
        ("1.0.0", vec![Code::E209]),
    ] {
        let text =
            format!("- required_plugin_versions:\n  - name: krsi\n    version: {required}\n");
        let analysis = analyze_with(vec![("r.yaml".to_owned(), text.clone())], schema);
        assert_eq!(errors(&analysis), expected, "krsi {required}");
        // Without the schema only the built-in table's newest release (0.2.0) is
        // known, and a newer minor version may yet be released.
        let builtin = analyze(vec![("r.yaml".to_owned(), text)]);
        assert_eq!(
            errors(&builtin).is_empty(),
            required != "1.0.0",
            "krsi {required} without the schema"
        );
    }
    let analysis = analyze_with(
        vec![(
            "r.yaml".to_owned(),
            "- required_plugin_versions:\n  - name: krsi\n    version: 0.3.0\n".to_owned(),
        )],
        schema,
    );
    assert!(
        analysis.diagnostics[0].message.contains("declares 0.2.0"),
        "{}",
        analysis.diagnostics[0].message
    );
}

#[test]
fn falcos_field_listing_adds_its_plugin_classes() {
    // The shape of `falco --list --format=json` (Falco 0.44.1): a libsinsp class
    // whose fields we know, and a plugin class.
    let listing = r#"{"fieldclasses": [
      {"name": "process", "desc": "Process", "event_sources": ["syscall"], "fields": [
        {"name": "proc.name", "type": "CHARBUF", "is_list": false, "argument": null, "desc": "name"}]},
      {"name": "tracer (plugin)", "event_sources": ["syscall"], "fields": [
        {"name": "tracer.span", "type": "UINT64", "is_list": false, "argument": null, "desc": "span"},
        {"name": "tracer.tag", "type": "CHARBUF", "is_list": false,
         "argument": {"required": true, "type": ["KEY"]}, "desc": "tag"},
        {"name": "tracer.ids", "type": "UINT64", "is_list": true, "argument": null, "desc": "ids"}]}
    ]}"#;
    let plugins = parse(listing).expect("listing");
    assert_eq!(plugins.len(), 2);
    assert_eq!(plugins[1].name, "tracer");
    assert_eq!(plugins[1].extract_sources, ["syscall"]);
    let schema = Schema::with_plugins(plugins);
    let rules = "- rule: r\n  desc: d\n  condition: evt.type = open and tracer.span > 3 and tracer.tag[team] = x and tracer.ids intersects (1, 2)\n  output: \"%tracer.span %tracer.tag[team]\"\n  priority: INFO\n";
    let files = || vec![("r.yaml".to_owned(), rules.to_owned())];
    assert!(analyze_with(files(), schema).diagnostics.is_empty());
    assert!(!errors(&analyze(files())).is_empty());
    // The argument is required, as the listing says.
    let bare = rules.replace("tracer.tag[team] = x", "tracer.tag = x");
    let analysis = analyze_with(vec![("r.yaml".to_owned(), bare)], schema);
    assert_eq!(
        errors(&analysis),
        [Code::E406],
        "{:#?}",
        analysis.diagnostics
    );
}

#[test]
fn a_source_plugin_makes_its_rules_checked_instead_of_skipped() {
    let description = r#"[{"name": "ticketing", "version": "1.2.0", "event_source": "tickets",
      "fields": [{"type": "string", "name": "ticket.owner", "desc": "Owner."},
                 {"type": "uint64", "name": "ticket.age", "desc": "Age.",
                  "arg": {"isRequired": false, "isIndex": true}}]}]"#;
    let schema = Schema::with_plugins(parse(description).expect("description"));
    let rule = |condition: &str| {
        vec![(
            "r.yaml".to_owned(),
            format!(
                "- rule: r\n  desc: d\n  condition: {condition}\n  output: o\n  priority: INFO\n  source: tickets\n"
            ),
        )]
    };
    // Unknown source: skipped with W203, whatever the condition says.
    let builtin = analyze(rule("ticket.ownr = x"));
    let codes: Vec<Code> = builtin.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::W203]);
    assert!(
        analyze_with(rule("ticket.owner = x and ticket.age[2] > 3"), schema)
            .diagnostics
            .is_empty()
    );
    let typo = analyze_with(rule("ticket.ownr = x"), schema);
    assert_eq!(errors(&typo), [Code::E401]);
    assert!(
        typo.diagnostics[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("ticket.owner")
    );
}

#[test]
fn malformed_schemas_say_where() {
    for (text, expected) in [
        (
            "{\"name\": ",
            "invalid JSON: EOF while parsing a value at line 1 column 9",
        ),
        ("42", "expected Falco's field listing"),
        ("{\"fields\": []}", "the plugin has no `name`"),
        ("[{\"name\": \"p\"}, 3]", "plugin 2 is not an object"),
        (
            "{\"name\": \"p\", \"version\": \"1.x\"}",
            "plugin `p`: version `1.x` is not MAJOR.MINOR.PATCH",
        ),
        (
            "{\"name\": \"p\", \"fields\": [{\"name\": \"p.a\", \"type\": \"int8\", \"desc\": \"d\"}]}",
            "field `p.a`: unknown type `int8`",
        ),
        (
            "{\"name\": \"p\", \"fields\": [{\"name\": \"p.a\", \"type\": \"string\", \"desc\": \"d\", \"arg\": {\"isRequired\": true}}]}",
            "field `p.a`: the argument is required but neither an index nor a key",
        ),
        (
            "{\"name\": \"p\", \"fields\": [{\"name\": \"p.a\", \"type\": \"string\", \"isList\": \"yes\"}]}",
            "field `p.a`: `isList` is not true or false",
        ),
        (
            "{\"fieldclasses\": [{\"name\": \"c\", \"fields\": [{\"name\": \"c.a\", \"type\": \"WEIRD\"}]}]}",
            "field `c.a`: unknown type `WEIRD`",
        ),
    ] {
        let error = parse(text).expect_err(text);
        assert!(error.starts_with(expected), "{text}: {error}");
    }
    let missing = read(&[PathBuf::from("/nonexistent/plugin.json")]).expect_err("missing file");
    assert!(
        missing
            .to_string()
            .starts_with("/nonexistent/plugin.json: "),
        "{missing}"
    );
}
