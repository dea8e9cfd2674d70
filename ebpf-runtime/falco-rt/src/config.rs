//! The settings falco-rt takes from Falco's `falco.yaml` and `-o key=value` options.
//!
//! The file is read with `falco-config`, the one reader `falco-rulec` uses too
//! (`config_files`, `${ENV}` values, overrides, a position for every value). The keys
//! below are applied with Falco's meaning and defaults; a value of the wrong type stops
//! the start with its place. Every other key is named by [`Config::not_applied`]
//! (see [`crate::not_applied`]), never ignored silently.
//!
//! Applied: `priority`, `rule_matching`, `json_output` and the five `json_include_*` /
//! `time_format_iso_8601` rendering keys, `buffered_outputs`, `outputs_queue.capacity`,
//! `stdout_output`, `file_output`, `http_output` (`enabled`, `url`, `user_agent`),
//! `program_output`, `syslog_output`, `append_output` and `syscall_event_drops`; and
//! falco-rt's own `falco_rt.follow_interval`.

use std::path::Path;

use falco_config::{ConfigError, Value};
use falco_rt_output::{FileOutput, HttpOutput, OutputsConfig, ProgramOutput, SyslogOutput};
use falco_vm::{OutputOptions, Priority, RuleMatching};

use crate::append::{AppendOutput, ExtraField};
use crate::drops::{DropAction, DropPolicy};
use crate::not_applied;

/// The settings falco-rt applies (Falco's defaults without a configuration).
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
    /// `append_output`, in order.
    pub append: Vec<AppendOutput>,
    /// `syscall_event_drops`.
    pub drops: DropPolicy,
    /// One line for each setting of the configuration that falco-rt does not apply.
    pub not_applied: Vec<String>,
    /// The files `config_files` merged in.
    pub included: Vec<std::path::PathBuf>,
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
            append: Vec::new(),
            drops: DropPolicy::default(),
            not_applied: Vec::new(),
            included: Vec::new(),
            follow_interval: None,
        }
    }
}

impl Config {
    /// Reads `path` (if any) with the `-o` `options` applied.
    pub fn load(path: Option<&Path>, options: &[String]) -> Result<Config, ConfigError> {
        let file = falco_config::Config::load(path, options)?;
        let mut cfg = Config::read(&file)?;
        cfg.not_applied = not_applied::report(&file);
        cfg.included = file.included().to_vec();
        Ok(cfg)
    }

    /// The applied keys of a loaded configuration.
    fn read(file: &falco_config::Config) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        let flag = |key: &str| file.get(key).map(|v| v.as_bool(key)).transpose();
        let render = &mut cfg.render;
        if let Some(v) = flag("json_output")? {
            cfg.outputs.json_output = v;
        }
        for (key, slot) in [
            (
                "json_include_output_property",
                &mut render.json_include_output_property,
            ),
            (
                "json_include_tags_property",
                &mut render.json_include_tags_property,
            ),
            (
                "json_include_message_property",
                &mut render.json_include_message_property,
            ),
            (
                "json_include_output_fields_property",
                &mut render.json_include_output_fields_property,
            ),
            ("time_format_iso_8601", &mut render.time_format_iso_8601),
        ] {
            if let Some(v) = flag(key)? {
                *slot = v;
            }
        }
        if let Some(v) = flag("buffered_outputs")? {
            cfg.outputs.buffered = v;
        }
        if let Some(node) = file.get("rule_matching") {
            cfg.rule_matching = match node.as_str("rule_matching")?.to_ascii_lowercase().as_str() {
                "first" => RuleMatching::First,
                "all" => RuleMatching::All,
                _ => return Err(node.error("`rule_matching` must be `first` or `all`")),
            };
        }
        if let Some(node) = file.get("priority") {
            cfg.min_priority = Priority::parse(node.as_str("priority")?).ok_or_else(|| {
                node.error(
                    "`priority` must be a Falco priority (emergency, alert, critical, error, warning, notice, informational, debug)",
                )
            })?;
        }
        read_outputs(file, &mut cfg.outputs)?;
        if let Some(list) = file.get("append_output") {
            for entry in list.as_items("append_output")? {
                cfg.append.push(read_append(entry)?);
            }
        }
        if let Some(drops) = file.get("syscall_event_drops") {
            cfg.drops = read_drops(drops.as_section("syscall_event_drops")?)?;
        }
        if let Some(own) = file.get("falco_rt")
            && let Some(v) = own.as_section("falco_rt")?.get("follow_interval")
        {
            let text = v.as_str("falco_rt.follow_interval")?;
            cfg.follow_interval = Some(
                crate::cli::parse_duration(text)
                    .map_err(|e| v.error(format!("`falco_rt.follow_interval` {e}")))?,
            );
        }
        Ok(cfg)
    }
}

/// A section that is on: `None` when absent or `enabled` is false (then nothing else in
/// it matters, and all of it counts as read).
fn enabled<'v>(
    file: &'v falco_config::Config,
    key: &str,
) -> Result<Option<&'v Value>, ConfigError> {
    let Some(section) = file.get(key) else {
        return Ok(None);
    };
    let section = section.as_section(key)?;
    let on = match section.get("enabled") {
        Some(v) => v.as_bool(&format!("{key}.enabled"))?,
        None => false,
    };
    if !on {
        section.mark_read();
    }
    Ok(on.then_some(section))
}

fn string<'v>(section: &'v Value, key: &str) -> Result<Option<&'v str>, ConfigError> {
    section.get(key).map(|v| v.as_str(key)).transpose()
}

fn read_outputs(file: &falco_config::Config, out: &mut OutputsConfig) -> Result<(), ConfigError> {
    // Falco's 0 is an unbounded queue; falco-rt's queues are always bounded, so 0 keeps
    // each output's default bound.
    let capacity = match file.get("outputs_queue") {
        Some(q) => match q.as_section("outputs_queue")?.get("capacity") {
            Some(n) => n.as_u64("outputs_queue.capacity")?,
            None => 0,
        },
        None => 0,
    };
    // Without a configuration file alerts go to stdout; with one, as in Falco, only when
    // `stdout_output.enabled` says so.
    out.stdout = file.path().is_none();
    if let Some(s) = file.get("stdout_output") {
        out.stdout = match s.as_section("stdout_output")?.get("enabled") {
            Some(v) => v.as_bool("stdout_output.enabled")?,
            None => false,
        };
    }
    if let Some(s) = enabled(file, "file_output")? {
        let Some(filename) = string(s, "filename")?.filter(|f| !f.is_empty()) else {
            return Err(s.error("`file_output` is enabled but has no `filename`"));
        };
        out.file = Some(FileOutput {
            path: filename.into(),
            keep_alive: flag_in(s, "keep_alive")?,
        });
    }
    if let Some(s) = enabled(file, "http_output")? {
        let url = string(s, "url")?.unwrap_or_default();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(s.error("`http_output.url` must be an http:// or https:// URL"));
        }
        let mut h = HttpOutput::new(url);
        if let Some(ua) = string(s, "user_agent")? {
            h.user_agent = ua.to_string();
        }
        out.http = Some(h);
    }
    if let Some(s) = enabled(file, "program_output")? {
        let Some(program) = string(s, "program")?.filter(|p| !p.trim().is_empty()) else {
            return Err(s.error("`program_output` is enabled but has no `program`"));
        };
        out.program = Some(ProgramOutput::new(program, flag_in(s, "keep_alive")?));
    }
    if enabled(file, "syslog_output")?.is_some() {
        out.syslog = Some(SyslogOutput::default());
    }
    if let Ok(n @ 1..) = usize::try_from(capacity) {
        out.queue_capacity = n;
        let lanes = [
            out.http.as_mut().map(|h| &mut h.queue_capacity),
            out.program.as_mut().map(|p| &mut p.queue_capacity),
            out.syslog.as_mut().map(|s| &mut s.queue_capacity),
        ];
        for lane in lanes.into_iter().flatten() {
            *lane = n;
        }
    }
    Ok(())
}

/// A boolean key of a section, false when absent.
fn flag_in(section: &Value, key: &str) -> Result<bool, ConfigError> {
    Ok(section
        .get(key)
        .map(|v| v.as_bool(key))
        .transpose()?
        .unwrap_or(false))
}

fn read_append(entry: &Value) -> Result<AppendOutput, ConfigError> {
    let entry = entry.as_section("append_output")?;
    let mut a = AppendOutput {
        place: entry.place.to_string(),
        ..AppendOutput::default()
    };
    if let Some(m) = entry.get("match") {
        let m = m.as_section("append_output.match")?;
        a.source = string(m, "source")?.map(str::to_string);
        a.rule = string(m, "rule")?.map(str::to_string);
        if let Some(tags) = m.get("tags") {
            for tag in tags.as_items("tags")? {
                a.tags.push(tag.as_str("tags")?.to_string());
            }
        }
    }
    a.extra_output = string(entry, "extra_output")?.map(str::to_string);
    if let Some(fields) = entry.get("extra_fields") {
        for field in fields.as_items("extra_fields")? {
            let extra = match &field.kind {
                falco_config::Kind::Scalar(name) => ExtraField::Raw(name.clone()),
                falco_config::Kind::Map(entries) if entries.len() == 1 => {
                    let e = &entries[0];
                    field.mark_read();
                    ExtraField::Formatted {
                        key: e.key.clone(),
                        format: e.value.as_str(&e.key)?.to_string(),
                    }
                }
                _ => {
                    return Err(field.error(
                        "an `extra_fields` entry is a field name or a single `name: format` pair",
                    ));
                }
            };
            if a.extra_fields.iter().any(|f| f.key() == extra.key()) {
                return Err(field.error(format!("`{}` is already an extra field", extra.key())));
            }
            a.extra_fields.push(extra);
        }
    }
    if let Some(v) = entry.get("suggested_output") {
        a.suggested_output = v.as_bool("suggested_output")?;
    }
    Ok(a)
}

fn read_drops(section: &Value) -> Result<DropPolicy, ConfigError> {
    let mut policy = DropPolicy::default();
    if let Some(actions) = section.get("actions") {
        policy.actions.clear();
        for item in actions.as_items("actions")? {
            let action = match item.as_str("actions")? {
                "ignore" => DropAction::Ignore,
                "log" => DropAction::Log,
                "alert" => DropAction::Alert,
                "exit" => DropAction::Exit,
                _ => {
                    return Err(item.error(
                        "the syscall event drop actions are `ignore`, `log`, `alert` and `exit`",
                    ));
                }
            };
            let clash = match action {
                DropAction::Log | DropAction::Alert => policy.actions.contains(&DropAction::Ignore),
                _ => false,
            };
            if clash {
                return Err(item.error(format!(
                    "the syscall event drop action `{}` does not make sense with `ignore`",
                    item.as_scalar().unwrap_or_default()
                )));
            }
            if !policy.actions.contains(&action) {
                policy.actions.push(action);
            }
        }
    }
    if let Some(v) = section.get("threshold") {
        policy.threshold = v.as_f64("threshold")?;
        if !(0.0..=1.0).contains(&policy.threshold) {
            return Err(v.error("`syscall_event_drops.threshold` must be between 0 and 1"));
        }
    }
    if let Some(v) = section.get("rate") {
        policy.rate = v.as_f64("rate")?;
    }
    if let Some(v) = section.get("max_burst") {
        policy.max_burst = v.as_f64("max_burst")?;
    }
    if let Some(v) = section.get("simulate_drops") {
        policy.simulate = v.as_bool("simulate_drops")?;
    }
    Ok(policy)
}
