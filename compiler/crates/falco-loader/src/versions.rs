//! `required_engine_version` and `required_plugin_versions`.

use crate::decode::{sinsp_version, yaml_unsigned};
use crate::reader::{ItemReader, Read, spanned_string, wrong_kind};
use crate::{
    EngineVersionItem, PluginAlternative, PluginRequirement, PluginVersionsItem, Spanned, Version,
};
use falco_diagnostics::{Code, Diagnostic};
use falco_yaml::Node;

/// `- required_engine_version: 0.57.0` (or the deprecated integer `N`, read 0.N.0).
pub(crate) fn read_engine_version(
    reader: &ItemReader<'_>,
    warnings: &mut Vec<Diagnostic>,
) -> Read<EngineVersionItem> {
    let key = "required_engine_version";
    let Some(node) = reader.scalar(key, false, false)? else {
        return Err(reader.missing(&[key], &[]));
    };
    let text = node.as_str().unwrap_or_default();
    if let Some(minor) = yaml_unsigned(text, u64::from(u32::MAX)) {
        let version = Version {
            major: 0,
            minor,
            patch: 0,
        };
        warnings.push(
            Diagnostic::new(
                Code::I101,
                node.span,
                format!("integer `required_engine_version` means `{version}`"),
            )
            .with_label("old integer form")
            .with_help(format!("write `required_engine_version: {version}`")),
        );
        return Ok(EngineVersionItem {
            version: Spanned {
                value: version,
                span: node.span,
            },
            integer_form: true,
            span: reader.node.span,
        });
    }
    match sinsp_version(text) {
        Some(version) => Ok(EngineVersionItem {
            version: Spanned {
                value: version,
                span: node.span,
            },
            integer_form: false,
            span: reader.node.span,
        }),
        None => Err(Diagnostic::new(
            Code::E108,
            node.span,
            format!("cannot read engine version `{text}`"),
        )
        .with_label("expected `x.y.z`")
        .with_help("write a semantic version such as `0.57.0`")),
    }
}

/// `- required_plugin_versions: [{name, version, alternatives}]`.
pub(crate) fn read_plugin_versions(reader: &ItemReader<'_>) -> Read<PluginVersionsItem> {
    let key = "required_plugin_versions";
    let value = reader.entry(key).map(|(_, value)| value);
    let Some(entries) = value.and_then(Node::as_sequence) else {
        let value = value.unwrap_or(reader.node);
        return Err(wrong_kind(value, key, "a sequence"));
    };
    let mut plugins = Vec::with_capacity(entries.len());
    for entry in entries {
        plugins.push(read_requirement(entry)?);
    }
    Ok(PluginVersionsItem {
        plugins,
        span: reader.node.span,
    })
}

fn read_requirement(node: &Node) -> Read<PluginRequirement> {
    let (name, version) = name_and_version(node, "plugin requirement")?;
    let mut names = vec![name.value.clone()];
    let mut alternatives = Vec::new();
    if let Some((_, list)) = node.entry("alternatives") {
        let Some(items) = list.as_sequence() else {
            return Err(wrong_kind(list, "alternatives", "a sequence"));
        };
        for item in items {
            let (name, version) = name_and_version(item, "plugin alternative")?;
            if names.contains(&name.value) {
                return Err(Diagnostic::new(
                    Code::E110,
                    name.span,
                    format!("plugin `{}` is listed twice in one requirement", name.value),
                )
                .with_label("listed again")
                .with_help("keep one version requirement per plugin"));
            }
            names.push(name.value.clone());
            alternatives.push(PluginAlternative { name, version });
        }
    }
    Ok(PluginRequirement {
        name,
        version,
        alternatives,
        span: node.span,
    })
}

/// The `name` and `version` of a requirement or alternative.
fn name_and_version(node: &Node, kind: &'static str) -> Read<(Spanned<String>, Spanned<Version>)> {
    let Some(mut reader) = ItemReader::new(node, kind) else {
        return Err(Diagnostic::new(
            Code::E106,
            node.span,
            format!("a {kind} must be a mapping, found a {}", node.kind_name()),
        )
        .with_label("not a mapping")
        .with_help("write `- name: <plugin>` and `version: <x.y.z>`"));
    };
    let name = reader
        .string("name", false)?
        .ok_or_else(|| reader.missing(&["name"], &[]))?;
    reader.name = Some(name.clone());
    let version_node = reader
        .scalar("version", false, false)?
        .ok_or_else(|| reader.missing(&["version"], &[]))?;
    let text = spanned_string(version_node);
    let Some(version) = sinsp_version(&text.value) else {
        return Err(Diagnostic::new(
            Code::E110,
            text.span,
            format!(
                "invalid version `{}` for plugin `{}`",
                text.value, name.value
            ),
        )
        .with_label("expected `x.y.z`")
        .with_help("write a semantic version such as `0.1.0`"));
    };
    Ok((
        name,
        Spanned {
            value: version,
            span: text.span,
        },
    ))
}
