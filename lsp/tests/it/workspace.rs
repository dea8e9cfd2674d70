//! The workspace against the file system: files that change on disk while the editor
//! has them closed (file watchers), and Falco's own load order without a
//! configuration.

use serde_json::{Value, json};

use crate::client::{Client, position_of, temp_dir, uri};

fn codes(list: &[Value]) -> Vec<String> {
    list.iter()
        .filter_map(|d| d["code"].as_str().map(str::to_owned))
        .collect()
}

const BASE: &str = "- macro: spawned\n  condition: evt.type = execve\n";
const USER: &str = "- rule: r\n  desc: d\n  condition: spawned and proc.name = sh\n  output: o\n  priority: NOTICE\n";

/// A configured file that is not open changes on disk: the client's watchers report
/// it, and the diagnostics of the open file follow the new text.
#[test]
fn files_changed_on_disk_are_read_again() {
    let dir = temp_dir("watched");
    std::fs::write(
        dir.join(".falco-rulec.yaml"),
        "rules_files:\n  - base_rules.yaml\n  - user_rules.yaml\n",
    )
    .expect("write project file");
    std::fs::write(dir.join("base_rules.yaml"), BASE).expect("write base");
    std::fs::write(dir.join("user_rules.yaml"), USER).expect("write user");
    let mut client = Client::start_with(
        &dir,
        json!({"debounceMs": 0}),
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    let (user, _) = client.open(&dir.join("user_rules.yaml"));
    client.wait_diagnostics(&user, |list| list.is_empty());

    // The server asked to watch rules files and configuration files.
    let registration = client
        .notifications
        .iter()
        .find(|(method, _)| method == "client/registerCapability")
        .map(|(_, params)| params.clone())
        .expect("a client/registerCapability request");
    let watchers = &registration["registrations"][0];
    assert_eq!(watchers["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = watchers["registerOptions"]["watchers"]
        .as_array()
        .expect("watchers")
        .iter()
        .filter_map(|watcher| watcher["globPattern"].as_str())
        .collect();
    for glob in [
        "**/*_rules.yaml",
        "**/rules.d/*.yaml",
        "**/falco.yaml",
        "**/.falco-rulec.yaml",
    ] {
        assert!(globs.contains(&glob), "{glob} not in {globs:?}");
    }

    // A checkout renames the macro in the file the editor does not show.
    let base = dir.join("base_rules.yaml");
    std::fs::write(&base, BASE.replace("spawned", "spawned_process")).expect("rewrite base");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&base), "type": 2}]}),
    );
    let list = client.wait_diagnostics(&user, |list| !list.is_empty());
    assert_eq!(codes(&list), ["E203"], "{list:?}");

    // A new file in the configuration (saved from another editor) is picked up too.
    std::fs::write(
        dir.join(".falco-rulec.yaml"),
        "rules_files:\n  - base_rules.yaml\n  - extra_rules.yaml\n  - user_rules.yaml\n",
    )
    .expect("rewrite project file");
    std::fs::write(dir.join("extra_rules.yaml"), BASE).expect("write extra");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [
            {"uri": uri(&dir.join(".falco-rulec.yaml")), "type": 2},
            {"uri": uri(&dir.join("extra_rules.yaml")), "type": 1},
        ]}),
    );
    client.wait_diagnostics(&user, |list| list.is_empty());
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Without a configuration, open files load as Falco loads them: `falco_rules.yaml`
/// first, then `falco_rules.local.yaml`, then `rules.d/`, then the rest by name, so
/// an append in `a_rules.yaml` finds its macro and definitions point into
/// `falco_rules.yaml`.
#[test]
fn falco_load_order_without_a_configuration() {
    let dir = temp_dir("default-order");
    std::fs::create_dir_all(dir.join("rules.d")).expect("create rules.d");
    let files = [
        (
            "a_rules.yaml",
            "- macro: spawned\n  condition: and proc.name != sh\n  override:\n    condition: append\n",
        ),
        (
            "rules.d/local.yaml",
            "- macro: spawned\n  condition: and proc.name != bash\n  override:\n    condition: append\n",
        ),
        (
            "falco_rules.local.yaml",
            "- macro: spawned\n  condition: and proc.name != zsh\n  override:\n    condition: append\n",
        ),
        ("falco_rules.yaml", &format!("{BASE}\n{USER}")),
    ];
    let mut client = Client::start(&dir, json!({"debounceMs": 0}));
    let mut uris = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write a rules file");
        uris.push(client.open(&path).0);
    }
    for uri in &uris {
        client.wait_diagnostics(uri, |list| list.is_empty());
    }
    // The definition of the macro appended in a_rules.yaml is in falco_rules.yaml.
    let text = files[0].1;
    let definition = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uris[0]}, "position": position_of(text, "spawned", 0, 2)}),
    );
    assert_eq!(definition[0]["uri"], json!(uris[3]), "{definition}");
    // Its hover shows the appends in Falco's order.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uris[3]}, "position": position_of(&format!("{BASE}\n{USER}"), "spawned", 0, 2)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    let order: Vec<usize> = ["zsh", "bash", "!= sh"]
        .iter()
        .map(|shell| shown.find(shell).unwrap_or(usize::MAX))
        .collect();
    assert!(
        order[0] < order[1] && order[1] < order[2] && order[2] != usize::MAX,
        "{shown}"
    );
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The project file's `lint` section and inline comments apply as in `falco-rulec
/// lint`: an allowed code, a per-file ignore, a denied code, a baseline entry.
#[test]
fn the_project_files_suppressions_apply() {
    let dir = temp_dir("suppressions");
    let noisy = |name: &str| {
        format!(
            "- macro: unused_{name}\n  condition: proc.name = x\n- list: unused_list_{name}\n  items: [a]\n- rule: {name}\n  desc: d\n  condition: proc.name = bash\n  output: o\n  priority: DEBUG\n"
        )
    };
    std::fs::create_dir_all(dir.join("legacy")).expect("mkdir");
    std::fs::write(
        dir.join(".falco-rulec.yaml"),
        "rules_files: [a_rules.yaml, legacy/b_rules.yaml]\nlint:\n  allow: [W202]\n  deny: [W206]\n  per-file-ignores:\n    \"legacy/*.yaml\": [W206]\n  baseline: baseline.json\n",
    )
    .expect("write project file");
    std::fs::write(
        dir.join("baseline.json"),
        r#"{"version": 1, "findings": [{"file": "a_rules.yaml", "code": "W201", "message": "macro `unused_a` is never used", "count": 1}]}"#,
    )
    .expect("write baseline");
    std::fs::write(dir.join("a_rules.yaml"), noisy("a")).expect("write a");
    std::fs::write(
        dir.join("legacy/b_rules.yaml"),
        format!("# falco-rulec: allow(W201)\n{}", noisy("b")),
    )
    .expect("write b");
    let mut client = Client::start(&dir, json!({"debounceMs": 0}));
    let (a, _) = client.open(&dir.join("a_rules.yaml"));
    let list = client.wait_diagnostics(&a, |list| !list.is_empty());
    assert_eq!(codes(&list), ["W206"], "{list:?}");
    assert_eq!(list[0]["severity"], 1, "denied: an error");
    let (b, _) = client.open(&dir.join("legacy/b_rules.yaml"));
    let list = client.wait_diagnostics(&b, |_| true);
    assert!(codes(&list).is_empty(), "{list:?}");
}

/// A macro definition that a later file replaces reads like any other: Falco
/// compiled it after the first file, so its errors are reported there, its fields
/// have hovers and colours, and its name's hover names the replacement.
#[test]
fn superseded_definitions_are_checked_and_navigable() {
    let dir = temp_dir("superseded");
    std::fs::write(
        dir.join(".falco-rulec.yaml"),
        "rules_files:\n  - base_rules.yaml\n  - user_rules.yaml\n",
    )
    .expect("write project file");
    let base = "- macro: m\n  condition: proc.nam = x and fd.name = y\n- rule: r\n  desc: d\n  condition: evt.type = open and m\n  output: o\n  priority: INFO\n";
    std::fs::write(dir.join("base_rules.yaml"), base).expect("write base");
    std::fs::write(
        dir.join("user_rules.yaml"),
        "- macro: m\n  condition: proc.name = x\n",
    )
    .expect("write user");
    let mut client = Client::start(&dir, json!({"debounceMs": 0}));
    let (base_uri, _) = client.open(&dir.join("base_rules.yaml"));
    let list = client.wait_diagnostics(&base_uri, |list| !list.is_empty());
    assert_eq!(codes(&list), ["E401"], "{list:?}");
    let hover = |client: &mut Client, needle: &str| {
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": base_uri}, "position": position_of(base, needle, 0, 1)}),
        );
        hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let name = hover(&mut client, " m\n");
    assert!(
        name.contains("proc.nam = x")
            && name.contains("replaced by `m` at `")
            && name.contains("user_rules.yaml:1`"),
        "{name}"
    );
    let field = hover(&mut client, "fd.name");
    assert!(field.contains("`fd.name`"), "{field}");
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": base_uri}}),
    );
    // The first token is on line 1, in the superseded condition.
    assert_eq!(tokens["data"][0], json!(1), "{tokens}");
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A replay profile for a rule `r` and a rule `other` (the shape of
/// `falco-rulec replay --profile-json`).
fn profile_json(evaluations: u64, matches: u64) -> String {
    json!({
        "version": 1,
        "events": 1000,
        "rule_matching": "first",
        "time_ns": 40_000,
        "rules": [
            {"rule": "r", "source": "syscall", "evaluations": evaluations, "matches": matches,
             "time_ns": 30_000, "ns_per_evaluation": 30_000 / evaluations},
            {"rule": "other", "source": "syscall", "evaluations": 10, "matches": 0,
             "time_ns": 10_000, "ns_per_evaluation": 1_000},
        ],
    })
    .to_string()
}

/// With `profileFile`, a rule's hover shows its figures from the replay profile; the
/// file is read again when it changes, and one that cannot be read is reported.
#[test]
fn rule_hover_shows_the_replay_profile() {
    let dir = temp_dir("profile");
    let rules = "- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: NOTICE\n- rule: unprofiled\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: NOTICE\n";
    std::fs::write(dir.join("my_rules.yaml"), rules).expect("write rules");
    std::fs::write(dir.join("profile.json"), profile_json(100, 7)).expect("write profile");
    let mut client = Client::start(
        &dir,
        json!({"debounceMs": 0, "profileFile": "profile.json"}),
    );
    let (rules_uri, _) = client.open(&dir.join("my_rules.yaml"));
    client.wait_diagnostics(&rules_uri, <[Value]>::is_empty);
    let hover = |client: &mut Client, needle: &str| {
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": rules_uri}, "position": position_of(rules, needle, 0, 1)}),
        );
        hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let shown = hover(&mut client, " r\n");
    assert!(shown.contains("**rule** `r`"), "{shown}");
    assert!(
        shown.contains("1000 events, rule_matching first): 100 evaluations, 7 matches, 0.030 ms (75.0% of the time in rules, rank 1 of 2), 300 ns per evaluation"),
        "{shown}"
    );
    let other = hover(&mut client, "unprofiled");
    assert!(other.contains("profile (`"), "{other}");
    assert!(other.contains("not in it"), "{other}");

    // Another replay rewrote the file (a different size, so no clock is involved).
    std::fs::write(dir.join("profile.json"), profile_json(1000, 70)).expect("rewrite profile");
    let shown = hover(&mut client, " r\n");
    assert!(
        shown.contains("1000 evaluations, 70 matches") && shown.contains("30 ns per evaluation"),
        "{shown}"
    );

    // A file that is no profile: the hover has no figures, and the user is told once.
    std::fs::write(dir.join("profile.json"), "{\"version\": 7}").expect("break profile");
    let shown = hover(&mut client, " r\n");
    assert!(!shown.contains("profile ("), "{shown}");
    client.change(
        &rules_uri,
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}),
        "",
    );
    client.wait_for(|message| {
        message["method"] == "window/showMessage"
            && message["params"]["message"]
                .as_str()
                .is_some_and(|text| text.contains("profile.json") && text.contains("not a profile"))
    });
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Rules of a plugin we do not compile in (krsi) lint clean once a plugin schema
/// names its fields and events: from the project file's `lint.plugin-schemas`, or
/// from the `pluginSchemas` setting. A schema that cannot be read is shown once,
/// and the rules are checked against the built-in schema.
#[test]
fn plugin_schemas_from_the_project_file_or_the_settings_apply() {
    // An unused macro keeps one warning in the final list, so that the wait below
    // is for the analysis proper and not for an empty list.
    const KRSI: &str = "- macro: unused\n  condition: proc.name = x\n- rule: krsi open\n  desc: d\n  condition: evt.type = krsi_open and krsi.name startswith /etc\n  output: \"open %krsi.name fd=%krsi.fd\"\n  priority: INFO\n";
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../rules-stdlib/plugin-schemas/krsi.json");
    let schema = std::fs::read_to_string(shipped).expect("krsi.json");
    let lint = |name: &str, project: Option<&str>, options: Value| {
        let dir = temp_dir(name);
        std::fs::write(dir.join("krsi.json"), &schema).expect("write schema");
        std::fs::write(dir.join("krsi_rules.yaml"), KRSI).expect("write rules");
        if let Some(project) = project {
            std::fs::write(dir.join(".falco-rulec.yaml"), project).expect("write project file");
        }
        let mut client = Client::start(&dir, options);
        let (rules, _) = client.open(&dir.join("krsi_rules.yaml"));
        let list = client.wait_diagnostics(&rules, |list| !list.is_empty());
        client.shutdown();
        codes(&list)
    };
    let found = lint(
        "plugin-schema-project",
        Some("lint:\n  plugin-schemas: [krsi.json]\n"),
        json!({"debounceMs": 0}),
    );
    assert_eq!(found, ["W201"]);
    let found = lint(
        "plugin-schema-setting",
        None,
        json!({"debounceMs": 0, "pluginSchemas": ["krsi.json"]}),
    );
    assert_eq!(found, ["W201"]);
    // A schema that cannot be read: shown once, and the built-in schema is used.
    let dir = temp_dir("plugin-schema-missing");
    std::fs::write(dir.join("krsi_rules.yaml"), KRSI).expect("write rules");
    let mut client = Client::start(
        &dir,
        json!({"debounceMs": 0, "pluginSchemas": ["missing.json"]}),
    );
    let (rules, _) = client.open(&dir.join("krsi_rules.yaml"));
    let list = client.wait_diagnostics(&rules, |list| !list.is_empty());
    assert!(codes(&list).contains(&"E405".to_owned()), "{list:?}");
    let is_shown = |method: &str, params: &Value| {
        method == "window/showMessage"
            && params["message"]
                .as_str()
                .is_some_and(|message| message.contains("missing.json"))
    };
    if !client
        .notifications
        .iter()
        .any(|(method, params)| is_shown(method, params))
    {
        client.wait_for(|message| {
            is_shown(message["method"].as_str().unwrap_or(""), &message["params"])
        });
    }
    client.shutdown();
}
