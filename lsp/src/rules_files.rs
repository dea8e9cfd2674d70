//! Which files are rules files. Generated from editors/rules-files.json by tests/it/rules_files.rs: do not edit.

/// File names of rules files (globs over the name alone).
pub const NAME_GLOBS: &[&str] = &["*_rules.yaml", "*_rules.yml", "falco_rules.local.yaml", "falco_rules.local.yml", "*.falco.yaml", "*.falco.yml"];

/// Folders whose YAML files are all rules files (Falco's `rules.d`).
pub const RULES_DIRECTORIES: &[&str] = &["rules.d"];

/// Extensions of YAML files.
pub const YAML_EXTENSIONS: &[&str] = &["yaml", "yml"];

/// Configuration files at the workspace root whose `rules_files` give the load order, in order of preference.
pub const CONFIG_FILES: &[&str] = &[".falco-rulec.yaml", "falco.yaml"];

/// Falco's own order without a configuration: these file names, then the files of these folders; the rest follow in name order.
pub const DEFAULT_LOAD_ORDER: &[&str] = &["falco_rules.yaml", "falco_rules.local.yaml", "rules.d"];

/// Globs (over whole paths) of the files the server asks the client to watch: rules files and configuration files.
pub const WATCH_GLOBS: &[&str] = &["**/*_rules.yaml", "**/*_rules.yml", "**/falco_rules.local.yaml", "**/falco_rules.local.yml", "**/*.falco.yaml", "**/*.falco.yml", "**/rules.d/*.yaml", "**/rules.d/*.yml", "**/.falco-rulec.yaml", "**/falco.yaml"];
