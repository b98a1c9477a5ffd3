//! What every single sign-on provider shares, so that `oidc` (OpenID Connect) and `openshift`
//! (OpenShift's OAuth server) differ only in how a code becomes a person (`provider` picks
//! one): the errors a
//! sign-in reports, the HTTP client that talks to the provider, the login in flight (kept in
//! the database, bound to one browser, used once), a cached discovery document, and the local
//! account a verified person becomes.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use schema::identity::{
    AccountService, LoginStateService, NewLoginState, OidcProfile, PendingLogin, RoleMapping,
};

use crate::config::SsoConfig;

/// How long to wait for the provider.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a single sign-on step failed. Messages are safe to show; they never carry tokens.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    /// The provider (its discovery document, or the cluster API) could not be reached.
    #[error("the identity provider cannot be reached; try again shortly")]
    Unreachable(String),
    /// The callback's `state` is unknown, expired, already used or another browser's.
    #[error(
        "this sign-in link is unknown, expired, already used or was started in another browser; \
         start again"
    )]
    UnknownState,
    /// Too many sign-ins are in flight.
    #[error("{0}")]
    Busy(String),
    /// The provider reported an error instead of a code.
    #[error("the identity provider refused the sign-in ({0})")]
    Refused(String),
    /// The code could not be exchanged (wrong, replayed or expired).
    #[error("the identity provider did not accept the sign-in code; start again")]
    Exchange(String),
    /// The provider's answer failed validation (an ID token, or the person it names).
    #[error("the identity provider's answer failed validation; start again")]
    Invalid(String),
    /// Sign-in is not allowed for this person (gate, deactivated).
    #[error("{0}")]
    Denied(String),
    /// Storage failed.
    #[error("internal error; the server log has the details")]
    Internal(String),
}

impl From<schema::DomainError> for SsoError {
    fn from(error: schema::DomainError) -> Self {
        match error {
            schema::DomainError::Database(e) => Self::Internal(e.to_string()),
            schema::DomainError::Conflict(busy) => Self::Busy(busy),
            other => Self::Denied(other.to_string()),
        }
    }
}

/// A successful sign-in at the provider.
pub struct Verified {
    /// Who signed in.
    pub profile: OidcProfile,
    /// The raw ID token, kept as the end-session hint (OpenID only).
    pub id_token: Option<String>,
    /// Where the browser asked to go afterwards (a local path).
    pub redirect_to: String,
}

/// A local path to return to: anything else (another site, `//host`) becomes `/`.
pub fn local_path(wanted: Option<&str>) -> String {
    match wanted {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".into(),
    }
}

/// The portal as a client of a provider: its callback, its HTTP client, its logins in flight
/// and the accounts they end in.
pub struct Relying {
    /// `{public_base}/auth/callback`, registered at the provider.
    pub redirect: String,
    /// Talks to the provider: no redirects followed (the endpoints answer directly, and SSRF
    /// stays impossible), a timeout, and the configured extra authorities.
    pub http: reqwest::Client,
    login_states: LoginStateService,
    accounts: AccountService,
    mapping: RoleMapping,
}

impl Relying {
    /// The client for `config`, redirecting to `{public_base}/auth/callback`.
    pub fn new(
        config: &SsoConfig,
        public_base: &str,
        login_states: LoginStateService,
        accounts: AccountService,
    ) -> anyhow::Result<Self> {
        let mut http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT);
        if let Some(path) = &config.ca_file {
            for authority in authorities(path)? {
                http = http.add_root_certificate(authority);
            }
        }
        Ok(Self {
            redirect: format!("{public_base}/auth/callback"),
            http: http.build()?,
            login_states,
            accounts,
            mapping: RoleMapping {
                admin_groups: config.admin_groups.clone(),
                readonly_groups: config.readonly_groups.clone(),
                allowed_groups: config.allowed_groups.clone(),
            },
        })
    }

    /// Stores a login started by `browser`, to be taken back once at the callback.
    pub async fn remember(&self, login: NewLoginState<'_>) -> Result<(), SsoError> {
        Ok(self.login_states.start(login).await?)
    }

    /// Takes the login for `state` of this browser, once: a second use (or another
    /// replica's, or another browser's) fails.
    pub async fn take(&self, state: &str, browser: &str) -> Result<PendingLogin, SsoError> {
        self.login_states
            .take(state, browser)
            .await?
            .ok_or(SsoError::UnknownState)
    }

    /// The local user for a verified sign-in (created, linked or updated; roles recomputed).
    pub async fn user_for(&self, profile: &OidcProfile) -> Result<entity::user::Model, SsoError> {
        Ok(self.accounts.sign_in_oidc(profile, &self.mapping).await?)
    }
}

/// The certificate authorities in a PEM file, or in every file of a directory (a mounted
/// volume holding several bundles side by side).
fn authorities(path: &std::path::Path) -> anyhow::Result<Vec<reqwest::Certificate>> {
    let read = |file: &std::path::Path| -> anyhow::Result<Vec<reqwest::Certificate>> {
        let pem = std::fs::read(file)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
        reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| anyhow::anyhow!("{}: not PEM certificates: {e}", file.display()))
    };
    if !path.is_dir() {
        return read(path);
    }
    let mut files: Vec<_> = std::fs::read_dir(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        // A mounted ConfigMap also holds `..data` links; only its files count.
        .filter(|file| {
            file.is_file()
                && !file
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    let mut all = Vec::new();
    for file in files {
        all.extend(read(&file)?);
    }
    Ok(all)
}

/// Reads `response`'s body, refusing one longer than `limit` bytes, whether declared or sent.
pub async fn read_capped(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, String> {
    let too_large = || format!("the answer is larger than {limit} bytes");
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A document fetched from the provider, with when.
pub struct Fetched<T> {
    /// The document.
    pub value: T,
    at: Instant,
}

/// A provider document fetched once, refreshed when older than its age, and kept while the
/// provider is briefly away (a stale document beats none).
pub struct Cached<T> {
    slot: ArcSwapOption<Fetched<T>>,
    refreshing: tokio::sync::Mutex<()>,
    max_age: Duration,
    /// When the last fetch failed, and why: for [`RETRY_AFTER`] nobody waits on another.
    failed: std::sync::Mutex<Option<(Instant, String)>>,
}

/// How long a failed fetch is not tried again: sign-ins during a provider outage (or on a
/// cluster that serves no metadata) answer at once instead of each waiting on it.
const RETRY_AFTER: Duration = Duration::from_secs(30);

impl<T> Cached<T> {
    /// An empty cache whose documents live `minutes` (at least one).
    pub fn new(minutes: u64) -> Self {
        Self {
            slot: ArcSwapOption::empty(),
            refreshing: tokio::sync::Mutex::new(()),
            max_age: Duration::from_secs(minutes.max(1) * 60),
            failed: std::sync::Mutex::new(None),
        }
    }

    /// The error of a fetch that failed less than [`RETRY_AFTER`] ago.
    fn recent_failure(&self) -> Option<String> {
        let failed = self.failed.lock().ok()?;
        let (at, error) = failed.as_ref()?;
        (at.elapsed() < RETRY_AFTER).then(|| error.clone())
    }

    fn fresh(&self) -> Option<Arc<Fetched<T>>> {
        self.slot
            .load_full()
            .filter(|found| found.at.elapsed() < self.max_age)
    }

    /// The last document fetched, however old.
    pub fn last(&self) -> Option<Arc<Fetched<T>>> {
        self.slot.load_full()
    }

    /// The document: cached while fresh, else fetched by `fetch` (one fetch at a time).
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<Arc<Fetched<T>>, SsoError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, String>>,
    {
        if let Some(found) = self.fresh() {
            return Ok(found);
        }
        let _one_at_a_time = self.refreshing.lock().await;
        if let Some(found) = self.fresh() {
            return Ok(found);
        }
        if let Some(error) = self.recent_failure() {
            return self.last().ok_or(SsoError::Unreachable(error));
        }
        match fetch().await {
            Ok(value) => {
                let found = Arc::new(Fetched {
                    value,
                    at: Instant::now(),
                });
                self.slot.store(Some(found.clone()));
                Ok(found)
            }
            Err(error) => {
                tracing::warn!(%error, "the identity provider's discovery document is unavailable");
                if let Ok(mut failed) = self.failed.lock() {
                    *failed = Some((Instant::now(), error.clone()));
                }
                self.last().ok_or(SsoError::Unreachable(error))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl<T> Cached<T> {
        /// Dates the last failure back past RETRY_AFTER.
        fn failed_long_ago(&self) {
            if let Some((at, _)) = self.failed.lock().unwrap().as_mut() {
                *at = Instant::now()
                    .checked_sub(RETRY_AFTER + Duration::from_secs(1))
                    .expect("the machine has been up for half a minute");
            }
        }
    }

    #[tokio::test]
    async fn answers_longer_than_the_cap_are_refused() {
        let answer =
            |size: usize| reqwest::Response::from(axum::http::Response::new(vec![b'x'; size]));
        assert_eq!(read_capped(answer(64), 64).await.unwrap().len(), 64);
        let error = read_capped(answer(65), 64).await.unwrap_err();
        assert!(error.contains("larger than 64 bytes"), "{error}");
    }

    #[tokio::test]
    async fn a_failed_fetch_is_not_tried_again_at_once() {
        let cached: Cached<u32> = Cached::new(1);
        let tries = std::sync::atomic::AtomicUsize::new(0);
        let failing = || async {
            tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Err::<u32, _>("down".to_owned())
        };
        for _ in 0..3 {
            match cached.get(failing).await {
                Err(SsoError::Unreachable(error)) => assert_eq!(error, "down"),
                _ => panic!("expected the provider's failure"),
            }
        }
        assert_eq!(tries.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(local_path(Some("/keys?x=1")), "/keys?x=1");
        for hostile in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "keys",
            "",
        ] {
            assert_eq!(local_path(Some(hostile)), "/", "{hostile}");
        }
        assert_eq!(local_path(None), "/");
    }

    #[tokio::test]
    async fn a_document_is_fetched_once_while_fresh_and_kept_when_the_provider_is_away() {
        let cache: Cached<u32> = Cached::new(1);
        assert!(matches!(
            cache.get(|| async { Err("down".into()) }).await,
            Err(SsoError::Unreachable(_))
        ));
        // The provider is not asked again until RETRY_AFTER has passed.
        cache.failed_long_ago();
        let first = cache.get(|| async { Ok(1) }).await.unwrap();
        assert_eq!(first.value, 1);
        let again = cache.get(|| async { Ok(2) }).await.unwrap();
        assert_eq!(again.value, 1, "fresh: not fetched again");
        // Expired (two minutes old by its stamp), and the provider is away: the old one serves.
        let stale = Arc::new(Fetched {
            value: 3,
            at: Instant::now()
                .checked_sub(Duration::from_secs(120))
                .expect("the machine has been up for two minutes"),
        });
        cache.slot.store(Some(stale));
        let kept = cache.get(|| async { Err("down".into()) }).await.unwrap();
        assert_eq!(kept.value, 3);
        cache.failed_long_ago();
        let refreshed = cache.get(|| async { Ok(4) }).await.unwrap();
        assert_eq!(refreshed.value, 4);
    }
}
