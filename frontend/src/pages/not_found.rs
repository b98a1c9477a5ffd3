//! The page for routes the portal does not know.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;

/// Shown for unknown client-side routes.
#[component]
pub fn NotFound() -> Html {
    html! {
        <section class="pf-v6-c-page__main-section">
            <div class="pf-v6-c-content">
                <h1 class="pf-v6-c-title pf-m-xl" id="not-found">{ "Page not found" }</h1>
                <p>
                    { "There is nothing at this address. " }
                    <Link<Route> to={Route::Home}>{ "Go to the start page" }</Link<Route>>
                </p>
            </div>
        </section>
    }
}
