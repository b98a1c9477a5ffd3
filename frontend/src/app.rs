//! The router shell: one `Routable` enum, the providers (language, theme, portal context,
//! toasts), the layout, and the guard that sends signed-out visitors to `/login` and back.
//! No page takes a path an API serves (`/models` is OpenAI's; the catalog is `/catalog`).

use serde::{Deserialize, Serialize};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::layout::Layout;
use crate::components::states::{Failed, Loading, NotFound};
use crate::hooks::{PortalProvider, ThemeProvider, ToastProvider, use_portal};
use crate::i18n::I18nProvider;
use crate::pages::admin::{
    AdminOnly,
    audit::AdminAuditPage,
    banners::AdminBannersPage,
    branding::AdminBrandingPage,
    models::AdminModelsPage,
    overview::AdminOverviewPage,
    queue::AdminQueuePage,
    settings::AdminSettingsPage,
    users::{AdminUserPage, AdminUsersPage},
};
use crate::pages::{
    account::AccountPage, catalog::CatalogPage, home::Home, keys::KeysPage, login::Login,
    model::ModelPage, playground::PlaygroundPage, set_password::SetPasswordPage,
    subscriptions::SubscriptionsPage, usage::UsagePage,
};

/// Every client-side route of the portal.
#[derive(Clone, Routable, PartialEq, Debug)]
pub enum Route {
    /// My spend, keys and subscriptions at a glance.
    #[at("/")]
    Home,
    /// Sign-in: single sign-on and local accounts.
    #[at("/login")]
    Login,
    /// The model catalog.
    #[at("/catalog")]
    Catalog,
    /// One model (names may contain `/`).
    #[at("/catalog/*name")]
    Model { name: String },
    /// Choosing a password with a one-time link (the secret in the fragment).
    #[at("/set-password")]
    SetPassword,
    /// My subscriptions.
    #[at("/subscriptions")]
    Subscriptions,
    /// My API keys.
    #[at("/keys")]
    Keys,
    /// My usage.
    #[at("/usage")]
    Usage,
    /// Chat with my models, streamed.
    #[at("/playground")]
    Playground,
    /// My profile, sessions, tokens, language and theme.
    #[at("/account")]
    Account,
    /// Administration: the overview (platform totals, spend by model and cluster, what needs
    /// attention).
    #[at("/admin")]
    AdminOverview,
    /// Administration: the subscription queue.
    #[at("/admin/subscriptions")]
    AdminQueue,
    /// Administration: the users.
    #[at("/admin/users")]
    AdminUsers,
    /// Administration: one user.
    #[at("/admin/users/:id")]
    AdminUser { id: String },
    /// Administration: models and their deployments.
    #[at("/admin/models")]
    AdminModels,
    /// Administration: everyone's usage.
    #[at("/admin/usage")]
    AdminUsage,
    /// Administration: key policy, currency, new-user defaults.
    #[at("/admin/settings")]
    AdminSettings,
    /// Administration: banners.
    #[at("/admin/banners")]
    AdminBanners,
    /// Administration: titles, colours, texts and logos.
    #[at("/admin/branding")]
    AdminBranding,
    /// Administration: the audit log.
    #[at("/admin/audit")]
    AdminAudit,
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
}

/// `?next=` on the sign-in page: where to go after signing in.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct NextQuery {
    #[serde(default)]
    pub next: Option<String>,
}

/// `next` if it is a path on this site, else `/`: not `//evil.example`, no backslash and no
/// control character anywhere (browsers drop tabs and newlines from URLs, so `/<tab>/evil`
/// would become `//evil`): the same rules as the server's sign-in redirect.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control)
                && !path.starts_with("/login") =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Login => html! { <Login /> },
        Route::SetPassword => html! { <SetPasswordPage /> },
        Route::NotFound => html! { <NotFound /> },
        Route::Home => html! { <SignedIn><Home /></SignedIn> },
        Route::Catalog => html! { <SignedIn><CatalogPage /></SignedIn> },
        Route::Model { name } => html! { <SignedIn><ModelPage {name} /></SignedIn> },
        Route::Subscriptions => html! { <SignedIn><SubscriptionsPage /></SignedIn> },
        Route::Keys => html! { <SignedIn><KeysPage /></SignedIn> },
        Route::Usage => html! { <SignedIn><UsagePage /></SignedIn> },
        Route::Playground => html! { <SignedIn><PlaygroundPage /></SignedIn> },
        Route::Account => html! { <SignedIn><AccountPage /></SignedIn> },
        Route::AdminOverview => {
            html! { <SignedIn><AdminOnly><AdminOverviewPage /></AdminOnly></SignedIn> }
        }
        Route::AdminQueue => {
            html! { <SignedIn><AdminOnly><AdminQueuePage /></AdminOnly></SignedIn> }
        }
        Route::AdminUsers => {
            html! { <SignedIn><AdminOnly><AdminUsersPage /></AdminOnly></SignedIn> }
        }
        Route::AdminUser { id } => {
            html! { <SignedIn><AdminOnly><AdminUserPage {id} /></AdminOnly></SignedIn> }
        }
        Route::AdminModels => {
            html! { <SignedIn><AdminOnly><AdminModelsPage /></AdminOnly></SignedIn> }
        }
        Route::AdminUsage => {
            html! { <SignedIn><AdminOnly><UsagePage key="everyone" everyone=true /></AdminOnly></SignedIn> }
        }
        Route::AdminSettings => {
            html! { <SignedIn><AdminOnly><AdminSettingsPage /></AdminOnly></SignedIn> }
        }
        Route::AdminBanners => {
            html! { <SignedIn><AdminOnly><AdminBannersPage /></AdminOnly></SignedIn> }
        }
        Route::AdminBranding => {
            html! { <SignedIn><AdminOnly><AdminBrandingPage /></AdminOnly></SignedIn> }
        }
        Route::AdminAudit => {
            html! { <SignedIn><AdminOnly><AdminAuditPage /></AdminOnly></SignedIn> }
        }
    }
}

/// Properties of [`SignedIn`].
#[derive(Properties, PartialEq)]
struct SignedInProps {
    children: Html,
}

/// Shows its page to signed-in people; sends everyone else to `/login?next=<here>`.
#[component]
fn SignedIn(props: &SignedInProps) -> Html {
    let portal = use_portal();
    let navigator = use_navigator();
    let location = use_location();
    let signed_out = portal.loaded() && portal.me().is_none();
    use_effect_with(signed_out, move |signed_out| {
        if *signed_out && let (Some(navigator), Some(location)) = (navigator, location) {
            let next = format!("{}{}", location.path(), location.query_str());
            let _ = navigator.replace_with_query(&Route::Login, &NextQuery { next: Some(next) });
        }
    });
    match (&portal.data, &portal.error) {
        (Some(_), _) if !signed_out => props.children.clone(),
        (Some(_), _) => html! {},
        (None, Some(error)) => html! {
            <section class="pf-v6-c-page__main-section">
                <Failed error={error.clone()} retry={portal.refresh.clone()} />
            </section>
        },
        (None, None) => html! { <Loading /> },
    }
}

/// The application root.
#[component]
pub fn App() -> Html {
    html! {
        <I18nProvider>
            <ThemeProvider>
                <BrowserRouter>
                    <PortalProvider>
                        <ToastProvider>
                            <Layout>
                                <Switch<Route> render={switch} />
                            </Layout>
                        </ToastProvider>
                    </PortalProvider>
                </BrowserRouter>
            </ThemeProvider>
        </I18nProvider>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/keys?x=1")), "/keys?x=1");
        assert_eq!(
            safe_next(Some("/catalog/ibm/granite")),
            "/catalog/ibm/granite"
        );
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/keys\n")), "/");
        assert_eq!(safe_next(Some("/a\\b")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/login?next=/x")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn model_names_with_slashes_route_to_the_model_page() {
        assert_eq!(
            Route::recognize("/catalog/ibm/granite-3"),
            Some(Route::Model {
                name: "ibm/granite-3".into()
            })
        );
        assert_eq!(Route::recognize("/catalog"), Some(Route::Catalog));
        assert_eq!(Route::recognize("/nothing/here"), Some(Route::NotFound));
    }
}
