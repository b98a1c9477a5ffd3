//! The one context for who is signed in, how to sign in, the branding and the banners:
//! loaded once per page load by [`PortalProvider`], refreshed after sign-in, sign-out and
//! anything that changes roles, and when the language changes (banners come in it).

use std::rc::Rc;

use yew::prelude::*;

use crate::api::{ApiError, Portal as PortalQuery, portal};
use crate::hooks::use_query;
use crate::i18n::use_i18n;

/// What every page may read about the portal and the caller.
#[derive(Clone, PartialEq)]
pub struct Portal {
    /// The answer, once loaded.
    pub data: Option<Rc<portal::ResponseData>>,
    /// Why it could not be loaded.
    pub error: Option<ApiError>,
    /// Loads it again (after a change of session or roles).
    pub refresh: Callback<()>,
}

impl Portal {
    /// The signed-in caller, if any.
    pub fn me(&self) -> Option<&portal::PortalMe> {
        self.data.as_ref().and_then(|d| d.me.as_ref())
    }

    /// Whether the answer has arrived (signed in or not).
    pub fn loaded(&self) -> bool {
        self.data.is_some()
    }

    /// Whether the caller may read the platform's administration.
    pub fn is_admin(&self) -> bool {
        self.me().is_some_and(|me| {
            me.roles
                .iter()
                .any(|r| matches!(r, portal::Role::ADMIN | portal::Role::ADMIN_READONLY))
        })
    }

    /// Whether the caller may change the platform (`admin`), not only look at it
    /// (`admin-readonly`).
    pub fn can_administer(&self) -> bool {
        self.me()
            .is_some_and(|me| me.roles.iter().any(|r| matches!(r, portal::Role::ADMIN)))
    }

    /// The currency prices and spend are in.
    pub fn currency(&self) -> String {
        self.data
            .as_ref()
            .map_or_else(|| "USD".to_owned(), |d| d.currency.clone())
    }

    /// The portal's title.
    pub fn title(&self) -> String {
        self.data
            .as_ref()
            .map(|d| d.branding.title.clone())
            .unwrap_or_default()
    }
}

/// Properties of [`PortalProvider`].
#[derive(Properties, PartialEq)]
pub struct PortalProviderProps {
    pub children: Html,
}

/// Loads [`Portal`] once, and again in a newly chosen language, and provides it.
#[component]
pub fn PortalProvider(props: &PortalProviderProps) -> Html {
    let language = use_i18n().language();
    let query = use_query::<PortalQuery>(portal::Variables {
        language: Some(language.to_owned()),
    });
    let portal = Portal {
        data: query.data.clone(),
        error: query.error.clone(),
        refresh: query.reload.clone(),
    };
    html! {
        <ContextProvider<Portal> context={portal}>{ props.children.clone() }</ContextProvider<Portal>>
    }
}

/// The portal context.
#[hook]
pub fn use_portal() -> Portal {
    use_context::<Portal>().unwrap_or_else(|| Portal {
        data: None,
        error: None,
        refresh: Callback::noop(),
    })
}

/// Sends the browser to `url` with a full page load (after sign-in and sign-out, so every
/// component starts from the new session).
pub fn go_to(url: &str) {
    if let Some(window) = web_sys::window() {
        // A failed navigation leaves the page as it is; there is nothing better to do.
        let _ = window.location().assign(url);
    }
}
