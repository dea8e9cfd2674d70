//! `--plugin-schema FILE` and the project file's `lint.plugin-schemas`
//! (docs/plugin-schemas.md): rules of a plugin we do not compile in.

use crate::support::*;

/// A rule of the krsi plugin: its event and its fields.
const KRSI_RULE: &str = "- rule: krsi open\n  desc: d\n  condition: evt.type = krsi_open and krsi.name startswith /etc\n  output: \"open %krsi.name fd=%krsi.fd\"\n  priority: INFO\n";

/// The shipped krsi schema, copied into `dir` as `name`.
fn krsi_schema(dir: &std::path::Path, name: &str) {
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../rules-stdlib/plugin-schemas/krsi.json");
    let text = std::fs::read_to_string(shipped).expect("rules-stdlib/plugin-schemas/krsi.json");
    write(dir, name, &text);
}

#[test]
fn the_flag_and_the_project_file_add_a_plugins_fields_and_events() {
    let dir = scratch();
    write(&dir, "rules/krsi_rules.yaml", KRSI_RULE);
    krsi_schema(&dir, "schemas/krsi.json");

    let without = run_in(&dir, &["lint", "rules", "--format", "json"], &[]);
    assert_eq!(without.code, 1, "{}", without.stdout);
    let found = codes(&without.json());
    assert!(found.contains(&"E405".to_owned()), "{found:?}");
    assert!(found.contains(&"E401".to_owned()), "{found:?}");

    let flag = run_in(
        &dir,
        &[
            "lint",
            "rules",
            "--format",
            "json",
            "--plugin-schema",
            "schemas/krsi.json",
        ],
        &[],
    );
    assert_eq!(flag.code, 0, "{}{}", flag.stdout, flag.stderr);
    assert!(codes(&flag.json()).is_empty());

    // The project file's entry is relative to the project file's folder.
    write(
        &dir,
        ".falco-rulec.yaml",
        "lint:\n  plugin-schemas: [schemas/krsi.json]\n",
    );
    let sub = dir.join("rules");
    let project = run_in(&sub, &["lint", ".", "--format", "json"], &[]);
    assert_eq!(project.code, 0, "{}{}", project.stdout, project.stderr);
}

#[test]
fn a_schema_that_cannot_be_used_is_a_usage_error() {
    let dir = scratch();
    write(&dir, "rules.yaml", KRSI_RULE);
    write(
        &dir,
        "broken.json",
        "{\"name\": \"krsi\", \"fields\": [{\"name\": \"krsi.x\"}]}",
    );
    let broken = run_in(
        &dir,
        &["lint", "rules.yaml", "--plugin-schema", "broken.json"],
        &[],
    );
    assert_eq!(broken.code, 2, "{}", broken.stderr);
    assert!(
        broken
            .stderr
            .contains("cannot use plugin schema broken.json: field `krsi.x` has no `type`"),
        "{}",
        broken.stderr
    );
    let missing = run_in(
        &dir,
        &["lint", "rules.yaml", "--plugin-schema", "nowhere.json"],
        &[],
    );
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("nowhere.json"),
        "{}",
        missing.stderr
    );

    write(
        &dir,
        ".falco-rulec.yaml",
        "lint:\n  plugin-schemas: {a: b}\n",
    );
    let shape = run_in(&dir, &["lint", "rules.yaml"], &[]);
    assert_eq!(shape.code, 2, "{}", shape.stderr);
    assert!(
        shape
            .stderr
            .contains("`lint.plugin-schemas` must be a path or a list of paths"),
        "{}",
        shape.stderr
    );
}
