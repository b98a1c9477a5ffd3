//! Encryption of model-server credentials at rest (XChaCha20-Poly1305).
//!
//! The key comes from `gateway.credentials_key` (base64 of 32 bytes); without it, from the
//! master key (SHA-256 with a domain label); without either, from a key file created once in
//! the data directory. Ciphertext is `v1:` + base64(nonce ‖ sealed bytes).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 24;
const KEY_FILE: &str = "credentials.key";

/// Seals and opens stored credentials. Its `Debug` shows no key material.
#[derive(Clone)]
pub struct CredentialCipher {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for CredentialCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialCipher([REDACTED])")
    }
}

/// Why a credential could not be sealed, opened or keyed.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The configured key is not base64 of 32 bytes.
    #[error("gateway.credentials_key: expected base64 of 32 bytes")]
    BadKey,
    /// The key file could not be read or written.
    #[error("cannot use the credentials key file {path}: {source}")]
    KeyFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The stored value is not ours or was sealed with another key.
    #[error("a stored credential cannot be decrypted (was the credentials key changed?)")]
    Open,
}

impl CredentialCipher {
    /// A cipher over a raw 32-byte key.
    pub fn from_key(key: [u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(Key::from_slice(&key)),
        }
    }

    /// Chooses the key as the module documentation describes.
    pub fn from_config(
        configured: Option<&SecretString>,
        master_key: Option<&SecretString>,
        data_dir: &Path,
    ) -> Result<Self, SecretError> {
        if let Some(key) = configured {
            let bytes = STANDARD
                .decode(key.expose_secret().trim())
                .map_err(|_| SecretError::BadKey)?;
            let key: [u8; 32] = bytes.try_into().map_err(|_| SecretError::BadKey)?;
            return Ok(Self::from_key(key));
        }
        if let Some(master) = master_key {
            let mut hasher = Sha256::new();
            hasher.update(b"switchyard credentials key v1\0");
            hasher.update(master.expose_secret().as_bytes());
            return Ok(Self::from_key(hasher.finalize().into()));
        }
        Self::from_key_file(&data_dir.join(KEY_FILE))
    }

    fn from_key_file(path: &Path) -> Result<Self, SecretError> {
        let error = |source| SecretError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        if !path.exists() {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(error)?;
            }
            let key: [u8; 32] = rand::random();
            std::fs::write(path, STANDARD.encode(key)).map_err(error)?;
            restrict_permissions(path).map_err(error)?;
        }
        let text = std::fs::read_to_string(path).map_err(error)?;
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| SecretError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SecretError::BadKey)?;
        Ok(Self::from_key(key))
    }

    /// Encrypts `plaintext` with a fresh random nonce.
    pub fn seal(&self, plaintext: &str) -> String {
        let nonce: [u8; NONCE_LEN] = rand::random();
        // Encryption with a valid key and nonce length cannot fail for in-memory input.
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plaintext.as_bytes())
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}", STANDARD.encode(bytes))
    }

    /// Decrypts a value made by [`seal`](Self::seal).
    pub fn open(&self, stored: &str) -> Result<SecretString, SecretError> {
        let encoded = stored.strip_prefix(PREFIX).ok_or(SecretError::Open)?;
        let bytes = STANDARD.decode(encoded).map_err(|_| SecretError::Open)?;
        if bytes.len() <= NONCE_LEN {
            return Err(SecretError::Open);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), sealed)
            .map_err(|_| SecretError::Open)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| SecretError::Open)
    }

    /// True when `stored` decrypts to the same secret as `other` (both may be absent).
    pub fn same(&self, stored: Option<&str>, other: Option<&str>) -> bool {
        match (stored, other) {
            (None, None) => true,
            (Some(a), Some(b)) => match (self.open(a), self.open(b)) {
                (Ok(a), Ok(b)) => a.expose_secret() == b.expose_secret(),
                _ => false,
            },
            _ => false,
        }
    }
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key() {
        let cipher = CredentialCipher::from_key([7; 32]);
        let sealed = cipher.seal("token-123");
        assert!(sealed.starts_with("v1:") && !sealed.contains("token-123"));
        assert_eq!(cipher.open(&sealed).unwrap().expose_secret(), "token-123");
        assert_ne!(cipher.seal("token-123"), sealed, "a fresh nonce every time");
        let other = CredentialCipher::from_key([8; 32]);
        assert!(other.open(&sealed).is_err());
        assert!(cipher.open("v1:garbage").is_err());
        assert!(cipher.same(Some(&sealed), Some(&cipher.seal("token-123"))));
        assert!(!cipher.same(Some(&sealed), Some(&cipher.seal("other"))));
        assert!(!cipher.same(Some(&sealed), None));
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = CredentialCipher::from_config(None, None, dir.path()).unwrap();
        let sealed = first.seal("s");
        let second = CredentialCipher::from_config(None, None, dir.path()).unwrap();
        assert_eq!(second.open(&sealed).unwrap().expose_secret(), "s");
    }

    #[test]
    fn a_malformed_configured_key_is_refused() {
        let bad = SecretString::from("too-short");
        let error = CredentialCipher::from_config(Some(&bad), None, Path::new("/nonexistent"));
        assert!(matches!(error, Err(SecretError::BadKey)));
    }
}
