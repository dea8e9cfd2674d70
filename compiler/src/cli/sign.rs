//! `falco-rulec sign --key FILE TARGET`: sign a bundle file (writes `FILE.sig`) or a
//! bundle on a registry (stores the envelope at tag `sha256-<hex>.sig`, keeping the
//! signatures of other keys). TARGET is a file when one exists at that path, else a
//! reference. Prints the signed digest. Exit codes: 0 signed, 1 the registry failed or
//! the target is not a bundle, 2 usage error or an unreadable key or file.

use std::path::{Path, PathBuf};

use falco_registry::signature::{self, Envelope, SigningKey};
use falco_registry::{Digest, reference::Target};

use super::registry_args::{RegistryArgs, failed, reference};
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};

/// Arguments of `falco-rulec sign`.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The private key (`falco-rulec keygen`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// A bundle file, or `[oci://]HOST[:PORT]/REPOSITORY[:TAG|@sha256:HEX]`.
    #[arg(value_name = "TARGET")]
    pub target: String,
    /// Registry options.
    #[command(flatten)]
    pub registry: RegistryArgs,
}

pub(super) fn run(args: &SignArgs) -> u8 {
    let key = match SigningKey::load(&args.key) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let path = Path::new(&args.target);
    let result = if path.is_file() {
        sign_file(path, &key)
    } else {
        sign_remote(args, &key)
    };
    match result {
        Ok(digest) => {
            eprintln!("signed {digest} with key {}", key.id());
            match super::write_stdout(&format!("{digest}\n")) {
                Ok(()) => EXIT_OK,
                Err(code) => code,
            }
        }
        Err(code) => code,
    }
}

fn sign_file(path: &Path, key: &SigningKey) -> Result<Digest, u8> {
    let bytes = std::fs::read(path).map_err(|e| {
        eprintln!("error: cannot read `{}`: {e}", path.display());
        EXIT_USAGE
    })?;
    if let Err(e) = falco_bundle::decode(&bytes) {
        eprintln!("error: `{}`: {e}", path.display());
        return Err(EXIT_FINDINGS);
    }
    let digest = Digest::of(&bytes);
    let mut envelope = match signature::read_file_signature(path) {
        Ok(Some(e)) if e.bundle_digest == digest.as_str() => e,
        Ok(_) => Envelope::new(&digest),
        Err(e) => return Err(failed(&e)),
    };
    envelope.sign(key).map_err(|e| failed(&e))?;
    let sig = signature::file_signature_path(path);
    std::fs::write(&sig, envelope.to_bytes()).map_err(|e| {
        eprintln!("error: cannot write `{}`: {e}", sig.display());
        EXIT_USAGE
    })?;
    Ok(digest)
}

fn sign_remote(args: &SignArgs, key: &SigningKey) -> Result<Digest, u8> {
    let r = reference(&args.target)?;
    let client = args.registry.client()?;
    let fetched = client.manifest(&r).map_err(|e| failed(&e))?;
    let pulled = falco_registry::artifact::pull_fetched(
        &client,
        &r,
        &fetched,
        falco_registry::MAX_BUNDLE_BYTES,
    )
    .map_err(|e| failed(&e))?;
    if let Err(e) = falco_bundle::decode(&pulled.bytes) {
        eprintln!("error: {r} ({}): {e}", pulled.digest);
        return Err(EXIT_FINDINGS);
    }
    let mut envelope = match signature::fetch(&client, &r, &pulled.digest) {
        Ok(Some(e)) if e.bundle_digest == pulled.bundle_digest.as_str() => e,
        Ok(_) => Envelope::new(&pulled.bundle_digest),
        Err(e) => return Err(failed(&e)),
    };
    envelope.sign(key).map_err(|e| failed(&e))?;
    signature::store(
        &client,
        &r.with_target(Target::Digest(pulled.digest.clone())),
        &pulled.digest,
        &envelope,
    )
    .map_err(|e| failed(&e))?;
    Ok(pulled.digest)
}
