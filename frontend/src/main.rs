//! The Switchyard portal: a Yew single-page app built by Trunk. It speaks GraphQL only
//! (typed operations generated from `schema/schema.graphql`, subscriptions over
//! `/graphql/ws`) plus the `/auth/*` redirects.

mod api;
mod app;
mod components;
mod contrast;
mod format;
mod hooks;
mod i18n;
mod pages;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
