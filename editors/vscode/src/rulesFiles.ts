// Generated from editors/rules-files.json by tests/it/rules_files.rs: do not edit.

/** File names of rules files (globs over the name alone). */
export const NAME_GLOBS: readonly string[] = [
  "*_rules.yaml",
  "*_rules.yml",
  "falco_rules.local.yaml",
  "falco_rules.local.yml",
  "*.falco.yaml",
  "*.falco.yml",
];

/** Folders whose YAML files are all rules files (Falco's `rules.d`). */
export const RULES_DIRECTORIES: readonly string[] = [
  "rules.d",
];

/** Extensions of YAML files. */
export const YAML_EXTENSIONS: readonly string[] = [
  "yaml",
  "yml",
];

/** Configuration files whose `rules_files` name rules files. */
export const CONFIG_FILES: readonly string[] = [
  ".falco-rulec.yaml",
  "falco.yaml",
];

/** The language's `filenamePatterns` (package.json): the name globs, and the YAML files of each rules directory. */
export const FILENAME_PATTERNS: readonly string[] = [
  "*_rules.yaml",
  "*_rules.yml",
  "falco_rules.local.yaml",
  "falco_rules.local.yml",
  "*.falco.yaml",
  "*.falco.yml",
  "**/rules.d/*.yaml",
  "**/rules.d/*.yml",
];

/** A YAML file is sniffed as rules when one of its first lines starts an item of these kinds. */
export const SNIFF_ITEM_KEYS: readonly string[] = [
  "rule",
  "macro",
  "list",
];

/** How many lines sniffing reads. */
export const SNIFF_MAX_LINES = 200;
