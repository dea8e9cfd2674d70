//! The bundle artifact: how a compiled bundle is stored on a registry.
//!
//! One OCI image manifest ([`crate::manifest`]) with
//! - `artifactType` [`ARTIFACT_TYPE`];
//! - a config blob of type [`CONFIG_MEDIA_TYPE`]: JSON with the bundle's format
//!   version, engine version, required engine version, rule count, sources and content
//!   hash ([`BundleConfig`]);
//! - one layer of type [`LAYER_MEDIA_TYPE`]: the `.frb` bytes as `compile` wrote them;
//! - the annotations in [`annotations`]: the same facts, readable without fetching a
//!   blob, plus `org.opencontainers.image.version`.
//!
//! No timestamp is stored, so pushing the same bundle with the same version gives the
//! same manifest digest. `docs/registry.md` is the reference.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::manifest::{Descriptor, Fetched, Manifest, OCI_MANIFEST};
use crate::reference::Target;
use crate::{Client, Digest, Error, MAX_SMALL_BLOB_BYTES, Reference};

/// `artifactType` of a bundle manifest.
pub const ARTIFACT_TYPE: &str = "application/vnd.falco-rulec.bundle.v1";
/// Media type of the config blob.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.falco-rulec.bundle.config.v1+json";
/// Media type of the bundle layer.
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.falco-rulec.bundle.layer.v1.frb";

/// Annotation keys of a bundle manifest.
pub mod annotations {
    /// The bundle's content hash (`falco-rulec inspect`'s sha256: of the payload).
    pub const BUNDLE_SHA256: &str = "dev.falco-rulec.bundle.sha256";
    /// The `falco-rulec` version that compiled it.
    pub const ENGINE_VERSION: &str = "dev.falco-rulec.engine.version";
    /// The highest `required_engine_version` of its rules files, if any.
    pub const REQUIRED_ENGINE_VERSION: &str = "dev.falco-rulec.required-engine.version";
    /// The number of rules.
    pub const RULES: &str = "dev.falco-rulec.rules.count";
    /// Its event sources, comma-separated.
    pub const SOURCES: &str = "dev.falco-rulec.sources";
    /// The version given at push (the tag by default).
    pub const VERSION: &str = "org.opencontainers.image.version";
    /// The layer's file name.
    pub const TITLE: &str = "org.opencontainers.image.title";
}

/// The config blob of a bundle artifact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleConfig {
    /// The bundle format version.
    pub format_version: u32,
    /// The compiler's version.
    pub engine_version: String,
    /// The highest `required_engine_version` of the rules.
    pub required_engine_version: Option<String>,
    /// Rule count.
    pub rules: usize,
    /// Event sources.
    pub sources: Vec<String>,
    /// Content hash (hex).
    pub sha256: String,
}

impl BundleConfig {
    /// The facts of bundle `bytes`; bytes that do not decode are an error.
    pub fn of(bytes: &[u8]) -> Result<BundleConfig, Error> {
        let bundle = falco_bundle::decode(bytes)
            .map_err(|e| Error::Invalid(format!("not a valid bundle: {e}")))?;
        Ok(BundleConfig {
            format_version: falco_bundle::FORMAT_VERSION,
            engine_version: bundle.engine_version.clone(),
            required_engine_version: bundle.required_engine_version.clone(),
            rules: bundle.rules.len(),
            sources: bundle.sources.clone(),
            sha256: falco_bundle::content_hash(bytes).unwrap_or_default(),
        })
    }
}

/// The manifest of a bundle artifact for `bundle` bytes, with `version` annotated.
pub fn bundle_manifest(
    bundle: &[u8],
    config: &[u8],
    facts: &BundleConfig,
    version: Option<&str>,
) -> Manifest {
    let mut a = BTreeMap::new();
    a.insert(annotations::BUNDLE_SHA256.to_string(), facts.sha256.clone());
    a.insert(
        annotations::ENGINE_VERSION.to_string(),
        facts.engine_version.clone(),
    );
    if let Some(v) = &facts.required_engine_version {
        a.insert(annotations::REQUIRED_ENGINE_VERSION.to_string(), v.clone());
    }
    a.insert(annotations::RULES.to_string(), facts.rules.to_string());
    a.insert(annotations::SOURCES.to_string(), facts.sources.join(","));
    if let Some(v) = version {
        a.insert(annotations::VERSION.to_string(), v.to_string());
    }
    let mut layer_annotations = BTreeMap::new();
    layer_annotations.insert(annotations::TITLE.to_string(), "bundle.frb".to_string());
    Manifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST.to_string()),
        artifact_type: Some(ARTIFACT_TYPE.to_string()),
        config: Descriptor {
            media_type: CONFIG_MEDIA_TYPE.to_string(),
            digest: Digest::of(config).to_string(),
            size: config.len() as u64,
            annotations: BTreeMap::new(),
        },
        layers: vec![Descriptor {
            media_type: LAYER_MEDIA_TYPE.to_string(),
            digest: Digest::of(bundle).to_string(),
            size: bundle.len() as u64,
            annotations: layer_annotations,
        }],
        annotations: a,
    }
}

/// Pushes bundle `bytes` to `r` (its tag, or its digest when `r` is a digest that
/// matches); `version` defaults to the tag. Returns the manifest digest.
pub fn push(
    client: &Client,
    r: &Reference,
    bytes: &[u8],
    version: Option<&str>,
) -> Result<Digest, Error> {
    let facts = BundleConfig::of(bytes)?;
    let config = serde_json::to_vec(&facts).unwrap_or_default();
    let manifest = bundle_manifest(bytes, &config, &facts, version.or(r.tag()));
    let manifest_bytes = manifest.to_bytes();
    if let Target::Digest(d) = &r.target {
        d.check("the manifest to push", &manifest_bytes)?;
    }
    client.push_blob(r, &config)?;
    client.push_blob(r, bytes)?;
    client.put_manifest(r, &manifest_bytes)
}

/// A bundle read from a registry, every digest checked.
#[derive(Clone, Debug)]
pub struct Pulled {
    /// The manifest digest (what a tag pointed at).
    pub digest: Digest,
    /// The bundle file's digest (the layer's).
    pub bundle_digest: Digest,
    /// `org.opencontainers.image.version`, if annotated.
    pub version: Option<String>,
    /// The bundle bytes.
    pub bytes: Vec<u8>,
}

/// Checks that a fetched manifest is a bundle artifact; returns its bundle layer.
pub fn bundle_layer(fetched: &Fetched) -> Result<&Descriptor, Error> {
    let m = &fetched.manifest;
    let what = format!("manifest {}", fetched.digest);
    if m.config.media_type != CONFIG_MEDIA_TYPE {
        return Err(Error::Invalid(format!(
            "{what} is not a falco-rulec bundle: config media type `{}` (expected {CONFIG_MEDIA_TYPE})",
            m.config.media_type
        )));
    }
    match m.layers.as_slice() {
        [layer] if layer.media_type == LAYER_MEDIA_TYPE => Ok(layer),
        layers => Err(Error::Invalid(format!(
            "{what} is not a falco-rulec bundle: expected one layer of type {LAYER_MEDIA_TYPE}, found {}",
            layers
                .iter()
                .map(|l| l.media_type.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Pulls the bundle `r` points at: the manifest (digest checked), the layer (refused
/// before download when its declared size is over `limit`, size and digest checked),
/// and the content hash annotated at push against the bytes.
pub fn pull(client: &Client, r: &Reference, limit: u64) -> Result<Pulled, Error> {
    let fetched = client.manifest(r)?;
    pull_fetched(client, r, &fetched, limit)
}

/// [`pull`] for a manifest already read.
pub fn pull_fetched(
    client: &Client,
    r: &Reference,
    fetched: &Fetched,
    limit: u64,
) -> Result<Pulled, Error> {
    let layer = bundle_layer(fetched)?;
    let bytes = client.blob(r, layer, limit)?;
    let annotations = &fetched.manifest.annotations;
    if let Some(want) = annotations.get(annotations::BUNDLE_SHA256) {
        let have = falco_bundle::content_hash(&bytes).unwrap_or_default();
        if &have != want {
            return Err(Error::DigestMismatch {
                what: format!("the bundle's content hash ({})", annotations::BUNDLE_SHA256),
                expected: want.clone(),
                actual: have,
            });
        }
    }
    Ok(Pulled {
        digest: fetched.digest.clone(),
        bundle_digest: Digest::parse(&layer.digest)?,
        version: annotations.get(annotations::VERSION).cloned(),
        bytes,
    })
}

/// Points tag `dst` at the manifest `src` names (promotion: canary → stable). Both
/// must be in one repository. Returns the digest.
pub fn tag(client: &Client, src: &Reference, dst: &Reference) -> Result<Digest, Error> {
    if src.registry != dst.registry || src.repository != dst.repository {
        return Err(Error::Reference(format!(
            "tag {src} {dst}: both must be in one repository ({})",
            src.repository_path()
        )));
    }
    if dst.tag().is_none() {
        return Err(Error::Reference(format!(
            "tag: `{dst}` must end with a tag"
        )));
    }
    let fetched = client.manifest(src)?;
    let digest = client.put_manifest(dst, &fetched.bytes)?;
    if digest != fetched.digest {
        return Err(Error::DigestMismatch {
            what: format!("the manifest tagged {dst}"),
            expected: fetched.digest.to_string(),
            actual: digest.to_string(),
        });
    }
    Ok(digest)
}

/// Reads a small JSON blob (signature envelope, config).
pub(crate) fn small_blob(
    client: &Client,
    r: &Reference,
    desc: &Descriptor,
) -> Result<Vec<u8>, Error> {
    client.blob(r, desc, MAX_SMALL_BLOB_BYTES)
}
