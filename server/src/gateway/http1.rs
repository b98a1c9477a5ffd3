//! Keep-alive connections to one plain-HTTP model server, kept by its deployments. hyper's
//! connection API does the HTTP; this keeps the idle connections of one host and port in a
//! stack. hyper-util's pooled client did the same for every host through one map: per
//! request it hashed the scheme and host twice with SipHash, raced a checkout against a
//! connect future, and spawned a task to put the connection back, about 8,000 instructions a
//! request (BENCHMARKS.md). TLS deployments, which may speak HTTP/2, keep that client.
//!
//! A connection goes back to its stack when its answer's body has been read to its end, and
//! is taken most recently used first, so that a quiet deployment's surplus connections age
//! at the bottom. One idle longer than [`IDLE_TIMEOUT`] is closed when the stack is next
//! used, or by the registry's sweep (`close_idle`, every 15 s); a model server that closes
//! idle connections itself (vLLM's uvicorn does after 5 s) is found out when the connection
//! is taken, and the next one is tried.
//!
//! Below the TLS client too, this is where connections to model servers are opened
//! ([`tcp_connector`]), their `Host` header made, a request's body held ([`UpstreamBody`]) and
//! a failed send named ([`SendError`]).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::http::Uri;
use axum::http::uri::Authority;
use axum::http::{HeaderValue, Request, Response};
use bytes::Bytes;
use futures::FutureExt;
use hyper::body::Incoming;
use hyper::body::{Body, Frame, SizeHint};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::client::legacy::connect::HttpConnector;
use tower::ServiceExt;

/// A request's body for a model server, in up to two pieces sent one after the other: what
/// the gateway writes before the client's bytes (members it adds, `{"max_tokens":…,`), and
/// the client's bytes. hyper writes both with one `writev`; splicing into one buffer instead
/// copied the client's body, about 20,000 instructions for a 20 KB conversation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpstreamBody {
    head: Bytes,
    rest: Bytes,
}

impl UpstreamBody {
    /// `head`, then `rest`.
    pub fn spliced(head: Bytes, rest: Bytes) -> Self {
        Self { head, rest }
    }

    /// The body's bytes, in one buffer.
    #[cfg(test)]
    pub fn to_vec(&self) -> Vec<u8> {
        [&self.head[..], &self.rest[..]].concat()
    }
}

impl From<Bytes> for UpstreamBody {
    fn from(rest: Bytes) -> Self {
        Self::spliced(Bytes::new(), rest)
    }
}

impl Body for UpstreamBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        let next = if this.head.is_empty() {
            std::mem::take(&mut this.rest)
        } else {
            std::mem::take(&mut this.head)
        };
        Poll::Ready((!next.is_empty()).then(|| Ok(Frame::data(next))))
    }

    fn is_end_stream(&self) -> bool {
        self.head.is_empty() && self.rest.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact((self.head.len() + self.rest.len()) as u64)
    }
}

/// Why a request to a model server failed before it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// No connection could be made.
    Connect,
    /// The TLS handshake failed (most often: the certificate is not trusted); the reason.
    Tls(String),
    /// No answer within the time allowed.
    Timeout,
    /// The connection failed another way.
    Broken,
}

/// How connections to model servers are opened: no Nagle delay, and `connect_timeout`
/// shared by the addresses a name resolves to, the other address family tried after 300 ms
/// (hyper-util's happy eyeballs), so that one dead address does not take all of it.
pub fn tcp_connector(connect_timeout: Duration) -> HttpConnector {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(connect_timeout));
    http
}

/// The `Host` header for requests to a plain-HTTP `url`: its host, and its port unless it is
/// 80. That is what hyper's client writes when a request has none, but it parses the URL's
/// authority and formats the value for every request; a deployment makes it once. None for
/// `https`: such a connection may speak HTTP/2, where hyper sends `:authority` and no `Host`,
/// and a `Host` that differs from it (`h` beside `h:443`) makes the request malformed.
pub fn host_header(url: &str) -> Option<HeaderValue> {
    let uri = Uri::try_from(url).ok()?;
    if uri.scheme_str() != Some("http") {
        return None;
    }
    let host = uri.host()?;
    let value = match uri.port() {
        Some(port) if port.as_u16() != 80 => {
            HeaderValue::from_maybe_shared(Bytes::from([host, ":", port.as_str()].concat()))
        }
        _ => HeaderValue::from_str(host),
    };
    value.ok()
}

/// Whether `error` comes from a timeout (the connect timeout shows as a connect error).
pub fn timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        cause = error.source();
    }
    false
}

/// How long a connection may wait unused before it is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Most idle connections kept for one model server.
const MOST_IDLE: usize = 512;

/// The idle connections to one `http://host:port`.
pub struct Http1Pool {
    /// `http://host:port`, which every URL sent through the pool starts with.
    origin: Box<str>,
    /// Where a connection is opened to: the origin, with its port.
    target: Uri,
    /// The `Host` header of every request.
    host: HeaderValue,
    /// Opens connections (resolving the name, trying each address).
    connector: HttpConnector,
    /// Most recently used at the back, so in the order they were last used.
    idle: Mutex<VecDeque<Idle>>,
}

impl std::fmt::Debug for Http1Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http1Pool")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// A connection waiting for its next request.
struct Idle {
    sender: SendRequest<UpstreamBody>,
    since: Instant,
}

/// A connection in use, to be handed back once its answer has been read.
pub struct Lent {
    pool: Arc<Http1Pool>,
    sender: SendRequest<UpstreamBody>,
}

impl Lent {
    /// Puts the connection back for the next request: the answer it carried was read whole.
    pub fn give_back(self) {
        self.pool.put(self.sender);
    }
}

impl Http1Pool {
    /// The pool for the server of `url`, when it is plain HTTP with a host (`None` for
    /// `https`, which the TLS client serves).
    pub fn for_url(url: &str, connect_timeout: Duration) -> Option<Self> {
        let origin = Self::origin(url)?;
        let authority = Authority::try_from(origin.get("http://".len()..)?).ok()?;
        // Credentials in the URL are not sent; a host is required.
        if authority.as_str().contains('@') || authority.host().is_empty() {
            return None;
        }
        let port = authority.port_u16().unwrap_or(80);
        let target = Uri::try_from(format!("http://{}:{port}", authority.host())).ok()?;
        Some(Self {
            origin: origin.into(),
            target,
            host: host_header(url)?,
            connector: tcp_connector(connect_timeout),
            idle: Mutex::new(VecDeque::new()),
        })
    }

    /// The origin this pool connects to (`http://host:port`), the key pools are shared by.
    pub fn origin(url: &str) -> Option<&str> {
        let rest = url.strip_prefix("http://")?;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        url.get(.."http://".len() + end)
    }

    /// Sends a POST of `body` (`content_type`) to `url`, a URL on this pool's server, with
    /// `headers` added, and returns the answer's head and the connection to give back once
    /// its body is read. A connection the server closed while it was idle is passed over,
    /// and a request it refused before reading any of it is sent again on another.
    pub async fn send(
        self: &Arc<Self>,
        url: &str,
        content_type: HeaderValue,
        headers: impl FnOnce(&mut axum::http::HeaderMap) -> Result<(), SendError>,
        body: UpstreamBody,
    ) -> Result<(Response<Incoming>, Lent), SendError> {
        let rest = url.strip_prefix(&*self.origin).ok_or(SendError::Broken)?;
        // Origin-form starts with `/`: an empty path is `/`, and a base URL that ends in a
        // query (`http://host?x`) is sent as `/?x…`, as a whole URL is read.
        let path = if rest.starts_with('/') {
            std::borrow::Cow::Borrowed(rest)
        } else {
            std::borrow::Cow::Owned(["/", rest].concat())
        };
        let mut request = Request::post(&*path)
            .header(axum::http::header::HOST, self.host.clone())
            .header(axum::http::header::CONTENT_TYPE, content_type)
            .body(body)
            .map_err(|_| SendError::Broken)?;
        headers(request.headers_mut())?;
        loop {
            let (mut sender, reused) = self.take().await?;
            match sender.try_send_request(request).await {
                Ok(response) => {
                    let lent = Lent {
                        pool: Arc::clone(self),
                        sender,
                    };
                    return Ok((response, lent));
                }
                Err(mut refused) => match refused.take_message() {
                    // Not a byte of it was written: the connection had closed meanwhile.
                    Some(unsent) if reused => request = unsent,
                    _ => return Err(SendError::Broken),
                },
            }
        }
    }

    /// An open connection ready for a request, and whether it was used before: the most
    /// recently used idle one that is ready now, else a new one. One not ready yet (its last
    /// exchange is still being finished, say a request body still being written to a server
    /// that answered early) is left for later rather than waited for; one the server closed
    /// is dropped.
    async fn take(&self) -> Result<(SendRequest<UpstreamBody>, bool), SendError> {
        let found = self.idle.lock().ok().and_then(|mut idle| {
            let now = Instant::now();
            let mut at = idle.len();
            while at > 0 {
                at -= 1;
                let entry = idle.get_mut(at)?;
                if now.duration_since(entry.since) >= IDLE_TIMEOUT {
                    idle.remove(at);
                    continue;
                }
                match entry.sender.ready().now_or_never() {
                    Some(Ok(())) => return idle.remove(at),
                    Some(Err(_)) => {
                        idle.remove(at);
                    }
                    None => {}
                }
            }
            None
        });
        match found {
            Some(Idle { sender, .. }) => Ok((sender, true)),
            None => Ok((self.connect().await?, false)),
        }
    }

    /// A new connection.
    async fn connect(&self) -> Result<SendRequest<UpstreamBody>, SendError> {
        let stream = self
            .connector
            .clone()
            .oneshot(self.target.clone())
            .await
            .map_err(|error| {
                if timed_out(&error) {
                    SendError::Timeout
                } else {
                    SendError::Connect
                }
            })?;
        let (sender, connection) = http1::handshake(stream)
            .await
            .map_err(|_| SendError::Connect)?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "a connection to a model server ended");
            }
        });
        Ok(sender)
    }

    /// Keeps `sender` for the next request, and closes connections idle too long.
    fn put(&self, sender: SendRequest<UpstreamBody>) {
        if sender.is_closed() {
            return;
        }
        let Ok(mut idle) = self.idle.lock() else {
            return;
        };
        let now = Instant::now();
        close_expired(&mut idle, now);
        if idle.len() < MOST_IDLE {
            idle.push_back(Idle { sender, since: now });
        }
    }

    /// Closes the connections idle longer than [`IDLE_TIMEOUT`] (run now and then, so that a
    /// deployment nobody calls any more does not keep them open).
    pub fn close_idle(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            let now = Instant::now();
            idle.retain(|kept| now.duration_since(kept.since) < IDLE_TIMEOUT);
        }
    }

    /// Idle connections kept now.
    #[cfg(test)]
    pub(crate) fn idle_count(&self) -> usize {
        self.idle.lock().map_or(0, |idle| idle.len())
    }
}

/// Drops the connections of `idle` (least recently used first) idle since before
/// [`IDLE_TIMEOUT`] ago, at `now`.
fn close_expired(idle: &mut VecDeque<Idle>, now: Instant) {
    while idle
        .front()
        .is_some_and(|oldest| now.duration_since(oldest.since) >= IDLE_TIMEOUT)
    {
        idle.pop_front();
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn the_host_header_names_the_port_only_when_it_is_not_the_schemes_own() {
        let host = |url: &str| host_header(url).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            host("http://127.0.0.1:8000/v1").as_deref(),
            Some("127.0.0.1:8000")
        );
        assert_eq!(host("http://vllm.east/v1").as_deref(), Some("vllm.east"));
        assert_eq!(host("http://vllm.east:80/v1").as_deref(), Some("vllm.east"));
        // Over TLS the connection may be HTTP/2: hyper's client writes what fits it.
        assert_eq!(host("https://vllm.east:443/v1"), None);
        assert_eq!(host("https://vllm.east/v1"), None);
        assert_eq!(
            host("http://vllm.east:443/v1").as_deref(),
            Some("vllm.east:443")
        );
        // Credentials in the URL never reach the header.
        assert_eq!(
            host("http://user:pw@[::1]:81/").as_deref(),
            Some("[::1]:81")
        );
        assert_eq!(host("/v1/chat/completions"), None);
    }

    #[test]
    fn only_plain_http_urls_with_a_host_have_a_pool() {
        let pool = |url: &str| Http1Pool::for_url(url, Duration::from_secs(1));
        let made = pool("http://vllm.east:8000/v1").unwrap();
        assert_eq!(&*made.origin, "http://vllm.east:8000");
        assert_eq!(made.target, "http://vllm.east:8000/");
        assert_eq!(made.host, "vllm.east:8000");
        let default_port = pool("http://vllm.east/v1").unwrap();
        assert_eq!(default_port.target, "http://vllm.east:80/");
        assert_eq!(default_port.host, "vllm.east");
        assert_eq!(pool("http://[::1]:81").unwrap().target, "http://[::1]:81/");
        assert!(pool("https://vllm.east/v1").is_none());
        assert!(pool("http://user:pw@vllm.east/v1").is_none());
        assert!(pool("http:///v1").is_none());
        assert!(pool("/v1").is_none());
        assert_eq!(
            Http1Pool::origin("http://vllm.east:8000/v1"),
            Some("http://vllm.east:8000")
        );
        assert_eq!(Http1Pool::origin("http://a?b"), Some("http://a"));
        assert_eq!(Http1Pool::origin("https://a/v1"), None);
    }

    /// A model server for the tests: it answers `answer` (written in pieces of 64 KiB) to
    /// every request, keeps a connection for `per_connection` requests, then waits
    /// `close_after` and closes it. It counts the connections it accepted and keeps the head
    /// of the last request.
    pub(crate) struct Server {
        pub(crate) url: String,
        accepted: Arc<AtomicUsize>,
        last_head: Arc<Mutex<String>>,
    }

    pub(crate) async fn server(
        per_connection: usize,
        answer: Vec<u8>,
        close_after: Duration,
    ) -> Server {
        let answer = Arc::new(answer);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let last_head = Arc::new(Mutex::new(String::new()));
        let (counter, heads) = (Arc::clone(&accepted), Arc::clone(&last_head));
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                counter.fetch_add(1, Ordering::SeqCst);
                let (answer, heads) = (Arc::clone(&answer), Arc::clone(&heads));
                tokio::spawn(async move {
                    let mut buffer = vec![0u8; 4096];
                    for _ in 0..per_connection {
                        let mut read = 0;
                        // Headers, then the two-byte body each test sends.
                        let end = loop {
                            if let Some(end) =
                                buffer[..read].windows(6).position(|w| w == b"\r\n\r\n{}")
                            {
                                break end;
                            }
                            match socket.read(&mut buffer[read..]).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => read += n,
                            }
                        };
                        *heads.lock().unwrap() = String::from_utf8_lossy(&buffer[..end]).into();
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
                            answer.len()
                        );
                        if socket.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        for piece in answer.chunks(64 * 1024) {
                            if socket.write_all(piece).await.is_err() {
                                return;
                            }
                            tokio::task::yield_now().await;
                        }
                    }
                    tokio::time::sleep(close_after).await;
                });
            }
        });
        Server {
            url,
            accepted,
            last_head,
        }
    }

    impl Server {
        pub(crate) fn accepted(&self) -> usize {
            self.accepted.load(Ordering::SeqCst)
        }
    }

    async fn ok_server() -> Server {
        server(usize::MAX, b"ok".to_vec(), Duration::ZERO).await
    }

    pub(crate) fn pool_for(server: &Server) -> Arc<Http1Pool> {
        Arc::new(Http1Pool::for_url(&server.url, Duration::from_secs(1)).unwrap())
    }

    /// Sends `{}` to `url` through the pool alone, reads the whole answer and gives the
    /// connection back.
    async fn ask(pool: &Arc<Http1Pool>, url: &str) -> Result<Bytes, SendError> {
        let json = HeaderValue::from_static("application/json");
        let (response, lent) = pool
            .send(url, json, |_| Ok(()), Bytes::from_static(b"{}").into())
            .await?;
        let body = response.into_body().collect().await.unwrap().to_bytes();
        lent.give_back();
        Ok(body)
    }

    #[tokio::test]
    async fn one_connection_serves_requests_one_after_another() {
        let server = ok_server().await;
        let pool = pool_for(&server);
        let url = format!("{}/chat/completions", server.url);
        for _ in 0..20 {
            assert_eq!(ask(&pool, &url).await.unwrap(), "ok");
        }
        assert_eq!(server.accepted(), 1);
        assert_eq!(pool.idle_count(), 1);
        // Origin-form, with the server's host and port.
        let head = server.last_head.lock().unwrap().to_ascii_lowercase();
        assert!(
            head.starts_with("post /v1/chat/completions http/1.1\r\n"),
            "{head}"
        );
        let port = server
            .url
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches("/v1");
        assert!(
            head.contains(&format!("\r\nhost: 127.0.0.1:{port}\r\n")),
            "{head}"
        );
    }

    #[tokio::test]
    async fn a_body_in_two_pieces_goes_as_one_with_its_whole_length() {
        let server = ok_server().await;
        let pool = pool_for(&server);
        let url = format!("{}/chat/completions", server.url);
        for body in [
            UpstreamBody::spliced(Bytes::from_static(b"{"), Bytes::from_static(b"}")),
            UpstreamBody::spliced(Bytes::new(), Bytes::from_static(b"{}")),
        ] {
            let json = HeaderValue::from_static("application/json");
            let (response, lent) = pool.send(&url, json, |_| Ok(()), body).await.unwrap();
            let answer = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(answer, "ok");
            lent.give_back();
            // The server read the head and then exactly `{}`.
            let head = server.last_head.lock().unwrap().to_ascii_lowercase();
            assert!(head.contains("\r\ncontent-length: 2"), "{head}");
        }
        assert_eq!(server.accepted(), 1);
    }

    #[tokio::test]
    async fn the_request_target_always_starts_with_a_slash() {
        let server = ok_server().await;
        let pool = pool_for(&server);
        let origin = server.url.trim_end_matches("/v1");
        for (url, line) in [
            (origin.to_owned(), "post / http/1.1\r\n"),
            (format!("{origin}?v=1/chat"), "post /?v=1/chat http/1.1\r\n"),
            // A fragment is not sent, as when the whole URL is parsed.
            (format!("{origin}/v1#x/chat"), "post /v1 http/1.1\r\n"),
        ] {
            assert_eq!(ask(&pool, &url).await.unwrap(), "ok");
            let head = server.last_head.lock().unwrap().to_ascii_lowercase();
            assert!(head.starts_with(line), "{url}: {head}");
        }
    }

    #[tokio::test]
    async fn a_url_on_another_server_is_refused() {
        let server = ok_server().await;
        let pool = pool_for(&server);
        let json = HeaderValue::from_static("application/json");
        let sent = pool
            .send(
                "http://elsewhere/v1",
                json,
                |_| Ok(()),
                UpstreamBody::default(),
            )
            .await;
        assert!(matches!(sent, Err(SendError::Broken)));
        assert_eq!(server.accepted(), 0);
    }

    #[tokio::test]
    async fn a_connection_the_server_closed_while_idle_is_passed_over() {
        // Each connection answers once and is closed 50 ms later, as a server whose idle
        // timeout has passed closes it.
        let server = server(1, b"ok".to_vec(), Duration::from_millis(50)).await;
        let pool = pool_for(&server);
        for round in 1..=3 {
            assert_eq!(ask(&pool, &server.url).await.unwrap(), "ok");
            assert_eq!(pool.idle_count(), 1, "kept while the server keeps it");
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert_eq!(server.accepted(), round);
        }
    }

    #[tokio::test]
    async fn connections_idle_too_long_are_closed() {
        let server = ok_server().await;
        let pool = pool_for(&server);
        ask(&pool, &server.url).await.unwrap();
        pool.close_idle();
        assert_eq!(pool.idle_count(), 1, "a connection just used stays");
        if let Ok(mut idle) = pool.idle.lock() {
            let long_ago = Instant::now().checked_sub(IDLE_TIMEOUT).unwrap();
            idle.iter_mut().for_each(|kept| kept.since = long_ago);
        }
        pool.close_idle();
        assert_eq!(pool.idle_count(), 0);
        // The next request opens a new connection.
        ask(&pool, &server.url).await.unwrap();
        assert_eq!(server.accepted(), 2);
    }

    #[tokio::test]
    async fn a_closed_port_is_a_connect_error() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1", closed.local_addr().unwrap());
        drop(closed);
        let pool = Arc::new(Http1Pool::for_url(&url, Duration::from_secs(1)).unwrap());
        assert_eq!(ask(&pool, &url).await, Err(SendError::Connect));
    }
}
