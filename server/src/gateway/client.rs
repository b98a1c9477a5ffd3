//! The HTTP client that forwards requests to model servers: hyper's pooled client used
//! directly, with the per-deployment timeouts applied here. reqwest's layers on top of the
//! same pool (URL parsing, redirect and retry policies, its own timeout wrappers) were about
//! 13% of the gateway's CPU at saturation; none of them is wanted on this path (a model
//! server's redirect is not followed, a retry is the balancer's decision). Health checks and
//! `testConnection` keep using reqwest.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, Uri, header};
use bytes::Bytes;
use futures::Stream;
use http_body_util::BodyExt;
use hyper::body::Body;
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::time::{Instant, Sleep};

use super::deployment::Deployment;
pub use super::http1::SendError;
pub use super::http1::UpstreamBody;
use super::http1::{Http1Pool, Lent, tcp_connector, timed_out};

/// Why reading an answer's body failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// The deployment's total time ran out.
    Timeout,
    /// The connection broke off.
    Broken,
}

/// A pooled keep-alive client for HTTP/1.1 and HTTP/2 (negotiated by ALPN over TLS).
#[derive(Clone)]
pub struct UpstreamClient {
    inner: Client<HttpsConnector<HttpConnector>, UpstreamBody>,
    /// Whether traces are exported: each attempt then has a span, whose trace context the
    /// request carries (`traceparent`).
    traced: bool,
}

impl std::fmt::Debug for UpstreamClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UpstreamClient")
    }
}

/// A model server's answer: status and headers, the body still to come.
pub struct UpstreamResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    body: Incoming,
    /// When the deployment's total time runs out.
    deadline: Instant,
    /// The plain-HTTP connection it came on, given back once the body is read to its end.
    lent: Option<Lent>,
}

/// A request to send: where, what, and with which credential.
pub struct Outgoing<'a> {
    pub url: String,
    /// The `Host` header, made once for a plain-HTTP deployment (hyper's client makes it
    /// when absent).
    pub host: Option<HeaderValue>,
    pub content_type: HeaderValue,
    pub bearer: Option<&'a str>,
    pub body: UpstreamBody,
    /// The deployment's own connections, when it speaks plain HTTP.
    pub pool: Option<&'a Arc<Http1Pool>>,
}

impl UpstreamClient {
    /// A client giving up on a connection after `connect_timeout`, checking model servers'
    /// certificates with `tls` (see [`super::tls`]), passing the trace context on when
    /// `traced`.
    pub fn new(connect_timeout: Duration, tls: rustls::ClientConfig, traced: bool) -> Self {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(tcp_connector(connect_timeout));
        let inner = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(512)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(https);
        Self { inner, traced }
    }

    /// The span of one attempt on a deployment, when traces are exported (else none, which
    /// costs nothing): a client span the model server's own spans hang under.
    pub fn attempt_span(&self, deployment: &Deployment) -> tracing::Span {
        if !self.traced {
            return tracing::Span::none();
        }
        tracing::info_span!(
            "upstream",
            otel.kind = "client",
            otel.status_code = tracing::field::Empty,
            cluster = %deployment.cluster,
            deployment = %deployment.id,
            backend_model = %deployment.backend_model,
        )
    }

    /// Sends `outgoing` and waits for the answer's head at most `first_byte`; its body must
    /// be complete within `total` of now.
    pub async fn send(
        &self,
        outgoing: Outgoing<'_>,
        first_byte: Duration,
        total: Duration,
    ) -> Result<UpstreamResponse, SendError> {
        let deadline = Instant::now() + total;
        let wait = first_byte.min(total);
        let traced = self.traced;
        let bearer = outgoing.bearer;
        let extra = move |headers: &mut HeaderMap| -> Result<(), SendError> {
            if let Some(key) = bearer {
                let mut value = HeaderValue::try_from(format!("Bearer {key}"))
                    .map_err(|_| SendError::Broken)?;
                value.set_sensitive(true);
                headers.insert(header::AUTHORIZATION, value);
            }
            if traced {
                crate::otel::inject(headers);
            }
            Ok(())
        };
        if let Some(pool) = outgoing.pool {
            let sent = pool.send(&outgoing.url, outgoing.content_type, extra, outgoing.body);
            let (response, lent) = tokio::time::timeout(wait, sent)
                .await
                .map_err(|_| SendError::Timeout)??;
            let (parts, body) = response.into_parts();
            return Ok(UpstreamResponse {
                status: parts.status,
                headers: parts.headers,
                body,
                deadline,
                lent: Some(lent),
            });
        }
        let uri = Uri::try_from(outgoing.url).map_err(|_| SendError::Broken)?;
        let mut request = Request::post(uri)
            .header(header::CONTENT_TYPE, outgoing.content_type)
            .body(outgoing.body)
            .map_err(|_| SendError::Broken)?;
        if let Some(host) = outgoing.host {
            request.headers_mut().insert(header::HOST, host);
        }
        extra(request.headers_mut())?;
        let response = match tokio::time::timeout(wait, self.inner.request(request)).await {
            Err(_) => return Err(SendError::Timeout),
            Ok(Err(error)) if error.is_connect() && timed_out(&error) => {
                return Err(SendError::Timeout);
            }
            Ok(Err(error)) if error.is_connect() => {
                return Err(tls_failure(&error).map_or(SendError::Connect, SendError::Tls));
            }
            Ok(Err(_)) => return Err(SendError::Broken),
            Ok(Ok(response)) => response,
        };
        let (parts, body) = response.into_parts();
        Ok(UpstreamResponse {
            status: parts.status,
            headers: parts.headers,
            body,
            deadline,
            lent: None,
        })
    }
}

/// The TLS error behind `error`, when the connection failed in its handshake. (An
/// `io::Error` wrapping another error hides it from `source()`, so those are opened too.)
fn tls_failure(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls.to_string());
        }
        cause = match error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    None
}

impl UpstreamResponse {
    /// The whole body, within the deployment's total time.
    pub async fn bytes(self) -> Result<Bytes, BodyError> {
        match tokio::time::timeout_at(self.deadline, self.body.collect()).await {
            Err(_) => Err(BodyError::Timeout),
            Ok(Err(_)) => Err(BodyError::Broken),
            Ok(Ok(collected)) => {
                if let Some(lent) = self.lent {
                    lent.give_back();
                }
                Ok(collected.to_bytes())
            }
        }
    }

    /// The body as it arrives; ends with [`BodyError::Timeout`] when the deployment's total
    /// time runs out first.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, BodyError>> + Send + 'static {
        BodyStream {
            body: self.body,
            deadline: Box::pin(tokio::time::sleep_until(self.deadline)),
            ended: false,
            lent: self.lent,
        }
    }
}

/// An answer's body chunk by chunk under one timer for the whole stream. (A `timeout_at`
/// around each chunk put a timer into tokio's wheel and took it out again for every event a
/// stream relayed.)
struct BodyStream {
    body: Incoming,
    deadline: Pin<Box<Sleep>>,
    ended: bool,
    /// Given back when the body ends as it should.
    lent: Option<Lent>,
}

impl Stream for BodyStream {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        while !this.ended {
            match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => return Poll::Ready(Some(Ok(data))),
                    // Trailers carry no answer.
                    Err(_) => continue,
                },
                Poll::Ready(Some(Err(_))) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(BodyError::Broken)));
                }
                Poll::Ready(None) => {
                    this.ended = true;
                    if let Some(lent) = this.lent.take() {
                        lent.give_back();
                    }
                }
                Poll::Pending => {
                    if this.deadline.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    this.ended = true;
                    return Poll::Ready(Some(Err(BodyError::Timeout)));
                }
            }
        }
        Poll::Ready(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::http1::tests::{pool_for, server};
    use futures::StreamExt;

    #[tokio::test]
    async fn answers_read_through_the_client_give_their_connection_back_at_their_end() {
        let long: Vec<u8> = (0..4_000_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let server = server(usize::MAX, long.clone(), Duration::ZERO).await;
        let pool = pool_for(&server);
        let trust = crate::gateway::tls::UpstreamTrust::load(None).unwrap();
        let client = UpstreamClient::new(
            Duration::from_secs(1),
            trust.client_config().unwrap(),
            false,
        );
        let send = || {
            client.send(
                Outgoing {
                    url: server.url.clone(),
                    host: None,
                    content_type: HeaderValue::from_static("application/json"),
                    bearer: None,
                    body: Bytes::from_static(b"{}").into(),
                    pool: Some(&pool),
                },
                Duration::from_secs(5),
                Duration::from_secs(30),
            )
        };
        // Whole, then as a stream read to its end: both on the one connection.
        assert_eq!(send().await.unwrap().bytes().await.unwrap(), long);
        let mut stream = Box::pin(send().await.unwrap().into_stream());
        let mut streamed = Vec::new();
        while let Some(piece) = stream.next().await {
            streamed.extend_from_slice(&piece.unwrap());
        }
        assert_eq!(streamed, long);
        assert_eq!(server.accepted(), 1);
        assert_eq!(pool.idle_count(), 1);
        // A stream left half read does not go back: the next answer comes whole on another.
        let mut stream = Box::pin(send().await.unwrap().into_stream());
        stream.next().await.unwrap().unwrap();
        drop(stream);
        assert_eq!(pool.idle_count(), 0);
        assert_eq!(send().await.unwrap().bytes().await.unwrap(), long);
        assert_eq!(server.accepted(), 2);
    }
}
