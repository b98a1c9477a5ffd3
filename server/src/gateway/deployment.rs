//! What a model and its deployments are, once loaded: the values the registry builds, the
//! balancer picks from and the forwarding pipeline calls, and each deployment's live state
//! (health, cooldown, requests in flight) that outlives registry reloads.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::http::HeaderValue;
use secrecy::SecretString;
use uuid::Uuid;

use super::http1::Http1Pool;
use crate::metrics::{DeploymentSeries, Metrics, ModelSeries};

/// One deployment, ready to be called.
#[derive(Debug)]
pub struct Deployment {
    pub id: Uuid,
    pub cluster: String,
    /// The OpenAI base URL without a trailing `/` (`https://host/v1`).
    pub base: String,
    /// The server's root: `base` without a trailing `/v1` (for `/health`, `/tokenize`, Docling).
    pub origin: String,
    /// The `Host` header of requests to it, made once when it speaks plain HTTP (see
    /// [`super::http1::host_header`]).
    pub host: Option<HeaderValue>,
    /// Its server's keep-alive connections, when it speaks plain HTTP (shared by every
    /// deployment on that server; TLS ones go through the shared client).
    pub pool: Option<Arc<Http1Pool>>,
    pub backend_model: String,
    pub api_key: Option<SecretString>,
    pub weight: u32,
    pub first_byte_timeout: Duration,
    pub total_timeout: Duration,
    pub max_parallel: Option<u32>,
    /// Health, cooldown and in-flight counts, shared across reloads.
    pub state: Arc<DeploymentState>,
    /// Its metric series, found at its first request.
    pub series: OnceLock<DeploymentSeries>,
}

impl Deployment {
    /// Its metric series, as a deployment of `model`.
    pub fn series(&self, model: &str, metrics: &Metrics) -> &DeploymentSeries {
        self.series
            .get_or_init(|| metrics.deployment_series(model, &self.cluster, &self.id.to_string()))
    }
}

/// A model and where it runs.
#[derive(Debug)]
pub struct ModelRoute {
    pub id: Uuid,
    pub name: String,
    pub provider: String,
    pub capabilities: Vec<String>,
    /// LiteLLM access groups: a key listing a group reaches the model.
    pub access_groups: Vec<String>,
    pub context_length: Option<i64>,
    pub input_price_nanos: i64,
    pub output_price_nanos: i64,
    /// Price per second of audio heard (speech-to-text models); 0: priced per token.
    pub second_price_nanos: i64,
    /// Creation time (Unix seconds), for `/v1/models`.
    pub created: i64,
    pub deployments: Vec<Arc<Deployment>>,
    /// Its metric series, found at its first request.
    pub series: OnceLock<ModelSeries>,
}

impl ModelRoute {
    /// Its metric series for requests whose keys are not named in labels.
    pub fn series(&self, metrics: &Metrics) -> &ModelSeries {
        self.series.get_or_init(|| metrics.model_series(&self.name))
    }

    /// Whether the model's servers speak the Anthropic Messages API themselves (capability
    /// `messages`, as vLLM does): such requests pass through untranslated.
    pub fn speaks_messages(&self) -> bool {
        self.capabilities.iter().any(|c| c == "messages")
    }

    /// Whether the model converts documents (a Docling deployment).
    pub fn converts_documents(&self) -> bool {
        self.provider == "docling" || self.capabilities.iter().any(|c| c == "document_conversion")
    }
}

/// `base` without a trailing `/` and its origin without a trailing `/v1`.
pub fn split_base(api_base: &str) -> (String, String) {
    let base = api_base.trim_end_matches('/').to_owned();
    let origin = base.strip_suffix("/v1").unwrap_or(&base).to_owned();
    (base, origin)
}

/// Milliseconds since this process started (a monotonic clock for atomics).
pub fn now_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = START.get_or_init(Instant::now);
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Live state of one deployment, kept across registry reloads.
#[derive(Debug)]
pub struct DeploymentState {
    /// Result of the last background health check (true until one fails).
    pub(super) healthy: AtomicBool,
    /// Until when (in [`now_ms`]) the deployment is left out of routing.
    pub(super) cooldown_until: AtomicU64,
    /// Times of recent failures, for the cooldown window.
    pub(super) failures: Mutex<VecDeque<u64>>,
    /// Requests in flight on this replica.
    pub(super) in_flight: AtomicU32,
}

impl Default for DeploymentState {
    fn default() -> Self {
        Self {
            healthy: AtomicBool::new(true),
            cooldown_until: AtomicU64::new(0),
            failures: Mutex::new(VecDeque::new()),
            in_flight: AtomicU32::new(0),
        }
    }
}

impl DeploymentState {
    /// Whether the last health check passed.
    pub fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    /// Records a health-check result.
    pub fn set_healthy(&self, healthy: bool) {
        self.healthy.store(healthy, Ordering::Relaxed);
    }

    /// Whether the deployment is cooling down at `now`.
    /// Milliseconds of cooldown left at `now`, if it is cooling down.
    pub fn cooling_left_ms(&self, now: u64) -> Option<u64> {
        let until = self.cooldown_until.load(Ordering::Relaxed);
        (until > now).then(|| until - now)
    }

    pub fn cooling(&self, now: u64) -> bool {
        self.cooldown_until.load(Ordering::Relaxed) > now
    }

    /// Requests in flight.
    pub fn in_flight(&self) -> u32 {
        self.in_flight.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A deployment for routing tests.
    pub(crate) fn deployment(cluster: &str, weight: u32) -> Arc<Deployment> {
        let (base, origin) = split_base("http://127.0.0.1:1/v1/");
        Arc::new(Deployment {
            id: Uuid::new_v4(),
            cluster: cluster.into(),
            host: crate::gateway::http1::host_header(&base),
            pool: None,
            base,
            origin,
            backend_model: "m".into(),
            api_key: None,
            weight,
            first_byte_timeout: Duration::from_secs(1),
            total_timeout: Duration::from_secs(1),
            max_parallel: None,
            state: Arc::default(),
            series: OnceLock::new(),
        })
    }

    #[test]
    fn bases_and_origins_are_normalised() {
        assert_eq!(
            split_base("https://host/v1/"),
            ("https://host/v1".into(), "https://host".into())
        );
        assert_eq!(
            split_base("http://docling:5001"),
            ("http://docling:5001".into(), "http://docling:5001".into())
        );
    }
}
