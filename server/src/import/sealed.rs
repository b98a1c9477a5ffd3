//! LiteLLM's sealed values: the strings of a model's `litellm_params` it stores (its model
//! server's `api_key` above all) are sealed under its salt key (`LITELLM_SALT_KEY`, else its
//! master key), in one of three formats it reads by their look:
//!
//! - `v3:gcm:` + base64url(nonce(12) ‖ AES-256-GCM ciphertext and tag), the key by
//!   HKDF-SHA256 of the salt key (no salt, info `litellm-at-rest-v3`): newer versions' default;
//! - `v2:gcm:` + the same, the key the SHA-256 of the salt key;
//! - no prefix: base64 (URL-safe in newer versions, standard in older) of NaCl's secretbox,
//!   nonce(24) ‖ XSalsa20-Poly1305 box, under the SHA-256 of the salt key.
//!
//! Only opening is needed here: an imported credential is sealed again with Switchyard's key.

use aes_gcm::Aes256Gcm;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use crypto_secretbox::XSalsa20Poly1305;
use crypto_secretbox::aead::{Aead, KeyInit, generic_array::GenericArray};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// secretbox's nonce length, and the shortest box (an empty value's tag).
const NACL_NONCE: usize = 24;
const TAG: usize = 16;
/// AES-GCM's nonce length.
const GCM_NONCE: usize = 12;
const V3: &str = "v3:gcm:";
const V2: &str = "v2:gcm:";
/// The HKDF info string of `v3:gcm:` keys.
const V3_INFO: &[u8] = b"litellm-at-rest-v3";

/// What a value turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Reading {
    /// It was sealed, and opened with the salt key.
    Opened(String),
    /// It does not have the shape of a sealed value: stored as it was given.
    Plain,
    /// It has the shape of a sealed value but does not open with this salt key.
    WrongKey,
}

/// The keys LiteLLM seals with, from its salt key.
pub struct SaltKey {
    nacl: XSalsa20Poly1305,
    v2: Aes256Gcm,
    v3: Aes256Gcm,
}

impl std::fmt::Debug for SaltKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SaltKey(..)")
    }
}

impl SaltKey {
    /// The keys from LiteLLM's salt key (or master key) as its operators set it.
    pub fn new(salt: &SecretString) -> Self {
        let salt = salt.expose_secret().as_bytes();
        let digest: [u8; 32] = Sha256::digest(salt).into();
        let mut derived = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit of 255 × 32: expanding cannot fail.
        let _ = hkdf::Hkdf::<Sha256>::new(None, salt).expand(V3_INFO, &mut derived);
        Self {
            nacl: XSalsa20Poly1305::new(&digest.into()),
            v2: Aes256Gcm::new(&digest.into()),
            v3: Aes256Gcm::new(&derived.into()),
        }
    }

    /// Opens `value` if it is sealed.
    pub fn open(&self, value: &str) -> Reading {
        let Some((format, bytes)) = shape(value) else {
            // A version prefix says the value was sealed, whatever follows it.
            return if value.starts_with(V3) || value.starts_with(V2) {
                Reading::WrongKey
            } else {
                Reading::Plain
            };
        };
        let (cipher_nonce, sealed) = match format {
            Format::Nacl => bytes.split_at(NACL_NONCE),
            Format::V2 | Format::V3 => bytes.split_at(GCM_NONCE),
        };
        let plain = match format {
            Format::Nacl => self
                .nacl
                .decrypt(GenericArray::from_slice(cipher_nonce), sealed),
            Format::V2 => self
                .v2
                .decrypt(GenericArray::from_slice(cipher_nonce), sealed),
            Format::V3 => self
                .v3
                .decrypt(GenericArray::from_slice(cipher_nonce), sealed),
        };
        match plain {
            Ok(plain) => String::from_utf8(plain).map_or(Reading::WrongKey, Reading::Opened),
            Err(_) => Reading::WrongKey,
        }
    }
}

enum Format {
    Nacl,
    V2,
    V3,
}

/// Whether `value` has the shape of a sealed value.
pub fn looks_sealed(value: &str) -> bool {
    value.starts_with(V3) || value.starts_with(V2) || shape(value).is_some()
}

/// The format of a sealed value and its bytes (nonce first).
fn shape(value: &str) -> Option<(Format, Vec<u8>)> {
    let gcm = |rest: &str| {
        URL_SAFE
            .decode(rest)
            .ok()
            .filter(|b| b.len() >= GCM_NONCE + TAG)
    };
    if let Some(rest) = value.strip_prefix(V3) {
        return gcm(rest).map(|b| (Format::V3, b));
    }
    if let Some(rest) = value.strip_prefix(V2) {
        return gcm(rest).map(|b| (Format::V2, b));
    }
    URL_SAFE
        .decode(value)
        .or_else(|_| STANDARD.decode(value))
        .ok()
        .filter(|b| b.len() >= NACL_NONCE + TAG)
        .map(|b| (Format::Nacl, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seals as LiteLLM's legacy format does (PyNaCl's `SecretBox.encrypt`).
    fn nacl(salt: &str, value: &str, alphabet: &base64::engine::GeneralPurpose) -> String {
        let digest: [u8; 32] = Sha256::digest(salt.as_bytes()).into();
        let nonce = [7u8; NACL_NONCE];
        let mut out = nonce.to_vec();
        out.extend(
            XSalsa20Poly1305::new(&digest.into())
                .encrypt(GenericArray::from_slice(&nonce), value.as_bytes())
                .unwrap(),
        );
        alphabet.encode(out)
    }

    /// Seals as LiteLLM's `v2:gcm:` format does.
    fn v2(salt: &str, value: &str) -> String {
        let digest: [u8; 32] = Sha256::digest(salt.as_bytes()).into();
        let nonce = [9u8; GCM_NONCE];
        let mut out = nonce.to_vec();
        out.extend(
            Aes256Gcm::new(&digest.into())
                .encrypt(GenericArray::from_slice(&nonce), value.as_bytes())
                .unwrap(),
        );
        format!("{V2}{}", URL_SAFE.encode(out))
    }

    #[test]
    fn values_sealed_in_each_format_open_with_the_salt_key_only() {
        let key = SaltKey::new(&SecretString::from("sk-salt"));
        let other = SaltKey::new(&SecretString::from("sk-other"));
        let sealed = [
            nacl("sk-salt", "sk-model-server-secret", &STANDARD),
            nacl("sk-salt", "sk-model-server-secret", &URL_SAFE),
            v2("sk-salt", "sk-model-server-secret"),
        ];
        for sealed in sealed {
            assert!(looks_sealed(&sealed), "{sealed}");
            assert_eq!(
                key.open(&sealed),
                Reading::Opened("sk-model-server-secret".into()),
                "{sealed}"
            );
            assert_eq!(other.open(&sealed), Reading::WrongKey, "{sealed}");
        }
        assert_eq!(key.open("openai/granite"), Reading::Plain);
        assert_eq!(key.open("https://vllm.example/v1"), Reading::Plain);
        assert_eq!(key.open(""), Reading::Plain);
        assert_eq!(
            key.open("v3:gcm:c2hvcnQ="),
            Reading::WrongKey,
            "sealed, but cut short"
        );
        assert_eq!(key.open("v2:gcm:not base64!"), Reading::WrongKey);
        assert!(!looks_sealed("c2hvcnQ="), "too short to be sealed");
    }

    #[test]
    fn the_salt_key_never_shows_in_debug() {
        let key = SaltKey::new(&SecretString::from("sk-very-secret"));
        assert!(!format!("{key:?}").contains("secret"));
    }
}
