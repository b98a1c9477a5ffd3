//! Calling model servers: one deployment after another until one answers (bounded retries
//! on connect errors, timeouts, 429 and 5xx before anything reached the client), then relaying
//! the answer: whole, or as Server-Sent Events chunk by chunk with usage read on the way.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use chrono::Utc;
use futures::StreamExt;
use futures::stream::BoxStream;
use serde::Deserialize;
use std::collections::VecDeque;

use super::auth::Caller;
use super::balancer::{Balancer, Slot};
use super::client::{BodyError, Outgoing, SendError, UpstreamClient, UpstreamResponse};
use super::registry::{Deployment, ModelRoute};
use super::sse::{self, Event, Splitter, Usage};
use super::usage::{cost_nanos, estimate_tokens};
use crate::error::ApiError;
use crate::ledger::{Ledger, Outcome, SpendEvent};
use crate::metrics::{DeploymentLabels, Metrics, ModelLabels, ProxyLabels, RequestLabels};
use crate::quota::Permit;

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

fn deployment_labels(route: &ModelRoute, deployment: &Deployment) -> DeploymentLabels {
    DeploymentLabels {
        model: route.name.clone(),
        cluster: deployment.cluster.clone(),
        model_id: deployment.id.to_string(),
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
        match attempt(client, &deployment, build(&deployment)).await {
            Ok(response) => {
                metrics
                    .deployment_success
                    .get_or_create(&deployment_labels(route, &deployment))
                    .inc();
                return Ok(Answer {
                    deployment,
                    slot,
                    response,
                    sent,
                });
            }
            Err(Failure::Final(error)) => return Err(error),
            Err(Failure::Retryable(error)) => {
                metrics
                    .deployment_failure
                    .get_or_create(&deployment_labels(route, &deployment))
                    .inc();
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

/// What the ledger needs to know about a request before it ends.
pub struct Accounting {
    pub ledger: Ledger,
    pub metrics: Arc<Metrics>,
    /// Who made the request.
    pub caller: Caller,
    pub request_id: String,
    pub model: Arc<ModelRoute>,
    pub call_type: &'static str,
    pub started: Instant,
    pub started_at: chrono::DateTime<Utc>,
    /// Estimated prompt tokens, used when the model server reports no usage.
    pub prompt_estimate: u64,
    /// The request's hold on its quotas, settled with the actual usage when recorded.
    pub permit: std::sync::Mutex<Option<Permit>>,
    /// When the request went to the deployment that answered.
    pub sent: std::sync::OnceLock<Instant>,
}

impl Accounting {
    /// Records the request's spend.
    pub fn record(
        &self,
        deployment: Option<&Deployment>,
        usage: Option<Usage>,
        completion_estimate: u64,
        outcome: Outcome,
        http_status: u16,
        ttft: Option<Duration>,
    ) {
        let (prompt, completion, estimated) = match usage {
            Some(usage) => (usage.prompt_tokens, usage.completion_tokens, false),
            None if outcome == Outcome::Failure => (0, 0, false),
            None => (self.prompt_estimate, completion_estimate, true),
        };
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let cost = cost_nanos(
            prompt,
            completion,
            self.model.input_price_nanos,
            self.model.output_price_nanos,
        );
        self.count(prompt, completion, cost, http_status, ttft);
        if let Some(mut permit) = self.permit.lock().ok().and_then(|mut p| p.take()) {
            permit.record(prompt.saturating_add(completion), cost);
        }
        self.ledger.record(SpendEvent {
            request_id: self.request_id.clone(),
            key_id: self.caller.key().map(|k| k.id),
            key_hash: self.caller.key().map(|k| k.token_hash.clone()),
            user_id: self.caller.key().and_then(|k| k.owner),
            model: self.model.name.clone(),
            deployment_id: deployment.map(|d| d.id),
            cluster: deployment.map(|d| d.cluster.clone()),
            call_type: self.call_type,
            prompt_tokens: prompt,
            completion_tokens: completion,
            estimated,
            cost_nanos: cost,
            outcome,
            http_status,
            started_at: self.started_at,
            ended_at: Utc::now(),
            ttft_ms: ttft.map(millis),
            duration_ms: millis(self.started.elapsed()),
        });
    }
}

impl Accounting {
    /// Moves the request, token, spend and latency metrics.
    fn count(
        &self,
        prompt: u64,
        completion: u64,
        cost: i64,
        http_status: u16,
        ttft: Option<Duration>,
    ) {
        let metrics = &self.metrics;
        let model = self.model.name.clone();
        let status = ProxyLabels {
            model: model.clone(),
            status_code: http_status.to_string(),
        };
        metrics.proxy_total_requests.get_or_create(&status).inc();
        if http_status >= 400 {
            metrics.proxy_failed_requests.get_or_create(&status).inc();
        }
        let key = self.caller.key();
        let labels = RequestLabels {
            hashed_api_key: key.map(|k| k.token_hash.clone()).unwrap_or_default(),
            api_key_alias: key.and_then(|k| k.alias.clone()).unwrap_or_default(),
            model: model.clone(),
            user: key.and_then(|k| k.user_id.clone()).unwrap_or_default(),
        };
        metrics.requests.get_or_create(&labels).inc();
        metrics.input_tokens.get_or_create(&labels).inc_by(prompt);
        metrics
            .output_tokens
            .get_or_create(&labels)
            .inc_by(completion);
        metrics
            .total_tokens
            .get_or_create(&labels)
            .inc_by(prompt + completion);
        // Nano-units to currency units; the metric is a float by convention, the ledger exact.
        metrics
            .spend
            .get_or_create(&labels)
            .inc_by(cost as f64 / 1e9);
        let by_model = ModelLabels { model };
        metrics
            .request_total_latency
            .get_or_create(&by_model)
            .observe(self.started.elapsed().as_secs_f64());
        if let Some(sent) = self.sent.get() {
            let api = sent.elapsed();
            let overhead = self.started.elapsed().saturating_sub(api);
            metrics
                .llm_api_latency
                .get_or_create(&by_model)
                .observe(api.as_secs_f64());
            metrics
                .overhead_latency
                .get_or_create(&by_model)
                .observe(overhead.as_secs_f64());
        }
        if let Some(ttft) = ttft {
            metrics
                .time_to_first_token
                .get_or_create(&by_model)
                .observe(ttft.as_secs_f64());
        }
    }
}

/// Records the spend of a stream when it ends, however it ends (a client that goes away
/// drops the stream, and with it this guard).
struct StreamGuard {
    accounting: Accounting,
    deployment: Arc<Deployment>,
    _slot: Slot,
    usage: Option<Usage>,
    content_chunks: u64,
    ttft: Option<Duration>,
    outcome: Option<(Outcome, u16)>,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        // 499: the client closed the connection (nginx's convention).
        let (outcome, status) = self.outcome.unwrap_or((Outcome::Cancelled, 499));
        self.accounting.record(
            Some(&self.deployment),
            self.usage,
            self.content_chunks,
            outcome,
            status,
            self.ttft,
        );
    }
}

struct Relay {
    upstream: BoxStream<'static, Result<Bytes, BodyError>>,
    splitter: Splitter,
    /// Drop the usage-only chunk (the client did not ask for it; the gateway did).
    strip_usage: bool,
    out: VecDeque<Bytes>,
    finished: bool,
    guard: StreamGuard,
}

impl Relay {
    fn take(&mut self, chunk: &[u8]) {
        if self.guard.ttft.is_none() {
            self.guard.ttft = Some(self.guard.accounting.started.elapsed());
        }
        for event in self.splitter.push(chunk) {
            match sse::classify(&event) {
                Event::UsageOnly(usage) => {
                    self.guard.usage = Some(usage);
                    if !self.strip_usage {
                        self.out.push_back(event);
                    }
                }
                Event::Chunk(usage) => {
                    self.guard.content_chunks += 1;
                    if usage.is_some() {
                        self.guard.usage = usage;
                    }
                    self.out.push_back(event);
                }
                Event::Done | Event::Other => self.out.push_back(event),
            }
        }
    }

    fn fail(&mut self, error: BodyError) {
        let (message, kind, status) = if error == BodyError::Timeout {
            (
                "the model server did not finish in time",
                "timeout_error",
                504,
            )
        } else {
            ("the model server's stream broke off", "upstream_error", 502)
        };
        tracing::warn!(cluster = %self.guard.deployment.cluster, %status, "stream failed after the first byte");
        self.out.push_back(sse::error_event(message, kind, status));
        self.out.push_back(Bytes::from_static(sse::DONE));
        self.guard.outcome = Some((Outcome::Failure, status));
        self.finished = true;
    }

    async fn next(mut self) -> Option<(Result<Bytes, std::convert::Infallible>, Self)> {
        loop {
            if let Some(bytes) = self.out.pop_front() {
                return Some((Ok(bytes), self));
            }
            if self.finished {
                return None;
            }
            match self.upstream.next().await {
                Some(Ok(chunk)) => self.take(&chunk),
                Some(Err(error)) => self.fail(error),
                None => {
                    if let Some(rest) = self.splitter.finish() {
                        self.out.push_back(rest);
                    }
                    self.guard.outcome = Some((Outcome::Success, 200));
                    self.finished = true;
                }
            }
        }
    }
}

/// Relays a successful streaming answer to the client as it arrives.
pub fn stream_response(answer: Answer, accounting: Accounting, strip_usage: bool) -> Response {
    let status = answer.response.status.as_u16();
    let relay = Relay {
        upstream: answer.response.into_stream().boxed(),
        splitter: Splitter::default(),
        strip_usage,
        out: VecDeque::new(),
        finished: false,
        guard: StreamGuard {
            accounting,
            deployment: answer.deployment,
            _slot: answer.slot,
            usage: None,
            content_chunks: 0,
            ttft: None,
            outcome: None,
        },
    };
    let body = Body::from_stream(futures::stream::unfold(relay, Relay::next));
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// The usage of a whole (non-streaming) answer, or an estimate from its text. The choices
/// are only parsed when the model server reported no usage.
pub fn whole_usage(body: &[u8]) -> (Option<Usage>, u64) {
    #[derive(Deserialize)]
    struct UsageOnly {
        usage: Option<Usage>,
    }
    #[derive(Deserialize)]
    struct Choices {
        #[serde(default)]
        choices: Vec<serde_json::Value>,
    }
    if let Ok(UsageOnly { usage: Some(usage) }) = serde_json::from_slice::<UsageOnly>(body) {
        return (Some(usage), 0);
    }
    let Ok(Choices { choices }) = serde_json::from_slice::<Choices>(body) else {
        return (None, 0);
    };
    let chars: usize = choices
        .iter()
        .map(|c| {
            let text = c["message"]["content"]
                .as_str()
                .or_else(|| c["text"].as_str());
            text.map_or(0, |t| t.chars().count())
        })
        .sum();
    (
        None,
        if chars == 0 {
            0
        } else {
            estimate_tokens(chars)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::registry::tests::deployment;

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

    #[test]
    fn whole_answers_give_usage_or_an_estimate() {
        let with = br#"{"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":3}}"#;
        assert_eq!(whole_usage(with).0.unwrap().completion_tokens, 3);
        let without = br#"{"choices":[{"message":{"content":"12345678"}}]}"#;
        assert_eq!(whole_usage(without), (None, 2));
    }
}
