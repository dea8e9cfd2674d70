//! The Kubernetes Container Runtime Interface (containerd, CRI-O) over gRPC: the few
//! `runtime.v1.RuntimeService` calls the container plugin makes, and its reading of
//! the answers.
//!
//! The messages below are the fields of `k8s.io/cri-api`'s `api.proto` that are read,
//! with their field numbers (protobuf skips the others), declared with prost's derive
//! instead of generated code, so that no `protoc` is needed to build.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use falco_events::{ContainerInfo, MountInfo};
use http::uri::PathAndQuery;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tonic::transport::{Channel, Endpoint};

use crate::image;
use crate::labels::kept_labels;

/// A CRI socket.
#[derive(Clone, Debug)]
pub struct CriApi {
    /// The unix socket.
    pub socket: PathBuf,
}

/// How long one call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct VersionRequest {
    #[prost(string, tag = "1")]
    pub version: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct VersionResponse {
    #[prost(string, tag = "1")]
    pub version: String,
    #[prost(string, tag = "2")]
    pub runtime_name: String,
    #[prost(string, tag = "3")]
    pub runtime_version: String,
    #[prost(string, tag = "4")]
    pub runtime_api_version: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ContainerFilter {
    #[prost(string, tag = "1")]
    pub id: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ListContainersRequest {
    #[prost(message, optional, tag = "1")]
    pub filter: Option<ContainerFilter>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ListContainersResponse {
    #[prost(message, repeated, tag = "1")]
    pub containers: Vec<Container>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Container {
    #[prost(string, tag = "1")]
    pub id: String,
    #[prost(string, tag = "2")]
    pub pod_sandbox_id: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ContainerStatusRequest {
    #[prost(string, tag = "1")]
    pub container_id: String,
    #[prost(bool, tag = "2")]
    pub verbose: bool,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ContainerStatusResponse {
    #[prost(message, optional, tag = "1")]
    pub status: Option<ContainerStatus>,
    #[prost(map = "string, string", tag = "2")]
    pub info: HashMap<String, String>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ContainerStatus {
    #[prost(string, tag = "1")]
    pub id: String,
    #[prost(message, optional, tag = "2")]
    pub metadata: Option<ContainerMetadata>,
    #[prost(int64, tag = "4")]
    pub created_at: i64,
    #[prost(message, optional, tag = "8")]
    pub image: Option<ImageSpec>,
    #[prost(string, tag = "9")]
    pub image_ref: String,
    #[prost(map = "string, string", tag = "12")]
    pub labels: HashMap<String, String>,
    #[prost(message, repeated, tag = "14")]
    pub mounts: Vec<Mount>,
    #[prost(string, tag = "17")]
    pub image_id: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ContainerMetadata {
    #[prost(string, tag = "1")]
    pub name: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ImageSpec {
    #[prost(string, tag = "1")]
    pub image: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Mount {
    #[prost(string, tag = "1")]
    pub container_path: String,
    #[prost(string, tag = "2")]
    pub host_path: String,
    #[prost(bool, tag = "3")]
    pub readonly: bool,
    /// 0 private, 1 host to container, 2 bidirectional.
    #[prost(int32, tag = "5")]
    pub propagation: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PodSandboxStatusRequest {
    #[prost(string, tag = "1")]
    pub pod_sandbox_id: String,
    #[prost(bool, tag = "2")]
    pub verbose: bool,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PodSandboxStatusResponse {
    #[prost(message, optional, tag = "1")]
    pub status: Option<PodSandboxStatus>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PodSandboxStatus {
    #[prost(string, tag = "1")]
    pub id: String,
    #[prost(message, optional, tag = "2")]
    pub metadata: Option<PodSandboxMetadata>,
    #[prost(message, optional, tag = "5")]
    pub network: Option<PodSandboxNetworkStatus>,
    #[prost(message, optional, tag = "6")]
    pub linux: Option<LinuxPodSandboxStatus>,
    #[prost(map = "string, string", tag = "7")]
    pub labels: HashMap<String, String>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PodSandboxMetadata {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub uid: String,
    #[prost(string, tag = "3")]
    pub namespace: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PodSandboxNetworkStatus {
    #[prost(string, tag = "1")]
    pub ip: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct LinuxPodSandboxStatus {
    #[prost(message, optional, tag = "1")]
    pub namespaces: Option<Namespace>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Namespace {
    #[prost(message, optional, tag = "2")]
    pub options: Option<NamespaceOption>,
}

/// Each namespace's mode: 0 pod, 1 container, 2 node (the host's), 3 target.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct NamespaceOption {
    #[prost(int32, tag = "1")]
    pub network: i32,
    #[prost(int32, tag = "2")]
    pub pid: i32,
    #[prost(int32, tag = "3")]
    pub ipc: i32,
}

/// `NamespaceMode.NODE`: the host's namespace.
const NODE: i32 = 2;

/// The parts of a container status's verbose `info` JSON the plugin reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Info {
    privileged: Option<bool>,
    config: Option<InfoConfig>,
    #[serde(rename = "runtimeSpec")]
    runtime_spec: Option<RuntimeSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InfoConfig {
    linux: Option<InfoLinux>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RuntimeSpec {
    annotations: HashMap<String, String>,
    linux: Option<InfoLinux>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InfoLinux {
    security_context: Option<SecurityContext>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SecurityContext {
    privileged: Option<bool>,
}

impl Info {
    /// The runtime spec's `privileged`, else the config's, else the top-level one.
    fn privileged(&self) -> bool {
        let of = |l: &Option<InfoLinux>| {
            l.as_ref()
                .and_then(|l| l.security_context.as_ref())
                .and_then(|s| s.privileged)
        };
        self.runtime_spec
            .as_ref()
            .and_then(|r| of(&r.linux))
            .or_else(|| self.config.as_ref().and_then(|c| of(&c.linux)))
            .or(self.privileged)
            .unwrap_or(false)
    }

    fn annotation(&self, key: &str) -> Option<&str> {
        self.runtime_spec
            .as_ref()
            .and_then(|r| r.annotations.get(key))
            .map(String::as_str)
    }
}

/// A connected CRI runtime.
#[derive(Clone)]
pub struct CriClient {
    grpc: tonic::client::Grpc<Channel>,
    /// `container.type`: `containerd`, `cri-o`, or `cri` for another runtime.
    kind: &'static str,
}

fn status(e: tonic::Status) -> String {
    format!("{}: {}", e.code(), e.message())
}

impl CriApi {
    /// Connects and asks the runtime's name (`Version`).
    pub async fn connect(&self) -> Result<CriClient, String> {
        let socket = self.socket.clone();
        let channel = Endpoint::try_from("http://localhost")
            .map_err(|e| e.to_string())?
            .connect_timeout(CALL_TIMEOUT)
            .timeout(CALL_TIMEOUT)
            .connect_with_connector(tower::service_fn(move |_: http::Uri| {
                let socket = socket.clone();
                async move {
                    tokio::net::UnixStream::connect(socket)
                        .await
                        .map(TokioIo::new)
                }
            }))
            .await
            .map_err(|e| format!("{}: {e}", self.socket.display()))?;
        let mut client = CriClient {
            grpc: tonic::client::Grpc::new(channel),
            kind: "cri",
        };
        let version: VersionResponse = client
            .call("Version", VersionRequest::default())
            .await
            .map_err(|e| format!("{}: Version: {e}", self.socket.display()))?;
        client.kind = match version.runtime_name.as_str() {
            "containerd" => "containerd",
            "cri-o" => "cri-o",
            _ => "cri",
        };
        Ok(client)
    }
}

impl CriClient {
    /// The container type this runtime reports.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    async fn call<Q, A>(&mut self, method: &'static str, request: Q) -> Result<A, String>
    where
        Q: prost::Message + Send + Sync + 'static,
        A: prost::Message + Default + Send + Sync + 'static,
    {
        self.grpc.ready().await.map_err(|e| e.to_string())?;
        let path = PathAndQuery::from_maybe_shared(format!("/runtime.v1.RuntimeService/{method}"))
            .map_err(|e| e.to_string())?;
        self.grpc
            .unary(
                tonic::Request::new(request),
                path,
                tonic_prost::ProstCodec::default(),
            )
            .await
            .map(tonic::Response::into_inner)
            .map_err(status)
    }

    /// The ids of the runtime's containers.
    pub async fn list(&mut self) -> Result<Vec<String>, String> {
        let listed: ListContainersResponse = self
            .call("ListContainers", ListContainersRequest::default())
            .await?;
        Ok(listed.containers.into_iter().map(|c| c.id).collect())
    }

    /// Container `id`, `None` when the runtime does not know it.
    pub async fn get(&mut self, id: &str) -> Result<Option<ContainerInfo>, String> {
        let listed: ListContainersResponse = self
            .call(
                "ListContainers",
                ListContainersRequest {
                    filter: Some(ContainerFilter { id: id.to_string() }),
                },
            )
            .await?;
        let Some(container) = listed.containers.into_iter().next() else {
            return Ok(None);
        };
        let answer: ContainerStatusResponse = match self
            .call(
                "ContainerStatus",
                ContainerStatusRequest {
                    container_id: container.id.clone(),
                    verbose: true,
                },
            )
            .await
        {
            Ok(a) => a,
            Err(e) if e.starts_with("NotFound") => return Ok(None),
            Err(e) => return Err(e),
        };
        let sandbox: PodSandboxStatusResponse = self
            .call(
                "PodSandboxStatus",
                PodSandboxStatusRequest {
                    pod_sandbox_id: container.pod_sandbox_id.clone(),
                    verbose: false,
                },
            )
            .await
            .unwrap_or_default();
        Ok(answer
            .status
            .as_ref()
            .map(|s| info(self.kind, s, &answer.info, sandbox.status.as_ref())))
    }
}

/// The fields of a CRI container, read as the container plugin reads them.
pub(crate) fn info(
    kind: &str,
    status: &ContainerStatus,
    info: &HashMap<String, String>,
    sandbox: Option<&PodSandboxStatus>,
) -> ContainerInfo {
    let verbose: Info = info
        .get("info")
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let mut labels: Vec<(String, String)> = status
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    labels.push((
        "io.kubernetes.sandbox.id".into(),
        sandbox.map_or_else(|| status.id.clone(), |s| s.id.clone()),
    ));
    if let Some(m) = sandbox.and_then(|s| s.metadata.as_ref()) {
        labels.push(("io.kubernetes.pod.uid".into(), m.uid.clone()));
        labels.push(("io.kubernetes.pod.name".into(), m.name.clone()));
        labels.push(("io.kubernetes.pod.namespace".into(), m.namespace.clone()));
    }
    // Later pushes win over the container's own labels of the same name, as in the plugin.
    let labels = kept_labels(dedup_last(labels));
    let pod_labels = kept_labels(
        sandbox
            .map(|s| s.labels.clone().into_iter().collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    let (name, digest, mut tag_from_image) = image_ref(status);
    let mut image = name;
    let annotated = [
        "io.kubernetes.cri.image-name",
        "io.kubernetes.cri-o.Image",
        "io.kubernetes.cri-o.ImageName",
    ]
    .iter()
    .find_map(|k| verbose.annotation(k));
    if (image.is_empty() || image.starts_with("sha256"))
        && let Some(annotated) = annotated
    {
        image = annotated.to_string();
        tag_from_image = false;
    }
    let (repo, mut tag) = {
        let (r, t) = image::repo_tag(&image);
        (r.to_string(), t.to_string())
    };
    if tag_from_image {
        let spec = status.image.as_ref().map_or("", |i| i.image.as_str());
        let (_, t) = image::repo_tag(spec);
        if !t.is_empty() {
            tag = t.to_string();
            image = format!("{image}:{tag}");
        }
    }
    let namespaces = sandbox
        .and_then(|s| s.linux.as_ref())
        .and_then(|l| l.namespaces.as_ref())
        .and_then(|n| n.options.clone())
        .unwrap_or_default();
    ContainerInfo {
        id: status.id.chars().take(12).collect(),
        full_id: status.id.clone(),
        name: status
            .metadata
            .as_ref()
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        kind: kind.to_string(),
        image_repository: repo,
        image_tag: tag,
        image,
        image_id: status.image_id.clone(),
        image_digest: digest,
        privileged: verbose.privileged(),
        host_pid: namespaces.pid == NODE,
        host_network: namespaces.network == NODE,
        host_ipc: namespaces.ipc == NODE,
        ip: sandbox
            .and_then(|s| s.network.as_ref())
            .map(|n| n.ip.clone())
            .unwrap_or_default(),
        labels,
        mounts: status
            .mounts
            .iter()
            .map(|m| MountInfo {
                source: m.host_path.clone(),
                dest: m.container_path.clone(),
                mode: String::new(),
                rdwr: !m.readonly,
                propagation: match m.propagation {
                    0 => "private",
                    1 => "rslave",
                    2 => "rshared",
                    _ => "unknown",
                }
                .to_string(),
            })
            .collect(),
        pod_labels,
    }
}

/// The image name, its digest, and whether the tag is to be taken from the image spec
/// (`image_ref` is `host/image@sha256:...` or `sha256:...`).
fn image_ref(status: &ContainerStatus) -> (String, String, bool) {
    let name = status
        .image
        .as_ref()
        .map(|i| i.image.clone())
        .unwrap_or_default();
    let reference = status.image_ref.as_str();
    match reference.find("sha256:") {
        Some(0) => (name, reference.to_string(), false),
        Some(at) if reference[..at].ends_with('@') => (
            reference[..at - 1].to_string(),
            reference[at..].to_string(),
            true,
        ),
        _ => (name, String::new(), false),
    }
}

/// The pairs with each name once, the last value winning.
fn dedup_last(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        match out.iter_mut().find(|(name, _)| *name == k) {
            Some(slot) => slot.1 = v,
            None => out.push((k, v)),
        }
    }
    out
}

/// The default CRI sockets under `root`: containerd's (also k3s's and a host's
/// containerd seen from a container) and CRI-O's.
pub fn default_sockets(root: &std::path::Path) -> Vec<CriApi> {
    [
        "/run/containerd/containerd.sock",
        "/run/crio/crio.sock",
        "/run/k3s/containerd/containerd.sock",
        "/run/host-containerd/containerd.sock",
    ]
    .iter()
    .map(|p| CriApi {
        socket: root.join(p.trim_start_matches('/')),
    })
    .collect()
}
