//! A real podman for tests: its own storage under a scratch directory, an image made by
//! `podman import` of a busybox-static root file system, containers made by `podman
//! create` (they cannot run in the test sandbox), and `podman system service` serving
//! the docker-compatible and libpod APIs on a unix socket.

#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The image every test container is made from.
pub const IMAGE: &str = "localhost/falco-rt-test:1";

/// Whether podman and a static busybox are installed; without them the tests skip,
/// unless `FALCO_TEST_ALL=1` (CI installs both through scripts/install-deps).
pub fn available(test: &str) -> bool {
    let podman = Command::new("podman")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let busybox = Path::new("/bin/busybox").exists();
    let root = rustix::process::geteuid().is_root();
    let ready = if podman && busybox && root {
        Ok(())
    } else {
        Err("it needs root, podman and /bin/busybox (busybox-static)".to_owned())
    };
    falco_test_budget::available(test, ready)
}

/// A podman with its own storage and API socket, removed when dropped.
pub struct Podman {
    pub dir: PathBuf,
    service: Option<Child>,
}

impl Podman {
    /// Storage under a new scratch directory, with the test image imported.
    pub fn new(name: &str) -> Podman {
        let dir =
            std::env::temp_dir().join(format!("falco-rt-podman-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("rootfs/bin")).expect("scratch dir");
        std::fs::copy("/bin/busybox", dir.join("rootfs/bin/busybox")).expect("busybox");
        std::os::unix::fs::symlink("busybox", dir.join("rootfs/bin/sh")).expect("sh");
        let tar = dir.join("rootfs.tar");
        let ok = Command::new("tar")
            .arg("-C")
            .arg(dir.join("rootfs"))
            .arg("-cf")
            .arg(&tar)
            .arg(".")
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "tar of the root file system");
        let podman = Podman { dir, service: None };
        podman.run(&["import", tar.to_str().expect("utf8"), IMAGE]);
        podman
    }

    /// `podman` with this instance's storage.
    pub fn command(&self) -> Command {
        let mut c = Command::new("podman");
        c.arg("--root")
            .arg(self.dir.join("root"))
            .arg("--runroot")
            .arg(self.dir.join("run"))
            .arg("--tmpdir")
            .arg(self.dir.join("tmp"))
            .args([
                "--storage-driver",
                "vfs",
                "--cgroup-manager",
                "cgroupfs",
                "--events-backend",
                "file",
            ]);
        c
    }

    /// Runs `podman ARGS`; its standard output, trimmed.
    pub fn run(&self, args: &[&str]) -> String {
        let out = self.command().args(args).output().expect("podman");
        assert!(
            out.status.success(),
            "podman {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// `podman create ARGS IMAGE /bin/sh`; the new container's full id.
    pub fn create(&self, args: &[&str]) -> String {
        let mut all = vec!["create"];
        all.extend_from_slice(args);
        all.extend_from_slice(&[IMAGE, "/bin/sh"]);
        self.run(&all)
    }

    /// The API socket, starting `podman system service` on it the first time.
    pub fn socket(&mut self) -> PathBuf {
        let socket = self.dir.join("api.sock");
        if self.service.is_none() {
            let child = self
                .command()
                .args(["system", "service", "--time", "0"])
                .arg(format!("unix://{}", socket.display()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("podman system service");
            self.service = Some(child);
            let end = Instant::now() + Duration::from_secs(60);
            while !socket.exists() {
                assert!(Instant::now() < end, "the podman API socket did not appear");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        socket
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        if let Some(mut child) = self.service.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = self.command().args(["rm", "--all", "--force"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
