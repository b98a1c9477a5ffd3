//! GraphQL over HTTP and over WebSocket (`graphql-transport-ws`), on PostgreSQL and on the
//! embedded SQLite default.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use harness::TestApp;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[tokio::test]
async fn version_and_branding_come_from_the_server_and_its_postgres_database() {
    let app = TestApp::start().await;
    let body = app.graphql("{ version branding { title subtitle } }").await;
    assert_eq!(body["data"]["version"], env!("CARGO_PKG_VERSION"), "{body}");
    assert_eq!(body["data"]["branding"]["title"], "Switchyard");
    assert_eq!(
        body["data"]["branding"]["subtitle"],
        "One endpoint, one key, every model"
    );

    let db = app.database().await;
    db.execute_unprepared("UPDATE branding SET title = 'Acme AI Gateway' WHERE id = 1")
        .await
        .unwrap();
    let body = app.graphql("{ branding { title } }").await;
    assert_eq!(body["data"]["branding"]["title"], "Acme AI Gateway");
}

#[tokio::test]
async fn the_embedded_default_serves_branding_from_sqlite() {
    let app = TestApp::builder().sqlite().start().await;
    let body = app.graphql("{ branding { title } }").await;
    assert_eq!(body["data"]["branding"]["title"], "Switchyard", "{body}");
    assert!(app.data_dir.path().join("data/switchyard.sqlite").is_file());
}

#[tokio::test]
async fn invalid_operations_get_graphql_errors_not_crashes() {
    let app = TestApp::builder().sqlite().start().await;
    let body = app.graphql("{ nope }").await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nope"), "{body}");

    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn get_serves_graphiql_wired_to_local_assets() {
    let app = TestApp::builder().sqlite().start().await;
    let response = app.get("/graphql").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("/graphiql/graphiql.min.js"), "{html}");
    assert!(
        !html.contains("unpkg.com") && !html.contains("cdn."),
        "no CDN: {html}"
    );
}

async fn next_json<S>(socket: &mut S) -> Value
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket stays open")
            .expect("a valid frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

#[tokio::test]
async fn the_heartbeat_subscription_streams_over_graphql_transport_ws() {
    let app = TestApp::start().await;
    let mut request = app.ws_url("/graphql/ws").into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );

    socket
        .send(Message::text(
            json!({"type": "connection_init", "payload": {}}).to_string(),
        ))
        .await
        .unwrap();
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");

    let subscribe = json!({
        "id": "beat", "type": "subscribe",
        "payload": {"query": "subscription { heartbeat(intervalMs: 100) { sequence at } }"}
    });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    for expected in 1..=3 {
        let message = next_json(&mut socket).await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["id"], "beat");
        assert_eq!(
            message["payload"]["data"]["heartbeat"]["sequence"],
            expected
        );
        assert!(message["payload"]["data"]["heartbeat"]["at"].is_string());
    }
    socket
        .send(Message::text(
            json!({"id": "beat", "type": "complete"}).to_string(),
        ))
        .await
        .unwrap();

    // Bad arguments are answered with an error message, and the connection stays usable.
    let bad = json!({
        "id": "bad", "type": "subscribe",
        "payload": {"query": "subscription { heartbeat(intervalMs: 1) { sequence } }"}
    });
    socket.send(Message::text(bad.to_string())).await.unwrap();
    let message = loop {
        let message = next_json(&mut socket).await;
        if message["id"] == "bad" {
            break message;
        }
    };
    // async-graphql reports argument errors as a result with `errors` (then `complete`).
    let error = message["payload"]["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(error.contains("greater than or equal to 100"), "{message}");
}
