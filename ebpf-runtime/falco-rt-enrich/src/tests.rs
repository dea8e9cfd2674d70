use falco_events::{Extractor, FieldValue, Scratch};
use falco_rt_record::syscalls::nr;
use falco_rt_record::{Event as Record, ExecEvent, ExecFacts, Header, SyscallEvent};
use falco_rt_state::{State, UserDb};

use std::sync::Arc;

use falco_events::agent_fields::{SUPPLIED, served_args, supplies, supplies_for};
use falco_events::{ContainerInfo, MountInfo};

use crate::{ContainerMetadata, Enricher, KnownContainer, to_event};

const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n";
const GROUP: &str = "root:x:0:\nalice:x:1000:\n";

fn header(pid: u32, comm: &str, uid: u32) -> Header {
    let mut c = [0u8; 16];
    c[..comm.len()].copy_from_slice(comm.as_bytes());
    Header {
        ts_boot_ns: 1,
        tgid: pid,
        tid: pid,
        uid,
        gid: uid,
        cgroup_id: 7,
        comm: c,
    }
}

fn exec<'a>(pid: u32, ppid: u32, comm: &str, argv: &'a [u8], cgroup: &'a [u8]) -> Record<'a> {
    Record::Exec(ExecEvent {
        header: header(pid, comm, 1000),
        ppid,
        loginuid: 1000,
        sessionid: 1,
        sid: ppid,
        vpid: pid,
        tty: 34816,
        filename: argv.split(|&b| b == 0).next().unwrap_or(b""),
        args: argv,
        cgroup,
        cgroup_v1: b"",
        facts: ExecFacts {
            euid: 1000,
            egid: 1000,
            pgid: ppid,
            vpgid: ppid,
            cap_permitted: 1 << 21,
            cap_effective: 1 << 21,
            exe_ino: 4242,
            exe_ctime_ns: 1_600_000_000_000_000_000,
            exe_mtime_ns: 1_600_000_000_000_000_001,
            exe_flags: falco_rt_record::EXE_WRITABLE,
            ..ExecFacts::default()
        },
        env: b"HOME=/home/alice\0TERM=xterm\0",
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
        header: header(pid, comm, 1000),
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

fn field(ev: &falco_events::Event, name: &str, arg: Option<&str>) -> String {
    let ex = Extractor::new("syscall", name, arg).expect("field");
    let mut s = Scratch::new();
    match ex.extract(ev, &mut s) {
        FieldValue::Missing => "<NA>".into(),
        v => {
            let mut out = String::new();
            v.write_text(&mut out);
            out
        }
    }
}

fn run(recs: &[Record<'_>]) -> Vec<falco_events::Event> {
    run_with(recs, Enricher::new())
}

/// Like [`run`], with the enricher `en` (which may have container metadata).
fn run_with(recs: &[Record<'_>], mut en: Enricher) -> Vec<falco_events::Event> {
    let mut state = State::detached(UserDb::parse(PASSWD, GROUP));
    let mut line = String::new();
    let mut out = Vec::new();
    for r in recs {
        if en
            .record(
                &mut state,
                r,
                1_700_000_000_000_000_000,
                |_| true,
                &mut line,
            )
            .is_some()
        {
            out.push(to_event(&line).unwrap_or_else(|e| panic!("{e}: {line}")));
        }
    }
    out
}

#[test]
fn open_read_of_a_sensitive_file_carries_process_fd_and_flags() {
    let evs = run(&[
        exec(100, 1, "bash", b"/bin/bash\0", b""),
        exec(101, 100, "cat", b"cat\0/etc/shadow\0", b""),
        syscall(
            101,
            "cat",
            nr::OPENAT,
            3,
            [(-100i64) as u64, 0, 0o2000000, 0, 0, 0],
            b"/etc/shadow",
        ),
        syscall(101, "cat", nr::CLOSE, 0, [3, 0, 0, 0, 0, 0], b""),
    ]);
    assert_eq!(evs.len(), 4);
    let open = &evs[2];
    assert_eq!(field(open, "evt.type", None), "openat");
    assert_eq!(field(open, "fd.name", None), "/etc/shadow");
    assert_eq!(field(open, "fd.typechar", None), "f");
    assert_eq!(field(open, "fd.directory", None), "/etc");
    assert_eq!(field(open, "evt.is_open_read", None), "true");
    assert_eq!(field(open, "evt.arg.flags", None), "O_RDONLY|O_CLOEXEC");
    assert_eq!(field(open, "proc.cmdline", None), "cat /etc/shadow");
    assert_eq!(field(open, "proc.pname", None), "bash");
    assert_eq!(field(open, "user.name", None), "alice");
    assert_eq!(field(open, "user.loginname", None), "alice");
    assert_eq!(field(open, "proc.tty", None), "34816");
    assert_eq!(field(open, "container.id", None), "host");
    assert_eq!(field(open, "fd.nameraw", None), "/etc/shadow");
    // close reports the descriptor it released.
    assert_eq!(field(&evs[3], "fd.name", None), "/etc/shadow");
}

#[test]
fn raw_names_keep_the_path_as_the_process_passed_it() {
    let evs = run(&[
        exec(100, 1, "bash", b"/bin/bash\0", b""),
        syscall(100, "bash", nr::CHDIR, 0, [0; 6], b"/var/www"),
        syscall(
            100,
            "bash",
            nr::OPENAT,
            3,
            [(-100i64) as u64, 0, 0, 0, 0, 0],
            b"..//..//etc/shadow",
        ),
        syscall(100, "bash", nr::READ, 10, [3, 0, 10, 0, 0, 0], b""),
        syscall(100, "bash", nr::SOCKET, 4, [2, 1, 6, 0, 0, 0], b""),
        syscall(100, "bash", nr::CLOSE, 0, [4, 0, 0, 0, 0, 0], b""),
    ]);
    let [.., open, read, _socket, close] = evs.as_slice() else {
        panic!("{} events", evs.len());
    };
    // The upstream macro `directory_traversal` reads `fd.nameraw` on the open.
    assert_eq!(field(open, "fd.name", None), "/etc/shadow");
    assert_eq!(field(open, "fd.nameraw", None), "../../etc/shadow");
    assert_eq!(field(read, "fd.nameraw", None), "../../etc/shadow");
    // A descriptor not opened by path has an empty raw name, as in libsinsp.
    assert_eq!(field(close, "fd.nameraw", None), "");
}

#[test]
fn failed_opens_carry_the_name_libsinsp_takes_from_the_event() {
    let evs = run(&[
        exec(100, 1, "bash", b"/bin/bash\0", b""),
        syscall(100, "bash", nr::CHDIR, 0, [0; 6], b"/var/www"),
        // openat(AT_FDCWD, "..//..//etc/missing") fails with ENOENT.
        syscall(
            100,
            "bash",
            nr::OPENAT,
            -2,
            [(-100i64) as u64, 0, 0, 0, 0, 0],
            b"..//..//etc/missing",
        ),
        // open("//etc/x") and open("rel") fail with EACCES.
        syscall(100, "bash", nr::OPEN, -13, [0; 6], b"//etc/x"),
        syscall(100, "bash", nr::OPEN, -13, [0; 6], b"rel"),
        // A close of a descriptor never seen.
        syscall(100, "bash", nr::CLOSE, -9, [7, 0, 0, 0, 0, 0], b""),
    ]);
    let [.., openat, open_abs, open_rel, close] = evs.as_slice() else {
        panic!("{} events", evs.len());
    };
    // What the upstream macro `open_file_failed` and `directory_traversal` read.
    let f = |ev, name| field(ev, name, None);
    assert_eq!(f(openat, "evt.res"), "ENOENT");
    assert_eq!(f(openat, "fd.num"), "-1");
    assert_eq!(f(openat, "fd.typechar"), "f");
    assert_eq!(f(openat, "fd.type"), "<NA>");
    assert_eq!(f(openat, "fd.name"), "/etc/missing");
    assert_eq!(f(openat, "fd.nameraw"), "../../etc/missing");
    assert_eq!(f(openat, "fd.directory"), "/etc");
    assert_eq!(f(openat, "fd.filename"), "<NA>");
    // libsinsp guesses no type for `open`, and keeps an absolute name as passed.
    assert_eq!(f(open_abs, "fd.typechar"), "o");
    assert_eq!(f(open_abs, "fd.name"), "//etc/x");
    assert_eq!(f(open_abs, "fd.nameraw"), "/etc/x");
    assert_eq!(f(open_rel, "fd.name"), "/var/www/rel");
    assert_eq!(f(open_rel, "fd.nameraw"), "/var/www/rel");
    assert_eq!(
        (f(close, "fd.num"), f(close, "fd.name")),
        ("7".into(), "".into())
    );
}

#[test]
fn udp_datagrams_get_libsinsps_connected_and_name_changed() {
    let mut dns = 2u16.to_le_bytes().to_vec();
    dns.extend_from_slice(&53u16.to_be_bytes());
    dns.extend_from_slice(&[10, 0, 0, 53, 0, 0, 0, 0, 0, 0, 0, 0]);
    let datagram = |nr| {
        let Record::Syscall(s) = syscall(700, "dig", nr, 5, [3, 0, 5, 0, 0, 16], b"") else {
            unreachable!()
        };
        Record::Syscall(SyscallEvent {
            sockaddr: Some(&dns),
            tuple: Some(falco_rt_record::Tuple {
                family: 2,
                sock_type: 2,
                protocol: 17,
                sport: 40000,
                dport: 0,
                saddr: [0; 16],
                daddr: [0; 16],
            }),
            path: None,
            ..s
        })
    };
    let evs = run(&[
        exec(700, 1, "dig", b"dig\0", b""),
        syscall(700, "dig", nr::SOCKET, 3, [2, 2, 0, 0, 0, 0], b""),
        datagram(nr::SENDTO),
        datagram(nr::SENDTO),
        datagram(nr::RECVFROM),
    ]);
    let [_, socket, first, again, answer] = evs.as_slice() else {
        panic!("{} events", evs.len());
    };
    let f = |ev, name| field(ev, name, None);
    // An unnamed socket's name is empty, as in Falco.
    assert_eq!(f(socket, "fd.name"), "");
    assert_eq!(f(socket, "fd.connected"), "false");
    assert_eq!(f(first, "fd.name"), "0.0.0.0:40000->10.0.0.53:53");
    assert_eq!(f(first, "fd.connected"), "true");
    assert_eq!(f(first, "fd.name_changed"), "true");
    assert_eq!(f(first, "fd.l4proto"), "udp");
    assert_eq!(f(first, "evt.arg.tuple"), "0.0.0.0:40000->10.0.0.53:53");
    assert_eq!(f(again, "fd.name_changed"), "false");
    // The driver writes the peer first in a receive's tuple.
    assert_eq!(f(answer, "evt.arg.tuple"), "10.0.0.53:53->0.0.0.0:40000");
    assert_eq!(f(answer, "fd.name_changed"), "false");
}

#[test]
fn a_failed_exec_reports_the_flags_of_the_image_that_stays() {
    let evs = run(&[
        exec(100, 1, "bash", b"/bin/bash\0", b""),
        syscall(100, "bash", nr::EXECVEAT, -2, [0; 6], b"/nonexistent"),
        syscall(100, "bash", nr::EXECVE, -13, [0; 6], b"/etc/shadow"),
    ]);
    let [_, execveat, execve] = evs.as_slice() else {
        panic!("{} events", evs.len());
    };
    // The exec record said the shell's executable is writable.
    assert_eq!(field(execveat, "evt.arg.flags", None), "EXE_WRITABLE");
    assert_eq!(field(execve, "evt.arg.flags", None), "EXE_WRITABLE");
    assert_eq!(field(execve, "evt.res", None), "EACCES");
}

#[test]
fn ids_modes_and_namespaces_get_falcos_text() {
    let id = "a".repeat(64);
    let scope = format!("docker-{id}.scope\0system.slice\0");
    let evs = run(&[
        exec(200, 1, "sh", b"sh\0", scope.as_bytes()),
        syscall(
            200,
            "sh",
            nr::SETRESUID,
            0,
            [0, 0, u32::MAX as u64, 0, 0, 0],
            b"",
        ),
        syscall(200, "sh", nr::CHMOD, 0, [0, 0o4755, 0, 0, 0, 0], b"/tmp/x"),
        syscall(
            200,
            "sh",
            nr::UNSHARE,
            0,
            [0x0400_0000 | 0x2000_0000, 0, 0, 0, 0, 0],
            b"",
        ),
    ]);
    assert_eq!(field(&evs[1], "evt.arg.ruid", None), "root");
    assert_eq!(field(&evs[1], "evt.arg.suid", None), "-1");
    assert_eq!(field(&evs[1], "container.id", None), "aaaaaaaaaaaa");
    assert!(field(&evs[2], "evt.arg.mode", None).contains("S_ISUID"));
    assert_eq!(field(&evs[2], "evt.arg.filename", None), "/tmp/x");
    // libs' clone_flags order.
    assert_eq!(
        field(&evs[3], "evt.arg.flags", None),
        "CLONE_NEWPID|CLONE_NEWUTS"
    );
}

#[test]
fn enums_get_libsinsp_names_and_the_drivers_raw_values() {
    let evs = run(&[
        exec(210, 1, "gdb", b"gdb\0", b""),
        exec(211, 1, "victim", b"victim\0", b""),
        // ptrace(PTRACE_ATTACH, 211), socket(AF_PACKET, SOCK_RAW, 0), bpf(BPF_PROG_LOAD).
        syscall(210, "gdb", nr::PTRACE, 0, [16, 211, 0, 0, 0, 0], b""),
        syscall(210, "gdb", nr::SOCKET, 3, [17, 3, 0, 0, 0, 0], b""),
        syscall(210, "gdb", nr::BPF, 4, [5, 0, 0, 0, 0, 0], b""),
        // openat(AT_FDCWD, "../etc/passwd", O_RDONLY) from /tmp/work.
        syscall(
            210,
            "gdb",
            nr::OPENAT,
            5,
            [(-100i64) as u64, 0, 0, 0, 0, 0],
            b"../x",
        ),
    ]);
    assert_eq!(field(&evs[2], "evt.arg.request", None), "PTRACE_ATTACH");
    assert_eq!(field(&evs[2], "evt.rawarg.request", None), "11");
    assert_eq!(field(&evs[2], "evt.arg.pid", None), "victim");
    assert_eq!(field(&evs[3], "evt.arg.domain", None), "AF_PACKET");
    assert_eq!(field(&evs[3], "evt.arg.type", None), "3");
    assert_eq!(field(&evs[3], "evt.arg.fd", None), "3");
    assert_eq!(field(&evs[4], "evt.arg.cmd", None), "BPF_PROG_LOAD");
    assert_eq!(field(&evs[4], "evt.rawarg.cmd", None), "5");
    // Without O_CREAT the driver records mode 0.
    assert_eq!(field(&evs[5], "evt.arg.mode", None), "0");
    assert_eq!(field(&evs[5], "evt.arg.flags", None), "O_RDONLY");
}

#[test]
fn unwanted_types_update_state_without_a_line() {
    let mut state = State::detached(UserDb::parse(PASSWD, GROUP));
    let mut en = Enricher::new();
    let mut line = String::from("stale");
    let rec = exec(300, 1, "sh", b"sh\0", b"");
    assert_eq!(
        en.record(&mut state, &rec, 1, |t| t != "execve", &mut line),
        None
    );
    assert_eq!(line, "stale");
    assert!(state.procs.get(300).is_some());
}

#[test]
fn built_events_equal_parsed_lines() {
    let id = "b".repeat(64);
    let scope = format!("crio-{id}.scope\0");
    let recs = [
        exec(400, 1, "bash", b"/bin/bash\0-l\0", b""),
        exec(401, 400, "cat", b"cat\0/etc/shadow\0", scope.as_bytes()),
        syscall(
            401,
            "cat",
            nr::OPENAT,
            3,
            [(-100i64) as u64, 0, 0o1101, 0o644, 0, 0],
            b"/tmp/f",
        ),
        syscall(401, "cat", nr::SETRESGID, 0, [0, 0, 0, 0, 0, 0], b""),
        syscall(401, "cat", nr::CLOSE, 0, [3, 0, 0, 0, 0, 0], b""),
    ];
    let fields = [
        "evt.type",
        "evt.res",
        "evt.rawres",
        "evt.args",
        "evt.arg.flags",
        "evt.arg.rgid",
        "evt.is_open_write",
        "evt.is_open_create",
        "proc.name",
        "proc.cmdline",
        "proc.pname",
        "proc.pcmdline",
        "proc.exepath",
        "proc.tty",
        "proc.vpid",
        "thread.tid",
        "user.name",
        "user.loginname",
        "user.homedir",
        "group.name",
        "fd.name",
        "fd.num",
        "fd.typechar",
        "fd.directory",
        "container.id",
        "container.type",
        "evt.time",
    ];
    let mut s1 = State::detached(UserDb::parse(PASSWD, GROUP));
    let mut s2 = State::detached(UserDb::parse(PASSWD, GROUP));
    let (mut e1, mut e2) = (Enricher::new(), Enricher::new());
    let mut line = String::new();
    for (i, r) in recs.iter().enumerate() {
        let ts = 1_700_000_000_000_000_000 + i as u64;
        e1.record(&mut s1, r, ts, |_| true, &mut line)
            .expect("line");
        let parsed = to_event(&line).expect("parses");
        let built = e2.event(&mut s2, r, ts, |_| true, 1, ts).expect("event");
        for f in fields {
            assert_eq!(
                field(&built, f, None),
                field(&parsed, f, None),
                "{f} of {line}"
            );
        }
        assert_eq!(
            field(&built, "proc.aname", Some("1")),
            field(&parsed, "proc.aname", Some("1"))
        );
    }
}

#[test]
fn reused_events_and_shared_chains_equal_parsed_lines() {
    let id = "c".repeat(64);
    let scope = format!("docker-{id}.scope\0");
    let mut thread = syscall(
        501,
        "cat",
        nr::OPENAT,
        5,
        [(-100i64) as u64, 0, 0o1, 0, 0, 0],
        b"t",
    );
    if let Record::Syscall(s) = &mut thread {
        s.header.tid = 509;
    }
    let open = |pid, fd, path| {
        syscall(
            pid,
            "cat",
            nr::OPENAT,
            fd,
            [(-100i64) as u64, 0, 0o2000000, 0, 0, 0],
            path,
        )
    };
    let recs = [
        exec(500, 1, "bash", b"/bin/bash\0-l\0", b""),
        exec(501, 500, "cat", b"cat\0a\0", scope.as_bytes()),
        open(501, 3, b"rel"),
        open(501, 4, b"/etc/passwd"),
        // cwd changes the thread's part of the chain.
        syscall(501, "cat", nr::CHDIR, 0, [0; 6], b"/tmp"),
        open(501, 6, b"rel"),
        thread,
        syscall(501, "cat", nr::CLOSE, 0, [3, 0, 0, 0, 0, 0], b""),
        // The parent's exec changes the ancestors' part.
        exec(500, 1, "zsh", b"/bin/zsh\0", b""),
        open(501, 3, b"/etc/shadow"),
        Record::Fork(falco_rt_record::ForkEvent {
            header: header(501, "cat", 1000),
            child_tgid: 502,
            child_tid: 502,
        }),
        open(502, 7, b"/etc/hosts"),
        // The parent's exit cuts the ancestry.
        Record::Exit(falco_rt_record::ExitEvent {
            header: header(500, "zsh", 1000),
            exit_code: 0,
        }),
        open(501, 8, b"/etc/group"),
        thread,
        syscall(501, "cat", nr::CLOSE, 0, [8, 0, 0, 0, 0, 0], b""),
        syscall(501, "cat", nr::CLOSE, 0, [9, 0, 0, 0, 0, 0], b""),
        // Failed opens: descriptors without a table entry.
        open(501, -2, b"..//etc/missing"),
        syscall(501, "cat", nr::OPEN, -13, [0; 6], b"//root/x"),
    ];
    let mut s1 = State::detached(UserDb::parse(PASSWD, GROUP));
    let mut s2 = State::detached(UserDb::parse(PASSWD, GROUP));
    // The container is described by its engine (as falco-rt-container does): the
    // written line carries the metadata as the built event does.
    let metadata = engine_metadata(&id);
    let mut e1 = Enricher::new().with_containers(metadata.clone());
    let mut e2 = Enricher::new().with_containers(metadata);
    // Every supplied field, with and without an index or argument name.
    let mut fields = Vec::new();
    for f in SUPPLIED {
        for arg in [
            None,
            Some("0"),
            Some("1"),
            Some("2"),
            Some("fd"),
            Some("name"),
        ] {
            if let Ok(ex) = Extractor::new("syscall", f, arg) {
                fields.push((format!("{f}[{arg:?}]"), ex));
            }
        }
    }
    assert!(fields.len() > SUPPLIED.len(), "{} fields", fields.len());
    let text = |ex: &Extractor, ev: &falco_events::Event| {
        format!("{:?}", ex.extract(ev, &mut Scratch::new()))
    };
    let mut line = String::new();
    for (i, r) in recs.iter().enumerate() {
        let ts = 1_700_000_000_000_000_000 + i as u64;
        e1.record(&mut s1, r, ts, |_| true, &mut line)
            .expect("line");
        let parsed = to_event(&line).expect("parses");
        let built = e2.event(&mut s2, r, ts, |_| true, 1, ts).expect("event");
        for (name, ex) in &fields {
            assert_eq!(text(ex, &built), text(ex, &parsed), "{name} of {line}");
        }
        e2.recycle(built);
    }
    // The events above did use the cache: the last process's chain is kept.
    assert!(!e2.chains.by_process.is_empty());
    let cat = e2
        .event(&mut s2, &recs[2], 1, |_| true, 1, 1)
        .expect("event");
    assert_eq!(field(&cat, "container.name", None), "web");
    assert_eq!(
        field(&cat, "container.mounts", None),
        "/proc:/host/proc:ro:false:rprivate"
    );
    assert_eq!(field(&cat, "k8s.pod.name", None), "web-1");
    assert_eq!(field(&cat, "k8s.pod.labels", None), "tier:front");
}

/// Metadata for one container, as an engine would give it.
#[derive(Debug)]
struct OneContainer(Arc<KnownContainer>);

/// What an engine says about container `id` (every field set).
fn engine_metadata(id: &str) -> Arc<dyn ContainerMetadata> {
    Arc::new(OneContainer(Arc::new(KnownContainer::new(ContainerInfo {
        id: id[..12].to_string(),
        full_id: id.to_string(),
        name: "web".into(),
        kind: "docker".into(),
        image: "nginx:1.25".into(),
        image_id: "0123abcd".into(),
        image_repository: "nginx".into(),
        image_tag: "1.25".into(),
        image_digest: "sha256:abcd".into(),
        privileged: true,
        ip: "10.0.0.2".into(),
        labels: vec![
            ("app".into(), "web".into()),
            ("io.kubernetes.pod.name".into(), "web-1".into()),
            ("io.kubernetes.pod.namespace".into(), "prod".into()),
            ("io.kubernetes.pod.uid".into(), "uid-1".into()),
        ],
        mounts: vec![MountInfo {
            source: "/proc".into(),
            dest: "/host/proc".into(),
            mode: "ro".into(),
            rdwr: false,
            propagation: "rprivate".into(),
        }],
        pod_labels: vec![("tier".into(), "front".into())],
        ..ContainerInfo::default()
    }))))
}

impl ContainerMetadata for OneContainer {
    fn lookup(&self, full_id: &str, _: falco_rt_state::Runtime) -> Option<Arc<KnownContainer>> {
        (self.0.info.full_id == full_id).then(|| self.0.clone())
    }

    fn generation(&self) -> u64 {
        1
    }
}

#[test]
fn a_container_without_metadata_has_only_its_id() {
    let id = "d".repeat(64);
    let scope = format!("docker-{id}.scope\0");
    let evs = run(&[exec(300, 1, "cat", b"cat\0", scope.as_bytes())]);
    assert_eq!(field(&evs[0], "container.id", None), "dddddddddddd");
    for pending in [
        "container.name",
        "container.type",
        "container.full_id",
        "container.image",
    ] {
        assert_eq!(field(&evs[0], pending, None), "<NA>", "{pending}");
    }
}

/// Records of every kind the agent sees, replayed through the enricher: the events the
/// honesty tests below read fields from.
fn replayed_events() -> Vec<falco_events::Event> {
    let id = "d".repeat(64);
    let scope = format!("docker-{id}.scope\0");
    let tuple = falco_rt_record::Tuple {
        family: 2,
        sock_type: 1,
        protocol: 6,
        sport: 40000,
        dport: 443,
        saddr: [10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        daddr: [10, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    };
    let connect = Record::Syscall(SyscallEvent {
        tuple: Some(tuple),
        ..match syscall(601, "curl", nr::CONNECT, 0, [3, 0, 16, 0, 0, 0], b"") {
            Record::Syscall(s) => s,
            _ => unreachable!(),
        }
    });
    // In a pid namespace whose init started at boot, from an executable changed since.
    let mut curl = exec(601, 600, "curl", b"curl\0https://x\0", scope.as_bytes());
    if let Record::Exec(x) = &mut curl {
        x.facts.pidns_init_start_ns = 1;
        x.facts.exe_ctime_ns = 1_800_000_000_000_000_000;
    }
    let mut recs = vec![
        exec(600, 1, "bash", b"/bin/bash\0-l\0", b""),
        Record::Fork(falco_rt_record::ForkEvent {
            header: header(600, "bash", 1000),
            child_tgid: 601,
            child_tid: 601,
        }),
        curl,
        syscall(601, "curl", nr::SOCKET, 3, [2, 1, 6, 0, 0, 0], b""),
        connect,
        syscall(
            601,
            "curl",
            nr::OPENAT,
            4,
            [(-100i64) as u64, 0, 0o1101, 0o755, 0, 0],
            b"/tmp/dir/f",
        ),
        Record::Fork(falco_rt_record::ForkEvent {
            header: header(601, "curl", 1000),
            child_tgid: 602,
            child_tid: 602,
        }),
        Record::Exit(falco_rt_record::ExitEvent {
            header: header(602, "curl", 1000),
            exit_code: 0,
        }),
    ];
    // One record of every syscall whose arguments are served, each argument register
    // non-zero, both paths set.
    for nr in 0..falco_rt_record::MAX_SYSCALLS {
        let Some(ty) = crate::line::syscall_event_type(nr) else {
            continue;
        };
        // A syscall record of execve is a failed exec (a successful one is an exec
        // record, above).
        if !falco_events::agent_fields::arg_sources().contains_key(ty)
            || [nr::CONNECT, nr::EXECVE].contains(&nr)
        {
            continue;
        }
        recs.push(Record::Syscall(SyscallEvent {
            path2: Some(b"/tmp/b"),
            tuple: Some(tuple),
            ..match syscall(601, "curl", nr, 0, [4, 1, 2, 3, 4, 5], b"/tmp/a") {
                Record::Syscall(s) => s,
                _ => unreachable!(),
            }
        }));
    }
    // The container's engine has answered (falco-rt-container's cache in the agent).
    run_with(&recs, Enricher::new().with_containers(engine_metadata(&id)))
}

#[test]
fn every_supplied_field_has_a_value_on_replayed_events() {
    let evs = replayed_events();
    // The agent gives every event its host name; these replayed ones have none.
    for f in SUPPLIED.iter().filter(|f| **f != "evt.hostname") {
        let arg = match *f {
            "evt.arg" | "evt.rawarg" => Some("res"),
            "container.label" => Some("app"),
            "k8s.pod.label" => Some("tier"),
            f if f.starts_with("container.mount") && f != "container.mounts" => Some("0"),
            _ => None,
        };
        assert!(
            evs.iter().any(|e| field(e, f, arg) != "<NA>"),
            "{f} is listed as supplied but has no value"
        );
    }
}

#[test]
fn every_field_with_a_value_is_listed_as_supplied() {
    let evs = replayed_events();
    let mut unlisted = Vec::new();
    for f in falco_schema::Schema::get().fields_for("syscall") {
        let Ok(ex) = Extractor::new("syscall", f.name, None) else {
            continue;
        };
        let mut s = Scratch::new();
        let with_value = evs
            .iter()
            .find(|e| !matches!(ex.extract(e, &mut s), FieldValue::Missing));
        if let Some(e) = with_value.filter(|_| !supplies(f.name)) {
            unlisted.push(format!("{} ({})", f.name, field(e, f.name, None)));
        }
    }
    assert!(
        unlisted.is_empty(),
        "fields with values not listed as supplied: {unlisted:?}"
    );
}

#[test]
fn every_served_argument_has_a_value_on_its_event() {
    let evs = replayed_events();
    let mut checked = 0;
    for ev in &evs {
        let ty = field(ev, "evt.type", None);
        for name in served_args(&ty) {
            assert_ne!(
                field(ev, &format!("evt.arg.{name}"), None),
                "<NA>",
                "{ty}: evt.arg.{name}"
            );
            assert!(supplies_for(&format!("evt.arg.{name}"), &[&ty]));
            checked += 1;
        }
    }
    assert!(checked > 150, "{checked}");
    // Parameters libs has and falco-rt does not serve are reported; unknown ones are
    // libsinsp's <NA> too, so they are not falco-rt's gap.
    assert!(!supplies_for("evt.arg.data", &["sendto"]));
    assert!(!supplies_for("evt.arg[1]", &["sendto"]));
    assert!(supplies_for("evt.arg.request", &["ptrace"]));
    assert!(supplies_for("evt.arg.nosuch", &["ptrace"]));
    assert!(supplies_for("evt.arg.flags", &["openat", "open"]));
}

#[test]
fn the_argument_sources_parse() {
    use falco_events::agent_fields::parse_arg_sources;
    let by_event = crate::args::parse_sources(falco_events::agent_fields::arg_sources());
    assert_eq!(by_event.map(|m| m.len() > 50), Ok(true));
    assert!(parse_arg_sources("openat\tnosuch\tret\n").is_err());
    assert!(parse_arg_sources("openat\tfd\n").is_err());
    let bad_source = parse_arg_sources("openat\tfd\ta9\n").expect("names parse");
    assert!(crate::args::parse_sources(&bad_source).is_err());
}
