//! How many subscriptions wait for an administrator's decision: the nav's badge on the queue
//! and the overview's queue card read it the same way.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::app::Route;

/// How often the count is asked again, while an administrator has a page open.
const PENDING_REFRESH_MS: u32 = 10_000;

/// The number of subscriptions waiting for a decision, for administrators (`None` for
/// everyone else, and until the first answer); asked again every [`PENDING_REFRESH_MS`] and
/// on every change of page.
#[hook]
pub fn use_pending_count(admin: bool) -> Option<i64> {
    let count = use_state(|| None::<i64>);
    let route = use_route::<Route>();
    {
        let count = count.clone();
        use_effect_with((admin, route), move |(admin, _)| {
            let timer = admin.then(|| {
                let ask = move || {
                    let count = count.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Ok(data) =
                            api::run::<api::PendingCount>(api::pending_count::Variables).await
                        {
                            count.set(Some(data.subscription_queue.total_count));
                        }
                    });
                };
                ask();
                gloo_timers::callback::Interval::new(PENDING_REFRESH_MS, ask)
            });
            move || drop(timer)
        });
    }
    *count
}
