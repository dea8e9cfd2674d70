//! The k8s audit webhook's request body parser (`falco_rt_webhook::check_body`), then
//! every `ka.*` and `jevt.*` field read from each event it accepts.
//!
//! Contract: no panic; a body is taken whole or refused; bounded in time and memory.

use std::path::Path;
use std::sync::OnceLock;

use falco_events::{Extractor, MAX_EVENT_BYTES, Scratch};
use falco_rt_webhook::check_body;

use crate::seeds::texts;

/// Fields read from each accepted event, arguments included (the `events` target reads
/// them too).
const FIELDS: &[&str] = &[
    "ka.auditid",
    "ka.stage",
    "ka.auth.decision",
    "ka.auth.reason",
    "ka.user.name",
    "ka.user.groups",
    "ka.impuser.name",
    "ka.verb",
    "ka.uri",
    "ka.uri.param[pretty]",
    "ka.target.name",
    "ka.target.namespace",
    "ka.target.resource",
    "ka.target.subresource",
    "ka.req.binding.subjects",
    "ka.req.binding.subject.has_name[admin]",
    "ka.req.binding.role",
    "ka.req.configmap.obj",
    "ka.req.pod.containers.image",
    "ka.req.container.image.repository",
    "ka.req.pod.containers.privileged",
    "ka.req.pod.host_network",
    "ka.req.pod.run_as_user",
    "ka.req.role.rules.verbs",
    "ka.req.service.ports",
    "ka.req.pod.volumes.hostpath",
    "ka.resp.name",
    "ka.response.code",
    "ka.useragent",
    "ka.sourceips",
    "jevt.time",
    "jevt.value[/requestObject/metadata/name]",
    "jevt.obj",
];

pub(crate) fn extractors() -> &'static [Extractor] {
    static EXTRACTORS: OnceLock<Vec<Extractor>> = OnceLock::new();
    EXTRACTORS.get_or_init(|| {
        FIELDS
            .iter()
            .filter_map(|field| Extractor::new("k8s_audit", field, None).ok())
            .collect()
    })
}

/// Reads `data` as a webhook request body and every field of each event.
pub fn run(data: &[u8]) {
    let Ok(events) = check_body(data, MAX_EVENT_BYTES) else {
        return;
    };
    let mut scratch = Scratch::new();
    for event in &events {
        for extractor in extractors() {
            let _ = extractor.extract(event, &mut scratch);
        }
    }
}

/// The corpus's k8s audit events.
pub fn seeds(corpus: &Path) -> Vec<Vec<u8>> {
    texts(&corpus.join("k8s-audit-events/events"), &["json"])
        .into_iter()
        .map(String::into_bytes)
        .collect()
}
