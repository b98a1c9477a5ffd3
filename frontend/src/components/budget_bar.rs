//! A spend-against-budget bar (PatternFly progress), or the spend alone without a budget.

use yew::prelude::*;

use crate::format;
use crate::i18n::use_i18n;

/// Properties of [`BudgetBar`].
#[derive(Properties, PartialEq)]
pub struct BudgetBarProps {
    pub spend: f64,
    pub budget: Option<f64>,
    pub currency: AttrValue,
    /// What the bar is about, for screen readers.
    pub label: AttrValue,
}

/// Spend against budget.
#[component]
pub fn BudgetBar(props: &BudgetBarProps) -> Html {
    let i18n = use_i18n();
    let spend = format::money(props.spend, &props.currency);
    let Some(share) = format::budget_share(props.spend, props.budget) else {
        return html! { <span>{ spend }{ " · " }{ i18n.t("no-budget") }</span> };
    };
    let budget = format::money(props.budget.unwrap_or_default(), &props.currency);
    let variant = if share >= 1.0 {
        "pf-m-danger"
    } else if share >= 0.8 {
        "pf-m-warning"
    } else {
        ""
    };
    let width = format!("width: {:.1}%", share * 100.0);
    html! {
        <div class={classes!("pf-v6-c-progress", "pf-m-sm", variant)}>
            <div class="pf-v6-c-progress__description">{ format!("{spend} / {budget}") }</div>
            <div class="pf-v6-c-progress__status">
                <span class="pf-v6-c-progress__measure">{ format::percent(share) }</span>
            </div>
            <div class="pf-v6-c-progress__bar" role="progressbar" aria-label={props.label.clone()}
                aria-valuemin="0" aria-valuemax="100" aria-valuenow={format!("{:.0}", share * 100.0)}>
                <div class="pf-v6-c-progress__indicator" style={width}></div>
            </div>
        </div>
    }
}
