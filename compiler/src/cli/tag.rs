//! `falco-rulec tag SRC DST`: point a tag at the manifest another reference names, in
//! one repository (promotion from canary to stable is a retag). Prints the digest.
//! Exit codes: 0 tagged, 1 the registry refused or failed, 2 usage error.

use super::EXIT_OK;
use super::registry_args::{RegistryArgs, failed, reference};

/// Arguments of `falco-rulec tag`.
#[derive(Debug, clap::Args)]
pub struct TagArgs {
    /// The existing tag or digest: `[oci://]HOST[:PORT]/REPOSITORY[:TAG|@sha256:HEX]`.
    #[arg(value_name = "SRC")]
    pub source: String,
    /// The tag to point at it, in the same repository.
    #[arg(value_name = "DST")]
    pub destination: String,
    /// Registry options.
    #[command(flatten)]
    pub registry: RegistryArgs,
}

pub(super) fn run(args: &TagArgs) -> u8 {
    let (src, dst) = match (reference(&args.source), reference(&args.destination)) {
        (Ok(s), Ok(d)) => (s, d),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let client = match args.registry.client() {
        Ok(c) => c,
        Err(code) => return code,
    };
    match falco_registry::artifact::tag(&client, &src, &dst) {
        Ok(digest) => match super::write_stdout(&format!("{digest}\n")) {
            Ok(()) => EXIT_OK,
            Err(code) => code,
        },
        Err(e) => failed(&e),
    }
}
