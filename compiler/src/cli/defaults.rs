//! The rules `falco-rulec` lints and tests when it is given no files: the default
//! ruleset (`rules-stdlib/rules`), embedded at build time by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/default_rules.rs"));

/// The embedded default rules files (`rules-stdlib/rules`), as (path, text) in load order.
pub fn default_rules() -> Vec<(String, String)> {
    DEFAULT_RULES
        .iter()
        .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
        .collect()
}
