//! Calling model servers: one deployment after another until one answers (bounded retries
//! on connect errors, timeouts, 429 and 5xx before anything reached the client). Every
//! attempt's success or failure is recorded here, in the balancer and the metrics.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use futures::StreamExt;
use serde::Deserialize;
use tracing::Instrument;

use super::balancer::{Balancer, Slot};
use super::client::{Outgoing, SendError, UpstreamClient, UpstreamResponse};
use super::deployment::{Deployment, ModelRoute};
use crate::error::ApiError;
use crate::metrics::Metrics;

/// A deployment that answered with a success status.
pub struct Answer {
    pub deployment: Arc<Deployment>,
    pub slot: Slot,
    pub response: UpstreamResponse,
    /// When the request to this deployment was sent.
    pub sent: Instant,
}

/// Why one attempt failed.
#[derive(Debug)]
enum Failure {
    /// Worth trying another deployment.
    Retryable(ApiError),
    /// The model server rejected the request itself (4xx): another one would too.
    Final(ApiError),
}

/// The most bytes of an upstream error body read to find its message.
const ERROR_BODY_LIMIT: usize = 16 * 1024;

/// The human part of a model server's error body, with internal URLs removed.
pub fn upstream_message(body: &[u8], deployment: &Deployment) -> String {
    #[derive(Deserialize)]
    struct Nested {
        message: Option<String>,
    }
    #[derive(Deserialize)]
    struct Shape {
        error: Option<serde_json::Value>,
        message: Option<String>,
        detail: Option<serde_json::Value>,
    }
    let text = match serde_json::from_slice::<Shape>(body) {
        Ok(shape) => shape
            .error
            .and_then(|e| match e {
                serde_json::Value::String(s) => Some(s),
                other => serde_json::from_value::<Nested>(other)
                    .ok()
                    .and_then(|n| n.message),
            })
            .or(shape.message)
            .or_else(|| {
                shape
                    .detail
                    .map(|d| d.as_str().map_or_else(|| d.to_string(), str::to_owned))
            })
            .unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned(),
    };
    let text = text
        .replace(&deployment.base, "<model server>")
        .replace(&deployment.origin, "<model server>");
    if text.trim().is_empty() {
        "the model server returned an error without a message".into()
    } else {
        text.chars().take(1_000).collect()
    }
}

/// Sends the request `build` makes for each chosen deployment until one answers with a
/// success status, at most `1 + retries` deployments.
pub async fn send(
    client: &UpstreamClient,
    route: &ModelRoute,
    balancer: &Balancer,
    metrics: &Metrics,
    retries: u32,
    build: impl Fn(&Deployment) -> Outgoing<'_>,
) -> Result<Answer, ApiError> {
    let mut tried = Vec::new();
    let mut last = None;
    for _ in 0..=retries {
        let Some((deployment, slot)) = balancer.pick(&route.deployments, &tried) else {
            break;
        };
        tried.push(deployment.id);
        let sent = Instant::now();
        let span = client.attempt_span(&deployment);
        let attempted = attempt(client, &deployment, build(&deployment));
        match attempted.instrument(span.clone()).await {
            Ok(response) => {
                balancer.record_success(&deployment.state);
                deployment.series(&route.name, metrics).success.inc();
                return Ok(Answer {
                    deployment,
                    slot,
                    response,
                    sent,
                });
            }
            Err(Failure::Final(error)) => {
                span.record("otel.status_code", "error");
                return Err(error);
            }
            Err(Failure::Retryable(error)) => {
                span.record("otel.status_code", "error");
                deployment.series(&route.name, metrics).failure.inc();
                let cooled = balancer.record_failure(&deployment.state);
                tracing::warn!(
                    model = %route.name, cluster = %deployment.cluster, deployment = %deployment.id,
                    error = %error, cooldown = cooled, "model server attempt failed"
                );
                last = Some(error);
            }
        }
    }
    Err(last.unwrap_or_else(|| {
        ApiError::Unavailable(format!(
            "no deployment of model `{}` can take requests right now (all are cooling down after \
             failures or at their parallel limit); retry in a few seconds",
            route.name
        ))
    }))
}

async fn attempt(
    client: &UpstreamClient,
    deployment: &Deployment,
    outgoing: Outgoing<'_>,
) -> Result<UpstreamResponse, Failure> {
    let sent = client
        .send(
            outgoing,
            deployment.first_byte_timeout,
            deployment.total_timeout,
        )
        .await;
    let response = match sent {
        Err(SendError::Timeout) => {
            return Err(Failure::Retryable(ApiError::Timeout(format!(
                "the model server did not answer within {} ms",
                deployment
                    .first_byte_timeout
                    .min(deployment.total_timeout)
                    .as_millis()
            ))));
        }
        Err(SendError::Connect) => {
            return Err(Failure::Retryable(ApiError::BadGateway(format!(
                "cannot connect to the model server on cluster `{}`",
                deployment.cluster
            ))));
        }
        Err(SendError::Tls(reason)) => {
            return Err(Failure::Retryable(ApiError::BadGateway(format!(
                "the model server on cluster `{}` failed the TLS handshake ({reason}); a \
                 certificate from a private authority is trusted once `gateway.ca_file` names it",
                deployment.cluster
            ))));
        }
        Err(SendError::Broken) => {
            return Err(Failure::Retryable(ApiError::BadGateway(
                "the connection to the model server failed".into(),
            )));
        }
        Ok(response) => response,
    };
    let status = response.status;
    if status.is_success() {
        return Ok(response);
    }
    let body = read_limited(response, ERROR_BODY_LIMIT).await;
    let message = upstream_message(&body, deployment);
    let status = StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    if status == StatusCode::TOO_MANY_REQUESTS {
        Err(Failure::Retryable(ApiError::TooManyRequests(format!(
            "the model server is rate limiting: {message}"
        ))))
    } else if status.is_server_error() {
        let kept = matches!(status.as_u16(), 502..=504);
        let status = if kept {
            status
        } else {
            StatusCode::BAD_GATEWAY
        };
        Err(Failure::Retryable(ApiError::Upstream {
            status,
            message: format!("the model server failed: {message}"),
        }))
    } else {
        Err(Failure::Final(ApiError::Upstream { status, message }))
    }
}

async fn read_limited(response: UpstreamResponse, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    let mut stream = std::pin::pin!(response.into_stream());
    let read = async {
        while let Some(Ok(chunk)) = stream.next().await {
            body.extend_from_slice(&chunk[..chunk.len().min(limit - body.len())]);
            if body.len() >= limit {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), read).await;
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::deployment::tests::deployment;

    #[test]
    fn upstream_messages_are_found_and_scrubbed_of_urls() {
        let d = deployment("aws", 1);
        let openai =
            br#"{"error":{"message":"context too long for http://127.0.0.1:1/v1","type":"x"}}"#;
        assert_eq!(
            upstream_message(openai, &d),
            "context too long for <model server>"
        );
        let fastapi = br#"{"detail":"Not Found"}"#;
        assert_eq!(upstream_message(fastapi, &d), "Not Found");
        assert_eq!(upstream_message(b"plain failure", &d), "plain failure");
        assert!(upstream_message(b"", &d).contains("without a message"));
    }
}
