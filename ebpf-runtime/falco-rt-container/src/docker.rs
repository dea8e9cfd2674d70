//! Docker's API and podman's (its own `libpod` endpoints on the same kind of socket):
//! inspect a container, list them, follow their creation. The fields are read as the
//! container plugin's docker and podman engines read them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use falco_events::{ContainerInfo, MountInfo};
use serde::Deserialize;

use crate::http::{self, HttpError};
use crate::image;
use crate::labels::kept_labels;

/// Which API a socket serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// Docker (and anything that speaks its API).
    Docker,
    /// Podman's libpod API.
    Podman,
}

/// A docker or podman socket.
#[derive(Clone, Debug)]
pub struct DockerApi {
    /// The unix socket.
    pub socket: PathBuf,
    /// Docker's API or podman's.
    pub flavour: Flavour,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct Inspect {
    id: String,
    name: String,
    image: String,
    config: Option<Config>,
    host_config: Option<HostConfig>,
    network_settings: Option<NetworkSettings>,
    mounts: Option<Vec<Mount>>,
    /// libpod only.
    image_name: String,
    /// libpod only.
    image_digest: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Config {
    image: String,
    labels: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct HostConfig {
    privileged: bool,
    network_mode: String,
    pid_mode: String,
    ipc_mode: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NetworkSettings {
    #[serde(rename = "IPAddress")]
    ip_address: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Mount {
    source: String,
    destination: String,
    mode: String,
    #[serde(rename = "RW")]
    rw: bool,
    propagation: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct ImageInspect {
    id: String,
    repo_tags: Option<Vec<String>>,
    repo_digests: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Listed {
    id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Event {
    #[serde(rename = "Type")]
    kind: String,
    action: String,
    actor: Actor,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Actor {
    #[serde(rename = "ID")]
    id: String,
}

fn json<T: for<'de> Deserialize<'de>>(bytes: &[u8], what: &str) -> Result<T, HttpError> {
    serde_json::from_slice(bytes).map_err(|e| HttpError::Failed(format!("{what}: {e}")))
}

impl DockerApi {
    /// The container type this engine reports (`container.type`).
    pub fn kind(&self) -> &'static str {
        match self.flavour {
            Flavour::Docker => "docker",
            Flavour::Podman => "podman",
        }
    }

    fn prefix(&self) -> &'static str {
        match self.flavour {
            Flavour::Docker => "/v1.41",
            Flavour::Podman => "/v4.0.0/libpod",
        }
    }

    /// The container `id` (full or short), `None` when the engine does not know it.
    pub async fn get(&self, id: &str) -> Result<Option<ContainerInfo>, HttpError> {
        let uri = format!("{}/containers/{id}/json", self.prefix());
        let inspect: Inspect = match http::get(&self.socket, &uri).await {
            Ok(body) => json(&body, &uri)?,
            Err(HttpError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(Some(self.info(inspect).await))
    }

    /// The ids of every container the engine has, running or not.
    pub async fn list(&self) -> Result<Vec<String>, HttpError> {
        let uri = match self.flavour {
            Flavour::Docker => format!("{}/containers/json?all=1", self.prefix()),
            Flavour::Podman => format!("{}/containers/json?all=true", self.prefix()),
        };
        let listed: Vec<Listed> = json(&http::get(&self.socket, &uri).await?, &uri)?;
        Ok(listed.into_iter().map(|c| c.id).collect())
    }

    /// Follows the engine's events, calling `created` with the id of each container
    /// created or started, until the stream ends or fails.
    pub async fn listen(&self, mut created: impl FnMut(String)) -> Result<(), HttpError> {
        // filters={"type":["container"],"event":["create","start"]}
        let filters = "%7B%22type%22%3A%5B%22container%22%5D%2C%22event%22%3A%5B%22create%22%2C%22start%22%5D%7D";
        let uri = match self.flavour {
            Flavour::Docker => format!("{}/events?filters={filters}", self.prefix()),
            Flavour::Podman => format!("{}/events?stream=true&filters={filters}", self.prefix()),
        };
        http::stream_lines(&self.socket, &uri, |line| {
            if let Ok(event) = serde_json::from_slice::<Event>(line)
                && event.kind == "container"
                && matches!(event.action.as_str(), "create" | "start")
                && !event.actor.id.is_empty()
            {
                created(event.actor.id);
            }
        })
        .await
    }

    /// The fields of an inspected container.
    pub(crate) async fn info(&self, c: Inspect) -> ContainerInfo {
        let config = c.config.unwrap_or_default();
        let host = c.host_config.unwrap_or_default();
        let mut ip = c.network_settings.unwrap_or_default().ip_address;
        let (image, image_id, repository, tag, digest) = match self.flavour {
            Flavour::Podman => {
                let (repo, tag) = image::repo_tag(&c.image_name);
                (
                    c.image_name.clone(),
                    c.image.clone(),
                    repo.to_string(),
                    tag.to_string(),
                    c.image_digest.clone(),
                )
            }
            Flavour::Docker => {
                let uri = format!("{}/images/{}/json", self.prefix(), c.image);
                let img: ImageInspect = match http::get(&self.socket, &uri).await {
                    Ok(body) => json(&body, &uri).unwrap_or_default(),
                    Err(_) => ImageInspect::default(),
                };
                let (repo, tag, digest) = image::docker_repo_tag_digest(
                    img.repo_digests.as_deref().unwrap_or_default(),
                    img.repo_tags.as_deref().unwrap_or_default(),
                );
                let image_id = img
                    .id
                    .strip_prefix("sha256:")
                    .unwrap_or(&img.id)
                    .to_string();
                (config.image.clone(), image_id, repo, tag, digest)
            }
        };
        // A container in another container's network namespace has that one's address.
        if ip.is_empty()
            && self.flavour == Flavour::Docker
            && let Some(other) = host.network_mode.strip_prefix("container:")
        {
            let uri = format!("{}/containers/{other}/json", self.prefix());
            if let Ok(body) = http::get(&self.socket, &uri).await
                && let Ok(other) = json::<Inspect>(&body, &uri)
            {
                ip = other.network_settings.unwrap_or_default().ip_address;
            }
        }
        ContainerInfo {
            id: c.id.chars().take(12).collect(),
            full_id: c.id.clone(),
            name: c.name.trim_start_matches('/').to_string(),
            kind: self.kind().to_string(),
            image,
            image_id,
            image_repository: repository,
            image_tag: tag,
            image_digest: digest,
            privileged: host.privileged,
            host_pid: host.pid_mode == "host",
            host_network: host.network_mode == "host",
            host_ipc: host.ipc_mode == "host",
            ip,
            labels: kept_labels(config.labels.unwrap_or_default()),
            mounts: c
                .mounts
                .unwrap_or_default()
                .into_iter()
                .map(|m| MountInfo {
                    source: m.source,
                    dest: m.destination,
                    mode: m.mode,
                    rdwr: m.rw,
                    propagation: m.propagation,
                })
                .collect(),
            pod_labels: Vec::new(),
        }
    }
}

/// The default sockets of the docker and podman engines under `root` (`/`, or the
/// host's root mounted in a container, `HOST_ROOT`): docker's, podman's for root, and
/// podman's of each user that has a runtime directory.
pub fn default_sockets(root: &Path) -> Vec<DockerApi> {
    let at = |p: &str| root.join(p.trim_start_matches('/'));
    let mut out = vec![
        DockerApi {
            socket: at("/var/run/docker.sock"),
            flavour: Flavour::Docker,
        },
        DockerApi {
            socket: at("/run/podman/podman.sock"),
            flavour: Flavour::Podman,
        },
    ];
    if let Ok(users) = std::fs::read_dir(at("/run/user")) {
        let mut dirs: Vec<PathBuf> = users.filter_map(Result::ok).map(|e| e.path()).collect();
        dirs.sort();
        out.extend(dirs.into_iter().map(|d| DockerApi {
            socket: d.join("podman/podman.sock"),
            flavour: Flavour::Podman,
        }));
    }
    out
}
