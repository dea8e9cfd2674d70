//! `falco-rulec pull REF -o FILE`: fetch a bundle from an OCI registry.
//!
//! Every digest is checked (manifest, layer, the bundle's content hash) and the bundle
//! is verified before anything is written. When the registry has signatures for it,
//! they are written next to it as `FILE.sig`; with `--verify-key` a bundle without a
//! valid signature by one of the keys is refused. Exit codes: 0 written, 1 the registry
//! failed or the content or signature is wrong, 2 usage error or an unwritable output.

use std::path::PathBuf;

use falco_registry::signature::{self, VerifyKey};

use super::registry_args::{RegistryArgs, failed, reference};
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};

/// Arguments of `falco-rulec pull`.
#[derive(Debug, clap::Args)]
pub struct PullArgs {
    /// What to pull: `[oci://]HOST[:PORT]/REPOSITORY[:TAG|@sha256:HEX]`.
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Where to write the bundle.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Refuse the bundle unless one of these public keys signed it (repeatable).
    #[arg(long, value_name = "FILE")]
    pub verify_key: Vec<PathBuf>,
    /// Registry options.
    #[command(flatten)]
    pub registry: RegistryArgs,
}

pub(super) fn run(args: &PullArgs) -> u8 {
    let r = match reference(&args.reference) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut keys = Vec::new();
    for path in &args.verify_key {
        match VerifyKey::load(path) {
            Ok(k) => keys.push(k),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        }
    }
    let client = match args.registry.client() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let pulled = match falco_registry::artifact::pull(&client, &r, falco_registry::MAX_BUNDLE_BYTES)
    {
        Ok(p) => p,
        Err(e) => return failed(&e),
    };
    if let Err(e) = falco_bundle::decode(&pulled.bytes) {
        eprintln!("error: {r} ({}): {e}", pulled.digest);
        return EXIT_FINDINGS;
    }
    let envelope = match signature::fetch(&client, &r, &pulled.digest) {
        Ok(e) => e,
        Err(e) => return failed(&e),
    };
    if !keys.is_empty()
        && let Err(e) = signature::verify_bundle(envelope.as_ref(), &pulled.bytes, &keys)
    {
        eprintln!("error: {r} ({}): {e}", pulled.digest);
        return EXIT_FINDINGS;
    }
    if let Err(e) = std::fs::write(&args.output, &pulled.bytes) {
        eprintln!("error: cannot write `{}`: {e}", args.output.display());
        return EXIT_USAGE;
    }
    let sig_path = signature::file_signature_path(&args.output);
    let written = match &envelope {
        Some(env) => std::fs::write(&sig_path, env.to_bytes()),
        None => match std::fs::remove_file(&sig_path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    };
    if let Err(e) = written {
        eprintln!("error: `{}`: {e}", sig_path.display());
        return EXIT_USAGE;
    }
    eprintln!(
        "pulled {r} ({}, {} bytes{})",
        pulled.digest,
        pulled.bytes.len(),
        if envelope.is_some() { ", signed" } else { "" }
    );
    match super::write_stdout(&format!("{}\n", pulled.digest)) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}
