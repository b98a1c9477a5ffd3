//! The `[http]` section: what one client connection may hold on the listener, so that slow or
//! idle connections cannot take every file descriptor.

use serde::Deserialize;

/// Limits on client connections.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Seconds a client has to send a request's head, and that an idle keep-alive connection
    /// stays open waiting for the next one.
    pub header_read_timeout_seconds: u64,
    /// Most client connections held at once; more are closed as they arrive (each proxied
    /// request holds two descriptors: the client's and the model server's).
    pub max_connections: usize,
    /// Seconds a GraphQL WebSocket has to send `connection_init`.
    pub websocket_init_timeout_seconds: u64,
    /// Most operations (subscriptions) running at once on one GraphQL WebSocket.
    pub websocket_max_operations: usize,
    /// Most GraphQL WebSockets one client holds open at once (429 above it); a portal tab
    /// holds one.
    pub websockets_per_client: usize,
    /// Seconds between checks that the credential a GraphQL WebSocket was opened with still
    /// holds (not logged out or revoked, the user active, the roles unchanged); the socket is
    /// closed at the first check that fails.
    pub websocket_recheck_seconds: u64,
    /// The header in which a trusted reverse proxy names the client (`x-forwarded-for`
    /// behind an OpenShift route or an ingress; its last address counts). Unset, the peer's
    /// address is the client. Never set it when clients reach the server directly: they
    /// could then name anyone.
    pub client_ip_header: Option<String>,
    /// Single sign-ons one client may start per minute.
    pub sign_in_starts_per_minute: u32,
    /// Keys that match nothing one client may present per minute; after that its requests
    /// are refused (429) without a database lookup until the minute is over.
    pub unknown_keys_per_minute: u32,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_read_timeout_seconds: 10,
            max_connections: 8_192,
            websocket_init_timeout_seconds: 10,
            websocket_max_operations: 64,
            websocket_recheck_seconds: 5,
            websockets_per_client: 256,
            client_ip_header: None,
            sign_in_starts_per_minute: 20,
            unknown_keys_per_minute: 60,
        }
    }
}
