use std::path::{Path, PathBuf};

use falco_vm::{Priority, RuleMatching};

use crate::append::ExtraField;
use crate::config::Config;
use crate::drops::DropAction;

/// Writes `text` as a `falco.yaml` of its own and loads it with `options`.
fn load_with(text: &str, options: &[&str]) -> Result<Config, String> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("falco-rt-config-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("falco.yaml");
    std::fs::write(&path, text).expect("write");
    let options: Vec<String> = options.iter().map(|o| o.to_string()).collect();
    // Places relative to the file name alone, for stable expectations.
    let prefix = format!("{}/", dir.display());
    let cfg = Config::load(Some(&path), &options)
        .map(|mut cfg| {
            for line in &mut cfg.not_applied {
                *line = line.replace(&prefix, "");
            }
            cfg
        })
        .map_err(|e| e.to_string().replace(&prefix, ""));
    let _ = std::fs::remove_dir_all(&dir);
    cfg
}

fn load(text: &str) -> Result<Config, String> {
    load_with(text, &[])
}

#[test]
fn falco_yaml_keys_are_applied() {
    let cfg = load(
        "json_output: true\njson_include_output_property: false\njson_include_tags_property: false\n\
         json_include_message_property: yes\njson_include_output_fields_property: off\n\
         buffered_outputs: true\nrule_matching: all\npriority: warning\noutputs_queue:\n  capacity: 10\n\
         stdout_output:\n  enabled: false\n\
         file_output:\n  enabled: true\n  keep_alive: true\n  filename: /tmp/events.txt\n\
         http_output:\n  enabled: true\n  url: http://127.0.0.1:2801/\n  user_agent: falcosecurity/falco\n\
         program_output:\n  enabled: true\n  keep_alive: true\n  program: \"jq '{text: .output}'\"\n\
         syslog_output:\n  enabled: true\n",
    )
    .expect("config");
    assert!(cfg.outputs.json_output && cfg.outputs.buffered && !cfg.outputs.stdout);
    let render = &cfg.render;
    assert!(!render.json_include_output_property && !render.json_include_tags_property);
    assert!(render.json_include_message_property && !render.json_include_output_fields_property);
    assert_eq!(cfg.rule_matching, RuleMatching::All);
    assert_eq!(cfg.min_priority, Priority::Warning);
    assert_eq!(cfg.outputs.queue_capacity, 10);
    let f = cfg.outputs.file.expect("file");
    assert_eq!(f.path, Path::new("/tmp/events.txt"));
    assert!(f.keep_alive);
    let h = cfg.outputs.http.expect("http");
    assert_eq!(h.url, "http://127.0.0.1:2801/");
    assert_eq!(
        (h.user_agent.as_str(), h.queue_capacity),
        ("falcosecurity/falco", 10)
    );
    let p = cfg.outputs.program.expect("program");
    assert_eq!(
        (p.command.as_str(), p.keep_alive),
        ("jq '{text: .output}'", true)
    );
    let s = cfg.outputs.syslog.expect("syslog");
    assert_eq!(s.socket, PathBuf::from("/dev/log"));
    assert!(cfg.not_applied.is_empty(), "{:?}", cfg.not_applied);
}

#[test]
fn defaults_are_falcos_and_disabled_outputs_stay_off() {
    let cfg = load(
        "file_output:\n  enabled: false\n  filename: x\nhttp_output:\n  enabled: false\n  url: \"\"\n  insecure: true\n",
    )
    .expect("config");
    // With a configuration file, stdout is on only when `stdout_output.enabled` says so.
    assert!(!cfg.outputs.stdout && !cfg.outputs.json_output && !cfg.outputs.buffered);
    assert!(cfg.outputs.file.is_none() && cfg.outputs.http.is_none());
    assert!(cfg.outputs.program.is_none() && cfg.outputs.syslog.is_none());
    assert_eq!(cfg.rule_matching, RuleMatching::First);
    assert_eq!(cfg.min_priority, Priority::Debug);
    assert!(cfg.render.json_include_output_property && cfg.render.json_include_tags_property);
    assert!(
        cfg.drops.actions.is_empty(),
        "no drop actions without the section"
    );
    // A disabled section is applied as a whole: nothing of it is reported.
    assert!(cfg.not_applied.is_empty(), "{:?}", cfg.not_applied);
    let no_file = Config::load(None, &["json_output=true".to_string()]).expect("options only");
    assert!(no_file.outputs.stdout && no_file.outputs.json_output);
}

#[test]
fn options_override_the_file() {
    let cfg = load_with(
        "json_output: false\npriority: debug\nstdout_output:\n  enabled: true\n",
        &[
            "json_output=true",
            "priority=error",
            "append_output[]={extra_output: \"pid=%proc.pid\", match: {source: syscall}}",
        ],
    )
    .expect("config");
    assert!(cfg.outputs.json_output);
    assert_eq!(cfg.min_priority, Priority::Error);
    assert_eq!(cfg.append.len(), 1);
    assert_eq!(cfg.append[0].extra_output.as_deref(), Some("pid=%proc.pid"));
    assert_eq!(cfg.append[0].source.as_deref(), Some("syscall"));
    let err = load_with("priority: debug\n", &["priority=loud"]).expect_err("bad value");
    assert!(
        err.starts_with("-o 'priority=loud': `priority` must be"),
        "{err}"
    );
}

#[test]
fn append_output_and_drops_are_read() {
    let cfg = load(
        "append_output:\n  - suggested_output: true\n  - match:\n      tags: [container, shell]\n      rule: Terminal shell in container\n    extra_output: on CPU %evt.cpu\n    extra_fields:\n      - home: ${HOME_FOR_FALCO_RT_TEST}x\n      - evt.hostname\n\
         syscall_event_drops:\n  threshold: .2\n  actions: [log, alert, exit]\n  rate: 1\n  max_burst: 3\n  simulate_drops: true\n",
    )
    .expect("config");
    assert!(cfg.append[0].suggested_output);
    let a = &cfg.append[1];
    assert_eq!(a.tags, ["container", "shell"]);
    assert_eq!(a.rule.as_deref(), Some("Terminal shell in container"));
    assert_eq!(a.extra_output.as_deref(), Some("on CPU %evt.cpu"));
    assert_eq!(
        a.extra_fields,
        [
            ExtraField::Formatted {
                key: "home".into(),
                format: "x".into()
            },
            ExtraField::Raw("evt.hostname".into())
        ]
    );
    let d = &cfg.drops;
    assert_eq!(
        d.actions,
        [DropAction::Log, DropAction::Alert, DropAction::Exit]
    );
    assert_eq!(
        (d.threshold, d.rate, d.max_burst, d.simulate),
        (0.2, 1.0, 3.0, true)
    );
    assert!(cfg.not_applied.is_empty(), "{:?}", cfg.not_applied);
}

#[test]
fn keys_falco_rt_does_not_apply_are_named_with_their_place() {
    let cfg = load(
        "json_output: true\nwebserver:\n  enabled: true\ngrpc_output:\n  enabled: true\n\
         http_output:\n  enabled: true\n  url: http://x/\n  insecure: true\nmy_key: 1\njson_output: false\n",
    )
    .expect("config");
    assert_eq!(
        cfg.not_applied,
        [
            "falco.yaml:2:1: `webserver` is enabled but not applied: falco-rt has no embedded web server (the Kubernetes audit webhook is set with --k8s-audit-listen)",
            "falco.yaml:4:1: `grpc_output` is enabled but not applied: falco-rt has no gRPC output: alerts are not sent there",
            "falco.yaml:9:3: `http_output.insecure` is not applied: falco-rt always verifies the server",
            "falco.yaml:10:1: `my_key` is not a setting falco-rt has",
            "falco.yaml:11:1: `json_output` is written twice; the first one, at falco.yaml:1:1, is used",
        ]
    );
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
            "program_output:\n  enabled: true\n",
            "falco.yaml:2:3: `program_output` is enabled but has no `program`",
        ),
        (
            "syscall_event_drops:\n  actions: [ignore, alert]\n",
            "falco.yaml:2:21: the syscall event drop action `alert` does not make sense with `ignore`",
        ),
        (
            "syscall_event_drops:\n  actions: [shout]\n",
            "falco.yaml:2:13: the syscall event drop actions are",
        ),
        (
            "syscall_event_drops:\n  threshold: 2\n",
            "falco.yaml:2:14: `syscall_event_drops.threshold` must be between 0 and 1",
        ),
        (
            "append_output:\n  - extra_fields:\n      - {a: b, c: d}\n",
            "falco.yaml:3:9: an `extra_fields` entry is",
        ),
        ("- a\n", "falco.yaml:1:1: a configuration must be a mapping"),
        ("a: [\n", "falco.yaml:"),
    ];
    for (text, want) in cases {
        let err = load(text)
            .err()
            .unwrap_or_else(|| panic!("{text:?} must fail"));
        assert!(err.starts_with(want), "{text:?}: {err}");
    }
}

#[test]
fn the_follow_interval_is_read_from_the_falco_rt_section() {
    let cfg = load("falco_rt:\n  follow_interval: 90s\n").expect("config");
    assert_eq!(
        cfg.follow_interval,
        Some(std::time::Duration::from_secs(90))
    );
    assert_eq!(
        load("json_output: false\n")
            .expect("config")
            .follow_interval,
        None
    );
    let err = load("falco_rt:\n  follow_interval: soon\n").expect_err("bad duration");
    assert!(
        err.starts_with("falco.yaml:2:20: `falco_rt.follow_interval` `soon`"),
        "{err}"
    );
    let err = load("falco_rt:\n  follow_interval: 0s\n").expect_err("zero");
    assert!(err.contains("more than zero"), "{err}");
}

#[test]
fn help_and_version_print_and_succeed() {
    use clap::{CommandFactory, Parser, error::ErrorKind};
    let version = crate::cli::Cli::try_parse_from(["falco-rt", "--version"]).expect_err("exits");
    assert_eq!(version.kind(), ErrorKind::DisplayVersion);
    assert_eq!(
        crate::cli::Cli::command().render_version(),
        format!("falco-rt {}\n", env!("CARGO_PKG_VERSION"))
    );
    let help = crate::cli::Cli::try_parse_from(["falco-rt", "--help"]).expect_err("exits");
    assert_eq!(help.kind(), ErrorKind::DisplayHelp);
    assert!(help.to_string().contains("--bundle"), "{help}");
}
