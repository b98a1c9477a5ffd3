//! A certificate authority made for one test, like a cluster's service CA: it signs a
//! certificate for `localhost` and `127.0.0.1` that `mock-upstream --tls-cert` serves, and
//! its own certificate is what `gateway.ca_file` points at.

use std::path::PathBuf;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

/// The authority's certificate and the server certificate and key it issued, as PEM files.
pub struct TestCa {
    _dir: tempfile::TempDir,
    /// The authority's certificate (what clients must trust).
    pub ca_file: PathBuf,
    /// The server's certificate, signed by the authority.
    pub cert_file: PathBuf,
    /// The server's private key.
    pub key_file: PathBuf,
    ca_pem: String,
}

impl TestCa {
    /// A fresh authority and a server certificate from it.
    pub fn new() -> Self {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "switchyard test cluster CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).unwrap();

        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "mock-upstream");
        let cert = params.signed_by(&key, &ca, &ca_key).unwrap();

        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        Self {
            ca_file: write("ca.pem", &ca.pem()),
            cert_file: write("server.pem", &cert.pem()),
            key_file: write("server-key.pem", &key.serialize_pem()),
            ca_pem: ca.pem(),
            _dir: dir,
        }
    }

    /// An HTTP client that trusts this authority.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).unwrap())
            .build()
            .unwrap()
    }
}

impl Default for TestCa {
    fn default() -> Self {
        Self::new()
    }
}
