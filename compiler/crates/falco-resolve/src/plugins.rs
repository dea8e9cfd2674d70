//! Plugin version requirements against the plugins we know.
//!
//! Falco refuses a ruleset whose `required_plugin_versions` entry no loaded
//! plugin meets: a plugin meets a requirement when it has the same major version
//! and is at least as new (libsinsp's `sinsp_version::compatible_with`). We do
//! not know which plugins a user loads, so we refuse only what no release can
//! meet: a requirement whose every alternative is a known plugin asked for in a
//! major version above its newest release (cloudtrail 100000.0.0).

use falco_diagnostics::{Code, Diagnostic};
use falco_loader::{PluginRequirement, Spanned, Version};

/// The newest release of each plugin we know, from the tags of
/// falcosecurity/plugins (`plugins/NAME/vX.Y.Z`). A plugin schema given by the
/// user may add more.
pub const KNOWN_PLUGINS: &[(&str, Version)] = &[
    ("container", version(0, 7, 1)),
    ("cloudtrail", version(0, 17, 1)),
    ("json", version(0, 7, 4)),
    ("k8saudit", version(0, 18, 0)),
    ("k8saudit-gke", version(0, 9, 0)),
    ("krsi", version(0, 2, 0)),
];

const fn version(major: u64, minor: u64, patch: u64) -> Version {
    Version {
        major,
        minor,
        patch,
    }
}

/// The error for `requirement` when none of its alternatives can be met by any
/// release of `known` plugins (name, newest version).
pub(crate) fn unsatisfiable(
    requirement: &PluginRequirement,
    known: &[(String, Version)],
) -> Option<Diagnostic> {
    let alternatives: Vec<(&Spanned<String>, &Spanned<Version>)> =
        std::iter::once((&requirement.name, &requirement.version))
            .chain(
                requirement
                    .alternatives
                    .iter()
                    .map(|alternative| (&alternative.name, &alternative.version)),
            )
            .collect();
    let newest: Vec<Version> = alternatives
        .iter()
        .map(|(name, required)| {
            let (_, newest) = known.iter().find(|(known, _)| *known == name.value)?;
            (required.value.major > newest.major).then_some(*newest)
        })
        .collect::<Option<_>>()?;
    let (name, required) = alternatives[0];
    let mut diagnostic = Diagnostic::new(
        Code::E209,
        required.span,
        format!(
            "no release of plugin `{}` meets version {}: the newest is {}",
            name.value, required.value, newest[0]
        ),
    )
    .with_label("required here")
    .with_help(
        "Falco refuses rules whose plugin requirement no loaded plugin meets (same major version, at least as new): require a version the plugin has",
    );
    for ((name, required), newest) in alternatives.iter().zip(&newest).skip(1) {
        diagnostic = diagnostic.with_related(
            required.span,
            format!(
                "nor does any release of the alternative `{}` meet {} (the newest is {newest})",
                name.value, required.value
            ),
        );
    }
    Some(diagnostic)
}
