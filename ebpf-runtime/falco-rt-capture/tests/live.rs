//! Live capture tests: load the real program, make real syscalls, check the
//! decoded records. Slow: they run under `FALCO_TEST_ALL=1` (CI), and need root (or
//! CAP_BPF + CAP_PERFMON) there (`falco_test_budget::slow_test`).

use std::fs;
use std::io::ErrorKind;
use std::net::{Ipv4Addr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use falco_rt_capture::{Attach, Capture, CaptureConfig, ebpf_permitted, syscalls};
use falco_rt_record::{Event, SockAddr, SyscallEvent, decode};
use falco_test_budget::slow_test;

const O_WRONLY: u64 = 0o1;
const O_CREAT: u64 = 0o100;
const ENOENT: i64 = 2;
const CLONE_NEWUTS: u64 = 0x0400_0000;

/// Raw records received so far; decoded on demand.
struct Seen {
    cap: Capture,
    records: Vec<Vec<u8>>,
}

impl Seen {
    fn new(cap: Capture) -> Self {
        assert_eq!(cap.fallback(), None, "per-syscall hooks fell back");
        Self {
            cap,
            records: Vec::new(),
        }
    }

    /// Waits (up to 10 s) until a record satisfies `pred`, and returns its index.
    fn wait_for(&mut self, what: &str, mut pred: impl FnMut(&Event<'_>) -> bool) -> usize {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut checked = 0;
        loop {
            while checked < self.records.len() {
                if decode(&self.records[checked]).is_ok_and(|e| pred(&e)) {
                    return checked;
                }
                checked += 1;
            }
            if Instant::now() >= deadline {
                // A drop and a timeout are different failures.
                let counters = self.cap.counters().expect("counters");
                assert_eq!(
                    counters.dropped, 0,
                    "the ring dropped records while waiting for {what}: {counters:?}"
                );
                panic!(
                    "timed out waiting for {what}; {} records seen, nothing dropped",
                    self.records.len()
                );
            }
            let records = &mut self.records;
            self.cap
                .poll_raw(Duration::from_millis(50), |r| records.push(r.to_vec()))
                .expect("poll");
        }
    }

    fn syscall(
        &mut self,
        what: &str,
        mut pred: impl FnMut(&SyscallEvent<'_>) -> bool,
    ) -> SyscallEvent<'_> {
        let i = self.wait_for(what, |e| matches!(e, Event::Syscall(s) if pred(s)));
        match decode(&self.records[i]) {
            Ok(Event::Syscall(s)) => s,
            other => panic!("{other:?}"),
        }
    }

    fn any(&self, mut pred: impl FnMut(&Event<'_>) -> bool) -> bool {
        self.records
            .iter()
            .any(|r| decode(r).is_ok_and(|e| pred(&e)))
    }
}

/// A fresh directory per call: the scenarios run in parallel threads of one process.
fn temp_dir(tag: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("falco-rt-live-{tag}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).expect("temp dir");
    d
}

fn is_path(p: Option<&[u8]>, want: &Path) -> bool {
    p == Some(want.as_os_str().as_encoded_bytes())
}

fn nr(name: &str) -> u32 {
    syscalls::number(name).expect(name)
}

/// The tests' capture: only this test process and what it forks from now on are
/// reported (filtered in the kernel), so a test finds its own events however many other
/// processes run on the machine.
fn config(ignore_own_process: bool, attach: Attach) -> CaptureConfig {
    CaptureConfig {
        ignore_own_process,
        attach,
        only_tree: Some(std::process::id()),
        ..CaptureConfig::default()
    }
}

const INTEREST: &[&str] = &[
    "open",
    "openat",
    "openat2",
    "close",
    "execve",
    "execveat",
    "unshare",
    "setns",
    "mkdir",
    "mkdirat",
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "unlinkat",
    "chmod",
    "fchmodat",
    "fchmodat2",
    "connect",
    "accept",
    "accept4",
];

fn files_exec_and_namespaces_arrive_decoded(attach: Attach) {
    if !slow_test("files_exec_and_namespaces_arrive_decoded", ebpf_permitted()) {
        return;
    }
    let cap = Capture::start(&config(false, attach), INTEREST).expect("start capture");
    let mut seen = Seen::new(cap);
    let dir = temp_dir("files");

    // openat with O_CREAT: path, flags, mode and the resulting fd.
    let path = dir.join("created.txt");
    let file = fs::File::create(&path).expect("create");
    let fd = file.as_raw_fd();
    let ev = seen.syscall("openat of created.txt", |s| {
        s.nr == nr("openat") && is_path(s.path, &path)
    });
    assert_eq!(ev.ret, i64::from(fd), "openat returns the fd");
    assert_eq!(
        ev.args[2] & (O_WRONLY | O_CREAT),
        O_WRONLY | O_CREAT,
        "flags {:#o}",
        ev.args[2]
    );
    assert_eq!(ev.args[3], 0o666, "mode");
    assert_eq!(ev.header.tgid, std::process::id());

    // close of that fd.
    drop(file);
    let ev = seen.syscall("close", |s| {
        s.nr == nr("close") && s.args[0] == fd as u64 && s.header.tgid == std::process::id()
    });
    assert_eq!(ev.ret, 0);

    // A failed open returns -ENOENT with the path.
    let missing = dir.join("missing");
    assert_eq!(
        fs::File::open(&missing).err().map(|e| e.kind()),
        Some(ErrorKind::NotFound)
    );
    let ev = seen.syscall("failed openat", |s| {
        s.nr == nr("openat") && is_path(s.path, &missing)
    });
    assert_eq!(ev.ret, -ENOENT);

    // mkdir, rename (two paths), chmod, unlink: whichever variant libc uses.
    let sub = dir.join("sub");
    fs::create_dir(&sub).expect("mkdir");
    let ev = seen.syscall("mkdir", |s| {
        [nr("mkdir"), nr("mkdirat")].contains(&s.nr) && is_path(s.path, &sub)
    });
    assert_eq!(ev.ret, 0);
    let renamed = dir.join("renamed.txt");
    fs::rename(&path, &renamed).expect("rename");
    let ev = seen.syscall("rename", |s| {
        [nr("rename"), nr("renameat"), nr("renameat2")].contains(&s.nr) && is_path(s.path, &path)
    });
    assert!(is_path(ev.path2, &renamed), "rename target {:?}", ev.path2);
    let mut perms = fs::metadata(&renamed).expect("stat").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    fs::set_permissions(&renamed, perms).expect("chmod");
    seen.syscall("chmod", |s| {
        [nr("chmod"), nr("fchmodat"), nr("fchmodat2")].contains(&s.nr)
            && is_path(s.path, &renamed)
            && s.ret == 0
    });
    fs::remove_file(&renamed).expect("unlink");
    seen.syscall("unlink", |s| {
        [nr("unlink"), nr("unlinkat")].contains(&s.nr) && is_path(s.path, &renamed)
    });

    // exec of /bin/true: fork, exec (filename, argv) and exit of the child.
    let mut child = Command::new("/bin/true")
        .arg("hello-falco")
        .env("FALCO_RT_LIVE", "exec-env")
        .spawn()
        .expect("spawn /bin/true");
    let child_pid = child.id();
    assert!(child.wait().expect("wait").success());
    seen.wait_for(
        "fork of /bin/true",
        |e| matches!(e, Event::Fork(f) if f.child_tgid == child_pid),
    );
    let i = seen.wait_for(
        "exec of /bin/true",
        |e| matches!(e, Event::Exec(x) if x.header.tgid == child_pid),
    );
    let Ok(Event::Exec(x)) = decode(&seen.records[i]) else {
        panic!()
    };
    assert_eq!(x.filename, b"/bin/true");
    assert_eq!(
        x.argv().collect::<Vec<_>>(),
        [&b"/bin/true"[..], b"hello-falco"]
    );
    assert_eq!(x.ppid, std::process::id());
    assert_eq!(x.header.comm(), b"true");
    assert_eq!(x.vpid, child_pid, "host pid namespace");
    // The host pid namespace's init is pid 1: its start (boot clock, in USER_HZ ticks in
    // /proc/1/stat) is the record's `container.start_ts` source.
    let init_ticks: u64 = fs::read_to_string("/proc/1/stat")
        .ok()
        .and_then(|s| {
            s.rsplit(')')
                .next()?
                .split_whitespace()
                .nth(19)?
                .parse()
                .ok()
        })
        .expect("/proc/1/stat starttime");
    let host_init = x.facts.pidns_init_start_ns;
    assert!(
        host_init.abs_diff(init_ticks * 10_000_000) < 10_000_000,
        "pid namespace init start {host_init} ns, /proc/1 started at {init_ticks} ticks"
    );
    assert_eq!(x.tty, 0, "no controlling terminal under the test harness");
    let my_sid = fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| s.rsplit(')').next().map(str::to_owned))
        .and_then(|rest| {
            rest.split_whitespace()
                .nth(3)
                .and_then(|v| v.parse::<u32>().ok())
        });
    assert_eq!(Some(x.sid), my_sid, "the child inherits our session");
    // Credentials, process group, capabilities, environment and executable facts.
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let status_of = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let f = x.facts;
    assert_eq!(f.euid.to_string(), status_of("Uid:")[1], "effective uid");
    assert_eq!(f.egid.to_string(), status_of("Gid:")[1], "effective gid");
    let my_pgid = fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| s.rsplit(')').next().map(str::to_owned))
        .and_then(|rest| {
            rest.split_whitespace()
                .nth(2)
                .and_then(|v| v.parse::<u32>().ok())
        });
    assert_eq!(
        Some(f.pgid),
        my_pgid,
        "the child inherits our process group"
    );
    assert_eq!(f.vpgid, f.pgid, "host pid namespace");
    let cap = |key: &str| u64::from_str_radix(&status_of(key)[0], 16).expect(key);
    assert_eq!(
        f.cap_effective,
        cap("CapEff:"),
        "effective capabilities (exec as the same user)"
    );
    assert_eq!(f.cap_permitted, cap("CapPrm:"));
    let meta = fs::metadata("/bin/true").expect("stat /bin/true");
    use std::os::unix::fs::MetadataExt;
    assert_eq!(f.exe_ino, meta.ino(), "executable inode");
    assert_eq!(
        f.exe_mtime_ns,
        meta.mtime() as u64 * 1_000_000_000 + meta.mtime_nsec() as u64
    );
    assert_eq!(
        f.exe_ctime_ns,
        meta.ctime() as u64 * 1_000_000_000 + meta.ctime_nsec() as u64
    );
    // Root may write /bin/true; it is not a memfd.
    assert_eq!(
        f.exe_flags & (falco_rt_record::EXE_WRITABLE | falco_rt_record::EXE_FROM_MEMFD),
        if f.euid == 0 {
            falco_rt_record::EXE_WRITABLE
        } else {
            0
        }
    );
    assert!(
        x.env_vars().any(|v| v == b"FALCO_RT_LIVE=exec-env"),
        "environment"
    );
    seen.wait_for(
        "exit of /bin/true",
        |e| matches!(e, Event::Exit(x) if x.header.tgid == child_pid),
    );

    // A failed execve is a syscall record with ret < 0 and the path.
    let bogus = dir.join("no-such-binary");
    assert!(Command::new(&bogus).spawn().is_err());
    let ev = seen.syscall("failed execve", |s| {
        s.nr == nr("execve") && is_path(s.path, &bogus)
    });
    assert_eq!(ev.ret, -ENOENT);

    // unshare(CLONE_NEWUTS) and setns into our own UTS namespace, from child processes.
    let ok = Command::new("unshare")
        .args(["--uts", "/bin/true"])
        .status()
        .expect("run unshare");
    assert!(ok.success(), "unshare --uts failed: {ok}");
    let ev = seen.syscall("unshare", |s| {
        s.nr == nr("unshare") && s.args[0] & CLONE_NEWUTS != 0
    });
    assert_eq!(ev.ret, 0);
    // In a new pid namespace the exec'd process is pid 1 there.
    let ok = Command::new("unshare")
        .args(["--pid", "--fork", "/bin/echo", "in-new-pidns"])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run unshare --pid");
    assert!(ok.success(), "unshare --pid failed: {ok}");
    let i = seen.wait_for(
        "exec in a new pid namespace",
        |e| matches!(e, Event::Exec(x) if x.filename == b"/bin/echo" && x.args.ends_with(b"in-new-pidns\0")),
    );
    let Ok(Event::Exec(x)) = decode(&seen.records[i]) else {
        panic!()
    };
    assert_eq!(x.vpid, 1);
    assert_ne!(x.header.tgid, 1);
    // It is its namespace's init: the namespace started with it, after the host's.
    assert!(
        x.facts.pidns_init_start_ns > host_init
            && x.facts.pidns_init_start_ns <= x.header.ts_boot_ns,
        "{} vs host {host_init}, exec at {}",
        x.facts.pidns_init_start_ns,
        x.header.ts_boot_ns
    );

    // Under script(1) the process has a pseudo-terminal (major 136).
    if Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let ok = Command::new("script")
            .args(["-qec", "/bin/echo on-a-tty", "/dev/null"])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run script");
        assert!(ok.success(), "script failed: {ok}");
        let i = seen.wait_for(
            "exec on a pty",
            |e| matches!(e, Event::Exec(x) if x.filename == b"/bin/echo" && x.args.ends_with(b"on-a-tty\0")),
        );
        let Ok(Event::Exec(x)) = decode(&seen.records[i]) else {
            panic!()
        };
        assert_eq!(x.tty >> 8 & 0xfff, 136, "pty major in tty {:#x}", x.tty);
    }
    let me = std::process::id().to_string();
    let ok = Command::new("nsenter")
        .args(["-t", &me, "--uts", "/bin/true"])
        .status()
        .expect("run nsenter");
    assert!(ok.success(), "nsenter failed: {ok}");
    let ev = seen.syscall("setns", |s| s.nr == nr("setns"));
    assert_eq!(ev.ret, 0);

    let c = seen.cap.counters().expect("counters");
    assert!(c.submitted >= seen.records.len() as u64, "{c:?}");
    assert_eq!(c.dropped, 0, "{c:?}");
    assert_eq!(seen.cap.decode_errors(), 0);
    let _ = fs::remove_dir_all(&dir);
}

fn tcp_connect_and_accept_carry_addresses(attach: Attach) {
    if !slow_test("tcp_connect_and_accept_carry_addresses", ebpf_permitted()) {
        return;
    }
    let cap = Capture::start(&config(false, attach), &["connect", "accept", "accept4"])
        .expect("start capture");
    let mut seen = Seen::new(cap);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let client = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let cport = client.local_addr().expect("addr").port();
    let (server, _) = listener.accept().expect("accept");

    let ev = seen.syscall("connect", |s| {
        s.nr == nr("connect") && matches!(s.addr(), Some(SockAddr::V4 { port: p, .. }) if p == port)
    });
    assert_eq!(ev.ret, 0);
    let t = ev.tuple.expect("connect tuple");
    assert_eq!(
        (t.family, t.protocol, t.sport, t.dport),
        (2, 6, cport, port)
    );
    assert_eq!(t.dest(), Some(std::net::Ipv4Addr::LOCALHOST.into()));

    // This test runs beside its other hook variants in one process: match the client's port.
    let ev = seen.syscall("accept", |s| {
        [nr("accept"), nr("accept4")].contains(&s.nr)
            && s.ret >= 0
            && matches!(s.addr(), Some(SockAddr::V4 { port: p, .. }) if p == cport)
    });
    assert_eq!(ev.ret, i64::from(server.as_raw_fd()));
    assert_eq!(
        ev.addr(),
        Some(SockAddr::V4 {
            addr: std::net::Ipv4Addr::LOCALHOST,
            port: cport
        })
    );
    let t = ev.tuple.expect("accept tuple");
    assert_eq!((t.sport, t.dport), (port, cport));
}

fn udp_datagrams_carry_their_peer(attach: Attach) {
    if !slow_test("udp_datagrams_carry_their_peer", ebpf_permitted()) {
        return;
    }
    let cap = Capture::start(
        &config(false, attach),
        &["sendto", "sendmsg", "recvfrom", "recvmsg"],
    )
    .expect("start capture");
    let mut seen = Seen::new(cap);
    let server = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = server.local_addr().expect("addr").port();
    // An unconnected socket: the destination is only in the call.
    let client = UdpSocket::bind("0.0.0.0:0").expect("bind");
    let cport = client.local_addr().expect("addr").port();
    client
        .send_to(b"ping", ("127.0.0.1", port))
        .expect("sendto");
    let mut buf = [0u8; 16];
    let (_, from) = server.recv_from(&mut buf).expect("recvfrom");
    assert_eq!(from.port(), cport);

    let to_server =
        |s: &SyscallEvent<'_>| matches!(s.addr(), Some(SockAddr::V4 { port: p, .. }) if p == port);
    let ev = seen.syscall("sendto", |s| s.nr == nr("sendto") && to_server(s));
    assert_eq!(ev.ret, 4);
    let t = ev.tuple.expect("sendto tuple");
    // The socket has no peer; the driver's tuple takes it from the call.
    assert_eq!((t.family, t.protocol, t.sport, t.dport), (2, 17, cport, 0));
    let t = ev.peer_tuple().expect("peer tuple");
    assert_eq!((t.sport, t.dport), (cport, port));
    assert_eq!(t.dest(), Some(Ipv4Addr::LOCALHOST.into()));

    let ev = seen.syscall("recvfrom", |s| {
        s.nr == nr("recvfrom")
            && matches!(s.addr(), Some(SockAddr::V4 { port: p, .. }) if p == cport)
    });
    let t = ev.peer_tuple().expect("recvfrom tuple");
    assert_eq!((t.sport, t.dport), (port, cport));

    // sendmsg names its destination in the message header (python's socket.sendmsg).
    let script = format!(
        "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
         s.sendmsg([b'ping'], [], 0, ('127.0.0.1', {port}))\n"
    );
    let ok = Command::new("python3")
        .args(["-c", &script])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "python3 sendmsg");
    let ev = seen.syscall("sendmsg", |s| s.nr == nr("sendmsg") && to_server(s));
    let t = ev.peer_tuple().expect("sendmsg tuple");
    assert_eq!((t.protocol, t.dport), (17, port));
}

fn own_process_is_filtered_in_the_kernel(attach: Attach) {
    if !slow_test("own_process_is_filtered_in_the_kernel", ebpf_permitted()) {
        return;
    }
    let cap = Capture::start(&config(true, attach), &["openat"]).expect("start capture");
    let mut seen = Seen::new(cap);
    let dir = temp_dir("own");
    let path = dir.join("probe.txt");
    fs::write(&path, b"x").expect("write");
    let out = Command::new("/bin/cat").arg(&path).output().expect("cat");
    assert_eq!(out.stdout, b"x");
    let ev = seen.syscall("openat by cat", |s| {
        s.nr == nr("openat") && is_path(s.path, &path)
    });
    assert_ne!(ev.header.tgid, std::process::id());
    assert_eq!(ev.header.comm(), b"cat");
    let me = std::process::id();
    assert!(
        !seen.any(|e| e.header().tgid == me),
        "a record of the capturing process got through the own-tgid filter"
    );
    let _ = fs::remove_dir_all(&dir);
}

/// With `only_tree`, a process forked before the capture started is not reported; one
/// forked after is.
fn only_the_process_tree_is_reported(attach: Attach) {
    if !slow_test("only_the_process_tree_is_reported", ebpf_permitted()) {
        return;
    }
    use std::io::Write as _;
    let dir = temp_dir("tree");
    let (before, after) = (dir.join("before.txt"), dir.join("after.txt"));
    fs::write(&before, b"x").expect("write");
    fs::write(&after, b"x").expect("write");
    // Forked before the capture: waits for a line, then opens its file.
    let mut early = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("read x; cat {} >/dev/null", before.display()))
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("sh");
    let cap = Capture::start(&config(true, attach), &["openat"]).expect("start capture");
    let mut seen = Seen::new(cap);
    if let Some(mut stdin) = early.stdin.take() {
        stdin.write_all(b"go\n").expect("stdin");
    }
    assert!(early.wait().expect("wait").success());
    let out = Command::new("/bin/cat").arg(&after).output().expect("cat");
    assert_eq!(out.stdout, b"x");
    seen.syscall("openat by the late cat", |s| {
        s.nr == nr("openat") && is_path(s.path, &after)
    });
    assert!(
        !seen.any(|e| matches!(e, Event::Syscall(s) if is_path(s.path, &before))),
        "a process forked before the capture was reported"
    );
    let _ = fs::remove_dir_all(&dir);
}

fn interest_set_can_change_live(attach: Attach) {
    if !slow_test("interest_set_can_change_live", ebpf_permitted()) {
        return;
    }
    let mut cap =
        Capture::start(&config(true, attach), &["mkdir", "mkdirat"]).expect("start capture");
    assert_eq!(
        cap.selected().collect::<Vec<_>>(),
        [nr("mkdir"), nr("mkdirat")]
    );
    cap.select(&["rmdir", "unlinkat"]).expect("select");
    let mut seen = Seen::new(cap);
    let dir = temp_dir("select");
    let sub = dir.join("d");
    let ok = Command::new("mkdir").arg(&sub).status().expect("mkdir");
    assert!(ok.success());
    let ok = Command::new("rmdir").arg(&sub).status().expect("rmdir");
    assert!(ok.success());
    seen.syscall("rmdir", |s| {
        [nr("rmdir"), nr("unlinkat")].contains(&s.nr) && is_path(s.path, &sub)
    });
    // Other tests of this process run mkdir too: look for this one's.
    assert!(
        !seen.any(|e| matches!(e, Event::Syscall(s)
            if [nr("mkdir"), nr("mkdirat")].contains(&s.nr) && is_path(s.path, &sub))),
        "mkdir was deselected but still captured"
    );
    let _ = fs::remove_dir_all(&dir);
}

fn state_follows_a_real_process(attach: Attach) {
    if !slow_test("state_follows_a_real_process", ebpf_permitted()) {
        return;
    }
    use falco_rt_state::State;
    let cap =
        Capture::start(&config(true, attach), syscalls::STATE_SYSCALLS).expect("start capture");
    let mut seen = Seen::new(cap);
    let mut state = State::from_host(Path::new("/"), Some(std::process::id()));
    let dir = temp_dir("state");
    // The other attach mode's run of this test captures too: a unique name keeps them apart.
    let file = format!(
        "data-{}.txt",
        dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    fs::write(dir.join(&file), b"payload").expect("write");
    // cat opens a path relative to the cwd that sh changed to.
    let ok = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!(
            "cd {} && exec /bin/cat {file} > /dev/null",
            dir.display()
        ))
        .status()
        .expect("sh");
    assert!(ok.success());
    let want = dir.join(&file);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut applied = 0;
    loop {
        assert!(
            Instant::now() < deadline,
            "no openat of {} reached the state",
            want.display()
        );
        let records = &mut seen.records;
        seen.cap
            .poll_raw(Duration::from_millis(50), |r| records.push(r.to_vec()))
            .expect("poll");
        let mut found = None;
        for r in &seen.records[applied..] {
            let Ok(ev) = decode(r) else { continue };
            state.apply(&ev);
            if let Event::Syscall(s) = &ev
                && s.nr == nr("openat")
                && s.path == Some(file.as_bytes())
                && s.ret >= 0
            {
                found = Some((s.header.tgid, s.ret as i32));
                break;
            }
        }
        applied = seen.records.len();
        let Some((pid, fd)) = found else { continue };
        let p = state.procs.get(pid).expect("cat in the process table");
        assert_eq!(p.name, "cat");
        assert_eq!(
            p.exepath, "/usr/bin/cat",
            "exepath is canonical (/bin is a symlink here or not)"
        );
        assert_eq!(p.cwd, format!("{}/", dir.display()));
        assert_eq!(p.args, [file.as_str()]);
        assert_eq!(p.container.id(), "host");
        let f = p.fds.get(fd).expect("fd in the fd table");
        assert_eq!(f.name(), want.display().to_string());
        assert_eq!((f.typechar(), f.filename()), ('f', Some(file.as_str())));
        break;
    }
    let _ = fs::remove_dir_all(&dir);
}

fn privilege_change_and_dup(attach: Attach) {
    if !slow_test("privilege_change_and_dup", ebpf_permitted()) {
        return;
    }
    let set = [
        "setuid",
        "setgid",
        "setreuid",
        "setregid",
        "setresuid",
        "setresgid",
        "dup",
        "dup2",
        "dup3",
    ];
    let cap = Capture::start(&config(false, attach), &set).expect("start capture");
    let mut seen = Seen::new(cap);

    // dup in this process: the record carries the old fd and returns the new one.
    let file = fs::File::open("/dev/null").expect("open /dev/null");
    let copy = rustix::io::dup(&file).expect("dup");
    let (old, new) = (file.as_raw_fd(), copy.as_raw_fd());
    let ev = seen.syscall("dup", |s| {
        s.nr == nr("dup") && s.args[0] == old as u64 && s.header.tgid == std::process::id()
    });
    assert_eq!(ev.ret, i64::from(new));

    // setpriv drops to nobody: a set*uid record with uid 65534 and ret 0.
    let ok = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "/bin/true",
        ])
        .status()
        .expect("run setpriv");
    assert!(ok.success(), "setpriv failed: {ok}");
    let uid_calls = [nr("setuid"), nr("setreuid"), nr("setresuid")];
    let ev = seen.syscall("set*uid to 65534", |s| {
        uid_calls.contains(&s.nr) && s.args.iter().take(3).any(|&a| a == 65534)
    });
    assert_eq!(ev.ret, 0);
    assert_eq!(ev.header.comm(), b"setpriv");
    let gid_calls = [nr("setgid"), nr("setregid"), nr("setresgid")];
    seen.syscall("set*gid to 65534", |s| {
        gid_calls.contains(&s.nr) && s.args.iter().take(3).any(|&a| a == 65534) && s.ret == 0
    });
}

fn full_ring_counts_drops(attach: Attach) {
    if !slow_test("full_ring_counts_drops", ebpf_permitted()) {
        return;
    }
    // A 64 KiB ring holds a few hundred records; nobody reads while sh opens
    // /dev/null 3000 times.
    let cfg = CaptureConfig {
        ring_bytes: 64 * 1024,
        ..config(true, attach)
    };
    let mut cap = Capture::start(&cfg, &["openat"]).expect("start capture");
    let ok = Command::new("/bin/sh")
        .args([
            "-c",
            "i=0; while [ $i -lt 3000 ]; do : < /dev/null; i=$((i+1)); done",
        ])
        .status()
        .expect("sh");
    assert!(ok.success());
    let before = cap.counters().expect("counters");
    assert!(
        before.dropped > 0,
        "a full ring must count drops: {before:?}"
    );
    let mut received = 0u64;
    while cap
        .poll(Duration::from_millis(20), |_| received += 1)
        .expect("poll")
        > 0
    {}
    let after = cap.counters().expect("counters");
    // Everything submitted is read; other processes may add records meanwhile,
    // so the count is bracketed by the counters read before and after draining.
    assert!(
        before.submitted <= received && received <= after.submitted,
        "received {received}, before {before:?}, after {after:?}"
    );
    assert!(after.submitted + after.dropped >= 3000, "{after:?}");
    assert_eq!(cap.decode_errors(), 0);
}

/// The cgroup v2 mount: `/sys/fs/cgroup/unified` on hybrid hosts, else `/sys/fs/cgroup`.
fn cgroup_v2_root() -> Option<PathBuf> {
    ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.join("cgroup.procs").exists() && p.join("cgroup.subtree_control").exists())
}

fn container_cgroup_reaches_the_state(attach: Attach) {
    if !slow_test("container_cgroup_reaches_the_state", ebpf_permitted()) {
        return;
    }
    const ID: &str = "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e";
    let Some(v2) = cgroup_v2_root() else {
        eprintln!("skip container_cgroup_reaches_the_state: no cgroup v2 mount");
        return;
    };
    let tmp = temp_dir("cg");
    let _ = fs::remove_dir(&tmp);
    let parent = tmp.file_name().map(|n| v2.join(n)).expect("name");
    let scope = parent.join(format!("docker-{ID}.scope"));
    if let Err(e) = fs::create_dir_all(&scope) {
        eprintln!(
            "skip container_cgroup_reaches_the_state: cannot create {}: {e}",
            scope.display()
        );
        return;
    }
    let cap = Capture::start(&config(true, attach), &["openat"]).expect("start capture");
    let mut seen = Seen::new(cap);
    let mut state = falco_rt_state::State::from_host(Path::new("/"), Some(std::process::id()));
    // The shell moves itself into the container-looking cgroup, then execs.
    let script = format!(
        "echo $$ > {}/cgroup.procs && exec /bin/echo in-container-{}",
        scope.display(),
        parent.display().to_string().len()
    );
    let ok = Command::new("/bin/sh")
        .args(["-c", &script])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("sh");
    assert!(ok.success(), "moving into {} failed", scope.display());
    let tag = format!("in-container-{}\0", parent.display().to_string().len());
    let i = seen.wait_for("exec inside the container cgroup", |e| {
        matches!(e, Event::Exec(x) if x.filename == b"/bin/echo" && x.args.ends_with(tag.as_bytes()))
    });
    let Ok(ev @ Event::Exec(x)) = decode(&seen.records[i]) else {
        panic!()
    };
    let names: Vec<_> = falco_rt_record::ExecEvent::cgroup_names(x.cgroup).collect();
    assert_eq!(
        names.first().copied(),
        Some(format!("docker-{ID}.scope").as_bytes()),
        "{names:?}"
    );
    state.apply(&ev);
    let p = state.procs.get(x.header.tgid).expect("process");
    assert_eq!(p.container.id(), "3ad7b26ded6d");
    assert_eq!(p.container.runtime(), Some(falco_rt_state::Runtime::Docker));
    drop(seen);
    // A cgroup whose last task just exited can stay busy for a moment.
    for _ in 0..50 {
        if fs::remove_dir(&scope).is_ok() || !scope.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = fs::remove_dir(&parent);
}

/// Executables on overlayfs carry the driver's layer flags: an overlay mount built
/// here (as root) with one program in its lower and one in its upper layer.
#[test]
fn overlay_layers_of_executables() {
    if !slow_test("overlay_layers_of_executables", ebpf_permitted()) {
        return;
    }
    let dir = temp_dir("overlay");
    let [lower, upper, work, merged] = ["l", "u", "w", "m"].map(|d| dir.join(d));
    for d in [&lower, &upper, &work, &merged] {
        fs::create_dir_all(d).expect("overlay dirs");
    }
    fs::copy("/bin/true", lower.join("low")).expect("copy to lower");
    fs::copy("/bin/true", upper.join("up")).expect("copy to upper");
    let opts = format!(
        "lowerdir={},upperdir={},workdir={}",
        lower.display(),
        upper.display(),
        work.display()
    );
    let mounted = Command::new("mount")
        .args(["-t", "overlay", "overlay", "-o", &opts])
        .arg(&merged)
        .status()
        .is_ok_and(|s| s.success());
    assert!(mounted, "mount -t overlay (needs root)");
    let cap = Capture::start(&config(false, Attach::ExitOnly), &["execve"]).expect("start capture");
    let mut seen = Seen::new(cap);
    let mut flags_of = |program: &Path| {
        let ok = Command::new(program).status().is_ok_and(|s| s.success());
        assert!(ok, "{}", program.display());
        let i = seen.wait_for(
            &format!("exec of {}", program.display()),
            |e| matches!(e, Event::Exec(x) if is_path(Some(x.filename), program)),
        );
        match decode(&seen.records[i]) {
            Ok(Event::Exec(x)) => x.facts.exe_flags,
            other => panic!("{other:?}"),
        }
    };
    let layers = falco_rt_record::EXE_UPPER_LAYER | falco_rt_record::EXE_LOWER_LAYER;
    let low = flags_of(&merged.join("low")) & layers;
    let up = flags_of(&merged.join("up")) & layers;
    let host = flags_of(Path::new("/bin/true")) & layers;
    let _ = Command::new("umount").arg(&merged).status();
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(low, falco_rt_record::EXE_LOWER_LAYER);
    assert_eq!(up, falco_rt_record::EXE_UPPER_LAYER);
    // Outside the mount, nothing (unless the machine's own root is an overlay).
    let root_fs = Command::new("stat")
        .args(["-f", "-c", "%T", "/bin/true"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    if root_fs != "overlayfs" {
        assert_eq!(host, 0, "/bin/true is on {root_fs}");
    }
}

/// Per-syscall tracepoints: only selected syscalls arrive, a new selection
/// attaches and detaches them, a syscall without an exit tracepoint moves the
/// whole selection to the global hook (without emitting anything twice), and
/// the next selection moves it back.
#[test]
fn per_syscall_hooks_follow_the_selection() {
    if !slow_test("per_syscall_hooks_follow_the_selection", ebpf_permitted()) {
        return;
    }
    let mkdirs = [nr("mkdir"), nr("mkdirat")];
    let rmdirs = [nr("rmdir"), nr("unlinkat")];
    let cap = Capture::start(&config(true, Attach::PerSyscall), &["mkdir", "mkdirat"])
        .expect("start capture");
    assert_eq!(
        cap.attach_mode(),
        Attach::PerSyscall,
        "{:?}",
        cap.fallback()
    );
    let mut seen = Seen::new(cap);
    let dir = temp_dir("per-syscall");
    let run = |cmd: &str, path: &Path| {
        let ok = Command::new(cmd).arg(path).status().expect(cmd);
        assert!(ok.success(), "{cmd} {}", path.display());
    };
    let is = |s: &SyscallEvent<'_>, nrs: &[u32], path: &Path| {
        nrs.contains(&s.nr) && is_path(s.path, path)
    };

    let first = dir.join("first");
    run("mkdir", &first);
    run("rmdir", &first);
    seen.syscall("selected mkdir", |s| is(s, &mkdirs, &first));

    // `tuxcall` was never implemented, so no kernel has its exit tracepoint.
    seen.cap
        .select(&["mkdir", "mkdirat", "tuxcall"])
        .expect("select with tuxcall");
    assert_eq!(seen.cap.attach_mode(), Attach::ExitOnly);
    assert!(
        seen.cap
            .fallback()
            .is_some_and(|why| why.contains("tuxcall")),
        "{:?}",
        seen.cap.fallback()
    );
    let second = dir.join("second");
    run("mkdir", &second);
    seen.syscall("mkdir on the global hook", |s| is(s, &mkdirs, &second));

    seen.cap
        .select(&["rmdir", "unlinkat"])
        .expect("select rmdir");
    assert_eq!(seen.cap.attach_mode(), Attach::PerSyscall);
    assert_eq!(seen.cap.fallback(), None);
    let third = dir.join("third");
    run("mkdir", &third);
    run("rmdir", &third);
    seen.syscall("rmdir after reselection", |s| is(s, &rmdirs, &third));

    let count = |seen: &Seen, nrs: &[u32], path: &Path| {
        seen.records
            .iter()
            .filter(|r| matches!(decode(r), Ok(Event::Syscall(s)) if is(&s, nrs, path)))
            .count()
    };
    assert_eq!(
        count(&seen, &rmdirs, &first),
        0,
        "unselected rmdir captured"
    );
    assert_eq!(
        count(&seen, &mkdirs, &second),
        1,
        "mkdir lost or duplicated"
    );
    assert_eq!(
        count(&seen, &mkdirs, &third),
        0,
        "deselected mkdir captured"
    );
    let _ = fs::remove_dir_all(&dir);
}

/// A static program assembled and linked with binutils: `bits` 32 (an ia32 binary) or
/// 64 (a 64-bit binary that makes 32-bit syscalls with `int 0x80`). It opens the path
/// it is given (32) or a fixed path in its data (64, whose stack is above 4 GiB) with
/// `O_WRONLY|O_CREAT`, mode 0644, through the ia32 `open` (5), then exits (ia32 `exit`).
fn assemble_int80(dir: &Path, bits: u32, path64: &Path) -> Option<PathBuf> {
    let (as_flag, ld_flag, path_arg) = match bits {
        32 => ("--32", "elf_i386", "movl 8(%esp), %ebx\n".to_owned()),
        _ => ("--64", "elf_x86_64", "movl $path, %ebx\n".to_owned()),
    };
    let src = format!(
        ".data\npath: .asciz \"{}\"\n.text\n.globl _start\n_start:\n\
         movl $5, %eax\n{path_arg}movl $0101, %ecx\nmovl $0644, %edx\nint $0x80\n\
         movl $1, %eax\nxorl %ebx, %ebx\nint $0x80\n",
        path64.display()
    );
    let (s, o, exe) = (
        dir.join(format!("t{bits}.s")),
        dir.join(format!("t{bits}.o")),
        dir.join(format!("t{bits}")),
    );
    fs::write(&s, src).ok()?;
    let ok = |c: &mut Command| c.status().is_ok_and(|st| st.success());
    (ok(Command::new("as").arg(as_flag).arg(&s).arg("-o").arg(&o))
        && ok(Command::new("ld")
            .args(["-m", ld_flag])
            .arg(&o)
            .arg("-o")
            .arg(&exe)))
    .then_some(exe)
}

/// 32-bit syscalls (an ia32 binary, and `int 0x80` in a 64-bit one) arrive under their
/// x86_64 twin's number with the ia32 registers as arguments, in every layout.
fn ia32_syscalls_are_captured(attach: Attach) {
    if !slow_test("ia32_syscalls_are_captured", ebpf_permitted()) {
        return;
    }
    let dir = temp_dir("ia32");
    let from_data = dir.join("made-by-int80-in-64-bit-code");
    let (Some(t32), Some(t64)) = (
        assemble_int80(&dir, 32, &from_data),
        assemble_int80(&dir, 64, &from_data),
    ) else {
        let why = "binutils (as, ld) are not installed".to_owned();
        falco_test_budget::available("ia32_syscalls_are_captured", Err(why));
        return;
    };
    let cap = Capture::start(&config(false, attach), INTEREST).expect("start capture");
    assert_eq!(cap.compat(), Ok(()), "this kernel runs ia32 code");
    let mut seen = Seen::new(cap);
    let from_argv = dir.join("made-by-ia32-binary");
    for (exe, arg, path) in [
        (&t32, Some(&from_argv), &from_argv),
        (&t64, None, &from_data),
    ] {
        let mut cmd = Command::new(exe);
        if let Some(a) = arg {
            cmd.arg(a);
        }
        assert!(cmd.status().expect("run").success(), "{}", exe.display());
        assert!(path.exists(), "{} ran", exe.display());
        let ev = seen.syscall("ia32 open", |s| s.nr == nr("open") && is_path(s.path, path));
        assert!(ev.ia32, "flagged as a 32-bit syscall");
        assert_eq!(ev.args[1], O_WRONLY | O_CREAT, "flags from ecx");
        assert_eq!(ev.args[2], 0o644, "mode from edx");
        assert!(ev.ret >= 0, "the open succeeded: {}", ev.ret);
    }
    let _ = fs::remove_dir_all(&dir);
}

/// Every scenario runs with each way of hooking syscalls.
mod modes {
    use super::*;

    #[test]
    fn only_the_process_tree_is_reported_per_syscall() {
        only_the_process_tree_is_reported(Attach::PerSyscall);
    }

    #[test]
    fn only_the_process_tree_is_reported_exit_only() {
        only_the_process_tree_is_reported(Attach::ExitOnly);
    }

    #[test]
    fn ia32_syscalls_are_captured_per_syscall() {
        ia32_syscalls_are_captured(Attach::PerSyscall);
    }

    #[test]
    fn ia32_syscalls_are_captured_exit_only() {
        ia32_syscalls_are_captured(Attach::ExitOnly);
    }

    #[test]
    fn ia32_syscalls_are_captured_enter_exit() {
        ia32_syscalls_are_captured(Attach::EnterExit);
    }

    #[test]
    fn files_exec_and_namespaces_arrive_decoded_enter_exit() {
        files_exec_and_namespaces_arrive_decoded(Attach::EnterExit);
    }

    #[test]
    fn files_exec_and_namespaces_arrive_decoded_exit_only() {
        files_exec_and_namespaces_arrive_decoded(Attach::ExitOnly);
    }

    #[test]
    fn tcp_connect_and_accept_carry_addresses_enter_exit() {
        tcp_connect_and_accept_carry_addresses(Attach::EnterExit);
    }

    #[test]
    fn tcp_connect_and_accept_carry_addresses_exit_only() {
        tcp_connect_and_accept_carry_addresses(Attach::ExitOnly);
    }

    #[test]
    fn udp_datagrams_carry_their_peer_enter_exit() {
        udp_datagrams_carry_their_peer(Attach::EnterExit);
    }

    #[test]
    fn udp_datagrams_carry_their_peer_exit_only() {
        udp_datagrams_carry_their_peer(Attach::ExitOnly);
    }

    #[test]
    fn udp_datagrams_carry_their_peer_per_syscall() {
        udp_datagrams_carry_their_peer(Attach::PerSyscall);
    }

    #[test]
    fn own_process_is_filtered_in_the_kernel_enter_exit() {
        own_process_is_filtered_in_the_kernel(Attach::EnterExit);
    }

    #[test]
    fn own_process_is_filtered_in_the_kernel_exit_only() {
        own_process_is_filtered_in_the_kernel(Attach::ExitOnly);
    }

    #[test]
    fn interest_set_can_change_live_enter_exit() {
        interest_set_can_change_live(Attach::EnterExit);
    }

    #[test]
    fn interest_set_can_change_live_exit_only() {
        interest_set_can_change_live(Attach::ExitOnly);
    }

    #[test]
    fn state_follows_a_real_process_enter_exit() {
        state_follows_a_real_process(Attach::EnterExit);
    }

    #[test]
    fn state_follows_a_real_process_exit_only() {
        state_follows_a_real_process(Attach::ExitOnly);
    }

    #[test]
    fn privilege_change_and_dup_enter_exit() {
        privilege_change_and_dup(Attach::EnterExit);
    }

    #[test]
    fn privilege_change_and_dup_exit_only() {
        privilege_change_and_dup(Attach::ExitOnly);
    }

    #[test]
    fn full_ring_counts_drops_enter_exit() {
        full_ring_counts_drops(Attach::EnterExit);
    }

    #[test]
    fn full_ring_counts_drops_exit_only() {
        full_ring_counts_drops(Attach::ExitOnly);
    }

    #[test]
    fn container_cgroup_reaches_the_state_enter_exit() {
        container_cgroup_reaches_the_state(Attach::EnterExit);
    }

    #[test]
    fn container_cgroup_reaches_the_state_exit_only() {
        container_cgroup_reaches_the_state(Attach::ExitOnly);
    }

    #[test]
    fn files_exec_and_namespaces_arrive_decoded_per_syscall() {
        files_exec_and_namespaces_arrive_decoded(Attach::PerSyscall);
    }

    #[test]
    fn tcp_connect_and_accept_carry_addresses_per_syscall() {
        tcp_connect_and_accept_carry_addresses(Attach::PerSyscall);
    }

    #[test]
    fn own_process_is_filtered_in_the_kernel_per_syscall() {
        own_process_is_filtered_in_the_kernel(Attach::PerSyscall);
    }

    #[test]
    fn interest_set_can_change_live_per_syscall() {
        interest_set_can_change_live(Attach::PerSyscall);
    }

    #[test]
    fn state_follows_a_real_process_per_syscall() {
        state_follows_a_real_process(Attach::PerSyscall);
    }

    #[test]
    fn privilege_change_and_dup_per_syscall() {
        privilege_change_and_dup(Attach::PerSyscall);
    }

    #[test]
    fn full_ring_counts_drops_per_syscall() {
        full_ring_counts_drops(Attach::PerSyscall);
    }

    #[test]
    fn container_cgroup_reaches_the_state_per_syscall() {
        container_cgroup_reaches_the_state(Attach::PerSyscall);
    }
}
