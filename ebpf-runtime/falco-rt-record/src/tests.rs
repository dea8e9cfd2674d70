use core::mem::{offset_of, size_of};
use core::net::Ipv4Addr;
use std::vec::Vec;

use crate::layout::*;
use crate::*;

/// Numbers pinned by the `_Static_assert`s in capture.bpf.c.
#[test]
fn layouts_match_record_h() {
    assert_eq!(size_of::<RtHeader>(), 56);
    assert_eq!(offset_of!(RtHeader, kind), 8);
    assert_eq!(offset_of!(RtHeader, size), 12);
    assert_eq!(offset_of!(RtHeader, tgid), 16);
    assert_eq!(offset_of!(RtHeader, cgroup_id), 32);
    assert_eq!(offset_of!(RtHeader, comm), 40);
    assert_eq!(size_of::<RtSyscall>(), 128);
    assert_eq!(offset_of!(RtSyscall, ret), 56);
    assert_eq!(offset_of!(RtSyscall, args), 64);
    assert_eq!(offset_of!(RtSyscall, nr), 112);
    assert_eq!(offset_of!(RtSyscall, str0_len), 116);
    assert_eq!(offset_of!(RtSyscall, tuple_len), 122);
    assert_eq!(offset_of!(RtSyscall, flags), 124);
    assert_eq!(size_of::<RtTuple>(), 48);
    assert_eq!(offset_of!(RtTuple, saddr), 16);
    assert_eq!(offset_of!(RtTuple, daddr), 32);
    assert_eq!(size_of::<RtExec>(), 168);
    assert_eq!(offset_of!(RtExec, sid), 68);
    assert_eq!(offset_of!(RtExec, cap_inheritable), 96);
    assert_eq!(offset_of!(RtExec, filename_len), 156);
    assert_eq!(size_of::<RtFork>(), 72);
    assert_eq!(size_of::<RtExit>(), 64);
}

fn header(kind: Kind, size: usize) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&123_456_789u64.to_le_bytes());
    b.extend_from_slice(&(kind as u16).to_le_bytes());
    b.extend_from_slice(&RECORD_VERSION.to_le_bytes());
    b.extend_from_slice(&(size as u32).to_le_bytes());
    for v in [100u32, 101, 1000, 1001] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&77u64.to_le_bytes());
    let mut comm = [0u8; 16];
    comm[..3].copy_from_slice(b"cat");
    b.extend_from_slice(&comm);
    b
}

struct Sc<'a> {
    nr: u32,
    ret: i64,
    s0: Option<&'a [u8]>,
    s1: Option<&'a [u8]>,
    addr: Option<&'a [u8]>,
    tuple: Option<[u8; 48]>,
}

fn syscall_record(sc: &Sc<'_>) -> Vec<u8> {
    let z = |s: Option<&[u8]>| s.map(|s| [s, b"\0"].concat()).unwrap_or_default();
    let (s0, s1) = (z(sc.s0), z(sc.s1));
    let addr = sc.addr.unwrap_or_default();
    let tuple = sc.tuple.map(|t| t.to_vec()).unwrap_or_default();
    let size = 128 + s0.len() + s1.len() + addr.len() + tuple.len();
    let mut b = header(Kind::Syscall, size);
    b.extend_from_slice(&sc.ret.to_le_bytes());
    for a in [3u64, 0x1000, 0o101, 0o644, 0, 0] {
        b.extend_from_slice(&a.to_le_bytes());
    }
    b.extend_from_slice(&sc.nr.to_le_bytes());
    for l in [s0.len(), s1.len(), addr.len(), tuple.len()] {
        b.extend_from_slice(&(l as u16).to_le_bytes());
    }
    b.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(b.len(), 128);
    b.extend_from_slice(&s0);
    b.extend_from_slice(&s1);
    b.extend_from_slice(addr);
    b.extend_from_slice(&tuple);
    b
}

fn sockaddr_in(ip: [u8; 4], port: u16) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&ip);
    b.extend_from_slice(&[0; 8]);
    b
}

#[test]
fn decodes_openat_with_path() {
    let rec = syscall_record(&Sc {
        nr: 257,
        ret: 5,
        s0: Some(b"/etc/shadow"),
        s1: None,
        addr: None,
        tuple: None,
    });
    let Ok(Event::Syscall(e)) = decode(&rec) else {
        panic!("not a syscall: {:?}", decode(&rec))
    };
    assert_eq!(e.nr, 257);
    assert_eq!(e.ret, 5);
    assert_eq!(e.path, Some(&b"/etc/shadow"[..]));
    assert_eq!(e.path2, None);
    assert_eq!(e.args[2], 0o101);
    assert_eq!(e.header.tgid, 100);
    assert_eq!(e.header.tid, 101);
    assert_eq!(e.header.uid, 1000);
    assert_eq!(e.header.cgroup_id, 77);
    assert_eq!(e.header.comm(), b"cat");
    assert!(!e.normalized);
}

#[test]
fn decodes_rename_and_connect_tuple() {
    let rec = syscall_record(&Sc {
        nr: 82,
        ret: 0,
        s0: Some(b"a"),
        s1: Some(b"bb"),
        addr: None,
        tuple: None,
    });
    let Ok(Event::Syscall(e)) = decode(&rec) else {
        panic!()
    };
    assert_eq!((e.path, e.path2), (Some(&b"a"[..]), Some(&b"bb"[..])));

    let addr = sockaddr_in([10, 0, 0, 1], 443);
    let mut t = [0u8; 48];
    t[0..2].copy_from_slice(&2u16.to_le_bytes());
    t[2..4].copy_from_slice(&1u16.to_le_bytes());
    t[4..6].copy_from_slice(&6u16.to_le_bytes());
    t[6..8].copy_from_slice(&40000u16.to_le_bytes());
    t[8..10].copy_from_slice(&443u16.to_le_bytes());
    t[16..20].copy_from_slice(&[192, 168, 1, 2]);
    t[32..36].copy_from_slice(&[10, 0, 0, 1]);
    let rec = syscall_record(&Sc {
        nr: 42,
        ret: 0,
        s0: None,
        s1: None,
        addr: Some(&addr),
        tuple: Some(t),
    });
    let Ok(Event::Syscall(e)) = decode(&rec) else {
        panic!()
    };
    assert_eq!(
        e.addr(),
        Some(SockAddr::V4 {
            addr: Ipv4Addr::new(10, 0, 0, 1),
            port: 443
        })
    );
    let tu = e.tuple.expect("tuple");
    assert_eq!((tu.sport, tu.dport, tu.protocol), (40000, 443, 6));
    assert_eq!(tu.source(), Some(Ipv4Addr::new(192, 168, 1, 2).into()));
    assert_eq!(tu.dest(), Some(Ipv4Addr::new(10, 0, 0, 1).into()));
}

#[test]
fn decodes_exec_fork_exit() {
    let fname = b"/bin/true\0";
    let args = b"true\0--version\0";
    let cg = b"docker-abc.scope\0system.slice\0";
    let env = b"HOME=/root\0PATH=/bin\0";
    let mut rec = header(
        Kind::Exec,
        168 + fname.len() + args.len() + cg.len() + env.len(),
    );
    // ppid, loginuid, sessionid, sid, vpid, tty, euid, egid, pgid, vpgid
    for v in [42u32, u32::MAX, 3, 40, 1, 34816, 0, 5, 40, 1] {
        rec.extend_from_slice(&v.to_le_bytes());
    }
    // caps, exe_ino, ctime, mtime, pid namespace init start
    for v in [0u64, 0x1ff_ffff_ffff, 1 << 21, 77, 1_000, 2_000, 3_000] {
        rec.extend_from_slice(&v.to_le_bytes());
    }
    rec.extend_from_slice(&(crate::EXE_WRITABLE | crate::EXE_FROM_MEMFD).to_le_bytes());
    for len in [fname.len(), args.len(), cg.len(), 0, env.len(), 0] {
        rec.extend_from_slice(&(len as u16).to_le_bytes());
    }
    rec.extend_from_slice(fname);
    rec.extend_from_slice(args);
    rec.extend_from_slice(cg);
    rec.extend_from_slice(env);
    let Ok(Event::Exec(e)) = decode(&rec) else {
        panic!("{:?}", decode(&rec))
    };
    assert_eq!(e.filename, b"/bin/true");
    assert_eq!((e.ppid, e.sid, e.vpid, e.tty), (42, 40, 1, 34816));
    assert_eq!(
        ExecEvent::cgroup_names(e.cgroup).collect::<Vec<_>>(),
        [&b"docker-abc.scope"[..], b"system.slice"]
    );
    assert_eq!(ExecEvent::cgroup_names(e.cgroup_v1).count(), 0);
    assert_eq!(e.argv().collect::<Vec<_>>(), [&b"true"[..], b"--version"]);
    assert_eq!(
        e.env_vars().collect::<Vec<_>>(),
        [&b"HOME=/root"[..], b"PATH=/bin"]
    );
    let f = e.facts;
    assert_eq!((f.euid, f.egid, f.pgid, f.vpgid), (0, 5, 40, 1));
    assert_eq!(
        (f.cap_permitted, f.cap_effective),
        (0x1ff_ffff_ffff, 1 << 21)
    );
    assert_eq!(
        (
            f.exe_ino,
            f.exe_ctime_ns,
            f.exe_mtime_ns,
            f.pidns_init_start_ns
        ),
        (77, 1_000, 2_000, 3_000)
    );
    assert_eq!(f.exe_flags, crate::EXE_WRITABLE | crate::EXE_FROM_MEMFD);

    let mut rec = header(Kind::Fork, 72);
    for v in [500u32, 500, 0, 0] {
        rec.extend_from_slice(&v.to_le_bytes());
    }
    assert!(matches!(
        decode(&rec),
        Ok(Event::Fork(ForkEvent {
            child_tgid: 500,
            child_tid: 500,
            ..
        }))
    ));

    let mut rec = header(Kind::Exit, 64);
    rec.extend_from_slice(&256i32.to_le_bytes());
    rec.extend_from_slice(&0u32.to_le_bytes());
    assert!(matches!(
        decode(&rec),
        Ok(Event::Exit(ExitEvent { exit_code: 256, .. }))
    ));
}

#[test]
fn ring_padding_after_the_declared_size_is_ignored() {
    let mut rec = syscall_record(&Sc {
        nr: 3,
        ret: 0,
        s0: None,
        s1: None,
        addr: None,
        tuple: None,
    });
    rec.extend_from_slice(&[0xAA; 7]);
    assert!(matches!(
        decode(&rec),
        Ok(Event::Syscall(SyscallEvent { nr: 3, .. }))
    ));
}

#[test]
fn malformed_records_are_errors() {
    assert_eq!(
        decode(&[]),
        Err(DecodeError::Truncated { need: 56, have: 0 })
    );
    let good = syscall_record(&Sc {
        nr: 257,
        ret: 3,
        s0: Some(b"/tmp/x"),
        s1: None,
        addr: None,
        tuple: None,
    });
    // Every strict prefix fails (the header's size no longer fits).
    for n in 0..good.len() {
        assert!(decode(&good[..n]).is_err(), "prefix of {n} bytes decoded");
    }
    let mut bad = good.clone();
    bad[10] = 9; // version
    assert_eq!(decode(&bad), Err(DecodeError::Version(9)));
    let mut bad = good.clone();
    bad[8] = 99; // kind
    assert_eq!(decode(&bad), Err(DecodeError::UnknownKind(99)));
    let mut bad = good.clone();
    bad[116..118].copy_from_slice(&4000u16.to_le_bytes()); // str0_len past the end
    assert_eq!(decode(&bad), Err(DecodeError::Overflow { field: "str0" }));
    let mut bad = good;
    bad[12..16].copy_from_slice(&10u32.to_le_bytes()); // size smaller than a header
    assert!(matches!(
        decode(&bad),
        Err(DecodeError::SizeMismatch { declared: 10, .. })
    ));
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A fixed xorshift stream over valid-looking headers with random bodies.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut ok = 0;
    for _ in 0..20_000 {
        let len = (next() % 300) as usize;
        let mut b: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if b.len() >= 16 && next() % 2 == 0 {
            b[8..10].copy_from_slice(&((next() % 5) as u16).to_le_bytes());
            b[10..12].copy_from_slice(&RECORD_VERSION.to_le_bytes());
            b[12..16].copy_from_slice(&(len as u32).to_le_bytes());
        }
        if decode(&b).is_ok() {
            ok += 1;
        }
    }
    assert!(ok < 20_000);
}

#[test]
fn sockaddr_families() {
    assert_eq!(
        SockAddr::parse(&sockaddr_in([127, 0, 0, 1], 8080)),
        Some(SockAddr::V4 {
            addr: Ipv4Addr::LOCALHOST,
            port: 8080
        })
    );
    let mut v6 = Vec::new();
    v6.extend_from_slice(&10u16.to_le_bytes());
    v6.extend_from_slice(&53u16.to_be_bytes());
    v6.extend_from_slice(&[0; 4]);
    v6.extend_from_slice(&core::net::Ipv6Addr::LOCALHOST.octets());
    v6.extend_from_slice(&[0; 4]);
    assert_eq!(
        SockAddr::parse(&v6),
        Some(SockAddr::V6 {
            addr: core::net::Ipv6Addr::LOCALHOST,
            port: 53
        })
    );
    let mut un = 1u16.to_le_bytes().to_vec();
    un.extend_from_slice(b"/run/docker.sock\0\0\0");
    assert_eq!(
        SockAddr::parse(&un),
        Some(SockAddr::Unix(b"/run/docker.sock"))
    );
    let mut abs = 1u16.to_le_bytes().to_vec();
    abs.extend_from_slice(b"\0abstract");
    assert_eq!(SockAddr::parse(&abs), Some(SockAddr::Unix(b"\0abstract")));
    assert_eq!(SockAddr::parse(&[2, 0, 1]), None);
    assert_eq!(SockAddr::parse(&[16, 0]), Some(SockAddr::Other(16)));
    assert_eq!(SockAddr::parse(&[]), None);
}

/// Every numeric constant of `record.h` (`#define RT_*` and the enumerators) has the same
/// value here, so the C program and the decoder cannot disagree on one.
#[test]
fn constants_match_record_h() {
    let header = include_str!("../../falco-rt-ebpf/bpf/record.h");
    let rust: &[(&str, u64)] = &[
        ("RT_RECORD_VERSION", RECORD_VERSION.into()),
        ("RT_MAX_STR", MAX_STR as u64),
        ("RT_MAX_ADDR", MAX_ADDR as u64),
        ("RT_MAX_SYSCALLS", MAX_SYSCALLS.into()),
        ("RT_KIND_SYSCALL", Kind::Syscall as u64),
        ("RT_KIND_EXEC", Kind::Exec as u64),
        ("RT_KIND_FORK", Kind::Fork as u64),
        ("RT_KIND_EXIT", Kind::Exit as u64),
        ("RT_CNT_SUBMITTED", crate::Counter::Submitted as u64),
        ("RT_CNT_DROPPED", crate::Counter::Dropped as u64),
        ("RT_CNT_UNPAIRED", crate::Counter::Unpaired as u64),
        ("RT_SC_ARGS_NORMALIZED", SC_ARGS_NORMALIZED.into()),
        ("RT_SC_IA32", SC_IA32.into()),
        ("RT_EXE_WRITABLE", crate::EXE_WRITABLE.into()),
        ("RT_EXE_UPPER_LAYER", crate::EXE_UPPER_LAYER.into()),
        ("RT_EXE_FROM_MEMFD", crate::EXE_FROM_MEMFD.into()),
        ("RT_EXE_LOWER_LAYER", crate::EXE_LOWER_LAYER.into()),
    ];
    // `#define RT_NAME N` and `RT_NAME = N,` lines.
    let mut found = 0;
    for line in header.lines() {
        let line = line.trim();
        let (name, value) = if let Some(rest) = line.strip_prefix("#define ") {
            let mut words = rest.split_whitespace();
            (words.next(), words.next())
        } else if let Some((name, value)) = line.split_once(" = ") {
            (Some(name.trim()), value.split([',', ' ']).next())
        } else {
            continue;
        };
        let (Some(name), Some(Ok(value))) = (name, value.map(str::parse::<u64>)) else {
            continue;
        };
        // Sizes only the kernel side uses, and a flag the program never sets.
        const KERNEL_ONLY: &[&str] = &[
            "RT_SCRATCH_SIZE",
            "RT_CGROUP_DEPTH",
            "RT_CGROUP_NAME",
            "RT_CNT_MAX",
            "RT_FORK_THREAD",
        ];
        if !name.starts_with("RT_") || KERNEL_ONLY.contains(&name) {
            continue;
        }
        let ours = rust.iter().find(|(n, _)| *n == name);
        assert_eq!(ours.map(|(_, v)| *v), Some(value), "{name} in record.h");
        found += 1;
    }
    assert_eq!(
        found,
        rust.len(),
        "every constant listed here is in record.h"
    );
}

#[test]
fn ia32_syscalls_map_to_their_x86_64_twins() {
    use crate::syscalls::{ia32_twin, nr};
    assert_eq!(ia32_twin(5), Some(nr::OPEN));
    assert_eq!(ia32_twin(11), Some(nr::EXECVE));
    assert_eq!(ia32_twin(26), Some(nr::PTRACE));
    assert_eq!(ia32_twin(213), Some(nr::SETUID), "setuid32");
    assert_eq!(ia32_twin(359), Some(nr::SOCKET));
    assert_eq!(ia32_twin(102), None, "socketcall has no twin");
    assert_eq!(ia32_twin(100_000), None);
    let twins = (0..MAX_SYSCALLS).filter_map(ia32_twin).count();
    assert!(twins > 300, "{twins}");
}
