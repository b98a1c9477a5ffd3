//! What one GraphQL WebSocket may hold: it must send `connection_init` within a deadline, run
//! at most so many operations at once (one socket once carried 2,000 `heartbeat`
//! subscriptions, 47,222 messages in 3 s), and lives only as long as the credential it was
//! opened with (live spend kept flowing to a socket after its user logged out). A socket over
//! any limit is closed.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures::{Sink, SinkExt, Stream, StreamExt};
use schema::identity::Caller;
use serde::Deserialize;

use crate::identity::Identity;

/// The largest message a client may send on a socket: operations are a few KiB.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// The part of a protocol frame that says what it does to which operation.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    id: Option<String>,
}

/// The operations running on one socket, as its frames start and end them (both protocols:
/// `subscribe`/`complete` of `graphql-transport-ws`, `start`/`stop` of `graphql-ws`; the
/// server's own `complete` ends one too).
#[derive(Clone, Default)]
struct Running {
    ids: Arc<Mutex<HashSet<String>>>,
}

impl Running {
    /// Follows `text`; false when it starts one operation more than `max`.
    fn follow(&self, text: &str, max: usize) -> bool {
        let Ok(frame) = serde_json::from_str::<Frame<'_>>(text) else {
            return true;
        };
        let Ok(mut ids) = self.ids.lock() else {
            return false;
        };
        match (frame.kind, frame.id) {
            ("subscribe" | "start", Some(id)) => {
                ids.insert(id);
                ids.len() <= max
            }
            ("complete" | "stop", Some(id)) => {
                ids.remove(&id);
                true
            }
            _ => true,
        }
    }
}

/// `socket` split, with its incoming frames ending (so the socket closes) once a frame starts
/// more than `max_operations` at once.
pub fn limited(
    socket: WebSocket,
    max_operations: usize,
) -> (
    impl Sink<Message> + Unpin + Send,
    impl Stream<Item = Result<Message, axum::Error>> + Send,
) {
    let running = Running::default();
    let (sink, stream) = socket.split();
    let outgoing = running.clone();
    let sink = sink.with(move |message: Message| {
        if let Message::Text(text) = &message {
            outgoing.follow(text, usize::MAX);
        }
        futures::future::ready(Ok::<_, axum::Error>(message))
    });
    let stream = stream.take_while(move |message| {
        let within = match message {
            Ok(Message::Text(text)) => running.follow(text, max_operations),
            _ => true,
        };
        if !within {
            tracing::debug!("a GraphQL WebSocket started too many operations; closed");
        }
        futures::future::ready(within)
    });
    (sink, stream)
}

/// How a socket is watched over its life.
pub struct Watch {
    /// How long the client has to send `connection_init`.
    pub init_deadline: Duration,
    /// How often the credential the socket was opened with is checked again.
    pub recheck: Duration,
}

/// Runs `served` (a socket's whole life) while it may go on: its `connection_init` must
/// arrive (`initialized` hands over the caller it was accepted as) within the deadline, and
/// that caller's credential must still hold at every re-check (a logout, a revoked session
/// or token, a deactivated user or a removed role ends the socket, whichever replica it was
/// done on).
pub async fn supervise(
    served: impl Future<Output = ()>,
    initialized: tokio::sync::oneshot::Receiver<Caller>,
    watch: Watch,
    identity: Arc<Identity>,
) {
    let watched = async {
        let caller = match tokio::time::timeout(watch.init_deadline, initialized).await {
            Ok(Ok(caller)) => caller,
            // Refused at `connection_init`: the protocol closes the socket with its reason.
            Ok(Err(_)) => return std::future::pending().await,
            Err(_) => {
                tracing::debug!("a GraphQL WebSocket sent no connection_init in time; closed");
                return;
            }
        };
        let mut every = tokio::time::interval(watch.recheck);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await;
        loop {
            every.tick().await;
            match identity.still_holds(&caller).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::debug!("a GraphQL WebSocket's credential no longer holds; closed");
                    return;
                }
                // Storage is down: the next check decides (a blip does not close every feed).
                Err(error) => tracing::warn!(%error, "cannot re-check a GraphQL WebSocket"),
            }
        }
    };
    tokio::select! {
        () = served => {}
        () = watched => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_counted_from_start_to_end_in_both_protocols() {
        let running = Running::default();
        let start = |id: u32| format!(r#"{{"type":"subscribe","id":"{id}","payload":{{}}}}"#);
        assert!(running.follow(&start(1), 2));
        assert!(running.follow(&start(2), 2));
        assert!(
            !running.follow(&start(3), 2),
            "a third at once is one too many"
        );
        assert!(running.follow(r#"{"type":"complete","id":"3"}"#, 2));
        assert!(running.follow(r#"{"id":"2","type":"stop"}"#, 2));
        assert!(running.follow(r#"{"type":"start","id":"4"}"#, 2));
        assert!(running.follow(r#"{"type":"ping"}"#, 2));
        assert!(running.follow("not json", 2));
        assert!(
            running.follow(&start(1), 2),
            "restarting a running id counts once"
        );
    }
}
