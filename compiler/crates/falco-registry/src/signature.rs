//! Signatures: ed25519 keys, the signed statement, and the envelope that carries the
//! signatures of one bundle.
//!
//! What is signed is the digest of the bundle file (the bytes `compile` wrote, which are
//! also the artifact's layer), in the statement [`statement`]. One envelope
//! ([`Envelope`], JSON) holds any number of signatures of that digest, one per key, so
//! keys can be rotated: sign with the new key, roll the new public key out next to the
//! old one (`falco-rt --verify-key` is repeatable), then retire the old key.
//!
//! Where the envelope lives:
//! - next to a bundle file, as `FILE.sig` ([`file_signature_path`]);
//! - on a registry, as a small artifact tagged `sha256-<hex of the manifest
//!   digest>.sig` in the bundle's repository ([`signature_tag`]), the tag scheme cosign
//!   uses, found with one manifest request.
//!
//! Keys are PEM files: the private key PKCS#8 (`falco-rulec keygen` writes it with mode
//! 0600), the public key SubjectPublicKeyInfo.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::Signer as _;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use serde::{Deserialize, Serialize};

use crate::auth::read_bounded;
use crate::manifest::{Descriptor, Manifest, OCI_MANIFEST};
use crate::reference::Target;
use crate::{Client, Digest, Error, Reference};

/// `artifactType` of a signature manifest.
pub const SIGNATURE_ARTIFACT_TYPE: &str = "application/vnd.falco-rulec.signature.v1";
/// Media type of the envelope layer.
pub const ENVELOPE_MEDIA_TYPE: &str = "application/vnd.falco-rulec.signature.v1+json";
/// The OCI empty config.
const EMPTY_CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
/// Largest key file read.
const MAX_KEY_BYTES: u64 = 16 * 1024;

/// The statement a signature covers.
pub fn statement(bundle_digest: &Digest) -> String {
    format!("falco-rulec bundle signature v1\n{bundle_digest}\n")
}

/// A private signing key.
pub struct SigningKey(ed25519_dalek::SigningKey);

/// A public key that signatures are checked against.
#[derive(Clone, Debug)]
pub struct VerifyKey {
    key: ed25519_dalek::VerifyingKey,
    id: String,
    /// The file it came from.
    pub path: PathBuf,
}

/// A new key pair as PEM texts.
pub struct KeyPair {
    /// PKCS#8 private key.
    pub private_pem: String,
    /// SubjectPublicKeyInfo public key.
    pub public_pem: String,
}

fn key_id(key: &ed25519_dalek::VerifyingKey) -> String {
    Digest::of(key.as_bytes()).hex()[..16].to_string()
}

/// Generates a key pair from the system's random source.
pub fn generate() -> Result<KeyPair, Error> {
    use ring::rand::SecureRandom as _;
    let mut seed = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut seed)
        .map_err(|_| Error::Key("no random bytes from the system".into()))?;
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    seed.fill(0);
    let private_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| Error::Key(format!("encoding the private key: {e}")))?
        .to_string();
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| Error::Key(format!("encoding the public key: {e}")))?;
    Ok(KeyPair {
        private_pem,
        public_pem,
    })
}

impl SigningKey {
    /// Reads a PKCS#8 PEM private key.
    pub fn load(path: &Path) -> Result<SigningKey, Error> {
        let text = read_key(path)?;
        ed25519_dalek::SigningKey::from_pkcs8_pem(&text)
            .map(SigningKey)
            .map_err(|e| {
                Error::Key(format!(
                    "{}: not an ed25519 private key (PKCS#8 PEM): {e}",
                    path.display()
                ))
            })
    }

    /// The id of its public key.
    pub fn id(&self) -> String {
        key_id(&self.0.verifying_key())
    }
}

impl VerifyKey {
    /// Reads a SubjectPublicKeyInfo PEM public key.
    pub fn load(path: &Path) -> Result<VerifyKey, Error> {
        let text = read_key(path)?;
        let key = ed25519_dalek::VerifyingKey::from_public_key_pem(&text).map_err(|e| {
            Error::Key(format!(
                "{}: not an ed25519 public key (PEM \"PUBLIC KEY\"): {e}",
                path.display()
            ))
        })?;
        Ok(VerifyKey {
            id: key_id(&key),
            key,
            path: path.to_path_buf(),
        })
    }

    /// The key id (16 hex digits of the sha256 of the raw key).
    pub fn id(&self) -> &str {
        &self.id
    }
}

fn read_key(path: &Path) -> Result<String, Error> {
    let bytes = read_bounded(path, MAX_KEY_BYTES).map_err(|e| Error::Key(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| Error::Key(format!("{}: not a PEM text", path.display())))
}

/// One signature in an envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// The signing key's id.
    pub key_id: String,
    /// Always `ed25519`.
    pub algorithm: String,
    /// The signature, base64.
    pub signature: String,
}

/// The signatures of one bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Always 1.
    pub version: u32,
    /// The signed bundle file's digest.
    pub bundle_digest: String,
    /// Signatures of [`statement`] of that digest.
    pub signatures: Vec<EnvelopeSignature>,
}

impl Envelope {
    /// An envelope without signatures for `bundle_digest`.
    pub fn new(bundle_digest: &Digest) -> Envelope {
        Envelope {
            version: 1,
            bundle_digest: bundle_digest.to_string(),
            signatures: Vec::new(),
        }
    }

    /// Parses an envelope; `what` names it in errors.
    pub fn parse(what: &str, bytes: &[u8]) -> Result<Envelope, Error> {
        let e: Envelope = serde_json::from_slice(bytes)
            .map_err(|e| Error::Signature(format!("{what}: not a signature envelope: {e}")))?;
        if e.version != 1 {
            return Err(Error::Signature(format!(
                "{what}: envelope version {} (expected 1)",
                e.version
            )));
        }
        Ok(e)
    }

    /// The JSON bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Adds (or replaces) the signature of `key`.
    pub fn sign(&mut self, key: &SigningKey) -> Result<(), Error> {
        let digest = Digest::parse(&self.bundle_digest)?;
        let signature = key.0.sign(statement(&digest).as_bytes());
        let id = key.id();
        self.signatures.retain(|s| s.key_id != id);
        self.signatures.push(EnvelopeSignature {
            key_id: id,
            algorithm: "ed25519".into(),
            signature: STANDARD.encode(signature.to_bytes()),
        });
        Ok(())
    }

    /// Checks that this envelope is for `bundle_digest` and holds a valid signature by
    /// one of `keys`; returns that key's id.
    pub fn verify(&self, bundle_digest: &Digest, keys: &[VerifyKey]) -> Result<String, Error> {
        if self.bundle_digest != bundle_digest.as_str() {
            return Err(Error::Signature(format!(
                "the signatures are for {}, not for this bundle ({bundle_digest})",
                self.bundle_digest
            )));
        }
        let message = statement(bundle_digest);
        let mut bad = Vec::new();
        for key in keys {
            for s in self.signatures.iter().filter(|s| s.key_id == key.id) {
                let ok = s.algorithm == "ed25519"
                    && STANDARD
                        .decode(&s.signature)
                        .ok()
                        .and_then(|b| ed25519_dalek::Signature::from_slice(&b).ok())
                        .is_some_and(|sig| key.key.verify_strict(message.as_bytes(), &sig).is_ok());
                if ok {
                    return Ok(key.id.clone());
                }
                bad.push(key.id.clone());
            }
        }
        let trusted: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
        if bad.is_empty() {
            let present: Vec<&str> = self.signatures.iter().map(|s| s.key_id.as_str()).collect();
            Err(Error::Signature(format!(
                "not signed by a trusted key (trusted: {}; signed by: {})",
                trusted.join(", "),
                if present.is_empty() {
                    "nobody".to_string()
                } else {
                    present.join(", ")
                }
            )))
        } else {
            Err(Error::Signature(format!(
                "the signature by key {} does not verify (wrong or altered)",
                bad.join(", ")
            )))
        }
    }
}

/// Checks `bundle` bytes against an envelope (or its absence) and trusted keys.
pub fn verify_bundle(
    envelope: Option<&Envelope>,
    bundle: &[u8],
    keys: &[VerifyKey],
) -> Result<String, Error> {
    let digest = Digest::of(bundle);
    match envelope {
        None => Err(Error::Signature(format!(
            "the bundle {digest} is not signed"
        ))),
        Some(e) => e.verify(&digest, keys),
    }
}

/// Where a bundle file's envelope is: `FILE.sig`.
pub fn file_signature_path(bundle: &Path) -> PathBuf {
    let mut p = bundle.as_os_str().to_owned();
    p.push(".sig");
    PathBuf::from(p)
}

/// Reads a bundle file's envelope; `None` when there is no `FILE.sig`.
pub fn read_file_signature(bundle: &Path) -> Result<Option<Envelope>, Error> {
    let path = file_signature_path(bundle);
    if !path.exists() {
        return Ok(None);
    }
    let bytes = read_bounded(&path, crate::MAX_SMALL_BLOB_BYTES)?;
    Envelope::parse(&path.display().to_string(), &bytes).map(Some)
}

/// The tag of the signatures of manifest `digest`: `sha256-<hex>.sig`.
pub fn signature_tag(digest: &Digest) -> String {
    format!("sha256-{}.sig", digest.hex())
}

/// Reads the envelope stored for manifest `digest` in `r`'s repository; `None` when
/// there is none.
pub fn fetch(client: &Client, r: &Reference, digest: &Digest) -> Result<Option<Envelope>, Error> {
    let at = r.with_target(Target::Tag(signature_tag(digest)));
    let Some(fetched) = client.manifest_opt(&at)? else {
        return Ok(None);
    };
    let layer = match fetched.manifest.layers.as_slice() {
        [l] if l.media_type == ENVELOPE_MEDIA_TYPE => l,
        _ => {
            return Err(Error::Signature(format!(
                "{at} is not a falco-rulec signature (expected one layer of type {ENVELOPE_MEDIA_TYPE})"
            )));
        }
    };
    let bytes = crate::artifact::small_blob(client, &at, layer)?;
    Envelope::parse(&at.to_string(), &bytes).map(Some)
}

/// Stores `envelope` as the signatures of manifest `digest` in `r`'s repository.
pub fn store(
    client: &Client,
    r: &Reference,
    digest: &Digest,
    envelope: &Envelope,
) -> Result<Digest, Error> {
    let at = r.with_target(Target::Tag(signature_tag(digest)));
    let config = b"{}";
    let layer = envelope.to_bytes();
    client.push_blob(&at, config)?;
    client.push_blob(&at, &layer)?;
    let mut annotations = BTreeMap::new();
    annotations.insert(
        "dev.falco-rulec.signature.manifest".to_string(),
        digest.to_string(),
    );
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST.to_string()),
        artifact_type: Some(SIGNATURE_ARTIFACT_TYPE.to_string()),
        config: Descriptor {
            media_type: EMPTY_CONFIG_MEDIA_TYPE.to_string(),
            digest: Digest::of(config).to_string(),
            size: config.len() as u64,
            annotations: BTreeMap::new(),
        },
        layers: vec![Descriptor {
            media_type: ENVELOPE_MEDIA_TYPE.to_string(),
            digest: Digest::of(&layer).to_string(),
            size: layer.len() as u64,
            annotations: BTreeMap::new(),
        }],
        annotations,
    };
    client.put_manifest(&at, &manifest.to_bytes())
}
