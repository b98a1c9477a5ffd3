//! A labelled select over a fixed list of presets whose labels are message ids (expiry, grace
//! periods, budget periods): one place for the markup pages repeated.

use yew::prelude::*;

use crate::i18n::use_i18n;
use crate::pages::event_value;

/// Properties of [`PresetSelect`].
#[derive(Properties, PartialEq)]
pub struct PresetSelectProps {
    pub id: AttrValue,
    /// The label's message id.
    pub label: AttrValue,
    /// `(value, message id)` pairs, in order.
    pub options: Vec<(&'static str, &'static str)>,
    /// The selected value.
    pub value: AttrValue,
    pub onchange: Callback<String>,
    /// Help under the field, already translated.
    #[prop_or_default]
    pub help: Option<AttrValue>,
}

/// The select.
#[component]
pub fn PresetSelect(props: &PresetSelectProps) -> Html {
    let i18n = use_i18n();
    let onchange = props.onchange.reform(|e: Event| event_value(&e));
    html! {
        <div class="pf-v6-c-form__group">
            <label class="pf-v6-c-form__label" for={props.id.clone()}>{ i18n.t(&props.label) }</label>
            <span class="pf-v6-c-form-control">
                <select id={props.id.clone()} {onchange}>
                    { for props.options.iter().map(|(value, text)| html! {
                        <option value={*value} selected={props.value == *value}>{ i18n.t(text) }</option>
                    }) }
                </select>
            </span>
            if let Some(help) = &props.help {
                <p class="pf-v6-c-form__helper-text">{ help }</p>
            }
        </div>
    }
}
