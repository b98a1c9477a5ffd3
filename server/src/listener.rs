//! The listener: accepts client connections and serves the router on each, within the limits
//! of `[http]`. `axum::serve` sets no timer, so a client that never finished its request head
//! held a descriptor for ever (1,000 half-sent heads stayed open past 75 s; at about 20,000
//! the server ran out of descriptors). Here every request head has a deadline (which also
//! closes idle keep-alive connections), open connections are capped (more are closed as they
//! arrive, so the process keeps descriptors for its database, Redis and model servers), each
//! request carries its peer's address, and shutdown drains open connections gracefully.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::config::HttpConfig;
use crate::metrics::Metrics;

/// How long accepting pauses after an error such as running out of descriptors, so the loop
/// does not spin while connections close.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `app` on `listener` until `stop` resolves, then waits for open connections to
/// finish (the caller bounds that wait).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &HttpConfig,
    metrics: Arc<Metrics>,
    stop: impl Future<Output = ()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(
            limits.header_read_timeout_seconds.max(1),
        ));
    builder
        .http2()
        .timer(TokioTimer::new())
        // WebSockets over HTTP/2 need the CONNECT protocol.
        .enable_connect_protocol()
        // A peer that stops answering pings is gone: its connection is closed.
        .keep_alive_interval(Duration::from_secs(30))
        .keep_alive_timeout(Duration::from_secs(20));
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            // At the cap: closed at once, so the descriptor is free again.
            metrics.connections_refused.inc();
            drop(tcp);
            continue;
        };
        // Small writes (streamed chunks) go out at once instead of waiting for an ACK.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY on a connection");
        }
        let service = app
            .clone()
            .map_request(move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request.map(Body::new)
            });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(tcp), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::trace!(%error, "a client connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The address of the client a request came from, when the listener recorded it.
pub fn peer(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| *address)
}

/// Raises this process's soft limit on open files to its hard limit, where the system allows
/// (a container's soft limit is often 1,024, far below what thousands of streams need).
pub fn raise_descriptor_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        let raised = rustix::process::Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => tracing::debug!(limit = ?limit.maximum, "raised the open-file limit"),
            Err(error) => tracing::warn!(%error, "cannot raise the open-file limit"),
        }
    }
}
