//! OpenTelemetry traces through the real binary: spans exported over OTLP/HTTP to a receiver
//! standing in for an OpenTelemetry Collector (an axum server decoding the protobuf the server
//! posts), and the W3C trace context passed to `mock-upstream` as it would be to vLLM. With
//! `[tracing]` unset nothing is read from clients or sent to model servers.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::routing::post;
use harness::gateway::{ModelSpec, config, key_with};
use harness::{MockUpstream, TestApp};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::common::v1::{AnyValue as Any, KeyValue};
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const CHAT: &str = "/v1/chat/completions";

/// The prompt every request sends: it must appear in no span.
const PROMPT: &str = "a prompt that stays private";

/// What the receiver got: each span with its resource's `service.name`, and the content type
/// of each export request.
#[derive(Default)]
struct Received {
    spans: Vec<(String, Span)>,
    content_types: Vec<String>,
}

/// The OTLP/HTTP receiver: `POST /v1/traces` with protobuf bodies.
struct OtlpReceiver {
    base: String,
    received: Arc<Mutex<Received>>,
}

impl OtlpReceiver {
    async fn start() -> Self {
        let received = Arc::new(Mutex::new(Received::default()));
        let app = Router::new()
            .route("/v1/traces", post(receive))
            .with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, received }
    }
}

async fn receive(
    State(received): State<Arc<Mutex<Received>>>,
    headers: HeaderMap,
    body: Bytes,
) -> ([(header::HeaderName, &'static str); 1], Vec<u8>) {
    let request = ExportTraceServiceRequest::decode(body).unwrap_or_default();
    let mut received = received.lock().unwrap();
    received.content_types.push(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    );
    for resource_spans in request.resource_spans {
        let service = resource_spans
            .resource
            .as_ref()
            .and_then(|r| string(&r.attributes, "service.name"))
            .unwrap_or_default();
        for scope in resource_spans.scope_spans {
            for span in scope.spans {
                received.spans.push((service.clone(), span));
            }
        }
    }
    (
        [(header::CONTENT_TYPE, "application/x-protobuf")],
        ExportTraceServiceResponse::default().encode_to_vec(),
    )
}

/// An attribute's value as text (strings as they are, numbers in decimal).
fn string(attributes: &[KeyValue], name: &str) -> Option<String> {
    let value = attributes
        .iter()
        .find(|kv| kv.key == name)?
        .value
        .as_ref()?;
    text(value)
}

fn text(value: &Any) -> Option<String> {
    match value.value.as_ref()? {
        AnyValue::StringValue(s) => Some(s.clone()),
        AnyValue::IntValue(n) => Some(n.to_string()),
        AnyValue::BoolValue(b) => Some(b.to_string()),
        AnyValue::DoubleValue(d) => Some(d.to_string()),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every piece of text a span carries: its name, attributes, events and their attributes.
fn texts(span: &Span) -> Vec<String> {
    let mut all = vec![span.name.clone()];
    let mut attributes: Vec<&KeyValue> = span.attributes.iter().collect();
    for event in &span.events {
        all.push(event.name.clone());
        attributes.extend(&event.attributes);
    }
    for kv in attributes {
        all.push(kv.key.clone());
        all.extend(kv.value.as_ref().and_then(text));
    }
    all
}

/// A `traceparent` split into its trace id and parent (span) id.
fn trace_and_parent(traceparent: &Value) -> (String, String) {
    let text = traceparent.as_str().expect("a traceparent header");
    let parts: Vec<&str> = text.split('-').collect();
    assert_eq!(parts.len(), 4, "{text}");
    assert_eq!(parts[0], "00", "{text}");
    (parts[1].to_owned(), parts[2].to_owned())
}

/// A chat completion with `key`, in the client's trace when `traceparent` is given; the
/// request id the gateway answered with.
async fn chat(app: &TestApp, key: &str, traceparent: Option<&str>) -> String {
    let mut request = app
        .client
        .post(app.url(CHAT))
        .bearer_auth(key)
        .json(&json!({"model": "granite", "messages": [{"role": "user", "content": PROMPT}]}));
    if let Some(traceparent) = traceparent {
        request = request
            .header("traceparent", traceparent)
            .header("tracestate", "client=1");
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.headers()["x-litellm-call-id"]
        .to_str()
        .unwrap()
        .to_owned()
}

fn span_of_request<'a>(spans: &'a [(String, Span)], request_id: &str) -> &'a Span {
    spans
        .iter()
        .map(|(_, span)| span)
        .find(|span| string(&span.attributes, "request_id").as_deref() == Some(request_id))
        .unwrap_or_else(|| panic!("no exported span has request_id {request_id}"))
}

#[tokio::test]
async fn gateway_spans_are_exported_and_their_trace_reaches_the_model_server() {
    let receiver = OtlpReceiver::start().await;
    let gpu = MockUpstream::start("gpu-east", &["granite-8b"], &[]).await;
    let preamble = format!(
        "[tracing]\nendpoint = \"{}\"\nservice_name = \"switchyard-test\"\n",
        receiver.base
    );
    let toml = config(
        &preamble,
        &[ModelSpec::new("granite", "granite-8b", &[&gpu])],
    );
    let mut app = TestApp::builder().sqlite().config_toml(&toml).start().await;
    let key = key_with(&app, json!({"key_alias": "team-traces"})).await;
    let key = key["key"].as_str().unwrap().to_owned();

    // A request that starts its own trace: the model server is told it.
    let own_id = chat(&app, &key, None).await;
    let (own_trace, own_parent) = trace_and_parent(&gpu.last_headers().await["traceparent"]);

    // A request in the client's trace: the gateway's spans join it, and so does the model
    // server, with the client's trace state.
    let (client_trace, client_span) = ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331");
    let joined_id = chat(
        &app,
        &key,
        Some(&format!("00-{client_trace}-{client_span}-01")),
    )
    .await;
    let forwarded = gpu.last_headers().await;
    let (joined_trace, joined_parent) = trace_and_parent(&forwarded["traceparent"]);
    assert_eq!(joined_trace, client_trace);
    assert_ne!(joined_parent, client_span);
    assert_eq!(forwarded["tracestate"], "client=1");

    // Spans are batched; a graceful stop sends what is queued before the process ends.
    assert!(app.terminate().await.success());
    let received = receiver.received.lock().unwrap();
    assert!(
        received
            .content_types
            .iter()
            .all(|t| t == "application/x-protobuf"),
        "{:?}",
        received.content_types
    );
    let spans = &received.spans;
    assert!(
        spans
            .iter()
            .all(|(service, _)| service == "switchyard-test")
    );

    let own = span_of_request(spans, &own_id);
    assert_eq!(own.name, "POST /v1/chat/completions");
    assert_eq!(own.kind, SpanKind::Server as i32);
    for (name, value) in [
        ("model", "granite"),
        ("cluster", "gpu-east"),
        ("api_key_alias", "team-traces"),
        ("route", "/v1/chat/completions"),
        ("http.response.status_code", "200"),
    ] {
        assert_eq!(
            string(&own.attributes, name).as_deref(),
            Some(value),
            "{name}"
        );
    }
    assert_eq!(hex(&own.trace_id), own_trace);
    assert!(
        own.parent_span_id.is_empty(),
        "a request without traceparent starts a trace"
    );
    // The model server's parent is the attempt on it, a client span under the request's.
    let attempt = spans
        .iter()
        .map(|(_, span)| span)
        .find(|span| hex(&span.span_id) == own_parent)
        .expect("the span named in the model server's traceparent was exported");
    assert_eq!(attempt.name, "upstream");
    assert_eq!(attempt.kind, SpanKind::Client as i32);
    assert_eq!(attempt.parent_span_id, own.span_id);
    assert_eq!(
        string(&attempt.attributes, "cluster").as_deref(),
        Some("gpu-east")
    );

    let joined = span_of_request(spans, &joined_id);
    assert_eq!(hex(&joined.trace_id), client_trace);
    assert_eq!(hex(&joined.parent_span_id), client_span);

    // No span, attribute or event carries the key, its hash or a body.
    let hash = hex(&Sha256::digest(key.as_bytes()));
    for (_, span) in spans {
        for text in texts(span) {
            assert!(
                !text.contains(&key) && !text.contains(&hash) && !text.contains(PROMPT),
                "span {} carries {text:?}",
                span.name
            );
        }
    }
}

#[tokio::test]
async fn with_tracing_off_no_trace_context_is_passed_on() {
    let gpu = MockUpstream::start("gpu-west", &["granite-8b"], &[]).await;
    let toml = config("", &[ModelSpec::new("granite", "granite-8b", &[&gpu])]);
    let app = TestApp::builder().sqlite().config_toml(&toml).start().await;
    let key = key_with(&app, json!({})).await;
    let key = key["key"].as_str().unwrap();

    chat(&app, key, None).await;
    let headers = gpu.last_headers().await;
    assert_eq!(headers["content-type"], "application/json");
    assert!(headers.get("traceparent").is_none(), "{headers}");

    // Not even the client's own: the gateway is not a party to the trace.
    chat(
        &app,
        key,
        Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
    )
    .await;
    let headers = gpu.last_headers().await;
    assert!(
        headers.get("traceparent").is_none() && headers.get("tracestate").is_none(),
        "{headers}"
    );
}
