//! The gateway's HTTP handlers: read and check the request, call the upstream module,
//! convert the answer. Every answer carries the LiteLLM-style response headers.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::Utc;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{Value, json};

use super::REQUEST_ID;
use crate::error::ApiError;
use crate::gateway::auth::Caller;
use crate::gateway::client::{BodyError, Outgoing};
use crate::gateway::registry::{Deployment, ModelRoute};
use crate::gateway::upstream::{self, Accounting, Answer};
use crate::gateway::usage::{estimate_tokens, prompt_chars};
use crate::ledger::Outcome;
use crate::quota::Permit;
use crate::state::AppState;

/// The OpenAI operations the gateway forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Chat,
    Completion,
    Embeddings,
    Tokenize,
}

impl Operation {
    fn call_type(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Completion => "completion",
            Self::Embeddings => "embeddings",
            Self::Tokenize => "tokenize",
        }
    }

    fn url(self, deployment: &Deployment) -> String {
        match self {
            Self::Chat => format!("{}/chat/completions", deployment.base),
            Self::Completion => format!("{}/completions", deployment.base),
            Self::Embeddings => format!("{}/embeddings", deployment.base),
            // vLLM serves tokenize at its root, not under /v1.
            Self::Tokenize => format!("{}/tokenize", deployment.origin),
        }
    }

    fn streams(self) -> bool {
        matches!(self, Self::Chat | Self::Completion)
    }
}

/// What every gateway answer says about itself.
struct Stamp {
    request_id: String,
    started: Instant,
    model: Option<String>,
    cluster: Option<String>,
    upstream_ms: Option<u128>,
    /// `x-ratelimit-*` headers of the caller's limits.
    rate_headers: Vec<(&'static str, String)>,
}

impl Stamp {
    fn new(headers: &HeaderMap) -> Self {
        Self {
            request_id: headers
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            started: Instant::now(),
            model: None,
            cluster: None,
            upstream_ms: None,
            rate_headers: Vec::new(),
        }
    }

    fn apply(&self, mut response: Response) -> Response {
        let total = self.started.elapsed().as_millis();
        let headers = response.headers_mut();
        for (name, value) in &self.rate_headers {
            // A refusal's own headers (set on the error) are more precise; keep them.
            if !headers.contains_key(*name)
                && let Ok(value) = HeaderValue::from_str(value)
            {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
        let mut set = |name: &'static str, value: String| {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        };
        set("x-litellm-call-id", self.request_id.clone());
        if let Some(model) = &self.model {
            set("x-litellm-model-group", model.clone());
        }
        if let Some(cluster) = &self.cluster {
            set("x-switchyard-cluster", cluster.clone());
        }
        set("x-litellm-response-duration-ms", total.to_string());
        if let Some(upstream) = self.upstream_ms {
            set(
                "x-litellm-overhead-duration-ms",
                total.saturating_sub(upstream).to_string(),
            );
        }
        response
    }
}

/// Reads the body, refusing more than `limit` bytes.
async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "the request body is larger than the limit of {limit} bytes"
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())
}

fn unknown_model(name: &str) -> ApiError {
    let shown: String = name.chars().take(200).collect();
    ApiError::NotFound(format!(
        "model `{shown}` does not exist; GET /v1/models lists the models you can use"
    ))
}

fn find_model(
    state: &AppState,
    body: &serde_json::Map<String, Value>,
) -> Result<Arc<ModelRoute>, ApiError> {
    let name = body.get("model").and_then(Value::as_str).ok_or_else(|| {
        ApiError::BadRequest("`model` is required: name a model from GET /v1/models".into())
    })?;
    state
        .gateway
        .registry
        .get(name)
        .ok_or_else(|| unknown_model(name))
}

/// 403 unless the caller's key lists the model (or reaches every model).
fn allowed(caller: &Caller, model: &ModelRoute) -> Result<(), ApiError> {
    if caller.may_use(&model.name) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "this API key may not use model `{}`; GET /v1/models lists the models it can use",
            model.name
        )))
    }
}

/// Checks the caller's quotas for one request on `model`, reserving `reserve_nanos` of its
/// budgets; the permit (none for the master key or an unlimited key) is settled when the
/// request is recorded.
async fn admit(
    state: &AppState,
    caller: &Caller,
    model: &ModelRoute,
    reserve_nanos: i64,
    stamp: &mut Stamp,
) -> Result<Option<Permit>, ApiError> {
    let gateway = &state.gateway;
    if !gateway.ledger.has_room() {
        return Err(ApiError::Unavailable(
            "spend cannot be recorded right now (the database is unavailable and the buffer \
             is full); retry in a few seconds"
                .into(),
        ));
    }
    let Some(key) = caller.key() else {
        return Ok(None);
    };
    let priced = model.input_price_nanos > 0 || model.output_price_nanos > 0;
    let permit = gateway
        .quotas
        .admit(&stamp.request_id, key, &model.name, priced, reserve_nanos)
        .await?;
    if let Some(permit) = &permit {
        stamp.rate_headers = permit.headroom.headers();
    }
    Ok(permit)
}

/// The most a request can cost: its estimated prompt and the completion tokens it may ask for.
fn worst_case_cost(
    request: &serde_json::Map<String, Value>,
    model: &ModelRoute,
    prompt_estimate: u64,
    default_max_tokens: u64,
) -> i64 {
    let max_tokens = ["max_completion_tokens", "max_tokens"]
        .iter()
        .find_map(|field| request.get(*field).and_then(Value::as_u64))
        .unwrap_or(default_max_tokens);
    crate::gateway::usage::cost_nanos(
        prompt_estimate,
        max_tokens,
        model.input_price_nanos,
        model.output_price_nanos,
    )
}

/// The request for `deployment`: its URL and credential with `body`.
fn outgoing(
    deployment: &Deployment,
    url: String,
    content_type: HeaderValue,
    body: Bytes,
) -> Outgoing<'_> {
    Outgoing {
        url,
        content_type,
        bearer: deployment.api_key.as_ref().map(|key| key.expose_secret()),
        body,
    }
}

/// Sends to the model's deployments; a request that finds none answering is accounted as a
/// failure, one that does is marked with its cluster.
async fn dispatch(
    state: &AppState,
    model: &ModelRoute,
    accounting: &Accounting,
    stamp: &mut Stamp,
    build: impl Fn(&Deployment) -> Outgoing<'_>,
) -> Result<Answer, ApiError> {
    let gateway = &state.gateway;
    let sent = upstream::send(
        &gateway.upstream,
        model,
        &gateway.balancer,
        &gateway.metrics,
        gateway.max_retries,
        build,
    );
    match sent.await {
        Ok(answer) => {
            // Set once: this is the only answer a request gets.
            let _ = accounting.sent.set(answer.sent);
            stamp.cluster = Some(answer.deployment.cluster.clone());
            gateway.balancer.record_success(&answer.deployment.state);
            Ok(answer)
        }
        Err(error) => {
            let status = error.status_code().as_u16();
            accounting.record(None, None, 0, Outcome::Failure, status, None);
            Err(error)
        }
    }
}

/// Whether the request carries the portal's session cookie.
fn has_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|cookies| {
            schema::identity::read_cookie(cookies, schema::identity::SESSION_COOKIE).is_some()
        })
}

/// Who calls `/v1`: the key the request carries; without one, the portal's playground, that
/// is a signed-in session from the portal's own origin with its CSRF token, calling as its
/// user's playground key (the user's subscriptions, limits and budget; its own ledger rows).
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let gateway = &state.gateway;
    if crate::gateway::auth::presented_key(headers).is_some() || !has_session_cookie(headers) {
        return gateway.auth.authenticate(headers).await;
    }
    let identity = &state.identity;
    identity
        .same_origin(headers)
        .map_err(|e| ApiError::Forbidden(e.to_string()))?;
    let who = identity.caller(headers).await.map_err(|e| match e {
        crate::identity::AuthError::Internal(source) => ApiError::from(source),
        other => ApiError::Unauthorized(other.to_string()),
    })?;
    match (&who.principal, &who.credential) {
        (Some(principal), schema::identity::Credential::Session { csrf: true, .. }) => {
            let user = principal.user_id.ok_or_else(|| {
                ApiError::Unauthorized("this session belongs to no user".into())
            })?;
            let hash = gateway.keys.playground_key_hash(user).await?;
            gateway.auth.for_hash(hash).await
        }
        (Some(_), schema::identity::Credential::Session { csrf: false, .. }) => Err(
            ApiError::Unauthorized(
                "a session calling /v1 must send its CSRF token (`x-csrf-token`, the `sy_csrf` cookie)"
                    .into(),
            ),
        ),
        // A stale cookie and no key: the ordinary "missing API key" answer.
        _ => gateway.auth.authenticate(headers).await,
    }
}

async fn proxy(state: AppState, headers: HeaderMap, body: Body, operation: Operation) -> Response {
    let mut stamp = Stamp::new(&headers);
    let result = proxy_inner(&state, &headers, body, operation, &mut stamp).await;
    stamp.apply(result.unwrap_or_else(IntoResponse::into_response))
}

async fn proxy_inner(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    operation: Operation,
    stamp: &mut Stamp,
) -> Result<Response, ApiError> {
    let gateway = &state.gateway;
    let caller = authenticate(state, headers).await?;
    let bytes = read_body(body, headers, gateway.max_body_bytes).await?;
    let mut request = crate::error::json_object(&bytes)?;
    let model = find_model(state, &request)?;
    stamp.model = Some(model.name.clone());
    allowed(&caller, &model)?;

    let streaming =
        operation.streams() && request.get("stream").and_then(Value::as_bool) == Some(true);
    let client_wants_usage = request
        .get("stream_options")
        .and_then(|o| o.get("include_usage"))
        .and_then(Value::as_bool)
        == Some(true);
    if streaming && !client_wants_usage {
        // Ask for usage; the relay strips the usage-only chunk the client did not ask for.
        let options = request.entry("stream_options").or_insert_with(|| json!({}));
        match options {
            Value::Object(map) => {
                map.insert("include_usage".into(), Value::Bool(true));
            }
            other => *other = json!({"include_usage": true}),
        }
    }
    let prompt_estimate = estimate_tokens(prompt_chars(&request));
    let completion_allowance = if operation.streams() {
        gateway.quotas.default_max_tokens()
    } else {
        0
    };
    let reserve = worst_case_cost(&request, &model, prompt_estimate, completion_allowance);
    let permit = admit(state, &caller, &model, reserve, stamp).await?;
    let accounting = Accounting {
        ledger: gateway.ledger.clone(),
        metrics: gateway.metrics.clone(),
        caller: caller.clone(),
        request_id: stamp.request_id.clone(),
        model: model.clone(),
        call_type: operation.call_type(),
        started: stamp.started,
        started_at: Utc::now(),
        prompt_estimate,
        permit: std::sync::Mutex::new(permit),
        sent: std::sync::OnceLock::new(),
    };

    // The body each deployment gets: the client's bytes untouched when nothing changes (the
    // common case), else re-serialised once per backend model name.
    let rewrite = streaming && !client_wants_usage;
    let bodies: std::sync::Mutex<Vec<(String, Bytes)>> = std::sync::Mutex::new(Vec::new());
    let body_for = |deployment: &Deployment| -> Bytes {
        if !rewrite && deployment.backend_model == model.name {
            return bytes.clone();
        }
        let cached = |cache: &[(String, Bytes)]| {
            cache
                .iter()
                .find(|(name, _)| *name == deployment.backend_model)
                .map(|(_, b)| b.clone())
        };
        if let Some(body) = bodies.lock().ok().and_then(|cache| cached(&cache)) {
            return body;
        }
        let mut outgoing = request.clone();
        outgoing.insert(
            "model".into(),
            Value::String(deployment.backend_model.clone()),
        );
        let body = Bytes::from(serde_json::to_vec(&outgoing).unwrap_or_default());
        if let Ok(mut cache) = bodies.lock() {
            cache.push((deployment.backend_model.clone(), body.clone()));
        }
        body
    };
    let json = HeaderValue::from_static("application/json");
    let answer = dispatch(state, &model, &accounting, stamp, |deployment| {
        outgoing(
            deployment,
            operation.url(deployment),
            json.clone(),
            body_for(deployment),
        )
    })
    .await?;

    if streaming {
        stamp.upstream_ms = Some(answer.sent.elapsed().as_millis());
        return Ok(upstream::stream_response(
            answer,
            accounting,
            !client_wants_usage,
        ));
    }
    whole_response(answer, accounting, stamp).await
}

/// Reads a whole answer, accounts for it and passes it through unchanged.
async fn whole_response(
    answer: Answer,
    accounting: Accounting,
    stamp: &mut Stamp,
) -> Result<Response, ApiError> {
    let Answer {
        deployment,
        slot,
        response,
        sent,
    } = answer;
    let status = response.status.as_u16();
    let content_type = response.headers.get(header::CONTENT_TYPE).cloned();
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(error) => {
            let error = if error == BodyError::Timeout {
                ApiError::Timeout("the model server did not finish in time".into())
            } else {
                ApiError::BadGateway("the model server's answer broke off".into())
            };
            accounting.record(
                Some(&deployment),
                None,
                0,
                Outcome::Failure,
                error.status_code().as_u16(),
                None,
            );
            return Err(error);
        }
    };
    drop(slot);
    stamp.upstream_ms = Some(sent.elapsed().as_millis());
    let (usage, completion_estimate) = upstream::whole_usage(&body);
    let usage = match (accounting.call_type, usage) {
        // Tokenizing costs nothing and reports counts, not usage.
        ("tokenize", _) => Some(Default::default()),
        (_, usage) => usage,
    };
    accounting.record(
        Some(&deployment),
        usage,
        completion_estimate,
        Outcome::Success,
        status,
        None,
    );
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or_default();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        content_type.unwrap_or_else(|| HeaderValue::from_static("application/json")),
    );
    Ok(response)
}

/// `POST /v1/chat/completions`.
pub async fn chat(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    proxy(state, headers, body, Operation::Chat).await
}

/// `POST /v1/completions`.
pub async fn completions(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    proxy(state, headers, body, Operation::Completion).await
}

/// `POST /v1/embeddings`.
pub async fn embeddings(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    proxy(state, headers, body, Operation::Embeddings).await
}

/// `POST /v1/tokenize`, where the model server offers it.
pub async fn tokenize(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    proxy(state, headers, body, Operation::Tokenize).await
}

fn model_object(model: &ModelRoute) -> Value {
    json!({"id": model.name, "object": "model", "created": model.created, "owned_by": "switchyard"})
}

/// `GET /v1/models`: every model the caller may use.
pub async fn list_models(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let stamp = Stamp::new(&headers);
    let result = authenticate(&state, &headers).await.map(|caller| {
        let snapshot = state.gateway.registry.snapshot();
        let data: Vec<Value> = snapshot
            .models
            .values()
            .filter(|m| caller.may_use(&m.name))
            .map(|m| model_object(m))
            .collect();
        Json(json!({"object": "list", "data": data})).into_response()
    });
    stamp.apply(result.unwrap_or_else(IntoResponse::into_response))
}

/// `GET /v1/models/{id}` (the id may contain `/`); models the key cannot use are not found.
pub async fn get_model(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let stamp = Stamp::new(&headers);
    let result = async {
        let caller = authenticate(&state, &headers).await?;
        let model = state
            .gateway
            .registry
            .get(&id)
            .filter(|m| caller.may_use(&m.name))
            .ok_or_else(|| unknown_model(&id))?;
        Ok::<_, ApiError>(Json(model_object(&model)).into_response())
    }
    .await;
    stamp.apply(result.unwrap_or_else(IntoResponse::into_response))
}

/// Which Docling model a conversion is for.
#[derive(Debug, Deserialize)]
pub struct ConvertQuery {
    model: Option<String>,
}

/// `POST /docling/{v1|v1alpha}/convert/{source|file}`: passed through to the Docling
/// deployment, JSON or multipart, body untouched.
pub async fn convert(
    State(state): State<AppState>,
    Path((version, kind)): Path<(String, String)>,
    Query(query): Query<ConvertQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut stamp = Stamp::new(&headers);
    let result = convert_inner(&state, &version, &kind, query, &headers, body, &mut stamp).await;
    stamp.apply(result.unwrap_or_else(IntoResponse::into_response))
}

fn docling_model(state: &AppState, wanted: Option<&str>) -> Result<Arc<ModelRoute>, ApiError> {
    if let Some(name) = wanted {
        let model = state
            .gateway
            .registry
            .get(name)
            .ok_or_else(|| unknown_model(name))?;
        return if model.converts_documents() {
            Ok(model)
        } else {
            Err(ApiError::BadRequest(format!(
                "model `{name}` does not convert documents"
            )))
        };
    }
    let snapshot = state.gateway.registry.snapshot();
    let mut docling = snapshot.models.values().filter(|m| m.converts_documents());
    match (docling.next(), docling.next()) {
        (Some(model), None) => Ok(model.clone()),
        (None, _) => Err(ApiError::NotFound(
            "no document-conversion model is registered".into(),
        )),
        (Some(_), Some(_)) => Err(ApiError::BadRequest(
            "several document-conversion models exist: choose one with `?model=`".into(),
        )),
    }
}

async fn convert_inner(
    state: &AppState,
    version: &str,
    kind: &str,
    query: ConvertQuery,
    headers: &HeaderMap,
    body: Body,
    stamp: &mut Stamp,
) -> Result<Response, ApiError> {
    let gateway = &state.gateway;
    let caller = authenticate(state, headers).await?;
    if !matches!(version, "v1" | "v1alpha") || !matches!(kind, "source" | "file") {
        return Err(ApiError::NotFound(format!(
            "no route /docling/{version}/convert/{kind}; use /docling/v1/convert/source or /file"
        )));
    }
    let bytes = read_body(body, headers, gateway.max_body_bytes).await?;
    let model = docling_model(state, query.model.as_deref())?;
    stamp.model = Some(model.name.clone());
    allowed(&caller, &model)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("application/json"));
    let permit = admit(state, &caller, &model, 0, stamp).await?;
    let accounting = Accounting {
        ledger: gateway.ledger.clone(),
        metrics: gateway.metrics.clone(),
        caller: caller.clone(),
        request_id: stamp.request_id.clone(),
        model: model.clone(),
        call_type: "convert",
        started: stamp.started,
        started_at: Utc::now(),
        prompt_estimate: 0,
        permit: std::sync::Mutex::new(permit),
        sent: std::sync::OnceLock::new(),
    };
    let answer = dispatch(state, &model, &accounting, stamp, |deployment| {
        outgoing(
            deployment,
            format!("{}/{version}/convert/{kind}", deployment.origin),
            content_type.clone(),
            bytes.clone(),
        )
    })
    .await?;
    whole_response(answer, accounting, stamp).await
}
