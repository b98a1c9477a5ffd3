//! The administration console's front page (`/admin`): first what needs attention (how many
//! subscription requests wait, which deployments fail their health checks or are cooling
//! down), then the platform's totals today and over a period (requests, tokens, spend, error
//! rate, active users and keys) and where the spend goes by model and by cluster. The numbers
//! move as requests settle
//! (`spendUpdates` carries everyone's to administrators); health is asked again every few
//! seconds. Nothing here changes anything: read-only administrators see the same page.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{AdminHealth, AdminOverview, admin_health, admin_overview};
use crate::app::Route;
use crate::components::states::render;
use crate::format;
use crate::hooks::{use_pending_count, use_portal, use_query};
use crate::i18n::{I18n, use_i18n};
use crate::pages::admin::{admin_header, use_rights};
use crate::pages::catalog::label;
use crate::pages::event_value;
use crate::pages::usage::{Preset, iso, today, use_settled, window};

/// How often deployment health is asked again while the page is open (the gateway checks
/// every `gateway.health_check_interval_seconds`).
const HEALTH_REFRESH_MS: u32 = 5_000;

type Sums = admin_overview::OverviewSums;
type Split = admin_overview::OverviewSplit;

/// The periods the overview offers: the usage page's presets without custom dates.
const PERIODS: [Preset; 4] = [Preset::Day, Preset::Week, Preset::Month, Preset::Quarter];

/// Today's and the period's windows at `now_ms`, as the query's variables.
fn variables(period: Preset, now_ms: f64) -> admin_overview::Variables {
    let input = |(from, to): (f64, f64)| admin_overview::UsageInput {
        from: iso(from),
        to: iso(to),
        models: None,
        key_ids: None,
        user_id: None,
        all_users: true,
    };
    admin_overview::Variables {
        today: input(today(now_ms)),
        period: input(window(period, now_ms)),
    }
}

/// A deployment that needs attention: enabled, and failing its health checks or left out of
/// routing after failures.
#[derive(Clone, Debug, PartialEq)]
struct Attention {
    id: String,
    model: String,
    cluster: String,
    unhealthy: bool,
    cooling_until: Option<String>,
}

/// The deployments of `data` that need attention, by model and cluster.
fn attention(data: &admin_health::ResponseData) -> Vec<Attention> {
    let mut found: Vec<Attention> = data
        .models
        .nodes
        .iter()
        .flat_map(|m| {
            m.deployments.iter().filter_map(|d| {
                let unhealthy = d.healthy == Some(false);
                (d.enabled && (unhealthy || d.cooling_down_until.is_some())).then(|| Attention {
                    id: d.id.clone(),
                    model: m.name.clone(),
                    cluster: d.cluster.clone(),
                    unhealthy,
                    cooling_until: d.cooling_down_until.clone(),
                })
            })
        })
        .collect();
    found.sort_by(|a, b| (&a.model, &a.cluster).cmp(&(&b.model, &b.cluster)));
    found
}

/// One total: its heading and value.
fn stat(id: String, title: String, value: String) -> Html {
    html! {
        <div class="pf-v6-c-card pf-m-compact sy-total" id={id}>
            <div class="pf-v6-c-card__title"><h3 class="pf-v6-c-card__title-text">{ title }</h3></div>
            <div class="pf-v6-c-card__body"><p class="sy-big">{ value }</p></div>
        </div>
    }
}

/// The six totals of one period, ids `{prefix}-requests` and so on.
fn totals(i18n: &I18n, prefix: &str, sums: &Sums, users: i64, keys: i64, currency: &str) -> Html {
    html! {
        <div class="sy-grid sy-grid--stats">
            { stat(format!("{prefix}-requests"), i18n.t("usage-requests"), format::count(sums.requests)) }
            { stat(format!("{prefix}-tokens"), i18n.t("usage-tokens"), format::count(sums.prompt_tokens + sums.completion_tokens)) }
            { stat(format!("{prefix}-spend"), i18n.t("usage-spend"), format::money(sums.spend, currency)) }
            { stat(format!("{prefix}-errors"), i18n.t("usage-error-rate"), format::percent(sums.error_rate)) }
            { stat(format!("{prefix}-users"), i18n.t("overview-active-users"), format::count(users)) }
            { stat(format!("{prefix}-keys"), i18n.t("overview-active-keys"), format::count(keys)) }
        </div>
    }
}

/// A card with the spend of each group of `split`, biggest first.
fn spend_table(
    i18n: &I18n,
    id: &str,
    title: String,
    column: String,
    split: &[Split],
    currency: &str,
) -> Html {
    html! {
        <div class="pf-v6-c-card" id={id.to_owned()}>
            <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ &title }</h2></div>
            <div class="pf-v6-c-card__body">
                if split.is_empty() {
                    <p class="sy-muted">{ i18n.t("overview-no-usage") }</p>
                } else {
                    <div class="sy-table-wrap">
                        <table class="pf-v6-c-table pf-m-compact" aria-label={title.clone()}>
                            <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                                <th class="pf-v6-c-table__th" scope="col">{ column }</th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("usage-requests") }</th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("usage-spend") }</th>
                            </tr></thead>
                            <tbody class="pf-v6-c-table__tbody">
                                { for split.iter().map(|s| html! {
                                    <tr class="pf-v6-c-table__tr">
                                        <th class="pf-v6-c-table__th" scope="row">
                                            { s.label.clone().unwrap_or_else(|| i18n.t("overview-no-cluster")) }
                                        </th>
                                        <td class="pf-v6-c-table__td">{ format::count(s.totals.requests) }</td>
                                        <td class="pf-v6-c-table__td sy-spend">{ format::money(s.totals.spend, currency) }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                }
            </div>
        </div>
    }
}

/// The deployments that need attention, or that none does.
fn health_card(i18n: &I18n, found: Option<Vec<Attention>>) -> Html {
    let body = match found {
        None => html! { <p class="sy-muted">{ i18n.t("loading") }</p> },
        Some(found) if found.is_empty() => {
            html! { <p id="overview-all-healthy">{ i18n.t("overview-all-healthy") }</p> }
        }
        Some(found) => html! {
            <ul class="sy-list">
                { for found.iter().map(|a| html! {
                    <li key={a.id.clone()} id={format!("overview-attention-{}", a.id)}>
                        <strong>{ &a.model }</strong>{ " · " }{ &a.cluster }{ " " }
                        if a.unhealthy { { label(i18n.t("health-unhealthy"), "pf-m-red") } }
                        if let Some(until) = &a.cooling_until {
                            { " " }{ label(i18n.t_with("overview-cooling", &[("until", format::datetime(until).into())]), "pf-m-orange") }
                        }
                    </li>
                }) }
            </ul>
        },
    };
    html! {
        <div class="pf-v6-c-card" id="overview-health">
            <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ i18n.t("overview-attention") }</h2></div>
            <div class="pf-v6-c-card__body" aria-live="polite">{ body }</div>
            <div class="pf-v6-c-card__footer">
                <Link<Route> to={Route::AdminModels}>{ i18n.t("overview-open-models") }</Link<Route>>
            </div>
        </div>
    }
}

/// The admin overview page.
#[component]
pub fn AdminOverviewPage() -> Html {
    let i18n = use_i18n();
    let rights = use_rights();
    let portal = use_portal();
    let currency = portal.currency();
    let period = use_state(|| Preset::Week);
    let now = use_state(js_sys::Date::now);
    let query = use_query::<AdminOverview>(variables(*period, *now));
    let health = use_query::<AdminHealth>(admin_health::Variables);
    let pending = use_pending_count(portal.is_admin());
    // Live: a settled request reloads the numbers; past midnight the windows move on.
    {
        let (reload, now) = (query.reload.clone(), now.clone());
        use_settled(Callback::from(move |()| {
            if today(js_sys::Date::now()).0 > today(*now).0 {
                now.set(js_sys::Date::now());
            } else {
                reload.emit(());
            }
        }));
    }
    {
        let reload = health.reload.clone();
        use_effect_with((), move |()| {
            let timer =
                gloo_timers::callback::Interval::new(HEALTH_REFRESH_MS, move || reload.emit(()));
            move || drop(timer)
        });
    }
    let on_period = {
        let (period, now) = (period.clone(), now.clone());
        Callback::from(move |e: Event| {
            period.set(Preset::parse(&event_value(&e)));
            now.set(js_sys::Date::now());
        })
    };
    let numbers = render(&query, |data: &admin_overview::ResponseData| {
        let (day, span) = (&data.today, &data.period);
        html! {
            <>
                <section aria-labelledby="overview-today-title">
                    <h2 class="pf-v6-c-title pf-m-lg" id="overview-today-title">{ i18n.t("overview-today") }</h2>
                    { totals(&i18n, "today", &day.totals, day.active_users, day.active_keys, &currency) }
                </section>
                <section aria-labelledby="overview-period-title">
                    <div class="sy-toolbar">
                        <h2 class="pf-v6-c-title pf-m-lg" id="overview-period-title">{ i18n.t(period.message()) }</h2>
                        <div class="pf-v6-c-form__group sy-filter">
                            <label class="pf-v6-c-form__label" for="overview-period">{ i18n.t("usage-period") }</label>
                            <span class="pf-v6-c-form-control">
                                <select id="overview-period" onchange={on_period.clone()}>
                                    { for PERIODS.iter().map(|p| html! {
                                        <option value={p.value()} selected={*period == *p}>{ i18n.t(p.message()) }</option>
                                    }) }
                                </select>
                            </span>
                        </div>
                    </div>
                    { totals(&i18n, "period", &span.totals, span.active_users, span.active_keys, &currency) }
                </section>
                <div class="sy-grid">
                    { spend_table(&i18n, "overview-by-model", i18n.t("overview-by-model"), i18n.t("col-model"), &span.by_model, &currency) }
                    { spend_table(&i18n, "overview-by-cluster", i18n.t("overview-by-cluster"), i18n.t("filter-cluster"), &span.by_cluster, &currency) }
                </div>
            </>
        }
    });
    html! {
        <>
            { admin_header("overview-title", i18n.t("nav-admin-overview"), i18n.t("overview-lead"), &rights) }
            <section class="pf-v6-c-page__main-section">
                <div class="sy-grid">
                    <div class="pf-v6-c-card" id="overview-queue">
                        <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ i18n.t("overview-queue") }</h2></div>
                        <div class="pf-v6-c-card__body">
                            <p class="sy-big" id="overview-pending">{ pending.map(format::count).unwrap_or_else(|| "—".into()) }</p>
                            <p class="sy-muted">{ i18n.t_with("overview-pending", &[("count", pending.unwrap_or(0).into())]) }</p>
                        </div>
                        <div class="pf-v6-c-card__footer">
                            <Link<Route> to={Route::AdminQueue}>{ i18n.t("overview-open-queue") }</Link<Route>>
                        </div>
                    </div>
                    { health_card(&i18n, health.data.as_deref().map(attention)) }
                </div>
                { numbers }
            </section>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(
        id: &str,
        cluster: &str,
        healthy: Option<bool>,
        enabled: bool,
        cooling: Option<&str>,
    ) -> admin_health::AdminHealthModelsNodesDeployments {
        admin_health::AdminHealthModelsNodesDeployments {
            id: id.into(),
            cluster: cluster.into(),
            healthy,
            enabled,
            cooling_down_until: cooling.map(str::to_owned),
        }
    }

    #[test]
    fn only_enabled_failing_or_cooling_deployments_need_attention() {
        let data = admin_health::ResponseData {
            models: admin_health::AdminHealthModels {
                nodes: vec![
                    admin_health::AdminHealthModelsNodes {
                        name: "llama".into(),
                        deployments: vec![
                            deployment("1", "ibm", Some(false), true, None),
                            deployment("2", "aws", Some(true), true, None),
                            deployment("3", "gcp", Some(false), false, None),
                        ],
                    },
                    admin_health::AdminHealthModelsNodes {
                        name: "granite".into(),
                        deployments: vec![
                            deployment("4", "aws", Some(true), true, Some("2026-12-01T00:00:00Z")),
                            deployment("5", "ibm", None, true, None),
                        ],
                    },
                ],
            },
        };
        let found = attention(&data);
        let seen: Vec<(&str, &str, bool, bool)> = found
            .iter()
            .map(|a| {
                (
                    a.model.as_str(),
                    a.cluster.as_str(),
                    a.unhealthy,
                    a.cooling_until.is_some(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("granite", "aws", false, true),
                ("llama", "ibm", true, false)
            ]
        );
    }
}
