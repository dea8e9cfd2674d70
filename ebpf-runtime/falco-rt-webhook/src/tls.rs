//! TLS settings from PEM files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};

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
    /// A rustls server configuration (ring provider, TLS 1.2 and 1.3) for these files;
    /// with `client_ca`, client certificates are asked for and verified against it
    /// (a client without one may still authenticate with a token).
    pub(crate) fn server_config(
        &self,
        client_ca: Option<&Path>,
    ) -> Result<Arc<ServerConfig>, WebhookError> {
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
        let provider = Arc::new(ring::default_provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| WebhookError::Tls(e.to_string()))?;
        let builder = match client_ca {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let path = ca.to_path_buf();
                let mut roots = RootCertStore::empty();
                for cert in
                    CertificateDer::pem_file_iter(ca).map_err(|e| tls("client CA", &path, &e))?
                {
                    let cert = cert.map_err(|e| tls("client CA", &path, &e))?;
                    roots.add(cert).map_err(|e| tls("client CA", &path, &e))?;
                }
                if roots.is_empty() {
                    return Err(tls("client CA", &path, &"no certificate in the file"));
                }
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                        .allow_unauthenticated()
                        .build()
                        .map_err(|e| tls("client CA", &path, &e))?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let config = builder
            .with_single_cert(certs, key)
            .map_err(|e| WebhookError::Tls(format!("certificate and key: {e}")))?;
        Ok(Arc::new(config))
    }
}
