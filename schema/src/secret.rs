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
    hex(&Sha256::digest(bytes).into())
}

/// A digest in lower-case hex. Written out by table into an array rather than formatted or
/// pushed char by char: a key is hashed on every gateway request, and formatting cost more
/// than the hash (pushing chars cost 706 instructions a request in callgrind; this, 490).
pub fn hex(digest: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0_u8; 64];
    for (pair, byte) in out.chunks_exact_mut(2).zip(digest) {
        pair.copy_from_slice(&[
            DIGITS[usize::from(byte >> 4)],
            DIGITS[usize::from(byte & 0x0f)],
        ]);
    }
    // Only the table's ASCII digits and letters were written.
    std::str::from_utf8(&out)
        .map(str::to_owned)
        .unwrap_or_default()
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
        assert_eq!(hex(&sha256("abc")), sha256_hex("abc"));
        let mut digest = [0u8; 32];
        digest[0] = 0x0f;
        digest[31] = 0xf0;
        assert_eq!(hex(&digest), format!("0f{}f0", "0".repeat(60)));
    }
}
