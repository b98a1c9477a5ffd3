//! Encryption of model-server credentials at rest (XChaCha20-Poly1305), and the checks that
//! keep them usable.
//!
//! The key comes from `gateway.credentials_key` (base64 of 32 bytes); without it, from a key
//! file created once in the data directory, which only the embedded database may rely on (one
//! process, one data directory): on a shared database every replica needs the same key, so
//! stored credentials there require `gateway.credentials_key`. The key is never derived from
//! the master key any more (whoever holds the master key, provisioning automation included,
//! could otherwise open credentials from a backup, and a new master key would lose them);
//! that old derivation is kept only so `switchyard reseal-credentials --from-master-key` can
//! move credentials sealed with it to the current key. A server whose stored credentials do
//! not open with its key refuses to start. Ciphertext is `v1:` + base64(nonce ‖ sealed bytes).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use schema::catalog::CatalogService;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use uuid::Uuid;

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
    /// Stored credentials do not open with this server's key.
    #[error("{0}")]
    Unusable(String),
    /// The catalog could not be read or written.
    #[error("cannot read or write stored credentials: {0}")]
    Storage(#[from] schema::DomainError),
}

impl CredentialCipher {
    /// A cipher over a raw 32-byte key.
    pub fn from_key(key: [u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(Key::from_slice(&key)),
        }
    }

    /// Chooses the key as the module documentation describes: the configured one, else the
    /// data directory's key file.
    pub fn from_config(
        configured: Option<&SecretString>,
        data_dir: &Path,
    ) -> Result<Self, SecretError> {
        match configured {
            Some(key) => Self::from_base64(key.expose_secret()),
            None => Self::from_key_file(&data_dir.join(KEY_FILE)),
        }
    }

    /// A cipher over a key given as base64 of 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, SecretError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| SecretError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SecretError::BadKey)?;
        Ok(Self::from_key(key))
    }

    /// The key earlier versions derived from the master key when none was configured; only
    /// for moving credentials sealed with it to the current key.
    pub fn legacy_from_master(master_key: &SecretString) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"switchyard credentials key v1\0");
        hasher.update(master_key.expose_secret().as_bytes());
        Self::from_key(hasher.finalize().into())
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
        Self::from_base64(&text)
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

/// What a start needs of the stored credentials: with `configured` false (the key file), the
/// database must be the embedded one when any exist, and every one must open with `cipher`.
/// `legacy` (the key derived from the master key) only sharpens the error's advice.
pub async fn check_stored(
    catalog: &CatalogService,
    cipher: &CredentialCipher,
    configured: bool,
    embedded: bool,
    legacy: Option<&CredentialCipher>,
) -> Result<(), SecretError> {
    let stored = catalog.sealed_credentials().await?;
    if stored.is_empty() {
        return Ok(());
    }
    if !configured && !embedded {
        return Err(SecretError::Unusable(format!(
            "{} model-server credential(s) are stored in a shared database, but \
             gateway.credentials_key is not set: every replica must seal and open them with \
             the same key. Set gateway.credentials_key (base64 of 32 bytes, such as the \
             output of `openssl rand -base64 32`) on every replica; if they were sealed with \
             another key, run `switchyard reseal-credentials` once (see its --help)",
            stored.len()
        )));
    }
    let unopened: Vec<Uuid> = stored
        .iter()
        .filter(|(_, sealed)| cipher.open(sealed).is_err())
        .map(|(id, _)| *id)
        .collect();
    if unopened.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = unopened.iter().take(5).map(Uuid::to_string).collect();
    let from_master = legacy.is_some_and(|old| {
        stored
            .iter()
            .filter(|(id, _)| unopened.contains(id))
            .all(|(_, sealed)| old.open(sealed).is_ok())
    });
    let advice = if from_master {
        "they were sealed with the key earlier versions derived from the master key: run \
         `switchyard reseal-credentials --from-master-key` once, with this configuration"
    } else {
        "start with the key they were sealed with, or re-seal them with \
         `switchyard reseal-credentials` and SWITCHYARD_OLD_CREDENTIALS_KEY set to that key"
    };
    Err(SecretError::Unusable(format!(
        "{} stored model-server credential(s) cannot be opened with this server's credentials \
         key (deployments {}); {advice}. Refusing to start: requests would reach those model \
         servers without their credentials",
        unopened.len(),
        shown.join(", ")
    )))
}

/// Re-seals every stored credential that `current` cannot open but `old` can, with
/// `current`. Returns how many were re-sealed and how many already opened with `current`;
/// fails, changing nothing, when one opens with neither.
pub async fn reseal(
    catalog: &CatalogService,
    old: &CredentialCipher,
    current: &CredentialCipher,
) -> Result<(usize, usize), SecretError> {
    let stored = catalog.sealed_credentials().await?;
    let mut resealed = Vec::new();
    let mut current_already = 0;
    for (id, sealed) in stored {
        if current.open(&sealed).is_ok() {
            current_already += 1;
            continue;
        }
        let secret = old.open(&sealed).map_err(|_| {
            SecretError::Unusable(format!(
                "the credential of deployment {id} opens with neither the old key nor the \
                 current one; nothing was changed"
            ))
        })?;
        let again = current.seal(secret.expose_secret());
        resealed.push((id, sealed, again));
    }
    let count = resealed.len();
    if count > 0 {
        catalog.reseal(resealed).await?;
    }
    Ok((count, current_already))
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
        let first = CredentialCipher::from_config(None, dir.path()).unwrap();
        let sealed = first.seal("s");
        let second = CredentialCipher::from_config(None, dir.path()).unwrap();
        assert_eq!(second.open(&sealed).unwrap().expose_secret(), "s");
    }

    #[test]
    fn a_malformed_configured_key_is_refused() {
        let bad = SecretString::from("too-short");
        let error = CredentialCipher::from_config(Some(&bad), Path::new("/nonexistent"));
        assert!(matches!(error, Err(SecretError::BadKey)));
    }
}
