use std::path::{Path, PathBuf};

use crate::overrides::{Step, key_path};
use crate::{Config, ConfigError, rules_files};

/// A scratch directory removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let p = std::env::temp_dir().join(format!("falco-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        Dir(p)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("dir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn env(name: &str) -> Option<String> {
    match name {
        "HOME" => Some("/home/falco".into()),
        "SELF" => Some("${SELF}".into()),
        _ => None,
    }
}

fn load(dir: &Dir, text: &str, options: &[&str]) -> Result<Config, ConfigError> {
    let path = dir.write("falco.yaml", text);
    let options: Vec<String> = options.iter().map(|o| o.to_string()).collect();
    Config::load_with_env(Some(&path), &options, &env)
}

fn text_of(config: &Config, key: &str) -> Option<String> {
    config
        .get(key)
        .and_then(|v| v.as_scalar())
        .map(str::to_string)
}

#[test]
fn errors_name_the_file_line_and_column() {
    let dir = Dir::new("errors");
    let config = load(
        &dir,
        "json_output: true\npriority:\n  - debug\nfile_output: maybe\n",
        &[],
    )
    .expect("loads");
    let err = config
        .get("file_output")
        .expect("set")
        .as_bool("file_output")
        .expect_err("not a bool");
    let path = dir.0.join("falco.yaml");
    assert_eq!(
        err.to_string(),
        format!(
            "{}:4:14: `file_output` must be true or false",
            path.display()
        )
    );
    let err = config
        .get("priority")
        .expect("set")
        .as_str("priority")
        .expect_err("a list");
    assert!(
        err.to_string()
            .contains(":3:3: `priority` must be a string, not a sequence"),
        "{err}"
    );
    let broken = load(&dir, "a: [1,\n", &[]).expect_err("not YAML");
    assert!(
        broken.to_string().starts_with(&path.display().to_string()),
        "{broken}"
    );
    let not_a_map = load(&dir, "- a\n", &[]).expect_err("a list");
    assert!(not_a_map.message.contains("mapping of keys"), "{not_a_map}");
    let missing =
        Config::load(Some(Path::new("/nonexistent/falco.yaml")), &[]).expect_err("missing");
    assert!(
        missing.to_string().starts_with("/nonexistent/falco.yaml: "),
        "{missing}"
    );
}

#[test]
fn booleans_are_read_as_yaml_cpp_reads_them() {
    let dir = Dir::new("bools");
    let yes = ["true", "True", "TRUE", "yes", "Yes", "on", "ON", "y", "Y"];
    let no = ["false", "FALSE", "no", "No", "off", "Off", "n", "N"];
    let bad = ["tRue", "1", "0", "enabled", "\"\""];
    let text: String = yes
        .iter()
        .chain(&no)
        .chain(&bad)
        .enumerate()
        .map(|(i, v)| format!("k{i}: {v}\n"))
        .collect();
    let config = load(&dir, &text, &[]).expect("loads");
    for (i, expected) in yes
        .iter()
        .map(|_| Some(true))
        .chain(no.iter().map(|_| Some(false)))
        .chain(bad.iter().map(|_| None))
        .enumerate()
    {
        let key = format!("k{i}");
        let got = config.get(&key).map(|v| v.as_bool(&key).ok());
        assert_eq!(got.flatten(), expected, "{key}");
    }
}

#[test]
fn numbers_and_nulls() {
    let dir = Dir::new("numbers");
    let config = load(
        &dir,
        "a: 16384\nb: 0x10\nc: .03333\nd: -1\ne: ~\nf:\ng: 1e400\n",
        &[],
    )
    .expect("loads");
    assert_eq!(config.get("a").map(|v| v.as_u64("a")), Some(Ok(16384)));
    assert_eq!(config.get("b").map(|v| v.as_u64("b")), Some(Ok(16)));
    assert_eq!(config.get("c").map(|v| v.as_f64("c")), Some(Ok(0.03333)));
    assert!(config.get("d").expect("set").as_u64("d").is_err());
    assert!(
        config.get("e").is_none() && config.get("f").is_none(),
        "null is absent"
    );
    assert!(
        config.get("g").expect("set").as_f64("g").is_err(),
        "not finite"
    );
}

#[test]
fn environment_references_are_resolved_in_values() {
    let dir = Dir::new("env");
    let config = load(
        &dir,
        "a: ${HOME}/x\nb: pre${UNSET}post\nc: $${HOME}\nd: cost $5 ${HOME}\ne: ${HOME\nf: ${SELF}\n${HOME}: key\nl:\n  - ${HOME}\n",
        &[],
    )
    .expect("loads");
    assert_eq!(text_of(&config, "a").as_deref(), Some("/home/falco/x"));
    assert_eq!(text_of(&config, "b").as_deref(), Some("prepost"));
    assert_eq!(text_of(&config, "c").as_deref(), Some("${HOME}"));
    // Falco stops at a `$` that starts no reference, and at an unclosed `${`.
    assert_eq!(text_of(&config, "d").as_deref(), Some("cost $5 ${HOME}"));
    assert_eq!(text_of(&config, "e").as_deref(), Some("${HOME"));
    // The inserted text is not scanned again (Falco would loop).
    assert_eq!(text_of(&config, "f").as_deref(), Some("${SELF}"));
    // Keys are left alone.
    assert_eq!(text_of(&config, "${HOME}").as_deref(), Some("key"));
    let items = config.get("l").expect("set").as_items("l").expect("list");
    assert_eq!(items[0].as_scalar(), Some("/home/falco"));
}

#[test]
fn key_paths_follow_falcos_grammar() {
    let key = |s: &str| Step::Key(s.to_string());
    assert_eq!(key_path("a.b.c"), Ok(vec![key("a"), key("b"), key("c")]));
    assert_eq!(
        key_path("list[3].sub"),
        Ok(vec![key("list"), Step::Index(3), key("sub")])
    );
    assert_eq!(
        key_path("m[1][3]"),
        Ok(vec![key("m"), Step::Index(1), Step::Index(3)])
    );
    assert_eq!(key_path("l[]"), Ok(vec![key("l"), Step::Append]));
    assert_eq!(
        key_path(r"annotations.kubernetes\.io/role"),
        Ok(vec![key("annotations"), key("kubernetes.io/role")])
    );
    for bad in [
        "", "a.", ".a", "a..b", "a[x]", "a[1", r"a\q", "a\\", "[1]", "a[1]b",
    ] {
        assert!(key_path(bad).is_err(), "{bad:?} should be refused");
    }
}

#[test]
fn options_override_the_file() {
    let dir = Dir::new("options");
    let config = load(
        &dir,
        "json_output: false\nhttp_output:\n  enabled: false\nappend_output:\n  - suggested_output: true\nlist: [a, b]\n",
        &[
            "json_output=true",
            "http_output.url=http://x/",
            "new.deep.key=v",
            "append_output[]={extra_output: \"on %evt.cpu\", match: {source: syscall}}",
            "list[1]=c",
            "list[2]=d",
            r"annotations.kubernetes\.io/role=master",
        ],
    )
    .expect("loads");
    let json = config.get("json_output").expect("set");
    assert_eq!(json.as_bool("json_output"), Ok(true));
    assert_eq!(json.place.to_string(), "-o 'json_output=true'");
    let http = config.get("http_output").expect("set");
    assert_eq!(http.get("enabled").map(|v| v.as_bool("e")), Some(Ok(false)));
    assert_eq!(
        http.get("url").and_then(|v| v.as_scalar()),
        Some("http://x/")
    );
    let deep = config
        .get("new")
        .and_then(|v| v.get("deep"))
        .and_then(|v| v.get("key"));
    assert_eq!(deep.and_then(|v| v.as_scalar()), Some("v"));
    let appended = config
        .get("append_output")
        .expect("set")
        .as_items("a")
        .expect("list");
    assert_eq!(appended.len(), 2);
    assert_eq!(
        appended[1].get("extra_output").and_then(|v| v.as_scalar()),
        Some("on %evt.cpu")
    );
    assert_eq!(
        appended[1]
            .get("match")
            .and_then(|m| m.get("source"))
            .and_then(|v| v.as_scalar()),
        Some("syscall")
    );
    let list: Vec<_> = config
        .get("list")
        .expect("set")
        .as_items("list")
        .expect("list")
        .iter()
        .filter_map(|v| v.as_scalar())
        .collect();
    assert_eq!(list, ["a", "c", "d"]);
    assert!(
        config
            .get("annotations")
            .and_then(|a| a.get("kubernetes.io/role"))
            .is_some()
    );
}

#[test]
fn bad_options_are_refused_with_the_option() {
    let dir = Dir::new("bad-options");
    for (option, message) in [
        ("json_output", "must be of the form key=value"),
        ("a..b=1", "in the key `a..b`"),
        ("json_output.x=1", "cannot set `x` inside a scalar"),
        (
            "list[5]=x",
            "index 5 is past the end of a sequence of 1 items",
        ),
        ("m={a: [}", "-o 'm={a: [}'"),
    ] {
        let err = load(&dir, "json_output: true\nlist: [a]\n", &[option]).expect_err(option);
        assert!(err.to_string().contains(message), "{option}: {err}");
    }
}

#[test]
fn config_files_are_merged_with_their_strategies() {
    let dir = Dir::new("includes");
    dir.write(
        "config.d/20-b.yaml",
        "json_output: true\nrules_files: [b.yaml]\n",
    );
    dir.write(
        "config.d/10-a.yaml",
        "priority: notice\nrules_files: [a.yaml]\n",
    );
    dir.write("override.yaml", "rules_files: [only.yaml]\n");
    dir.write("addonly.yaml", "priority: error\nnew_key: 1\n");
    let main = "rules_files: [main.yaml]\nconfig_files:\n  - config.d\n  - missing.d\n  - path: override.yaml\n    strategy: override\n  - {path: addonly.yaml, strategy: add-only}\n";
    let config = load(&dir, main, &[]).expect("loads");
    let files: Vec<String> = rules_files(&config)
        .expect("paths")
        .iter()
        .map(|p| {
            p.strip_prefix(&dir.0)
                .expect("inside")
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(files, ["only.yaml"], "override replaced the appended list");
    assert_eq!(text_of(&config, "priority").as_deref(), Some("notice"));
    assert_eq!(text_of(&config, "new_key").as_deref(), Some("1"));
    assert_eq!(
        config.get("json_output").map(|v| v.as_bool("j")),
        Some(Ok(true))
    );
    assert_eq!(config.included().len(), 4, "{:?}", config.included());

    // Appending (the default strategy) adds to the main list.
    let config = load(
        &dir,
        "rules_files: [main.yaml]\nconfig_files: [config.d]\n",
        &[],
    )
    .expect("loads");
    let names: Vec<_> = rules_files(&config)
        .expect("paths")
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert_eq!(names, ["main.yaml", "a.yaml", "b.yaml"]);

    // `-o config_files=...` applies before the merge; other options after it.
    let config = load(
        &dir,
        "priority: debug\n",
        &["config_files=config.d", "priority=alert"],
    )
    .expect("loads");
    assert_eq!(text_of(&config, "priority").as_deref(), Some("alert"));
    assert_eq!(
        config.get("json_output").map(|v| v.as_bool("j")),
        Some(Ok(true))
    );

    dir.write("nested.yaml", "config_files: [x]\n");
    let err = load(&dir, "config_files: [nested.yaml]\n", &[]).expect_err("nested");
    assert!(
        err.to_string().contains("cannot include more files"),
        "{err}"
    );
    let err = load(&dir, "config_files: [falco.yaml]\n", &[]).expect_err("itself");
    assert!(
        err.to_string().contains("main configuration file itself"),
        "{err}"
    );
    let err =
        load(&dir, "config_files: [{path: x, strategy: merge}]\n", &[]).expect_err("strategy");
    assert!(
        err.to_string().contains("unknown `strategy` `merge`"),
        "{err}"
    );
}

#[test]
fn unread_keys_are_listed_where_they_are_written() {
    let dir = Dir::new("unread");
    let config = load(
        &dir,
        "json_output: true\nwebserver:\n  enabled: true\nhttp_output:\n  enabled: true\n  insecure: true\nappend_output:\n  - match: {rule: x}\n    extra_output: y\njson_output: false\n",
        &["metrics.enabled=true"],
    )
    .expect("loads");
    let _ = config.get("json_output");
    let http = config.get("http_output").expect("set");
    let _ = http.get("enabled");
    for entry in config
        .get("append_output")
        .expect("set")
        .as_items("a")
        .expect("list")
    {
        let _ = entry.get("extra_output");
    }
    let unread: Vec<(String, String, bool)> = config
        .unread()
        .into_iter()
        .map(|u| (u.key, u.place.to_string(), u.duplicate_of.is_some()))
        .collect();
    let file = dir.0.join("falco.yaml").display().to_string();
    assert_eq!(
        unread,
        [
            ("webserver".to_string(), format!("{file}:2:1"), false),
            (
                "http_output.insecure".to_string(),
                format!("{file}:6:3"),
                false
            ),
            (
                "append_output[0].match".to_string(),
                format!("{file}:8:5"),
                false
            ),
            ("json_output".to_string(), format!("{file}:10:1"), true),
            (
                "metrics".to_string(),
                "-o 'metrics.enabled=true'".to_string(),
                false
            ),
        ]
    );
}

#[test]
fn rules_files_accepts_a_path_a_list_and_the_old_key() {
    let dir = Dir::new("rules-files");
    let resolved = |text: &str| {
        let config = load(&dir, text, &[]).expect("loads");
        rules_files(&config).map(|files| {
            files
                .iter()
                .map(|p| p.strip_prefix(&dir.0).unwrap_or(p).display().to_string())
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        resolved("rules_files: a.yaml\n"),
        Ok(vec!["a.yaml".to_string()])
    );
    assert_eq!(
        resolved("rules_files: [a.yaml, /abs/b.yaml]\nrules_file: c.yaml\n"),
        Ok(vec!["a.yaml".to_string(), "/abs/b.yaml".to_string()])
    );
    assert_eq!(
        resolved("rules_file: [c.yaml]\n"),
        Ok(vec!["c.yaml".to_string()])
    );
    assert_eq!(resolved("rules_files:\n"), Ok(vec![]));
    assert_eq!(resolved("json_output: true\n"), Ok(vec![]));
    let err = resolved("rules_files: [[a]]\n").expect_err("nested list");
    assert!(
        err.to_string()
            .contains(":1:15: `rules_files` entries must be paths"),
        "{err}"
    );
    let err = resolved("rules_files: {a: b}\n").expect_err("mapping");
    assert!(err.to_string().contains("must be a list"), "{err}");
}

#[test]
fn an_alias_bomb_is_refused_not_expanded() {
    let dir = Dir::new("bomb");
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for level in 1..9 {
        let prev = level - 1;
        let items = vec![format!("*a{prev}"); 9].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    let err = load(&dir, &text, &[]).expect_err("9^9 values");
    assert!(
        err.to_string().contains("more than 1000000 values"),
        "{err}"
    );
}
