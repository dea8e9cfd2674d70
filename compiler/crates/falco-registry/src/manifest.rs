//! The OCI image manifest (<https://github.com/opencontainers/image-spec>), the subset
//! an artifact needs, and its checks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Digest, Error};

/// The media type of an OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// A content descriptor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// What the content is.
    pub media_type: String,
    /// Its digest.
    pub digest: String,
    /// Its size in bytes.
    pub size: u64,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// An OCI image manifest. Field order and sorted annotations make its encoding, and so
/// its digest, the same for the same content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always 2.
    pub schema_version: u32,
    /// [`OCI_MANIFEST`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The artifact's type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// The config blob.
    pub config: Descriptor,
    /// The content blobs.
    pub layers: Vec<Descriptor>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Manifest {
    /// Parses manifest bytes; `what` names them in errors.
    pub fn parse(what: &str, bytes: &[u8]) -> Result<Manifest, Error> {
        let m: Manifest = serde_json::from_slice(bytes)
            .map_err(|e| Error::Invalid(format!("{what}: not an OCI image manifest: {e}")))?;
        if m.schema_version != 2 {
            return Err(Error::Invalid(format!(
                "{what}: schemaVersion {} (expected 2)",
                m.schema_version
            )));
        }
        if let Some(t) = &m.media_type
            && t != OCI_MANIFEST
        {
            return Err(Error::Invalid(format!(
                "{what}: media type `{t}` (expected {OCI_MANIFEST})"
            )));
        }
        for d in std::iter::once(&m.config).chain(&m.layers) {
            Digest::parse(&d.digest).map_err(|e| Error::Invalid(format!("{what}: {e}")))?;
        }
        Ok(m)
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// A manifest as read: its bytes, its digest and the parsed form.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The bytes as served.
    pub bytes: Vec<u8>,
    /// Their digest.
    pub digest: Digest,
    /// The parsed manifest.
    pub manifest: Manifest,
}
