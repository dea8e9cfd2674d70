//! What `falco-rt capture` writes to a `.scap` file reads back, through `falco-scap`, as
//! the events the agent evaluates (the JSON-lines form of the same records).

use std::io::Cursor;

use falco_events::{Event, Extractor, Scratch};
use falco_rt_enrich::{Enricher, to_event};
use falco_rt_record::syscalls::nr;
use falco_rt_record::{Event as Record, ExecEvent, ExecFacts, Header, SyscallEvent};
use falco_rt_state::{State, UserDb};
use falco_scap::ScapReader;

use super::ScapCapture;

const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n";
const GROUP: &str = "root:x:0:\nalice:x:1000:\n";

/// The fields compared, each computed on both forms of every event.
const FIELDS: &[&str] = &[
    "evt.type",
    "evt.res",
    "thread.tid",
    "proc.pid",
    "proc.ppid",
    "proc.name",
    "proc.exe",
    "proc.cmdline",
    "proc.pname",
    "proc.tty",
    "user.name",
    "user.uid",
    "user.loginuid",
    "group.name",
    "fd.num",
    "fd.name",
    "fd.typechar",
    "fd.directory",
    "evt.arg.flags",
    "evt.is_open_read",
    "proc.env",
];

/// Separates the values of one event (not found in them).
const SEP: &str = "¦";

/// The exec facts, as the execve event's parameters (what Falco builds its thread from:
/// `proc.is_exe_*`, `thread.cap_*`, `proc.exe_ino`, `proc.vpgid`).
const EXEC_PARAMS: &[&str] = &[
    "evt.arg.flags",
    "evt.arg.cap_permitted",
    "evt.arg.cap_effective",
    "evt.arg.exe_ino",
    "evt.arg.vpgid",
    "evt.arg.pgid",
    "evt.arg.cgroups",
];

/// What [`EXEC_PARAMS`] are for `cat`, as libsinsp renders them: capabilities in hex
/// (bit 21 `CAP_SYS_ADMIN`, bit 0 `CAP_CHOWN`), process group ids as the leader's name,
/// the cgroups list with a `.` for each NUL.
const EXPECTED_EXEC: &str = "EXE_WRITABLE|EXE_FROM_MEMFD¦200000¦200001¦4242¦cat¦cat¦cpuset=/system.slice/docker-5f0c2b0e9d4a7c1e3b6a8d2f4e6c8a0b1d3f5e7c9a1b3d5f7e9c1a3b5d7f9e1c.scope.";

/// A docker container's cgroup, as an exec record carries it (leaf first).
const CGROUP: &[u8] =
    b"docker-5f0c2b0e9d4a7c1e3b6a8d2f4e6c8a0b1d3f5e7c9a1b3d5f7e9c1a3b5d7f9e1c.scope\0system.slice\0";

fn header(pid: u32, comm: &str) -> Header {
    let mut c = [0u8; 16];
    c[..comm.len()].copy_from_slice(comm.as_bytes());
    Header {
        ts_boot_ns: 1,
        tgid: pid,
        tid: pid,
        uid: 1000,
        gid: 1000,
        cgroup_id: 7,
        comm: c,
    }
}

fn exec<'a>(pid: u32, ppid: u32, comm: &str, argv: &'a [u8]) -> Record<'a> {
    Record::Exec(ExecEvent {
        header: header(pid, comm),
        ppid,
        loginuid: 1000,
        sessionid: 1,
        sid: ppid,
        vpid: pid,
        tty: 34816,
        filename: argv.split(|&b| b == 0).next().unwrap_or(b""),
        args: argv,
        cgroup: if comm == "cat" { CGROUP } else { b"" },
        cgroup_v1: b"",
        // What rules read from the exec: the process group, capabilities and the
        // executable's provenance (`cat` runs from a memfd here).
        facts: ExecFacts {
            euid: 1000,
            egid: 1000,
            pgid: pid,
            vpgid: pid,
            cap_inheritable: 0,
            cap_permitted: 1 << 21,
            cap_effective: (1 << 21) | 1,
            exe_ino: 4242,
            exe_flags: if comm == "cat" {
                falco_rt_record::EXE_FROM_MEMFD | falco_rt_record::EXE_WRITABLE
            } else {
                0
            },
            ..ExecFacts::default()
        },
        env: b"HOME=/home/alice\0",
    })
}

fn syscall<'a>(
    pid: u32,
    comm: &str,
    nr: u32,
    ret: i64,
    args: [u64; 6],
    path: &'a [u8],
) -> Record<'a> {
    Record::Syscall(SyscallEvent {
        header: header(pid, comm),
        nr,
        ret,
        args,
        normalized: false,
        ia32: false,
        path: Some(path),
        path2: None,
        sockaddr: None,
        tuple: None,
    })
}

fn lines(events: impl Iterator<Item = Event>, extractors: &[Extractor]) -> Vec<String> {
    let mut scratch = Scratch::new();
    events
        .map(|e| {
            let values: Vec<String> = extractors
                .iter()
                .map(|x| x.extract(&e, &mut scratch).to_text())
                .collect();
            values.join(SEP)
        })
        .collect()
}

#[test]
fn captured_records_read_back_as_the_agent_sees_them() {
    let records = [
        exec(100, 1, "bash", b"/bin/bash\0"),
        exec(101, 100, "cat", b"cat\0/etc/shadow\0"),
        syscall(
            101,
            "cat",
            nr::OPENAT,
            3,
            [(-100i64) as u64, 0, 0o2000000, 0, 0, 0],
            b"/etc/../etc/shadow",
        ),
        syscall(101, "cat", nr::READ, 12, [3, 0, 4096, 0, 0, 0], b""),
        syscall(101, "cat", nr::CLOSE, 0, [3, 0, 0, 0, 0, 0], b""),
    ];
    let mut state = State::detached(UserDb::parse(PASSWD, GROUP));
    let mut enricher = Enricher::new();
    let mut line = String::new();
    // What the agent knows when the capture starts (from /proc, live) goes into the
    // capture's process table.
    let init = exec(1, 0, "systemd", b"/sbin/init\0");
    enricher.record(&mut state, &init, 0, |_| true, &mut line);
    let mut capture = ScapCapture::start(Vec::new(), &state, "node-1", 0).expect("start");
    let mut agent = Vec::new();
    for (i, rec) in records.iter().enumerate() {
        let ts = 1_700_000_000_000_000_000 + i as u64;
        if enricher
            .record(&mut state, rec, ts, |_| true, &mut line)
            .is_none()
        {
            continue;
        }
        let event = to_event(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        capture.record(rec, &event, &state, ts).expect("write");
        agent.push(event);
    }
    let bytes = capture.finish().expect("finish");
    let extractors: Vec<Extractor> = FIELDS
        .iter()
        .map(|f| Extractor::new("syscall", f, None).expect("a field"))
        .collect();
    let reader = ScapReader::open(Cursor::new(bytes.clone())).expect("a capture");
    let from_capture = lines(reader.map(|e| e.expect("an event")), &extractors);
    let from_agent = lines(agent.into_iter(), &extractors);
    assert_eq!((from_agent.len(), from_capture.len()), (5, 5));
    for (a, b) in from_agent.iter().zip(&from_capture) {
        assert_eq!(a, b, "fields: {}", FIELDS.join(SEP));
    }
    // The environment, and the open's path as the process passed it (Falco's
    // `fd.nameraw`).
    let open: Vec<&str> = from_capture[2].split(SEP).collect();
    let value = |name: &str| open[FIELDS.iter().position(|f| *f == name).expect("a field")];
    assert_eq!(value("fd.name"), "/etc/shadow");
    assert_eq!(value("proc.env"), "HOME=/home/alice");
    let raw = [Extractor::new("syscall", "evt.rawarg.name", None).expect("a field")];
    let reader = ScapReader::open(Cursor::new(bytes.clone())).expect("a capture");
    let opens = lines(reader.map(|e| e.expect("an event")).skip(2).take(1), &raw);
    assert_eq!(opens, ["/etc/../etc/shadow"], "the path as passed");
    // The exec facts and the container's cgroup are in the execve event (falco-scap
    // reads them as arguments only; Falco builds its thread from them).
    let params: Vec<Extractor> = EXEC_PARAMS
        .iter()
        .map(|f| Extractor::new("syscall", f, None).expect("a field"))
        .collect();
    let reader = ScapReader::open(Cursor::new(bytes)).expect("a capture");
    let execs = lines(
        reader.map(|e| e.expect("an event")).skip(1).take(1),
        &params,
    );
    assert_eq!(execs, [EXPECTED_EXEC], "{}", EXEC_PARAMS.join(SEP));
}

#[test]
fn the_host_addresses_come_from_the_local_routes_and_if_inet6() {
    let dir = std::env::temp_dir().join(format!("falco-rt-ifaces-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let trie = "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n        /0 universe UNICAST\n     +-- 127.0.0.0/8 2 0 2\n        |-- 127.0.0.1\n           /32 host LOCAL\n     |-- 192.0.2.2\n        /32 host LOCAL\n     |-- 192.0.2.255\n        /32 link BROADCAST\nLocal:\n     |-- 127.0.0.1\n        /32 host LOCAL\n";
    let inet6 = "00000000000000000000000000000001 01 80 10 80       lo\nfd000000000000000000000000000002 04 40 00 82     eth0\n";
    std::fs::write(dir.join("fib_trie"), trie).expect("fib_trie");
    std::fs::write(dir.join("if_inet6"), inet6).expect("if_inet6");
    let found = super::host_interfaces(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let addrs: Vec<(String, Vec<u8>, Vec<u8>)> = found
        .into_iter()
        .map(|i| (i.name, i.addr, i.netmask))
        .collect();
    let mut lo = vec![0; 16];
    lo[15] = 1;
    let mut fd00 = vec![0; 16];
    fd00[0] = 0xfd;
    fd00[15] = 2;
    let mut mask64 = vec![255; 8];
    mask64.extend([0; 8]);
    assert_eq!(
        addrs,
        [
            (String::new(), vec![127, 0, 0, 1], vec![255; 4]),
            (String::new(), vec![192, 0, 2, 2], vec![255; 4]),
            ("lo".to_owned(), lo, vec![255; 16]),
            ("eth0".to_owned(), fd00, mask64),
        ]
    );
}
