//! Who is calling `/v1`: the key from `Authorization: Bearer`, `x-litellm-api-key`,
//! `api-key` or `x-api-key`, checked against the master key's hash.

use axum::http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The headers a key may come in, in order of precedence.
const KEY_HEADERS: [&str; 3] = ["x-litellm-api-key", "api-key", "x-api-key"];

/// An authenticated caller of the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The master key: every model, never limited.
    Master,
}

/// Hex SHA-256 of a key, the form keys are stored and compared in.
pub fn hash_key(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// The key the request carries, if any.
pub fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    bearer
        .or_else(|| {
            KEY_HEADERS
                .iter()
                .find_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()))
        })
        .map(str::trim)
        .filter(|key| !key.is_empty())
}

/// Checks keys against the configured master key.
#[derive(Clone)]
pub struct Authenticator {
    master_hash: Option<[u8; 32]>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authenticator([REDACTED])")
    }
}

impl Authenticator {
    /// An authenticator for `master_key` (none: nothing authenticates yet).
    pub fn new(master_key: Option<&SecretString>) -> Self {
        Self {
            master_hash: master_key.map(|k| hash_key(k.expose_secret())),
        }
    }

    /// The caller behind `headers`, or why there is none. Keys are never echoed.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Caller, ApiError> {
        let key = presented_key(headers).ok_or_else(|| {
            ApiError::Unauthorized(
                "missing API key: send it as `Authorization: Bearer sk-…`".into(),
            )
        })?;
        // Comparing digests: equal-length values, and no timing signal about the key itself.
        match self.master_hash {
            Some(master) if master == hash_key(key) => Ok(Caller::Master),
            _ => Err(ApiError::Unauthorized(
                "invalid API key: check the key, or create a new one in the portal".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn keys_are_read_from_all_four_headers() {
        assert_eq!(
            presented_key(&headers(&[("authorization", "Bearer sk-a")])),
            Some("sk-a")
        );
        assert_eq!(
            presented_key(&headers(&[("x-litellm-api-key", "sk-b")])),
            Some("sk-b")
        );
        assert_eq!(
            presented_key(&headers(&[("api-key", "sk-c")])),
            Some("sk-c")
        );
        assert_eq!(
            presented_key(&headers(&[("x-api-key", "sk-d")])),
            Some("sk-d")
        );
        assert_eq!(
            presented_key(&headers(&[("authorization", "Basic xyz")])),
            None
        );
        assert_eq!(presented_key(&headers(&[])), None);
    }

    #[test]
    fn only_the_master_key_authenticates_and_errors_never_echo_keys() {
        let master = SecretString::from(format!("sk-{}", "m".repeat(32)));
        let auth = Authenticator::new(Some(&master));
        let good = headers(&[(
            "authorization",
            &format!("Bearer {}", master.expose_secret()),
        )]);
        assert_eq!(auth.authenticate(&good).unwrap(), Caller::Master);
        let error = auth
            .authenticate(&headers(&[("x-api-key", "sk-wrong-key")]))
            .unwrap_err()
            .to_string();
        assert!(!error.contains("sk-wrong-key"));
        assert!(Authenticator::new(None).authenticate(&good).is_err());
    }
}
