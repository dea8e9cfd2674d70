//! Container metadata from a real podman: containers made with `podman create`, its
//! API served by `podman system service` (the docker-compatible API and libpod's).

use std::time::{Duration, Instant};

use crate::support::podman::{self, Podman};
use falco_rt_container::docker::{DockerApi, Flavour};
use falco_rt_container::{Containers, Engines};
use falco_rt_enrich::ContainerMetadata;
use falco_rt_state::Runtime;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

const LABELS: &[&str] = &[
    "--label",
    "io.kubernetes.pod.name=web-1",
    "--label",
    "io.kubernetes.pod.namespace=prod",
    "--label",
    "io.kubernetes.pod.uid=0b5e9d0e-uid",
    "--label",
    "app=web",
];

#[test]
fn both_apis_describe_a_created_container() {
    if !podman::available("both_apis_describe_a_created_container") {
        return;
    }
    let mut p = Podman::new("apis");
    let mut args = vec!["--name", "web", "--privileged", "-v", "/proc:/host/proc:ro"];
    args.extend_from_slice(LABELS);
    let id = p.create(&args);
    let socket = p.socket();

    let libpod = DockerApi {
        socket: socket.clone(),
        flavour: Flavour::Podman,
    };
    let info = block_on(libpod.get(&id)).expect("answer").expect("known");
    assert_eq!(
        (info.id.as_str(), info.full_id.as_str()),
        (&id[..12], id.as_str())
    );
    assert_eq!((info.name.as_str(), info.kind.as_str()), ("web", "podman"));
    assert_eq!(info.image, podman::IMAGE);
    assert_eq!(
        (info.image_repository.as_str(), info.image_tag.as_str()),
        ("localhost/falco-rt-test", "1")
    );
    assert!(info.image_digest.starts_with("sha256:"), "{info:?}");
    assert!(info.privileged);
    assert_eq!(info.mounts.len(), 1, "{:?}", info.mounts);
    assert_eq!(
        (
            info.mounts[0].source.as_str(),
            info.mounts[0].dest.as_str(),
            info.mounts[0].rdwr
        ),
        ("/proc", "/host/proc", false)
    );
    let pod = info.pod();
    assert_eq!(
        (pod.name, pod.namespace, pod.uid),
        (Some("web-1"), Some("prod"), Some("0b5e9d0e-uid"))
    );
    assert_eq!(info.label("app"), Some("web"));

    // The docker-compatible API on the same socket gives the docker engine's reading.
    let compat = DockerApi {
        socket: socket.clone(),
        flavour: Flavour::Docker,
    };
    let docker = block_on(compat.get(&id[..12]))
        .expect("answer")
        .expect("known");
    assert_eq!(
        (docker.kind.as_str(), docker.full_id.as_str()),
        ("docker", id.as_str())
    );
    assert_eq!(docker.image, podman::IMAGE);
    assert_eq!(
        (docker.image_repository.as_str(), docker.image_tag.as_str()),
        ("localhost/falco-rt-test", "1")
    );
    assert_eq!(docker.image_digest, info.image_digest);
    assert_eq!(docker.labels, info.labels);
    assert!(docker.privileged && docker.mounts == info.mounts);

    assert_eq!(block_on(libpod.get(&"0".repeat(64))).expect("answer"), None);
    let listed = block_on(libpod.list()).expect("list");
    assert_eq!(listed, vec![id]);
}

#[test]
fn the_cache_learns_containers_at_start_from_events_and_on_demand() {
    if !podman::available("the_cache_learns_containers_at_start_from_events_and_on_demand") {
        return;
    }
    let mut p = Podman::new("cache");
    let before = p.create(&["--name", "before"]);
    let socket = p.socket();
    let engines = Engines::from_specs(&[format!("podman:{}", socket.display())]).expect("spec");
    let cache = Containers::start(engines).expect("start");
    let wait = |what: &str, done: &dyn Fn() -> bool| {
        let end = Instant::now() + Duration::from_secs(60);
        while !done() {
            assert!(Instant::now() < end, "{what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    // Listed at start: known without being asked.
    wait("the listed container", &|| cache.known() == 1);
    let known = cache.lookup(&before, Runtime::Podman).expect("known");
    assert_eq!(known.info.name, "before");
    let asked = cache
        .stats
        .lookups
        .load(std::sync::atomic::Ordering::Relaxed);

    // Created later: the event stream brings it, still without being asked.
    let generation = cache.generation();
    let mut args = vec!["--name", "after"];
    args.extend_from_slice(LABELS);
    let after = p.create(&args);
    wait("the created container", &|| cache.known() == 2);
    assert!(cache.generation() > generation);
    assert_eq!(
        cache
            .stats
            .lookups
            .load(std::sync::atomic::Ordering::Relaxed),
        asked,
        "learnt from the event, not from a lookup"
    );
    let known = cache.lookup(&after, Runtime::Podman).expect("known");
    assert_eq!(known.info.pod().name, Some("web-1"));

    // An id no engine knows: asked, not found, and left alone.
    let nobody = "c".repeat(64);
    assert!(cache.lookup(&nobody, Runtime::Docker).is_none());
    wait("the miss", &|| {
        cache
            .stats
            .misses
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
    });
    assert!(cache.lookup(&nobody, Runtime::Docker).is_none());
    cache.stop();
}
