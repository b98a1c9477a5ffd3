//! The gateway engine behind `/v1`: turn a key into a caller (`auth`), find the model, pick a
//! deployment on some cluster (`registry`, `balancer`), forward (`forward`, `upstream`,
//! `client`), relay the answer (`relay`) and account for it (`accounting`), with the
//! configured guardrails (`crate::guardrail`) on the request and the answer. It knows nothing
//! of HTTP handlers or the app state; `routes::v1` calls it.

pub mod accounting;
pub mod anthropic;
pub mod audio;
pub mod auth;
pub mod balancer;
pub mod client;
pub mod deployment;
pub mod forward;
pub mod health;
pub mod http1;
pub mod json_values;
pub mod moderation;
pub mod registry;
pub mod relay;
pub mod request;
pub mod servers;
pub mod sse;
pub mod tls;
pub mod upstream;
pub mod usage;

use std::sync::Arc;
use std::time::Duration;

use crate::config::{Config, GatewayConfig};
use crate::guardrail::GuardrailSet;
use crate::metrics::Metrics;
use crate::quota::Quotas;
use crate::spend::{Ledger, LiveFeed};
use auth::Authenticator;
use balancer::Balancer;
use registry::Registry;

/// The services a [`Gateway`] is built from.
pub struct GatewayParts {
    pub registry: Arc<Registry>,
    pub ledger: Ledger,
    pub live: Arc<LiveFeed>,
    pub quotas: Arc<Quotas>,
    pub metrics: Arc<Metrics>,
    /// The key store the gateway's authenticator reads.
    pub keys: schema::keys::KeyService,
    /// The guardrails in force.
    pub guardrails: Arc<GuardrailSet>,
}

/// Everything the gateway's handlers share.
pub struct Gateway {
    /// The in-memory model registry.
    pub registry: Arc<Registry>,
    /// The deployment-choice policy.
    pub balancer: Balancer,
    /// The pooled HTTP client requests are forwarded with (keep-alive, HTTP/2 where offered).
    pub upstream: client::UpstreamClient,
    /// The client for health checks and connection tests.
    pub client: reqwest::Client,
    /// Where settled requests are recorded.
    pub ledger: Ledger,
    /// Where settled requests are shown live (GraphQL `spendUpdates`, every replica).
    pub live: Arc<LiveFeed>,
    /// Rate limits, parallel slots and budgets.
    pub quotas: Arc<Quotas>,
    /// Who may call.
    pub auth: Arc<Authenticator>,
    /// Other deployments to try after a failure.
    pub max_retries: u32,
    /// Largest accepted JSON request body.
    pub max_body_bytes: usize,
    /// Largest accepted upload (documents, audio).
    pub max_upload_bytes: usize,
    /// Upload memory still free, in KiB (`max_upload_bytes_in_flight`).
    pub uploads: Arc<tokio::sync::Semaphore>,
    /// Streamed answers that may still start (`max_streams`).
    pub streams: Arc<tokio::sync::Semaphore>,
    /// Most values a JSON request body may hold (`json_values`).
    pub max_json_values: usize,
    /// Where requests, tokens, spend and latencies are counted.
    pub metrics: Arc<Metrics>,
    /// The checks on requests and answers.
    pub guardrails: Arc<GuardrailSet>,
}

/// Why the gateway could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Trust(#[from] tls::TrustError),
    #[error("cannot build the HTTP client for model servers: {0}")]
    Client(#[from] reqwest::Error),
}

impl Gateway {
    /// The client for health checks and connection tests, calling like the forwarding
    /// client does: no redirects followed (a model server's answer is its own), no proxy
    /// from the environment, the authorities of `gateway.ca_file`.
    pub fn http_client(gateway: &GatewayConfig) -> Result<reqwest::Client, BuildError> {
        let trust = tls::UpstreamTrust::load(gateway.ca_file.as_deref())?;
        Ok(trust
            .apply(reqwest::Client::builder())
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(Duration::from_millis(gateway.connect_timeout_ms))
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(512)
            .tcp_nodelay(true)
            .build()?)
    }

    /// Builds the gateway from configuration and the parts it is made of.
    pub fn new(config: &Config, parts: GatewayParts) -> Result<Self, BuildError> {
        let GatewayParts {
            registry,
            ledger,
            live,
            quotas,
            metrics,
            keys,
            guardrails,
        } = parts;
        let gateway = &config.gateway;
        let trust = tls::UpstreamTrust::load(gateway.ca_file.as_deref())?;
        let connect_timeout = Duration::from_millis(gateway.connect_timeout_ms);
        let client = Self::http_client(gateway)?;
        Ok(Self {
            registry,
            balancer: Balancer {
                failures: gateway.cooldown_failures.max(1),
                window: Duration::from_secs(gateway.cooldown_window_seconds),
                cooldown: Duration::from_secs(gateway.cooldown_seconds),
                in_flight: metrics.requests_in_flight.clone(),
            },
            upstream: client::UpstreamClient::new(
                connect_timeout,
                trust.client_config()?,
                config.tracing.enabled(),
            ),
            client,
            ledger,
            live,
            quotas,
            auth: Arc::new(Authenticator::new(
                config.master_key.as_ref(),
                keys,
                gateway.key_cache_entries,
                metrics.clone(),
                crate::clients::Allowance::new(
                    config.http.unknown_keys_per_minute,
                    Duration::from_secs(60),
                ),
            )),
            max_retries: gateway.max_retries,
            max_body_bytes: gateway.max_body_bytes,
            max_upload_bytes: gateway.max_upload_bytes,
            uploads: Arc::new(tokio::sync::Semaphore::new(
                (gateway.max_upload_bytes_in_flight / 1024)
                    .min(tokio::sync::Semaphore::MAX_PERMITS),
            )),
            streams: Arc::new(tokio::sync::Semaphore::new(
                gateway.max_streams.min(tokio::sync::Semaphore::MAX_PERMITS),
            )),
            max_json_values: gateway.max_json_values,
            metrics,
            guardrails,
        })
    }
}
