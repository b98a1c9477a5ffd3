//! `mock-upstream`: an OpenAI-compatible model server like vLLM (plus a Docling-like
//! converter), the stand-in for GPU model servers in tests, benchmarks and the demo.
//!
//! Knobs (flags at start, or `POST /mock/knobs` at run time): latency before the first byte,
//! time per streamed token, failure rate, omitting usage, answer length (fixed, or up to a
//! context length unless `max_tokens` says less), and health. `GET /mock/stats`
//! counts the requests served, so tests can see where traffic went; `GET /mock/last-request`
//! and `GET /mock/last-headers` show what the gateway forwarded last. A prompt containing
//! `echo: ` is answered with the text after it, streamed four characters per chunk (so tests
//! can make an answer spell something across chunk boundaries). A model whose name contains
//! `guard` answers like Llama Guard: `unsafe` and `S9` when the conversation mentions a
//! weapon, else `safe`.

// Handlers short-circuit with the HTTP response to send; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Parser;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Command-line flags; each knob's starting value.
#[derive(Debug, Parser)]
#[command(name = "mock-upstream", about = "OpenAI-compatible mock model server")]
struct Args {
    /// Address to listen on; port 0 picks a free port (printed on stdout).
    #[arg(long, default_value = "127.0.0.1:8000")]
    listen: SocketAddr,
    /// A name for this server (for example the cluster), returned in `x-mock-upstream`.
    #[arg(long, default_value = "mock")]
    name: String,
    /// Model names served, comma-separated.
    #[arg(long, default_value = "mock-model", value_delimiter = ',')]
    models: Vec<String>,
    /// Serve TLS with this certificate (PEM; with `--tls-key`), offering HTTP/2 and
    /// HTTP/1.1 by ALPN, as a model server behind https would.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    #[command(flatten)]
    knobs: Knobs,
}

/// Behaviour that tests and demos turn up and down.
#[derive(Debug, Clone, Serialize, Deserialize, clap::Args)]
#[serde(default)]
struct Knobs {
    /// Milliseconds to wait before the first byte of every answer.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Milliseconds between streamed tokens.
    #[arg(long, default_value_t = 0)]
    token_ms: u64,
    /// Share of requests (0.0 to 1.0) answered with a 500.
    #[arg(long, default_value_t = 0.0)]
    failure_rate: f64,
    /// Never report `usage` (as some servers do not).
    #[arg(long)]
    omit_usage: bool,
    /// Completion tokens per answer.
    #[arg(long, default_value_t = 16)]
    completion_tokens: u32,
    /// Like vLLM with this context length: an answer without `max_tokens` (or
    /// `max_completion_tokens`) generates this many tokens, one with it at most that many.
    /// Unset, every answer has `completion_tokens`.
    #[arg(long)]
    context_length: Option<u32>,
    /// Answer `/health` with 503 when false.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    healthy: bool,
    /// Bearer token required on every API call, when set.
    #[arg(long)]
    api_key: Option<String>,
    /// A stream, after its first chunk, sends one event this many KiB long (64 KiB at a
    /// time) and never ends it with a blank line, as a broken server might. 0: off.
    #[arg(long, default_value_t = 0)]
    unended_event_kib: u32,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            token_ms: 0,
            failure_rate: 0.0,
            omit_usage: false,
            completion_tokens: 16,
            context_length: None,
            healthy: true,
            api_key: None,
            unended_event_kib: 0,
        }
    }
}

struct Mock {
    name: String,
    models: Vec<String>,
    knobs: RwLock<Knobs>,
    requests: AtomicU64,
    /// API requests that came over HTTP/2.
    http2: AtomicU64,
    /// Streams whose client went away before the end.
    cancelled: Arc<AtomicU64>,
    /// The last JSON body received, so tests can see what the gateway forwarded.
    last_request: RwLock<Value>,
    /// The headers of the last API request (`traceparent`, say), without `Authorization`.
    last_headers: RwLock<Value>,
}

/// Counts a stream as cancelled if it is dropped before its last event was taken.
struct CancelWatch {
    counter: Arc<AtomicU64>,
    completed: bool,
}

impl Drop for CancelWatch {
    fn drop(&mut self) {
        if !self.completed {
            self.counter.fetch_add(1, Ordering::Relaxed);
        }
    }
}

type Shared = Arc<Mock>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mock = Arc::new(Mock {
        name: args.name,
        models: args.models,
        knobs: RwLock::new(args.knobs),
        requests: AtomicU64::new(0),
        http2: AtomicU64::new(0),
        cancelled: Arc::new(AtomicU64::new(0)),
        last_request: RwLock::new(Value::Null),
        last_headers: RwLock::new(Value::Null),
    });
    let app = Router::new()
        .route("/health", get(health))
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(chat))
        .route("/v1/completions", post(completions))
        .route("/v1/embeddings", post(embeddings))
        .route("/tokenize", post(tokenize))
        .route("/detokenize", post(detokenize))
        .route("/v1/rerank", post(rerank))
        .route("/rerank", post(rerank))
        .route("/v2/rerank", post(rerank))
        .route("/v1/score", post(score))
        .route("/v1/responses", post(responses))
        .route("/v1/messages", post(messages))
        .route("/v1/audio/transcriptions", post(transcriptions))
        .route("/v1/audio/translations", post(translations))
        .route("/score", post(score))
        .route("/v1/convert/source", post(convert_source))
        .route("/v1/convert/file", post(convert_file))
        .route("/v1alpha/convert/source", post(convert_source))
        .route("/v1alpha/convert/file", post(convert_file))
        .route("/mock/knobs", get(get_knobs).post(set_knobs))
        .route("/mock/stats", get(stats))
        .route("/mock/last-request", get(last_request))
        .route("/mock/last-headers", get(last_headers))
        .layer(axum::middleware::from_fn_with_state(
            mock.clone(),
            count_http2,
        ))
        .with_state(mock);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let scheme = if args.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    // Harnesses read this line to learn the port.
    #[allow(clippy::print_stdout)]
    {
        println!(
            "mock-upstream listening on {scheme}://{}",
            listener.local_addr()?
        );
    }
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => {
            harness::tls::serve_tls(listener, app, harness::tls::acceptor(&cert, &key)?, stop).await
        }
        _ => {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await?
        }
    }
    Ok(())
}

fn knobs(mock: &Mock) -> Knobs {
    mock.knobs.read().map(|k| k.clone()).unwrap_or_default()
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({"error": {"message": message, "type": "mock_error", "param": null,
                                "code": status.as_u16()}});
    (status, Json(body)).into_response()
}

/// Counts API requests (not the mock's own routes) that came over HTTP/2.
async fn count_http2(
    State(mock): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    let api = !path.starts_with("/mock/") && path != "/health";
    if api && request.version() == axum::http::Version::HTTP_2 {
        mock.http2.fetch_add(1, Ordering::Relaxed);
    }
    next.run(request).await
}

/// Common checks before any API answer: count, auth, injected latency and failures.
async fn admit(mock: &Mock, headers: &axum::http::HeaderMap) -> Result<Knobs, Response> {
    mock.requests.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut last) = mock.last_headers.write() {
        *last = headers
            .iter()
            .filter(|(name, _)| *name != header::AUTHORIZATION)
            .filter_map(|(name, value)| Some((name.to_string(), json!(value.to_str().ok()?))))
            .collect::<serde_json::Map<_, _>>()
            .into();
    }
    let knobs = knobs(mock);
    if let Some(key) = &knobs.api_key {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if sent != Some(key.as_str()) {
            return Err(error(StatusCode::UNAUTHORIZED, "invalid api key"));
        }
    }
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    if knobs.failure_rate > 0.0 && rand::random::<f64>() < knobs.failure_rate {
        return Err(error(StatusCode::INTERNAL_SERVER_ERROR, "injected failure"));
    }
    Ok(knobs)
}

fn check_model(mock: &Mock, body: &Value) -> Result<String, Response> {
    let model = body["model"].as_str().unwrap_or_default().to_owned();
    if mock.models.contains(&model) {
        Ok(model)
    } else {
        Err(error(
            StatusCode::NOT_FOUND,
            &format!("The model `{model}` does not exist."),
        ))
    }
}

/// A crude token count: whitespace-separated words, at least one.
fn count_tokens(text: &str) -> u32 {
    u32::try_from(text.split_whitespace().count())
        .unwrap_or(u32::MAX)
        .max(1)
}

fn prompt_text(body: &Value) -> String {
    match (&body["messages"], &body["prompt"], &body["input"]) {
        (Value::Array(messages), _, _) => messages
            .iter()
            .map(|m| match &m["content"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" "),
        (_, Value::String(p), _) | (_, _, Value::String(p)) => p.clone(),
        (_, Value::Array(items), _) | (_, _, Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// The tokens of an answer of `n` tokens to `prompt`: `tok0 tok1 …`; for a prompt with
/// `echo: `, the text after it in four-character pieces; for a `guard` model, its verdict.
fn answer_words(model: &str, prompt: &str, n: u32) -> Vec<String> {
    match prompt.split_once("echo: ") {
        _ if model.contains("guard") => {
            let unsafe_ = prompt.to_lowercase().contains("weapon");
            vec![if unsafe_ { "unsafe\nS9" } else { "safe" }.to_owned()]
        }
        Some((_, echoed)) => {
            let chars: Vec<char> = echoed.chars().collect();
            chars
                .chunks(4)
                .map(|piece| piece.iter().collect())
                .collect()
        }
        None => (0..n).map(|i| format!("tok{i} ")).collect(),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn usage(prompt: u32, completion: u32) -> Value {
    json!({"prompt_tokens": prompt, "completion_tokens": completion,
           "total_tokens": prompt + completion})
}

fn with_name(mock: &Mock, mut response: Response) -> Response {
    if let Ok(value) = mock.name.parse() {
        response.headers_mut().insert("x-mock-upstream", value);
    }
    response
}

async fn health(State(mock): State<Shared>) -> Response {
    if knobs(&mock).healthy {
        with_name(&mock, StatusCode::OK.into_response())
    } else {
        error(StatusCode::SERVICE_UNAVAILABLE, "unhealthy (knob)")
    }
}

/// The model list; with `--api-key`, only for callers with the key (as vLLM does).
async fn models(State(mock): State<Shared>, headers: axum::http::HeaderMap) -> Response {
    if let Some(key) = &knobs(&mock).api_key {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if sent != Some(key.as_str()) {
            return error(StatusCode::UNAUTHORIZED, "invalid api key");
        }
    }
    let data: Vec<Value> = mock
        .models
        .iter()
        .map(|m| json!({"id": m, "object": "model", "created": 0, "owned_by": mock.name}))
        .collect();
    with_name(
        &mock,
        Json(json!({"object": "list", "data": data})).into_response(),
    )
}

/// Chat and text completions share everything but the shape of a choice.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Chat,
    Text,
}

async fn chat(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    complete(mock, headers, body, Kind::Chat).await
}

async fn completions(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    complete(mock, headers, body, Kind::Text).await
}

fn remember(mock: &Mock, body: &Value) {
    if let Ok(mut last) = mock.last_request.write() {
        *last = body.clone();
    }
}

async fn complete(
    mock: Shared,
    headers: axum::http::HeaderMap,
    body: Value,
    kind: Kind,
) -> Response {
    remember(&mock, &body);
    let knobs = match admit(&mock, &headers).await {
        Ok(knobs) => knobs,
        Err(response) => return response,
    };
    let model = match check_model(&mock, &body) {
        Ok(model) => model,
        Err(response) => return response,
    };
    let prompt_tokens = count_tokens(&prompt_text(&body));
    let n = match knobs.context_length {
        Some(context) => ["max_completion_tokens", "max_tokens"]
            .iter()
            .find_map(|field| body[*field].as_u64())
            .map_or(context, |asked| {
                u32::try_from(asked).unwrap_or(u32::MAX).min(context)
            }),
        None => knobs.completion_tokens,
    };
    if kind == Kind::Chat
        && let Some((name, arguments)) = tool_call(&body)
    {
        return with_name(
            &mock,
            tool_answer(&model, &name, &arguments, prompt_tokens, &body, &knobs),
        );
    }
    let words = answer_words(&model, &prompt_text(&body), n);
    let n = u32::try_from(words.len()).unwrap_or(u32::MAX);
    let id = format!("mock-{}", rand::random::<u64>());
    let (object, chunk_object) = match kind {
        Kind::Chat => ("chat.completion", "chat.completion.chunk"),
        Kind::Text => ("text_completion", "text_completion"),
    };
    if body["stream"].as_bool() != Some(true) {
        let text = words.concat();
        let choice = match kind {
            Kind::Chat => json!({"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}),
            Kind::Text => json!({"index": 0, "text": text, "finish_reason": "stop"}),
        };
        let mut answer = json!({"id": id, "object": object, "created": now(), "model": model,
                                "choices": [choice]});
        if !knobs.omit_usage {
            answer["usage"] = usage(prompt_tokens, n);
        }
        return with_name(&mock, Json(answer).into_response());
    }

    let include_usage =
        body["stream_options"]["include_usage"].as_bool() == Some(true) && !knobs.omit_usage;
    let token_delay = Duration::from_millis(knobs.token_ms);
    let chunk = move |delta: Value, finish: Value| {
        let choice = match kind {
            Kind::Chat => json!({"index": 0, "delta": delta, "finish_reason": finish}),
            Kind::Text => json!({"index": 0, "text": delta["content"].as_str().unwrap_or_default(),
                                 "finish_reason": finish}),
        };
        json!({"id": id, "object": chunk_object, "created": now(), "model": model,
               "choices": [choice]})
    };
    let mut events: Vec<Value> = Vec::new();
    if kind == Kind::Chat {
        events.push(chunk(
            json!({"role": "assistant", "content": ""}),
            Value::Null,
        ));
    }
    for word in &words {
        events.push(chunk(json!({"content": word}), Value::Null));
    }
    events.push(chunk(json!({}), json!("stop")));
    let usage_event = include_usage.then(|| {
        let mut last = chunk(json!({}), Value::Null);
        last["choices"] = json!([]);
        last["usage"] = usage(prompt_tokens, n);
        last
    });
    let mut events: Vec<String> = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    if knobs.unended_event_kib > 0 {
        events.truncate(1);
        events.push("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"".to_owned());
        let piece = "x".repeat(64 * 1024);
        events.extend((0..knobs.unended_event_kib.div_ceil(64)).map(|_| piece.clone()));
        return with_name(&mock, paced(&mock, events, token_delay));
    }
    events.extend(usage_event.map(|u| format!("data: {u}\n\n")));
    events.push("data: [DONE]\n\n".to_owned());
    with_name(&mock, paced(&mock, events, token_delay))
}

/// A Server-Sent Events answer of `events`: the first at once, each after it but the last
/// `delay` later; a client that leaves before the end is counted as a cancellation.
fn paced(mock: &Mock, events: Vec<String>, delay: Duration) -> Response {
    let count = events.len();
    let watch = CancelWatch {
        counter: mock.cancelled.clone(),
        completed: false,
    };
    let stream = futures::stream::unfold(
        (events.into_iter().enumerate(), watch),
        move |(mut events, mut watch)| async move {
            let (i, event) = events.next()?;
            if i > 0 && i + 1 < count {
                tokio::time::sleep(delay).await;
            }
            if i + 1 == count {
                watch.completed = true;
            }
            Some((Ok::<_, std::convert::Infallible>(event), (events, watch)))
        },
    );
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| error(StatusCode::INTERNAL_SERVER_ERROR, "cannot build stream"))
}

/// The tool a chat request with `tools` gets called, unless its last message is a tool's
/// result (then it answers in text): the tool `tool_choice` names, else the first, with the
/// last user message as `{"input": …}`.
fn tool_call(body: &Value) -> Option<(String, String)> {
    let tools = body["tools"].as_array().filter(|t| !t.is_empty())?;
    let messages = body["messages"].as_array()?;
    if messages.last()?["role"] == "tool" || body["tool_choice"] == "none" {
        return None;
    }
    let name = body["tool_choice"]["function"]["name"]
        .as_str()
        .or_else(|| tools[0]["function"]["name"].as_str())?
        .to_owned();
    let input = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default();
    Some((name, json!({"input": input}).to_string()))
}

/// A chat answer that calls tool `name` with `arguments`: whole, or streamed as the call's
/// name and then its arguments in two pieces.
fn tool_answer(
    model: &str,
    name: &str,
    arguments: &str,
    prompt_tokens: u32,
    body: &Value,
    knobs: &Knobs,
) -> Response {
    let id = format!("mock-{}", rand::random::<u64>());
    let call_id = format!("call-{}", rand::random::<u32>());
    let completion = count_tokens(arguments);
    if body["stream"].as_bool() != Some(true) {
        let mut answer = json!({"id": id, "object": "chat.completion", "created": now(),
            "model": model, "choices": [{"index": 0, "finish_reason": "tool_calls",
            "message": {"role": "assistant", "content": null, "tool_calls": [{"id": call_id,
            "type": "function", "function": {"name": name, "arguments": arguments}}]}}]});
        if !knobs.omit_usage {
            answer["usage"] = usage(prompt_tokens, completion);
        }
        return Json(answer).into_response();
    }
    let chunk = |delta: Value, finish: Value| {
        json!({"id": id, "object": "chat.completion.chunk", "created": now(), "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let half = arguments
        .char_indices()
        .nth(arguments.chars().count() / 2)
        .map_or(0, |(at, _)| at);
    let mut events = vec![chunk(
        json!({"role": "assistant", "content": null, "tool_calls": [{"index": 0,
            "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}]}),
        Value::Null,
    )];
    for piece in [&arguments[..half], &arguments[half..]] {
        events.push(chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}),
            Value::Null,
        ));
    }
    events.push(chunk(json!({}), json!("tool_calls")));
    if body["stream_options"]["include_usage"].as_bool() == Some(true) && !knobs.omit_usage {
        let mut last = chunk(json!({}), Value::Null);
        last["choices"] = json!([]);
        last["usage"] = usage(prompt_tokens, completion);
        events.push(last);
    }
    let mut text: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    text.push_str("data: [DONE]\n\n");
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from(text))
        .unwrap_or_else(|_| error(StatusCode::INTERNAL_SERVER_ERROR, "cannot build stream"))
}

/// A deterministic 8-dimensional embedding of `text`.
fn embed(text: &str) -> Vec<f32> {
    let mut vector = [0f32; 8];
    for (i, byte) in text.bytes().enumerate() {
        vector[i % 8] += f32::from(byte) / 255.0;
    }
    let norm = vector
        .iter()
        .map(|v| v * v)
        .sum::<f32>()
        .sqrt()
        .max(f32::EPSILON);
    vector.iter().map(|v| v / norm).collect()
}

async fn embeddings(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    remember(&mock, &body);
    let knobs = match admit(&mock, &headers).await {
        Ok(knobs) => knobs,
        Err(response) => return response,
    };
    let model = match check_model(&mock, &body) {
        Ok(model) => model,
        Err(response) => return response,
    };
    let inputs: Vec<String> = match &body["input"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect(),
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "`input` must be a string or a list",
            );
        }
    };
    let prompt: u32 = inputs.iter().map(|i| count_tokens(i)).sum();
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, text)| json!({"object": "embedding", "index": i, "embedding": embed(text)}))
        .collect();
    let mut answer = json!({"object": "list", "model": model, "data": data});
    if !knobs.omit_usage {
        answer["usage"] = json!({"prompt_tokens": prompt, "total_tokens": prompt});
    }
    with_name(&mock, Json(answer).into_response())
}

async fn tokenize(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Err(response) = accept(&mock, &headers, &body).await {
        return response;
    }
    let count = count_tokens(&prompt_text(&body));
    let tokens: Vec<u32> = (0..count).collect();
    with_name(
        &mock,
        Json(json!({"count": count, "max_model_len": 8192, "tokens": tokens})).into_response(),
    )
}

/// `POST /v1/responses`, as vLLM serves the Responses API: a whole response object, or its
/// events (`response.created`, one `response.output_text.delta` per token, the text's
/// `response.output_text.done`, `response.completed` with usage) as Server-Sent Events.
async fn responses(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let model = match accept(&mock, &headers, &body).await {
        Ok(model) => model,
        Err(response) => return response,
    };
    let knobs = knobs(&mock);
    let prompt = format!(
        "{} {}",
        body["instructions"].as_str().unwrap_or_default(),
        match &body["input"] {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        }
    );
    let input_tokens = count_tokens(&prompt);
    let n = bounded(body["max_output_tokens"].as_u64(), knobs.completion_tokens);
    let words = answer_words(&model, &prompt, n);
    let n = u32::try_from(words.len()).unwrap_or(u32::MAX);
    let id = format!("resp_{}", rand::random::<u64>());
    let message_id = format!("msg_{}", rand::random::<u64>());
    let response = |status: &str, text: &str, usage: Value| {
        json!({"id": id, "object": "response", "created_at": now(), "status": status,
               "model": model, "output": if text.is_empty() { json!([]) } else { json!([{
                   "type": "message", "id": message_id, "status": "completed",
                   "role": "assistant",
                   "content": [{"type": "output_text", "text": text, "annotations": []}]}]) },
               "parallel_tool_calls": true, "tool_choice": "auto", "tools": [],
               "usage": usage})
    };
    let usage = json!({"input_tokens": input_tokens, "output_tokens": n,
                       "total_tokens": input_tokens + n,
                       "input_tokens_details": {"cached_tokens": 0},
                       "output_tokens_details": {"reasoning_tokens": 0}});
    if body["stream"].as_bool() != Some(true) {
        let answer = response("completed", &words.concat(), usage);
        return with_name(&mock, Json(answer).into_response());
    }
    let mut events = vec![(
        "response.created",
        json!({"type": "response.created", "sequence_number": 0,
               "response": response("in_progress", "", Value::Null)}),
    )];
    for (i, word) in words.iter().enumerate() {
        events.push((
            "response.output_text.delta",
            json!({"type": "response.output_text.delta", "sequence_number": i + 1,
                   "item_id": message_id, "output_index": 0, "content_index": 0,
                   "delta": word}),
        ));
    }
    events.push((
        "response.output_text.done",
        json!({"type": "response.output_text.done", "sequence_number": words.len() + 1,
               "item_id": message_id, "output_index": 0, "content_index": 0,
               "text": words.concat()}),
    ));
    events.push((
        "response.completed",
        json!({"type": "response.completed", "sequence_number": words.len() + 2,
               "response": response("completed", &words.concat(), usage)}),
    ));
    with_name(&mock, named_events(&mock, events))
}

/// `asked` tokens (a request's bound), at most `most`; `most` when it names none.
fn bounded(asked: Option<u64>, most: u32) -> u32 {
    asked.map_or(most, |asked| {
        u32::try_from(asked).unwrap_or(u32::MAX).min(most)
    })
}

/// Named Server-Sent Events, as the Responses and Messages APIs stream, paced by `token_ms`.
fn named_events(mock: &Mock, events: Vec<(&str, Value)>) -> Response {
    let events = events
        .into_iter()
        .map(|(kind, data)| format!("event: {kind}\ndata: {data}\n\n"))
        .collect();
    paced(mock, events, Duration::from_millis(knobs(mock).token_ms))
}

/// Remembers the request, applies the knobs and checks the model: the model's name, or the
/// response to send instead.
async fn accept(
    mock: &Mock,
    headers: &axum::http::HeaderMap,
    body: &Value,
) -> Result<String, Response> {
    remember(mock, body);
    admit(mock, headers).await?;
    check_model(mock, body)
}

/// `POST /detokenize`, as vLLM: token ids back to text (here `tok<id>` words).
async fn detokenize(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Err(response) = accept(&mock, &headers, &body).await {
        return response;
    }
    let words: Vec<String> = body["tokens"]
        .as_array()
        .map(|ids| ids.iter().map(|id| format!("tok{id}")).collect())
        .unwrap_or_default();
    with_name(
        &mock,
        Json(json!({"prompt": words.join(" ")})).into_response(),
    )
}

/// How well `document` answers `query`: the share of the query's words it contains.
fn relevance(query: &str, document: &str) -> f64 {
    let document = document.to_lowercase();
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return 0.0;
    }
    let found = words
        .iter()
        .filter(|w| document.contains(w.as_str()))
        .count();
    found as f64 / words.len() as f64
}

fn text_of(value: &Value) -> String {
    value
        .as_str()
        .map(str::to_owned)
        .or_else(|| value["text"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `POST /v1/rerank`, as vLLM and Cohere: documents ordered by relevance to the query,
/// `top_n` of them, with `usage.total_tokens`.
async fn rerank(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let model = match accept(&mock, &headers, &body).await {
        Ok(model) => model,
        Err(response) => return response,
    };
    let query = body["query"].as_str().unwrap_or_default();
    let documents: Vec<String> = body["documents"]
        .as_array()
        .map(|d| d.iter().map(text_of).collect())
        .unwrap_or_default();
    let mut results: Vec<(usize, f64)> = documents
        .iter()
        .enumerate()
        .map(|(i, d)| (i, relevance(query, d)))
        .collect();
    results.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let top = body["top_n"].as_u64().map_or(results.len(), |n| n as usize);
    let tokens = count_tokens(query) + documents.iter().map(|d| count_tokens(d)).sum::<u32>();
    let results: Vec<Value> = results
        .into_iter()
        .take(top)
        .map(|(i, score)| {
            json!({"index": i, "document": {"text": documents[i]}, "relevance_score": score})
        })
        .collect();
    let answer = json!({"id": format!("rerank-{}", rand::random::<u64>()), "model": model,
                        "usage": {"total_tokens": tokens}, "results": results});
    with_name(&mock, Json(answer).into_response())
}

/// `POST /v1/score`, as vLLM: `text_1` scored against each `text_2`.
async fn score(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let model = match accept(&mock, &headers, &body).await {
        Ok(model) => model,
        Err(response) => return response,
    };
    let first = text_of(&body["text_1"]);
    let seconds: Vec<String> = match &body["text_2"] {
        Value::Array(items) => items.iter().map(text_of).collect(),
        other => vec![text_of(other)],
    };
    let tokens = count_tokens(&first) * u32::try_from(seconds.len()).unwrap_or(1)
        + seconds.iter().map(|s| count_tokens(s)).sum::<u32>();
    let data: Vec<Value> = seconds
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"index": i, "object": "score", "score": relevance(&first, s)}))
        .collect();
    let answer = json!({"id": format!("score-{}", rand::random::<u64>()), "object": "list",
                        "created": now(), "model": model, "data": data,
                        "usage": {"prompt_tokens": tokens, "total_tokens": tokens,
                                  "completion_tokens": 0}});
    with_name(&mock, Json(answer).into_response())
}

fn converted(names: &[String]) -> Value {
    let markdown: Vec<String> = names
        .iter()
        .map(|n| format!("# Converted {n}\n\nMock content."))
        .collect();
    json!({
        "document": {"filename": names.first().cloned().unwrap_or_default(),
                     "md_content": markdown.join("\n\n"), "json_content": null},
        "status": "success", "errors": [], "processing_time": 0.01, "timings": {}
    })
}

async fn convert_source(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Err(response) = admit(&mock, &headers).await {
        return response;
    }
    let sources = body["http_sources"]
        .as_array()
        .or_else(|| body["sources"].as_array());
    let names: Vec<String> = sources
        .map(|items| {
            items
                .iter()
                .map(|s| s["url"].as_str().unwrap_or("source").to_owned())
                .collect()
        })
        .unwrap_or_default();
    if names.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "`http_sources` must list at least one source",
        );
    }
    with_name(&mock, Json(converted(&names)).into_response())
}

/// `POST /v1/messages`, as vLLM serves the Anthropic Messages API: the usual answer of
/// `tok0 tok1 …` as one text block, whole or as Anthropic's stream events (input tokens in
/// `message_start`, output tokens in `message_delta`).
async fn messages(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let model = match accept(&mock, &headers, &body).await {
        Ok(model) => model,
        Err(response) => return response,
    };
    let knobs = knobs(&mock);
    let input = count_tokens(&format!(
        "{} {}",
        body["system"].as_str().unwrap_or_default(),
        prompt_text(&body)
    ));
    let n = bounded(body["max_tokens"].as_u64(), knobs.completion_tokens);
    let words = answer_words(&model, &prompt_text(&body), n);
    let output = u32::try_from(words.len()).unwrap_or(u32::MAX);
    let id = format!("msg_mock{}", rand::random::<u32>());
    if body["stream"].as_bool() != Some(true) {
        let answer = json!({"id": id, "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": words.concat()}], "stop_reason": "end_turn",
            "stop_sequence": null, "usage": {"input_tokens": input, "output_tokens": output}});
        return with_name(&mock, Json(answer).into_response());
    }
    let mut events = vec![
        (
            "message_start",
            json!({"type": "message_start", "message": {"id": id, "type": "message",
            "role": "assistant", "model": model, "content": [], "stop_reason": null,
            "stop_sequence": null, "usage": {"input_tokens": input, "output_tokens": 1}}}),
        ),
        (
            "content_block_start",
            json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "text", "text": ""}}),
        ),
    ];
    for word in &words {
        events.push((
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "text_delta", "text": word}}),
        ));
    }
    events.push((
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ));
    events.push((
        "message_delta",
        json!({"type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": null},
        "usage": {"output_tokens": output}}),
    ));
    events.push(("message_stop", json!({"type": "message_stop"})));
    with_name(&mock, named_events(&mock, events))
}

/// `POST /v1/audio/transcriptions`, as vLLM serves Whisper.
async fn transcriptions(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    form: Multipart,
) -> Response {
    hear(mock, headers, form, "transcribed").await
}

/// `POST /v1/audio/translations`, as vLLM serves Whisper.
async fn translations(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    form: Multipart,
) -> Response {
    hear(mock, headers, form, "translated").await
}

/// A transcription of the uploaded `file`: its text names the file, its length and the
/// prompt; the audio lasts a second per 32,000 bytes (16 kHz, 16-bit mono), as `usage`
/// reports (`response_format` `text` answers the bare text, `verbose_json` adds the
/// duration and one segment). The form's text fields and the file's size are remembered
/// as the last request.
async fn hear(
    mock: Shared,
    headers: axum::http::HeaderMap,
    mut form: Multipart,
    verb: &str,
) -> Response {
    let mut fields = serde_json::Map::new();
    let mut file = None;
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let Ok(data) = field.bytes().await else {
            return error(StatusCode::BAD_REQUEST, "the form cannot be read");
        };
        match file_name {
            Some(file_name) if name == "file" => file = Some((file_name, data.len())),
            _ => {
                fields.insert(
                    name,
                    Value::String(String::from_utf8_lossy(&data).into_owned()),
                );
            }
        }
    }
    let Some((file_name, size)) = file else {
        return error(StatusCode::BAD_REQUEST, "send the audio as a `file` part");
    };
    fields.insert("file_bytes".into(), size.into());
    let body = Value::Object(fields);
    let model = match accept(&mock, &headers, &body).await {
        Ok(model) => model,
        Err(response) => return response,
    };
    let seconds = (size as f64 / 32_000.0).max(1.0).round();
    let prompt = body["prompt"].as_str().unwrap_or_default();
    let text = format!("{verb} {file_name} {size} bytes {prompt}")
        .trim()
        .to_owned();
    let mut answer = match body["response_format"].as_str().unwrap_or("json") {
        "text" => return with_name(&mock, text.into_response()),
        "verbose_json" => {
            json!({"task": verb, "language": "english", "duration": seconds,
                   "text": text, "model": model,
                   "segments": [{"id": 0, "start": 0.0, "end": seconds, "text": text}],
                   "usage": {"type": "duration", "seconds": seconds}})
        }
        _ => json!({"text": text, "usage": {"type": "duration", "seconds": seconds}}),
    };
    // As servers that say nothing of how long the audio was.
    if knobs(&mock).omit_usage
        && let Some(answer) = answer.as_object_mut()
    {
        answer.remove("usage");
        answer.remove("duration");
    }
    with_name(&mock, Json(answer).into_response())
}

async fn convert_file(
    State(mock): State<Shared>,
    headers: axum::http::HeaderMap,
    mut form: Multipart,
) -> Response {
    if let Err(response) = admit(&mock, &headers).await {
        return response;
    }
    let mut names = Vec::new();
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("files") {
            let name = field.file_name().unwrap_or("file").to_owned();
            if field.bytes().await.is_ok() {
                names.push(name);
            }
        }
    }
    if names.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "send at least one `files` part",
        );
    }
    with_name(&mock, Json(converted(&names)).into_response())
}

async fn get_knobs(State(mock): State<Shared>) -> Json<Knobs> {
    Json(knobs(&mock))
}

async fn set_knobs(State(mock): State<Shared>, Json(new): Json<Knobs>) -> Response {
    match mock.knobs.write() {
        Ok(mut knobs) => {
            *knobs = new.clone();
            Json(new).into_response()
        }
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "knobs lock poisoned"),
    }
}

async fn stats(State(mock): State<Shared>) -> Json<Value> {
    Json(
        json!({"name": mock.name, "requests": mock.requests.load(Ordering::Relaxed),
                "http2": mock.http2.load(Ordering::Relaxed),
                "cancelled": mock.cancelled.load(Ordering::Relaxed)}),
    )
}

async fn last_request(State(mock): State<Shared>) -> Json<Value> {
    Json(last(&mock.last_request))
}

async fn last_headers(State(mock): State<Shared>) -> Json<Value> {
    Json(last(&mock.last_headers))
}

fn last(remembered: &RwLock<Value>) -> Value {
    remembered.read().map(|v| v.clone()).unwrap_or(Value::Null)
}
