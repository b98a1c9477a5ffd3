//! The router shell: one `Routable` enum, every page under one layout.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::layout::Layout;
use crate::pages::{home::Home, login::Login, not_found::NotFound};

/// Every client-side route of the portal.
#[derive(Clone, Routable, PartialEq, Debug)]
pub enum Route {
    /// The landing page.
    #[at("/")]
    Home,
    /// Sign-in: single sign-on and local accounts.
    #[at("/login")]
    Login,
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Home /> },
        Route::Login => html! { <Login /> },
        Route::NotFound => html! { <NotFound /> },
    }
}

/// The application root.
#[component]
pub fn App() -> Html {
    html! {
        <BrowserRouter>
            <Layout>
                <Switch<Route> render={switch} />
            </Layout>
        </BrowserRouter>
    }
}
