//! The masthead's account menu: who is signed in and their roles, the account page, the
//! language and theme pickers, and sign-out; a sign-in link for visitors.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, Logout, portal};
use crate::app::Route;
use crate::hooks::{ThemeChoice, go_to, use_portal, use_theme};
use crate::i18n::{LANGUAGES, use_i18n};

/// The message id naming a role.
pub fn role_message(role: &portal::Role) -> &'static str {
    match role {
        portal::Role::ADMIN => "role-admin",
        portal::Role::ADMIN_READONLY => "role-admin-readonly",
        _ => "role-user",
    }
}

/// The language picker (also on the account page).
#[component]
pub fn LanguagePicker() -> Html {
    let i18n = use_i18n();
    let onchange = {
        let set = i18n.set_language.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            if let Some((tag, _)) = LANGUAGES.iter().find(|(tag, _)| *tag == value) {
                set.emit(tag);
            }
        })
    };
    html! {
        <div class="pf-v6-c-form__group">
            <label class="pf-v6-c-form__label" for="language-select">{ i18n.t("language") }</label>
            <span class="pf-v6-c-form-control">
                <select id="language-select" {onchange}>
                    { for LANGUAGES.iter().map(|(tag, name)| html! {
                        <option value={*tag} lang={*tag} selected={*tag == i18n.language()}>{ *name }</option>
                    }) }
                </select>
            </span>
        </div>
    }
}

/// The theme picker (also on the account page).
#[component]
pub fn ThemePicker() -> Html {
    let i18n = use_i18n();
    let theme = use_theme();
    let onchange = {
        let set = theme.set.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            set.emit(ThemeChoice::parse(&value));
        })
    };
    let option = |choice: ThemeChoice, label: &str| {
        html! { <option value={choice.as_str()} selected={theme.choice == choice}>{ i18n.t(label) }</option> }
    };
    html! {
        <div class="pf-v6-c-form__group">
            <label class="pf-v6-c-form__label" for="theme-select">{ i18n.t("theme") }</label>
            <span class="pf-v6-c-form-control">
                <select id="theme-select" {onchange}>
                    { option(ThemeChoice::System, "theme-system") }
                    { option(ThemeChoice::Light, "theme-light") }
                    { option(ThemeChoice::Dark, "theme-dark") }
                </select>
            </span>
        </div>
    }
}

/// The account area of the masthead.
#[component]
pub fn AccountMenu() -> Html {
    let portal = use_portal();
    let i18n = use_i18n();
    let theme = use_theme();
    let open = use_state(|| false);
    let error = use_state(|| None::<String>);
    let sign_out = {
        let error = error.clone();
        Callback::from(move |_: MouseEvent| {
            let error = error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::run::<Logout>(api::logout::Variables).await {
                    Ok(data) => go_to(&data.logout.redirect_to),
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        })
    };
    let quick_theme = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            theme.set.emit(if theme.dark {
                ThemeChoice::Light
            } else {
                ThemeChoice::Dark
            })
        })
    };
    let theme_button = html! {
        <button class="pf-v6-c-button pf-m-plain" type="button" id="theme-toggle"
            aria-label={ if theme.dark { i18n.t("theme-to-light") } else { i18n.t("theme-to-dark") } }
            aria-pressed={theme.dark.to_string()} onclick={quick_theme}>
            <span aria-hidden="true">{ if theme.dark { "☀" } else { "☾" } }</span>
        </button>
    };
    let Some(me) = portal.me() else {
        if !portal.loaded() {
            return html! {};
        }
        return html! {
            <div class="sy-account">
                { theme_button }
                <Link<Route> to={Route::Login} classes="pf-v6-c-button pf-m-primary">
                    <span id="sign-in">{ i18n.t("sign-in") }</span>
                </Link<Route>>
            </div>
        };
    };
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let onkeydown = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                open.set(false);
            }
        })
    };
    let close = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(false))
    };
    let roles = me
        .roles
        .iter()
        .map(|r| i18n.t(role_message(r)))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <div class="sy-account" {onkeydown}>
            { theme_button }
            <div class="sy-account__menu">
                <button class="pf-v6-c-menu-toggle pf-m-plain" type="button" id="account-menu-toggle"
                    aria-expanded={open.to_string()} aria-controls="account-menu" onclick={toggle}>
                    <span class="pf-v6-c-menu-toggle__text" id="signed-in-as">{ &me.name }</span>
                    <span class="pf-v6-c-menu-toggle__controls" aria-hidden="true">{ "▾" }</span>
                </button>
                if *open {
                    <div class="pf-v6-c-menu sy-account__dropdown" id="account-menu">
                        <div class="pf-v6-c-menu__content">
                            <p class="sy-account__roles" id="account-roles">{ roles }</p>
                            <ul class="pf-v6-c-menu__list" role="list">
                                <li class="pf-v6-c-menu__list-item" onclick={close.clone()}>
                                    <Link<Route> to={Route::Account} classes="pf-v6-c-menu__item">
                                        <span class="pf-v6-c-menu__item-text">{ i18n.t("nav-account") }</span>
                                    </Link<Route>>
                                </li>
                            </ul>
                            <div class="sy-account__pickers">
                                <LanguagePicker />
                                <ThemePicker />
                            </div>
                            <ul class="pf-v6-c-menu__list" role="list">
                                <li class="pf-v6-c-menu__list-item">
                                    <button class="pf-v6-c-menu__item" type="button" id="sign-out" onclick={sign_out}>
                                        <span class="pf-v6-c-menu__item-text">{ i18n.t("sign-out") }</span>
                                    </button>
                                </li>
                            </ul>
                        </div>
                    </div>
                }
            </div>
            if let Some(message) = &*error {
                <span class="sy-account__error" role="alert">{ message }</span>
            }
        </div>
    }
}
