//! Container and pod metadata for falco-rt, as Falco's container plugin provides it.
//!
//! The capture knows each process's container id from its cgroup
//! (`falco-rt-state`). Everything else (`container.name`, `.image*`, `.labels`,
//! `.mounts`, `.privileged`, `.ip`, the `k8s.pod.*` fields from the kubelet's
//! `io.kubernetes.pod.*` labels) comes from the container engines' APIs:
//!
//! - [`docker`]: docker's API and podman's (`libpod`), HTTP over their unix sockets;
//! - [`cri`]: the Kubernetes CRI (containerd, CRI-O), gRPC over a unix socket.
//!
//! [`Containers`] is the cache the capture loop reads through
//! [`falco_rt_enrich::ContainerMetadata`]: it never waits; a container it does not know
//! yet is `<NA>` but its id, as in Falco while a lookup is pending, and a lookup is
//! queued to a thread of its own ([`resolver`]) that lists the engines' containers at
//! start, follows docker's and podman's event streams, and answers on-demand lookups.
//! Every request is bounded in time and size ([`http`]).

pub mod cache;
pub mod cri;
pub mod docker;
pub mod http;
pub mod image;
pub mod labels;
pub mod resolver;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use cache::Containers;

use cri::CriApi;
use docker::{DockerApi, Flavour};

/// The engine sockets to ask.
#[derive(Clone, Debug, Default)]
pub struct Engines {
    /// Docker and podman sockets.
    pub docker: Vec<DockerApi>,
    /// CRI sockets.
    pub cri: Vec<CriApi>,
}

impl Engines {
    /// The container plugin's default sockets, under `root` (`/`, or the host's root
    /// where the agent runs in a container: the `HOST_ROOT` environment variable).
    pub fn defaults(root: &Path) -> Engines {
        Engines {
            docker: docker::default_sockets(root),
            cri: cri::default_sockets(root),
        }
    }

    /// Sockets given as `KIND:PATH`, `KIND` one of `docker`, `podman`, `cri`.
    pub fn from_specs(specs: &[String]) -> Result<Engines, String> {
        let mut engines = Engines::default();
        for spec in specs {
            let Some((kind, path)) = spec.split_once(':') else {
                return Err(format!(
                    "`{spec}`: expected KIND:PATH (docker, podman or cri)"
                ));
            };
            let socket = PathBuf::from(path);
            match kind {
                "docker" => engines.docker.push(DockerApi {
                    socket,
                    flavour: Flavour::Docker,
                }),
                "podman" => engines.docker.push(DockerApi {
                    socket,
                    flavour: Flavour::Podman,
                }),
                "cri" => engines.cri.push(CriApi { socket }),
                _ => return Err(format!("`{spec}`: the kinds are docker, podman and cri")),
            }
        }
        Ok(engines)
    }
}
