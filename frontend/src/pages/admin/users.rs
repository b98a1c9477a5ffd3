//! Users: the list (search by name, e-mail or id; role and active filters) and one user's
//! page: profile, roles, budget and limits, spend this period with a reset, deactivation
//! and reactivation with what they do spelled out, their keys (edit limits, revoke), their
//! subscriptions (grant a model, withdraw one), and their sessions (end one) and tokens
//! (revoke one).

use std::collections::BTreeMap;

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{
    self, AdminUser, AdminUsers, CreateUser, EndUserSession, GrantSubscription, PasswordSetup,
    ResetUserSpend, RevokeKey, RevokeUserToken, UpdateKey, UpdateUser, WithdrawSubscription,
    admin_user, admin_users,
};
use crate::app::Route;
use crate::components::budget_bar::BudgetBar;
use crate::components::copy::CopyButton;
use crate::components::key_limits::{BadField, Bounds, LimitsFields, LimitsForm, parse_number};
use crate::components::modal::Confirm;
use crate::components::modal::Modal;
use crate::components::states::{Empty, render};
use crate::format;
use crate::hooks::{Toast, use_error_toast, use_mutation, use_portal, use_query, use_toasts};
use crate::i18n::{I18n, use_i18n};
use crate::pages::admin::{
    Rights, admin_header, checks, filter_select, text_filter, toggle_in, use_rights,
    use_saved_toast, use_saving,
};
use crate::pages::catalog::{label, status_badge, tag};
use crate::pages::{bind, event_value};

/// Every role, with its message id, in the order the forms show them.
const ROLES: [(&str, &str); 3] = [
    ("ADMIN", "role-admin"),
    ("ADMIN_READONLY", "role-admin-readonly"),
    ("USER", "role-user"),
];

fn role_message(role: &str) -> &'static str {
    ROLES
        .iter()
        .find(|(name, _)| *name == role)
        .map_or("role-user", |(_, message)| message)
}

/// The filters, as chosen.
#[derive(Clone, PartialEq, Default)]
struct Filters {
    search: String,
    role: String,
    /// `true`, `false` or empty for both.
    active: String,
}

impl Filters {
    fn variables(&self) -> admin_users::Variables {
        admin_users::Variables {
            search: Some(self.search.trim().to_owned()).filter(|s| !s.is_empty()),
            role: match self.role.as_str() {
                "ADMIN" => Some(admin_users::Role::ADMIN),
                "ADMIN_READONLY" => Some(admin_users::Role::ADMIN_READONLY),
                "USER" => Some(admin_users::Role::USER),
                _ => None,
            },
            active: match self.active.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
        }
    }
}

/// A user's name as people read it.
fn shown_name(display: Option<&String>, external: &str) -> String {
    display.cloned().unwrap_or_else(|| external.to_owned())
}

/// A one-time password link to hand over: `secret` opens `/set-password` on this site.
#[derive(Clone, PartialEq)]
struct SetupLink {
    secret: String,
    expires_at: String,
}

impl SetupLink {
    fn url(&self) -> String {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        format!("{origin}/set-password#{}", self.secret)
    }
}

/// Properties of [`SetupLinkDialog`].
#[derive(Properties, PartialEq)]
struct SetupLinkDialogProps {
    link: SetupLink,
    on_close: Callback<()>,
}

/// The link, shown once, with a copy button and when it stops working.
#[component]
fn SetupLinkDialog(props: &SetupLinkDialogProps) -> Html {
    let i18n = use_i18n();
    let url = props.link.url();
    let close = props.on_close.clone();
    let footer = html! {
        <button class="pf-v6-c-button pf-m-primary" type="button" id="setup-link-done"
            onclick={move |_| close.emit(())}>{ i18n.t("user-link-done") }</button>
    };
    html! {
        <Modal id="setup-link-dialog" title={i18n.t("user-link-title")} on_close={props.on_close.clone()} {footer}>
            <p>{ i18n.t_with("user-link-body", &[("at", format::datetime(&props.link.expires_at).into())]) }</p>
            <div class="sy-inline">
                <span class="pf-v6-c-form-control">
                    <input id="setup-link" readonly=true value={url.clone()} aria-label={i18n.t("user-link-title")} />
                </span>
                <CopyButton text={url} id={Some(AttrValue::from("copy-setup-link"))} what={i18n.t("user-link-title")} />
            </div>
        </Modal>
    }
}

/// Properties of [`CreateUserDialog`].
#[derive(Properties, PartialEq)]
struct CreateUserDialogProps {
    on_close: Callback<()>,
    on_done: Callback<SetupLink>,
}

/// A local account: e-mail, name and roles; the owner chooses a password with the link.
#[component]
fn CreateUserDialog(props: &CreateUserDialogProps) -> Html {
    let i18n = use_i18n();
    let email = use_state(String::new);
    let name = use_state(String::new);
    let roles = use_state(|| vec!["USER".to_owned()]);
    let saving = use_saving();
    let save = {
        let (email, name, roles, saving, on_done) = (
            email.clone(),
            name.clone(),
            roles.clone(),
            saving.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let input = api::create_user::CreateUserInput {
                email: email.trim().to_owned(),
                display_name: Some(name.trim().to_owned()).filter(|n| !n.is_empty()),
                roles: roles
                    .iter()
                    .filter_map(|r| match r.as_str() {
                        "ADMIN" => Some(api::create_user::Role::ADMIN),
                        "ADMIN_READONLY" => Some(api::create_user::Role::ADMIN_READONLY),
                        "USER" => Some(api::create_user::Role::USER),
                        _ => None,
                    })
                    .collect(),
                limits: None,
            };
            saving.run::<CreateUser>(
                api::create_user::Variables { input },
                on_done.reform(|data: api::create_user::ResponseData| SetupLink {
                    secret: data.create_user.setup_secret,
                    expires_at: data.create_user.expires_at,
                }),
            );
        })
    };
    let footer = saving.footer(
        &i18n,
        "new-user",
        i18n.t("user-create"),
        save,
        &props.on_close,
    );
    html! {
        <Modal id="new-user-dialog" title={i18n.t("user-create")} on_close={props.on_close.clone()} {footer}>
            <div class="pf-v6-c-form">
                { saving.error("new-user") }
                <p class="sy-muted">{ i18n.t("user-create-lead") }</p>
                <div class="pf-v6-c-form__group">
                    <label class="pf-v6-c-form__label" for="new-user-email">{ i18n.t("user-email") }</label>
                    <span class="pf-v6-c-form-control">
                        <input id="new-user-email" type="email" autocomplete="off" value={(*email).clone()} oninput={bind(&email)} />
                    </span>
                </div>
                <div class="pf-v6-c-form__group">
                    <label class="pf-v6-c-form__label" for="new-user-name">{ i18n.t("profile-name") }</label>
                    <span class="pf-v6-c-form-control">
                        <input id="new-user-name" autocomplete="off" value={(*name).clone()} oninput={bind(&name)} />
                    </span>
                </div>
                <fieldset class="sy-fieldset">
                    <legend>{ i18n.t("profile-roles") }</legend>
                    { checks(&i18n, "new-user-role", &ROLES, &roles, false, &toggle_in(&roles)) }
                </fieldset>
            </div>
        </Modal>
    }
}

/// The users list page.
#[component]
pub fn AdminUsersPage() -> Html {
    let i18n = use_i18n();
    let rights = use_rights();
    let currency = use_portal().currency();
    let filters = use_state(Filters::default);
    let search = use_state(String::new);
    let query = use_query::<AdminUsers>(filters.variables());
    let local_accounts = use_portal()
        .data
        .as_ref()
        .is_some_and(|d| d.auth_settings.local_login);
    let creating = use_state(|| false);
    let link = use_state(|| None::<SetupLink>);
    let created = {
        let (creating, link, reload) = (creating.clone(), link.clone(), query.reload.clone());
        Callback::from(move |made: SetupLink| {
            creating.set(false);
            link.set(Some(made));
            reload.emit(());
        })
    };
    let set_filter = |apply: fn(&mut Filters, String)| {
        let filters = filters.clone();
        Callback::from(move |e: Event| {
            let mut next = (*filters).clone();
            apply(&mut next, event_value(&e));
            filters.set(next);
        })
    };
    let apply_search = {
        let (filters, search) = (filters.clone(), search.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut next = (*filters).clone();
            next.search = (*search).clone();
            filters.set(next);
        })
    };
    let roles = ROLES
        .iter()
        .map(|(name, message)| ((*name).to_owned(), i18n.t(message)))
        .collect();
    let states = vec![
        ("true".to_owned(), i18n.t("user-active")),
        ("false".to_owned(), i18n.t("user-inactive")),
    ];
    let content = render(&query, |data: &admin_users::ResponseData| {
        if data.users.nodes.is_empty() {
            return html! { <Empty title="users-empty-title" body={Some(AttrValue::from("users-empty-body"))} /> };
        }
        html! {
            <div class="sy-table-wrap">
                <table class="pf-v6-c-table" id="users-table" aria-label={i18n.t("nav-admin-users")}>
                    <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("queue-user") }</th>
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("profile-roles") }</th>
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-status") }</th>
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("user-spend") }</th>
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("user-last-sign-in") }</th>
                    </tr></thead>
                    <tbody class="pf-v6-c-table__tbody">
                        { for data.users.nodes.iter().map(|u| {
                            let name = shown_name(u.display_name.as_ref(), &u.external_id);
                            html! {
                                <tr class="pf-v6-c-table__tr" key={u.id.clone()} id={format!("user-row-{}", u.id)}>
                                    <td class="pf-v6-c-table__td">
                                        <Link<Route> to={Route::AdminUser { id: u.id.clone() }}>{ &name }</Link<Route>>
                                        if let Some(email) = &u.email { <br /><span class="sy-muted">{ email }</span> }
                                    </td>
                                    <td class="pf-v6-c-table__td">
                                        <div class="pf-v6-c-label-group sy-labels">
                                            { for u.roles.iter().map(|r| label(i18n.t(role_message(&tag(r))), "pf-m-blue")) }
                                        </div>
                                    </td>
                                    <td class="pf-v6-c-table__td">
                                        { if u.active { label(i18n.t("user-active"), "pf-m-green") } else { label(i18n.t("user-inactive"), "pf-m-grey") } }
                                    </td>
                                    <td class="pf-v6-c-table__td">
                                        <BudgetBar spend={u.spend} budget={u.max_budget} currency={currency.clone()} label={i18n.t("user-spend")} />
                                    </td>
                                    <td class="pf-v6-c-table__td">{ u.last_login_at.as_deref().map(format::datetime).unwrap_or_else(|| i18n.t("user-never")) }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        }
    });
    let current = (*filters).clone();
    html! {
        <>
            { admin_header("users-title", i18n.t("nav-admin-users"), i18n.t("users-lead"), &rights) }
            <section class="pf-v6-c-page__main-section">
                <div class="sy-toolbar">
                    <form class="sy-filter sy-filter--search" onsubmit={apply_search} role="search">
                        { text_filter(&i18n, "users-search", "users-search", &search, bind(&search)) }
                    </form>
                    { filter_select(&i18n, "users-role", "profile-roles", &current.role, roles, set_filter(|f, v| f.role = v)) }
                    { filter_select(&i18n, "users-active", "col-status", &current.active, states, set_filter(|f, v| f.active = v)) }
                    if local_accounts {
                        <button class="pf-v6-c-button pf-m-primary" type="button" id="user-new"
                            disabled={!rights.write} title={rights.why_not.clone()}
                            onclick={let creating = creating.clone(); move |_| creating.set(true)}>
                            { i18n.t("user-create") }
                        </button>
                    }
                </div>
                if let Some(data) = &query.data {
                    <p class="sy-muted" id="users-count" aria-live="polite">
                        { i18n.t_with("users-count", &[("count", data.users.total_count.into())]) }
                    </p>
                }
                { content }
            </section>
            if *creating {
                <CreateUserDialog on_close={let creating = creating.clone(); move |()| creating.set(false)} on_done={created} />
            }
            if let Some(made) = &*link {
                <SetupLinkDialog link={made.clone()} on_close={let link = link.clone(); move |()| link.set(None)} />
            }
        </>
    }
}

type User = admin_user::AdminUserUser;
type Fields = BTreeMap<&'static str, String>;

/// The limit fields of the user page, each its message id, and whether it holds money.
const LIMITS: [(&str, bool); 6] = [
    ("user-max-budget", true),
    ("user-soft-budget", true),
    ("user-rpm", false),
    ("user-tpm", false),
    ("user-parallel", false),
    ("user-rpd", false),
];

fn limits_of(user: &User) -> Fields {
    let text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let money = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    Fields::from([
        ("user-max-budget", money(user.max_budget)),
        ("user-soft-budget", money(user.soft_budget)),
        (
            "user-budget-duration",
            user.budget_duration.clone().unwrap_or_default(),
        ),
        ("user-rpm", text(user.rpm_limit)),
        ("user-tpm", text(user.tpm_limit)),
        ("user-parallel", text(user.max_parallel_requests)),
        ("user-rpd", text(user.rpd_limit)),
    ])
}

/// The limits as the API's input (empty fields clear a limit), or the field that is wrong.
fn limits_input(fields: &Fields) -> Result<api::update_user::UserLimitsInput, BadField> {
    let text = |id: &str| {
        fields
            .get(id)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let count = |id: &'static str| parse_number::<i64>(&text(id), id);
    let money = |id: &'static str| parse_number::<f64>(&text(id), id);
    Ok(api::update_user::UserLimitsInput {
        max_budget: money("user-max-budget")?,
        soft_budget: money("user-soft-budget")?,
        budget_duration: Some(text("user-budget-duration")).filter(|d| !d.is_empty()),
        rpm_limit: count("user-rpm")?,
        tpm_limit: count("user-tpm")?,
        max_parallel_requests: count("user-parallel")?,
        rpd_limit: count("user-rpd")?,
    })
}

fn role_input(name: &str) -> Option<api::update_user::Role> {
    match name {
        "ADMIN" => Some(api::update_user::Role::ADMIN),
        "ADMIN_READONLY" => Some(api::update_user::Role::ADMIN_READONLY),
        "USER" => Some(api::update_user::Role::USER),
        _ => None,
    }
}

/// Properties of [`UserSettings`].
#[derive(Properties, PartialEq)]
struct UserSettingsProps {
    user: User,
    on_saved: Callback<()>,
}

/// Roles, budget and limits of one user, saved together.
#[component]
fn UserSettings(props: &UserSettingsProps) -> Html {
    let i18n = use_i18n();
    let rights = use_rights();
    let user = &props.user;
    let roles = use_state(|| user.roles.iter().map(tag).collect::<Vec<_>>());
    let fields = use_state(|| limits_of(user));
    let saving = use_saving();
    let saved = use_saved_toast("user-saved", props.on_saved.clone());
    let onsubmit = {
        let (roles, fields, saving, saved, i18n, id) = (
            roles.clone(),
            fields.clone(),
            saving.clone(),
            saved.clone(),
            i18n.clone(),
            user.id.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match limits_input(&fields) {
                Ok(limits) => saving.run::<UpdateUser>(
                    api::update_user::Variables {
                        id: id.clone(),
                        input: api::update_user::UpdateUserInput {
                            roles: Some(roles.iter().filter_map(|r| role_input(r)).collect()),
                            active: None,
                            limits: Some(limits),
                        },
                    },
                    saved.reform(|_| ()),
                ),
                Err(BadField(field)) => {
                    saving.refuse(i18n.t_with("key-bad-number", &[("field", i18n.t(field).into())]))
                }
            }
        })
    };
    let field = |id: &'static str, decimal: bool| {
        let value = fields.get(id).cloned().unwrap_or_default();
        let handle = fields.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let mut next = (*handle).clone();
            next.insert(id, event_value(&e));
            handle.set(next);
        });
        html! {
            <div class="pf-v6-c-form__group">
                <label class="pf-v6-c-form__label" for={id}>{ i18n.t(id) }</label>
                <span class="pf-v6-c-form-control">
                    <input {id} type={if id == "user-budget-duration" { "text" } else { "number" }} min="0"
                        step={if decimal { "any" } else { "1" }} {value} {oninput} readonly={!rights.write}
                        placeholder={i18n.t("key-unlimited")} />
                </span>
            </div>
        }
    };
    html! {
        <form class="pf-v6-c-form sy-settings" id="user-form" {onsubmit} novalidate=true>
            { saving.error("user") }
            <fieldset class="sy-fieldset" id="user-roles">
                <legend>{ i18n.t("profile-roles") }</legend>
                if user.single_sign_on {
                    <p class="sy-muted">{ i18n.t("user-roles-sso") }</p>
                }
                { checks(&i18n, "user-role", &ROLES, &roles, !rights.write, &toggle_in(&roles)) }
            </fieldset>
            <fieldset class="sy-fieldset" id="user-limits">
                <legend>{ i18n.t("user-limits") }</legend>
                <p class="sy-muted">{ i18n.t("user-limits-lead") }</p>
                <div class="sy-settings-pairs">
                    { for LIMITS.iter().map(|(id, decimal)| field(id, *decimal)) }
                    { field("user-budget-duration", false) }
                </div>
            </fieldset>
            { saving.actions("user", &rights, i18n.t("save")) }
        </form>
    }
}

type Key = admin_user::AdminUserKeysNodes;

/// A key's name as people read it: the one its owner gave it, or its display form.
fn key_name(key: &Key) -> String {
    key.name.clone().unwrap_or_else(|| key.display.clone())
}

/// Properties of [`KeyLimitsDialog`].
#[derive(Properties, PartialEq)]
struct KeyLimitsDialogProps {
    target: Key,
    bounds: Bounds,
    on_close: Callback<()>,
    on_done: Callback<()>,
}

/// The budget and limits of one of the user's keys, in the form the keys page uses; the
/// server holds them to the key policy and its refusal shows here.
#[component]
fn KeyLimitsDialog(props: &KeyLimitsDialogProps) -> Html {
    let i18n = use_i18n();
    let form = use_state(|| LimitsForm::from(&props.target));
    let saving = use_saving();
    let save = {
        let (form, saving, i18n, id, on_done) = (
            form.clone(),
            saving.clone(),
            i18n.clone(),
            props.target.id.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |_: MouseEvent| match form.parse() {
            Ok(limits) => saving.run::<UpdateKey>(
                api::update_key::Variables {
                    id: id.clone(),
                    input: api::update_key::UpdateKeyInput {
                        name: None,
                        model_ids: None,
                        expiry: None,
                        limits: Some(limits.into()),
                    },
                },
                on_done.reform(|_| ()),
            ),
            Err(BadField(field)) => {
                saving.refuse(i18n.t_with("key-bad-number", &[("field", i18n.t(field).into())]))
            }
        })
    };
    let footer = saving.footer(
        &i18n,
        "user-key-limits",
        i18n.t("save"),
        save,
        &props.on_close,
    );
    let title = i18n.t_with(
        "user-key-edit-title",
        &[("key", key_name(&props.target).into())],
    );
    html! {
        <Modal id="user-key-limits-dialog" {title} on_close={props.on_close.clone()} {footer}>
            <div class="pf-v6-c-form">
                { saving.error("user-key-limits") }
                <p class="sy-muted">{ i18n.t("user-key-edit-lead") }</p>
                <LimitsFields form={form.clone()} bounds={props.bounds.clone()} />
            </div>
        </Modal>
    }
}

/// What confirmation is open on a user's page.
#[derive(Clone, PartialEq)]
enum Dialog {
    None,
    Deactivate,
    ResetSpend,
    EditKey { id: String },
    RevokeKey { id: String, name: String },
    Withdraw { id: String, model: String },
    EndSession { id: String, browser: String },
    RevokeToken { id: String, name: String },
}

/// One user's page.
#[derive(Properties, PartialEq)]
pub struct AdminUserPageProps {
    pub id: AttrValue,
}

/// The user page.
#[component]
pub fn AdminUserPage(props: &AdminUserPageProps) -> Html {
    let i18n = use_i18n();
    let rights = use_rights();
    let toasts = use_toasts();
    let currency = use_portal().currency();
    let query = use_query::<AdminUser>(admin_user::Variables {
        id: props.id.to_string(),
    });
    let dialog = use_state(|| Dialog::None);
    let grant_model = use_state(String::new);
    let link = use_state(|| None::<SetupLink>);
    let new_link = use_mutation::<PasswordSetup>({
        let link = link.clone();
        Callback::from(move |data: api::password_setup::ResponseData| {
            link.set(Some(SetupLink {
                secret: data.password_setup.setup_secret,
                expires_at: data.password_setup.expires_at,
            }))
        })
    });
    let done = |message: &'static str| {
        let (dialog, toasts, reload, i18n) = (
            dialog.clone(),
            toasts.clone(),
            query.reload.clone(),
            i18n.clone(),
        );
        Callback::from(move |()| {
            dialog.set(Dialog::None);
            toasts.push.emit(Toast {
                variant: "success",
                title: i18n.t(message),
            });
            reload.emit(());
        })
    };
    let activation = use_mutation::<UpdateUser>(done("user-saved").reform(|_| ()));
    let reset = use_mutation::<ResetUserSpend>(done("user-spend-reset").reform(|_| ()));
    let revoke = use_mutation::<RevokeKey>(done("user-key-revoked").reform(|_| ()));
    let grant = use_mutation::<GrantSubscription>(done("user-granted").reform(|_| ()));
    let withdraw = use_mutation::<WithdrawSubscription>(done("user-withdrawn").reform(|_| ()));
    let end_session = use_mutation::<EndUserSession>(done("user-session-ended").reform(|_| ()));
    let revoke_token = use_mutation::<RevokeUserToken>(done("user-token-revoked").reform(|_| ()));
    use_error_toast(
        activation
            .error
            .clone()
            .or(reset.error.clone())
            .or(revoke.error.clone())
            .or(grant.error.clone())
            .or(withdraw.error.clone())
            .or(end_session.error.clone())
            .or(revoke_token.error.clone())
            .or(new_link.error.clone()),
    );
    let busy = activation.busy
        || reset.busy
        || revoke.busy
        || grant.busy
        || withdraw.busy
        || end_session.busy
        || revoke_token.busy;
    let open = |d: Dialog| {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| dialog.set(d.clone()))
    };
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |()| dialog.set(Dialog::None))
    };
    let set_active = |active: bool| {
        let (run, id) = (activation.run.clone(), props.id.to_string());
        Callback::from(move |()| {
            run.emit(api::update_user::Variables {
                id: id.clone(),
                input: api::update_user::UpdateUserInput {
                    roles: None,
                    active: Some(active),
                    limits: None,
                },
            })
        })
    };
    let view = |data: &admin_user::ResponseData| {
        let user = &data.user;
        let name = shown_name(user.display_name.as_ref(), &user.external_id);
        let subscribed: Vec<&str> = data
            .subscription_queue
            .nodes
            .iter()
            .filter(|s| matches!(tag(&s.status).as_str(), "ACTIVE" | "PENDING"))
            .filter_map(|s| s.model.as_ref().map(|m| m.id.as_str()))
            .collect();
        let grantable: Vec<(String, String)> = data
            .models
            .nodes
            .iter()
            .filter(|m| !subscribed.contains(&m.id.as_str()))
            .map(|m| (m.id.clone(), m.name.clone()))
            .collect();
        let send_grant = {
            let (run, user_id, model) = (grant.run.clone(), user.id.clone(), grant_model.clone());
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                if !model.is_empty() {
                    run.emit(api::grant_subscription::Variables {
                        user_id: user_id.clone(),
                        model_id: (*model).clone(),
                        reason: None,
                    });
                }
            })
        };
        html! {
            <>
                { admin_header("user-title", name.clone(), user.email.clone().unwrap_or_else(|| user.external_id.clone()), &rights) }
                <section class="pf-v6-c-page__main-section sy-user">
                    <p><Link<Route> to={Route::AdminUsers}>{ i18n.t("user-back") }</Link<Route>></p>
                    <dl class="sy-facts" id="user-profile">
                        <dt>{ i18n.t("user-id") }</dt><dd><code>{ &user.external_id }</code></dd>
                        <dt>{ i18n.t("user-sign-in") }</dt>
                        <dd>{ if user.single_sign_on { i18n.t("user-sso") } else { i18n.t("user-local") } }</dd>
                        <dt>{ i18n.t("user-created") }</dt><dd>{ format::datetime(&user.created_at) }</dd>
                        <dt>{ i18n.t("user-last-sign-in") }</dt>
                        <dd>{ user.last_login_at.as_deref().map(format::datetime).unwrap_or_else(|| i18n.t("user-never")) }</dd>
                    </dl>

                    <h2 class="pf-v6-c-title pf-m-lg">{ i18n.t("user-spend") }</h2>
                    <div id="user-spend">
                        <BudgetBar spend={user.spend} budget={user.max_budget} currency={currency.clone()} label={i18n.t("user-spend")} />
                        if let Some(reset_at) = &user.budget_resets_at {
                            <p class="sy-muted">{ i18n.t_with("user-resets", &[("at", format::datetime(reset_at).into())]) }</p>
                        }
                    </div>
                    <div class="sy-actions">
                        <button class="pf-v6-c-button pf-m-secondary" type="button" id="user-reset-spend"
                            disabled={!rights.write || busy} title={rights.why_not.clone()} onclick={open(Dialog::ResetSpend)}>
                            { i18n.t("user-reset-spend") }
                        </button>
                        if !user.single_sign_on {
                            <button class="pf-v6-c-button pf-m-secondary" type="button" id="user-new-link"
                                disabled={!rights.write || busy} title={rights.why_not.clone()}
                                onclick={let (run, id) = (new_link.run.clone(), user.id.clone());
                                    move |_| run.emit(api::password_setup::Variables { user_id: id.clone() })}>
                                { i18n.t("user-new-link") }
                            </button>
                        }
                        if user.active {
                            <button class="pf-v6-c-button pf-m-danger" type="button" id="user-deactivate"
                                disabled={!rights.write || busy} title={rights.why_not.clone()} onclick={open(Dialog::Deactivate)}>
                                { i18n.t("user-deactivate") }
                            </button>
                        } else {
                            <button class="pf-v6-c-button pf-m-primary" type="button" id="user-reactivate"
                                disabled={!rights.write || busy} title={rights.why_not.clone()}
                                onclick={let activate = set_active(true); move |_| activate.emit(())}>
                                { i18n.t("user-reactivate") }
                            </button>
                        }
                    </div>
                    <p class="sy-muted" id="user-status">
                        { if user.active { i18n.t("user-active-means") } else { i18n.t("user-inactive-means") } }
                    </p>

                    <UserSettings key={format!("{}-{}", user.id, query_generation(user))} user={user.clone()} on_saved={query.reload.clone()} />

                    <h2 class="pf-v6-c-title pf-m-lg">{ i18n.t("nav-keys") }</h2>
                    { keys_table(&i18n, &data.keys.nodes, &rights, &currency, &open) }

                    <h2 class="pf-v6-c-title pf-m-lg">{ i18n.t("nav-subscriptions") }</h2>
                    { subscriptions_table(&i18n, &data.subscription_queue.nodes, &rights, &open) }
                    <form class="sy-toolbar" id="user-grant" onsubmit={send_grant}>
                        { filter_select(&i18n, "user-grant-model", "user-grant-model", &grant_model, grantable,
                            { let model = grant_model.clone(); Callback::from(move |e: Event| model.set(event_value(&e))) }) }
                        <button class="pf-v6-c-button pf-m-secondary" type="submit" id="user-grant-send"
                            disabled={!rights.write || busy || grant_model.is_empty()} title={rights.why_not.clone()}>
                            { i18n.t("user-grant") }
                        </button>
                    </form>

                    <h2 class="pf-v6-c-title pf-m-lg">{ i18n.t("sessions") }</h2>
                    if data.user_sessions.is_empty() {
                        <p class="sy-muted" id="user-sessions">{ i18n.t("user-no-sessions") }</p>
                    } else {
                        <ul class="sy-list" id="user-sessions">
                            { for data.user_sessions.iter().map(|s| {
                                let browser = s.user_agent.clone().unwrap_or_default();
                                // What the confirmation names it by: its browser, else its address.
                                let shown = [&s.user_agent, &s.ip]
                                    .into_iter()
                                    .flatten()
                                    .find(|v| !v.is_empty())
                                    .cloned()
                                    .unwrap_or_else(|| i18n.t("session-browser"));
                                let end = i18n.t("user-session-end");
                                html! {
                                    <li key={s.id.clone()}>
                                        { &browser }{ " · " }{ s.ip.clone().unwrap_or_default() }{ " · " }
                                        { i18n.t_with("user-session-seen", &[("at", format::datetime(&s.last_seen_at).into())]) }{ " " }
                                        <button class="pf-v6-c-button pf-m-link pf-m-inline pf-m-danger" type="button"
                                            id={format!("user-session-end-{}", s.id)} aria-label={format!("{end}: {shown}")}
                                            disabled={!rights.write || busy} title={rights.why_not.clone()}
                                            onclick={open(Dialog::EndSession { id: s.id.clone(), browser: shown.clone() })}>{ end.clone() }</button>
                                    </li>
                                }
                            }) }
                        </ul>
                    }
                    <h2 class="pf-v6-c-title pf-m-lg">{ i18n.t("tokens") }</h2>
                    if data.user_tokens.is_empty() {
                        <p class="sy-muted" id="user-tokens">{ i18n.t("user-no-tokens") }</p>
                    } else {
                        <ul class="sy-list" id="user-tokens">
                            { for data.user_tokens.iter().map(|t| {
                                let revoke = i18n.t("token-revoke");
                                html! {
                                    <li key={t.id.clone()} id={format!("user-token-{}", t.id)}>
                                        <strong>{ &t.name }</strong>{ " · " }
                                        { if t.can_write { i18n.t("token-read-write") } else { i18n.t("token-read-only") } }
                                        if t.revoked_at.is_some() {
                                            { " · " }{ i18n.t("revoked") }
                                        } else {
                                            { " " }
                                            <button class="pf-v6-c-button pf-m-link pf-m-inline pf-m-danger" type="button"
                                                id={format!("user-token-revoke-{}", t.id)} aria-label={format!("{revoke}: {}", t.name)}
                                                disabled={!rights.write || busy} title={rights.why_not.clone()}
                                                onclick={open(Dialog::RevokeToken { id: t.id.clone(), name: t.name.clone() })}>{ revoke.clone() }</button>
                                        }
                                    </li>
                                }
                            }) }
                        </ul>
                    }
                </section>
            </>
        }
    };
    let content = match (&query.data, &query.error) {
        (Some(data), _) => view(data),
        _ => html! {
            <section class="pf-v6-c-page__main-section">{ render(&query, |_| html! {}) }</section>
        },
    };
    let user_name = query
        .data
        .as_ref()
        .map(|d| shown_name(d.user.display_name.as_ref(), &d.user.external_id))
        .unwrap_or_default();
    let confirm = match &*dialog {
        Dialog::None => html! {},
        Dialog::Deactivate => html! {
            <Confirm id="user-deactivate-dialog" title={i18n.t("user-deactivate")} danger=true busy={busy}
                body={i18n.t_with("user-deactivate-body", &[("name", user_name.clone().into())])}
                confirm={i18n.t("user-deactivate")} on_confirm={set_active(false)} on_cancel={close.clone()} />
        },
        Dialog::ResetSpend => {
            let (run, id) = (reset.run.clone(), props.id.to_string());
            html! {
                <Confirm id="user-reset-dialog" title={i18n.t("user-reset-spend")} busy={busy}
                    body={i18n.t_with("user-reset-body", &[("name", user_name.clone().into())])}
                    confirm={i18n.t("user-reset-spend")} on_cancel={close.clone()}
                    on_confirm={Callback::from(move |()| run.emit(api::reset_user_spend::Variables { id: id.clone() }))} />
            }
        }
        Dialog::RevokeKey { id, name } => {
            let (run, id) = (revoke.run.clone(), id.clone());
            html! {
                <Confirm id="user-revoke-dialog" title={i18n.t("key-revoke")} danger=true busy={busy}
                    body={i18n.t_with("user-revoke-body", &[("key", name.clone().into()), ("name", user_name.clone().into())])}
                    confirm={i18n.t("key-revoke")} on_cancel={close.clone()}
                    on_confirm={Callback::from(move |()| run.emit(api::revoke_key::Variables { id: id.clone() }))} />
            }
        }
        Dialog::EditKey { id } => {
            let found = query.data.as_ref().and_then(|data| {
                let key = data.keys.nodes.iter().find(|k| &k.id == id)?;
                Some((key.clone(), Bounds::from(&data.key_policy)))
            });
            match found {
                Some((target, bounds)) => html! {
                    <KeyLimitsDialog {target} {bounds} on_close={close.clone()} on_done={done("user-key-saved")} />
                },
                None => html! {},
            }
        }
        Dialog::EndSession { id, browser } => {
            let (run, user_id, id) = (end_session.run.clone(), props.id.to_string(), id.clone());
            html! {
                <Confirm id="user-session-dialog" title={i18n.t("user-session-end")} danger=true busy={busy}
                    body={i18n.t_with("user-session-end-body", &[("name", user_name.clone().into()), ("browser", browser.clone().into())])}
                    confirm={i18n.t("user-session-end")} on_cancel={close.clone()}
                    on_confirm={Callback::from(move |()| run.emit(api::end_user_session::Variables { user_id: user_id.clone(), id: id.clone() }))} />
            }
        }
        Dialog::RevokeToken { id, name } => {
            let (run, user_id, id) = (revoke_token.run.clone(), props.id.to_string(), id.clone());
            html! {
                <Confirm id="user-token-dialog" title={i18n.t("token-revoke")} danger=true busy={busy}
                    body={i18n.t_with("user-token-revoke-body", &[("name", user_name.clone().into()), ("token", name.clone().into())])}
                    confirm={i18n.t("token-revoke")} on_cancel={close.clone()}
                    on_confirm={Callback::from(move |()| run.emit(api::revoke_user_token::Variables { user_id: user_id.clone(), id: id.clone() }))} />
            }
        }
        Dialog::Withdraw { id, model } => {
            let (run, id) = (withdraw.run.clone(), id.clone());
            html! {
                <Confirm id="user-withdraw-dialog" title={i18n.t("user-withdraw")} danger=true busy={busy}
                    body={i18n.t_with("user-withdraw-body", &[("model", model.clone().into()), ("name", user_name.clone().into())])}
                    confirm={i18n.t("user-withdraw")} on_cancel={close.clone()}
                    on_confirm={Callback::from(move |()| run.emit(api::withdraw_subscription::Variables { id: id.clone(), reason: None }))} />
            }
        }
    };
    let handover = match &*link {
        Some(made) => html! {
            <SetupLinkDialog link={made.clone()} on_close={let link = link.clone(); move |()| link.set(None)} />
        },
        None => html! {},
    };
    html! { <>{ content }{ confirm }{ handover }</> }
}

/// What makes the settings form start again from the stored values after a save.
fn query_generation(user: &User) -> String {
    format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
        user.roles,
        user.max_budget,
        user.soft_budget,
        user.budget_duration,
        user.rpm_limit,
        user.tpm_limit,
        user.max_parallel_requests,
        user.rpd_limit
    )
}

fn keys_table(
    i18n: &I18n,
    keys: &[Key],
    rights: &Rights,
    currency: &str,
    open: &dyn Fn(Dialog) -> Callback<MouseEvent>,
) -> Html {
    if keys.is_empty() {
        return html! { <p class="sy-muted" id="user-keys">{ i18n.t("user-no-keys") }</p> };
    }
    html! {
        <div class="sy-table-wrap">
            <table class="pf-v6-c-table pf-m-compact" id="user-keys" aria-label={i18n.t("nav-keys")}>
                <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("key-name") }</th>
                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("key-models") }</th>
                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("user-spend") }</th>
                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-status") }</th>
                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-actions") }</th>
                </tr></thead>
                <tbody class="pf-v6-c-table__tbody">
                    { for keys.iter().map(|k| {
                        let name = key_name(k);
                        html! {
                            <tr class="pf-v6-c-table__tr" key={k.id.clone()} id={format!("user-key-{}", k.id)}>
                                <td class="pf-v6-c-table__td">{ &name }<br /><code class="sy-muted">{ &k.display }</code></td>
                                <td class="pf-v6-c-table__td">{ k.models.join(", ") }</td>
                                <td class="pf-v6-c-table__td">{ format::money(k.spend, currency) }</td>
                                <td class="pf-v6-c-table__td">
                                    { if k.blocked { label(i18n.t("revoked"), "pf-m-grey") } else { label(i18n.t("user-active"), "pf-m-green") } }
                                </td>
                                <td class="pf-v6-c-table__td sy-actions">
                                    <button class="pf-v6-c-button pf-m-secondary pf-m-small" type="button" id={format!("user-key-edit-{}", k.id)}
                                        aria-label={format!("{}: {name}", i18n.t("user-key-edit"))}
                                        disabled={!rights.write} title={rights.why_not.clone()}
                                        onclick={open(Dialog::EditKey { id: k.id.clone() })}>{ i18n.t("user-key-edit") }</button>
                                    if !k.blocked {
                                        <button class="pf-v6-c-button pf-m-danger pf-m-small" type="button" id={format!("user-key-revoke-{}", k.id)}
                                            disabled={!rights.write} title={rights.why_not.clone()}
                                            onclick={open(Dialog::RevokeKey { id: k.id.clone(), name: name.clone() })}>{ i18n.t("key-revoke") }</button>
                                    }
                                </td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn subscriptions_table(
    i18n: &I18n,
    subscriptions: &[admin_user::AdminUserSubscriptionQueueNodes],
    rights: &Rights,
    open: &dyn Fn(Dialog) -> Callback<MouseEvent>,
) -> Html {
    if subscriptions.is_empty() {
        return html! { <p class="sy-muted" id="user-subscriptions">{ i18n.t("user-no-subscriptions") }</p> };
    }
    html! {
        <div class="sy-table-wrap">
            <table class="pf-v6-c-table pf-m-compact" id="user-subscriptions" aria-label={i18n.t("nav-subscriptions")}>
                <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-model") }</th>
                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-status") }</th>
                    <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-actions") }</th>
                </tr></thead>
                <tbody class="pf-v6-c-table__tbody">
                    { for subscriptions.iter().map(|s| {
                        let status = tag(&s.status);
                        let (message, colour) = status_badge(&status);
                        let model = s.model.as_ref().map(|m| m.name.clone()).unwrap_or_default();
                        html! {
                            <tr class="pf-v6-c-table__tr" key={s.id.clone()} id={format!("user-subscription-{}", model.replace('/', "-"))}>
                                <td class="pf-v6-c-table__td">{ &model }</td>
                                <td class="pf-v6-c-table__td">
                                    { label(i18n.t(message), colour) }
                                    if let Some(reason) = &s.reason { <p class="sy-muted">{ reason }</p> }
                                </td>
                                <td class="pf-v6-c-table__td">
                                    if matches!(status.as_str(), "ACTIVE" | "PENDING") {
                                        <button class="pf-v6-c-button pf-m-danger pf-m-small" type="button"
                                            id={format!("user-withdraw-{}", model.replace('/', "-"))}
                                            disabled={!rights.write} title={rights.why_not.clone()}
                                            onclick={open(Dialog::Withdraw { id: s.id.clone(), model: model.clone() })}>{ i18n.t("user-withdraw") }</button>
                                    }
                                </td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_the_users_query() {
        let filters = Filters {
            search: "  ana ".into(),
            role: "ADMIN_READONLY".into(),
            active: "false".into(),
        };
        let variables = filters.variables();
        assert_eq!(variables.search.as_deref(), Some("ana"));
        assert_eq!(variables.role, Some(admin_users::Role::ADMIN_READONLY));
        assert_eq!(variables.active, Some(false));
        let all = Filters::default().variables();
        assert_eq!((all.search, all.role, all.active), (None, None, None));
    }

    #[test]
    fn empty_limits_clear_and_bad_ones_are_named() {
        let mut fields = Fields::from([
            ("user-max-budget", "25.5".to_owned()),
            ("user-rpm", "60".to_owned()),
            ("user-tpm", String::new()),
        ]);
        let limits = limits_input(&fields).unwrap();
        assert_eq!(limits.max_budget, Some(25.5));
        assert_eq!(limits.rpm_limit, Some(60));
        assert_eq!(limits.tpm_limit, None);
        assert_eq!(limits.budget_duration, None);
        fields.insert("user-rpd", "-1".into());
        assert_eq!(limits_input(&fields).err(), Some(BadField("user-rpd")));
    }
}
