//! My API keys: the list (models, spend against budget, limits, expiry, last use, status)
//! and every action on a key. A new or rotated secret is shown once, in a dialog with a copy
//! button and snippets filled with the real base URL, key and model; each destructive
//! action asks first, naming the key.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{
    self, CreateKey, DeleteKey, Keys as KeysQuery, RestoreKey, RevokeKey, RotateKey, UpdateKey,
    keys,
};
use crate::app::Route;
use crate::components::budget_bar::BudgetBar;
use crate::components::copy::CopyButton;
use crate::components::key_limits::{BadField, Bounds, LimitsFields, LimitsForm};
use crate::components::modal::{Confirm, Modal};
use crate::components::preset_select::PresetSelect;
use crate::components::snippets::{Call, Snippets};
use crate::components::states::{Empty, render};
use crate::format;
use crate::hooks::{Toast, use_error_toast, use_mutation, use_portal, use_query, use_toasts};
use crate::i18n::{I18n, use_i18n};
use crate::pages::catalog::{label, tag};
use crate::pages::model::call_for;
use crate::pages::{bind, event_checked, page_header};

type Key = keys::KeysMyKeysNodes;
type Policy = keys::KeysKeyPolicy;

/// A secret to show once, with what to call.
#[derive(Clone, PartialEq)]
struct Secret {
    name: String,
    secret: String,
    model: String,
    call: Call,
}

/// What dialog is open.
#[derive(Clone, PartialEq)]
enum Dialog {
    None,
    Create,
    Edit(Key),
    Rotate(Key),
    Revoke(Key),
    Restore(Key),
    Delete(Key),
    Secret(Secret),
}

/// A key's state: its message id and label colour.
fn key_status(key: &Key, now_ms: f64) -> (&'static str, &'static str) {
    let expired = key
        .expires_at
        .as_deref()
        .is_some_and(|at| js_sys::Date::parse(at) < now_ms);
    if key.blocked {
        ("key-revoked", "pf-m-red")
    } else if expired {
        ("key-expired", "pf-m-grey")
    } else {
        ("key-active", "pf-m-green")
    }
}

fn limits_text(i18n: &I18n, key: &Key) -> String {
    let mut parts = Vec::new();
    if let Some(rpm) = key.rpm_limit {
        parts.push(i18n.t_with("limit-rpm", &[("n", rpm.into())]));
    }
    if let Some(tpm) = key.tpm_limit {
        parts.push(i18n.t_with("limit-tpm", &[("n", format::count(tpm).into())]));
    }
    if let Some(parallel) = key.max_parallel_requests {
        parts.push(i18n.t_with("limit-parallel", &[("n", parallel.into())]));
    }
    if let Some(rpd) = key.rpd_limit {
        parts.push(i18n.t_with("limit-rpd", &[("n", format::count(rpd).into())]));
    }
    if parts.is_empty() {
        i18n.t("limits-none")
    } else {
        parts.join(" · ")
    }
}

/// Properties of [`ModelChecks`].
#[derive(Properties, PartialEq)]
struct ModelChecksProps {
    /// (id, name) of models I may put on a key.
    options: Vec<(String, String)>,
    selected: UseStateHandle<Vec<String>>,
}

/// Model checkboxes (my active subscriptions).
#[component]
fn ModelChecks(props: &ModelChecksProps) -> Html {
    let i18n = use_i18n();
    html! {
        <fieldset class="sy-fieldset" id="key-models">
            <legend>{ i18n.t("key-models") }</legend>
            if props.options.is_empty() {
                <p>{ i18n.t("key-no-subscriptions") }{ " " }<Link<Route> to={Route::Catalog}>{ i18n.t("home-browse-catalog") }</Link<Route>></p>
            }
            { for props.options.iter().map(|(id, name)| {
                let selected = props.selected.clone();
                let checked = selected.contains(id);
                let model_id = id.clone();
                let onchange = Callback::from(move |e: Event| {
                    let mut next: Vec<String> = (*selected).clone();
                    next.retain(|m| *m != model_id);
                    if event_checked(&e) {
                        next.push(model_id.clone());
                    }
                    selected.set(next);
                });
                let input_id = format!("key-model-{}", name.replace('/', "-"));
                html! {
                    <div class="pf-v6-c-check">
                        <input class="pf-v6-c-check__input" type="checkbox" id={input_id.clone()} {checked} {onchange} />
                        <label class="pf-v6-c-check__label" for={input_id}>{ name }</label>
                    </div>
                }
            }) }
        </fieldset>
    }
}

/// Properties of [`KeyForm`].
#[derive(Properties, PartialEq)]
struct KeyFormProps {
    /// The key being edited; none to create one.
    editing: Option<Key>,
    policy: Policy,
    /// (id, name, capability names) of my active subscriptions.
    subscriptions: Vec<(String, String, Vec<String>)>,
    on_close: Callback<()>,
    /// After a change: the secret to show for a new key.
    on_done: Callback<Option<Secret>>,
}

/// Create or edit a key.
#[component]
fn KeyForm(props: &KeyFormProps) -> Html {
    let i18n = use_i18n();
    let editing = props.editing.clone();
    let name = use_state(|| {
        editing
            .as_ref()
            .and_then(|k| k.name.clone())
            .unwrap_or_default()
    });
    let ids_by_name = |names: &[String]| {
        props
            .subscriptions
            .iter()
            .filter(|(_, n, _)| names.contains(n))
            .map(|(id, _, _)| id.clone())
            .collect::<Vec<_>>()
    };
    let selected = use_state(|| {
        editing
            .as_ref()
            .map(|k| ids_by_name(&k.models))
            .unwrap_or_default()
    });
    let expiry = use_state(|| "default".to_owned());
    let expiry_date = use_state(String::new);
    let limits = use_state(|| editing.as_ref().map(LimitsForm::from).unwrap_or_default());
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let policy = &props.policy;
    let onsubmit = {
        let (name, selected, expiry, expiry_date, limits, error, busy) = (
            name.clone(),
            selected.clone(),
            expiry.clone(),
            expiry_date.clone(),
            limits.clone(),
            error.clone(),
            busy.clone(),
        );
        let (on_done, i18n, editing) = (props.on_done.clone(), i18n.clone(), editing.clone());
        let subscriptions = props.subscriptions.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let parsed = match limits.parse() {
                Ok(parsed) => parsed,
                Err(BadField(field)) => {
                    error.set(Some(
                        i18n.t_with("key-bad-number", &[("field", i18n.t(field).into())]),
                    ));
                    return;
                }
            };
            if name.trim().is_empty() || selected.is_empty() {
                error.set(Some(i18n.t("key-name-and-models")));
                return;
            }
            let model_ids = (*selected).clone();
            let first = subscriptions
                .iter()
                .find(|(id, _, _)| model_ids.contains(id))
                .cloned();
            let (error, busy, on_done, name) = (
                error.clone(),
                busy.clone(),
                on_done.clone(),
                (*name).clone(),
            );
            let (expiry, expiry_date, editing) =
                ((*expiry).clone(), (*expiry_date).clone(), editing.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = match editing {
                    Some(key) => api::run::<UpdateKey>(api::update_key::Variables {
                        id: key.id.clone(),
                        input: api::update_key::UpdateKeyInput {
                            name: Some(name),
                            model_ids: Some(model_ids),
                            expiry: None,
                            limits: Some(parsed.into()),
                        },
                    })
                    .await
                    .map(|_| None),
                    None => {
                        let expiry = match expiry.as_str() {
                            "default" => None,
                            "never" => Some(api::create_key::KeyExpiryInput {
                                expires_in: None,
                                expires_at: None,
                                never_expires: true,
                            }),
                            "date" => Some(api::create_key::KeyExpiryInput {
                                expires_in: None,
                                expires_at: Some(format!("{expiry_date}T23:59:59Z")),
                                never_expires: false,
                            }),
                            preset => Some(api::create_key::KeyExpiryInput {
                                expires_in: Some(preset.to_owned()),
                                expires_at: None,
                                never_expires: false,
                            }),
                        };
                        api::run::<CreateKey>(api::create_key::Variables {
                            input: api::create_key::CreateKeyInput {
                                name: name.clone(),
                                model_ids,
                                expiry,
                                limits: Some(parsed.into()),
                                user_id: None,
                            },
                        })
                        .await
                        .map(|data| {
                            let (model, call) = first
                                .map(|(_, model, caps)| (model, call_for(&caps)))
                                .unwrap_or((String::new(), Call::Chat));
                            Some(Secret {
                                name,
                                secret: data.create_key.secret,
                                model,
                                call,
                            })
                        })
                    }
                };
                busy.set(false);
                match result {
                    Ok(secret) => on_done.emit(secret),
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        })
    };
    let title = if editing.is_some() {
        i18n.t("key-edit")
    } else {
        i18n.t("key-create")
    };
    let expiry_options = {
        let mut options = vec![
            ("default", "expiry-default"),
            ("30d", "expiry-30d"),
            ("90d", "expiry-90d"),
            ("date", "expiry-date"),
        ];
        if policy.max_expiry_days.is_none() {
            options.push(("never", "expiry-never"));
        }
        options
    };
    let footer = html! {
        <>
            <button class="pf-v6-c-button pf-m-primary" type="submit" form="key-form" id="key-form-submit" disabled={*busy}>
                { if editing.is_some() { i18n.t("save") } else { i18n.t("key-create") } }
            </button>
            <button class="pf-v6-c-button pf-m-link" type="button"
                onclick={let close = props.on_close.clone(); move |_| close.emit(())}>{ i18n.t("cancel") }</button>
        </>
    };
    html! {
        <Modal id="key-dialog" {title} on_close={props.on_close.clone()} {footer}>
            <form class="pf-v6-c-form" id="key-form" {onsubmit} novalidate=true>
                if let Some(message) = &*error {
                    <div class="pf-v6-c-alert pf-m-danger pf-m-inline" role="alert" id="key-form-error">
                        <p class="pf-v6-c-alert__title">{ message }</p>
                    </div>
                }
                <div class="pf-v6-c-form__group">
                    <label class="pf-v6-c-form__label" for="key-name">{ i18n.t("key-name") }</label>
                    <span class="pf-v6-c-form-control">
                        <input id="key-name" required=true value={(*name).clone()} oninput={bind(&name)} />
                    </span>
                </div>
                <ModelChecks options={props.subscriptions.iter().map(|(id, n, _)| (id.clone(), n.clone())).collect::<Vec<_>>()} selected={selected.clone()} />
                if editing.is_none() {
                    <PresetSelect id="key-expiry" label="key-expiry" value={(*expiry).clone()}
                        onchange={let expiry = expiry.clone(); move |value| expiry.set(value)}
                        options={expiry_options}
                        help={policy.default_expiry_days.map(|days| AttrValue::from(i18n.t_with("expiry-default-days", &[("days", days.into())])))} />
                    if *expiry == "date" {
                        <div class="pf-v6-c-form__group">
                            <label class="pf-v6-c-form__label" for="key-expiry-date">{ i18n.t("expiry-date") }</label>
                            <span class="pf-v6-c-form-control">
                                <input id="key-expiry-date" type="date" value={(*expiry_date).clone()} oninput={bind(&expiry_date)} />
                            </span>
                        </div>
                    }
                }
                <LimitsFields form={limits.clone()} bounds={Bounds::from(policy)} />
            </form>
        </Modal>
    }
}

/// Properties of [`SecretDialog`].
#[derive(Properties, PartialEq)]
struct SecretDialogProps {
    secret: Secret,
    on_close: Callback<()>,
}

/// The secret, once, with a copy button and snippets.
#[component]
fn SecretDialog(props: &SecretDialogProps) -> Html {
    let i18n = use_i18n();
    let secret = &props.secret;
    let footer = html! {
        <button class="pf-v6-c-button pf-m-primary" type="button" id="secret-done"
            onclick={let close = props.on_close.clone(); move |_| close.emit(())}>{ i18n.t("secret-done") }</button>
    };
    html! {
        <Modal id="secret-dialog" title={i18n.t_with("secret-title", &[("name", secret.name.clone().into())])}
            on_close={props.on_close.clone()} {footer} wide=true>
            <div class="pf-v6-c-alert pf-m-warning pf-m-inline" role="alert">
                <p class="pf-v6-c-alert__title">{ i18n.t("secret-once") }</p>
            </div>
            <div class="pf-v6-c-form__group">
                <label class="pf-v6-c-form__label" for="new-key-secret">{ i18n.t("secret-label") }</label>
                <div class="sy-inline">
                    <span class="pf-v6-c-form-control pf-m-readonly">
                        <input id="new-key-secret" readonly=true value={secret.secret.clone()} />
                    </span>
                    <CopyButton text={secret.secret.clone()} id="copy-secret" what={i18n.t("secret-label")} />
                </div>
            </div>
            if !secret.model.is_empty() {
                <Snippets id="secret-snippets" call={secret.call} secret={secret.secret.clone()} model={secret.model.clone()} />
            }
        </Modal>
    }
}

/// Properties of [`RotateDialog`].
#[derive(Properties, PartialEq)]
struct RotateDialogProps {
    target: Key,
    on_close: Callback<()>,
    on_done: Callback<Secret>,
    subscriptions: Vec<(String, String, Vec<String>)>,
}

/// Rotate with an optional grace period for the old secret.
#[component]
fn RotateDialog(props: &RotateDialogProps) -> Html {
    let i18n = use_i18n();
    let grace = use_state(String::new);
    let name = props
        .target
        .name
        .clone()
        .unwrap_or_else(|| props.target.display.clone());
    let model = props.target.models.first().cloned().unwrap_or_default();
    let call = props
        .subscriptions
        .iter()
        .find(|(_, n, _)| *n == model)
        .map(|(_, _, caps)| call_for(caps))
        .unwrap_or(Call::Chat);
    let mutation = use_mutation::<RotateKey>({
        let (on_done, name) = (props.on_done.clone(), name.clone());
        Callback::from(move |data: api::rotate_key::ResponseData| {
            on_done.emit(Secret {
                name: name.clone(),
                secret: data.rotate_key.secret,
                model: model.clone(),
                call,
            })
        })
    });
    let busy = mutation.busy;
    let error = mutation.error.as_ref().map(ToString::to_string);
    let rotate = {
        let (grace, run, id) = (grace.clone(), mutation.run.clone(), props.target.id.clone());
        Callback::from(move |_: MouseEvent| {
            let grace_period = Some((*grace).clone()).filter(|g| !g.is_empty());
            run.emit(api::rotate_key::Variables {
                id: id.clone(),
                grace_period,
            });
        })
    };
    let footer = html! {
        <>
            <button class="pf-v6-c-button pf-m-primary" type="button" id="rotate-confirm" disabled={busy} onclick={rotate}>{ i18n.t("key-rotate") }</button>
            <button class="pf-v6-c-button pf-m-link" type="button" onclick={let close = props.on_close.clone(); move |_| close.emit(())}>{ i18n.t("cancel") }</button>
        </>
    };
    html! {
        <Modal id="rotate-dialog" title={i18n.t_with("key-rotate-title", &[("name", name.into())])} on_close={props.on_close.clone()} {footer}>
            if let Some(message) = &error {
                <div class="pf-v6-c-alert pf-m-danger pf-m-inline" role="alert"><p class="pf-v6-c-alert__title">{ message }</p></div>
            }
            <p>{ i18n.t("key-rotate-body") }</p>
            <PresetSelect id="rotate-grace" label="key-rotate-grace" value={(*grace).clone()}
                onchange={let grace = grace.clone(); move |value| grace.set(value)}
                options={vec![("", "grace-none"), ("1h", "grace-1h"), ("24h", "grace-24h"), ("7d", "grace-7d")]} />
        </Modal>
    }
}

/// The keys page.
#[component]
pub fn KeysPage() -> Html {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let currency = use_portal().currency();
    let query = use_query::<KeysQuery>(keys::Variables);
    let dialog = use_state(|| Dialog::None);
    let open = |d: Dialog| {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| dialog.set(d.clone()))
    };
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |()| dialog.set(Dialog::None))
    };
    let reload = query.reload.clone();
    let after_change = {
        let (dialog, reload) = (dialog.clone(), reload.clone());
        Callback::from(move |secret: Option<Secret>| {
            dialog.set(secret.map_or(Dialog::None, Dialog::Secret));
            reload.emit(());
        })
    };
    // Revoke, restore and delete: one request, then a toast naming the key and a reload.
    let finished = |message: &'static str| {
        let name = match &*dialog {
            Dialog::Revoke(key) | Dialog::Restore(key) | Dialog::Delete(key) => {
                key.name.clone().unwrap_or_else(|| key.display.clone())
            }
            _ => String::new(),
        };
        let (dialog, reload, toasts, i18n) =
            (dialog.clone(), reload.clone(), toasts.clone(), i18n.clone());
        Callback::from(move |()| {
            dialog.set(Dialog::None);
            toasts.push.emit(Toast {
                variant: "success",
                title: i18n.t_with(message, &[("name", name.clone().into())]),
            });
            reload.emit(());
        })
    };
    let revoke = use_mutation::<RevokeKey>(finished("key-revoked-toast").reform(|_| ()));
    let restore = use_mutation::<RestoreKey>(finished("key-restored-toast").reform(|_| ()));
    let delete = use_mutation::<DeleteKey>(finished("key-deleted-toast").reform(|_| ()));
    use_error_toast(
        revoke
            .error
            .clone()
            .or(restore.error.clone())
            .or(delete.error.clone()),
    );
    let busy = revoke.busy || restore.busy || delete.busy;
    let simple_action = |key: &Key, action: &'static str| {
        let id = key.id.clone();
        let (revoke, restore, delete) =
            (revoke.run.clone(), restore.run.clone(), delete.run.clone());
        Callback::from(move |()| {
            let id = id.clone();
            match action {
                "revoke" => revoke.emit(api::revoke_key::Variables { id }),
                "restore" => restore.emit(api::restore_key::Variables { id }),
                _ => delete.emit(api::delete_key::Variables { id }),
            }
        })
    };
    let now = js_sys::Date::now();
    let content = render(&query, |data: &keys::ResponseData| {
        let subscriptions: Vec<(String, String, Vec<String>)> = data
            .my_subscriptions
            .iter()
            .filter(|s| s.status == keys::SubscriptionStatus::ACTIVE)
            .filter_map(|s| s.model.as_ref())
            .map(|m| {
                (
                    m.id.clone(),
                    m.name.clone(),
                    m.capabilities.iter().map(tag).collect(),
                )
            })
            .collect();
        let keys = &data.my_keys.nodes;
        let at_cap = data.my_keys.total_count >= data.key_policy.max_keys_per_user;
        let dialog_view = match &*dialog {
            Dialog::None => html! {},
            Dialog::Create => {
                html! { <KeyForm editing={None::<Key>} policy={data.key_policy.clone()} subscriptions={subscriptions.clone()} on_close={close.clone()} on_done={after_change.clone()} /> }
            }
            Dialog::Edit(key) => {
                html! { <KeyForm editing={Some(key.clone())} policy={data.key_policy.clone()} subscriptions={subscriptions.clone()} on_close={close.clone()} on_done={after_change.clone()} /> }
            }
            Dialog::Rotate(key) => {
                html! { <RotateDialog target={key.clone()} subscriptions={subscriptions.clone()} on_close={close.clone()} on_done={after_change.reform(Some)} /> }
            }
            Dialog::Secret(secret) => {
                html! { <SecretDialog secret={secret.clone()} on_close={close.clone()} /> }
            }
            Dialog::Revoke(key) | Dialog::Restore(key) | Dialog::Delete(key) => {
                let name = key.name.clone().unwrap_or_else(|| key.display.clone());
                let (action, title, body, danger) = match &*dialog {
                    Dialog::Revoke(_) => ("revoke", "key-revoke", "key-revoke-body", true),
                    Dialog::Restore(_) => ("restore", "key-restore", "key-restore-body", false),
                    _ => ("delete", "key-delete", "key-delete-body", true),
                };
                html! {
                    <Confirm id={format!("confirm-{action}")} title={i18n.t(title)} {danger} busy={busy}
                        body={i18n.t_with(body, &[("name", name.into())])} confirm={i18n.t(title)}
                        on_confirm={simple_action(key, action)} on_cancel={close.clone()} />
                }
            }
        };
        let toolbar = html! {
            <div class="sy-toolbar">
                <button class="pf-v6-c-button pf-m-primary" type="button" id="create-key"
                    disabled={at_cap} onclick={open(Dialog::Create)}>{ i18n.t("key-create") }</button>
                <span class="sy-muted" id="keys-count">
                    { i18n.t_with("keys-of-cap", &[("count", data.my_keys.total_count.into()), ("cap", data.key_policy.max_keys_per_user.into())]) }
                </span>
            </div>
        };
        let table = if keys.is_empty() {
            html! { <Empty title="keys-empty-title" body={Some(AttrValue::from("keys-empty-body"))} /> }
        } else {
            html! {
                <div class="sy-table-wrap">
                    <table class="pf-v6-c-table pf-m-compact" id="keys-table" aria-label={i18n.t("nav-keys")}>
                        <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("key-name") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("key-models") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("key-spend") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("key-limits") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("key-expiry") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("key-last-used") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-status") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-actions") }</th>
                        </tr></thead>
                        <tbody class="pf-v6-c-table__tbody">
                            { for keys.iter().map(|k| {
                                let (status, colour) = key_status(k, now);
                                let name = k.name.clone().unwrap_or_default();
                                let row_id = format!("key-{}", name.replace(' ', "-"));
                                let button = |id: &str, text: String, d: Dialog| html! {
                                    <button class="pf-v6-c-button pf-m-link pf-m-inline" type="button"
                                        id={format!("{id}-{}", k.id)} aria-label={format!("{text}: {name}")}
                                        onclick={open(d)}>{ text }</button>
                                };
                                html! {
                                    <tr class="pf-v6-c-table__tr" key={k.id.clone()} id={row_id}>
                                        <td class="pf-v6-c-table__td"><strong>{ &name }</strong><br /><code>{ &k.display }</code></td>
                                        <td class="pf-v6-c-table__td">{ k.models.join(", ") }</td>
                                        <td class="pf-v6-c-table__td">
                                            <BudgetBar spend={k.spend} budget={k.max_budget} currency={currency.clone()} label={i18n.t("key-spend")} />
                                        </td>
                                        <td class="pf-v6-c-table__td">{ limits_text(&i18n, k) }</td>
                                        <td class="pf-v6-c-table__td">{ k.expires_at.as_deref().map(format::date).unwrap_or_else(|| i18n.t("expiry-never")) }</td>
                                        <td class="pf-v6-c-table__td">{ k.last_used_at.as_deref().map(format::datetime).unwrap_or_else(|| i18n.t("never-used")) }</td>
                                        <td class="pf-v6-c-table__td">{ label(i18n.t(status), colour) }</td>
                                        <td class="pf-v6-c-table__td sy-actions">
                                            { button("edit", i18n.t("key-edit"), Dialog::Edit(k.clone())) }
                                            { button("rotate", i18n.t("key-rotate"), Dialog::Rotate(k.clone())) }
                                            if k.blocked {
                                                { button("restore", i18n.t("key-restore"), Dialog::Restore(k.clone())) }
                                            } else {
                                                { button("revoke", i18n.t("key-revoke"), Dialog::Revoke(k.clone())) }
                                            }
                                            { button("delete", i18n.t("key-delete"), Dialog::Delete(k.clone())) }
                                        </td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        };
        html! { <>{ toolbar }{ table }{ dialog_view }</> }
    });
    html! {
        <>
            { page_header("keys-title", i18n.t("nav-keys"), Some(i18n.t("keys-lead"))) }
            <section class="pf-v6-c-page__main-section">{ content }</section>
        </>
    }
}
