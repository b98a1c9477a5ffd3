//! Structured logging, and OpenTelemetry traces when `[tracing]` names an OTLP/HTTP endpoint.
//! Requests are logged (and their spans exported) with their id and route, never with their
//! `Authorization` or `Cookie` headers or bodies.
//!
//! With tracing off no exporter, thread or OpenTelemetry layer exists: the subscriber is the
//! log filter and the log format, as before tracing could be turned on.

use std::io::{IsTerminal, stderr};
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::hyper::HyperClient;
use opentelemetry_http::{HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{ExporterBuildError, Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

use crate::config::{Config, LogFormat, TracingConfig};
use crate::gateway::tls::{TrustError, UpstreamTrust};

/// How long one export request may take.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// What must be shut down before the process ends: the trace exporter, when there is one.
#[derive(Debug)]
#[must_use = "shut it down at exit, or the last spans are lost"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

/// Why traces cannot be exported as configured.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// `gateway.ca_file`, which an https endpoint is checked against, is unusable.
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// The exporter refused the endpoint (not a URL it can post to).
    #[error("tracing.endpoint: {0}")]
    Exporter(#[from] ExporterBuildError),
    /// The exporter's runtime could not start its thread.
    #[error("cannot start the trace exporter's thread: {0}")]
    Thread(#[source] std::io::Error),
}

/// Installs the global subscriber: logs, plus the OpenTelemetry layer when tracing is on.
/// `RUST_LOG`, when set, wins over the configured level; spans are exported where the filter
/// lets them through (requests are `info`).
pub fn init(config: &Config) -> Result<Telemetry, TelemetryError> {
    let provider = match config.tracing.traces_url() {
        Some(url) => Some(provider(
            &config.tracing,
            url,
            config.gateway.ca_file.as_deref(),
        )?),
        None => None,
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.log.level))
        .unwrap_or_else(|_| EnvFilter::new("info"))
        // sqlx logs every statement at info; that is noise, and may carry data.
        .add_directive("sqlx=warn".parse().unwrap_or_default())
        .add_directive("sea_orm_migration=warn".parse().unwrap_or_default());
    let ansi = std::io::stderr().is_terminal();
    // One of the two is set; each is its own type, below the other in the stack.
    let (text, json) = match config.log.format {
        LogFormat::Text => (Some(fmt::layer().with_writer(stderr).with_ansi(ansi)), None),
        LogFormat::Json => (
            None,
            Some(
                fmt::layer()
                    .with_writer(stderr)
                    .with_ansi(ansi)
                    .json()
                    .flatten_event(true),
            ),
        ),
    };
    let traces = provider
        .as_ref()
        .map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer("switchyard")));
    let result = tracing_subscriber::registry()
        .with(filter)
        .with(text)
        .with(json)
        .with(traces)
        .try_init();
    // A subscriber may already be installed (tests); keeping that one is right.
    drop(result);
    Ok(Telemetry { provider })
}

impl Telemetry {
    /// Sends the spans still queued and stops the exporter (at most a few seconds).
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(error) = provider.shutdown()
        {
            tracing::warn!(%error, "the last spans could not be exported");
        }
    }
}

/// The tracer provider: spans batched and posted to `url` as OTLP protobuf, a share of new
/// traces sampled, a client's sampled `traceparent` followed.
fn provider(
    config: &TracingConfig,
    url: String,
    ca_file: Option<&Path>,
) -> Result<SdkTracerProvider, TelemetryError> {
    let tls = UpstreamTrust::load(ca_file)?.client_config()?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(ExportClient::new(tls)?)
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(url)
        .with_timeout(EXPORT_TIMEOUT)
        .build()?;
    let sampler = Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(config.sample_ratio)));
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(sampler)
        .with_resource(
            Resource::builder()
                .with_service_name(config.service_name.clone())
                .build(),
        )
        .build())
}

/// Posts export requests with hyper on a one-thread runtime of its own: the SDK's batch
/// processor exports from its own thread, outside the server's runtime (which does not exist
/// yet when telemetry starts, and is gone when the last spans are sent at exit). https
/// endpoints are checked like model servers: the public roots and `gateway.ca_file`.
#[derive(Debug)]
struct ExportClient {
    hyper: HyperClient<HttpsConnector<HttpConnector>>,
    runtime: tokio::runtime::Runtime,
}

impl ExportClient {
    fn new(tls: rustls::ClientConfig) -> Result<Self, TelemetryError> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("otlp-export")
            .enable_all()
            .build()
            .map_err(TelemetryError::Thread)?;
        Ok(Self {
            hyper: HyperClient::new(https, EXPORT_TIMEOUT, None),
            runtime,
        })
    }
}

#[async_trait::async_trait]
impl HttpClient for ExportClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let hyper = self.hyper.clone();
        self.runtime
            .spawn(async move { hyper.send_bytes(request).await })
            .await?
    }
}
