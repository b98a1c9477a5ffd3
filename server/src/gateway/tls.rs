//! Which model servers' certificates the gateway trusts: the public web roots (Mozilla's,
//! compiled in) and, when `gateway.ca_file` names one, the authorities in that PEM file — a
//! cluster's service CA, say, which signs the certificates of the model servers inside it.
//! Both clients that talk to model servers (forwarding, and health checks with
//! `testConnection`) trust the same set.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// Why `gateway.ca_file` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("gateway.ca_file `{path}`: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("gateway.ca_file `{path}` holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)")]
    Empty { path: PathBuf },
    #[error("gateway.ca_file `{path}`: certificate {index} is not a usable authority: {reason}")]
    Invalid {
        path: PathBuf,
        index: usize,
        reason: String,
    },
    #[error("TLS settings for model servers: {0}")]
    Tls(#[from] rustls::Error),
}

/// The authorities model servers' certificates are checked against.
#[derive(Clone)]
pub struct UpstreamTrust {
    roots: Arc<RootCertStore>,
    /// The authorities added to the public roots, for the health-check client.
    extra: Vec<CertificateDer<'static>>,
}

impl std::fmt::Debug for UpstreamTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamTrust")
            .field("extra_authorities", &self.extra.len())
            .finish()
    }
}

impl UpstreamTrust {
    /// The public web roots and, with `ca_file`, the authorities it holds.
    pub fn load(ca_file: Option<&Path>) -> Result<Self, TrustError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let mut extra = Vec::new();
        if let Some(path) = ca_file {
            let file = |reason: String| TrustError::File {
                path: path.to_owned(),
                reason,
            };
            let certs = CertificateDer::pem_file_iter(path).map_err(|e| file(e.to_string()))?;
            for (index, cert) in certs.enumerate() {
                let cert = cert.map_err(|e| file(e.to_string()))?;
                roots
                    .add(cert.clone())
                    .map_err(|reason| TrustError::Invalid {
                        path: path.to_owned(),
                        index: index + 1,
                        reason: reason.to_string(),
                    })?;
                extra.push(cert);
            }
            if extra.is_empty() {
                return Err(TrustError::Empty {
                    path: path.to_owned(),
                });
            }
        }
        Ok(Self {
            roots: Arc::new(roots),
            extra,
        })
    }

    /// A TLS client configuration trusting these authorities (no ALPN set: the connector
    /// offers HTTP/2 and HTTP/1.1 itself).
    pub fn client_config(&self) -> Result<ClientConfig, TrustError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Ok(ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(self.roots.clone())
            .with_no_client_auth())
    }

    /// `builder` trusting the added authorities too (it has the public roots already).
    pub fn apply(&self, mut builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        for cert in &self.extra {
            // Each parsed as a trust anchor in `load`, so reqwest's own parse succeeds.
            if let Ok(cert) = reqwest::Certificate::from_der(cert) {
                builder = builder.add_root_certificate(cert);
            }
        }
        builder
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` in file `name` of `dir`, which is removed when the test ends.
    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn without_a_file_only_the_public_roots_are_trusted() {
        let trust = UpstreamTrust::load(None).unwrap();
        assert!(trust.extra.is_empty());
        assert_eq!(trust.roots.len(), webpki_roots::TLS_SERVER_ROOTS.len());
        trust.client_config().unwrap();
    }

    #[test]
    fn a_missing_file_and_a_file_without_certificates_are_clear_errors() {
        let missing = UpstreamTrust::load(Some(Path::new("/nonexistent/ca.pem"))).unwrap_err();
        assert!(
            missing.to_string().contains("/nonexistent/ca.pem"),
            "{missing}"
        );
        let dir = tempfile::tempdir().unwrap();
        let empty = write(&dir, "empty.pem", "not a certificate\n");
        let error = UpstreamTrust::load(Some(&empty)).unwrap_err().to_string();
        assert!(error.contains("holds no PEM certificate"), "{error}");
        let garbage = write(
            &dir,
            "garbage.pem",
            "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n",
        );
        let error = UpstreamTrust::load(Some(&garbage)).unwrap_err().to_string();
        assert!(
            error.contains("certificate 1 is not a usable authority"),
            "{error}"
        );
    }
}
