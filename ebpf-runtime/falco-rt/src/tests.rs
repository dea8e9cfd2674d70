use std::path::Path;

use falco_vm::{Priority, RuleMatching};

use crate::config::Config;

fn parse(text: &str) -> Result<Config, String> {
    Config::parse(Path::new("falco.yaml"), text).map_err(|e| e.to_string())
}

#[test]
fn falco_yaml_keys_are_applied() {
    let cfg = parse(
        "json_output: true\njson_include_output_property: false\njson_include_tags_property: false\n\
         buffered_outputs: true\nrule_matching: all\npriority: warning\n\
         stdout_output:\n  enabled: false\n\
         file_output:\n  enabled: true\n  keep_alive: true\n  filename: /tmp/events.txt\n\
         http_output:\n  enabled: true\n  url: http://127.0.0.1:2801/\n  user_agent: falcosecurity/falco\n\
         load_plugins: [k8saudit, json]\n",
    )
    .expect("config");
    assert!(cfg.outputs.json_output);
    assert!(!cfg.render.json_include_output_property);
    assert!(!cfg.render.json_include_tags_property);
    assert!(cfg.outputs.buffered);
    assert_eq!(cfg.rule_matching, RuleMatching::All);
    assert_eq!(cfg.min_priority, Priority::Warning);
    assert!(!cfg.outputs.stdout);
    let f = cfg.outputs.file.expect("file");
    assert_eq!(f.path, Path::new("/tmp/events.txt"));
    assert!(f.keep_alive);
    let h = cfg.outputs.http.expect("http");
    assert_eq!(h.url, "http://127.0.0.1:2801/");
    assert_eq!(h.user_agent, "falcosecurity/falco");
}

#[test]
fn defaults_are_falcos_and_disabled_outputs_stay_off() {
    let cfg = parse("file_output:\n  enabled: false\n  filename: x\nhttp_output:\n  enabled: false\n  url: \"\"\n")
        .expect("config");
    assert!(cfg.outputs.stdout && !cfg.outputs.json_output && !cfg.outputs.buffered);
    assert!(cfg.outputs.file.is_none() && cfg.outputs.http.is_none());
    assert_eq!(cfg.rule_matching, RuleMatching::First);
    assert_eq!(cfg.min_priority, Priority::Debug);
    assert!(cfg.render.json_include_output_property && cfg.render.json_include_tags_property);
}

#[test]
fn bad_values_name_their_place() {
    let cases = [
        (
            "json_output: maybe\n",
            "falco.yaml:1:14: `json_output` must be true or false",
        ),
        (
            "priority: loud\n",
            "falco.yaml:1:11: `priority` must be a Falco priority",
        ),
        (
            "rule_matching: some\n",
            "falco.yaml:1:16: `rule_matching` must be `first` or `all`",
        ),
        (
            "file_output: yes\n",
            "falco.yaml:1:14: `file_output` must be a mapping",
        ),
        (
            "file_output:\n  enabled: true\n",
            "falco.yaml:2:3: `file_output` is enabled but has no `filename`",
        ),
        (
            "http_output:\n  enabled: true\n  url: ftp://x\n",
            "falco.yaml:2:3: `http_output.url` must be",
        ),
        (
            "- a\n",
            "falco.yaml:1:1: the configuration must be a mapping",
        ),
        ("a: [\n", "falco.yaml:"),
    ];
    for (text, want) in cases {
        let err = parse(text)
            .err()
            .unwrap_or_else(|| panic!("{text:?} must fail"));
        assert!(err.starts_with(want), "{text:?}: {err}");
    }
}

#[test]
fn the_follow_interval_is_read_from_the_falco_rt_section() {
    let cfg = parse("falco_rt:\n  follow_interval: 90s\n").expect("config");
    assert_eq!(
        cfg.follow_interval,
        Some(std::time::Duration::from_secs(90))
    );
    assert_eq!(
        parse("json_output: false\n")
            .expect("config")
            .follow_interval,
        None
    );
    let err = parse("falco_rt:\n  follow_interval: soon\n").expect_err("bad duration");
    assert!(
        err.starts_with("falco.yaml:2:20: `falco_rt.follow_interval` `soon`"),
        "{err}"
    );
    let err = parse("falco_rt:\n  follow_interval: 0s\n").expect_err("zero");
    assert!(err.contains("more than zero"), "{err}");
}
