//! `falco-rulec push BUNDLE REF`: store a compiled bundle on an OCI registry.
//!
//! Prints the manifest digest (`sha256:…`) on stdout, a contract. Exit codes: 0 pushed,
//! 1 the registry refused or failed, 2 usage error or a bundle that cannot be read or
//! does not verify. The artifact's layout is in `docs/registry.md`.

use std::path::PathBuf;

use super::registry_args::{RegistryArgs, failed, reference};
use super::{EXIT_OK, EXIT_USAGE};

/// Arguments of `falco-rulec push`.
#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// The bundle (`falco-rulec compile -o FILE`).
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// Where to push: `[oci://]HOST[:PORT]/REPOSITORY[:TAG]`.
    #[arg(value_name = "REF")]
    pub reference: String,
    /// The version to annotate (`org.opencontainers.image.version`; default: the tag).
    #[arg(long, value_name = "VERSION")]
    pub version: Option<String>,
    /// Registry options.
    #[command(flatten)]
    pub registry: RegistryArgs,
}

pub(super) fn run(args: &PushArgs) -> u8 {
    let r = match reference(&args.reference) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let bytes = match std::fs::read(&args.bundle) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", args.bundle.display());
            return EXIT_USAGE;
        }
    };
    if let Err(e) = falco_bundle::decode(&bytes) {
        eprintln!("error: `{}`: {e}", args.bundle.display());
        return EXIT_USAGE;
    }
    let client = match args.registry.client() {
        Ok(c) => c,
        Err(code) => return code,
    };
    match falco_registry::artifact::push(&client, &r, &bytes, args.version.as_deref()) {
        Ok(digest) => match super::write_stdout(&format!("{digest}\n")) {
            Ok(()) => EXIT_OK,
            Err(code) => code,
        },
        Err(e) => failed(&e),
    }
}
