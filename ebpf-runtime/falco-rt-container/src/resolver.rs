//! The resolver thread: a single-threaded tokio runtime that asks the container
//! engines, as the container plugin's worker does:
//!
//! - at start, each engine whose socket exists lists its containers, and each is
//!   inspected (so processes of containers started before the agent have context at
//!   once);
//! - docker and podman report each container created or started on their event
//!   streams, which are inspected as they come (usually before the container's first
//!   process runs); a stream that ends is opened again after a pause;
//! - a container met in the capture that is not known yet is looked up on demand in
//!   each engine, again every [`RETRY_EVERY`] for [`RETRY_FOR`] (an engine may not
//!   have recorded it yet); after that it is left for [`crate::cache::RETRY_UNKNOWN`].
//!
//! CRI runtimes have no event stream here (containerd 1.6's CRI has none), so their
//! containers are listed at start and looked up on demand.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc, watch};

use crate::Engines;
use crate::cache::Containers;
use crate::cri::CriClient;
use crate::docker::DockerApi;

/// Time between two lookups of a container no engine knows yet.
pub const RETRY_EVERY: Duration = Duration::from_millis(50);
/// How long a container is looked up before it is left alone.
pub const RETRY_FOR: Duration = Duration::from_secs(2);
/// Lookups running at once.
const CONCURRENT: usize = 8;
/// Pause before an event stream is opened again.
const RECONNECT: Duration = Duration::from_secs(5);
/// Containers inspected at start, per engine, at most.
const MAX_LISTED: usize = 10_000;

/// The engines that answered at start.
#[derive(Clone)]
struct Live {
    docker: Vec<DockerApi>,
    cri: Vec<CriClient>,
}

/// Runs until `stop` says so.
pub(crate) fn run(
    engines: Engines,
    cache: Arc<Containers>,
    requests: mpsc::Receiver<String>,
    mut stop: watch::Receiver<bool>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("falco-rt: containers: no runtime for the lookups: {e}");
            return;
        }
    };
    runtime.block_on(async move {
        tokio::select! {
            _ = serve(engines, cache, requests) => {}
            _ = stop.wait_for(|stopped| *stopped) => {}
        }
    });
}

async fn serve(engines: Engines, cache: Arc<Containers>, mut requests: mpsc::Receiver<String>) {
    let live = connect(engines).await;
    if live.docker.is_empty() && live.cri.is_empty() {
        eprintln!(
            "falco-rt: containers: no container engine found; container fields other than container.id are <NA>"
        );
    }
    for api in &live.docker {
        let api = api.clone();
        let cache = cache.clone();
        tokio::spawn(async move { follow(api, cache).await });
    }
    list_all(&live, &cache).await;
    let permits = Arc::new(Semaphore::new(CONCURRENT));
    while let Some(id) = requests.recv().await {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let (live, cache) = (live.clone(), cache.clone());
        tokio::spawn(async move {
            resolve(&live, &cache, &id).await;
            drop(permit);
        });
    }
}

/// The engines whose sockets exist and answer, each reported on stderr.
async fn connect(engines: Engines) -> Live {
    let mut live = Live {
        docker: Vec::new(),
        cri: Vec::new(),
    };
    for api in engines.docker {
        if !api.socket.exists() {
            continue;
        }
        match api.list().await {
            Ok(ids) => {
                eprintln!(
                    "falco-rt: containers: {} at {} ({} containers)",
                    api.kind(),
                    api.socket.display(),
                    ids.len()
                );
                live.docker.push(api);
            }
            Err(e) => eprintln!(
                "falco-rt: containers: {} at {} does not answer: {e}",
                api.kind(),
                api.socket.display()
            ),
        }
    }
    for api in engines.cri {
        if !api.socket.exists() {
            continue;
        }
        match api.connect().await {
            Ok(client) => {
                eprintln!(
                    "falco-rt: containers: CRI ({}) at {}",
                    client.kind(),
                    api.socket.display()
                );
                live.cri.push(client);
            }
            Err(e) => eprintln!("falco-rt: containers: CRI does not answer: {e}"),
        }
    }
    live
}

/// Inspects every container the engines list.
async fn list_all(live: &Live, cache: &Containers) {
    for api in &live.docker {
        if let Ok(ids) = api.list().await {
            for id in ids.iter().take(MAX_LISTED) {
                if let Ok(Some(info)) = api.get(id).await {
                    cache.insert(info);
                }
            }
        }
    }
    for client in &live.cri {
        let mut client = client.clone();
        if let Ok(ids) = client.list().await {
            for id in ids.iter().take(MAX_LISTED) {
                if let Ok(Some(info)) = client.get(id).await {
                    cache.insert(info);
                }
            }
        }
    }
    let known = cache.known();
    eprintln!("falco-rt: containers: {known} known at start");
}

/// Follows one engine's event stream for good.
async fn follow(api: DockerApi, cache: Arc<Containers>) {
    loop {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let stream = api.listen(move |id| {
            let _ = tx.send(id);
        });
        let inspect = async {
            while let Some(id) = rx.recv().await {
                if let Ok(Some(info)) = api.get(&id).await {
                    cache.insert(info);
                }
            }
        };
        let (ended, ()) = tokio::join!(stream, inspect);
        if let Err(e) = ended {
            eprintln!(
                "falco-rt: containers: events of {} at {}: {e}",
                api.kind(),
                api.socket.display()
            );
        }
        tokio::time::sleep(RECONNECT).await;
    }
}

/// Looks `id` up in each engine until one knows it or [`RETRY_FOR`] has passed.
async fn resolve(live: &Live, cache: &Containers, id: &str) {
    let give_up = tokio::time::Instant::now() + RETRY_FOR;
    loop {
        for api in &live.docker {
            if let Ok(Some(info)) = api.get(id).await {
                cache.insert(info);
                return;
            }
        }
        for client in &live.cri {
            if let Ok(Some(info)) = client.clone().get(id).await {
                cache.insert(info);
                return;
            }
        }
        if tokio::time::Instant::now() + RETRY_EVERY > give_up {
            cache.not_found(id);
            return;
        }
        tokio::time::sleep(RETRY_EVERY).await;
    }
}
