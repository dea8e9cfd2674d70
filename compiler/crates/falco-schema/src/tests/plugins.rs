//! User plugin schemas added to the built-in tables.

use crate::{
    ArgKind, ArgSpec, FieldDecl, FieldError, FieldFlags, FieldType, PluginDecl, Presence, Provider,
    Schema,
};

fn field(name: &str, ty: FieldType) -> FieldDecl {
    FieldDecl {
        name: name.to_owned(),
        ty,
        is_list: false,
        arg: ArgSpec::NONE,
        flags: FieldFlags::NONE,
        description: String::new(),
    }
}

/// A plugin that reads syscall events (as krsi does) and one with a source of its own.
fn plugins() -> Vec<PluginDecl> {
    let mut keyed = field("audit.label", FieldType::Charbuf);
    keyed.arg = ArgSpec {
        presence: Presence::Required,
        bracket: Some(ArgKind::Key),
        dotted: None,
    };
    vec![
        PluginDecl {
            name: "probe".to_owned(),
            version: Some((0, 2, 0)),
            extract_sources: vec!["syscall".to_owned()],
            event_names: vec!["probe_open".to_owned()],
            // `proc.name` is built in: left as it is.
            fields: vec![
                field("probe.path", FieldType::Charbuf),
                field("probe.port", FieldType::Uint64),
                field("proc.name", FieldType::Uint64),
            ],
            ..PluginDecl::default()
        },
        PluginDecl {
            name: "audit".to_owned(),
            event_source: Some("audit_log".to_owned()),
            fields: vec![field("audit.user", FieldType::Charbuf), keyed],
            ..PluginDecl::default()
        },
    ]
}

#[test]
fn plugin_fields_resolve_in_the_sources_the_plugin_reads() {
    let schema = Schema::with_plugins(plugins());
    let path = schema
        .resolve("syscall", "probe.path", None)
        .expect("probe.path");
    assert_eq!(path.field.provider, Provider::Plugin("probe"));
    assert_eq!(
        schema.resolve("syscall", "probe.port", None).map(|f| f.ty),
        Ok(FieldType::Uint64)
    );
    // The built-in field wins over the plugin's declaration of the same name.
    assert_eq!(
        schema.resolve("syscall", "proc.name", None).map(|f| f.ty),
        Ok(FieldType::Charbuf)
    );
    // A source the plugin brings: its fields and the generic `evt.*` ones.
    assert!(schema.is_known_source("audit_log"));
    assert!(schema.resolve("audit_log", "audit.user", None).is_ok());
    assert!(schema.resolve("audit_log", "evt.time", None).is_ok());
    assert!(
        schema
            .resolve("audit_log", "audit.label", Some("team"))
            .is_ok()
    );
    assert!(matches!(
        schema.resolve("audit_log", "audit.label", None),
        Err(FieldError::ArgMissing { .. })
    ));
    assert!(matches!(
        schema.resolve("syscall", "audit.user", None),
        Err(FieldError::WrongSource { .. })
    ));
    assert!(matches!(
        schema.resolve("audit_log", "probe.path", None),
        Err(FieldError::WrongSource { .. })
    ));
    // Suggestions see the plugin's fields.
    assert_eq!(
        schema.suggest_field("syscall", "probe.pth"),
        Some("probe.path")
    );
}

#[test]
fn plugin_events_are_event_types_of_the_sources_the_plugin_reads() {
    let schema = Schema::with_plugins(plugins());
    assert!(schema.is_event_type("probe_open"));
    assert!(schema.is_event_type_of("syscall", "probe_open"));
    assert!(!schema.is_event_type_of("audit_log", "probe_open"));
    assert!(schema.event_type_names().any(|name| name == "probe_open"));
    assert_eq!(
        schema.declared_plugin_versions().collect::<Vec<_>>(),
        [("probe", (0, 2, 0))]
    );
}

#[test]
fn the_built_in_schema_knows_none_of_it() {
    let schema = Schema::get();
    assert!(schema.resolve("syscall", "probe.path", None).is_err());
    assert!(!schema.is_event_type("probe_open"));
    assert!(!schema.is_known_source("audit_log"));
    assert_eq!(schema.declared_plugin_versions().count(), 0);
    assert!(std::ptr::eq(Schema::with_plugins(Vec::new()), schema));
}

#[test]
fn the_same_plugins_give_the_same_schema() {
    let first = Schema::with_plugins(plugins());
    assert!(std::ptr::eq(first, Schema::with_plugins(plugins())));
    let mut other = plugins();
    other[0].version = Some((0, 3, 0));
    assert!(!std::ptr::eq(first, Schema::with_plugins(other)));
}
