//! As root, with a real podman: the agent learns containers from podman's API and the
//! upstream rules see them as Falco does. Containers cannot run in the test sandbox, so
//! a process joins a cgroup named after a created container's id (podman's
//! `libpod-<id>.scope` layout), becomes pid 1 of a pid namespace, and execs: the
//! container's first process, which the upstream `container_started` macro describes.
//!
//! "Launch Sensitive Mount Container" and "Launch Privileged Container" fire for a
//! privileged container with a `/proc` mount from an untrusted image, with the mounts
//! and the container in the alert, and stay quiet for the same container from an image
//! the rules trust (`docker.io/falcosecurity/falco`): the exception can only hold once
//! `container.image.repository` is known. For containers without mounts, or unknown to
//! every engine, they behave as in Falco (see the test).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::podman::{self, Podman};
use crate::support;
use crate::support::{Agent, TempDir, UPSTREAM};
use falco_rt_capture::ebpf_permitted;
use falco_test_budget::slow_test;

/// A cgroup named like podman's for container `id`, removed when dropped.
struct PodmanCgroup {
    parent: PathBuf,
    scope: PathBuf,
}

impl PodmanCgroup {
    fn create(id: &str) -> PodmanCgroup {
        let root = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.join("cgroup.procs").exists() && p.join("cgroup.subtree_control").exists())
            .expect("a cgroup v2 hierarchy");
        let parent = root.join(format!("falco-rt-containers-{}", std::process::id()));
        let scope = parent.join(format!("libpod-{id}.scope"));
        std::fs::create_dir_all(&scope).expect("cgroup");
        PodmanCgroup { parent, scope }
    }

    /// Runs `program` as pid 1 of a new pid namespace, inside this cgroup.
    fn start(&self, program: &str) {
        let script = format!(
            "echo 0 > {}/cgroup.procs && exec {program}",
            self.scope.display()
        );
        let ok = Command::new("unshare")
            .args(["--pid", "--fork", "/bin/sh", "-c", &script])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "unshare --pid ... {program}");
    }
}

impl Drop for PodmanCgroup {
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

#[test]
fn upstream_container_rules_see_podman_containers_as_falco_does() {
    if !slow_test(
        "upstream_container_rules_see_podman_containers_as_falco_does",
        ebpf_permitted(),
    ) || !podman::available("upstream_container_rules_see_podman_containers_as_falco_does")
    {
        return;
    }
    let _guard = support::live_lock();
    let mut p = Podman::new("agent");
    p.run(&["tag", podman::IMAGE, "docker.io/falcosecurity/falco:1"]);
    let mount = ["--privileged", "-v", "/proc:/host/proc:ro"];
    let mut args = vec!["--name", "untrusted"];
    args.extend_from_slice(&mount);
    args.extend_from_slice(&["--label", "io.kubernetes.pod.name=web-1"]);
    args.extend_from_slice(&["--label", "io.kubernetes.pod.namespace=prod"]);
    let untrusted = p.create(&args);
    let trusted = p.run(&[
        "create",
        "--name",
        "trusted",
        "--privileged",
        "-v",
        "/proc:/host/proc:ro",
        "docker.io/falcosecurity/falco:1",
        "/bin/sh",
    ]);
    // No mount and not privileged, from an untrusted image.
    let plain = p.create(&["--name", "plain"]);
    // A container no engine knows: its lookup misses and every field but the id stays
    // <NA>.
    let unknown = "f".repeat(64);
    let socket = p.socket();

    let dir = TempDir::new("containers");
    let bundle = dir.path("upstream.frb");
    std::fs::write(&bundle, support::upstream_bundle(&UPSTREAM)).expect("bundle");
    let mut agent = Agent::spawn(&[
        "--bundle",
        bundle.to_str().expect("utf8"),
        "--no-k8s-audit",
        "--container-socket",
        &format!("podman:{}", socket.display()),
        "-o",
        "json_output=true",
        "-o",
        "rule_matching=all",
        "-o",
        "append_output[]={suggested_output: true}",
        "-o",
        "append_output[]={extra_fields: [container.start_ts]}",
    ]);
    agent.wait_stderr("falco-rt: containers: 3 known at start");
    agent.wait_stderr("capturing");

    let before_start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    // The untrusted container last: once its alerts are out, the others' are too.
    PodmanCgroup::create(&trusted).start("/bin/true");
    PodmanCgroup::create(&plain).start("/bin/true");
    PodmanCgroup::create(&unknown).start("/bin/true");
    PodmanCgroup::create(&untrusted).start("/bin/true");
    let stdout = agent.stdout.clone();
    for rule in [
        "Launch Privileged Container",
        "Launch Sensitive Mount Container",
    ] {
        let last = agent.wait_line(&stdout, Duration::from_secs(30), |l| {
            l.contains(&untrusted[..12]) && l.contains(rule)
        });
        assert!(
            last.is_some(),
            "no {rule} alert for the untrusted container"
        );
    }

    let stdout = agent.stdout.lock().expect("lock").clone();
    let alerts = |id: &str, rule: &str| -> Vec<serde_json::Value> {
        stdout
            .iter()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|a| a["rule"] == rule && a["output_fields"]["container.id"] == id[..12])
            .collect()
    };
    const MOUNT: &str = "Launch Sensitive Mount Container";
    const PRIVILEGED: &str = "Launch Privileged Container";

    let mount_alerts = alerts(&untrusted, MOUNT);
    let [a] = mount_alerts.as_slice() else {
        panic!("one {MOUNT} alert for the untrusted container: {stdout:?}");
    };
    let fields = &a["output_fields"];
    assert_eq!(
        fields["container.mounts"],
        "/proc:/host/proc::false:rprivate"
    );
    // The container context appended by `suggested_output`, as upstream alerts get it.
    assert_eq!(fields["container.name"], "untrusted");
    assert_eq!(
        fields["container.image.repository"],
        "localhost/falco-rt-test"
    );
    assert_eq!(fields["container.image.tag"], "1");
    assert_eq!(fields["k8s.pod.name"], "web-1");
    assert_eq!(fields["k8s.ns.name"], "prod");
    let output = a["output"].as_str().expect("output");
    assert!(
        output.contains(&format!(
            "container_id={} container_name=untrusted container_image_repository=localhost/falco-rt-test container_image_tag=1 k8s_pod_name=web-1 k8s_ns_name=prod"
        , &untrusted[..12])),
        "{output}"
    );
    assert_eq!(alerts(&untrusted, PRIVILEGED).len(), 1);
    // `container.start_ts` is the kernel's, as the container plugin takes it: when the
    // init of the container's pid namespace (this process, pid 1 there) started. A
    // container no engine knows has it too.
    for a in [a, &alerts(&unknown, MOUNT)[0]] {
        let start = a["output_fields"]["container.start_ts"]
            .as_u64()
            .unwrap_or_else(|| panic!("container.start_ts: {a}"));
        // The boot clock's epoch offset is known to the millisecond.
        assert!(
            u128::from(start) + 1_000_000_000 > before_start,
            "container.start_ts {start} before the test's {before_start}"
        );
    }

    // The trusted image is an exception to both rules: it can only hold once
    // `container.image.repository` is known.
    assert!(alerts(&trusted, MOUNT).is_empty() && alerts(&trusted, PRIVILEGED).is_empty());

    // Not privileged, and a container no engine knows has no `container.privileged`.
    assert!(alerts(&plain, PRIVILEGED).is_empty() && alerts(&unknown, PRIVILEGED).is_empty());
    // "Launch Sensitive Mount Container" fires for a container without mounts, and for
    // one no engine knows, as it does in Falco: `sensitive_mount` is
    // `not container.mount.dest[P] in ("<NA>","N/A") or ...`, and a field without a
    // value makes `in` false, so `not ... in` true (Falco 0.44.1 with the container
    // plugin 0.7.1 replaying a capture of a container without mounts: `sensitive_mount`
    // holds, `container.mounts` is empty; docs/runtime.md).
    let plain_mount = alerts(&plain, MOUNT);
    assert_eq!(plain_mount.len(), 1, "{stdout:?}");
    assert_eq!(plain_mount[0]["output_fields"]["container.mounts"], "");
    assert_eq!(plain_mount[0]["output_fields"]["container.name"], "plain");
    let unknown_mount = alerts(&unknown, MOUNT);
    assert_eq!(unknown_mount.len(), 1, "{stdout:?}");
    // A field without a value is `null` in the JSON alert, as in Falco.
    assert!(unknown_mount[0]["output_fields"]["container.mounts"].is_null());
    assert!(
        unknown_mount[0]["output"]
            .as_str()
            .is_some_and(|o| o.contains("mounts=<NA> ")),
        "{unknown_mount:?}"
    );
    assert_eq!(agent.stop(), 0);
}
