//! The page frame: PatternFly masthead (logo or title in the branding's colours, the account
//! menu), a vertical nav that shows administration only to roles that have it, the active
//! banners, budget-alert toasts from the live feed, and the footer.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, BudgetAlerts, DismissBanner, budget_alerts, live, portal};
use crate::app::Route;
use crate::components::account_menu::AccountMenu;
use crate::contrast::{self, Rgb};
use crate::format;
use crate::hooks::{Toast, use_pending_count, use_portal, use_theme, use_toasts};
use crate::i18n::use_i18n;

/// Properties of [`Layout`].
#[derive(Properties, PartialEq)]
pub struct LayoutProps {
    /// The page shown in the main area.
    pub children: Html,
}

/// Below this width the nav covers the page and starts closed.
const WIDE_PX: f64 = 1200.0;

fn wide_window() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w >= WIDE_PX)
}

/// A `#rrggbb` colour, or nothing (the server validates; this keeps CSS injection out).
fn css_colour(value: Option<&String>) -> Option<&str> {
    let value = value?;
    (value.len() == 7
        && value.starts_with('#')
        && value[1..].chars().all(|c| c.is_ascii_hexdigit()))
    .then_some(value.as_str())
}

/// The CSS variables that put the branding's colours on everything inside: the primary colour
/// as PatternFly's brand fill (primary buttons, check boxes), with whichever of PatternFly's
/// on-brand text colours reads better on it (in both themes), and the accent as the stripe
/// under the masthead. Empty for colours not set, so PatternFly's own apply.
pub fn brand_style(primary: Option<&String>, accent: Option<&String>) -> String {
    let mut style = String::new();
    if let Some(c) = css_colour(primary)
        && let Some(fill) = Rgb::parse(c)
    {
        let (text, _) = contrast::text_on(fill);
        for state in ["default", "hover", "clicked"] {
            style.push_str(&format!(
                "--pf-t--global--color--brand--{state}: {c}; --pf-t--global--text--color--on-brand--{state}: {text}; "
            ));
        }
    }
    if let Some(c) = css_colour(accent) {
        style.push_str(&format!("--sy-accent: {c};"));
    }
    style
}

/// The frame around every page.
#[component]
pub fn Layout(props: &LayoutProps) -> Html {
    let portal = use_portal();
    let i18n = use_i18n();
    let theme = use_theme();
    let nav_open = use_state(wide_window);
    let title = portal.title();
    use_effect_with(title.clone(), |title| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&crate::pages::document_title(title));
        }
    });
    let signed_in = portal.me().is_some();
    let alerts_live = use_budget_alert_toasts(signed_in);
    let branding = portal.data.as_ref().map(|d| &d.branding);
    let logo_slot = if theme.dark {
        portal::LogoSlot::HEADER_DARK
    } else {
        portal::LogoSlot::HEADER_LIGHT
    };
    let logo = branding.and_then(|b| b.logos.iter().find(|l| l.slot == logo_slot));
    let style = branding
        .map(|b| brand_style(b.primary_color.as_ref(), b.accent_color.as_ref()))
        .unwrap_or_default();
    let toggle_nav = {
        let nav_open = nav_open.clone();
        Callback::from(move |_: MouseEvent| nav_open.set(!*nav_open))
    };
    let close_nav_on_narrow = {
        let nav_open = nav_open.clone();
        Callback::from(move |()| {
            if !wide_window() {
                nav_open.set(false);
            }
        })
    };
    let footer = branding.and_then(|b| b.footer_text.clone());
    html! {
        <div class="pf-v6-c-page" {style} data-alerts-feed={if alerts_live { "live" } else { "off" }}>
            <a class="pf-v6-c-skip-to-content pf-v6-c-button pf-m-primary" href="#main">{ i18n.t("skip-to-content") }</a>
            <header class="pf-v6-c-masthead">
                <div class="pf-v6-c-masthead__main">
                    if signed_in {
                        <span class="pf-v6-c-masthead__toggle">
                            <button class="pf-v6-c-button pf-m-plain" type="button" id="nav-toggle"
                                aria-label={i18n.t("nav-toggle")} aria-expanded={nav_open.to_string()}
                                aria-controls="sidebar" onclick={toggle_nav}>
                                <span class="sy-hamburger" aria-hidden="true">{ "☰" }</span>
                            </button>
                        </span>
                    }
                    <div class="pf-v6-c-masthead__brand">
                        <Link<Route> to={Route::Home} classes="pf-v6-c-masthead__logo sy-brand">
                            if let Some(logo) = logo {
                                <img src={logo.url.clone()} alt={title.clone()} class="sy-logo" />
                            } else {
                                <strong id="masthead-title">{ title.clone() }</strong>
                            }
                        </Link<Route>>
                    </div>
                </div>
                <div class="pf-v6-c-masthead__content">
                    <AccountMenu />
                </div>
            </header>
            if signed_in {
                <div class={classes!("pf-v6-c-page__sidebar", if *nav_open { "pf-m-expanded" } else { "pf-m-collapsed" })}
                    id="sidebar" aria-hidden={(!*nav_open).to_string()}>
                    <div class="pf-v6-c-page__sidebar-body">
                        <Nav on_navigate={close_nav_on_narrow} />
                    </div>
                </div>
            }
            <main class="pf-v6-c-page__main" tabindex="-1" id="main">
                <Banners />
                { props.children.clone() }
                if let Some(footer) = footer {
                    <footer class="pf-v6-c-page__main-section sy-footer" id="footer">{ footer }</footer>
                }
            </main>
        </div>
    }
}

/// Budget lines crossed, shown as toasts wherever the person is; returns whether the feed
/// is live (the page says so in `data-alerts-feed`).
#[hook]
fn use_budget_alert_toasts(signed_in: bool) -> bool {
    let live_now = use_state(|| false);
    let toasts = use_toasts();
    let i18n = use_i18n();
    let currency = use_portal().currency();
    let on_state = {
        let live_now = live_now.clone();
        Callback::from(move |state| live_now.set(state == live::FeedState::Live))
    };
    use_effect_with(signed_in, move |signed_in| {
        let feed = signed_in.then(|| {
            let on_event = Callback::from(move |data: budget_alerts::ResponseData| {
                let alert = data.budget_alerts;
                let line = match alert.threshold {
                    budget_alerts::BudgetThreshold::SOFT => "alert-soft",
                    budget_alerts::BudgetThreshold::PERCENT_80 => "alert-80",
                    _ => "alert-100",
                };
                let whose = match alert.subject {
                    budget_alerts::BudgetSubject::KEY => i18n.t("alert-subject-key"),
                    _ => i18n.t("alert-subject-user"),
                };
                toasts.push.emit(Toast {
                    variant: if line == "alert-100" {
                        "danger"
                    } else {
                        "warning"
                    },
                    title: i18n.t_with(
                        line,
                        &[
                            ("whose", whose.into()),
                            ("spend", format::money(alert.spend, &currency).into()),
                            ("budget", format::money(alert.max_budget, &currency).into()),
                        ],
                    ),
                });
            });
            live::subscribe::<BudgetAlerts>(budget_alerts::Variables, on_event, on_state)
        });
        move || drop(feed)
    });
    *live_now
}

/// Properties of [`Nav`].
#[derive(Properties, PartialEq)]
struct NavProps {
    on_navigate: Callback<()>,
}

/// The vertical nav.
#[component]
fn Nav(props: &NavProps) -> Html {
    let i18n = use_i18n();
    let portal = use_portal();
    let item = |route: Route, id: &str, label: &str| {
        html! { <NavLink route={route} id={id.to_owned()} label={i18n.t(label)} on_navigate={props.on_navigate.clone()} /> }
    };
    let pending = use_pending_count(portal.is_admin());
    let pending_badge = pending.filter(|n| *n > 0).map(|n| {
        (
            AttrValue::from(format::count(n)),
            AttrValue::from(i18n.t_with("nav-admin-queue-pending", &[("count", n.into())])),
        )
    });
    html! {
        <nav class="pf-v6-c-nav" aria-label={i18n.t("nav-label")}>
            <ul class="pf-v6-c-nav__list" role="list">
                { item(Route::Home, "nav-home", "nav-home") }
                { item(Route::Catalog, "nav-catalog", "nav-catalog") }
                { item(Route::Subscriptions, "nav-subscriptions", "nav-subscriptions") }
                { item(Route::Keys, "nav-keys", "nav-keys") }
                { item(Route::Usage, "nav-usage", "nav-usage") }
                { item(Route::Playground, "nav-playground", "nav-playground") }
                { item(Route::Account, "nav-account", "nav-account") }
            </ul>
            if portal.is_admin() {
                <section class="pf-v6-c-nav__section" aria-labelledby="nav-admin-title" id="nav-admin">
                    <h2 class="pf-v6-c-nav__section-title" id="nav-admin-title">{ i18n.t("nav-admin") }</h2>
                    <ul class="pf-v6-c-nav__list" role="list">
                        { item(Route::AdminOverview, "nav-admin-overview", "nav-admin-overview") }
                        <NavLink route={Route::AdminQueue} id="nav-admin-queue" label={i18n.t("nav-admin-queue")}
                            on_navigate={props.on_navigate.clone()} badge={pending_badge} />
                        { item(Route::AdminUsers, "nav-admin-users", "nav-admin-users") }
                        { item(Route::AdminModels, "nav-admin-models", "nav-admin-models") }
                        { item(Route::AdminUsage, "nav-admin-usage", "nav-admin-usage") }
                        { item(Route::AdminSettings, "nav-admin-settings", "nav-admin-settings") }
                        { item(Route::AdminBranding, "nav-admin-branding", "nav-admin-branding") }
                        { item(Route::AdminBanners, "nav-admin-banners", "nav-admin-banners") }
                        { item(Route::AdminAudit, "nav-admin-audit", "nav-admin-audit") }
                        <li class="pf-v6-c-nav__item">
                            <a class="pf-v6-c-nav__link" href="/graphql" id="nav-graphiql">{ i18n.t("nav-graphiql") }</a>
                        </li>
                    </ul>
                </section>
            }
        </nav>
    }
}

/// Properties of [`NavLink`].
#[derive(Properties, PartialEq)]
struct NavLinkProps {
    route: Route,
    id: AttrValue,
    label: AttrValue,
    on_navigate: Callback<()>,
    /// A count beside the label: its text and what it means, for screen readers.
    #[prop_or_default]
    badge: Option<(AttrValue, AttrValue)>,
}

/// A nav entry, marked current on its route (and the model pages under the catalog).
#[component]
fn NavLink(props: &NavLinkProps) -> Html {
    let navigator = use_navigator();
    let current = use_route::<Route>().is_some_and(|route| {
        route == props.route
            || matches!(
                (&route, &props.route),
                (Route::Model { .. }, Route::Catalog)
                    | (Route::AdminUser { .. }, Route::AdminUsers)
            )
    });
    let onclick = {
        let route = props.route.clone();
        let on_navigate = props.on_navigate.clone();
        Callback::from(move |e: MouseEvent| {
            if e.ctrl_key() || e.meta_key() || e.shift_key() {
                return;
            }
            e.prevent_default();
            if let Some(navigator) = &navigator {
                navigator.push(&route);
            }
            on_navigate.emit(());
        })
    };
    html! {
        <li class="pf-v6-c-nav__item">
            <a class={classes!("pf-v6-c-nav__link", current.then_some("pf-m-current"))}
                href={props.route.to_path()} id={props.id.clone()}
                aria-current={current.then_some("page")} {onclick}>
                <span class="pf-v6-c-nav__link-text">{ &props.label }</span>
                if let Some((count, meaning)) = &props.badge {
                    <span class="pf-v6-c-nav__link-icon">
                        <span class="pf-v6-c-badge pf-m-unread" id={format!("{}-count", props.id)}
                            aria-label={meaning.clone()}>{ count }</span>
                    </span>
                }
            </a>
        </li>
    }
}

/// The active banners, each dismissible if the administrator allowed it.
#[component]
fn Banners() -> Html {
    let portal = use_portal();
    let i18n = use_i18n();
    let dismissed = use_state(Vec::<String>::new);
    let Some(data) = &portal.data else {
        return html! {};
    };
    let signed_in = portal.me().is_some();
    let banners = data
        .banners
        .iter()
        .filter(|b| !dismissed.contains(&b.id))
        .map(|banner| {
            let variant = match banner.variant {
                portal::BannerVariant::SUCCESS => "pf-m-success",
                portal::BannerVariant::WARNING => "pf-m-warning",
                portal::BannerVariant::DANGER => "pf-m-danger",
                _ => "pf-m-info",
            };
            let dismiss = {
                let id = banner.id.clone();
                let dismissed = dismissed.clone();
                Callback::from(move |_: MouseEvent| {
                    let mut list = (*dismissed).clone();
                    list.push(id.clone());
                    dismissed.set(list);
                    let id = id.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        // Hidden here either way; the server remembers it for signed-in people.
                        let _ = api::run::<DismissBanner>(api::dismiss_banner::Variables { id }).await;
                    });
                })
            };
            // The server renders banner markdown and sanitises it (ammonia) before it leaves.
            let body = Html::from_html_unchecked(AttrValue::from(banner.html.clone()));
            html! {
                <div class={classes!("pf-v6-c-alert", "pf-m-inline", variant, "sy-banner")}
                    id={format!("banner-{}", banner.id)} role="region" aria-label={i18n.t("banner")}>
                    // English when the banner has no text in the portal's language.
                    <div class="pf-v6-c-alert__description" lang={banner.language.clone()}>{ body }</div>
                    if banner.dismissible && signed_in {
                        <div class="pf-v6-c-alert__action">
                            <button class="pf-v6-c-button pf-m-plain" type="button"
                                aria-label={i18n.t("banner-dismiss")} onclick={dismiss}>{ "×" }</button>
                        </div>
                    }
                </div>
            }
        });
    html! { <div class="sy-banners">{ for banners }</div> }
}

#[cfg(test)]
mod tests {
    use super::{brand_style, css_colour};

    #[test]
    fn only_hex_colours_reach_css() {
        assert_eq!(css_colour(Some(&"#1a2B3c".to_owned())), Some("#1a2B3c"));
        assert_eq!(css_colour(Some(&"red; x: y".to_owned())), None);
        assert_eq!(css_colour(Some(&"#12345".to_owned())), None);
        assert_eq!(css_colour(None), None);
    }

    #[test]
    fn a_brand_colour_gets_the_more_readable_text() {
        let dark_blue = brand_style(Some(&"#0066cc".to_owned()), None);
        assert!(dark_blue.contains("--pf-t--global--color--brand--default: #0066cc;"));
        assert!(dark_blue.contains("--pf-t--global--text--color--on-brand--hover: #ffffff;"));
        let gold = brand_style(Some(&"#ffd700".to_owned()), Some(&"#123456".to_owned()));
        assert!(gold.contains("--pf-t--global--text--color--on-brand--default: #1f1f1f;"));
        assert!(gold.ends_with("--sy-accent: #123456;"));
        assert_eq!(brand_style(None, Some(&"url(x)".to_owned())), "");
    }
}
