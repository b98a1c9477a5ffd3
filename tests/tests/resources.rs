//! The resource suite: what anonymous clients can hold on the listener is bounded in time and
//! number, and the service keeps answering while they try. Slow request heads and WebSockets
//! that never initialise are closed after their deadlines; connections over the cap are
//! closed on arrival; a socket starting too many operations is closed.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use futures::StreamExt;
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

/// A health probe and a keyed chat request both answer 200, each on a new connection, as a
/// kubelet probes. (A connection kept from an earlier call is closed by the server once idle
/// for `header_read_timeout_seconds`; a request written to it just then is reset, which is
/// the keep-alive race every HTTP client meets, not the service failing to answer.)
async fn still_serving(app: &TestApp, key: &str) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let probe = client
        .get(app.url("/health/liveness"))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status(), 200);
    let body = json!({"model": "granite", "messages": [{"role": "user", "content": "hi"}]});
    let chat = client
        .post(app.url(CHAT))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(chat.status(), 200);
}

#[tokio::test]
async fn slow_heads_and_silent_sockets_are_closed_while_the_service_keeps_answering() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = TestApp::builder()
        .config_toml(&config(
            "[http]\nheader_read_timeout_seconds = 2\nwebsocket_init_timeout_seconds = 2\n\
             websockets_per_client = 1000\n",
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
    let text = app.metrics_text().await;
    assert!(
        metric(&text, "switchyard_connections_refused_total") >= 1.0,
        "{text}"
    );
}

/// Presents `count` made-up keys (`sk-` and 32 random hex digits), 32 at a time; every one
/// must be refused as unknown.
async fn present_made_up_keys(app: &TestApp, count: usize) {
    let url = app.url("/v1/models");
    let requests = futures::stream::iter(0..count).map(|_| {
        let (client, url) = (app.client.clone(), url.clone());
        async move {
            let key = format!("sk-{:032x}", rand::random::<u128>());
            client
                .get(url)
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses: Vec<_> = requests.buffer_unordered(32).collect().await;
    assert!(
        statuses.iter().all(|s| *s == 401),
        "every made-up key is refused"
    );
}

/// Made-up keys used to stay in the key cache for ever: 1,000,000 took the server from 83 to
/// 229 MiB, the next million to 389 MiB. The cache is bounded now: past its bound it holds no
/// more entries and memory stays flat however many more keys arrive. (Here the bound is 2,000
/// entries so the test runs in seconds; the ignored soak below presents a million against
/// the default bound.)
#[tokio::test]
async fn made_up_keys_leave_memory_flat_once_the_key_cache_is_full() {
    let app = TestApp::builder()
        .sqlite()
        .config_toml(
            "[gateway]\nkey_cache_entries = 2000\n[http]\nunknown_keys_per_minute = 1000000000\n",
        )
        .start()
        .await;
    present_made_up_keys(&app, 8_000).await;
    let filled = app.peak_rss_kib();
    present_made_up_keys(&app, 24_000).await;
    let after = app.peak_rss_kib();
    let text = app.metrics_text().await;
    let entries = metric(&text, "switchyard_key_cache_entries");
    assert!(
        (1_000.0..=2_000.0).contains(&entries),
        "32,000 made-up keys, {entries} cached"
    );
    assert!(
        metric(&text, "switchyard_key_cache_misses_total") >= 32_000.0,
        "every made-up key was looked up"
    );
    assert!(
        after < filled + 4 * 1024,
        "peak memory grew from {filled} KiB to {after} KiB past the cache's bound"
    );
}

/// A soak, not a test (ignored by default): a million made-up keys against the default cache
/// bound (100,000 entries), from a client allowed to present them all (as many clients
/// together would be), memory printed after each 100,000. Run with
/// `cargo nextest run -p switchyard-tests --test resources --run-ignored only --no-capture`.
#[tokio::test]
#[ignore = "a soak: run on demand, see BENCHMARKS.md"]
async fn a_million_made_up_keys_against_the_default_cache_bound() {
    let app = TestApp::builder()
        .sqlite()
        .config_toml("[http]\nunknown_keys_per_minute = 1000000000\n")
        .start()
        .await;
    let mut peaks = vec![app.peak_rss_kib()];
    for step in 1..=10 {
        present_made_up_keys(&app, 100_000).await;
        peaks.push(app.peak_rss_kib());
        eprintln!(
            "{} made-up keys: peak RSS {} KiB",
            step * 100_000,
            peaks[step]
        );
    }
    // Past the bound (100,000 entries, reached in the first step), flat within allocator slack.
    assert!(
        peaks[10] < peaks[2] + 16 * 1024,
        "peak memory kept growing: {peaks:?}"
    );
}

/// With `metrics.listen`, Prometheus and the probes have a listener of their own: it answers
/// while the main one is at its connection cap, serves `/metrics` without a credential, and
/// the main listener no longer serves it.
#[tokio::test]
async fn probes_and_scrapes_answer_on_the_metrics_listener_while_the_main_one_is_full() {
    let port = harness::free_port();
    let app = TestApp::builder()
        .sqlite()
        .config_toml(&format!(
            "[http]\nmax_connections = 30\nheader_read_timeout_seconds = 30\n\
             [metrics]\nlisten = \"127.0.0.1:{port}\"\n"
        ))
        .start()
        .await;
    let side = format!("http://127.0.0.1:{port}");
    let held = futures::future::join_all((0..30).map(|_| slow_head(&app))).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        closed_within(slow_head(&app).await, Duration::from_secs(5)).await,
        "the main listener is full"
    );
    for path in ["/health/liveness", "/health/readiness", "/metrics"] {
        let response = app
            .client
            .get(format!("{side}{path}"))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path} on the metrics listener");
    }
    let text = app
        .client
        .get(format!("{side}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metric(&text, "switchyard_connections_refused_total") >= 1.0,
        "{text}"
    );
    drop(held);
    let mut main = None;
    for _ in 0..50 {
        let answer = app
            .client
            .get(app.url("/metrics"))
            .bearer_auth(harness::MASTER_KEY)
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        if let Ok(answer) = answer {
            main = Some(answer.status().as_u16());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        main,
        Some(404),
        "the main listener leaves /metrics to the metrics listener"
    );
}

#[tokio::test]
async fn one_client_holds_at_most_so_many_websockets() {
    let app = TestApp::builder()
        .sqlite()
        .config_toml("[http]\nwebsockets_per_client = 3\nclient_ip_header = \"x-forwarded-for\"\n")
        .start()
        .await;
    let from = |address: &str| [("x-forwarded-for", address.to_owned())];
    let greedy = from("198.51.100.7");
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(GraphqlSocket::connect(&app, &greedy, json!({})).await);
    }
    assert_eq!(
        GraphqlSocket::try_open(&app, &greedy).await.err(),
        Some(429),
        "a fourth at once is refused"
    );
    let mut other = GraphqlSocket::connect(&app, &from("203.0.113.5"), json!({})).await;
    other
        .subscribe(
            "h",
            "subscription { heartbeat(intervalMs: 100) { sequence } }",
            json!({}),
        )
        .await;
    assert!(
        other
            .next_data("h", Duration::from_secs(5))
            .await
            .is_some_and(|data| data.is_ok()),
        "another client is not affected"
    );
    // Closing one makes room again.
    drop(held.pop());
    let mut reopened = false;
    for _ in 0..50 {
        if let Ok(socket) = GraphqlSocket::try_open(&app, &greedy).await {
            held.push(socket);
            reopened = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened, "a closed socket frees its place");
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
