//! Captures written by [`ScapWriter`] read back by [`ScapReader`] as the events written.

use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr};

use falco_events::{Extractor, Scratch};
use falco_schema::Schema;

use crate::{
    FdRecord, FdRecordKind, GroupRecord, InterfaceRecord, MachineInfo, Param, ScapReader,
    ScapWriter, ThreadRecord, UserRecord, socktuple,
};

fn thread(tid: i64, ptid: i64, comm: &str, exe: &str, args: &[&str]) -> ThreadRecord {
    ThreadRecord {
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
        uid: 0,
        gid: 0,
        vtid: tid,
        vpid: tid,
        loginuid: 1000,
        ..ThreadRecord::default()
    }
}

/// A capture with a shell, a cat it starts, an open, a connect and an exit.
fn capture() -> Vec<u8> {
    let schema = Schema::get();
    let mut w = ScapWriter::new(
        Vec::new(),
        &MachineInfo {
            num_cpus: 2,
            hostname: "node-1".into(),
            ..MachineInfo::default()
        },
    )
    .unwrap();
    w.threads(&[
        thread(1, 0, "systemd", "/sbin/init", &[]),
        thread(100, 1, "bash", "/bin/bash", &["-i"]),
    ])
    .unwrap();
    w.fds(
        100,
        &[FdRecord {
            fd: 3,
            ino: 7,
            kind: FdRecordKind::File {
                name: "/var/log/app.log".into(),
                open_flags: Some(2 | 8),
                dev: Some(0),
            },
        }],
    )
    .unwrap();
    w.users(
        &[UserRecord {
            uid: 0,
            gid: 0,
            name: "root".into(),
            homedir: "/root".into(),
            shell: "/bin/bash".into(),
        }],
        &[GroupRecord {
            gid: 0,
            name: "root".into(),
        }],
    )
    .unwrap();
    w.interfaces(&interfaces()).unwrap();
    let clone = schema.current_code("clone", false).unwrap();
    w.event(1_000, 101, 0, clone, |p| match p.name {
        "res" => Param::Int(0),
        "exe" => Param::Text("/bin/bash"),
        "args" => Param::Bytes(b"-i\0"),
        "tid" => Param::Int(101),
        "pid" => Param::Int(101),
        "ptid" => Param::Int(100),
        "cwd" => Param::Text("/root"),
        "comm" => Param::Text("bash"),
        "flags" => Param::Int(0),
        "uid" | "gid" => Param::Int(0),
        "vtid" | "vpid" => Param::Int(101),
        _ => Param::Empty,
    })
    .unwrap();
    let execve = schema.current_code("execve", false).unwrap();
    w.event(2_000, 101, 1, execve, |p| match p.name {
        "res" => Param::Int(0),
        "exe" => Param::Text("cat"),
        "args" => Param::Bytes(b"/etc/shadow\0"),
        "tid" | "pid" => Param::Int(101),
        "ptid" => Param::Int(100),
        "cwd" => Param::Text("/root"),
        "comm" => Param::Text("cat"),
        "trusted_exepath" => Param::Text("/usr/bin/cat"),
        "uid" | "gid" => Param::Int(0),
        "loginuid" => Param::Int(1000),
        _ => Param::Empty,
    })
    .unwrap();
    let openat = schema.current_code("openat", false).unwrap();
    w.event(3_000, 101, 1, openat, |p| match p.name {
        "fd" => Param::Int(4),
        "dirfd" => Param::Int(-100),
        "name" => Param::Text("/etc/shadow"),
        "flags" => Param::Text("O_RDONLY|O_CLOEXEC"),
        "mode" => Param::Int(0),
        _ => Param::Empty,
    })
    .unwrap();
    let connect = schema.current_code("connect", false).unwrap();
    let client = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5)), 41234);
    let server = (IpAddr::V4(Ipv4Addr::new(93, 184, 216, 34)), 443);
    let tuple = socktuple(client, server);
    let socket = schema.current_code("socket", false).unwrap();
    w.event(4_000, 101, 0, socket, |p| match p.name {
        "fd" => Param::Int(5),
        "domain" => Param::Text("AF_INET"),
        "type" => Param::Int(1),
        "proto" => Param::Int(0),
        _ => Param::Empty,
    })
    .unwrap();
    w.event(5_000, 101, 0, connect, |p| match p.name {
        "res" => Param::Int(0),
        "tuple" => Param::Bytes(&tuple),
        "fd" => Param::Int(5),
        _ => Param::Empty,
    })
    .unwrap();
    let procexit = schema
        .event_codes()
        .iter()
        .find(|c| c.name == "procexit" && c.is_current())
        .unwrap();
    w.event(6_000, 101, 0, procexit, |p| match p.name {
        "status" | "ret" => Param::Int(0),
        _ => Param::Empty,
    })
    .unwrap();
    w.finish().unwrap()
}

fn fields(bytes: Vec<u8>, names: &[&str]) -> Vec<String> {
    let ex: Vec<Extractor> = names
        .iter()
        .map(|f| Extractor::new("syscall", f, None).unwrap())
        .collect();
    let mut scratch = Scratch::new();
    ScapReader::open(Cursor::new(bytes))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let v: Vec<String> = ex
                .iter()
                .map(|x| x.extract(&e, &mut scratch).to_text())
                .collect();
            v.join("|")
        })
        .collect()
}

#[test]
fn written_captures_read_back() {
    let bytes = capture();
    assert!(crate::is_capture(&bytes));
    let reader = ScapReader::open(Cursor::new(bytes.clone())).unwrap();
    let lines = fields(
        bytes,
        &[
            "evt.num",
            "evt.type",
            "proc.name",
            "proc.exepath",
            "proc.cmdline",
            "proc.pname",
            "user.name",
            "user.loginuid",
            "fd.name",
            "evt.arg.flags",
            "evt.is_open_read",
        ],
    );
    assert_eq!(
        lines,
        [
            "1|clone|bash|/bin/bash|bash -i|bash|root|1000|<NA>|0|false",
            "2|execve|cat|/usr/bin/cat|cat /etc/shadow|bash|root|1000|<NA>|0|false",
            "3|openat|cat|/usr/bin/cat|cat /etc/shadow|bash|root|1000|/etc/shadow|O_RDONLY|O_CLOEXEC|true",
            "4|socket|cat|/usr/bin/cat|cat /etc/shadow|bash|root|1000||O_NONE|false",
            "5|connect|cat|/usr/bin/cat|cat /etc/shadow|bash|root|1000|10.0.0.5:41234->93.184.216.34:443|<NA>|false",
            "6|procexit|cat|/usr/bin/cat|cat /etc/shadow|bash|root|1000|<NA>|<NA>|false",
        ]
    );
    assert_eq!(reader.machine().map(|m| m.hostname.as_str()), None);
}

/// The machine's addresses (an IPv4 and an IPv6 one).
fn interfaces() -> Vec<InterfaceRecord> {
    let mut v6 = vec![0; 16];
    v6[15] = 1;
    vec![
        InterfaceRecord {
            name: "eth0".into(),
            addr: vec![10, 0, 0, 5],
            netmask: vec![255, 255, 255, 0],
        },
        InterfaceRecord {
            name: "lo".into(),
            addr: v6,
            netmask: vec![255; 16],
        },
    ]
}

#[test]
fn written_interfaces_read_back() {
    let mut reader = ScapReader::open(Cursor::new(capture())).unwrap();
    reader.next().unwrap().unwrap();
    assert_eq!(reader.interfaces(), interfaces().as_slice());
}

#[test]
fn the_descriptor_list_and_machine_info_read_back() {
    let mut reader = ScapReader::open(Cursor::new(capture())).unwrap();
    let first = reader.next().unwrap().unwrap();
    assert_eq!(first.num(), 1);
    assert_eq!(
        reader.machine().map(|m| m.hostname.as_str()),
        Some("node-1")
    );
    assert_eq!(reader.machine().map(|m| m.num_cpus), Some(2));
}
