//! The page frame: PatternFly masthead with the portal's title and the account area, and
//! the main area.

use yew::prelude::*;

use crate::components::account::Account;
use crate::hooks::{BrandingState, use_branding};

/// Properties of [`Layout`].
#[derive(Properties, PartialEq)]
pub struct LayoutProps {
    /// The page shown in the main area.
    pub children: Html,
}

/// The frame around every page.
#[component]
pub fn Layout(props: &LayoutProps) -> Html {
    let branding = use_branding();
    let title = match &branding {
        BrandingState::Ready(data) => data.branding.title.clone(),
        BrandingState::Loading | BrandingState::Failed(_) => String::new(),
    };
    use_effect_with(title.clone(), |title| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&crate::pages::document_title(title));
        }
    });
    html! {
        <div class="pf-v6-c-page">
            <header class="pf-v6-c-masthead">
                <div class="pf-v6-c-masthead__main">
                    <span class="pf-v6-c-masthead__brand">
                        <strong class="sy-brand" id="masthead-title">{ title }</strong>
                    </span>
                </div>
                <div class="pf-v6-c-masthead__content">
                    <Account />
                </div>
            </header>
            <main class="pf-v6-c-page__main" tabindex="-1">
                { props.children.clone() }
            </main>
        </div>
    }
}
