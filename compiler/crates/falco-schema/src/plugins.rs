//! Plugins the user describes (`--plugin-schema`): their fields, event names,
//! sources and versions, added to the built-in schema.
//!
//! The built-in tables are `'static`, and so is everything a [`Schema`] hands out
//! (`&'static Field`, source names). An extended schema is therefore built once
//! and kept for the life of the process: [`Schema::with_plugins`] interns it by
//! the declarations it was made from, so reading the same schema files again (a
//! language server reloading its settings) reuses the first one instead of
//! keeping a second copy.

use std::sync::Mutex;

use crate::tables::CLASSES;
use crate::{ArgSpec, Field, FieldClass, FieldFlags, FieldType, Provider, Schema, Source};

/// One plugin as a schema file describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PluginDecl {
    /// The plugin's name (`krsi`).
    pub name: String,
    /// Its version, for `required_plugin_versions`, when the file gives one.
    pub version: Option<(u64, u64, u64)>,
    /// The source of the events it produces, for a source plugin (`gcp_auditlog`).
    pub event_source: Option<String>,
    /// The sources whose events its fields read. Empty: its own source when it
    /// has one, else every source (libsinsp's rule for a plugin that names none).
    pub extract_sources: Vec<String>,
    /// The names of the events it adds (`krsi_open`), which `evt.type` accepts in
    /// rules of the sources it reads.
    pub event_names: Vec<String>,
    /// Its fields, in its order.
    pub fields: Vec<FieldDecl>,
}

/// One field of a plugin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDecl {
    /// Full name (`krsi.name`).
    pub name: String,
    /// Value type.
    pub ty: FieldType,
    /// True if it yields several values.
    pub is_list: bool,
    /// What argument it takes (plugin fields take theirs in brackets).
    pub arg: ArgSpec,
    /// Usage flags.
    pub flags: FieldFlags,
    /// Its description.
    pub description: String,
}

/// What the plugins add to the built-in tables, all kept for the process's life.
#[derive(Debug)]
pub(crate) struct Extension {
    /// The plugins' field classes; class `i` here is class `CLASSES.len() + i` of
    /// the schema.
    pub(crate) classes: &'static [FieldClass],
    /// Every source: the built-in ones with the plugins' classes appended, then
    /// the sources only plugins provide.
    pub(crate) sources: &'static [Source],
    /// (source, event name) pairs the plugins add, sorted by name.
    pub(crate) event_names: &'static [(&'static str, &'static str)],
    /// (plugin, version) for each plugin that declared one.
    pub(crate) versions: &'static [(&'static str, (u64, u64, u64))],
}

/// Extended schemas built so far, by the declarations they were built from.
static BUILT: Mutex<Vec<(Vec<PluginDecl>, &'static Schema)>> = Mutex::new(Vec::new());

impl Schema {
    /// The built-in schema with `plugins` added: their fields (a field the
    /// built-in schema already has is left as it is), event names, sources and
    /// versions. With no plugins, the built-in schema itself.
    pub fn with_plugins(plugins: Vec<PluginDecl>) -> &'static Schema {
        if plugins.is_empty() {
            return Schema::get();
        }
        let mut built = BUILT
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, schema)) = built.iter().find(|(decls, _)| *decls == plugins) {
            return schema;
        }
        let schema: &'static Schema = Box::leak(Box::new(Schema {
            extension: Some(extend(&plugins)),
        }));
        built.push((plugins, schema));
        schema
    }

    /// Every plugin a plugin schema declared a version for.
    pub fn declared_plugin_versions(
        &self,
    ) -> impl Iterator<Item = (&'static str, (u64, u64, u64))> {
        let versions: &'static [_] = self.extension.as_ref().map_or(&[], |e| e.versions);
        versions.iter().copied()
    }

    /// True if a plugin schema adds the event `name` to `source`.
    pub(crate) fn is_plugin_event(&self, source: Option<&str>, name: &str) -> bool {
        let names: &'static [_] = self.extension.as_ref().map_or(&[], |e| e.event_names);
        names
            .iter()
            .any(|(of, event)| *event == name && source.is_none_or(|source| *of == source))
    }

    /// The event names plugin schemas add, with repeats across sources removed.
    pub(crate) fn plugin_event_names(&self) -> impl Iterator<Item = &'static str> {
        let names: &'static [_] = self.extension.as_ref().map_or(&[], |e| e.event_names);
        names
            .iter()
            .enumerate()
            .filter(|(index, (_, name))| {
                names
                    .get(index.wrapping_sub(1))
                    .is_none_or(|(_, previous)| previous != name)
            })
            .map(|(_, (_, name))| *name)
    }

    /// The plugins' field classes, numbered after the built-in ones.
    pub(crate) fn plugin_classes(&self) -> &'static [FieldClass] {
        self.extension.as_ref().map_or(&[], |e| e.classes)
    }
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

/// Builds the tables `plugins` add.
fn extend(plugins: &[PluginDecl]) -> Extension {
    let builtin = Schema::get();
    let mut sources: Vec<(String, Vec<usize>)> = builtin
        .sources()
        .iter()
        .map(|source| (source.name.to_owned(), source.classes.to_vec()))
        .collect();
    // New sources first, so that "every source" includes them.
    for source in plugins
        .iter()
        .filter_map(|plugin| plugin.event_source.as_deref())
    {
        if !sources.iter().any(|(name, _)| name == source) {
            let generic = CLASSES
                .iter()
                .position(|class| class.id == crate::GENERIC_CLASS);
            sources.push((source.to_owned(), generic.into_iter().collect()));
        }
    }
    let mut classes = Vec::new();
    let mut event_names = Vec::new();
    let mut versions = Vec::new();
    for plugin in plugins {
        let name = leak(&plugin.name);
        let reads: Vec<String> = match (&plugin.extract_sources[..], &plugin.event_source) {
            ([], Some(own)) => vec![own.clone()],
            ([], None) => sources.iter().map(|(name, _)| name.clone()).collect(),
            (listed, _) => listed.to_vec(),
        };
        // A source a plugin reads but none produces is still a source its rules may name.
        for source in &reads {
            if !sources.iter().any(|(known, _)| known == source) {
                let generic = CLASSES
                    .iter()
                    .position(|class| class.id == crate::GENERIC_CLASS);
                sources.push((source.clone(), generic.into_iter().collect()));
            }
        }
        let fields: Vec<Field> = plugin
            .fields
            .iter()
            .filter(|field| builtin.field(&field.name).is_none())
            .map(|field| Field {
                name: leak(&field.name),
                ty: field.ty,
                arg: field.arg,
                is_list: field.is_list,
                deprecated: false,
                replacement: None,
                flags: field.flags,
                description: leak(&field.description),
                provider: Provider::Plugin(name),
                class: name,
            })
            .collect();
        if !fields.is_empty() {
            let index = CLASSES.len() + classes.len();
            classes.push(FieldClass {
                id: name,
                falco_name: name,
                provider: Provider::Plugin(name),
                description: "",
                fields: Box::leak(fields.into_boxed_slice()),
            });
            for (source, list) in &mut sources {
                if reads.contains(source) {
                    list.push(index);
                }
            }
        }
        for event in &plugin.event_names {
            let event = leak(event);
            for source in &reads {
                event_names.push((leak(source), event));
            }
        }
        if let Some(version) = plugin.version {
            versions.push((name, version));
        }
    }
    event_names.sort_by(|a: &(&str, &str), b| a.1.cmp(b.1).then(a.0.cmp(b.0)));
    event_names.dedup();
    let sources: Vec<Source> = sources
        .into_iter()
        .map(|(name, classes)| Source {
            name: leak(&name),
            classes: Box::leak(classes.into_boxed_slice()),
        })
        .collect();
    Extension {
        classes: Box::leak(classes.into_boxed_slice()),
        sources: Box::leak(sources.into_boxed_slice()),
        event_names: Box::leak(event_names.into_boxed_slice()),
        versions: Box::leak(versions.into_boxed_slice()),
    }
}
