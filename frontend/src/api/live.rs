//! Live feeds: GraphQL subscriptions over `/graphql/ws` (the `graphql-transport-ws`
//! protocol, spoken by `graphql-ws-client`). The browser sends the session cookie with the
//! upgrade, which is how the server knows who is listening. A dropped connection is opened
//! again after a growing pause, and the subscription sent again, until the feed is dropped.

use std::cell::Cell;
use std::rc::Rc;

use futures::StreamExt;
use graphql_client::GraphQLQuery;
use graphql_ws_client::graphql::StreamingOperation;
use yew::Callback;

/// The longest pause between two attempts to reconnect, in milliseconds.
const MAX_BACKOFF_MS: u32 = 30_000;

/// The pause before reconnect attempt `attempt` (0 for the first): 0.5 s doubling to 30 s.
pub fn backoff_ms(attempt: u32) -> u32 {
    500u32
        .saturating_mul(1u32 << attempt.min(16))
        .min(MAX_BACKOFF_MS)
}

/// `ws://` or `wss://` URL of the feed endpoint for a page served from `origin`.
pub fn feed_url(origin: &str) -> String {
    let rest = origin
        .strip_prefix("https://")
        .map(|host| format!("wss://{host}"))
        .or_else(|| {
            origin
                .strip_prefix("http://")
                .map(|host| format!("ws://{host}"))
        })
        .unwrap_or_else(|| origin.to_owned());
    format!("{rest}/graphql/ws")
}

/// A running feed; dropping the last clone stops it (and closes its connection).
#[derive(Clone)]
pub struct Feed {
    _guard: Rc<StopOnDrop>,
}

struct StopOnDrop(Rc<Cell<bool>>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

/// Where a feed stands, for an indicator on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedState {
    /// Opening the connection.
    Connecting,
    /// Subscribed: events arrive as they happen.
    Live,
    /// Lost; waiting before the next attempt.
    Reconnecting,
}

/// Starts subscription `Q` with `variables`; `on_event` gets each event's data and
/// `on_state` each change of the connection's state.
pub fn subscribe<Q>(
    variables: Q::Variables,
    on_event: Callback<Q::ResponseData>,
    on_state: Callback<FeedState>,
) -> Feed
where
    Q: GraphQLQuery + Send + Unpin + 'static,
    Q::Variables: Clone + Send + Unpin + 'static,
    Q::ResponseData: 'static,
{
    let stopped = Rc::new(Cell::new(false));
    let feed = Feed {
        _guard: Rc::new(StopOnDrop(stopped.clone())),
    };
    wasm_bindgen_futures::spawn_local(async move {
        let mut attempt = 0;
        while !stopped.get() {
            on_state.emit(FeedState::Connecting);
            if run_once::<Q>(variables.clone(), &on_event, &on_state, &stopped).await {
                attempt = 0;
            }
            if stopped.get() {
                break;
            }
            on_state.emit(FeedState::Reconnecting);
            gloo_timers::future::TimeoutFuture::new(backoff_ms(attempt)).await;
            attempt = attempt.saturating_add(1);
        }
    });
    feed
}

/// One connection's life; true when it got as far as being subscribed.
async fn run_once<Q>(
    variables: Q::Variables,
    on_event: &Callback<Q::ResponseData>,
    on_state: &Callback<FeedState>,
    stopped: &Rc<Cell<bool>>,
) -> bool
where
    Q: GraphQLQuery + Send + Unpin + 'static,
    Q::Variables: Send + Unpin + 'static,
{
    let Some(origin) = web_sys::window().and_then(|w| w.location().origin().ok()) else {
        return false;
    };
    let Ok(socket) =
        ws_stream_wasm::WsMeta::connect(feed_url(&origin), Some(vec!["graphql-transport-ws"]))
            .await
    else {
        return false;
    };
    let connection = graphql_ws_client::ws_stream_wasm::Connection::new(socket).await;
    let Ok(mut stream) = graphql_ws_client::Client::build(connection)
        .subscribe(StreamingOperation::<Q>::new(variables))
        .await
    else {
        return false;
    };
    on_state.emit(FeedState::Live);
    while let Some(item) = stream.next().await {
        if stopped.get() {
            break;
        }
        match item {
            Ok(response) => {
                if let Some(data) = response.data {
                    on_event.emit(data);
                }
            }
            Err(_) => break,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_half_a_second_and_stops_growing_at_thirty() {
        let pauses: Vec<u32> = (0..9).map(backoff_ms).collect();
        assert_eq!(
            pauses,
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
        assert_eq!(backoff_ms(u32::MAX), MAX_BACKOFF_MS);
    }

    #[test]
    fn the_feed_url_follows_the_page_scheme() {
        assert_eq!(
            feed_url("https://ai.example.com"),
            "wss://ai.example.com/graphql/ws"
        );
        assert_eq!(
            feed_url("http://127.0.0.1:4000"),
            "ws://127.0.0.1:4000/graphql/ws"
        );
    }
}
