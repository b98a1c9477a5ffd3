//! The landing page: who this portal is, from the branding.

use yew::prelude::*;

use crate::hooks::{BrandingState, use_branding};

/// The landing page.
#[component]
pub fn Home() -> Html {
    let body = match use_branding() {
        BrandingState::Loading => html! {
            <p class="pf-v6-c-content--p" aria-busy="true">{ "Loading…" }</p>
        },
        BrandingState::Failed(error) => html! {
            <div class="pf-v6-c-alert pf-m-danger" role="alert">
                <p class="pf-v6-c-alert__title">{ error.to_string() }</p>
            </div>
        },
        BrandingState::Ready(data) => html! {
            <>
                <h1 class="pf-v6-c-title pf-m-2xl" id="branding-title">{ data.branding.title }</h1>
                <p class="pf-v6-c-content--p" id="branding-subtitle">{ data.branding.subtitle }</p>
                <p class="pf-v6-c-content--small" id="server-version">
                    { format!("Switchyard {}", data.version) }
                </p>
            </>
        },
    };
    html! {
        <section class="pf-v6-c-page__main-section">
            <div class="pf-v6-c-content">{ body }</div>
        </section>
    }
}
