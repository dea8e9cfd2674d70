//! Side by side with a real Falco: Falco's six regression captures, and a capture written
//! by `falco-scap`'s writer, read by Falco and by `falco-scap`, field by field, on every
//! event.
//!
//! Needs a Falco binary: `FALCO_BIN=/path/to/falco` and `FALCO_CONFIG=/path/to/falco.yaml`
//! (one that loads no plugin; the anchor built under /work/anchors has
//! `etc/falco/anchor-noplugins.yaml`). Without them the test says so and passes: CI has no
//! Falco. With them, a rule printing [`FIELDS`] on every event runs in Falco
//! (`engine.kind=replay`) and the same fields are read from our events; every line must
//! be the same. See "Reading captures as libsinsp does" in `docs/conformance.md`.

use std::io::BufReader;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::Command;

use falco_events::{Extractor, Scratch};
use falco_rulec_tests::corpus_dir;
use falco_scap::{
    FdRecord, FdRecordKind, GroupRecord, MachineInfo, Param, ScapWriter, ThreadRecord, UserRecord,
    socktuple,
};
use falco_schema::Schema;

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

/// `FALCO_BIN` and `FALCO_CONFIG`, or `None` (the test then says so and passes).
fn falco() -> Option<(String, String)> {
    match (std::env::var("FALCO_BIN"), std::env::var("FALCO_CONFIG")) {
        (Ok(falco), Ok(config)) => Some((falco, config)),
        _ => {
            println!("skipped: set FALCO_BIN and FALCO_CONFIG to compare with a real Falco");
            None
        }
    }
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("falco-anchor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Compares Falco's lines with ours for each capture; returns how many events were
/// compared and every difference.
fn compare(captures: &[(&str, PathBuf)]) -> (usize, Vec<String>) {
    let Some((falco, config)) = falco() else {
        return (0, Vec::new());
    };
    let dir = scratch_dir();
    let mut differences = Vec::new();
    let mut compared = 0;
    for (name, trace) in captures {
        let theirs = falco_lines(&falco, &config, trace, &dir);
        let ours = our_lines(trace);
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
    (compared, differences)
}

#[test]
fn captures_read_as_falco_reads_them() {
    let captures: Vec<(&str, PathBuf)> = TRACES
        .iter()
        .map(|name| {
            (
                *name,
                corpus_dir().join("falco-traces/trace_files").join(name),
            )
        })
        .collect();
    let (_, differences) = compare(&captures);
    assert!(differences.is_empty(), "{} differences", differences.len());
}

/// A capture as `falco-rt capture` writes one: a process table with descriptors and
/// users, then a fork, an exec, file and socket syscalls, a syscall without an event of
/// its own and an exit.
fn written_capture() -> Vec<u8> {
    let schema = Schema::get();
    let thread = |tid: i64, ptid: i64, comm: &str, exe: &str, args: &[&str]| ThreadRecord {
        tid,
        pid: tid,
        ptid,
        sid: tid,
        vpgid: tid,
        pgid: tid,
        comm: comm.into(),
        exe: exe.into(),
        exepath: exe.into(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        cwd: "/root/".into(),
        vtid: tid,
        vpid: tid,
        loginuid: 1000,
        ..ThreadRecord::default()
    };
    let machine = MachineInfo {
        num_cpus: 2,
        hostname: "node-1".into(),
        ..MachineInfo::default()
    };
    let mut w = ScapWriter::new(Vec::new(), &machine).expect("header");
    w.threads(&[
        thread(1, 0, "systemd", "/sbin/init", &[]),
        thread(100, 1, "bash", "/bin/bash", &["-i"]),
    ])
    .expect("threads");
    let log = FdRecord {
        fd: 3,
        ino: 7,
        kind: FdRecordKind::File {
            name: "/var/log/app.log".into(),
            open_flags: Some(2 | 8),
            dev: Some(0),
        },
    };
    w.fds(100, &[log]).expect("fds");
    let root = UserRecord {
        uid: 0,
        gid: 0,
        name: "root".into(),
        homedir: "/root".into(),
        shell: "/bin/bash".into(),
    };
    let group = GroupRecord {
        gid: 0,
        name: "root".into(),
    };
    w.users(&[root], &[group]).expect("users");
    let code = |name: &str| schema.current_code(name, false).expect("an event code");
    w.event(1_000, 101, 0, code("clone"), |p| match p.name {
        "res" | "flags" | "uid" | "gid" => Param::Int(0),
        "exe" => Param::Text("/bin/bash"),
        "args" => Param::Bytes(b"-i\0"),
        "tid" | "pid" | "vtid" | "vpid" => Param::Int(101),
        "ptid" => Param::Int(100),
        "cwd" => Param::Text("/root"),
        "comm" => Param::Text("bash"),
        _ => Param::Empty,
    })
    .expect("clone");
    w.event(2_000, 101, 1, code("execve"), |p| match p.name {
        "res" | "uid" | "gid" => Param::Int(0),
        "exe" => Param::Text("cat"),
        "args" => Param::Bytes(b"/etc/shadow\0"),
        "tid" | "pid" | "vtid" | "vpid" => Param::Int(101),
        "ptid" => Param::Int(100),
        "cwd" => Param::Text("/root"),
        "comm" => Param::Text("cat"),
        "trusted_exepath" => Param::Text("/usr/bin/cat"),
        "loginuid" => Param::Int(1000),
        _ => Param::Empty,
    })
    .expect("execve");
    w.event(3_000, 101, 1, code("openat"), |p| match p.name {
        "fd" => Param::Int(4),
        "dirfd" => Param::Int(-100),
        "name" => Param::Text("/etc/shadow"),
        "flags" => Param::Text("O_RDONLY|O_CLOEXEC"),
        "mode" => Param::Int(0),
        _ => Param::Empty,
    })
    .expect("openat");
    w.event(3_500, 101, 1, code("read"), |p| match p.name {
        "res" => Param::Int(5),
        "data" => Param::Bytes(b"root:"),
        "fd" => Param::Int(4),
        "size" => Param::Int(4096),
        _ => Param::Empty,
    })
    .expect("read");
    w.event(4_000, 101, 0, code("socket"), |p| match p.name {
        "fd" => Param::Int(5),
        "domain" => Param::Text("AF_INET"),
        "type" => Param::Int(1),
        "proto" => Param::Int(0),
        _ => Param::Empty,
    })
    .expect("socket");
    let client = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5)), 41234);
    let server = (IpAddr::V4(Ipv4Addr::new(93, 184, 216, 34)), 443);
    let tuple = socktuple(client, server);
    w.event(5_000, 101, 0, code("connect"), |p| match p.name {
        "res" => Param::Int(0),
        "tuple" => Param::Bytes(&tuple),
        "fd" => Param::Int(5),
        _ => Param::Empty,
    })
    .expect("connect");
    w.event(5_500, 101, 0, code("close"), |p| match p.name {
        "res" => Param::Int(0),
        "fd" => Param::Int(3),
        _ => Param::Empty,
    })
    .expect("close");
    let sync = schema.syscall_code("sync").expect("sync has a code");
    w.event(5_700, 101, 0, code("syscall"), |p| match p.name {
        "ID" => Param::Int(sync.into()),
        "nativeID" => Param::Int(162),
        _ => Param::Empty,
    })
    .expect("syscall");
    let procexit = schema
        .event_codes()
        .iter()
        .rev()
        .find(|c| c.name == "procexit" && c.is_current())
        .expect("procexit");
    w.event(6_000, 101, 0, procexit, |p| match p.name {
        "status" | "ret" => Param::Int(0),
        _ => Param::Empty,
    })
    .expect("procexit");
    w.finish().expect("flush")
}

#[test]
fn written_captures_read_as_falco_reads_them() {
    let path = scratch_dir().join("written.scap");
    std::fs::write(&path, written_capture()).expect("write the capture");
    let (compared, differences) = compare(&[("written.scap", path)]);
    assert!(differences.is_empty(), "{} differences", differences.len());
    if falco().is_some() {
        assert_eq!(compared, 9, "Falco reads every event written");
    }
}
