-- Generated from editors/rules-files.json by tests/it/rules_files.rs: do not edit.
local M = {}

-- File names of rules files (globs over the name alone).
M.name_globs = {
  "*_rules.yaml",
  "*_rules.yml",
  "falco_rules.local.yaml",
  "falco_rules.local.yml",
  "*.falco.yaml",
  "*.falco.yml",
}

-- Folders whose YAML files are all rules files (Falco's `rules.d`).
M.rules_directories = {
  "rules.d",
}

-- Extensions of YAML files.
M.yaml_extensions = {
  "yaml",
  "yml",
}

-- Configuration files whose `rules_files` name rules files.
M.config_files = {
  ".falco-rulec.yaml",
  "falco.yaml",
}

-- The rules above as autocommand patterns.
M.autocmd_patterns = {
  "*_rules.yaml",
  "*_rules.yml",
  "falco_rules.local.yaml",
  "falco_rules.local.yml",
  "*.falco.yaml",
  "*.falco.yml",
  "*/rules.d/*.yaml",
  "*/rules.d/*.yml",
}

-- A YAML file is sniffed as rules when one of its first lines starts an item of these kinds.
M.sniff_item_keys = {
  "rule",
  "macro",
  "list",
}

-- How many lines sniffing reads.
M.sniff_max_lines = 200

return M
