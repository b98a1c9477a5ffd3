//! Background work that repeats on an interval (health checks, catalog and key version polls).

use std::future::Future;
use std::time::Duration;

/// Runs `task` every `every`, starting at once; a zero interval turns it off. A late tick is
/// delayed rather than bunched, so a slow task never runs back to back.
pub fn spawn_every<F, Fut>(every: Duration, mut task: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    if every.is_zero() {
        return;
    }
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            task().await;
        }
    });
}
