//! End to end as root: `falco-rt` with the stdlib bundle, real syscalls, real alerts.
//! Slow: runs under `FALCO_TEST_ALL=1` (CI), where eBPF must be permitted
//! (`falco_test_budget::slow_test`). One test function runs the scenarios one after
//! another, so only one agent captures at a time.

// The live differential against Falco, a part of this module (it uses the container
// cgroup below); its data file sits beside it in tests/differential/.
#[path = "../differential/mod.rs"]
mod differential;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support;
use crate::support::{Agent, TempDir, stdlib_bundle};
use falco_rt_capture::ebpf_permitted;
use falco_test_budget::slow_test;

/// A docker-like container id (64 hex digits) for the fake container cgroup.
const ID: &str = "5f0c2b0e9d4a7c1e3b6a8d2f4e6c8a0b1d3f5e7c9a1b3d5f7e9c1a3b5d7f9e1c";

fn run(cmd: &str, args: &[&str]) {
    let ok = Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(ok.success(), "{cmd} {args:?}: {ok}");
}

fn sh(script: &str) {
    run("/bin/sh", &["-c", script]);
}

/// A cgroup named like a docker container's, removed when dropped.
struct ContainerCgroup {
    parent: PathBuf,
    scope: PathBuf,
}

impl ContainerCgroup {
    fn create() -> Option<ContainerCgroup> {
        let root = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
            .iter()
            .map(PathBuf::from)
            .find(|p| {
                p.join("cgroup.procs").exists() && p.join("cgroup.subtree_control").exists()
            })?;
        let parent = root.join(format!("falco-rt-e2e-{}", std::process::id()));
        let scope = parent.join(format!("docker-{ID}.scope"));
        std::fs::create_dir_all(&scope).ok()?;
        Some(ContainerCgroup { parent, scope })
    }

    /// A shell command line that moves the shell into the cgroup, then runs `then`.
    fn enter_then(&self, then: &str) -> String {
        format!("echo $$ > {}/cgroup.procs && {then}", self.scope.display())
    }
}

impl Drop for ContainerCgroup {
    fn drop(&mut self) {
        for _ in 0..100 {
            if std::fs::remove_dir(&self.scope).is_ok() || !self.scope.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = std::fs::remove_dir(&self.parent);
    }
}

fn has(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn stdlib_bundle_alerts_on_real_syscalls() {
    if !slow_test("stdlib_bundle_alerts_on_real_syscalls", ebpf_permitted()) {
        return;
    }
    let _guard = support::live_lock();
    for tool in ["nsenter", "setpriv", "script"] {
        assert!(has(tool), "{tool} (util-linux) is needed by the live tests");
    }
    let dir = TempDir::new("live");
    let bundle = dir.path("stdlib.frb");
    std::fs::write(&bundle, stdlib_bundle()).expect("bundle");
    let mut agent = Agent::spawn(&[
        "--bundle",
        bundle.to_str().expect("utf8"),
        "--no-k8s-audit",
        "--json",
    ]);
    agent.wait_stderr("capturing");
    let me = std::process::id();

    // Reading a sensitive file.
    run("cat", &["/etc/shadow"]);
    let a = agent.wait_stdout("command=cat /etc/shadow");
    assert!(a.contains(r#""rule":"Sensitive File Read""#), "{a}");

    // A write below a binary directory.
    let bin = Path::new("/usr/local/bin");
    std::fs::create_dir_all(bin).expect("/usr/local/bin");
    let target = bin.join(format!("falco-rt-e2e-{me}"));
    run("touch", &[target.to_str().expect("utf8")]);
    let _ = std::fs::remove_file(&target);
    let a = agent.wait_stdout(&format!("file={}", target.display()));
    assert!(
        a.contains(r#""rule":"Write Below Binary Directory""#),
        "{a}"
    );

    // A namespace change: nsenter joins our UTS namespace (setns succeeds).
    run("nsenter", &["-t", &me.to_string(), "--uts", "/bin/true"]);
    let a = agent.wait_stdout(r#""rule":"Namespace Entered By Unexpected Process""#);
    assert!(a.contains("command=nsenter"), "{a}");

    let Some(cg) = ContainerCgroup::create() else {
        let why = "cannot create a cgroup under /sys/fs/cgroup (cgroup v2)";
        falco_test_budget::available("the container scenarios", Err(why.to_owned()));
        assert_eq!(agent.stop(), 0);
        return;
    };
    // A privilege change inside a container: setpriv sets its ids to root.
    sh(&cg.enter_then("exec setpriv --reuid=0 --regid=0 --clear-groups /bin/true"));
    let a = agent.wait_stdout(r#""rule":"Privilege Raised To Root""#);
    assert!(a.contains("container_id=5f0c2b0e9d4a"), "{a}");
    assert!(a.contains("command=setpriv"), "{a}");

    // A shell with a terminal in a container: script(1) gives the pty, its child runs sh.
    sh(&cg.enter_then("SHELL=/bin/sh exec script -qec /bin/true /dev/null"));
    let a = agent.wait_stdout(r#""rule":"Shell Started In Container""#);
    assert!(a.contains("container_id=5f0c2b0e9d4a"), "{a}");
    assert!(a.contains("parent=script"), "{a}");
    drop(cg);

    assert_eq!(agent.stop(), 0);
}

#[test]
fn upstream_rules_see_a_directory_traversal_read() {
    if !slow_test(
        "upstream_rules_see_a_directory_traversal_read",
        ebpf_permitted(),
    ) {
        return;
    }
    let _guard = support::live_lock();
    let dir = TempDir::new("traversal");
    let bundle = dir.path("upstream.frb");
    std::fs::write(&bundle, support::upstream_bundle(&["falco_rules.yaml"])).expect("bundle");
    let mut agent = Agent::spawn(&[
        "--bundle",
        bundle.to_str().expect("utf8"),
        "--no-k8s-audit",
        "--no-container-engines",
        "-o",
        "json_output=true",
    ]);
    agent.wait_stderr("capturing");
    // cat's parent is this test, not a shell (the rule leaves shells out); enough `../`
    // to reach / from the scratch directory, and a doubled `/` libsinsp collapses.
    let traversal = "../../../../../../../..//etc/hostname";
    let ok = Command::new("cat")
        .arg(traversal)
        .current_dir(dir.path(""))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "cat {traversal}");
    let a = agent.wait_stdout("Read monitored file via directory traversal");
    let v: serde_json::Value = serde_json::from_str(&a).expect("JSON alert");
    assert_eq!(v["rule"], "Directory traversal monitored file read");
    assert_eq!(v["output_fields"]["fd.name"], "/etc/hostname");
    assert_eq!(
        v["output_fields"]["fd.nameraw"],
        "../../../../../../../../etc/hostname"
    );
    // The rule's failed-open branch (`open_file_failed`): the open fails, so libsinsp
    // has no descriptor entry and takes the name from the event.
    let missing = format!(
        "../../../../../../../..//etc/falco-rt-missing-{}",
        std::process::id()
    );
    let failed = Command::new("cat")
        .arg(&missing)
        .current_dir(dir.path(""))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| !s.success());
    assert!(failed, "cat {missing} must fail");
    let a = agent.wait_stdout("falco-rt-missing-");
    let v: serde_json::Value = serde_json::from_str(&a).expect("JSON alert");
    assert_eq!(v["rule"], "Directory traversal monitored file read");
    let missing_name = format!("/etc/falco-rt-missing-{}", std::process::id());
    assert_eq!(v["output_fields"]["fd.name"], missing_name.as_str());
    assert_eq!(
        v["output_fields"]["fd.nameraw"],
        format!(
            "../../../../../../../../etc/falco-rt-missing-{}",
            std::process::id()
        )
        .as_str()
    );
    assert_eq!(agent.stop(), 0);
}

/// A one-rule syscall bundle matching `evt.type = TYPE` on paths containing `tag`.
fn dir_rule(name: &str, ty: &str, tag: &str) -> Vec<u8> {
    let text = format!(
        "- rule: {name}\n  desc: test\n  condition: evt.type = {ty} and evt.arg.path contains {tag}\n  output: {name} (path=%evt.arg.path)\n  priority: NOTICE\n"
    );
    support::compile(vec![("rules.yaml".into(), text)])
}

#[test]
fn reload_applies_the_new_syscall_set_to_the_kernel() {
    if !slow_test(
        "reload_applies_the_new_syscall_set_to_the_kernel",
        ebpf_permitted(),
    ) {
        return;
    }
    let _guard = support::live_lock();
    let dir = TempDir::new("live-reload");
    let tag = format!("falco-rt-reload-{}", std::process::id());
    let bundle = dir.path("rules.frb");
    std::fs::write(&bundle, dir_rule("Mkdir Seen", "mkdir", &tag)).expect("bundle");
    let mut agent = Agent::spawn(&[
        "--bundle",
        bundle.to_str().expect("utf8"),
        "--no-k8s-audit",
        "--watch-interval-ms",
        "50",
    ]);
    agent.wait_stderr("capturing");
    let target = dir.path(&tag);
    let path = target.to_str().expect("utf8");
    run("mkdir", &[path]);
    agent.wait_stdout("Mkdir Seen");
    run("rmdir", &[path]);
    // rmdir is not captured under the first bundle; the second one needs it.
    let tmp = dir.path("rules.tmp");
    std::fs::write(&tmp, dir_rule("Rmdir Seen", "rmdir", &tag)).expect("bundle");
    std::fs::rename(&tmp, &bundle).expect("install");
    agent.wait_stderr("bundle reloaded");
    // The capture loop takes the new engine and selects its syscalls, saying so again.
    let e = agent.stderr.clone();
    let end = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let selections = || {
        e.lock()
            .expect("lock")
            .iter()
            .filter(|l| l.starts_with("falco-rt: capturing"))
            .count()
    };
    while selections() < 2 {
        assert!(
            std::time::Instant::now() < end,
            "the capture did not follow the reload"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // Both selections are served by per-syscall tracepoints, attached and detached per reload.
    let lines = e.lock().expect("lock").clone();
    let hooks: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("falco-rt: capturing"))
        .collect();
    assert!(
        hooks
            .iter()
            .all(|l| l.contains("with per-syscall exit tracepoints")),
        "{hooks:?}"
    );
    run("mkdir", &[path]);
    run("rmdir", &[path]);
    agent.wait_stdout("Rmdir Seen");
    let mkdirs = agent
        .stdout
        .lock()
        .expect("lock")
        .iter()
        .filter(|l| l.contains("Mkdir Seen"))
        .count();
    assert_eq!(mkdirs, 1, "the old rule still ran after the reload");
    assert_eq!(agent.stop(), 0);
}

#[test]
fn a_full_ring_raises_the_drop_alert() {
    if !slow_test("a_full_ring_raises_the_drop_alert", ebpf_permitted()) {
        return;
    }
    let _guard = support::live_lock();
    let dir = TempDir::new("drops");
    let bundle = dir.path("stdlib.frb");
    std::fs::write(&bundle, stdlib_bundle()).expect("bundle");
    // A one-page ring holds a few records; a burst of opens overflows it. Falco's
    // `syscall_event_drops` actions are off without a configuration: set them.
    let mut agent = Agent::spawn(&[
        "--bundle",
        bundle.to_str().expect("utf8"),
        "--no-k8s-audit",
        "--ring-bytes",
        "4096",
        "-o",
        "syscall_event_drops.actions[]=log",
        "-o",
        "syscall_event_drops.actions[]=alert",
        "-o",
        "syscall_event_drops.threshold=0",
    ]);
    agent.wait_stderr("capturing");
    let file = dir.path("f");
    std::fs::write(&file, "x").expect("file");
    for _ in 0..20_000 {
        drop(std::fs::File::open(&file).expect("open"));
    }
    let a = agent.wait_stdout("Falco internal: syscall event drop");
    assert!(
        a.contains(": Debug Falco internal: syscall event drop. "),
        "{a}"
    );
    assert!(
        a.contains("system calls dropped in last second. (ebpf_enabled=\"1\" n_drops=\""),
        "{a}"
    );
    agent.wait_stderr("falco-rt: Falco internal: syscall event drop. ");
    let stderr = agent.stderr.clone();
    assert_eq!(agent.stop(), 0);
    let stats = stderr
        .lock()
        .expect("lock")
        .iter()
        .rev()
        .find(|l| l.starts_with("{\"falco_rt_stats\""))
        .cloned()
        .expect("final stats line");
    let v: serde_json::Value = serde_json::from_str(&stats).expect("stats JSON");
    assert!(
        v["falco_rt_stats"]["kernel_dropped"].as_u64() > Some(0),
        "{stats}"
    );
}

#[test]
fn capture_writes_events_that_replay() {
    if !slow_test("capture_writes_events_that_replay", ebpf_permitted()) {
        return;
    }
    // Serialised with the agent test: both capture, and each would see the other.
    let _guard = support::live_lock();
    let dir = TempDir::new("capture");
    let out = dir.path("events.jsonl");
    let mut cap = Agent::spawn(&[
        "capture",
        "-o",
        out.to_str().expect("utf8"),
        "--comm",
        "cat",
        "--duration",
        "30",
    ]);
    cap.wait_stderr("capturing");
    let marker = dir.path("marker.txt");
    std::fs::write(&marker, "x").expect("marker");
    run("cat", &[marker.to_str().expect("utf8")]);
    // Give the ring's flush interval a moment, then stop it.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(cap.stop(), 0);
    let text = std::fs::read_to_string(&out).expect("capture file");
    let events: Vec<_> = falco_events::read_syscall(&text)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("capture does not replay: {e}"));
    let marker = marker.display().to_string();
    let open = events
        .iter()
        .find(|e| e.event_type() == Some("openat") && text_of(e, "fd.name") == marker)
        .unwrap_or_else(|| panic!("no openat of {marker} in {text}"));
    assert_eq!(text_of(open, "proc.name"), "cat");
    assert_eq!(text_of(open, "evt.is_open_read"), "true");
    assert!(events.iter().any(|e| e.event_type() == Some("execve")));
}

fn text_of(ev: &falco_events::Event, field: &str) -> String {
    let ex = falco_events::Extractor::new("syscall", field, None).expect("field");
    let mut s = falco_events::Scratch::new();
    let mut out = String::new();
    ex.extract(ev, &mut s).write_text(&mut out);
    out
}
