use std::collections::HashMap;

use falco_events::{ContainerInfo, MountInfo};
use falco_rt_enrich::ContainerMetadata;
use falco_rt_state::Runtime;

use crate::cri;
use crate::docker::{DockerApi, Flavour};
use crate::{Containers, Engines};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// What podman's libpod API answered for a container made by `podman create --name web
/// --label io.kubernetes.pod.name=web-1 ... -v /proc:/host/proc:ro --privileged` (trimmed).
const LIBPOD_INSPECT: &str = r#"{"Id":"9a86bf1acf7534b656edf23f0e78eb5e2fbfa690fd3a3ebc2c4fdb90e95bf965",
 "Created":"2026-12-07T16:00:45.278420242Z","Name":"web",
 "Image":"56ae043b621b79e3aac38578b651281e4a501b8e16299eb522a79e4cf5a12dc4",
 "ImageName":"localhost/busybox:test",
 "ImageDigest":"sha256:734a89d06e0e8cc18e856901cd8f7a6fe7c29d9140babb6a53cd2e55167d07ea",
 "Mounts":[{"Type":"bind","Source":"/proc","Destination":"/host/proc","Driver":"","Mode":"","Options":["rbind"],"RW":false,"Propagation":"rprivate"}],
 "NetworkSettings":{"IPAddress":""},
 "Config":{"Labels":{"app":"x","io.kubernetes.pod.name":"web-1","io.kubernetes.pod.namespace":"prod","long":"LONG"},"Image":"localhost/busybox:test"},
 "HostConfig":{"Privileged":true,"PidMode":"private","IpcMode":"shareable","NetworkMode":"bridge"}}"#;

#[test]
fn podman_inspect_gives_the_plugins_fields() {
    let api = DockerApi {
        socket: "/nonexistent".into(),
        flavour: Flavour::Podman,
    };
    let long = "v".repeat(101);
    let inspect = serde_json::from_str(&LIBPOD_INSPECT.replace("LONG", &long)).expect("json");
    let info = block_on(api.info(inspect));
    assert_eq!(
        info,
        ContainerInfo {
            id: "9a86bf1acf75".into(),
            full_id: "9a86bf1acf7534b656edf23f0e78eb5e2fbfa690fd3a3ebc2c4fdb90e95bf965".into(),
            name: "web".into(),
            kind: "podman".into(),
            image: "localhost/busybox:test".into(),
            image_id: "56ae043b621b79e3aac38578b651281e4a501b8e16299eb522a79e4cf5a12dc4".into(),
            image_repository: "localhost/busybox".into(),
            image_tag: "test".into(),
            image_digest: "sha256:734a89d06e0e8cc18e856901cd8f7a6fe7c29d9140babb6a53cd2e55167d07ea"
                .into(),
            privileged: true,
            host_pid: false,
            host_network: false,
            host_ipc: false,
            ip: String::new(),
            // Sorted; the label longer than 100 bytes is left out.
            labels: vec![
                ("app".into(), "x".into()),
                ("io.kubernetes.pod.name".into(), "web-1".into()),
                ("io.kubernetes.pod.namespace".into(), "prod".into()),
            ],
            mounts: vec![MountInfo {
                source: "/proc".into(),
                dest: "/host/proc".into(),
                mode: String::new(),
                rdwr: false,
                propagation: "rprivate".into(),
            }],
            pod_labels: vec![],
        }
    );
    assert_eq!(info.pod().name, Some("web-1"));
    assert_eq!(info.pod().namespace, Some("prod"));
}

#[test]
fn cri_status_gives_the_plugins_fields() {
    let status = cri::ContainerStatus {
        id: "f".repeat(64),
        metadata: Some(cri::ContainerMetadata { name: "app".into() }),
        created_at: 0,
        image: Some(cri::ImageSpec {
            image: "docker.io/library/nginx:1.25".into(),
        }),
        image_ref: "docker.io/library/nginx@sha256:abc".into(),
        labels: HashMap::from([("team".to_string(), "blue".to_string())]),
        mounts: vec![cri::Mount {
            container_path: "/var/run/docker.sock".into(),
            host_path: "/run/docker.sock".into(),
            readonly: true,
            propagation: 1,
        }],
        image_id: "sha256:123".into(),
    };
    let info_json = r#"{"privileged":false,"runtimeSpec":{"annotations":{},"linux":{"security_context":{"privileged":true}}}}"#;
    let sandbox = cri::PodSandboxStatus {
        id: "a".repeat(64),
        metadata: Some(cri::PodSandboxMetadata {
            name: "web-1".into(),
            uid: "uid-1".into(),
            namespace: "prod".into(),
        }),
        network: Some(cri::PodSandboxNetworkStatus {
            ip: "10.0.0.7".into(),
        }),
        linux: Some(cri::LinuxPodSandboxStatus {
            namespaces: Some(cri::Namespace {
                options: Some(cri::NamespaceOption {
                    network: 2,
                    pid: 1,
                    ipc: 0,
                }),
            }),
        }),
        labels: HashMap::from([("app".to_string(), "web".to_string())]),
    };
    let info = cri::info(
        "containerd",
        &status,
        &HashMap::from([("info".to_string(), info_json.to_string())]),
        Some(&sandbox),
    );
    assert_eq!(info.kind, "containerd");
    assert_eq!(info.name, "app");
    assert_eq!(info.image, "docker.io/library/nginx:1.25");
    assert_eq!(
        (info.image_repository.as_str(), info.image_tag.as_str()),
        ("docker.io/library/nginx", "1.25")
    );
    assert_eq!(info.image_digest, "sha256:abc");
    assert!(info.privileged, "the runtime spec's security context wins");
    assert!(info.host_network && !info.host_pid && !info.host_ipc);
    assert_eq!(info.ip, "10.0.0.7");
    let pod = info.pod();
    assert_eq!(
        (pod.name, pod.namespace, pod.uid, pod.ip),
        (Some("web-1"), Some("prod"), Some("uid-1"), Some("10.0.0.7"))
    );
    assert_eq!(info.label("team"), Some("blue"));
    assert_eq!(
        info.label("io.kubernetes.sandbox.id"),
        Some("a".repeat(64).as_str())
    );
    assert_eq!(
        info.pod_labels,
        vec![("app".to_string(), "web".to_string())]
    );
    assert_eq!(
        info.mounts,
        vec![MountInfo {
            source: "/run/docker.sock".into(),
            dest: "/var/run/docker.sock".into(),
            mode: String::new(),
            rdwr: false,
            propagation: "rslave".into(),
        }]
    );
}

#[test]
fn engine_specs() {
    let e = Engines::from_specs(&["docker:/a".into(), "podman:/b".into(), "cri:/c".into()])
        .expect("specs");
    assert_eq!(e.docker.len(), 2);
    assert_eq!(e.docker[1].flavour, Flavour::Podman);
    assert_eq!(e.cri[0].socket, std::path::Path::new("/c"));
    assert!(Engines::from_specs(&["lxc:/x".into()]).is_err());
    assert!(Engines::from_specs(&["/x".into()]).is_err());
}

#[test]
fn the_cache_answers_without_waiting_and_counts_new_metadata() {
    let cache = Containers::detached();
    let id = "b".repeat(64);
    assert_eq!(cache.lookup(&id, Runtime::Docker), None);
    let before = cache.generation();
    cache.insert(ContainerInfo {
        id: id[..12].to_string(),
        full_id: id.clone(),
        name: "web".into(),
        ..ContainerInfo::default()
    });
    assert!(cache.generation() > before, "new metadata is announced");
    let known = cache.lookup(&id, Runtime::Docker).expect("known");
    assert_eq!(known.info.name, "web");
    // The same metadata again changes nothing.
    let now = cache.generation();
    cache.insert(known.info.clone());
    assert_eq!(cache.generation(), now);
}
