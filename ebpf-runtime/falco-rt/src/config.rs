//! The keys of Falco's `falco.yaml` that falco-rt applies.
//!
//! Read: `json_output`, `json_include_output_property`, `json_include_tags_property`,
//! `time_format_iso_8601`, `buffered_outputs`, `rule_matching`, `priority`,
//! `stdout_output.enabled`, `file_output.{enabled,filename,keep_alive}` and
//! `http_output.{enabled,url,user_agent}`, and falco-rt's own `falco_rt.follow_interval`.
//! Other keys belong to Falco features falco-rt
//! does not have and are ignored, as a Falco of another version ignores keys it does
//! not know. A key of the wrong type is an error naming its line and column.

use std::fmt;
use std::path::{Path, PathBuf};

use falco_rt_output::{FileOutput, HttpOutput, OutputsConfig};
use falco_span::{FileId, LineIndex};
use falco_vm::{OutputOptions, Priority, RuleMatching};
use falco_yaml::Node;

/// The settings falco-rt takes from `falco.yaml` (Falco's defaults without one).
#[derive(Clone, Debug)]
pub struct Config {
    /// Outputs and their queues.
    pub outputs: OutputsConfig,
    /// How alerts are rendered.
    pub render: OutputOptions,
    /// `rule_matching`.
    pub rule_matching: RuleMatching,
    /// `priority`: rules below it are not loaded.
    pub min_priority: Priority,
    /// `falco_rt.follow_interval`: how often a followed registry tag is resolved.
    pub follow_interval: Option<std::time::Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            outputs: OutputsConfig::default(),
            render: OutputOptions::default(),
            rule_matching: RuleMatching::First,
            min_priority: Priority::Debug,
            follow_interval: None,
        }
    }
}

/// A configuration file that could not be used.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line and column, when the problem has a place.
    pub position: Option<(u32, u32)>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((l, c)) => write!(f, "{}:{l}:{c}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            position: None,
            message: e.to_string(),
        })?;
        Config::parse(path, &text)
    }

    /// Reads the text of `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let reader = Reader {
            path,
            text,
            index: LineIndex::new(text),
        };
        let (docs, diags) = falco_yaml::parse(FileId(0), text);
        if let Some(d) = diags.first() {
            return Err(reader.error(d.primary.span.span.start, d.message.clone()));
        }
        let mut cfg = Config::default();
        let Some(root) = docs.into_iter().next().and_then(|d| d.root) else {
            return Ok(cfg);
        };
        if root.as_mapping().is_none() {
            return Err(reader.at(&root, "the configuration must be a mapping of keys"));
        }
        if let Some(v) = reader.bool(&root, "json_output")? {
            cfg.outputs.json_output = v;
        }
        if let Some(v) = reader.bool(&root, "json_include_output_property")? {
            cfg.render.json_include_output_property = v;
        }
        if let Some(v) = reader.bool(&root, "json_include_tags_property")? {
            cfg.render.json_include_tags_property = v;
        }
        if let Some(v) = reader.bool(&root, "time_format_iso_8601")? {
            cfg.render.time_format_iso_8601 = v;
        }
        if let Some(v) = reader.bool(&root, "buffered_outputs")? {
            cfg.outputs.buffered = v;
        }
        if let Some(node) = root.get("rule_matching") {
            cfg.rule_matching = match node.as_str().map(str::to_ascii_lowercase).as_deref() {
                Some("first") => RuleMatching::First,
                Some("all") => RuleMatching::All,
                _ => return Err(reader.at(node, "`rule_matching` must be `first` or `all`")),
            };
        }
        if let Some(node) = root.get("priority") {
            cfg.min_priority = node.as_str().and_then(Priority::parse).ok_or_else(|| {
                reader.at(
                    node,
                    "`priority` must be a Falco priority (emergency, alert, critical, error, warning, notice, informational, debug)",
                )
            })?;
        }
        if let Some(s) = reader.section(&root, "stdout_output")?
            && let Some(v) = reader.bool(s, "enabled")?
        {
            cfg.outputs.stdout = v;
        }
        if let Some(s) = reader.section(&root, "file_output")?
            && reader.bool(s, "enabled")? == Some(true)
        {
            let Some(filename) = reader.string(s, "filename")? else {
                return Err(reader.at(s, "`file_output` is enabled but has no `filename`"));
            };
            cfg.outputs.file = Some(FileOutput {
                path: filename.into(),
                keep_alive: reader.bool(s, "keep_alive")?.unwrap_or(false),
            });
        }
        if let Some(s) = reader.section(&root, "http_output")?
            && reader.bool(s, "enabled")? == Some(true)
        {
            let url = reader.string(s, "url")?.unwrap_or_default();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(reader.at(s, "`http_output.url` must be an http:// or https:// URL"));
            }
            let mut h = HttpOutput::new(url);
            if let Some(ua) = reader.string(s, "user_agent")? {
                h.user_agent = ua;
            }
            cfg.outputs.http = Some(h);
        }
        if let Some(s) = reader.section(&root, "falco_rt")?
            && let Some(text) = reader.string(s, "follow_interval")?
        {
            let node = s.get("follow_interval").unwrap_or(s);
            cfg.follow_interval = Some(
                crate::cli::parse_duration(&text)
                    .map_err(|e| reader.at(node, &format!("`falco_rt.follow_interval` {e}")))?,
            );
        }
        Ok(cfg)
    }
}

struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    index: LineIndex,
}

impl Reader<'_> {
    fn error(&self, offset: u32, message: String) -> ConfigError {
        let p = self.index.position(self.text, offset);
        ConfigError {
            path: self.path.to_path_buf(),
            position: Some((p.line, p.column)),
            message,
        }
    }

    fn at(&self, node: &Node, message: &str) -> ConfigError {
        self.error(node.span.span.start, message.to_string())
    }

    fn bool(&self, map: &Node, key: &str) -> Result<Option<bool>, ConfigError> {
        let Some(node) = map.get(key) else {
            return Ok(None);
        };
        // yaml-cpp's bool conversion: true/false, yes/no, on/off in any of three cases.
        match node.as_str() {
            Some("true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON") => {
                Ok(Some(true))
            }
            Some("false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF") => {
                Ok(Some(false))
            }
            _ => Err(self.at(node, &format!("`{key}` must be true or false"))),
        }
    }

    fn string(&self, map: &Node, key: &str) -> Result<Option<String>, ConfigError> {
        match map.get(key) {
            None => Ok(None),
            Some(node) if node.is_null() => Ok(None),
            Some(node) => node
                .as_str()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| self.at(node, &format!("`{key}` must be a string"))),
        }
    }

    fn section<'n>(&self, map: &'n Node, key: &str) -> Result<Option<&'n Node>, ConfigError> {
        match map.get(key) {
            None => Ok(None),
            Some(node) if node.as_mapping().is_some() => Ok(Some(node)),
            Some(node) => Err(self.at(node, &format!("`{key}` must be a mapping"))),
        }
    }
}
