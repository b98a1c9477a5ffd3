//! What every request gets around its handler, in one layer: the server's own request id
//! (the client's set aside), the request's span (entered while the handler runs and, for a
//! body that streams, while the body is sent), the id on the answer, the security headers,
//! and the request's log lines.
//!
//! It replaces five layers (a `map_request`, tower-http's `SetRequestId`, `Trace` and
//! `PropagateRequestId`, and a `map_response`) that did the same work in turn: each added a
//! future around the handler's, and the `map_response` one a boxed route of its own, moved
//! and allocated on every request. One layer writes it once.

use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Response};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tower::{Layer, Service};
use tracing::Span;

use super::security::SecurityHeaders;
use super::{CLIENT_REQUEST_ID, REQUEST_ID};

/// The longest client request id kept for the logs.
const CLIENT_ID_MAX: usize = 128;

/// The envelope around every route.
#[derive(Debug, Clone)]
pub struct EnvelopeLayer {
    security: SecurityHeaders,
    /// Whether spans are exported (then each request's span is a server span, in the
    /// client's trace when it sent a `traceparent`).
    traced: bool,
}

impl EnvelopeLayer {
    /// An envelope adding `security` to every answer, with exported spans when `traced`.
    pub fn new(security: SecurityHeaders, traced: bool) -> Self {
        Self { security, traced }
    }
}

impl<S> Layer<S> for EnvelopeLayer {
    type Service = Envelope<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Envelope {
            inner,
            layer: self.clone(),
        }
    }
}

/// A route in its envelope (see [`EnvelopeLayer`]).
#[derive(Debug, Clone)]
pub struct Envelope<S> {
    inner: S,
    layer: EnvelopeLayer,
}

impl<S, B> Service<Request> for Envelope<S>
where
    S: Service<Request, Response = Response<B>>,
    B: Body,
{
    type Response = Response<InSpan<B>>;
    type Error = S::Error;
    type Future = EnvelopeFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        set_aside_client_id(&mut request);
        let id = request_id();
        request.headers_mut().insert(REQUEST_ID, id.clone());
        let span = request_span(&request, self.layer.traced);
        let started = tracing::enabled!(tracing::Level::DEBUG).then(Instant::now);
        let inner = {
            let _entered = span.enter();
            tracing::debug!("started processing request");
            self.inner.call(request)
        };
        EnvelopeFuture {
            inner,
            span,
            id: Some(id),
            security: self.layer.security.clone(),
            started,
        }
    }
}

pin_project! {
    /// The handler's answer in its envelope.
    pub struct EnvelopeFuture<F> {
        #[pin]
        inner: F,
        span: Span,
        // Taken when the answer is ready.
        id: Option<HeaderValue>,
        security: SecurityHeaders,
        started: Option<Instant>,
    }
}

impl<F, B, E> Future for EnvelopeFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Body,
{
    type Output = Result<Response<InSpan<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answered = {
            let _entered = this.span.enter();
            ready!(this.inner.poll(cx))
        };
        let mut response = match answered {
            Ok(response) => response,
            Err(error) => return Poll::Ready(Err(error)),
        };
        let _entered = this.span.enter();
        let status = response.status();
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), "response failed");
        }
        if let Some(started) = this.started {
            tracing::debug!(
                status = status.as_u16(),
                latency_ms = started.elapsed().as_millis(),
                "finished processing request"
            );
        }
        if let Some(id) = this.id.take() {
            response.headers_mut().entry(REQUEST_ID).or_insert(id);
        }
        this.security.apply(response.headers_mut());
        // A body sent at once needs no span; one that streams is sent inside it, so the
        // span ends (and is exported) when the body does.
        let span = (response.body().size_hint().exact().is_none()).then(|| this.span.clone());
        drop(_entered);
        Poll::Ready(Ok(response.map(|body| InSpan { body, span })))
    }
}

pin_project! {
    /// An answer's body, polled inside the request's span when it streams.
    pub struct InSpan<B> {
        #[pin]
        body: B,
        span: Option<Span>,
    }
}

impl<B> Body for InSpan<B>
where
    B: Body,
    B::Error: std::fmt::Display,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let _entered = this.span.as_ref().map(Span::enter);
        let frame = ready!(this.body.poll_frame(cx));
        if let Some(Err(error)) = &frame {
            tracing::error!(%error, "response body failed");
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Moves the client's `x-request-id` (at most [`CLIENT_ID_MAX`] bytes of it) to
/// `x-client-request-id`, so the id every request is known by is the server's own.
fn set_aside_client_id(request: &mut Request) {
    let headers = request.headers_mut();
    headers.remove(&CLIENT_REQUEST_ID);
    if let Some(sent) = headers.remove(&REQUEST_ID)
        && sent.len() <= CLIENT_ID_MAX
    {
        headers.insert(CLIENT_REQUEST_ID, sent);
    }
}

/// A new request id: a UUID v7, ordered by time, so the spend ledger's unique index on them
/// grows at its end instead of rewriting a random index page for every request.
fn request_id() -> HeaderValue {
    let mut text = uuid::Uuid::encode_buffer();
    let id = uuid::Uuid::now_v7().hyphenated().encode_lower(&mut text);
    // 36 hexadecimal digits and hyphens: always a valid header value.
    HeaderValue::from_str(id).unwrap_or(HeaderValue::from_static("-"))
}

/// The span of one request: method, matched route, request id and the client's own id. Never
/// the path (`/key/{key}/regenerate` carries a key in it), other headers or bodies (so never
/// `Authorization` or `Cookie`). When traces are `traced` (exported), the span is a server span
/// named by method and route, in the trace of the client's `traceparent` when it sent one.
fn request_span(request: &Request, traced: bool) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(no route)", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let client_request_id = request
        .headers()
        .get(&CLIENT_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route,
        request_id = %request_id,
        client_request_id = ?client_request_id,
        otel.name = tracing::field::Empty,
        otel.kind = tracing::field::Empty,
    );
    if traced {
        crate::otel::adopt_parent(&span, request.headers());
        span.record("otel.kind", "server");
        span.record("otel.name", format!("{} {route}", request.method()));
    }
    span
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::body::Body as AxumBody;
    use axum::http::header;
    use tower::ServiceExt;

    use super::*;

    /// Sends a request with these headers through the envelope to a handler that answers
    /// with the headers it was given; returns the answer's headers (the handler's view, and
    /// what the envelope added).
    async fn through(sent: &[(&str, &str)]) -> axum::http::HeaderMap {
        let security = SecurityHeaders::new(std::path::Path::new("/nonexistent"), false);
        let service = EnvelopeLayer::new(security, false).layer(tower::service_fn(
            |request: Request| async move {
                let mut response = Response::new(AxumBody::empty());
                *response.headers_mut() = request.headers().clone();
                Ok::<_, Infallible>(response)
            },
        ));
        let mut request = Request::new(AxumBody::empty());
        for (name, value) in sent {
            request.headers_mut().insert(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        service.oneshot(request).await.unwrap().headers().clone()
    }

    #[tokio::test]
    async fn the_server_names_every_request_and_the_clients_id_is_set_aside() {
        let answered = through(&[("x-request-id", "mine-42")]).await;
        let id = answered[&REQUEST_ID].to_str().unwrap();
        assert_eq!(id.len(), 36, "a UUID: {id}");
        assert_eq!(
            uuid::Uuid::parse_str(id).unwrap().get_version_num(),
            7,
            "ordered by time"
        );
        assert_eq!(answered[&CLIENT_REQUEST_ID], "mine-42");
        assert_eq!(answered[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(answered[header::X_FRAME_OPTIONS], "DENY");

        // A client's own `x-client-request-id` is never believed; an id too long is dropped.
        let long = "x".repeat(CLIENT_ID_MAX + 1);
        let seen = through(&[("x-client-request-id", "forged"), ("x-request-id", &long)]).await;
        assert!(seen.get(&CLIENT_REQUEST_ID).is_none(), "{seen:?}");
        assert_ne!(seen[&REQUEST_ID], long.as_str());
    }

    #[tokio::test]
    async fn two_requests_get_two_ids() {
        let first = through(&[]).await;
        let second = through(&[]).await;
        assert_ne!(first[&REQUEST_ID], second[&REQUEST_ID]);
    }
}
