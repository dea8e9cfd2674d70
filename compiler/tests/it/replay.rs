//! `falco-rulec replay`: alerts as Falco prints them, exit codes, and bad input.

use std::path::{Path, PathBuf};

use crate::support::*;

const RULES: &str = "\
- list: shells
  items: [bash, zsh]

- macro: spawned_process
  condition: evt.type in (execve, execveat)

- rule: shell spawned
  desc: a shell started
  condition: spawned_process and proc.name in (shells) and not proc.pname contains sshd
  output: shell started (command=%proc.cmdline user=%user.name parent=%proc.pname container=%container.id)
  priority: NOTICE
  tags: [shell, mitre_execution]

- rule: shadow read
  desc: the shadow file was opened
  condition: evt.type = openat and fd.name pmatch (/etc/shadow, /etc/gshadow)
  output: shadow opened by %proc.name (file=%fd.name)
  priority: WARNING

- rule: anything from bash
  desc: every event of bash
  condition: evt.type in (execve, openat) and proc.name = bash
  output: bash did %evt.type
  priority: DEBUG
";

const EVENTS: &str = r#"{"ts": "2024-05-01T10:00:00.000000123Z", "type": "execve", "res": 0, "thread": {"pid": 10, "uid": 0, "user": "root", "exepath": "/usr/bin/bash", "args": ["-i"]}, "ancestors": [{"pid": 9, "name": "sudo"}]}
{"ts": "2024-05-01T10:00:01Z", "type": "openat", "res": 3, "args": {"fd": 3, "name": "/etc/shadow", "flags": 0}, "thread": {"pid": 11, "exepath": "/usr/bin/cat"}, "fd": {"num": 3, "type": "file", "name": "/etc/shadow"}}
{"ts": "2024-05-01T10:00:02Z", "type": "execve", "thread": {"pid": 12, "exepath": "/usr/bin/bash"}, "ancestors": [{"pid": 9, "name": "sshd"}]}
{"ts": "2024-05-01T10:00:03Z", "type": "openat", "res": 3, "args": {"fd": 3, "name": "/etc/shadowx", "flags": 0}, "thread": {"pid": 13, "exepath": "/usr/bin/cat"}, "fd": {"num": 3, "type": "file", "name": "/etc/shadowx"}}
"#;

fn setup() -> (PathBuf, PathBuf, PathBuf) {
    let dir = scratch();
    let rules = write(&dir, "rules.yaml", RULES);
    let events = write(&dir, "events.jsonl", EVENTS);
    let run = run_in(
        &dir,
        &["compile", rules.to_str().unwrap(), "-o", "b.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bundle = dir.join("b.frb");
    (dir, bundle, events)
}

fn replay(dir: &Path, bundle: &Path, events: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "replay",
        "--bundle",
        bundle.to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
        "--hostname",
        "node-1",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args, &[])
}

#[test]
fn text_alerts_as_falco_prints_them() {
    let (dir, bundle, events) = setup();
    let run = replay(&dir, &bundle, &events, &[]);
    assert_eq!(run.code, 1, "alerts exit 1: {}", run.stderr);
    assert_eq!(
        run.stdout,
        "10:00:00.000000123: Notice shell started (command=bash -i user=root parent=sudo container=host)\n\
         10:00:01.000000000: Warning shadow opened by cat (file=/etc/shadow)\n\
         10:00:02.000000000: Debug bash did execve\n"
    );
}

#[test]
fn rule_matching_all_and_min_priority() {
    let (dir, bundle, events) = setup();
    let run = replay(&dir, &bundle, &events, &["--rule-matching", "all"]);
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("10:00:00.000000123: Debug bash did execve")
    );
    let run = replay(&dir, &bundle, &events, &["--min-priority", "warning"]);
    assert_eq!(
        run.stdout,
        "10:00:01.000000000: Warning shadow opened by cat (file=/etc/shadow)\n"
    );
    let run = replay(&dir, &bundle, &events, &["--min-priority", "loud"]);
    assert_eq!(run.code, 2);
}

#[test]
fn json_alerts_have_falcos_shape() {
    let (dir, bundle, events) = setup();
    let run = replay(&dir, &bundle, &events, &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    let first: serde_json::Value =
        serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["output_fields"]["evt.time"],
        1_714_557_600_000_000_123u64
    );
    let run = replay(
        &dir,
        &bundle,
        &events,
        &[
            "--format",
            "json",
            "--no-output-property",
            "--no-tags-property",
        ],
    );
    let first: serde_json::Value =
        serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    assert!(
        first.get("output").is_none() && first.get("tags").is_none(),
        "{first}"
    );
}

#[test]
fn no_alert_exits_0() {
    let (dir, bundle, _) = setup();
    let quiet = write(
        &dir,
        "quiet.jsonl",
        "{\"ts\": 5, \"type\": \"close\", \"thread\": {\"pid\": 3, \"exepath\": \"/bin/true\"}}\n",
    );
    let run = replay(&dir, &bundle, &quiet, &[]);
    assert_eq!(run.code, 0, "{} {}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn bad_events_are_reported_with_line_and_column() {
    let (dir, bundle, _) = setup();
    let bad = write(
        &dir,
        "bad.jsonl",
        "{\"ts\": 5, \"type\": \"execve\", \"thread\": {\"exepath\": \"/bin/bash\"}}\n{\"ts\": 6, \"type\": \"execve\", \"thred\": {}}\n",
    );
    let run = replay(&dir, &bundle, &bad, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("line 2, column"), "{}", run.stderr);
    // The good event was still replayed.
    assert!(run.stdout.contains("shell started"), "{}", run.stdout);
}

#[test]
fn damaged_or_missing_bundle_exits_2() {
    let (dir, bundle, events) = setup();
    let mut bytes = std::fs::read(&bundle).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let damaged = dir.join("damaged.frb");
    std::fs::write(&damaged, bytes).unwrap();
    let run = replay(&dir, &damaged, &events, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("content hash mismatch"),
        "{}",
        run.stderr
    );
    let run = replay(&dir, &dir.join("none.frb"), &events, &[]);
    assert_eq!(run.code, 2);
}

#[test]
fn k8s_audit_events_replay_through_the_plugin_rules() {
    let corpus = corpus("");
    let dir = scratch();
    let rules = corpus.join("plugin-rules/k8s_audit_rules.yaml");
    let run = run_in(
        &dir,
        &["compile", rules.to_str().unwrap(), "-o", "k.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events = corpus.join("k8s-audit-events/events/create_configmap_sensitive_values.json");
    let run = replay(&dir, &dir.join("k.frb"), &events, &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let rules: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["rule"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(!rules.is_empty());
    assert!(
        rules
            .iter()
            .all(|r| r == "Create/Modify Configmap With Private Credentials"),
        "{rules:?}"
    );
}

/// Falco parenthesises a rule's condition before appending its exceptions, so an
/// exception applies to the whole condition, not to its last `or` operand.
#[test]
fn exceptions_apply_to_the_whole_condition() {
    let dir = scratch();
    let rules = write(
        &dir,
        "rules.yaml",
        "\
- rule: shells
  desc: zsh or bash
  condition: evt.type = execve and proc.name = zsh or evt.type = execve and proc.name = bash
  output: shell %proc.name
  priority: NOTICE
  exceptions:
    - name: zsh_is_fine
      fields: [proc.name]
      values: [[zsh]]
",
    );
    let events = write(
        &dir,
        "events.jsonl",
        "{\"ts\": 1, \"type\": \"execve\", \"thread\": {\"pid\": 2, \"exepath\": \"/bin/zsh\"}}\n\
         {\"ts\": 2, \"type\": \"execve\", \"thread\": {\"pid\": 3, \"exepath\": \"/bin/bash\"}}\n",
    );
    let run = run_in(
        &dir,
        &["compile", rules.to_str().unwrap(), "-o", "b.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = replay(&dir, &dir.join("b.frb"), &events, &[]);
    assert_eq!(
        run.stdout, "00:00:00.000000002: Notice shell bash\n",
        "{}",
        run.stderr
    );
}

/// Exceptions over several fields compare whole rows (lowered to one tuple check).
#[test]
fn multi_field_exceptions_compare_rows() {
    let dir = scratch();
    let rules = write(
        &dir,
        "rules.yaml",
        "\
- rule: etc read
  desc: reads below /etc
  condition: evt.type = openat and fd.name startswith /etc/
  output: \"%proc.name read %fd.name\"
  priority: NOTICE
  exceptions:
    - name: known_readers
      fields: [proc.name, fd.name]
      values:
        - [cat, /etc/hosts]
        - [vi, /etc/shadow]
",
    );
    let line = |ts: u32, exe: &str, file: &str| {
        format!(
            "{{\"ts\": {ts}, \"type\": \"openat\", \"res\": 3, \"args\": {{\"fd\": 3, \"name\": \"{file}\", \"flags\": 0}}, \"thread\": {{\"pid\": {ts}, \"exepath\": \"/usr/bin/{exe}\"}}, \"fd\": {{\"num\": 3, \"type\": \"file\", \"name\": \"{file}\"}}}}\n"
        )
    };
    let text = [
        line(1, "cat", "/etc/hosts"),
        line(2, "cat", "/etc/shadow"),
        line(3, "vi", "/etc/shadow"),
        line(4, "vi", "/etc/hosts"),
    ]
    .concat();
    let events = write(&dir, "events.jsonl", &text);
    let run = run_in(
        &dir,
        &["compile", rules.to_str().unwrap(), "-o", "b.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = replay(&dir, &dir.join("b.frb"), &events, &[]);
    assert_eq!(
        run.stdout,
        "00:00:00.000000002: Notice cat read /etc/shadow\n00:00:00.000000004: Notice vi read /etc/hosts\n",
        "{}",
        run.stderr
    );
}

/// One byte that is not UTF-8 spoils its line only: the line is reported with its
/// number, and the events around it are replayed.
#[test]
fn a_non_utf8_byte_spoils_only_its_line() {
    let (dir, bundle, _) = setup();
    let mut bytes = EVENTS.as_bytes().to_vec();
    let second = EVENTS.find('\n').unwrap() + 1;
    bytes.insert(second + 20, 0xfe);
    let events = dir.join("bad-byte.jsonl");
    std::fs::write(&events, bytes).unwrap();
    let run = replay(&dir, &bundle, &events, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "line 2, column 21: not UTF-8: byte 0xfe does not belong to a UTF-8 character"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "10:00:00.000000123: Notice shell started (command=bash -i user=root parent=sudo container=host)\n\
         10:00:02.000000000: Debug bash did execve\n"
    );
}

/// With a bundle of two sources, the events' source is told from the first line that
/// reads as an event of either; a damaged first line is reported, not fatal.
#[test]
fn a_damaged_first_line_does_not_hide_the_source() {
    let dir = scratch();
    let rules = write(&dir, "rules.yaml", RULES);
    let audit = write(
        &dir,
        "audit.yaml",
        "\
- rule: configmap created
  desc: a configmap was created
  condition: ka.verb = create and ka.target.resource = configmaps
  output: configmap %ka.target.name created
  priority: NOTICE
  source: k8s_audit
",
    );
    let run = run_in(
        &dir,
        &[
            "compile",
            rules.to_str().unwrap(),
            audit.to_str().unwrap(),
            "-o",
            "two.frb",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events = write(
        &dir,
        "damaged.jsonl",
        &format!("{{\"ts\": 1, \"type\n{EVENTS}"),
    );
    let run = replay(&dir, &dir.join("two.frb"), &events, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("line 1, column"), "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
}

/// A capture replays like an events file: Falco's own regression trace, with the rule of its
/// test, gives the alerts Falco 0.44 gives (one per open: enter events do not reach rules).
#[test]
fn captures_replay() {
    let corpus = corpus("falco-traces");
    let dir = scratch();
    let rules = corpus.join("rules/single_rule.yaml");
    let run = run_in(
        &dir,
        &["compile", rules.to_str().unwrap(), "-o", "s.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let trace = corpus.join("trace_files/cat_write.scap");
    let run = replay(&dir, &dir.join("s.frb"), &trace, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // What Falco 0.44.1 prints for the same capture and rules.
    assert_eq!(
        run.stdout,
        "16:17:57.881785348: Warning An open was seen (command=cat /dev/null)\n\
         16:17:57.881799840: Warning An open was seen (command=cat /dev/null)\n\
         16:17:57.882008208: Warning An open was seen (command=cat /dev/null)\n\
         16:17:57.882054739: Warning An open was seen (command=cat /dev/null)\n"
    );
}

/// A damaged capture: the events before the damage are replayed, the damage is reported
/// with its block and offset, and the exit code says some events could not be read.
#[test]
fn a_damaged_capture_is_reported_where_it_breaks() {
    let corpus = corpus("falco-traces");
    let dir = scratch();
    let rules = corpus.join("rules/single_rule.yaml");
    let run = run_in(
        &dir,
        &["compile", rules.to_str().unwrap(), "-o", "s.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Uncompress, then cut the capture in the middle of an event block.
    let gz = std::fs::read(corpus.join("trace_files/cat_write.scap")).unwrap();
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&gz[..]), &mut raw).unwrap();
    let cut = dir.join("cut.scap");
    std::fs::write(&cut, &raw[..raw.len() - 10]).unwrap();
    let run = replay(&dir, &dir.join("s.frb"), &cut, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("truncated file?"), "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
}

/// Rules whose profile over `EVENTS` (two `execve` of bash, two `openat` of cat) is
/// known: `opens` matches one of its two events, `execs` both of its own, `bash
/// anything` is reached only where no earlier rule matched (with `rule_matching:
/// first`), `connects` never, and `off` is disabled.
const PROFILE_RULES: &str = "\
- rule: opens
  desc: d
  condition: evt.type = openat and fd.name = /etc/shadow
  output: o
  priority: WARNING
- rule: execs
  desc: d
  condition: evt.type = execve and proc.name = bash
  output: e
  priority: NOTICE
- rule: bash anything
  desc: d
  condition: evt.type in (execve, openat) and proc.name = bash
  output: b
  priority: DEBUG
- rule: connects
  desc: d
  condition: evt.type = connect
  output: c
  priority: NOTICE
- rule: off
  desc: d
  condition: evt.type = openat
  output: x
  priority: NOTICE
  enabled: false
";

/// Replays `EVENTS` through `PROFILE_RULES` with `--profile-json` and the extra
/// arguments; returns the run and the JSON profile.
fn profiled(extra: &[&str]) -> (Run, serde_json::Value) {
    let dir = scratch();
    let rules = write(&dir, "rules.yaml", PROFILE_RULES);
    let events = write(&dir, "events.jsonl", EVENTS);
    let run = run_in(
        &dir,
        &["compile", rules.to_str().unwrap(), "-o", "b.frb"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let profile = dir.join("profile.json");
    let mut args = vec!["--profile-json", profile.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = replay(&dir, &dir.join("b.frb"), &events, &args);
    let text = std::fs::read_to_string(&profile).expect("profile written");
    let json = serde_json::from_str(&text).expect("profile is JSON");
    (run, json)
}

/// (evaluations, matches) per rule name, and checks the shape of every entry.
fn figures(profile: &serde_json::Value) -> Vec<(String, u64, u64)> {
    assert_eq!(profile["version"], 1);
    assert_eq!(profile["events"], 4);
    let rules = profile["rules"].as_array().expect("rules");
    let times: Vec<u64> = rules
        .iter()
        .map(|r| r["time_ns"].as_u64().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|pair| pair[0] >= pair[1]),
        "most expensive first: {times:?}"
    );
    assert_eq!(
        profile["time_ns"].as_u64().unwrap(),
        times.iter().sum::<u64>()
    );
    let mut out: Vec<(String, u64, u64)> = rules
        .iter()
        .map(|rule| {
            let evaluations = rule["evaluations"].as_u64().unwrap();
            let time = rule["time_ns"].as_u64().unwrap();
            assert_eq!(rule["source"], "syscall");
            assert_eq!(
                evaluations == 0,
                time == 0,
                "time only when evaluated: {rule}"
            );
            assert_eq!(
                rule["ns_per_evaluation"].as_u64().unwrap(),
                time.checked_div(evaluations).unwrap_or(0)
            );
            (
                rule["rule"].as_str().unwrap().to_owned(),
                evaluations,
                rule["matches"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn profile_counts_each_rules_evaluations_and_matches() {
    let (run, profile) = profiled(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 3, "alerts as without --profile");
    assert_eq!(profile["rule_matching"], "first");
    assert_eq!(
        figures(&profile),
        [
            ("bash anything".to_owned(), 1, 0),
            ("connects".to_owned(), 0, 0),
            ("execs".to_owned(), 2, 2),
            ("opens".to_owned(), 2, 1),
        ],
        "the disabled rule is left out"
    );
    let table: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        table[0].split(", ").take(3).collect::<Vec<_>>(),
        ["profile: 4 events", "4 rules", "5 rule evaluations"],
        "{}",
        run.stderr
    );
    assert!(table[1].contains("evaluations") && table[1].ends_with("rule"));
    assert_eq!(table.len(), 6, "{}", run.stderr);
    let execs = table.iter().find(|line| line.ends_with("  execs")).unwrap();
    let columns: Vec<&str> = execs.split_whitespace().collect();
    assert_eq!(&columns[2..4], ["2", "2"], "{execs}");

    let (_, profile) = profiled(&["--rule-matching", "all"]);
    assert_eq!(profile["rule_matching"], "all");
    assert_eq!(
        figures(&profile),
        [
            ("bash anything".to_owned(), 4, 2),
            ("connects".to_owned(), 0, 0),
            ("execs".to_owned(), 2, 2),
            ("opens".to_owned(), 2, 1),
        ]
    );
    let (_, profile) = profiled(&["--min-priority", "warning"]);
    assert_eq!(figures(&profile), [("opens".to_owned(), 2, 1)]);
}

#[test]
fn without_profile_nothing_is_measured() {
    let (dir, bundle, events) = setup();
    let run = replay(&dir, &bundle, &events, &[]);
    assert_eq!(run.stderr, "", "no table without --profile");
    let run = replay(&dir, &bundle, &events, &["--profile"]);
    assert!(
        run.stderr.starts_with("profile: 4 events"),
        "{}",
        run.stderr
    );
    let run = replay(
        &dir,
        &bundle,
        &events,
        &[
            "--profile-json",
            dir.join("missing/p.json").to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 2, "an unwritable profile file: {}", run.stderr);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
}
