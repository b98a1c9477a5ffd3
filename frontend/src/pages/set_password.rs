//! Choosing a password with the one-time link an administrator gave: the secret travels in
//! the address's fragment (`/set-password#<secret>`), which browsers never send to a server
//! or in a `Referer`; the page takes it out of the address bar at once, so it stays in no
//! history either. Public: the secret is the credential.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, SetPassword};
use crate::app::Route;
use crate::i18n::use_i18n;
use crate::pages::bind;

/// The shortest password the server accepts (`MIN_PASSWORD_LEN` there).
const MIN_PASSWORD_LEN: usize = 12;

/// The secret in a `#fragment` (without the `#`), if there is one.
fn secret_of(fragment: &str) -> Option<String> {
    Some(fragment.trim_start_matches('#').trim().to_owned()).filter(|s| !s.is_empty())
}

/// Reads the secret from the address and removes it from the address bar.
fn take_secret() -> Option<String> {
    let window = web_sys::window()?;
    let secret = secret_of(&window.location().hash().ok()?)?;
    if let Ok(history) = window.history() {
        // Best effort: the page works with the secret in hand either way.
        let _ =
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/set-password"));
    }
    Some(secret)
}

/// Whether the two passwords may be sent: long enough and the same. The message id if not.
fn check(password: &str, again: &str) -> Result<(), &'static str> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        Err("set-password-short")
    } else if password != again {
        Err("set-password-mismatch")
    } else {
        Ok(())
    }
}

/// The set-password page.
#[component]
pub fn SetPasswordPage() -> Html {
    let i18n = use_i18n();
    let secret = use_state(take_secret);
    let password = use_state(String::new);
    let again = use_state(String::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let done = use_state(|| false);
    let onsubmit = {
        let (secret, password, again, error, busy, done, i18n) = (
            secret.clone(),
            password.clone(),
            again.clone(),
            error.clone(),
            busy.clone(),
            done.clone(),
            i18n.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(setup_secret) = (*secret).clone() else {
                return;
            };
            if let Err(message) = check(&password, &again) {
                error.set(Some(i18n.t(message)));
                return;
            }
            let variables = api::set_password::Variables {
                setup_secret,
                password: (*password).clone(),
            };
            let (error, busy, done) = (error.clone(), busy.clone(), done.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<SetPassword>(variables).await;
                busy.set(false);
                match result {
                    Ok(_) => done.set(true),
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        })
    };
    let body = if *done {
        html! {
            <div class="pf-v6-c-alert pf-m-success pf-m-inline" id="set-password-done" role="status">
                <p class="pf-v6-c-alert__title">{ i18n.t("set-password-done") }</p>
                <div class="pf-v6-c-alert__description">
                    <Link<Route> to={Route::Login}>{ i18n.t("sign-in") }</Link<Route>>
                </div>
            </div>
        }
    } else if secret.is_none() {
        html! {
            <div class="pf-v6-c-alert pf-m-warning pf-m-inline" id="set-password-no-link" role="alert">
                <p class="pf-v6-c-alert__title">{ i18n.t("set-password-no-link") }</p>
            </div>
        }
    } else {
        html! {
            <form class="pf-v6-c-form" id="set-password-form" {onsubmit} novalidate=true>
                if let Some(message) = &*error {
                    <div class="pf-v6-c-alert pf-m-danger pf-m-inline" role="alert" id="set-password-error">
                        <p class="pf-v6-c-alert__title">{ message }</p>
                    </div>
                }
                <div class="pf-v6-c-form__group">
                    <label class="pf-v6-c-form__label" for="new-password">{ i18n.t("set-password-new") }</label>
                    <span class="pf-v6-c-form-control">
                        <input id="new-password" type="password" autocomplete="new-password" value={(*password).clone()}
                            oninput={bind(&password)} aria-describedby="new-password-help" />
                    </span>
                    <p class="pf-v6-c-form__helper-text" id="new-password-help">
                        { i18n.t_with("set-password-help", &[("count", (MIN_PASSWORD_LEN as i64).into())]) }
                    </p>
                </div>
                <div class="pf-v6-c-form__group">
                    <label class="pf-v6-c-form__label" for="new-password-again">{ i18n.t("set-password-again") }</label>
                    <span class="pf-v6-c-form-control">
                        <input id="new-password-again" type="password" autocomplete="new-password" value={(*again).clone()}
                            oninput={bind(&again)} />
                    </span>
                </div>
                <div class="pf-v6-c-form__actions">
                    <button class="pf-v6-c-button pf-m-primary" type="submit" id="set-password-save" disabled={*busy}>
                        { i18n.t("set-password-save") }
                    </button>
                </div>
            </form>
        }
    };
    html! {
        <section class="pf-v6-c-page__main-section sy-login">
            <div class="pf-v6-c-card sy-login__card">
                <div class="pf-v6-c-card__title">
                    <h1 class="pf-v6-c-title pf-m-xl" id="set-password-title">{ i18n.t("set-password-title") }</h1>
                </div>
                <div class="pf-v6-c-card__body">{ body }</div>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_comes_from_the_fragment() {
        assert_eq!(secret_of("#abc.def").as_deref(), Some("abc.def"));
        assert_eq!(secret_of("abc").as_deref(), Some("abc"));
        assert_eq!(secret_of("#"), None);
        assert_eq!(secret_of(""), None);
    }

    #[test]
    fn passwords_are_long_enough_and_typed_twice_alike() {
        assert_eq!(check("short", "short"), Err("set-password-short"));
        assert_eq!(
            check("long enough password", "long enough passw0rd"),
            Err("set-password-mismatch")
        );
        assert_eq!(
            check("long enough password", "long enough password"),
            Ok(())
        );
    }
}
