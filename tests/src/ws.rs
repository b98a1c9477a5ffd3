//! GraphQL over WebSocket (`graphql-transport-ws`) for tests: connect with upgrade headers
//! (a session cookie, an origin), initialise with a payload, subscribe, read what arrives.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderName;

use crate::TestApp;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// An initialised GraphQL WebSocket connection.
pub struct GraphqlSocket {
    socket: Socket,
}

impl GraphqlSocket {
    /// Connects to `app`'s `/graphql/ws` with `headers` and `connection_init` `payload`;
    /// panics unless the server acknowledges.
    pub async fn connect(app: &TestApp, headers: &[(&str, String)], payload: Value) -> Self {
        let mut this = Self::open(app, headers).await;
        this.send(json!({"type": "connection_init", "payload": payload}))
            .await;
        let ack = this
            .next(Duration::from_secs(10))
            .await
            .expect("connection_ack");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        this
    }

    /// Opens the socket and sends nothing on it (not even `connection_init`).
    pub async fn open(app: &TestApp, headers: &[(&str, String)]) -> Self {
        Self::try_open(app, headers)
            .await
            .unwrap_or_else(|status| panic!("websocket refused with {status}"))
    }

    /// Opens the socket, or says with which HTTP status the upgrade was refused.
    pub async fn try_open(app: &TestApp, headers: &[(&str, String)]) -> Result<Self, u16> {
        let mut request = app.ws_url("/graphql/ws").into_client_request().unwrap();
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
            request.headers_mut().insert(name, value.parse().unwrap());
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => Ok(Self { socket }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(error) => panic!("websocket: {error}"),
        }
    }

    /// Whether the server closes the socket within `wait` (messages before that are skipped).
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.socket.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Sends one protocol message.
    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("send on the websocket");
    }

    /// Starts operation `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({"id": id, "type": "subscribe",
                         "payload": {"query": query, "variables": variables}}))
            .await;
    }

    /// The next JSON message within `wait`, or `None`.
    pub async fn next(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(wait, self.socket.next())
                .await
                .ok()??
                .ok()?;
            match message {
                Message::Text(text) => return serde_json::from_str(&text).ok(),
                Message::Close(_) => return None,
                _ => {}
            }
        }
    }

    /// The next `next` payload's data for operation `id` within `wait`, or `None`; errors
    /// (an `error` message, or a `next` carrying `errors`) are returned as `Err` with them.
    pub async fn next_data(&mut self, id: &str, wait: Duration) -> Option<Result<Value, Value>> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let message = self.next(left).await?;
            if message["id"] != id {
                continue;
            }
            match message["type"].as_str() {
                Some("next") if !message["payload"]["errors"].is_null() => {
                    return Some(Err(message["payload"]["errors"].clone()));
                }
                Some("next") => return Some(Ok(message["payload"]["data"].clone())),
                Some("error") => return Some(Err(message["payload"].clone())),
                _ => {}
            }
        }
    }
}
