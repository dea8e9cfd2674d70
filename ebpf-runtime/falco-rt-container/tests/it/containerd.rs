//! The CRI client against a real containerd (Debian's 1.6, its CRI plugin on a socket
//! of the test's own). Its pods cannot be started in the test sandbox (a pod sandbox
//! runs a container), so what is checked is what a runtime without the container
//! answers: the runtime's name (which gives `container.type`), an empty list, and "not
//! found" for an id it does not have, which leaves the container's fields `<NA>`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use falco_rt_container::cri::CriApi;
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

/// A containerd with its own root, state and socket, stopped when dropped.
struct Containerd {
    dir: PathBuf,
    child: Child,
}

impl Containerd {
    fn start() -> Option<Containerd> {
        let installed = Command::new("containerd")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed || !rustix::process::geteuid().is_root() {
            let why = "it needs root and containerd".to_owned();
            falco_test_budget::available("the CRI test", Err(why));
            return None;
        }
        let dir = std::env::temp_dir().join(format!("falco-rt-containerd-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let config = format!(
            "version = 2\nroot = \"{0}/root\"\nstate = \"{0}/state\"\n[grpc]\n  address = \"{0}/containerd.sock\"\n\
             [plugins.\"io.containerd.grpc.v1.cri\"]\n  disable_cgroup = true\n  \
             [plugins.\"io.containerd.grpc.v1.cri\".containerd]\n    snapshotter = \"native\"\n",
            dir.display()
        );
        std::fs::write(dir.join("config.toml"), config).expect("config");
        let child = Command::new("containerd")
            .arg("--config")
            .arg(dir.join("config.toml"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("containerd");
        let c = Containerd { dir, child };
        let end = Instant::now() + Duration::from_secs(60);
        while !c.socket().exists() {
            assert!(Instant::now() < end, "containerd's socket did not appear");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(c)
    }

    fn socket(&self) -> PathBuf {
        self.dir.join("containerd.sock")
    }
}

impl Drop for Containerd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn containerd_cri_answers_version_list_and_not_found() {
    let Some(containerd) = Containerd::start() else {
        return;
    };
    let api = CriApi {
        socket: containerd.socket(),
    };
    // One runtime for the whole conversation: a channel's connection lives on the
    // runtime it was made on. The CRI plugin may still be starting when the socket
    // appears.
    block_on(async {
        let end = Instant::now() + Duration::from_secs(60);
        let mut client = loop {
            match api.connect().await {
                Ok(c) => break c,
                Err(e) => {
                    assert!(Instant::now() < end, "no CRI answer: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        };
        assert_eq!(client.kind(), "containerd");
        assert_eq!(client.list().await, Ok(Vec::new()));
        assert_eq!(client.get(&"d".repeat(64)).await, Ok(None));
    });

    // Through the cache: a container no engine knows is missed and stays unknown.
    let engines =
        Engines::from_specs(&[format!("cri:{}", containerd.socket().display())]).expect("spec");
    let cache = Containers::start(engines).expect("start");
    let id = "e".repeat(64);
    assert!(cache.lookup(&id, Runtime::Containerd).is_none());
    let end = Instant::now() + Duration::from_secs(60);
    while cache
        .stats
        .misses
        .load(std::sync::atomic::Ordering::Relaxed)
        == 0
    {
        assert!(Instant::now() < end, "the lookup did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(cache.lookup(&id, Runtime::Containerd).is_none());
    cache.stop();
}

#[test]
fn a_missing_socket_is_an_error_not_a_hang() {
    let api = CriApi {
        socket: Path::new("/nonexistent/falco-rt/cri.sock").to_path_buf(),
    };
    assert!(block_on(api.connect()).is_err());
}
