//! The sign-in page: the branding's sign-in logo, title and text, single sign-on when configured,
//! and the local account form when local accounts are on; both return to `?next=`.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, Login as LoginMutation, portal};
use crate::app::{NextQuery, safe_next};
use crate::components::states::{Failed, Loading};
use crate::hooks::{go_to, use_portal};
use crate::i18n::use_i18n;
use crate::pages::bind;

/// Properties of [`LocalLogin`].
#[derive(Properties, PartialEq)]
struct LocalLoginProps {
    next: AttrValue,
}

/// The local account form.
#[component]
fn LocalLogin(props: &LocalLoginProps) -> Html {
    let i18n = use_i18n();
    let name = use_state(String::new);
    let password = use_state(String::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let on_submit = {
        let (name, password, error, busy) =
            (name.clone(), password.clone(), error.clone(), busy.clone());
        let next = props.next.to_string();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (name, password, error, busy, next) = (
                (*name).clone(),
                (*password).clone(),
                error.clone(),
                busy.clone(),
                next.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match api::run::<LoginMutation>(api::login::Variables { name, password }).await {
                    Ok(_) => go_to(&next),
                    Err(e) => {
                        error.set(Some(e.to_string()));
                        busy.set(false);
                    }
                }
            });
        })
    };
    html! {
        <form class="pf-v6-c-form" id="local-login" onsubmit={on_submit}>
            if let Some(message) = &*error {
                <div class="pf-v6-c-alert pf-m-danger pf-m-inline" role="alert" id="login-error">
                    <p class="pf-v6-c-alert__title">{ message }</p>
                </div>
            }
            <div class="pf-v6-c-form__group">
                <label class="pf-v6-c-form__label" for="login-name">{ i18n.t("login-name") }</label>
                <span class="pf-v6-c-form-control">
                    <input id="login-name" autocomplete="username" required=true
                        value={(*name).clone()} oninput={bind(&name)} />
                </span>
            </div>
            <div class="pf-v6-c-form__group">
                <label class="pf-v6-c-form__label" for="login-password">{ i18n.t("login-password") }</label>
                <span class="pf-v6-c-form-control">
                    <input id="login-password" type="password" autocomplete="current-password"
                        required=true value={(*password).clone()} oninput={bind(&password)} />
                </span>
            </div>
            <div class="pf-v6-c-form__actions">
                <button class="pf-v6-c-button pf-m-primary" id="login-submit" type="submit" disabled={*busy}>
                    { i18n.t("sign-in") }
                </button>
            </div>
        </form>
    }
}

/// The sign-in page.
#[component]
pub fn Login() -> Html {
    let i18n = use_i18n();
    let portal = use_portal();
    let next = use_location()
        .and_then(|l| l.query::<NextQuery>().ok())
        .unwrap_or_default();
    let next = safe_next(next.next.as_deref());
    let body = match (&portal.data, &portal.error) {
        (None, Some(error)) => {
            html! { <Failed error={error.clone()} retry={portal.refresh.clone()} /> }
        }
        (None, None) => html! { <Loading /> },
        (Some(data), _) => {
            let settings = &data.auth_settings;
            let provider = settings
                .provider_name
                .clone()
                .unwrap_or_else(|| i18n.t("login-sso-default"));
            let sso_href = format!(
                "/auth/login?redirect={}",
                String::from(js_sys::encode_uri_component(&next))
            );
            html! {
                <>
                    if let Some(text) = &data.branding.login_text {
                        <p id="login-text">{ text }</p>
                    }
                    if let Some(me) = &data.me {
                        <div class="pf-v6-c-alert pf-m-info pf-m-inline" id="already-signed-in">
                            <p class="pf-v6-c-alert__title">
                                { i18n.t_with("login-already", &[("name", me.name.clone().into())]) }
                            </p>
                        </div>
                    }
                    if settings.single_sign_on {
                        <p>
                            <a class="pf-v6-c-button pf-m-primary pf-m-block" id="sso-sign-in" href={sso_href}>
                                { i18n.t_with("login-sso", &[("provider", provider.into())]) }
                            </a>
                        </p>
                    }
                    if settings.local_login {
                        <LocalLogin next={next.clone()} />
                    }
                </>
            }
        }
    };
    let data = portal.data.as_ref();
    let title = data
        .and_then(|d| d.branding.login_title.clone())
        .unwrap_or_else(|| i18n.t("sign-in"));
    let logo = data.and_then(|d| {
        d.branding
            .logos
            .iter()
            .find(|l| l.slot == portal::LogoSlot::LOGIN)
    });
    html! {
        <section class="pf-v6-c-page__main-section sy-login">
            <div class="pf-v6-c-card sy-login__card">
                <div class="pf-v6-c-card__header">
                    <div class="pf-v6-c-content">
                        if let Some(logo) = logo {
                            // The portal's title follows as text, so the image adds nothing to read.
                            <img class="sy-login__logo" id="login-logo" src={logo.url.clone()} alt="" />
                        }
                        <h1 class="pf-v6-c-title pf-m-2xl" id="branding-title">{ portal.title() }</h1>
                        if let Some(data) = data {
                            <p id="branding-subtitle">{ &data.branding.subtitle }</p>
                        }
                        <h2 class="pf-v6-c-title pf-m-lg" id="login-title">{ title }</h2>
                    </div>
                </div>
                <div class="pf-v6-c-card__body">{ body }</div>
                if let Some(data) = data {
                    <div class="pf-v6-c-card__footer">
                        <small id="server-version">{ format!("Switchyard {}", data.version) }</small>
                    </div>
                }
            </div>
        </section>
    }
}
