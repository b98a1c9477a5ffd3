//! The resource suite: what anonymous clients can hold on the listener is bounded in time and
//! number, and the service keeps answering while they try. Slow request heads and WebSockets
//! that never initialise are closed after their deadlines; connections over the cap are
//! closed on arrival; a socket starting too many operations is closed.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use harness::gateway::{ModelSpec, config, metric};
use harness::{GraphqlSocket, MockUpstream, TestApp};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CHAT: &str = "/v1/chat/completions";

/// A connection that sent half a request head and nothing more.
async fn slow_head(app: &TestApp) -> TcpStream {
    let address = app.base.trim_start_matches("http://");
    let mut tcp = TcpStream::connect(address).await.unwrap();
    tcp.write_all(b"GET /health/liveness HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    tcp
}

/// Whether the server closes `tcp` within `wait`.
async fn closed_within(mut tcp: TcpStream, wait: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, tcp.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // A 408 or similar before the close is fine; keep reading to the end.
            Ok(Ok(_)) => {}
        }
    }
}

/// A health probe and a keyed chat request both answer 200.
async fn still_serving(app: &TestApp, key: &str) {
    let probe = app
        .client
        .get(app.url("/health/liveness"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status(), 200);
    let body = json!({"model": "granite", "messages": [{"role": "user", "content": "hi"}]});
    assert_eq!(app.post_with_key(CHAT, &body, key).await.status(), 200);
}

#[tokio::test]
async fn slow_heads_and_silent_sockets_are_closed_while_the_service_keeps_answering() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = TestApp::builder()
        .config_toml(&config(
            "[http]\nheader_read_timeout_seconds = 2\nwebsocket_init_timeout_seconds = 2\n",
            &[ModelSpec::new("granite", "granite", &[&mock])],
        ))
        .start()
        .await;
    let generated: Value = app
        .post_as_master(
            "/key/generate",
            &json!({"models": ["granite"], "rpm_limit": 1000, "max_budget": 10}),
        )
        .await
        .json()
        .await
        .unwrap();
    let key = generated["key"].as_str().unwrap().to_owned();
    still_serving(&app, &key).await;
    let before = app.open_descriptors();

    let mut heads = Vec::new();
    for _ in 0..20 {
        heads.extend(futures::future::join_all((0..100).map(|_| slow_head(&app))).await);
    }
    let mut sockets = Vec::new();
    for _ in 0..10 {
        sockets.extend(
            futures::future::join_all((0..100).map(|_| GraphqlSocket::open(&app, &[]))).await,
        );
    }
    assert_eq!((heads.len(), sockets.len()), (2_000, 1_000));
    for _ in 0..5 {
        still_serving(&app, &key).await;
    }

    // Every one of them is closed by the server, none held past its deadline (plus slack).
    let heads = futures::future::join_all(
        heads
            .into_iter()
            .map(|tcp| closed_within(tcp, Duration::from_secs(20))),
    )
    .await;
    assert!(
        heads.iter().all(|closed| *closed),
        "a slow head stayed open"
    );
    let sockets = futures::future::join_all(
        sockets
            .iter_mut()
            .map(|socket| socket.closed_within(Duration::from_secs(20))),
    )
    .await;
    assert!(
        sockets.iter().all(|closed| *closed),
        "a silent socket stayed open"
    );
    drop(sockets);
    still_serving(&app, &key).await;
    // Their descriptors are given back.
    let mut after = app.open_descriptors();
    for _ in 0..50 {
        if after <= before + 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = app.open_descriptors();
    }
    assert!(
        after <= before + 20,
        "{before} descriptors before, {after} after"
    );
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_on_arrival_and_service_returns_after() {
    let app = TestApp::builder()
        .sqlite()
        .config_toml("[http]\nmax_connections = 50\n")
        .start()
        .await;
    let held = futures::future::join_all((0..50).map(|_| slow_head(&app))).await;
    // Give the server a moment to accept them all.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let over = slow_head(&app).await;
    assert!(
        closed_within(over, Duration::from_secs(5)).await,
        "the 51st connection was held"
    );
    drop(held);
    let mut answered = false;
    for _ in 0..50 {
        let probe = app
            .client
            .get(app.url("/health/liveness"))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        if probe.is_ok_and(|p| p.status() == 200) {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answered, "no answer once the held connections closed");
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metric(&text, "switchyard_connections_refused_total") >= 1.0,
        "{text}"
    );
}

#[tokio::test]
async fn a_socket_starting_too_many_operations_is_closed() {
    let app = TestApp::builder()
        .sqlite()
        .config_toml("[http]\nwebsocket_max_operations = 5\n")
        .start()
        .await;
    let mut socket = GraphqlSocket::connect(&app, &[], json!({})).await;
    let heartbeat = "subscription { heartbeat(intervalMs: 100) { sequence } }";
    for id in 0..5 {
        socket
            .subscribe(&id.to_string(), heartbeat, json!({}))
            .await;
    }
    for id in 0..5 {
        assert!(
            socket
                .next_data(&id.to_string(), Duration::from_secs(5))
                .await
                .is_some_and(|data| data.is_ok()),
            "operation {id} runs"
        );
    }
    // Ending one makes room for another.
    socket.send(json!({"type": "complete", "id": "0"})).await;
    socket.subscribe("5", heartbeat, json!({})).await;
    assert!(
        socket
            .next_data("5", Duration::from_secs(5))
            .await
            .is_some_and(|data| data.is_ok())
    );
    socket.subscribe("6", heartbeat, json!({})).await;
    assert!(socket.closed_within(Duration::from_secs(5)).await);
    // A GraphQL WebSocket message over 256 KiB is refused too: the socket closes.
    let mut socket = GraphqlSocket::connect(&app, &[], json!({})).await;
    socket
        .send(json!({"type": "ping", "payload": "x".repeat(300 * 1024)}))
        .await;
    assert!(socket.closed_within(Duration::from_secs(5)).await);
}
