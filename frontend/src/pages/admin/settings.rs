//! Platform settings: the key policy (keys per user, expiry and limit defaults and maximums),
//! the currency, and what every new user starts with; each field says what it does. One
//! form, saved at once; the key dialog of every user follows the policy from then on.

use std::collections::BTreeMap;

use yew::prelude::*;

use crate::api::{self, AdminSettings, SaveSettings, admin_settings, save_settings};
use crate::components::key_limits::{BadField, parse_number};
use crate::components::states::render;
use crate::hooks::use_query;
use crate::i18n::use_i18n;
use crate::pages::admin::{admin_header, use_rights, use_saved_toast, use_saving};
use crate::pages::event_value;

/// The key policy's fields after the cap on keys, default and maximum side by side: each
/// field's id (also its message id; `{id}-help` explains it) and whether it holds money (a
/// decimal) rather than a count.
const POLICY: &[(&str, bool)] = &[
    ("policy-default-expiry", false),
    ("policy-max-expiry", false),
    ("policy-default-budget", true),
    ("policy-max-budget", true),
    ("policy-default-rpm", false),
    ("policy-max-rpm", false),
    ("policy-default-tpm", false),
    ("policy-max-tpm", false),
    ("policy-default-parallel", false),
    ("policy-max-parallel", false),
    ("policy-default-rpd", false),
    ("policy-max-rpd", false),
];
/// The new-user limits after the budget and its period.
const NEW_USER_LIMITS: &[&str] = &[
    "new-user-rpm",
    "new-user-tpm",
    "new-user-parallel",
    "new-user-rpd",
];

type Form = BTreeMap<&'static str, String>;

fn text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The form filled from the stored settings.
fn form_of(data: &admin_settings::ResponseData) -> Form {
    let (s, p) = (&data.platform_settings, &data.key_policy);
    BTreeMap::from([
        ("currency", s.currency.clone()),
        ("new-user-budget", text(s.new_user_max_budget)),
        (
            "new-user-duration",
            s.new_user_budget_duration.clone().unwrap_or_default(),
        ),
        ("new-user-rpm", text(s.new_user_rpm_limit)),
        ("new-user-tpm", text(s.new_user_tpm_limit)),
        ("new-user-parallel", text(s.new_user_max_parallel_requests)),
        ("new-user-rpd", text(s.new_user_rpd_limit)),
        ("policy-max-keys", p.max_keys_per_user.to_string()),
        ("policy-default-expiry", text(p.default_expiry_days)),
        ("policy-max-expiry", text(p.max_expiry_days)),
        ("policy-default-budget", text(p.default_max_budget)),
        ("policy-max-budget", text(p.max_budget)),
        ("policy-default-rpm", text(p.default_rpm_limit)),
        ("policy-max-rpm", text(p.max_rpm_limit)),
        ("policy-default-tpm", text(p.default_tpm_limit)),
        ("policy-max-tpm", text(p.max_tpm_limit)),
        (
            "policy-default-parallel",
            text(p.default_max_parallel_requests),
        ),
        ("policy-max-parallel", text(p.max_parallel_requests)),
        ("policy-default-rpd", text(p.default_rpd_limit)),
        ("policy-max-rpd", text(p.max_rpd_limit)),
    ])
}

/// The form as the API's input, or the first field that is not a number.
fn variables_of(form: &Form) -> Result<save_settings::Variables, BadField> {
    let field = |id: &'static str| form.get(id).map(String::as_str).unwrap_or_default();
    let count = |id: &'static str| parse_number::<i64>(field(id), id);
    let money = |id: &'static str| parse_number::<f64>(field(id), id);
    Ok(save_settings::Variables {
        settings: save_settings::PlatformSettingsInput {
            currency: field("currency").trim().to_uppercase(),
            new_user_max_budget: money("new-user-budget")?,
            new_user_budget_duration: Some(field("new-user-duration").trim().to_owned())
                .filter(|d| !d.is_empty()),
            new_user_rpm_limit: count("new-user-rpm")?,
            new_user_tpm_limit: count("new-user-tpm")?,
            new_user_max_parallel_requests: count("new-user-parallel")?,
            new_user_rpd_limit: count("new-user-rpd")?,
        },
        policy: save_settings::KeyPolicyInput {
            max_keys_per_user: count("policy-max-keys")?.ok_or(BadField("policy-max-keys"))?,
            default_expiry_days: count("policy-default-expiry")?,
            max_expiry_days: count("policy-max-expiry")?,
            default_max_budget: money("policy-default-budget")?,
            max_budget: money("policy-max-budget")?,
            default_rpm_limit: count("policy-default-rpm")?,
            max_rpm_limit: count("policy-max-rpm")?,
            default_tpm_limit: count("policy-default-tpm")?,
            max_tpm_limit: count("policy-max-tpm")?,
            default_max_parallel_requests: count("policy-default-parallel")?,
            max_parallel_requests: count("policy-max-parallel")?,
            default_rpd_limit: count("policy-default-rpd")?,
            max_rpd_limit: count("policy-max-rpd")?,
        },
    })
}

/// Properties of [`SettingsForm`].
#[derive(Properties, PartialEq)]
struct SettingsFormProps {
    stored: Form,
    on_saved: Callback<()>,
}

/// The settings form over what is stored.
#[component]
fn SettingsForm(props: &SettingsFormProps) -> Html {
    let i18n = use_i18n();
    let rights = use_rights();
    let form = use_state(|| props.stored.clone());
    let saving = use_saving();
    let saved = use_saved_toast("settings-saved", props.on_saved.clone());
    let field = |id: &'static str, decimal: bool| {
        let value = form.get(id).cloned().unwrap_or_default();
        let form = form.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let mut next = (*form).clone();
            next.insert(id, event_value(&e));
            form.set(next);
        });
        html! {
            <div class="pf-v6-c-form__group">
                <label class="pf-v6-c-form__label" for={id}>{ i18n.t(id) }</label>
                <span class="pf-v6-c-form-control">
                    <input {id} type={if id == "currency" || id == "new-user-duration" { "text" } else { "number" }}
                        min="0" step={if decimal { "any" } else { "1" }} {value} {oninput}
                        readonly={!rights.write} placeholder={i18n.t("settings-none")}
                        aria-describedby={format!("{id}-help")} />
                </span>
                <p class="pf-v6-c-form__helper-text" id={format!("{id}-help")}>{ i18n.t(&format!("{id}-help")) }</p>
            </div>
        }
    };
    let onsubmit = {
        let (form, saving, saved, i18n) =
            (form.clone(), saving.clone(), saved.clone(), i18n.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match variables_of(&form) {
                Ok(variables) => {
                    let save = api::run::<SaveSettings>(variables);
                    saving.run_all(async move { save.await.map(|_| ()) }, saved.clone());
                }
                Err(BadField(field)) => {
                    let field = i18n.t(field);
                    saving.refuse(i18n.t_with("key-bad-number", &[("field", field.into())]));
                }
            }
        })
    };
    html! {
        <form class="pf-v6-c-form sy-settings" id="settings-form" {onsubmit} novalidate=true>
            { saving.error("settings") }
            <fieldset class="sy-fieldset" id="settings-policy">
                <legend>{ i18n.t("settings-key-policy") }</legend>
                <p class="sy-muted">{ i18n.t("settings-key-policy-lead") }</p>
                { field("policy-max-keys", false) }
                <div class="sy-settings-pairs">
                    { for POLICY.iter().map(|(id, decimal)| field(id, *decimal)) }
                </div>
            </fieldset>
            <fieldset class="sy-fieldset" id="settings-platform">
                <legend>{ i18n.t("settings-platform") }</legend>
                { field("currency", false) }
            </fieldset>
            <fieldset class="sy-fieldset" id="settings-new-users">
                <legend>{ i18n.t("settings-new-users") }</legend>
                <p class="sy-muted">{ i18n.t("settings-new-users-lead") }</p>
                <div class="sy-settings-pairs">
                    { field("new-user-budget", true) }
                    { field("new-user-duration", false) }
                    { for NEW_USER_LIMITS.iter().map(|id| field(id, false)) }
                </div>
            </fieldset>
            { saving.actions("settings", &rights, i18n.t("save")) }
        </form>
    }
}

/// The settings page.
#[component]
pub fn AdminSettingsPage() -> Html {
    let i18n = use_i18n();
    let rights = use_rights();
    let query = use_query::<AdminSettings>(admin_settings::Variables);
    let saved = query.reload.clone();
    let content = render(&query, |data| {
        let stored = form_of(data);
        // A new key after each save, so the form starts again from what was stored.
        let key = stored.values().cloned().collect::<Vec<_>>().join("\u{1f}");
        html! { <SettingsForm {key} {stored} on_saved={saved.clone()} /> }
    });
    html! {
        <>
            { admin_header("settings-title", i18n.t("nav-admin-settings"), i18n.t("settings-lead"), &rights) }
            <section class="pf-v6-c-page__main-section">{ content }</section>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> admin_settings::ResponseData {
        serde_json::from_value(serde_json::json!({
            "platformSettings": {
                "currency": "EUR", "newUserMaxBudget": 25.5, "newUserBudgetDuration": "monthly",
                "newUserRpmLimit": null, "newUserTpmLimit": 1000, "newUserMaxParallelRequests": null,
                "newUserRpdLimit": null
            },
            "keyPolicy": {
                "maxKeysPerUser": 10, "defaultExpiryDays": 90, "maxExpiryDays": null,
                "defaultMaxBudget": null, "maxBudget": 100.0, "defaultRpmLimit": null,
                "maxRpmLimit": 600, "defaultTpmLimit": null, "maxTpmLimit": null,
                "defaultMaxParallelRequests": null, "maxParallelRequests": null,
                "defaultRpdLimit": null, "maxRpdLimit": null
            }
        }))
        .unwrap()
    }

    #[test]
    fn the_stored_settings_survive_the_form_unchanged() {
        let variables = variables_of(&form_of(&stored())).unwrap();
        assert_eq!(variables.settings.currency, "EUR");
        assert_eq!(variables.settings.new_user_max_budget, Some(25.5));
        assert_eq!(
            variables.settings.new_user_budget_duration.as_deref(),
            Some("monthly")
        );
        assert_eq!(variables.settings.new_user_tpm_limit, Some(1000));
        assert_eq!(variables.settings.new_user_rpm_limit, None);
        assert_eq!(variables.policy.max_keys_per_user, 10);
        assert_eq!(variables.policy.default_expiry_days, Some(90));
        assert_eq!(variables.policy.max_budget, Some(100.0));
        assert_eq!(variables.policy.max_rpm_limit, Some(600));
        assert_eq!(variables.policy.max_expiry_days, None);
    }

    #[test]
    fn a_field_that_is_not_a_number_is_named() {
        let mut form = form_of(&stored());
        form.insert("policy-max-rpm", "lots".into());
        assert_eq!(variables_of(&form).err(), Some(BadField("policy-max-rpm")));
        form.insert("policy-max-rpm", String::new());
        form.insert("policy-max-keys", String::new());
        assert_eq!(variables_of(&form).err(), Some(BadField("policy-max-keys")));
    }
}
