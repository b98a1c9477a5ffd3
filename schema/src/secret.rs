//! Random secrets and their stored form, shared by virtual keys, sessions and tokens.
//!
//! Every secret the platform hands out is alphanumeric text from the operating system's
//! CSPRNG (through `rand`'s thread RNG, reseeded from it) and is stored only as its SHA-256.

use rand::Rng;
use rand::distr::Alphanumeric;
use sha2::{Digest, Sha256};

/// `len` random alphanumerics: 43 carry about 256 bits.
pub fn generate(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Lower-case hex SHA-256 of a secret: its identity in storage.
pub fn sha256_hex(secret: &str) -> String {
    sha256_hex_bytes(secret.as_bytes())
}

/// SHA-256 of a secret as bytes, for comparing a presented secret with a configured one.
pub fn sha256(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Lower-case hex SHA-256 of any bytes (content hashes, ETags).
pub fn sha256_hex_bytes(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_hash_to_hex() {
        let (a, b) = (generate(43), generate(43));
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
