//! Who is calling `/v1`: the key from `Authorization: Bearer`, `x-litellm-api-key`,
//! `api-key` or `x-api-key`, checked against the master key's hash.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use schema::keys::{AuthKey, KeyService};

use super::deployment::ModelRoute;
use crate::clients::Allowance;
use crate::metrics::Metrics;
use schema::secret::sha256;
use secrecy::{ExposeSecret, SecretString};

use crate::error::ApiError;

/// The headers a key may come in, in order of precedence.
const KEY_HEADERS: [&str; 3] = ["x-litellm-api-key", "api-key", "x-api-key"];

/// An authenticated caller of the gateway.
#[derive(Debug, Clone)]
pub enum Caller {
    /// The master key: every model, never limited.
    Master,
    /// A virtual key, valid now.
    Key(Arc<AuthKey>),
}

impl Caller {
    /// Whether the caller may use `model` (by its name or its access groups).
    pub fn may_use(&self, model: &ModelRoute) -> bool {
        match self {
            Self::Master => true,
            Self::Key(key) => key.models.allows(&model.name, &model.access_groups),
        }
    }

    /// The key's hash, alias and owner, for accounting (none for the master key).
    pub fn key(&self) -> Option<&AuthKey> {
        match self {
            Self::Master => None,
            Self::Key(key) => Some(key),
        }
    }
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

/// How long a looked-up key is trusted without asking the database again (changes on any
/// replica clear the cache sooner, through the key version).
const CACHE_TTL: Duration = Duration::from_secs(60);

/// A looked-up key (or its absence) and when it was looked up.
type Cached = (Option<Arc<AuthKey>>, Instant);

/// The key cache, holding at most `capacity` entries.
fn key_cache(capacity: usize) -> quick_cache::sync::Cache<String, Cached> {
    quick_cache::sync::Cache::new(capacity)
}

/// Checks keys: the master key by its hash, virtual keys through a cache over the database.
/// A client that presented too many keys matching nothing is refused for a while without
/// the database being asked (random keys would each cost a query).
pub struct Authenticator {
    master_hash: Option<[u8; 32]>,
    keys: KeyService,
    cache: quick_cache::sync::Cache<String, Cached>,
    version: AtomicI64,
    metrics: Arc<Metrics>,
    unknown: Allowance,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authenticator([REDACTED])")
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::Unauthorized(message.into())
}

impl Authenticator {
    /// An authenticator for `master_key` and the keys in `keys`, remembering at most
    /// `cache_entries` looked-up keys (and absences of keys: bounded, so made-up keys evict
    /// old entries instead of growing memory), allowing each client `unknown` keys that
    /// match nothing.
    pub fn new(
        master_key: Option<&SecretString>,
        keys: KeyService,
        cache_entries: usize,
        metrics: Arc<Metrics>,
        unknown: Allowance,
    ) -> Self {
        Self {
            master_hash: master_key.map(|k| sha256(k.expose_secret())),
            keys,
            cache: key_cache(cache_entries.max(1)),
            version: AtomicI64::new(-1),
            metrics,
            unknown,
        }
    }

    /// Forgets every cached key (after a change on this replica).
    pub fn invalidate(&self) {
        self.cache.clear();
    }

    /// Clears the cache when the key version moved (a key changed on another replica).
    pub async fn refresh_if_changed(&self) {
        if let Ok(version) = self.keys.version().await
            && self.version.swap(version, Ordering::Relaxed) != version
        {
            self.invalidate();
        }
    }

    async fn lookup(
        &self,
        hash: String,
        client: Option<IpAddr>,
    ) -> Result<Option<Arc<AuthKey>>, ApiError> {
        if let Some((found, at)) = self.cache.get(&hash)
            && at.elapsed() < CACHE_TTL
        {
            self.metrics.key_cache_hits.inc();
            return Ok(found);
        }
        if let Some(wait) = self.unknown.exhausted(client) {
            let seconds = wait.as_secs().max(1);
            return Err(ApiError::RateLimited {
                message: format!(
                    "too many unknown API keys from this client; try again in {seconds} s"
                ),
                headers: vec![(axum::http::header::RETRY_AFTER, seconds.into())],
            });
        }
        self.metrics.key_cache_misses.inc();
        // Boxed: the query's future is kilobytes, and every request's future would carry
        // (and move) its room though nearly all are answered from the cache.
        let found = Box::pin(self.keys.for_auth(&hash)).await?.map(Arc::new);
        if found.is_none() {
            // Counted, not refused: this request gets its 401 either way.
            let _ = self.unknown.take(client);
        }
        self.cache.insert(hash, (found.clone(), Instant::now()));
        self.metrics
            .key_cache_entries
            .set(i64::try_from(self.cache.len()).unwrap_or(i64::MAX));
        Ok(found)
    }

    /// The caller behind `headers` sent by `client`, or why there is none. Keys are never
    /// echoed.
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
        client: Option<IpAddr>,
    ) -> Result<Caller, ApiError> {
        let key = presented_key(headers).ok_or_else(|| {
            unauthorized("missing API key: send it as `Authorization: Bearer sk-…`")
        })?;
        // Comparing digests: equal-length values, and no timing signal about the key itself.
        // One digest serves both the master-key check and the lookup.
        let digest = sha256(key);
        if self.master_hash.is_some_and(|master| master == digest) {
            return Ok(Caller::Master);
        }
        let found = self
            .lookup(schema::secret::hex(&digest), client)
            .await?
            .ok_or_else(|| {
                unauthorized("invalid API key: check the key, or create a new one in the portal")
            })?;
        Self::usable(found)
    }

    /// The key stored with `hash` (the playground's, found through a session), if usable.
    pub async fn for_hash(&self, hash: String) -> Result<Caller, ApiError> {
        let found = self
            .lookup(hash, None)
            .await?
            .ok_or_else(|| unauthorized("sign in again: the session's key is gone"))?;
        Self::usable(found)
    }

    /// A found key as a caller, unless it is blocked or expired.
    fn usable(found: Arc<AuthKey>) -> Result<Caller, ApiError> {
        if found.blocked {
            return Err(unauthorized(
                "this API key is blocked; ask an administrator to unblock it",
            ));
        }
        if let Some(expired) = found.expires_at.filter(|at| *at <= chrono::Utc::now()) {
            return Err(ApiError::Unauthorized(format!(
                "this API key expired at {}; create a new one or ask for an extension",
                expired.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )));
        }
        Ok(Caller::Key(found))
    }

    /// Only the master key passes.
    pub async fn require_master(
        &self,
        headers: &HeaderMap,
        client: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        match self.authenticate(headers, client).await? {
            Caller::Master => Ok(()),
            Caller::Key(_) => Err(ApiError::Forbidden(
                "this route needs the master key".into(),
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
    fn the_key_cache_stays_bounded_under_made_up_keys() {
        let cache = key_cache(1_000);
        for i in 0..20_000 {
            cache.insert(format!("made-up-{i}"), (None, Instant::now()));
        }
        assert!(cache.len() <= 1_000, "{} entries", cache.len());
        assert!(cache.get("made-up-19999").is_some(), "the newest is kept");
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
}
