use std::fs;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use falco_rt_record::syscalls::nr;
use falco_rt_record::{
    Event, ExecEvent, ExecFacts, ExitEvent, ForkEvent, Header, SyscallEvent, Tuple,
};

use crate::process::resolve_path;
use crate::procfs::{parse_stat, parse_status, read_process};
use crate::*;

const ID: &str = "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e";

#[test]
fn container_ids_from_cgroup_layouts() {
    let cases: &[(String, &str, Option<Runtime>)] = &[
        (
            format!("12:pids:/docker/{ID}"),
            "3ad7b26ded6d",
            Some(Runtime::Docker),
        ),
        (
            format!("0::/system.slice/docker-{ID}.scope"),
            "3ad7b26ded6d",
            Some(Runtime::Docker),
        ),
        (
            format!(
                "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/cri-containerd-{ID}.scope"
            ),
            "3ad7b26ded6d",
            Some(Runtime::Containerd),
        ),
        (
            format!("11:memory:/kubepods/besteffort/pod0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/{ID}"),
            "3ad7b26ded6d",
            Some(Runtime::Containerd),
        ),
        (
            format!(
                "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podabc.slice/crio-{ID}.scope"
            ),
            "3ad7b26ded6d",
            Some(Runtime::CriO),
        ),
        (
            format!("0::/machine.slice/libpod-{ID}.scope/container"),
            "3ad7b26ded6d",
            Some(Runtime::Podman),
        ),
        (
            format!("1:name=systemd:/libpod_parent/libpod-{ID}"),
            "3ad7b26ded6d",
            Some(Runtime::Podman),
        ),
        (
            format!("0::/machine.slice/libpod-conmon-{ID}.scope"),
            "host",
            None,
        ),
        (
            format!("0::/system.slice/crio-conmon-{ID}.scope"),
            "host",
            None,
        ),
        (
            "0::/user.slice/user-1000.slice/session-3.scope".into(),
            "host",
            None,
        ),
        ("0::/init.scope".into(), "host", None),
        ("0::/".into(), "host", None),
        // Not 64 hex digits.
        (
            "0::/system.slice/docker-3ad7b26ded6d.scope".into(),
            "host",
            None,
        ),
        (
            format!("0::/system.slice/docker-{}.scope", ID.to_uppercase()),
            "host",
            None,
        ),
    ];
    for (line, id, runtime) in cases {
        let c = Container::from_cgroup_file(line);
        assert_eq!((c.id(), c.runtime()), (*id, *runtime), "{line}");
    }
    // The first line that names a container wins over host lines.
    let file = format!("0::/\n12:pids:/docker/{ID}\n");
    assert_eq!(Container::from_cgroup_file(&file).id(), "3ad7b26ded6d");
    assert_eq!(
        Container::from_cgroup_file("garbage without colons").id(),
        "host"
    );
}

#[test]
fn container_from_kernel_cgroup_names() {
    let v2 = format!(
        "cri-containerd-{ID}.scope\0kubepods-besteffort-podx.slice\0kubepods-besteffort.slice\0kubepods.slice\0"
    );
    let c = Container::from_kernel_names(v2.as_bytes(), b"");
    assert_eq!(
        (c.id(), c.runtime()),
        ("3ad7b26ded6d", Some(Runtime::Containerd))
    );
    // v2 at the root (hybrid hosts), the v1 memory controller names the container.
    let v1 = format!("{ID}\0pod0f1e\0besteffort\0kubepods\0");
    let c = Container::from_kernel_names(b"", v1.as_bytes());
    assert_eq!(
        (c.id(), c.runtime()),
        ("3ad7b26ded6d", Some(Runtime::Containerd))
    );
    let c = Container::from_kernel_names(format!("{ID}\0docker\0").as_bytes(), b"");
    assert_eq!(c.runtime(), Some(Runtime::Docker));
    assert_eq!(
        Container::from_kernel_names(b"session-3.scope\0user-1000.slice\0user.slice\0", b"").id(),
        "host"
    );
    assert_eq!(Container::from_kernel_names(b"", b"").id(), "host");
}

#[test]
fn exec_takes_the_container_from_the_kernel_and_remembers_its_cgroup() {
    let mut st = State::detached(UserDb::default());
    let cg = format!("docker-{ID}.scope\0system.slice\0");
    let mut h = hdr(20, "sh");
    h.cgroup_id = 4242;
    st.apply(&Event::Exec(ExecEvent {
        header: h,
        ppid: 1,
        loginuid: u32::MAX,
        sessionid: 0,
        sid: 20,
        vpid: 1,
        tty: 34816,
        filename: b"/bin/sh",
        args: b"sh\0",
        cgroup: cg.as_bytes(),
        cgroup_v1: b"",
        facts: ExecFacts {
            euid: 1000,
            egid: 1000,
            ..ExecFacts::default()
        },
        env: b"",
    }));
    assert_eq!(
        st.procs.get(20).map(|p| p.container.id()),
        Some("3ad7b26ded6d")
    );
    // A process first met through a syscall, in the same cgroup, is in the same container.
    let mut h2 = hdr(21, "cat");
    h2.cgroup_id = 4242;
    st.apply(&Event::Syscall(SyscallEvent {
        header: h2,
        nr: nr::CLOSE,
        ret: 0,
        args: [3, 0, 0, 0, 0, 0],
        normalized: false,
        ia32: false,
        path: None,
        path2: None,
        sockaddr: None,
        tuple: None,
    }));
    assert_eq!(
        st.procs.get(21).map(|p| p.container.id()),
        Some("3ad7b26ded6d")
    );
}

#[test]
fn users_and_groups_parse_and_fall_back_to_numbers() {
    let db = UserDb::parse(
        "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken line\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/zsh\ndup:x:1000:1:::\n",
        "root:x:0:\nwheel:x:10:alice\nbad:x:notanumber:\n",
    );
    let alice = db.user(1000).expect("alice");
    assert_eq!(
        (
            alice.name.as_str(),
            alice.home.as_str(),
            alice.shell.as_str()
        ),
        ("alice", "/home/alice", "/bin/zsh")
    );
    assert_eq!(db.user_name(0), "root");
    assert_eq!(db.user_name(4242), "4242");
    assert_eq!(db.group_name(10), "wheel");
    assert_eq!(db.group_name(11), "11");
}

#[test]
fn stat_and_status_parsing() {
    let stat = "4242 (we (ird) name) S 1 4242 4200 34817 4242 4194560 0 0 0 0";
    assert_eq!(
        parse_stat(stat),
        Some(procfs::Stat {
            ppid: 1,
            sid: 4200,
            tty: 34817,
            pgid: 4242,
            start_ticks: 0,
        })
    );
    assert_eq!(parse_stat("garbage"), None);
    assert_eq!(parse_stat("1 (x) S"), None);
    let st = parse_status(
        "Name:\tbash\nUid:\t1000\t0\t0\t0\nGid:\t100\t5\t5\t5\nNSpid:\t4242\t7\nNSpgid:\t4240\t6\nCapPrm:\t000001ffffffffff\nCapEff:\t0000000000200000\n",
    );
    // Effective ids, as libsinsp's user and group.
    assert_eq!(
        (st.uid, st.gid, st.vpid, st.vpgid),
        (0, 5, Some(7), Some(6))
    );
    assert_eq!(st.caps, [0, 0x1ff_ffff_ffff, 1 << 21]);
    let full = "1 (x) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 4242 0";
    assert_eq!(parse_stat(full).map(|s| s.start_ticks), Some(4242));
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("falco-rt-state-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).expect("temp dir");
        Self(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn reads_a_proc_like_tree() {
    let t = TempDir::new("proc");
    let root = &t.0;
    let p = root.join("proc/4242");
    fs::create_dir_all(p.join("fd")).expect("mkdir");
    fs::write(p.join("stat"), "4242 (nginx) S 1 4242 4242 0 -1 4194560").expect("write");
    fs::write(
        p.join("status"),
        "Name:\tnginx\nUid:\t33\t33\t33\t33\nGid:\t33\t33\t33\t33\nNSpid:\t4242\t1\n",
    )
    .expect("write");
    fs::write(p.join("comm"), "nginx\n").expect("write");
    fs::write(p.join("cmdline"), b"nginx: master\0-g\0daemon off;\0").expect("write");
    fs::write(p.join("loginuid"), "4294967295").expect("write");
    fs::write(
        p.join("cgroup"),
        format!("0::/system.slice/docker-{ID}.scope\n"),
    )
    .expect("write");
    fs::create_dir_all(root.join("srv")).expect("mkdir");
    fs::write(root.join("srv/index.html"), "hi").expect("write");
    std::os::unix::fs::symlink("/usr/sbin/nginx", p.join("exe")).expect("symlink");
    std::os::unix::fs::symlink(root.join("srv"), p.join("cwd")).expect("symlink");
    std::os::unix::fs::symlink(root.join("srv/index.html"), p.join("fd/3")).expect("symlink");
    std::os::unix::fs::symlink(root.join("srv"), p.join("fd/4")).expect("symlink");
    std::os::unix::fs::symlink("socket:[12345]", p.join("fd/5")).expect("symlink");
    std::os::unix::fs::symlink("socket:[777]", p.join("fd/8")).expect("symlink");
    std::os::unix::fs::symlink("socket:[888]", p.join("fd/9")).expect("symlink");
    fs::create_dir_all(p.join("net")).expect("mkdir");
    fs::write(
        p.join("net/tcp"),
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
         0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1\n   \
         1: 0100007F:9C40 0A00000A:01BB 01 00000000:00000000 00:00000000 00000000     0        0 777 1\n",
    )
    .expect("write");
    fs::write(
        p.join("net/unix"),
        "Num       RefCount Protocol Flags    Type St Inode Path\n\
         0000000000000000: 00000002 00000000 00010000 0001 01 888 /run/app.sock\n",
    )
    .expect("write");
    std::os::unix::fs::symlink("pipe:[999]", p.join("fd/6")).expect("symlink");
    std::os::unix::fs::symlink("anon_inode:[eventpoll]", p.join("fd/7")).expect("symlink");
    fs::create_dir_all(root.join("proc/self")).expect("mkdir");
    fs::create_dir_all(root.join("proc/77")).expect("mkdir"); // no stat: skipped

    let proc = read_process(&root.join("proc"), 4242).expect("process");
    assert_eq!(proc.name, "nginx");
    assert_eq!(proc.exe, "nginx: master");
    assert_eq!(proc.args, ["-g", "daemon off;"]);
    assert_eq!(proc.cmdline(), "nginx -g daemon off;");
    assert_eq!(proc.exepath, "/usr/sbin/nginx");
    assert_eq!(proc.cwd, format!("{}/srv/", root.display()));
    assert_eq!(
        (proc.ppid, proc.sid, proc.vpid, proc.uid, proc.loginuid),
        (1, 4242, 1, 33, u32::MAX)
    );
    assert_eq!(proc.container.id(), "3ad7b26ded6d");
    let f3 = proc.fds.get(3).expect("fd 3");
    assert_eq!(
        (f3.typechar(), f3.filename(), f3.directory()),
        (
            'f',
            Some("index.html"),
            Some(&*format!("{}/srv", root.display()))
        )
    );
    assert_eq!(proc.fds.get(4).map(Fd::typechar), Some('d'));
    let listen = proc.fds.get(5).expect("fd 5");
    assert_eq!((listen.typechar(), listen.l4proto()), ('4', Some("tcp")));
    assert_eq!(
        listen.server(),
        Some((IpAddr::V4(Ipv4Addr::UNSPECIFIED), 80))
    );
    let conn = proc.fds.get(8).expect("fd 8");
    assert_eq!(conn.name(), "127.0.0.1:40000->10.0.0.10:443");
    let unix = proc.fds.get(9).expect("fd 9");
    assert_eq!(
        (unix.typechar(), unix.name().as_ref()),
        ('u', "/run/app.sock")
    );
    assert_eq!(proc.fds.get(6).map(Fd::typechar), Some('p'));
    assert_eq!(proc.fds.get(7).map(Fd::typechar), Some('l'));

    let table = procfs::seed(&root.join("proc"), None);
    assert_eq!(table.len(), 1);
    let users = root.join("etc");
    fs::create_dir_all(&users).expect("mkdir");
    fs::write(
        users.join("passwd"),
        "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n",
    )
    .expect("write");
    let state = State::from_host(root, Some(4242));
    assert!(state.procs.is_empty(), "the skipped pid must not be seeded");
    assert_eq!(state.users.user_name(33), "www-data");
}

#[test]
fn seeds_from_the_real_proc() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let fd = std::os::fd::AsRawFd::as_raw_fd(&listener);
    let state = State::from_host(std::path::Path::new("/"), None);
    let sock = state
        .procs
        .get(std::process::id())
        .and_then(|p| p.fds.get(fd))
        .cloned()
        .expect("listener fd");
    assert_eq!(sock.server(), Some((IpAddr::V4(Ipv4Addr::LOCALHOST), port)));
    assert_eq!(sock.l4proto(), Some("tcp"));
    let me = state
        .procs
        .get(std::process::id())
        .expect("this test process");
    assert!(!me.name.is_empty());
    assert!(me.exepath.starts_with('/'), "{}", me.exepath);
    assert!(me.cwd.ends_with('/'));
    let init = state.procs.get(1).expect("pid 1");
    assert!(!state.procs.ancestors(std::process::id()).is_empty());
    // This process shares pid 1's namespace, whose init pid 1 is.
    assert!(init.start_boot_ns.is_some());
    assert_eq!(init.pidns_init_start_boot_ns, init.start_boot_ns);
    assert_eq!(me.pidns_init_start_boot_ns, init.start_boot_ns);
    // A listening TCP socket is not connected in libsinsp's table.
    assert!(!sock.connected);
    // The executable's facts, as an exec record would carry them.
    let exe = me.exe_file.expect("exe facts of this test process");
    let meta = fs::metadata(std::env::current_exe().expect("current exe")).expect("stat");
    use std::os::unix::fs::MetadataExt as _;
    assert_eq!(exe.ino, meta.ino());
    assert_eq!(exe.mtime_ns / 1_000_000_000, meta.mtime() as u64);
}

#[test]
fn exe_facts_of_seeded_processes_follow_the_kernel_programs_write_test() {
    use crate::procfs::{Status, exe_file};
    use falco_rt_record::{EXE_FROM_MEMFD, EXE_WRITABLE};
    use std::os::unix::fs::PermissionsExt as _;
    let dir = std::env::temp_dir().join(format!("falco-rt-exe-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("prog");
    fs::write(&file, b"#!/bin/sh\n").expect("write");
    let owner = {
        use std::os::unix::fs::MetadataExt as _;
        fs::metadata(&file).expect("stat").uid()
    };
    let other = Status {
        fsuid: owner.wrapping_add(4242),
        fsgid: 4242,
        ..Status::default()
    };
    let flags = |mode: u32, st: &Status, groups: &[u32], path: &str| {
        fs::set_permissions(&file, fs::Permissions::from_mode(mode)).expect("chmod");
        exe_file(&fs::metadata(&file).expect("stat"), path, st, groups).flags
    };
    let gid = {
        use std::os::unix::fs::MetadataExt as _;
        fs::metadata(&file).expect("stat").gid()
    };
    let p = "/usr/bin/prog";
    assert_eq!(flags(0o755, &other, &[], p), 0);
    assert_eq!(flags(0o757, &other, &[], p), EXE_WRITABLE);
    // The group's write bit, for a member of the file's group (and only for one).
    assert_eq!(flags(0o775, &other, &[gid], p), EXE_WRITABLE);
    assert_eq!(flags(0o775, &other, &[], p), 0);
    assert_eq!(flags(0o757, &other, &[gid], p), 0);
    // The owner may always make it writable; so may CAP_DAC_OVERRIDE.
    let owner_st = Status {
        fsuid: owner,
        ..other
    };
    assert_eq!(flags(0o555, &owner_st, &[], p), EXE_WRITABLE);
    let dac = Status {
        caps: [0, 0, 1 << 1],
        ..other
    };
    assert_eq!(flags(0o555, &dac, &[], p), EXE_WRITABLE);
    assert_eq!(
        flags(0o755, &other, &[], "/memfd:x (deleted)"),
        EXE_FROM_MEMFD
    );
    let _ = fs::remove_dir_all(&dir);
}

fn hdr(tgid: u32, comm: &str) -> Header {
    let mut c = [0u8; 16];
    c[..comm.len()].copy_from_slice(comm.as_bytes());
    Header {
        ts_boot_ns: 1,
        tgid,
        tid: tgid,
        uid: 1000,
        gid: 1000,
        cgroup_id: 0,
        comm: c,
    }
}

fn sc<'a>(tgid: u32, nr: u32, ret: i64, args: [u64; 6], path: Option<&'a [u8]>) -> Event<'a> {
    Event::Syscall(SyscallEvent {
        header: hdr(tgid, "app"),
        nr,
        ret,
        args,
        normalized: false,
        ia32: false,
        path,
        path2: None,
        sockaddr: None,
        tuple: None,
    })
}

const AT_FDCWD: u64 = -100i64 as u64;

#[test]
fn events_drive_processes_and_fds() {
    let mut st = State::detached(UserDb::default());
    st.procs.insert(Process {
        pid: 1,
        name: "init".into(),
        cwd: "/".into(),
        ..Process::default()
    });
    st.procs.insert(Process {
        pid: 10,
        ppid: 1,
        name: "bash".into(),
        cwd: "/home/alice/".into(),
        ..Process::default()
    });

    // bash forks 11, which execs ./tool (relative to its cwd).
    st.apply(&Event::Fork(ForkEvent {
        header: hdr(10, "bash"),
        child_tgid: 11,
        child_tid: 11,
    }));
    assert_eq!(
        st.procs.get(11).map(|p| (p.name.as_str(), p.ppid)),
        Some(("bash", 10))
    );
    st.apply(&sc(
        11,
        nr::OPENAT,
        3,
        [AT_FDCWD, 0, 0o2000000, 0, 0, 0],
        Some(b"notes.txt"),
    )); // O_CLOEXEC
    st.apply(&sc(
        11,
        nr::OPENAT,
        4,
        [AT_FDCWD, 0, 0o200000, 0, 0, 0],
        Some(b"/etc"),
    )); // O_DIRECTORY
    st.apply(&Event::Exec(ExecEvent {
        header: hdr(11, "tool"),
        ppid: 10,
        loginuid: 1000,
        sessionid: 1,
        sid: 10,
        vpid: 11,
        tty: 34817,
        filename: b"./bin/../tool",
        args: b"./tool\0--flag\0x y\0",
        cgroup: b"",
        cgroup_v1: b"",
        facts: ExecFacts {
            euid: 1000,
            egid: 1000,
            ..ExecFacts::default()
        },
        env: b"",
    }));
    let p = st.procs.get(11).expect("11");
    assert_eq!(
        (p.name.as_str(), p.exe.as_str(), p.exepath.as_str()),
        ("tool", "./tool", "/home/alice/tool")
    );
    assert_eq!(p.args_line(), "--flag x y");
    assert_eq!((p.sid, p.vpid, p.tty, p.loginuid), (10, 11, 34817, 1000));
    assert_eq!(p.cmdline(), "tool --flag x y");
    assert!(p.fds.get(3).is_none(), "O_CLOEXEC fd survives exec");
    assert_eq!(p.fds.get(4).map(Fd::typechar), Some('d'));
    assert_eq!(st.procs.pname(11), Some("bash"));
    assert_eq!(st.procs.aname(11, 2), Some("init"));
    assert_eq!(st.procs.aname(11, 3), None);
    assert_eq!(st.procs.aname(11, 0), Some("tool"));

    // openat relative to a directory fd, chdir, open relative to the new cwd.
    st.apply(&sc(11, nr::OPENAT, 5, [4, 0, 0, 0, 0, 0], Some(b"shadow")));
    assert_eq!(
        st.procs
            .get(11)
            .and_then(|p| p.fds.get(5))
            .map(Fd::name)
            .as_deref(),
        Some("/etc/shadow")
    );
    st.apply(&sc(11, nr::CHDIR, 0, [0; 6], Some(b"../../tmp/./x")));
    assert_eq!(st.procs.get(11).map(|p| p.cwd.as_str()), Some("/tmp/x/"));
    st.apply(&sc(
        11,
        nr::OPEN,
        6,
        [0, 0o1101, 0o644, 0, 0, 0],
        Some(b"out.log"),
    ));
    let f = st
        .procs
        .get(11)
        .and_then(|p| p.fds.get(6))
        .cloned()
        .expect("fd 6");
    assert_eq!(
        (f.name().as_ref(), f.directory(), f.filename()),
        ("/tmp/x/out.log", Some("/tmp/x"), Some("out.log"))
    );
    // fd.nameraw is the path as passed: a traversal stays visible, repeated `/` collapse.
    assert_eq!(f.nameraw(), "out.log");
    st.apply(&sc(
        11,
        nr::OPENAT,
        7,
        [AT_FDCWD, 0, 0, 0, 0, 0],
        Some(b"..//..//etc/../etc/shadow"),
    ));
    let fd = |st: &State, n: i32| st.procs.get(11).and_then(|p| p.fds.get(n)).cloned();
    let traversal = fd(&st, 7).expect("fd 7");
    assert_eq!(traversal.name(), "/etc/shadow");
    assert_eq!(traversal.nameraw(), "../../etc/../etc/shadow");
    st.apply(&sc(
        11,
        nr::OPENAT,
        8,
        [AT_FDCWD, 0, 0, 0, 0, 0],
        Some(b"/etc/passwd"),
    ));
    let plain = fd(&st, 8).expect("fd 8");
    assert_eq!(plain.raw, RawName::Path, "kept once");
    assert_eq!(plain.nameraw(), "/etc/passwd");
    st.apply(&sc(11, nr::CLOSE, 0, [7, 0, 0, 0, 0, 0], None));
    st.apply(&sc(11, nr::CLOSE, 0, [8, 0, 0, 0, 0, 0], None));
    // Failed opens do not create fds.
    st.apply(&sc(
        11,
        nr::OPENAT,
        -2,
        [AT_FDCWD, 0, 0, 0, 0, 0],
        Some(b"/missing"),
    ));
    assert_eq!(st.procs.get(11).map(|p| p.fds.len()), Some(3));

    // dup2 copies, close removes.
    st.apply(&sc(11, nr::DUP2, 1, [6, 1, 0, 0, 0, 0], None));
    assert_eq!(
        st.procs
            .get(11)
            .and_then(|p| p.fds.get(1))
            .map(Fd::name)
            .as_deref(),
        Some("/tmp/x/out.log")
    );
    st.apply(&sc(11, nr::CLOSE, 0, [6, 0, 0, 0, 0, 0], None));
    assert!(st.procs.get(11).and_then(|p| p.fds.get(6)).is_none());
    assert!(st.procs.get(11).and_then(|p| p.fds.get(1)).is_some());

    // A TCP client: socket, then connect with the kernel tuple.
    st.apply(&sc(11, nr::SOCKET, 7, [2, 1, 0, 0, 0, 0], None));
    let tuple = Tuple {
        family: 2,
        sock_type: 1,
        protocol: 6,
        sport: 40000,
        dport: 443,
        saddr: [192, 168, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        daddr: [10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    };
    let Event::Syscall(mut connect) = sc(11, nr::CONNECT, 0, [7, 0, 16, 0, 0, 0], None) else {
        unreachable!()
    };
    connect.tuple = Some(tuple);
    st.apply(&Event::Syscall(connect));
    let f = st
        .procs
        .get(11)
        .and_then(|p| p.fds.get(7))
        .cloned()
        .expect("fd 7");
    assert_eq!(f.name(), "192.168.1.2:40000->10.0.0.1:443");
    assert_eq!((f.typechar(), f.l4proto()), ('4', Some("tcp")));
    assert_eq!(
        f.server(),
        Some((IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 443))
    );
    assert_eq!(f.client().map(|c| c.1), Some(40000));

    // A server: accept creates the fd; the client is the remote end.
    let Event::Syscall(mut accept) = sc(11, nr::ACCEPT4, 8, [3, 0, 0, 0o2000000, 0, 0], None)
    else {
        unreachable!()
    };
    accept.tuple = Some(Tuple {
        sport: 443,
        dport: 50000,
        saddr: tuple.daddr,
        daddr: tuple.saddr,
        ..tuple
    });
    st.apply(&Event::Syscall(accept));
    let f = st
        .procs
        .get(11)
        .and_then(|p| p.fds.get(8))
        .cloned()
        .expect("fd 8");
    assert_eq!(f.name(), "192.168.1.2:50000->10.0.0.1:443");
    assert_eq!(f.server().map(|s| s.1), Some(443));
    assert!(f.cloexec);

    // A unix connect names the socket by path.
    st.apply(&sc(11, nr::SOCKET, 9, [1, 1, 0, 0, 0, 0], None));
    let mut un = 1u16.to_le_bytes().to_vec();
    un.extend_from_slice(b"/run/docker.sock\0");
    let Event::Syscall(mut uc) = sc(11, nr::CONNECT, 0, [9, 0, 0, 0, 0, 0], None) else {
        unreachable!()
    };
    uc.sockaddr = Some(&un);
    st.apply(&Event::Syscall(uc));
    let f = st
        .procs
        .get(11)
        .and_then(|p| p.fds.get(9))
        .cloned()
        .expect("fd 9");
    assert_eq!((f.typechar(), f.name().as_ref()), ('u', "/run/docker.sock"));

    // Exit forgets the process; an unknown process appears on its first event.
    st.apply(&Event::Exit(ExitEvent {
        header: hdr(11, "tool"),
        exit_code: 0,
    }));
    assert!(st.procs.get(11).is_none());
    st.apply(&sc(99, nr::CLOSE, 0, [3, 0, 0, 0, 0, 0], None));
    assert_eq!(st.procs.get(99).map(|p| p.name.as_str()), Some("app"));
}

#[test]
fn ancestor_walk_stops_on_cycles() {
    let mut t = ProcTable::default();
    t.insert(Process {
        pid: 2,
        ppid: 3,
        name: "a".into(),
        ..Process::default()
    });
    t.insert(Process {
        pid: 3,
        ppid: 2,
        name: "b".into(),
        ..Process::default()
    });
    assert_eq!(
        t.ancestors(2).iter().map(|p| p.pid).collect::<Vec<_>>(),
        [3]
    );
    assert_eq!(t.aname(2, 5), None);
}

#[test]
fn path_resolution_is_lexical() {
    assert_eq!(resolve_path("/a/b/", "../c"), "/a/c");
    assert_eq!(resolve_path("/a", "/x/./y//z/.."), "/x/y");
    assert_eq!(resolve_path("/", "../../.."), "/");
    assert_eq!(resolve_path("", "rel"), "/rel");
}

/// `resolve_path` as first written: split, fold `.` and `..`, join.
fn resolve_path_reference(base: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{base}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

proptest::proptest! {
    #[test]
    fn resolve_path_matches_the_reference(base in "[/a.]{0,8}", path in "[/ab.]{0,12}") {
        proptest::prop_assert_eq!(resolve_path(&base, &path), resolve_path_reference(&base, &path));
    }
}

#[test]
fn a_new_user_namespace_gives_every_capability_as_libsinsp_does() {
    let mut st = State::detached(UserDb::default());
    st.procs.insert(Process {
        pid: 20,
        caps: Some([0, 1, 1]),
        ..Process::default()
    });
    let caps = |st: &State| st.procs.get(20).and_then(|p| p.caps);
    // Another namespace, or a failed call, changes nothing.
    st.apply(&sc(20, nr::UNSHARE, 0, [0x2000_0000, 0, 0, 0, 0, 0], None));
    st.apply(&sc(20, nr::UNSHARE, -1, [0x1000_0000, 0, 0, 0, 0, 0], None));
    st.apply(&sc(20, nr::SETNS, 0, [3, 0, 0, 0, 0, 0], None));
    assert_eq!(caps(&st), Some([0, 1, 1]));
    st.apply(&sc(20, nr::UNSHARE, 0, [0x1000_0000, 0, 0, 0, 0, 0], None));
    let all = (1 << 41) - 1;
    assert_eq!(caps(&st), Some([all, all, all]));
    st.procs.get_mut(20).expect("process").caps = Some([0, 1, 1]);
    st.apply(&sc(20, nr::SETNS, 0, [3, 0x1000_0000, 0, 0, 0, 0], None));
    assert_eq!(caps(&st), Some([all, all, all]));
}

#[test]
fn set_id_exits_change_the_effective_user_and_group() {
    let mut st = State::detached(UserDb::default());
    st.procs.insert(Process {
        pid: 20,
        uid: 1000,
        gid: 1000,
        ..Process::default()
    });
    let uid = |st: &State| st.procs.get(20).map(|p| (p.uid, p.gid));
    let before = st.procs.generation();
    st.apply(&sc(20, nr::SETUID, 0, [0, 0, 0, 0, 0, 0], None));
    assert_eq!(uid(&st), Some((0, 1000)));
    assert_ne!(
        st.procs.generation(),
        before,
        "event chains must be rebuilt"
    );
    // -1 keeps the effective id; a failed call changes nothing.
    st.apply(&sc(
        20,
        nr::SETRESUID,
        0,
        [5, u32::MAX as u64, 5, 0, 0, 0],
        None,
    ));
    assert_eq!(uid(&st), Some((0, 1000)));
    st.apply(&sc(20, nr::SETREUID, -1, [7, 7, 0, 0, 0, 0], None));
    assert_eq!(uid(&st), Some((0, 1000)));
    st.apply(&sc(20, nr::SETRESGID, 0, [3, 4, 5, 0, 0, 0], None));
    assert_eq!(uid(&st), Some((0, 4)));
    st.apply(&sc(20, nr::SETREUID, 0, [1, 33, 0, 0, 0, 0], None));
    assert_eq!(uid(&st), Some((33, 4)));
}

#[test]
fn raw_names_are_kept_only_when_they_differ_from_the_path() {
    assert_eq!(RawName::of("/etc/passwd", "/etc/passwd"), RawName::Path);
    assert_eq!(RawName::of("//etc//passwd", "/etc/passwd"), RawName::Path);
    assert_eq!(
        RawName::of("a//../b/", "/home/b"),
        RawName::Own("a/../b/".into())
    );
    // Not opened by path: libsinsp has no raw name.
    let socket = Fd {
        kind: FdKind::Unix,
        path: "/run/x.sock".into(),
        cloexec: false,
        raw: RawName::None,
        connected: false,
    };
    assert_eq!(socket.nameraw(), "");
    assert_eq!(Fd::from_proc_link("/etc/hosts", false).nameraw(), "");
}

/// A `sockaddr_in` for `ip:port`, as the kernel lays it out.
fn sockaddr_in(ip: [u8; 4], port: u16) -> Vec<u8> {
    let mut b = 2u16.to_le_bytes().to_vec();
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&ip);
    b.extend_from_slice(&[0; 8]);
    b
}

/// A datagram call on fd 3 of process 20: the kernel tuple of an unconnected UDP socket
/// (local port 40000, no peer) and the peer the call named.
fn datagram<'a>(nr: u32, addr: &'a [u8]) -> Event<'a> {
    let Event::Syscall(mut s) = sc(20, nr, 5, [3, 0, 5, 0, 0, 16], None) else {
        unreachable!()
    };
    s.sockaddr = Some(addr);
    s.tuple = Some(Tuple {
        family: 2,
        sock_type: 2,
        protocol: 17,
        sport: 40000,
        dport: 0,
        saddr: [0; 16],
        daddr: [0; 16],
    });
    Event::Syscall(s)
}

#[test]
fn datagrams_connect_and_name_unconnected_udp_sockets_as_libsinsp_does() {
    let mut st = State::detached(UserDb::default());
    let fd3 = |st: &State| st.procs.get(20).and_then(|p| p.fds.get(3)).cloned();
    // socket(AF_INET, SOCK_DGRAM, 0): no name, not connected.
    st.apply(&sc(20, nr::SOCKET, 3, [2, 2, 0, 0, 0, 0], None));
    let f = fd3(&st).expect("fd 3");
    assert_eq!((f.name().as_ref(), f.connected), ("", false));
    assert!(!st.fd_name_changed());

    // The first sendto connects it and names it after the destination.
    let dns = sockaddr_in([10, 0, 0, 53], 53);
    st.apply(&datagram(nr::SENDTO, &dns));
    let f = fd3(&st).expect("fd 3");
    assert_eq!(f.name(), "0.0.0.0:40000->10.0.0.53:53");
    assert_eq!((f.connected, f.l4proto()), (true, Some("udp")));
    assert!(st.fd_name_changed());
    // Again to the same peer: the name stays; the answer (recvfrom) keeps the roles.
    st.apply(&datagram(nr::SENDTO, &dns));
    assert!(!st.fd_name_changed());
    st.apply(&datagram(nr::RECVFROM, &dns));
    assert_eq!(
        fd3(&st).expect("fd 3").name(),
        "0.0.0.0:40000->10.0.0.53:53"
    );
    assert!(!st.fd_name_changed());
    // sendmsg to another peer renames it.
    let other = sockaddr_in([192, 0, 2, 7], 123);
    st.apply(&datagram(nr::SENDMSG, &other));
    assert_eq!(
        fd3(&st).expect("fd 3").name(),
        "0.0.0.0:40000->192.0.2.7:123"
    );
    assert!(st.fd_name_changed());
    // A failed send changes nothing.
    let Event::Syscall(mut failed) = datagram(nr::SENDTO, &dns) else {
        unreachable!()
    };
    failed.ret = -101;
    st.apply(&Event::Syscall(failed));
    assert!(!st.fd_name_changed());
    assert_eq!(
        fd3(&st).expect("fd 3").name(),
        "0.0.0.0:40000->192.0.2.7:123"
    );

    // A receive on a fresh socket makes the process the server end.
    st.apply(&sc(20, nr::CLOSE, 0, [3, 0, 0, 0, 0, 0], None));
    st.apply(&sc(20, nr::SOCKET, 3, [2, 2, 0, 0, 0, 0], None));
    st.apply(&datagram(nr::RECVMSG, &dns));
    let f = fd3(&st).expect("fd 3");
    assert_eq!(f.name(), "10.0.0.53:53->0.0.0.0:40000");
    assert!(f.connected);

    // A send on a descriptor the table lacks: libsinsp infers a UDP socket.
    st.apply(&sc(20, nr::CLOSE, 0, [3, 0, 0, 0, 0, 0], None));
    st.apply(&datagram(nr::SENDTO, &dns));
    let f = fd3(&st).expect("inferred fd 3");
    assert_eq!(f.name(), "0.0.0.0:40000->10.0.0.53:53");
    assert_eq!((f.connected, f.l4proto()), (true, Some("udp")));
    // A receive on one does not.
    st.apply(&sc(20, nr::CLOSE, 0, [3, 0, 0, 0, 0, 0], None));
    st.apply(&datagram(nr::RECVFROM, &dns));
    assert!(fd3(&st).is_none());

    // TCP: connect marks the socket connected; a file is never connected.
    st.apply(&sc(20, nr::SOCKET, 4, [2, 1, 6, 0, 0, 0], None));
    let Event::Syscall(mut connect) = sc(20, nr::CONNECT, -115, [4, 0, 16, 0, 0, 0], None) else {
        unreachable!()
    };
    connect.sockaddr = Some(&dns);
    connect.tuple = Some(Tuple {
        family: 2,
        sock_type: 1,
        protocol: 6,
        sport: 50000,
        dport: 53,
        saddr: [10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        daddr: [10, 0, 0, 53, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
    st.apply(&Event::Syscall(connect));
    let f = st
        .procs
        .get(20)
        .and_then(|p| p.fds.get(4))
        .cloned()
        .expect("fd 4");
    assert_eq!(f.name(), "10.0.0.1:50000->10.0.0.53:53");
    assert!(f.connected);
    assert!(st.fd_name_changed());
    st.apply(&sc(20, nr::OPEN, 5, [0; 6], Some(b"/etc/hosts")));
    assert!(st.fd_name_changed());
    let f = st
        .procs
        .get(20)
        .and_then(|p| p.fds.get(5))
        .cloned()
        .expect("fd 5");
    assert!(!f.connected);
}
