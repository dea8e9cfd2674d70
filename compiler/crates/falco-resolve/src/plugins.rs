//! Plugin version requirements against the plugins we know.
//!
//! Falco refuses a ruleset whose `required_plugin_versions` entry no loaded
//! plugin meets: a plugin meets a requirement when it has the same major version
//! and is at least as new (libsinsp's `sinsp_version::compatible_with`). We do
//! not know which plugins a user loads, so we refuse only what no release can
//! meet: a requirement whose every alternative is a known plugin asked for in a
//! major version above its newest release (cloudtrail 100000.0.0). When a plugin
//! schema declares which version of a plugin is loaded, the requirement is
//! checked against that version exactly.

use falco_diagnostics::{Code, Diagnostic};
use falco_loader::{PluginRequirement, Spanned, Version};

use crate::Options;

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

/// What stands in the way of one alternative of a requirement.
enum Unmet {
    /// A plugin schema declares this version of it is loaded.
    Loaded(Version),
    /// Its newest release is older than the major version asked for.
    Newest(Version),
}

impl Unmet {
    /// How the alternative's note ends: "(the newest is 0.17.1)".
    fn describe(&self) -> String {
        match self {
            Unmet::Loaded(version) => format!("its plugin schema declares {version}"),
            Unmet::Newest(version) => format!("the newest is {version}"),
        }
    }
}

/// Why the plugin `name` cannot meet `required`, or `None` when it can or we
/// cannot tell (a plugin we do not know).
fn unmet(name: &str, required: Version, options: &Options) -> Option<Unmet> {
    let find = |plugins: &[(String, Version)]| {
        plugins
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, version)| *version)
    };
    if let Some(loaded) = find(&options.loaded_plugins) {
        let compatible = loaded.major == required.major && loaded >= required;
        return (!compatible).then_some(Unmet::Loaded(loaded));
    }
    let newest = find(&options.known_plugins)?;
    (required.major > newest.major).then_some(Unmet::Newest(newest))
}

/// The error for `requirement` when none of its alternatives can be met: by the
/// version a plugin schema declares loaded, else by any release we know of.
pub(crate) fn unsatisfiable(
    requirement: &PluginRequirement,
    options: &Options,
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
    let unmet: Vec<Unmet> = alternatives
        .iter()
        .map(|(name, required)| unmet(&name.value, required.value, options))
        .collect::<Option<_>>()?;
    let (name, required) = alternatives[0];
    let first = match &unmet[0] {
        Unmet::Loaded(version) => format!(
            "plugin `{}` does not meet version {}: its plugin schema declares {version}",
            name.value, required.value
        ),
        Unmet::Newest(version) => format!(
            "no release of plugin `{}` meets version {}: the newest is {version}",
            name.value, required.value
        ),
    };
    let mut diagnostic = Diagnostic::new(Code::E209, required.span, first)
        .with_label("required here")
        .with_help(
            "Falco refuses rules whose plugin requirement no loaded plugin meets (same major version, at least as new): require a version the plugin has",
        );
    for ((name, required), unmet) in alternatives.iter().zip(&unmet).skip(1) {
        diagnostic = diagnostic.with_related(
            required.span,
            format!(
                "nor does the alternative `{}` meet {} ({})",
                name.value,
                required.value,
                unmet.describe()
            ),
        );
    }
    Some(diagnostic)
}
