//! The registry options shared by `push`, `pull`, `tag` and `sign`, and their client.

use std::path::PathBuf;

use falco_registry::auth::CredentialStore;
use falco_registry::{Client, ClientOptions, Reference};

use super::{EXIT_FINDINGS, EXIT_USAGE};

/// How to reach the registry.
#[derive(Debug, clap::Args)]
pub struct RegistryArgs {
    /// Use plain HTTP instead of HTTPS.
    #[arg(long)]
    pub insecure: bool,
    /// Trust the CA certificates in this PEM file instead of the web PKI roots.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

impl RegistryArgs {
    /// A client; credentials come from FALCO_REGISTRY_USERNAME/FALCO_REGISTRY_PASSWORD
    /// or the docker/podman credentials files. Errors are printed; the exit code is
    /// returned.
    pub fn client(&self) -> Result<Client, u8> {
        let credentials = CredentialStore::from_environment().map_err(|e| {
            eprintln!("error: {e}");
            EXIT_USAGE
        })?;
        Client::new(&ClientOptions {
            insecure: self.insecure,
            ca_file: self.ca_file.clone(),
            credentials,
            ..ClientOptions::default()
        })
        .map_err(|e| {
            eprintln!("error: {e}");
            EXIT_USAGE
        })
    }
}

/// Parses a reference, printing the error.
pub fn reference(text: &str) -> Result<Reference, u8> {
    Reference::parse(text).map_err(|e| {
        eprintln!("error: {e}");
        EXIT_USAGE
    })
}

/// Prints a registry or signature error; returns the exit code for it.
pub fn failed(e: &falco_registry::Error) -> u8 {
    eprintln!("error: {e}");
    EXIT_FINDINGS
}
