//! Side by side with a real Falco: Falco's six regression captures read by Falco and by
//! `falco-scap`, field by field, on every event.
//!
//! Needs a Falco binary: `FALCO_BIN=/path/to/falco` and `FALCO_CONFIG=/path/to/falco.yaml`
//! (one that loads no plugin; the anchor built under /work/anchors has
//! `etc/falco/anchor-noplugins.yaml`). Without them the test says so and passes: CI has no
//! Falco. With them, a rule printing [`FIELDS`] on every event runs in Falco
//! (`engine.kind=replay`) and the same fields are read from our events; every line must
//! be the same. See "Reading captures as libsinsp does" in `docs/conformance.md`.

use std::io::BufReader;
use std::path::Path;
use std::process::Command;

use falco_events::{Extractor, Scratch};
use falco_rulec_tests::corpus_dir;

/// The fields compared (state-derived fields and the event's own).
const FIELDS: &[&str] = &[
    "evt.num",
    "evt.type",
    "evt.dir",
    "thread.tid",
    "proc.pid",
    "proc.ppid",
    "proc.vpid",
    "proc.sid",
    "proc.tty",
    "proc.name",
    "proc.exe",
    "proc.args",
    "proc.cmdline",
    "proc.pname",
    "proc.aname[2]",
    "proc.exepath",
    "proc.cwd",
    "user.name",
    "user.uid",
    "user.loginuid",
    "group.name",
    "fd.num",
    "fd.name",
    "fd.typechar",
    "fd.type",
    "fd.cip",
    "fd.sip",
    "fd.cport",
    "fd.sport",
    "fd.l4proto",
    "fd.filename",
    "fd.directory",
    "evt.res",
    "evt.rawres",
    "evt.is_open_read",
    "evt.arg.fd",
    "evt.arg.name",
    "evt.arg.flags",
];

/// Separates the fields of a printed line (not found in the traces' strings).
const SEP: char = '¦';

const TRACES: &[&str] = &[
    "cat_write.scap",
    "connect_localhost.scap",
    "empty.scap",
    "open-multiple-files.scap",
    "ping_sendto.scap",
    "syscall.scap",
];

fn falco_lines(falco: &str, config: &str, trace: &Path, dir: &Path) -> Vec<String> {
    let output: Vec<String> = FIELDS.iter().map(|f| format!("%{f}")).collect();
    let rule = format!(
        "- rule: probe\n  desc: every event\n  condition: evt.num > 0\n  output: \"P{SEP}{}\"\n  priority: WARNING\n",
        output.join(&SEP.to_string())
    );
    let rules = dir.join("probe.yaml");
    std::fs::write(&rules, rule).expect("write the probe rule");
    let out = Command::new(falco)
        .args(["-c", config, "-r"])
        .arg(&rules)
        .args(["-o", "engine.kind=replay", "-o"])
        .arg(format!("engine.replay.capture_file={}", trace.display()))
        .output()
        .expect("run Falco");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.find(&format!("P{SEP}")).map(|i| l[i + 3..].to_owned()))
        .collect()
}

fn our_lines(trace: &Path) -> Vec<String> {
    let extractors: Vec<Extractor> = FIELDS
        .iter()
        .map(|f| Extractor::new("syscall", f, None).expect("a field"))
        .collect();
    let file = std::fs::File::open(trace).expect("trace");
    let reader = falco_scap::ScapReader::open(BufReader::new(file)).expect("opens");
    let mut scratch = Scratch::new();
    reader
        .map(|event| {
            let event = event.expect("event");
            let values: Vec<String> = extractors
                .iter()
                .map(|e| e.extract(&event, &mut scratch).to_text())
                .collect();
            values.join(&SEP.to_string())
        })
        .collect()
}

#[test]
fn captures_read_as_falco_reads_them() {
    let (Ok(falco), Ok(config)) = (std::env::var("FALCO_BIN"), std::env::var("FALCO_CONFIG"))
    else {
        println!("skipped: set FALCO_BIN and FALCO_CONFIG to compare with a real Falco");
        return;
    };
    let dir = std::env::temp_dir().join(format!("falco-anchor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let mut differences = Vec::new();
    let mut compared = 0;
    for name in TRACES {
        let trace = corpus_dir().join("falco-traces/trace_files").join(name);
        let theirs = falco_lines(&falco, &config, &trace, &dir);
        let ours = our_lines(&trace);
        if theirs.len() != ours.len() {
            differences.push(format!(
                "{name}: Falco {} events, ours {}",
                theirs.len(),
                ours.len()
            ));
        }
        for (a, b) in theirs.iter().zip(&ours) {
            compared += 1;
            for ((field, x), y) in FIELDS.iter().zip(a.split(SEP)).zip(b.split(SEP)) {
                if x != y {
                    differences.push(format!("{name} {field}: Falco `{x}`, ours `{y}` ({a})"));
                }
            }
        }
    }
    println!(
        "compared {compared} events x {} fields: {} differences",
        FIELDS.len(),
        differences.len()
    );
    for d in differences.iter().take(40) {
        println!("DIFF {d}");
    }
    assert!(differences.is_empty(), "{} differences", differences.len());
}
