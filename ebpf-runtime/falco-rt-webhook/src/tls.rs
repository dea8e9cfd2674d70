//! TLS settings from PEM files.

use std::path::PathBuf;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;

use crate::WebhookError;

/// A certificate chain and its private key, PEM files (`--k8s-audit-tls-cert`/`-key`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

impl TlsFiles {
    /// A rustls server configuration (ring provider, TLS 1.2 and 1.3) for these files.
    pub(crate) fn server_config(&self) -> Result<Arc<ServerConfig>, WebhookError> {
        let tls = |what: &str, path: &PathBuf, e: &dyn std::fmt::Display| {
            WebhookError::Tls(format!("{what} {}: {e}", path.display()))
        };
        let certs = CertificateDer::pem_file_iter(&self.cert)
            .map_err(|e| tls("certificate", &self.cert, &e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| tls("certificate", &self.cert, &e))?;
        if certs.is_empty() {
            return Err(tls(
                "certificate",
                &self.cert,
                &"no certificate in the file",
            ));
        }
        let key = PrivateKeyDer::from_pem_file(&self.key).map_err(|e| tls("key", &self.key, &e))?;
        let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| WebhookError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| WebhookError::Tls(format!("certificate and key: {e}")))?;
        Ok(Arc::new(config))
    }
}
