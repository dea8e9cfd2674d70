//! The live differential against Falco (issue 11's contract: a rule that fires in Falco
//! fires in falco-rt on the same behaviour).
//!
//! Real behaviours (`behaviours.json`: a shell script each, what the upstream rules look
//! for) run as root under one `falco-rt capture`, which writes the same events twice: as
//! JSON lines, the events the agent evaluates, and as a `.scap` capture file. The three
//! upstream rules files are then evaluated on that one capture:
//! - by falco-rt's engine on the JSON lines (what the agent would alert on);
//! - by falco-rt's engine on the `.scap` (tells a fact the capture file lacks from an
//!   engine difference);
//! - by a real Falco on the `.scap`, when `FALCO_BIN` and `FALCO_CONFIG` are set (the
//!   documented exception to `FALCO_TEST_ALL`: CI cannot build Falco).
//!
//! Every alert is given to the behaviour whose process tree raised it (by the event's
//! time, the same in all three), so the other work of a busy machine does not count.
//! Each side's rules per behaviour must be what the data records: `both`, plus
//! `only_falco` or `only_falco_rt`, each such rule with the reason. For the rules both
//! raise on the same event, the output fields both print must agree, unless the data
//! names the field in `fields_differ` with the reason.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use falco_events::{Event, Extractor, Scratch};
use falco_vm::{Engine, RuleMatching};
use serde::Deserialize;

use super::ContainerCgroup;
use crate::support::{self, Agent, TempDir};

/// One behaviour and the verdicts recorded for it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Behaviour {
    /// A short name (the table's first column).
    name: String,
    /// What it does, in words.
    does: String,
    /// Run by `/bin/sh -c` in a scratch directory that `$T` names.
    script: String,
    /// Run inside a cgroup named like a docker container's.
    #[serde(default)]
    container: bool,
    /// Rules Falco and falco-rt both raise.
    #[serde(default)]
    both: BTreeSet<String>,
    /// Rules only Falco raises, each with the reason.
    #[serde(default)]
    only_falco: BTreeMap<String, String>,
    /// Rules only falco-rt raises, each with the reason.
    #[serde(default)]
    only_falco_rt: BTreeMap<String, String>,
    /// Output fields that differ on a rule both raise, each with the reason.
    #[serde(default)]
    fields_differ: BTreeMap<String, String>,
}

impl Behaviour {
    fn expected_falco_rt(&self) -> BTreeSet<String> {
        let mut rules = self.both.clone();
        rules.extend(self.only_falco_rt.keys().cloned());
        rules
    }

    fn expected_falco(&self) -> BTreeSet<String> {
        let mut rules = self.both.clone();
        rules.extend(self.only_falco.keys().cloned());
        rules
    }
}

fn behaviours() -> Vec<Behaviour> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/behaviours.json");
    let text = std::fs::read_to_string(&path).expect("behaviours.json");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An alert: its rule, the time of its event and the output fields it printed.
#[derive(Debug)]
struct Raised {
    rule: String,
    ts: u64,
    fields: BTreeMap<String, String>,
}

/// The process tree of the capture: each process's parent, and the process of each event
/// time.
#[derive(Default)]
struct Tree {
    parent: HashMap<i64, i64>,
    pid_at: HashMap<u64, i64>,
}

impl Tree {
    /// The behaviour (index into `roots`) whose root process is `pid` or an ancestor.
    fn owner(&self, roots: &[i64], ts: u64) -> Option<usize> {
        let mut pid = *self.pid_at.get(&ts)?;
        for _ in 0..64 {
            if let Some(i) = roots.iter().position(|r| *r == pid) {
                return Some(i);
            }
            pid = *self.parent.get(&pid)?;
        }
        None
    }
}

fn number(ev: &Event, ex: &Extractor, scratch: &mut Scratch) -> Option<i64> {
    ex.extract(ev, scratch).to_text().parse().ok()
}

/// Evaluates the upstream bundle on `events` (every matching rule, as Falco's
/// `rule_matching: all`); fills `tree` from the events when given.
fn evaluate(
    engine: &Engine,
    events: impl Iterator<Item = Event>,
    mut tree: Option<&mut Tree>,
) -> Vec<Raised> {
    let pid = Extractor::new("syscall", "proc.pid", None).expect("proc.pid");
    let ppid = Extractor::new("syscall", "proc.ppid", None).expect("proc.ppid");
    let mut scratch = engine.scratch();
    let mut values = Scratch::new();
    let mut hits = Vec::new();
    let mut raised = Vec::new();
    for event in events {
        if let Some(tree) = tree.as_deref_mut()
            && let Some(p) = number(&event, &pid, &mut values)
        {
            tree.pid_at.insert(event.ts(), p);
            if let Some(pp) = number(&event, &ppid, &mut values) {
                tree.parent.insert(p, pp);
            }
        }
        engine.matching_rules(&event, &mut scratch, &mut hits);
        for &rule in &hits {
            let Some(alert) = engine.alert(rule, &event, &mut scratch) else {
                continue;
            };
            let fields = alert
                .output_fields
                .iter()
                .map(|f| (f.name.clone(), f.json.clone()))
                .collect();
            raised.push(Raised {
                rule: alert.rule.clone(),
                ts: event.ts(),
                fields,
            });
        }
    }
    raised
}

/// Falco's alerts on the capture, or `None` without `FALCO_BIN`/`FALCO_CONFIG`.
fn falco_alerts(capture: &Path, dir: &Path) -> Option<Vec<Raised>> {
    let (Ok(falco), Ok(config)) = (std::env::var("FALCO_BIN"), std::env::var("FALCO_CONFIG"))
    else {
        println!("Falco side skipped: set FALCO_BIN and FALCO_CONFIG to compare with a real Falco");
        return None;
    };
    let rules = support::corpus_dir().join("upstream-rules");
    let mut cmd = Command::new(falco);
    cmd.args(["-c", &config, "-o", "load_plugins[0]=container"]);
    for name in support::UPSTREAM {
        cmd.arg("-r").arg(rules.join(name));
    }
    let out = cmd
        .args(["-o", "engine.kind=replay", "-o"])
        .arg(format!("engine.replay.capture_file={}", capture.display()))
        .args(["-o", "json_output=true", "-o", "rule_matching=all"])
        .output()
        .expect("run Falco");
    std::fs::write(dir.join("falco.stderr"), &out.stderr).expect("keep Falco's log");
    assert!(
        out.status.success(),
        "Falco failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let alerts = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("Falco's JSON alert");
            let time = v["time"].as_str().expect("time");
            let fields = v["output_fields"]
                .as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), v.to_string())).collect())
                .unwrap_or_default();
            Raised {
                rule: v["rule"].as_str().expect("rule").to_owned(),
                ts: falco_events::parse_rfc3339(time).expect("an RFC 3339 time"),
                fields,
            }
        })
        .collect();
    Some(alerts)
}

/// Alerts per behaviour: rule name to the alerts of it (unattributed ones are counted).
type Verdicts = Vec<BTreeMap<String, Vec<Raised>>>;

fn attribute(raised: Vec<Raised>, tree: &Tree, roots: &[i64]) -> (Verdicts, usize) {
    let mut per: Verdicts = roots.iter().map(|_| BTreeMap::new()).collect();
    let mut elsewhere = 0;
    for r in raised {
        match tree.owner(roots, r.ts) {
            Some(i) => per[i].entry(r.rule.clone()).or_default().push(r),
            None => elsewhere += 1,
        }
    }
    (per, elsewhere)
}

/// Runs one behaviour; returns its root process id.
fn perform(b: &Behaviour, scratch: &Path, cgroup: Option<&ContainerCgroup>) -> i64 {
    let script = match cgroup {
        Some(cg) if b.container => cg.enter_then(&b.script),
        _ => b.script.clone(),
    };
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(&script)
        .current_dir(scratch)
        // A clean environment: cargo's LD_LIBRARY_PATH would have every program probe
        // dozens of directories for its libraries (thousands of failed opens).
        .env_clear()
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("HOME", "/root")
        .env("T", scratch)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", b.name));
    let root = i64::from(child.id());
    let end = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{}: did not finish in 60 s", b.name);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    root
}

fn names(rules: &BTreeMap<String, Vec<Raised>>) -> BTreeSet<String> {
    rules.keys().cloned().collect()
}

/// Output fields that differ between two alerts of one rule on one event.
fn field_differences(ours: &Raised, theirs: &Raised) -> Vec<(String, String, String)> {
    ours.fields
        .iter()
        .filter_map(|(k, v)| {
            let t = theirs.fields.get(k)?;
            (t != v).then(|| (k.clone(), t.clone(), v.clone()))
        })
        .collect()
}

/// The observed verdicts as the Markdown table of docs/runtime.md.
fn print_table(behaviours: &[Behaviour], ours: &Verdicts, falco: &Verdicts) {
    println!("| behaviour | fires in both | only in Falco | only in falco-rt |");
    println!("|---|---|---|---|");
    for (i, b) in behaviours.iter().enumerate() {
        let (rt, theirs) = (names(&ours[i]), names(&falco[i]));
        let list = |rules: Vec<&String>| {
            let names: Vec<&str> = rules.iter().map(|r| r.as_str()).collect();
            names.join("; ")
        };
        println!(
            "| {} | {} | {} | {} |",
            b.does,
            list(rt.intersection(&theirs).collect()),
            list(theirs.difference(&rt).collect()),
            list(rt.difference(&theirs).collect()),
        );
    }
}

#[test]
fn upstream_rules_fire_as_in_falco_on_the_same_behaviours() {
    if !falco_test_budget::slow_test(
        "upstream_rules_fire_as_in_falco_on_the_same_behaviours",
        falco_rt_capture::ebpf_permitted(),
    ) {
        return;
    }
    let _guard = support::live_lock();
    let behaviours = behaviours();
    let dir = TempDir::new("differential");
    let scratch = dir.path("t");
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let bundle_bytes = support::upstream_bundle(&support::UPSTREAM);
    let bundle = dir.path("upstream.frb");
    std::fs::write(&bundle, &bundle_bytes).expect("bundle");
    let (jsonl, scap) = (dir.path("events.jsonl"), dir.path("events.scap"));
    // Only this test's process tree: the rest of a busy machine would only slow the
    // capture down (its alerts are not counted anyway).
    let me = std::process::id().to_string();
    let mut capture = Agent::spawn(&[
        "capture",
        "--bundle",
        bundle.to_str().expect("utf8"),
        "-o",
        jsonl.to_str().expect("utf8"),
        "-o",
        scap.to_str().expect("utf8"),
        "--no-container-engines",
        "--tree",
        &me,
    ]);
    capture.wait_stderr("capturing");
    let cgroup = ContainerCgroup::create();
    if behaviours.iter().any(|b| b.container) {
        falco_test_budget::available(
            "the differential's container behaviours",
            cgroup
                .as_ref()
                .map(|_| ())
                .ok_or_else(|| "cannot create a cgroup under /sys/fs/cgroup".to_owned()),
        );
    }
    let roots: Vec<i64> = behaviours
        .iter()
        .map(|b| perform(b, &scratch, cgroup.as_ref()))
        .collect();
    // The ring is read every few milliseconds; let the last records arrive.
    std::thread::sleep(Duration::from_millis(500));
    let capture_log = capture.stderr.clone();
    assert_eq!(capture.stop(), 0, "capture");
    drop(cgroup);
    // Records the kernel ring dropped make any difference meaningless: say so first.
    let drops = capture_log
        .lock()
        .expect("lock")
        .iter()
        .find(|l| l.contains("dropped by the kernel"))
        .cloned();

    let mut engine = Engine::load(&bundle_bytes).expect("bundle loads");
    engine.set_rule_matching(RuleMatching::All);
    let text = std::fs::read_to_string(&jsonl).expect("JSON lines");
    let events = falco_events::read_syscall(&text)
        .into_iter()
        .map(|e| e.unwrap_or_else(|e| panic!("capture line: {e}")));
    let mut tree = Tree::default();
    let ours = evaluate(&engine, events, Some(&mut tree));
    let file = std::fs::File::open(&scap).expect("capture file");
    let reader = falco_scap::ScapReader::open(std::io::BufReader::new(file)).expect("opens");
    let on_scap = evaluate(&engine, reader.map(|e| e.expect("capture event")), None);
    let (ours, ours_elsewhere) = attribute(ours, &tree, &roots);
    let (on_scap, _) = attribute(on_scap, &tree, &roots);
    let falco = falco_alerts(&scap, &dir.0).map(|a| attribute(a, &tree, &roots));

    let mut failures = Vec::new();
    println!("alerts of other processes (not counted): falco-rt {ours_elsewhere}");
    for (i, b) in behaviours.iter().enumerate() {
        let rt = names(&ours[i]);
        let rt_scap = names(&on_scap[i]);
        println!("{}: falco-rt {rt:?}; falco-rt on .scap {rt_scap:?}", b.name);
        if rt != b.expected_falco_rt() {
            failures.push(format!(
                "{}: falco-rt raised {rt:?}, expected {:?}",
                b.name,
                b.expected_falco_rt()
            ));
        }
        let Some((falco, _)) = &falco else { continue };
        let theirs = names(&falco[i]);
        println!("{}: Falco {theirs:?}", b.name);
        if theirs != b.expected_falco() {
            failures.push(format!(
                "{}: Falco raised {theirs:?}, expected {:?}",
                b.name,
                b.expected_falco()
            ));
        }
        for (rule, alerts) in &ours[i] {
            let Some(their_alerts) = falco[i].get(rule) else {
                continue;
            };
            for a in alerts {
                let Some(t) = their_alerts.iter().find(|t| t.ts == a.ts) else {
                    failures.push(format!(
                        "{}: {rule}: no Falco alert on the same event",
                        b.name
                    ));
                    continue;
                };
                for (field, theirs, ours) in field_differences(a, t) {
                    if !b.fields_differ.contains_key(&field) {
                        failures.push(format!(
                            "{}: {rule}: {field}: Falco {theirs}, falco-rt {ours}",
                            b.name
                        ));
                    }
                }
            }
        }
    }
    if let Some((_, elsewhere)) = &falco {
        println!("alerts of other processes (not counted): Falco {elsewhere}");
    }
    if let Some((falco, _)) = &falco {
        print_table(&behaviours, &ours, falco);
    }
    for f in &failures {
        println!("DIFF {f}");
    }
    assert!(
        failures.is_empty(),
        "{} differences from the recorded verdicts{}",
        failures.len(),
        drops.map_or(String::new(), |d| format!(
            " (the capture lost records: {d})"
        ))
    );
}
