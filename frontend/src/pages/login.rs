//! The sign-in page: single sign-on when configured, and the local account form when local
//! accounts are on.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api;
use crate::hooks::{SessionState, go_to, use_session};

fn input_value(event: &InputEvent) -> String {
    event
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .map(|input| input.value())
        .unwrap_or_default()
}

/// The local account form.
#[component]
fn LocalLogin() -> Html {
    let name = use_state(String::new);
    let password = use_state(String::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let on_name = {
        let name = name.clone();
        Callback::from(move |e: InputEvent| name.set(input_value(&e)))
    };
    let on_password = {
        let password = password.clone();
        Callback::from(move |e: InputEvent| password.set(input_value(&e)))
    };
    let on_submit = {
        let (name, password, error, busy) =
            (name.clone(), password.clone(), error.clone(), busy.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (name, password, error, busy) = (
                (*name).clone(),
                (*password).clone(),
                error.clone(),
                busy.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match api::login(name, password).await {
                    Ok(_) => go_to("/"),
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
                <label class="pf-v6-c-form__label" for="login-name">{ "User name or e-mail" }</label>
                <input class="pf-v6-c-form-control" id="login-name" autocomplete="username"
                    required=true value={(*name).clone()} oninput={on_name} />
            </div>
            <div class="pf-v6-c-form__group">
                <label class="pf-v6-c-form__label" for="login-password">{ "Password" }</label>
                <input class="pf-v6-c-form-control" id="login-password" type="password"
                    autocomplete="current-password" required=true value={(*password).clone()}
                    oninput={on_password} />
            </div>
            <button class="pf-v6-c-button pf-m-primary" id="login-submit" type="submit" disabled={*busy}>
                { "Sign in" }
            </button>
        </form>
    }
}

/// The sign-in page.
#[component]
pub fn Login() -> Html {
    let body = match use_session() {
        SessionState::Loading => html! { <p aria-busy="true">{ "Loading…" }</p> },
        SessionState::Failed(error) => html! {
            <div class="pf-v6-c-alert pf-m-danger" role="alert">
                <p class="pf-v6-c-alert__title">{ error.to_string() }</p>
            </div>
        },
        SessionState::Ready(data) => {
            let settings = data.auth_settings;
            let provider = settings
                .provider_name
                .unwrap_or_else(|| "single sign-on".to_owned());
            html! {
                <>
                    if let Some(me) = data.me {
                        <p id="already-signed-in">{ format!("You are signed in as {}.", me.name) }</p>
                    }
                    if settings.single_sign_on {
                        <p>
                            <a class="pf-v6-c-button pf-m-primary" id="sso-sign-in"
                                href="/auth/login?redirect=/">
                                { format!("Sign in with {provider}") }
                            </a>
                        </p>
                    }
                    if settings.local_login {
                        <LocalLogin />
                    }
                </>
            }
        }
    };
    html! {
        <section class="pf-v6-c-page__main-section">
            <div class="pf-v6-c-content">
                <h1 class="pf-v6-c-title pf-m-2xl">{ "Sign in" }</h1>
                { body }
            </div>
        </section>
    }
}
