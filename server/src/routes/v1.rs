//! The OpenAI-compatible `/v1` surface: who is calling, the request body within its size
//! limit, then the gateway engine (`gateway::forward`); every answer carries the LiteLLM-style
//! response headers and, when traces are exported, its span names the key alias, the model and
//! the cluster.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use super::REQUEST_ID;
use crate::error::ApiError;
use crate::gateway::anthropic;
use crate::gateway::audio::AudioTask;
use crate::gateway::auth::Caller;
use crate::gateway::deployment::ModelRoute;
use crate::gateway::forward::{Operation, Reply, Trace, unknown_model};
use crate::otel;
use crate::routes::Client;
use crate::state::AppState;

/// The request's trace, from its request id.
fn trace(headers: &HeaderMap) -> Trace {
    Trace::new(
        headers
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    )
}

/// What every gateway answer says about itself: the LiteLLM-style headers from its trace.
fn stamp(trace: &Trace, mut response: Response) -> Response {
    const CALL_ID: HeaderName = HeaderName::from_static("x-litellm-call-id");
    const MODEL_GROUP: HeaderName = HeaderName::from_static("x-litellm-model-group");
    const CLUSTER: HeaderName = HeaderName::from_static("x-switchyard-cluster");
    const DURATION: HeaderName = HeaderName::from_static("x-litellm-response-duration-ms");
    const OVERHEAD: HeaderName = HeaderName::from_static("x-litellm-overhead-duration-ms");
    let total = trace.started.elapsed().as_millis();
    let headers = response.headers_mut();
    // Room for all of them at once, rather than growing the map as they come.
    headers.reserve(trace.rate_headers.len() + 5);
    for (name, value) in &trace.rate_headers {
        // A refusal's own headers (set on the error) are more precise; keep them.
        headers.entry(name).or_insert_with(|| value.clone());
    }
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(CALL_ID, &trace.request_id);
    if let Some(model) = &trace.model {
        set(MODEL_GROUP, model);
    }
    if let Some(cluster) = &trace.cluster {
        set(CLUSTER, cluster);
    }
    let millis = |ms: u128| HeaderValue::from(u64::try_from(ms).unwrap_or(u64::MAX));
    headers.insert(DURATION, millis(total));
    if let Some(upstream) = trace.upstream_ms {
        headers.insert(OVERHEAD, millis(total.saturating_sub(upstream)));
    }
    response
}

/// Names the caller's key on the request's exported span, when traces are exported.
fn trace_caller(state: &AppState, caller: &Caller) {
    if state.config.tracing.enabled() {
        let alias = caller.key().and_then(|key| key.alias.as_deref());
        otel::annotate(&tracing::Span::current(), &[("api_key_alias", alias)]);
    }
}

/// Names the model and the cluster that answered, and the status, on the request's exported
/// span, when traces are exported.
fn trace_outcome(state: &AppState, trace: &Trace, response: &Response) {
    if state.config.tracing.enabled() {
        let span = tracing::Span::current();
        otel::annotate(
            &span,
            &[
                ("model", trace.model.as_deref()),
                ("cluster", trace.cluster.as_deref()),
            ],
        );
        otel::record_status(&span, response.status());
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

/// Reads an upload (a document, audio) within `max_upload_bytes`, first reserving its share
/// of the memory all uploads may hold at once: its declared length, or the most an upload may
/// be when it declares none. The reservation lasts as long as the returned permit.
async fn read_upload(
    gateway: &crate::gateway::Gateway,
    body: Body,
    headers: &HeaderMap,
) -> Result<(Bytes, tokio::sync::OwnedSemaphorePermit), ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let bytes = declared
        .unwrap_or(gateway.max_upload_bytes)
        .min(gateway.max_upload_bytes);
    let kib = u32::try_from(bytes.div_ceil(1024))
        .unwrap_or(u32::MAX)
        .max(1);
    let permit = gateway
        .uploads
        .clone()
        .try_acquire_many_owned(kib)
        .map_err(|_| {
            ApiError::Unavailable(
                "too many uploads are being received right now; retry in a few seconds".into(),
            )
        })?;
    Ok((
        read_body(body, headers, gateway.max_upload_bytes).await?,
        permit,
    ))
}

/// Who calls `/v1`: the key the request carries; without one, the portal's playground, that
/// is a signed-in session from the portal's own origin with its CSRF token, calling as its
/// user's playground key (the user's subscriptions, limits and budget; its own ledger rows).
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    client: Option<std::net::IpAddr>,
) -> Result<Caller, ApiError> {
    let gateway = &state.gateway;
    if crate::gateway::auth::presented_key(headers).is_some()
        || state.identity.session_cookie(headers).is_none()
    {
        return gateway.auth.authenticate(headers, client).await;
    }
    // Boxed: a session's checks take kilobytes of future that keyed requests need not carry.
    Box::pin(session_caller(state, headers, client)).await
}

/// The playground's caller: a signed-in session from the portal's own origin with its CSRF
/// token, as its user's playground key.
async fn session_caller(
    state: &AppState,
    headers: &HeaderMap,
    client: Option<std::net::IpAddr>,
) -> Result<Caller, ApiError> {
    let gateway = &state.gateway;
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
            let hash = state.keys.store().playground_key_hash(user).await?;
            gateway.auth.for_hash(hash).await
        }
        (Some(_), schema::identity::Credential::Session { csrf: false, .. }) => Err(
            ApiError::Unauthorized(
                "a session calling /v1 must send its CSRF token (`x-csrf-token`, from the CSRF cookie)"
                    .into(),
            ),
        ),
        // A stale cookie and no key: the ordinary "missing API key" answer.
        _ => gateway.auth.authenticate(headers, client).await,
    }
}

/// The HTTP answer for what the model server replied.
fn respond(reply: Reply) -> Response {
    let (status, body, content_type, streaming) = match reply {
        Reply::Whole {
            status,
            content_type,
            body,
        } => (status, Body::from(body), content_type, false),
        Reply::Stream { status, events } => (
            status,
            Body::from_stream(events),
            HeaderValue::from_static("text/event-stream"),
            true,
        ),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    // Room for every header the answer gets on its way out (its type, the rate headers,
    // `stamp`'s, the request id, the security headers), made at once rather than grown
    // twice as they come.
    *headers = HeaderMap::with_capacity(24);
    headers.insert(header::CONTENT_TYPE, content_type);
    if streaming {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    }
    response
}

/// What a `/v1` POST asks of the gateway.
#[derive(Debug, Clone, Copy)]
enum Call {
    /// An OpenAI operation, forwarded.
    Forward(Operation),
    /// An Anthropic Messages call, answered in Anthropic's shapes.
    Messages,
    /// The input tokens of an Anthropic Messages call.
    CountMessageTokens,
    /// Speech to text, a multipart upload.
    Audio(AudioTask),
}

async fn proxy(
    state: AppState,
    client: Client,
    headers: HeaderMap,
    body: Body,
    call: Call,
) -> Response {
    let mut trace = trace(&headers);
    let result = async {
        let caller = authenticate(&state, &headers, client.0).await?;
        trace_caller(&state, &caller);
        let gateway = &state.gateway;
        let (bytes, _upload) = match call {
            Call::Audio(_) => {
                let (bytes, permit) = read_upload(gateway, body, &headers).await?;
                (bytes, Some(permit))
            }
            _ => (
                read_body(body, &headers, gateway.max_body_bytes).await?,
                None,
            ),
        };
        match call {
            Call::Forward(operation) => gateway.forward(caller, bytes, operation, &mut trace).await,
            Call::Messages => gateway.messages(caller, bytes, &mut trace).await,
            Call::CountMessageTokens => {
                gateway
                    .count_message_tokens(caller, bytes, &mut trace)
                    .await
            }
            Call::Audio(task) => {
                let content_type = headers
                    .get(header::CONTENT_TYPE)
                    .cloned()
                    .unwrap_or_else(|| HeaderValue::from_static("application/octet-stream"));
                gateway
                    .audio(caller, bytes, content_type, task, &mut trace)
                    .await
            }
        }
    }
    .await;
    let response = match (call, result) {
        (_, Ok(reply)) => respond(reply),
        (Call::Forward(_) | Call::Audio(_), Err(error)) => error.into_response(),
        (Call::Messages | Call::CountMessageTokens, Err(error)) => anthropic_error(error),
    };
    let response = match call {
        Call::Forward(_) | Call::Audio(_) => response,
        Call::Messages | Call::CountMessageTokens => with_request_id(&trace, response),
    };
    trace_outcome(&state, &trace, &response);
    stamp(&trace, response)
}

/// An error in Anthropic's shape. Anthropic's clients retry 429s unless told not to: a spent
/// budget or a guardrail's refusal answers the same next time.
fn anthropic_error(error: ApiError) -> Response {
    let message = error.to_string();
    let final_ = matches!(
        error,
        ApiError::BudgetExceeded { .. } | ApiError::Forbidden(_)
    );
    let mut response = error.into_response();
    let status = response.status().as_u16();
    *response.body_mut() = Body::from(anthropic::error_body(status, &message));
    if final_ {
        response
            .headers_mut()
            .insert("x-should-retry", HeaderValue::from_static("false"));
    }
    response
}

/// Anthropic's `request-id` header, from the request's id.
fn with_request_id(trace: &Trace, mut response: Response) -> Response {
    if let Ok(id) = HeaderValue::from_str(&trace.request_id) {
        response.headers_mut().insert("request-id", id);
    }
    response
}

/// Handlers that make one call of the gateway each, alike but for the call.
macro_rules! forwarding {
    ($($(#[$doc:meta])* $name:ident => $call:expr;)+) => {$(
        $(#[$doc])*
        pub async fn $name(
            State(state): State<AppState>,
            client: Client,
            headers: HeaderMap,
            body: Body,
        ) -> Response {
            proxy(state, client, headers, body, $call).await
        }
    )+};
}

forwarding! {
    /// `POST /v1/chat/completions`.
    chat => Call::Forward(Operation::Chat);
    /// `POST /v1/completions`.
    completions => Call::Forward(Operation::Completion);
    /// `POST /v1/embeddings`.
    embeddings => Call::Forward(Operation::Embeddings);
    /// `POST /v1/tokenize`, where the model server offers it.
    tokenize => Call::Forward(Operation::Tokenize);
    /// `POST /v1/detokenize`, where the model server offers it.
    detokenize => Call::Forward(Operation::Detokenize);
    /// `POST /v1/rerank` (also `/v2/rerank`, Cohere's version): documents ranked by a
    /// cross-encoder.
    rerank => Call::Forward(Operation::Rerank);
    /// `POST /v1/score`: text pairs scored by a cross-encoder.
    score => Call::Forward(Operation::Score);
    /// `POST /v1/responses`: the Responses API, streaming or not.
    responses => Call::Forward(Operation::Responses);
    /// `POST /v1/messages`: the Anthropic Messages API over the model's chat completions,
    /// with Anthropic's error shape and its `request-id` header.
    messages => Call::Messages;
    /// `POST /v1/messages/count_tokens`: the input tokens of a Messages request.
    count_message_tokens => Call::CountMessageTokens;
    /// `POST /v1/audio/transcriptions`: speech to text, a multipart upload.
    transcriptions => Call::Audio(AudioTask::Transcription);
    /// `POST /v1/audio/translations`: speech to English text, a multipart upload.
    translations => Call::Audio(AudioTask::Translation);
}

fn model_object(model: &ModelRoute) -> Value {
    json!({"id": model.name, "object": "model", "created": model.created, "owned_by": "switchyard"})
}

/// `GET /v1/models`: every model the caller may use.
pub async fn list_models(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
) -> Response {
    let trace = trace(&headers);
    let result = authenticate(&state, &headers, client).await.map(|caller| {
        let snapshot = state.gateway.registry.snapshot();
        let data: Vec<Value> = snapshot
            .models
            .values()
            .filter(|m| caller.may_use(m))
            .map(|m| model_object(m))
            .collect();
        Json(json!({"object": "list", "data": data})).into_response()
    });
    stamp(&trace, result.unwrap_or_else(IntoResponse::into_response))
}

/// `GET /v1/models/{id}` (the id may contain `/`); models the key cannot use are not found.
pub async fn get_model(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let trace = trace(&headers);
    let result = async {
        let caller = authenticate(&state, &headers, client).await?;
        let model = state
            .gateway
            .registry
            .get(&id)
            .filter(|m| caller.may_use(m))
            .ok_or_else(|| unknown_model(&id))?;
        Ok::<_, ApiError>(Json(model_object(&model)).into_response())
    }
    .await;
    stamp(&trace, result.unwrap_or_else(IntoResponse::into_response))
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
    Client(client): Client,
    Path((version, kind)): Path<(String, String)>,
    Query(query): Query<ConvertQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut trace = trace(&headers);
    let result = async {
        let caller = authenticate(&state, &headers, client).await?;
        trace_caller(&state, &caller);
        if !matches!(version.as_str(), "v1" | "v1alpha") || !matches!(kind.as_str(), "source" | "file")
        {
            return Err(ApiError::NotFound(format!(
                "no route /docling/{version}/convert/{kind}; use /docling/v1/convert/source or /file"
            )));
        }
        let (bytes, _upload) = read_upload(&state.gateway, body, &headers).await?;
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .cloned()
            .unwrap_or_else(|| HeaderValue::from_static("application/json"));
        let path = format!("{version}/convert/{kind}");
        state
            .gateway
            .convert(caller, bytes, content_type, &path, query.model.as_deref(), &mut trace)
            .await
    }
    .await;
    let response = result.map_or_else(IntoResponse::into_response, respond);
    trace_outcome(&state, &trace, &response);
    stamp(&trace, response)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size of the futures `call` makes, found from its type alone.
    fn future_size<A, F>(_call: impl Fn(A) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    /// Every request's future is moved into a box by each routing layer, so it carries only
    /// what a keyed request needs: a session's checks and a key lookup in the database (rare,
    /// kilobytes each) are boxed where they are awaited. It was 9 KiB before they were.
    #[test]
    fn a_gateway_requests_future_stays_small() {
        let size = future_size(
            |(state, client, headers, body): (State<AppState>, Client, HeaderMap, Body)| {
                chat(state, client, headers, body)
            },
        );
        assert!(
            size <= 4_500,
            "the /v1/chat/completions future is {size} bytes"
        );
    }
}
