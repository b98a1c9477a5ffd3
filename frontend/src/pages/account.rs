//! My account: profile and roles, my browser sessions (revoke any but this one), personal
//! access tokens for automation (created with a scope and expiry, shown once; revoked), and
//! the language and theme pickers.

use yew::prelude::*;

use crate::api::{self, Account as AccountQuery, CreateToken, RevokeSession, RevokeToken, account};
use crate::components::account_menu::{LanguagePicker, ThemePicker, role_message};
use crate::components::copy::CopyButton;
use crate::components::modal::{Confirm, Modal};
use crate::components::preset_select::PresetSelect;
use crate::components::states::render;
use crate::format;
use crate::hooks::{Toast, use_error_toast, use_mutation, use_portal, use_query, use_toasts};
use crate::i18n::use_i18n;
use crate::pages::{bind, event_checked, page_header};

#[derive(Clone, PartialEq)]
enum Dialog {
    None,
    CreateToken,
    Secret(String, String),
    RevokeToken(String, String),
    RevokeSession(String),
}

/// Properties of [`TokenForm`].
#[derive(Properties, PartialEq)]
struct TokenFormProps {
    on_close: Callback<()>,
    on_created: Callback<(String, String)>,
}

/// A new personal access token.
#[component]
fn TokenForm(props: &TokenFormProps) -> Html {
    let i18n = use_i18n();
    let name = use_state(String::new);
    let can_write = use_state(|| false);
    let expires = use_state(|| "30d".to_owned());
    let missing_name = use_state(|| false);
    let mutation = use_mutation::<CreateToken>({
        let (on_created, name) = (props.on_created.clone(), name.clone());
        Callback::from(move |data: api::create_token::ResponseData| {
            on_created.emit(((*name).clone(), data.create_access_token.secret))
        })
    });
    let busy = mutation.busy;
    let error = if *missing_name {
        Some(i18n.t("token-name-required"))
    } else {
        mutation.error.as_ref().map(ToString::to_string)
    };
    let onsubmit = {
        let (name, can_write, expires, missing_name, run) = (
            name.clone(),
            can_write.clone(),
            expires.clone(),
            missing_name.clone(),
            mutation.run.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            missing_name.set(name.trim().is_empty());
            if name.trim().is_empty() {
                return;
            }
            run.emit(api::create_token::Variables {
                name: (*name).clone(),
                can_write: *can_write,
                expires_in: Some((*expires).clone()).filter(|e| !e.is_empty()),
            });
        })
    };
    let footer = html! {
        <>
            <button class="pf-v6-c-button pf-m-primary" type="submit" form="token-form" id="token-form-submit" disabled={busy}>{ i18n.t("token-create") }</button>
            <button class="pf-v6-c-button pf-m-link" type="button" onclick={let c = props.on_close.clone(); move |_| c.emit(())}>{ i18n.t("cancel") }</button>
        </>
    };
    html! {
        <Modal id="token-dialog" title={i18n.t("token-create")} on_close={props.on_close.clone()} {footer}>
            <form class="pf-v6-c-form" id="token-form" {onsubmit} novalidate=true>
                if let Some(message) = &error {
                    <div class="pf-v6-c-alert pf-m-danger pf-m-inline" role="alert"><p class="pf-v6-c-alert__title">{ message }</p></div>
                }
                <div class="pf-v6-c-form__group">
                    <label class="pf-v6-c-form__label" for="token-name">{ i18n.t("token-name") }</label>
                    <span class="pf-v6-c-form-control"><input id="token-name" value={(*name).clone()} oninput={bind(&name)} /></span>
                </div>
                <div class="pf-v6-c-check">
                    <input class="pf-v6-c-check__input" type="checkbox" id="token-write" checked={*can_write}
                        onchange={let w = can_write.clone(); move |e: Event| w.set(event_checked(&e))} />
                    <label class="pf-v6-c-check__label" for="token-write">{ i18n.t("token-can-write") }</label>
                </div>
                <PresetSelect id="token-expiry" label="key-expiry" value={(*expires).clone()}
                    onchange={let x = expires.clone(); move |value| x.set(value)}
                    options={vec![("1d", "expiry-1d"), ("30d", "expiry-30d"), ("90d", "expiry-90d"), ("", "expiry-never")]} />
            </form>
        </Modal>
    }
}

/// The account page.
#[component]
pub fn AccountPage() -> Html {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let portal = use_portal();
    let query = use_query::<AccountQuery>(account::Variables);
    let dialog = use_state(|| Dialog::None);
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |()| dialog.set(Dialog::None))
    };
    let reload = query.reload.clone();
    // Revoking a token or a session: close, say so, reload.
    let revoked = {
        let (dialog, reload, toasts, i18n) =
            (dialog.clone(), reload.clone(), toasts.clone(), i18n.clone());
        Callback::from(move |()| {
            dialog.set(Dialog::None);
            toasts.push.emit(Toast {
                variant: "success",
                title: i18n.t("revoked"),
            });
            reload.emit(());
        })
    };
    let revoke_token = use_mutation::<RevokeToken>(revoked.reform(|_| ()));
    let revoke_session = use_mutation::<RevokeSession>(revoked.reform(|_| ()));
    use_error_toast(revoke_token.error.clone().or(revoke_session.error.clone()));
    let busy = revoke_token.busy || revoke_session.busy;
    let revoke = |is_token: bool, id: String| {
        let (token, session) = (revoke_token.run.clone(), revoke_session.run.clone());
        Callback::from(move |()| {
            let id = id.clone();
            if is_token {
                token.emit(api::revoke_token::Variables { id });
            } else {
                session.emit(api::revoke_session::Variables { id });
            }
        })
    };
    let me = portal.me();
    let roles = me
        .map(|m| {
            m.roles
                .iter()
                .map(|r| i18n.t(role_message(r)))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let dialog_view = match &*dialog {
        Dialog::None => html! {},
        Dialog::CreateToken => html! {
            <TokenForm on_close={close.clone()} on_created={{
                let (dialog, reload) = (dialog.clone(), reload.clone());
                Callback::from(move |(name, secret): (String, String)| { dialog.set(Dialog::Secret(name, secret)); reload.emit(()); })
            }} />
        },
        Dialog::Secret(name, secret) => html! {
            <Modal id="token-secret-dialog" title={i18n.t_with("secret-title", &[("name", name.clone().into())])} on_close={close.clone()}
                footer={html! { <button class="pf-v6-c-button pf-m-primary" type="button" id="token-secret-done"
                    onclick={let c = close.clone(); move |_| c.emit(())}>{ i18n.t("secret-done") }</button> }}>
                <div class="pf-v6-c-alert pf-m-warning pf-m-inline" role="alert"><p class="pf-v6-c-alert__title">{ i18n.t("secret-once") }</p></div>
                <div class="pf-v6-c-form__group">
                    <label class="pf-v6-c-form__label" for="new-token-secret">{ i18n.t("secret-label") }</label>
                    <div class="sy-inline">
                        <span class="pf-v6-c-form-control pf-m-readonly"><input id="new-token-secret" readonly=true value={secret.clone()} /></span>
                        <CopyButton text={secret.clone()} what={i18n.t("secret-label")} />
                    </div>
                </div>
                <pre class="sy-code"><code>{ format!("curl -H \"Authorization: Bearer {secret}\" -H \"Content-Type: application/json\" \\\n  -d '{{\"query\": \"{{ me {{ name }} }}\"}}' {}/graphql", web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()) }</code></pre>
            </Modal>
        },
        Dialog::RevokeToken(id, name) => html! {
            <Confirm id="confirm-revoke-token" title={i18n.t("token-revoke")} danger=true busy={busy}
                body={i18n.t_with("token-revoke-body", &[("name", name.clone().into())])} confirm={i18n.t("token-revoke")}
                on_confirm={revoke(true, id.clone())} on_cancel={close.clone()} />
        },
        Dialog::RevokeSession(id) => html! {
            <Confirm id="confirm-revoke-session" title={i18n.t("session-revoke")} danger=true busy={busy}
                body={i18n.t("session-revoke-body")} confirm={i18n.t("session-revoke")}
                on_confirm={revoke(false, id.clone())} on_cancel={close.clone()} />
        },
    };
    let open = |d: Dialog| {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| dialog.set(d.clone()))
    };
    let content = render(&query, |data: &account::ResponseData| {
        html! {
            <>
                <div class="pf-v6-c-card" id="account-sessions">
                    <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ i18n.t("sessions") }</h2></div>
                    <div class="pf-v6-c-card__body sy-table-wrap">
                        <table class="pf-v6-c-table pf-m-compact" aria-label={i18n.t("sessions")}>
                            <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("session-browser") }</th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("session-ip") }</th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("session-last-seen") }</th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-actions") }</th>
                            </tr></thead>
                            <tbody class="pf-v6-c-table__tbody">
                                { for data.my_sessions.iter().map(|s| html! {
                                    <tr class="pf-v6-c-table__tr" key={s.id.clone()}>
                                        <td class="pf-v6-c-table__td">{ s.user_agent.clone().unwrap_or_default() }</td>
                                        <td class="pf-v6-c-table__td">{ s.ip.clone().unwrap_or_default() }</td>
                                        <td class="pf-v6-c-table__td">{ format::datetime(&s.last_seen_at) }</td>
                                        <td class="pf-v6-c-table__td">
                                            if s.current {
                                                <span class="pf-v6-c-label pf-m-compact pf-m-green"><span class="pf-v6-c-label__content">{ i18n.t("session-current") }</span></span>
                                            } else {
                                                <button class="pf-v6-c-button pf-m-link pf-m-inline" type="button"
                                                    onclick={open(Dialog::RevokeSession(s.id.clone()))}>{ i18n.t("session-revoke") }</button>
                                            }
                                        </td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                </div>
                <div class="pf-v6-c-card" id="account-tokens">
                    <div class="pf-v6-c-card__header">
                        <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ i18n.t("tokens") }</h2></div>
                        <div class="pf-v6-c-card__actions">
                            <button class="pf-v6-c-button pf-m-secondary" type="button" id="create-token" onclick={open(Dialog::CreateToken)}>{ i18n.t("token-create") }</button>
                        </div>
                    </div>
                    <div class="pf-v6-c-card__body sy-table-wrap">
                        <p class="sy-muted">{ i18n.t("tokens-lead") }</p>
                        if data.my_tokens.is_empty() {
                            <p>{ i18n.t("tokens-empty") }</p>
                        } else {
                            <table class="pf-v6-c-table pf-m-compact" aria-label={i18n.t("tokens")} id="tokens-table">
                                <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("token-name") }</th>
                                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("token-scope") }</th>
                                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("key-expiry") }</th>
                                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("key-last-used") }</th>
                                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-actions") }</th>
                                </tr></thead>
                                <tbody class="pf-v6-c-table__tbody">
                                    { for data.my_tokens.iter().map(|t| html! {
                                        <tr class="pf-v6-c-table__tr" key={t.id.clone()}>
                                            <td class="pf-v6-c-table__td">{ &t.name }</td>
                                            <td class="pf-v6-c-table__td">{ if t.can_write { i18n.t("token-read-write") } else { i18n.t("token-read-only") } }</td>
                                            <td class="pf-v6-c-table__td">{ t.expires_at.as_deref().map(format::date).unwrap_or_else(|| i18n.t("expiry-never")) }</td>
                                            <td class="pf-v6-c-table__td">{ t.last_used_at.as_deref().map(format::datetime).unwrap_or_else(|| i18n.t("never-used")) }</td>
                                            <td class="pf-v6-c-table__td">
                                                if t.revoked_at.is_some() {
                                                    { i18n.t("key-revoked") }
                                                } else {
                                                    <button class="pf-v6-c-button pf-m-link pf-m-inline" type="button"
                                                        onclick={open(Dialog::RevokeToken(t.id.clone(), t.name.clone()))}>{ i18n.t("token-revoke") }</button>
                                                }
                                            </td>
                                        </tr>
                                    }) }
                                </tbody>
                            </table>
                        }
                    </div>
                </div>
            </>
        }
    });
    html! {
        <>
            { page_header("account-title", i18n.t("nav-account"), None) }
            <section class="pf-v6-c-page__main-section sy-grid">
                <div class="pf-v6-c-card" id="account-profile">
                    <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ i18n.t("profile") }</h2></div>
                    <div class="pf-v6-c-card__body">
                        <dl class="pf-v6-c-description-list">
                            <div class="pf-v6-c-description-list__group">
                                <dt class="pf-v6-c-description-list__term">{ i18n.t("profile-name") }</dt>
                                <dd class="pf-v6-c-description-list__description" id="profile-name">{ me.map(|m| m.name.clone()).unwrap_or_default() }</dd>
                            </div>
                            <div class="pf-v6-c-description-list__group">
                                <dt class="pf-v6-c-description-list__term">{ i18n.t("profile-roles") }</dt>
                                <dd class="pf-v6-c-description-list__description" id="profile-roles">{ roles }</dd>
                            </div>
                        </dl>
                    </div>
                </div>
                <div class="pf-v6-c-card" id="account-preferences">
                    <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ i18n.t("preferences") }</h2></div>
                    <div class="pf-v6-c-card__body pf-v6-c-form">
                        <LanguagePicker />
                        <ThemePicker />
                    </div>
                </div>
            </section>
            <section class="pf-v6-c-page__main-section">{ content }</section>
            { dialog_view }
        </>
    }
}
