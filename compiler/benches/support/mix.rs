//! The syscall event mix the VM and replay benches share: 5% `execve`, 15% `openat`
//! (including `/etc/shadow`, `.bash_history`, libraries, logs), 5% `connect`, and 75% events
//! no upstream rule selects (`read`, `write`, `close`, `futex`, `mmap`, `epoll_wait`,
//! `recvfrom`, `fstat`), from six processes in and out of containers, each event with its
//! thread, two ancestors and fd context.

const PROCS: [(&str, &str, &str, &str); 6] = [
    ("/usr/bin/bash", "-c ls", "sshd", ""),
    (
        "/usr/sbin/nginx",
        "-g daemon off;",
        "containerd-shim",
        "4a1b2c3d4e5f",
    ),
    ("/usr/bin/python3", "app.py", "bash", "9f8e7d6c5b4a"),
    ("/usr/bin/cat", "/etc/hosts", "bash", ""),
    (
        "/usr/lib/postgresql/bin/postgres",
        "-D /data",
        "systemd",
        "0a0b0c0d0e0f",
    ),
    ("/usr/bin/curl", "http://example.com", "sh", "9f8e7d6c5b4a"),
];

const FILES: [&str; 8] = [
    "/etc/hosts",
    "/var/log/nginx/access.log",
    "/etc/shadow",
    "/proc/self/status",
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/data/base/16384/2619",
    "/etc/ld.so.cache",
    "/root/.bash_history",
];

const OTHER: [&str; 8] = [
    "read",
    "write",
    "close",
    "futex",
    "mmap",
    "epoll_wait",
    "recvfrom",
    "fstat",
];

/// Calls `line` with each of `n` events of the mix, as syscall JSON lines
/// (`docs/event-format.md`).
pub fn syscall_lines(n: usize, mut line: impl FnMut(&str)) {
    for i in 0..n {
        let (exe, args, parent, container) = PROCS[i % PROCS.len()];
        let args: Vec<String> = args.split(' ').map(|a| format!("{a:?}")).collect();
        let container = if container.is_empty() {
            String::new()
        } else {
            format!(
                r#", "container": {{"id": "{container}", "name": "app", "image": "registry/app:1.2"}}"#
            )
        };
        let thread = format!(
            r#""thread": {{"pid": {pid}, "ppid": 100, "uid": 1000, "user": "app", "exepath": "{exe}", "args": [{args}], "cwd": "/srv/"}}, "ancestors": [{{"pid": 100, "name": "{parent}", "exepath": "/usr/bin/{parent}"}}, {{"pid": 1, "name": "systemd"}}]{container}"#,
            pid = 1000 + i % 50,
            args = args.join(", ")
        );
        let ts = 1_700_000_000_000_000_000u64 + i as u64 * 1000;
        let text = match i % 20 {
            0 => format!(r#"{{"ts": {ts}, "type": "execve", "res": 0, {thread}}}"#),
            1..=3 => {
                let file = FILES[(i / 20 + i) % FILES.len()];
                format!(
                    r#"{{"ts": {ts}, "type": "openat", "res": 5, "args": {{"fd": 5, "dirfd": -100, "name": "{file}", "flags": 0}}, {thread}, "fd": {{"num": 5, "type": "file", "name": "{file}"}}}}"#
                )
            }
            4 => format!(
                r#"{{"ts": {ts}, "type": "connect", "res": 0, {thread}, "fd": {{"num": 7, "type": "ipv4", "cip": "10.0.0.5", "cport": 41234, "sip": "93.184.216.{}", "sport": 443, "l4proto": "tcp"}}}}"#,
                i % 250
            ),
            _ => {
                let ty = OTHER[i % OTHER.len()];
                format!(r#"{{"ts": {ts}, "type": "{ty}", "res": 0, {thread}}}"#)
            }
        };
        line(&text);
    }
}
