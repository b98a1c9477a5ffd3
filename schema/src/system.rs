//! Facts about the running server, and a heartbeat feed that proves the WebSocket transport.

use std::time::Duration;

use async_graphql::{Context, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures::Stream;
use futures::StreamExt;
use tokio_stream::wrappers::IntervalStream;

/// The server version, attached to the schema as data.
pub struct ServerVersion(pub &'static str);

/// Query fields about the server itself.
#[derive(Default)]
pub struct SystemQuery;

#[Object]
impl SystemQuery {
    /// The Switchyard version serving this request.
    async fn version(&self, ctx: &Context<'_>) -> &'static str {
        ctx.data_opt::<ServerVersion>().map_or("unknown", |v| v.0)
    }
}

/// One tick of the heartbeat feed.
#[derive(SimpleObject, Clone, Debug)]
pub struct Heartbeat {
    /// 1 for the first tick, then counting up.
    pub sequence: i32,
    /// When the server sent this tick.
    pub at: DateTime<Utc>,
}

/// Live feeds about the server itself.
#[derive(Default)]
pub struct SystemSubscription;

#[Subscription]
impl SystemSubscription {
    /// A tick every `intervalMs` milliseconds (100 to 60000), starting at once.
    async fn heartbeat(
        &self,
        #[graphql(default = 1000, validator(minimum = 100, maximum = 60000))] interval_ms: i32,
    ) -> impl Stream<Item = Heartbeat> {
        let period = Duration::from_millis(u64::try_from(interval_ms).unwrap_or(1000));
        IntervalStream::new(tokio::time::interval(period))
            .enumerate()
            .map(|(n, _)| Heartbeat {
                sequence: i32::try_from(n + 1).unwrap_or(i32::MAX),
                at: Utc::now(),
            })
    }
}
