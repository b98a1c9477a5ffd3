//! A key's budget and limits as a form: what was typed, how it becomes each operation's
//! input, and the fields with the key policy's defaults as placeholders and maximums as
//! bounds. One form for the keys page (create, edit) and for an administrator changing the
//! limits of someone's key on the user page; the server enforces the policy either way.

use yew::prelude::*;

use crate::api::{admin_user, create_key, keys, update_key};
use crate::components::preset_select::PresetSelect;
use crate::i18n::use_i18n;
use crate::pages::event_value;

/// Why a number field was refused: its message id.
#[derive(Debug, PartialEq)]
pub struct BadField(pub &'static str);

/// A number typed into `field`: empty is none; anything else must parse and be ≥ 0.
pub fn parse_number<T: std::str::FromStr + PartialOrd + Default>(
    text: &str,
    field: &'static str,
) -> Result<Option<T>, BadField> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<T>() {
        Ok(v) if v >= T::default() => Ok(Some(v)),
        _ => Err(BadField(field)),
    }
}

/// The key policy's defaults and maximums, as the fields show them (none: no default, no
/// maximum).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bounds {
    pub default_max_budget: Option<f64>,
    pub max_budget: Option<f64>,
    pub default_rpm: Option<i64>,
    pub max_rpm: Option<i64>,
    pub default_tpm: Option<i64>,
    pub max_tpm: Option<i64>,
    pub default_parallel: Option<i64>,
    pub max_parallel: Option<i64>,
    pub default_rpd: Option<i64>,
    pub max_rpd: Option<i64>,
}

/// The bounds out of each operation's own generated `KeyPolicy` type.
macro_rules! bounds_from {
    ($($policy:ty),*) => {$(
        impl From<&$policy> for Bounds {
            fn from(p: &$policy) -> Self {
                Self {
                    default_max_budget: p.default_max_budget,
                    max_budget: p.max_budget,
                    default_rpm: p.default_rpm_limit,
                    max_rpm: p.max_rpm_limit,
                    default_tpm: p.default_tpm_limit,
                    max_tpm: p.max_tpm_limit,
                    default_parallel: p.default_max_parallel_requests,
                    max_parallel: p.max_parallel_requests,
                    default_rpd: p.default_rpd_limit,
                    max_rpd: p.max_rpd_limit,
                }
            }
        }
    )*};
}

bounds_from!(keys::KeysKeyPolicy, admin_user::AdminUserKeyPolicy);

/// The form's limits, as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LimitsForm {
    pub max_budget: String,
    pub soft_budget: String,
    pub budget_duration: String,
    pub rpm: String,
    pub tpm: String,
    pub parallel: String,
    pub rpd: String,
}

/// A key's stored limits as the form starts from them, out of each query's own key type.
macro_rules! form_from {
    ($($key:ty),*) => {$(
        impl From<&$key> for LimitsForm {
            fn from(key: &$key) -> Self {
                let text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
                let money = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
                Self {
                    max_budget: money(key.max_budget),
                    soft_budget: money(key.soft_budget),
                    budget_duration: key.budget_duration.clone().unwrap_or_default(),
                    rpm: text(key.rpm_limit),
                    tpm: text(key.tpm_limit),
                    parallel: text(key.max_parallel_requests),
                    rpd: text(key.rpd_limit),
                }
            }
        }
    )*};
}

form_from!(keys::KeysMyKeysNodes, admin_user::AdminUserKeysNodes);

/// Limits parsed once, converted to each operation's generated input type.
pub struct Limits {
    max_budget: Option<f64>,
    soft_budget: Option<f64>,
    budget_duration: Option<String>,
    rpm: Option<i64>,
    tpm: Option<i64>,
    parallel: Option<i64>,
    rpd: Option<i64>,
}

impl LimitsForm {
    /// The limits for the API (empty fields left out: the policy's default), or the first
    /// field that is not a number.
    pub fn parse(&self) -> Result<Limits, BadField> {
        Ok(Limits {
            max_budget: parse_number(&self.max_budget, "key-budget")?,
            soft_budget: parse_number(&self.soft_budget, "key-soft-budget")?,
            budget_duration: Some(self.budget_duration.clone()).filter(|d| !d.is_empty()),
            rpm: parse_number(&self.rpm, "key-rpm")?,
            tpm: parse_number(&self.tpm, "key-tpm")?,
            parallel: parse_number(&self.parallel, "key-parallel")?,
            rpd: parse_number(&self.rpd, "key-rpd")?,
        })
    }
}

/// The same limits in each operation's own generated input type.
macro_rules! limits_input {
    ($($input:ty),*) => {$(
        impl From<Limits> for $input {
            fn from(l: Limits) -> Self {
                Self {
                    max_budget: l.max_budget,
                    soft_budget: l.soft_budget,
                    budget_duration: l.budget_duration,
                    rpm_limit: l.rpm,
                    tpm_limit: l.tpm,
                    max_parallel_requests: l.parallel,
                    rpd_limit: l.rpd,
                }
            }
        }
    )*};
}

limits_input!(create_key::KeyLimitsInput, update_key::KeyLimitsInput);

/// Properties of [`LimitsFields`].
#[derive(Properties, PartialEq)]
pub struct LimitsFieldsProps {
    pub form: UseStateHandle<LimitsForm>,
    pub bounds: Bounds,
}

/// Budget and limit fields (ids `key-budget`, `key-rpm`, …), with the policy's defaults as
/// placeholders and maximums as bounds.
#[component]
pub fn LimitsFields(props: &LimitsFieldsProps) -> Html {
    let i18n = use_i18n();
    let bounds = &props.bounds;
    let field = |id: &'static str,
                 value: String,
                 placeholder: Option<String>,
                 max: Option<String>,
                 set: fn(&mut LimitsForm, String)| {
        let form = props.form.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let mut next = (*form).clone();
            set(&mut next, event_value(&e));
            form.set(next);
        });
        let hint = max
            .clone()
            .map(|m| i18n.t_with("key-max", &[("max", m.into())]));
        html! {
            <div class="pf-v6-c-form__group">
                <label class="pf-v6-c-form__label" for={id}>{ i18n.t(id) }</label>
                <span class="pf-v6-c-form-control">
                    <input {id} type="number" min="0" step="any" {value} {oninput}
                        placeholder={placeholder.unwrap_or_else(|| i18n.t("key-unlimited"))} max={max}
                        aria-describedby={hint.is_some().then(|| format!("{id}-hint"))} />
                </span>
                if let Some(hint) = hint {
                    <p class="pf-v6-c-form__helper-text" id={format!("{id}-hint")}>{ hint }</p>
                }
            </div>
        }
    };
    let text = |v: Option<i64>| v.map(|v| v.to_string());
    let money = |v: Option<f64>| v.map(|v| v.to_string());
    let form = &*props.form;
    let duration = {
        let form_handle = props.form.clone();
        let onchange = Callback::from(move |value: String| {
            let mut next = (*form_handle).clone();
            next.budget_duration = value;
            form_handle.set(next);
        });
        html! {
            <PresetSelect id="key-budget-duration" label="key-budget-duration" {onchange}
                value={form.budget_duration.clone()}
                options={vec![("", "key-budget-never-resets"), ("daily", "period-daily"), ("weekly", "period-weekly"), ("monthly", "period-monthly")]} />
        }
    };
    html! {
        <fieldset class="sy-fieldset">
            <legend>{ i18n.t("key-limits") }</legend>
            { field("key-budget", form.max_budget.clone(), money(bounds.default_max_budget), money(bounds.max_budget), |f, v| f.max_budget = v) }
            { field("key-soft-budget", form.soft_budget.clone(), None, None, |f, v| f.soft_budget = v) }
            { duration }
            { field("key-rpm", form.rpm.clone(), text(bounds.default_rpm), text(bounds.max_rpm), |f, v| f.rpm = v) }
            { field("key-tpm", form.tpm.clone(), text(bounds.default_tpm), text(bounds.max_tpm), |f, v| f.tpm = v) }
            { field("key-parallel", form.parallel.clone(), text(bounds.default_parallel), text(bounds.max_parallel), |f, v| f.parallel = v) }
            { field("key-rpd", form.rpd.clone(), text(bounds.default_rpd), text(bounds.max_rpd), |f, v| f.rpd = v) }
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_optional_non_negative_and_named_when_wrong() {
        assert_eq!(parse_number::<f64>("", "key-budget"), Ok(None));
        assert_eq!(parse_number::<f64>(" 2.5 ", "key-budget"), Ok(Some(2.5)));
        assert_eq!(parse_number::<i64>("60", "key-rpm"), Ok(Some(60)));
        assert_eq!(
            parse_number::<i64>("1.5", "key-rpm"),
            Err(BadField("key-rpm"))
        );
        assert_eq!(
            parse_number::<i64>("-1", "key-rpm"),
            Err(BadField("key-rpm"))
        );
        assert_eq!(
            parse_number::<f64>("ten", "key-budget"),
            Err(BadField("key-budget"))
        );
    }

    #[test]
    fn the_form_becomes_the_update_input_and_names_a_bad_field() {
        let form = LimitsForm {
            soft_budget: "4.5".into(),
            rpm: " 30 ".into(),
            budget_duration: "weekly".into(),
            ..LimitsForm::default()
        };
        let input: update_key::KeyLimitsInput = form.parse().unwrap().into();
        assert_eq!(input.rpm_limit, Some(30));
        assert_eq!(input.soft_budget, Some(4.5));
        assert_eq!(input.budget_duration.as_deref(), Some("weekly"));
        assert_eq!((input.max_budget, input.tpm_limit), (None, None));
        let bad = LimitsForm {
            parallel: "two".into(),
            ..LimitsForm::default()
        };
        assert_eq!(bad.parse().err(), Some(BadField("key-parallel")));
    }
}
