//! Falco's rule priorities, defined once: the loader reads them from rules files, the
//! bundle encodes them (a priority's index in [`Priority::ALL`] is its encoded value),
//! and the VM and the agent print them in alerts. A crate of its own, with no
//! dependencies, because the loader must not know bundles and the bundle must link
//! nothing that parses.

/// Falco's priorities, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Emergency
    Emergency,
    /// Alert
    Alert,
    /// Critical
    Critical,
    /// Error
    Error,
    /// Warning
    Warning,
    /// Notice
    Notice,
    /// Informational (also `info`)
    Informational,
    /// Debug
    Debug,
}

impl Priority {
    /// Every priority, most severe first (the index is the encoded value).
    pub const ALL: [Priority; 8] = [
        Priority::Emergency,
        Priority::Alert,
        Priority::Critical,
        Priority::Error,
        Priority::Warning,
        Priority::Notice,
        Priority::Informational,
        Priority::Debug,
    ];

    /// The name as Falco prints it in alerts (`Warning`, `Informational`).
    pub fn name(self) -> &'static str {
        match self {
            Priority::Emergency => "Emergency",
            Priority::Alert => "Alert",
            Priority::Critical => "Critical",
            Priority::Error => "Error",
            Priority::Warning => "Warning",
            Priority::Notice => "Notice",
            Priority::Informational => "Informational",
            Priority::Debug => "Debug",
        }
    }

    /// Parses a priority name as Falco's rules files and configuration do (any case,
    /// `info` too).
    pub fn parse(text: &str) -> Option<Priority> {
        if text.eq_ignore_ascii_case("info") {
            return Some(Priority::Informational);
        }
        Priority::ALL
            .into_iter()
            .find(|priority| priority.name().eq_ignore_ascii_case(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_in_any_case_and_info_is_informational() {
        for (index, priority) in Priority::ALL.into_iter().enumerate() {
            assert_eq!(Priority::parse(priority.name()), Some(priority));
            assert_eq!(
                Priority::parse(&priority.name().to_uppercase()),
                Some(priority)
            );
            assert_eq!(Priority::ALL[index] as usize, index);
        }
        assert_eq!(Priority::parse("INFO"), Some(Priority::Informational));
        assert_eq!(Priority::parse("loud"), None);
        assert!(Priority::Emergency < Priority::Debug);
    }
}
