//! The W3C trace context (`traceparent`, `tracestate`) in and out of the server, and what a
//! request's exported span says about it, for OpenTelemetry traces (`[tracing]`). Callers come
//! here only when tracing is on: with it off no header is read or written and no attribute
//! made, so the hot path pays one branch.
//!
//! The spans are `tracing` spans; `telemetry` exports them through the OpenTelemetry layer,
//! which is what the extension methods used here reach.

use axum::http::{HeaderMap, StatusCode};
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{Status, TraceContextExt};
use opentelemetry_http::{HeaderExtractor, HeaderInjector};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Makes the trace named by the client's `traceparent` (and its `tracestate`) the parent of
/// `span`, which must not have been entered yet. Without a valid one, `span` starts a trace.
pub fn adopt_parent(span: &Span, headers: &HeaderMap) {
    let parent = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
    if parent.span().span_context().is_valid() {
        // Fails only for a span that is disabled or already started; it then keeps its own.
        let _ = span.set_parent(parent);
    }
}

/// Writes the current span's trace context into `headers`, so that the model server's own
/// spans join the trace. Nothing is written when the current span is not exported.
pub fn inject(headers: &mut HeaderMap) {
    let context = Span::current().context();
    TraceContextPropagator::new().inject_context(&context, &mut HeaderInjector(headers));
}

/// Adds the `attributes` that have a value to `span`'s exported attributes (not to its log
/// fields). Callers pass names and ids, never a key, its hash or a body.
pub fn annotate(span: &Span, attributes: &[(&'static str, Option<&str>)]) {
    for (name, value) in attributes {
        if let Some(value) = value {
            span.set_attribute(*name, (*value).to_owned());
        }
    }
}

/// Records the answer's status on `span`; a server error marks the span failed.
pub fn record_status(span: &Span, status: StatusCode) {
    span.set_attribute("http.response.status_code", i64::from(status.as_u16()));
    if status.is_server_error() {
        span.set_status(Status::error(status.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};

    #[test]
    fn trace_context_headers_round_trip_and_junk_is_ignored() {
        let propagator = TraceContextPropagator::new();
        let mut headers = HeaderMap::new();
        headers.insert(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                .parse()
                .unwrap(),
        );
        headers.insert("tracestate", "vendor=opaque".parse().unwrap());
        let context = propagator.extract(&HeaderExtractor(&headers));
        let span = context.span();
        let parent = span.span_context();
        assert!(parent.is_valid() && parent.is_remote() && parent.is_sampled());
        assert_eq!(
            parent.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_eq!(parent.trace_state().header(), "vendor=opaque");

        let mut out = HeaderMap::new();
        let child = SpanContext::new(
            parent.trace_id(),
            SpanId::from_hex("a3ce929d0e0e4736").unwrap(),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        );
        let context = opentelemetry::Context::new().with_remote_span_context(child);
        propagator.inject_context(&context, &mut HeaderInjector(&mut out));
        assert_eq!(
            out["traceparent"],
            "00-4bf92f3577b34da6a3ce929d0e0e4736-a3ce929d0e0e4736-01"
        );

        let mut junk = HeaderMap::new();
        junk.insert("traceparent", "00-not-a-trace-01".parse().unwrap());
        let context = propagator.extract(&HeaderExtractor(&junk));
        assert!(!context.span().span_context().is_valid());
        assert_eq!(TraceId::INVALID, context.span().span_context().trace_id());
    }

    #[test]
    fn without_an_exporting_layer_nothing_is_injected() {
        let mut headers = HeaderMap::new();
        inject(&mut headers);
        assert!(headers.is_empty());
    }
}
