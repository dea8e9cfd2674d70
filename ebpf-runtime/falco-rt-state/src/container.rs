//! Container ids from cgroup paths (`/proc/PID/cgroup`).
//!
//! Recognised layouts, for cgroup v1 and v2 (`0::/...`) lines alike:
//! - docker: `/docker/<id>`, `/system.slice/docker-<id>.scope`
//! - containerd (CRI): `.../cri-containerd-<id>.scope`, `/kubepods/.../pod<uid>/<id>`
//! - cri-o: `.../crio-<id>.scope`, `.../crio-<id>`
//! - podman: `.../libpod-<id>.scope`, `/libpod_parent/libpod-<id>`
//!
//! where `<id>` is 64 lowercase hex digits. The conmon/monitor scopes
//! (`crio-conmon-`, `libpod-conmon-`) are not containers. Anything else is
//! the host.

use std::fmt;

/// The container runtime a cgroup path belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Runtime {
    /// Docker (moby).
    Docker,
    /// containerd through its CRI plugin (Kubernetes).
    Containerd,
    /// CRI-O.
    CriO,
    /// Podman (libpod).
    Podman,
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Docker => "docker",
            Self::Containerd => "containerd",
            Self::CriO => "cri-o",
            Self::Podman => "podman",
        })
    }
}

/// Where a process runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Container {
    /// Not in a recognised container.
    #[default]
    Host,
    /// In a container.
    Id {
        /// The full 64-hex-digit id.
        full: String,
        /// Which runtime's layout matched.
        runtime: Runtime,
    },
}

impl Container {
    /// `container.id`: the first 12 hex digits, or `host`.
    pub fn id(&self) -> &str {
        match self {
            Self::Host => "host",
            Self::Id { full, .. } => full.get(..12).unwrap_or(full),
        }
    }

    /// The runtime, if in a container.
    pub fn runtime(&self) -> Option<Runtime> {
        match self {
            Self::Host => None,
            Self::Id { runtime, .. } => Some(*runtime),
        }
    }

    /// The container of the first cgroup line (of `/proc/PID/cgroup` text) that names one.
    pub fn from_cgroup_file(text: &str) -> Self {
        text.lines()
            .filter_map(|l| l.splitn(3, ':').nth(2))
            .map(Self::from_cgroup_path)
            .find(|c| *c != Self::Host)
            .unwrap_or_default()
    }

    /// The container named by the cgroup components an exec record carries
    /// (leaf first, NUL-separated, v2 then v1 memory controller); `Host` if neither names one.
    pub fn from_kernel_names(v2: &[u8], v1: &[u8]) -> Self {
        [v2, v1]
            .into_iter()
            .map(|block| {
                let block = block.strip_suffix(b"\0").unwrap_or(block);
                let mut names: Vec<String> = block
                    .split(|&b| b == 0)
                    .filter(|n| !n.is_empty())
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .collect();
                names.reverse();
                Self::from_cgroup_path(&format!("/{}", names.join("/")))
            })
            .find(|c| *c != Self::Host)
            .unwrap_or_default()
    }

    /// The container a single cgroup path names.
    pub fn from_cgroup_path(path: &str) -> Self {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        // The innermost container-looking segment wins.
        for (i, seg) in segments.iter().enumerate().rev() {
            let parent = i
                .checked_sub(1)
                .and_then(|p| segments.get(p))
                .copied()
                .unwrap_or("");
            if let Some(c) = classify(seg, parent, &segments) {
                return c;
            }
        }
        Self::Host
    }
}

fn classify(seg: &str, parent: &str, all: &[&str]) -> Option<Container> {
    let seg = seg.strip_suffix(".scope").unwrap_or(seg);
    if seg.starts_with("crio-conmon-") || seg.starts_with("libpod-conmon-") {
        return None;
    }
    const PREFIXES: &[(&str, Runtime)] = &[
        ("docker-", Runtime::Docker),
        ("cri-containerd-", Runtime::Containerd),
        ("crio-", Runtime::CriO),
        ("libpod-", Runtime::Podman),
    ];
    for (prefix, runtime) in PREFIXES {
        if let Some(id) = seg.strip_prefix(prefix) {
            return is_id(id).then(|| Container::Id {
                full: id.to_string(),
                runtime: *runtime,
            });
        }
    }
    if !is_id(seg) {
        return None;
    }
    let runtime = if parent == "docker" {
        Runtime::Docker
    } else if all.iter().any(|s| s.starts_with("kubepods")) {
        Runtime::Containerd
    } else if parent == "libpod_parent" || parent.starts_with("machine") {
        Runtime::Podman
    } else {
        return None;
    };
    Some(Container::Id {
        full: seg.to_string(),
        runtime,
    })
}

fn is_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
