//! My usage: a period (presets or custom dates), hour or day buckets, split by model or key;
//! totals against the previous period; charts of spend, tokens, requests, error rate and
//! latency, each with its table; the top spenders; the same numbers as CSV. The numbers move
//! as my requests settle (`spendUpdates`), without a reload.

use yew::prelude::*;

use crate::api::{SpendUpdates, Usage as UsageQuery, live, spend_updates, usage};
use crate::components::chart::{Chart, Line, time_series};
use crate::components::states::{Empty, render};
use crate::format;
use crate::hooks::{use_portal, use_query};
use crate::i18n::{I18n, use_i18n};
use crate::pages::{event_value, page_header};

const HOUR_MS: f64 = 3_600_000.0;
const DAY_MS: f64 = 86_400_000.0;
/// How long after a live event the report is read again: the ledger writes in batches at
/// least every 250 ms (`ledger.flush_ms`), so by then the request is in the rollups.
const LEDGER_SETTLE_MS: u32 = 700;
/// The biggest spenders the report and its CSV show (`usage.graphql` asks for the same).
const TOP: usize = 10;

/// A period to report on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Day,
    Week,
    Month,
    Quarter,
    Custom,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::Day,
        Preset::Week,
        Preset::Month,
        Preset::Quarter,
        Preset::Custom,
    ];

    pub fn value(self) -> &'static str {
        match self {
            Preset::Day => "24h",
            Preset::Week => "7d",
            Preset::Month => "30d",
            Preset::Quarter => "90d",
            Preset::Custom => "custom",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Preset::Day => "period-24h",
            Preset::Week => "period-7d",
            Preset::Month => "period-30d",
            Preset::Quarter => "period-90d",
            Preset::Custom => "period-custom",
        }
    }

    pub fn parse(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|p| p.value() == value)
            .unwrap_or(Preset::Week)
    }
}

/// The period `[from, to)` in milliseconds for `preset` at `now_ms`: whole buckets ending
/// with the current one, so requests settling now fall inside it.
pub fn window(preset: Preset, now_ms: f64) -> (f64, f64) {
    let hour_end = (now_ms / HOUR_MS).floor() * HOUR_MS + HOUR_MS;
    let day_end = (now_ms / DAY_MS).floor() * DAY_MS + DAY_MS;
    match preset {
        Preset::Day => (hour_end - 24.0 * HOUR_MS, hour_end),
        Preset::Week | Preset::Custom => (day_end - 7.0 * DAY_MS, day_end),
        Preset::Month => (day_end - 30.0 * DAY_MS, day_end),
        Preset::Quarter => (day_end - 90.0 * DAY_MS, day_end),
    }
}

/// Today (UTC) at `now_ms`: `[midnight, next midnight)`, whole days so the daily rows answer.
pub fn today(now_ms: f64) -> (f64, f64) {
    let midnight = (now_ms / DAY_MS).floor() * DAY_MS;
    (midnight, midnight + DAY_MS)
}

/// Calls `on_settled` after each request that settles (`spendUpdates`: mine, or everyone's
/// for administrators) once the ledger has written it: the feed is faster than the ledger's
/// batches, so shortly after, then once more. Requests close together share the calls.
#[hook]
pub fn use_settled(on_settled: Callback<()>) {
    use_effect_with((), move |()| {
        let scheduled = std::rc::Rc::new(std::cell::Cell::new(false));
        let on_event = Callback::from(move |_: spend_updates::ResponseData| {
            if scheduled.replace(true) {
                return;
            }
            let (on_settled, scheduled) = (on_settled.clone(), scheduled.clone());
            gloo_timers::callback::Timeout::new(LEDGER_SETTLE_MS, move || {
                scheduled.set(false);
                on_settled.emit(());
                gloo_timers::callback::Timeout::new(LEDGER_SETTLE_MS * 3, move || {
                    on_settled.emit(())
                })
                .forget();
            })
            .forget();
        });
        let feed =
            live::subscribe::<SpendUpdates>(spend_updates::Variables, on_event, Callback::noop());
        move || drop(feed)
    });
}

/// `[from, to)` from two `YYYY-MM-DD` dates, both days included; none if not a period.
pub fn custom_window(from: f64, to: f64) -> Option<(f64, f64)> {
    (from.is_finite() && to.is_finite() && from <= to).then_some((from, to + DAY_MS))
}

/// One series' value in each bucket, summed over `series` by `value`.
pub fn summed(
    series: &[usage::UsageUsageSeries],
    value: fn(&usage::UsageUsageSeriesPoints) -> f64,
) -> Vec<(String, f64)> {
    let mut buckets: std::collections::BTreeMap<String, f64> = std::collections::BTreeMap::new();
    for s in series {
        for p in &s.points {
            *buckets.entry(p.start.clone()).or_default() += value(p);
        }
    }
    buckets.into_iter().collect()
}

/// `ms` since the epoch as RFC 3339.
pub fn iso(ms: f64) -> String {
    String::from(js_sys::Date::new(&ms.into()).to_iso_string())
}

fn parse_date(date: &str) -> f64 {
    js_sys::Date::parse(&format!("{date}T00:00:00Z"))
}

fn group_name(i18n: &I18n, s: &usage::UsageUsageSeries) -> String {
    match (&s.label, &s.group) {
        (Some(label), _) => label.clone(),
        // The one unlabelled group: requests no cluster served.
        (None, Some(group)) if group.is_empty() => i18n.t("overview-no-cluster"),
        (None, Some(group)) => group.clone(),
        (None, None) => i18n.t("usage-all"),
    }
}

fn per_group(
    i18n: &I18n,
    series: &[usage::UsageUsageSeries],
    value: fn(&usage::UsageUsageSeriesPoints) -> Option<f64>,
) -> Vec<Line> {
    series
        .iter()
        .map(|s| Line {
            name: group_name(i18n, s),
            points: s
                .points
                .iter()
                .filter_map(|p| value(p).map(|v| (p.start.clone(), v)))
                .collect(),
        })
        .collect()
}

/// A table of lines: one row per bucket, one column per line.
fn lines_table(i18n: &I18n, lines: &[Line], show: impl Fn(f64) -> String) -> Html {
    let mut starts: Vec<&String> = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|(s, _)| s))
        .collect();
    starts.sort();
    starts.dedup();
    html! {
        <table class="pf-v6-c-table pf-m-compact">
            <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("usage-bucket") }</th>
                { for lines.iter().map(|l| html! { <th class="pf-v6-c-table__th" scope="col">{ &l.name }</th> }) }
            </tr></thead>
            <tbody class="pf-v6-c-table__tbody">
                { for starts.iter().map(|start| html! {
                    <tr class="pf-v6-c-table__tr">
                        <th class="pf-v6-c-table__th" scope="row">{ format::datetime(start) }</th>
                        { for lines.iter().map(|l| html! {
                            <td class="pf-v6-c-table__td">{ l.points.iter().find(|(s, _)| s == *start).map(|(_, v)| show(*v)).unwrap_or_default() }</td>
                        }) }
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn total_card(id: &str, title: String, value: String, change: Option<String>) -> Html {
    html! {
        <div class="pf-v6-c-card sy-total" id={id.to_owned()}>
            <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ title }</h2></div>
            <div class="pf-v6-c-card__body">
                <p class="sy-big">{ value }</p>
                if let Some(change) = change { <p class="sy-muted">{ change }</p> }
            </div>
        </div>
    }
}

/// The usage page.
/// The splits the page offers: by user, provider and cluster too on everyone's usage.
fn split_options(
    i18n: &I18n,
    current: &usage::UsageGroupBy,
    everyone: bool,
) -> Vec<(String, String, bool)> {
    use usage::UsageGroupBy as By;
    let mut splits = vec![
        ("MODEL", "split-model", By::MODEL),
        ("KEY", "split-key", By::KEY),
    ];
    if everyone {
        splits.push(("USER", "split-user", By::USER));
        splits.push(("PROVIDER", "split-provider", By::PROVIDER));
        splits.push(("CLUSTER", "filter-cluster", By::CLUSTER));
    }
    splits.push(("NONE", "split-none", By::NONE));
    splits
        .into_iter()
        .map(|(value, message, by)| (value.to_owned(), i18n.t(message), *current == by))
        .collect()
}

/// Properties of [`UsagePage`].
#[derive(Properties, PartialEq)]
pub struct UsagePageProps {
    /// Everyone's usage (the administrators' page, `/admin/usage`), split also by user,
    /// provider and cluster; otherwise mine.
    #[prop_or_default]
    pub everyone: bool,
}

/// The usage page: mine, or everyone's.
#[component]
pub fn UsagePage(props: &UsagePageProps) -> Html {
    let everyone = props.everyone;
    let i18n = use_i18n();
    let currency = use_portal().currency();
    let preset = use_state(|| Preset::Week);
    let span = use_state(|| window(Preset::Week, js_sys::Date::now()));
    let custom_from = use_state(String::new);
    let custom_to = use_state(String::new);
    let granularity = use_state(|| usage::Granularity::DAY);
    let group_by = use_state(|| usage::UsageGroupBy::MODEL);
    let variables = usage::Variables {
        input: usage::UsageInput {
            from: iso(span.0),
            to: iso(span.1),
            models: None,
            key_ids: None,
            user_id: None,
            all_users: everyone,
        },
        granularity: (*granularity).clone(),
        group_by: (*group_by).clone(),
    };
    let query = use_query::<UsageQuery>(variables);
    // Live: a settled request reloads the report. The period ends after now, so requests
    // fall inside it; past its end the window moves on.
    {
        let (reload, span, preset) = (query.reload.clone(), span.clone(), preset.clone());
        use_settled(Callback::from(move |()| {
            if js_sys::Date::now() >= span.1 && *preset != Preset::Custom {
                span.set(window(*preset, js_sys::Date::now()));
            } else {
                reload.emit(());
            }
        }));
    }
    let on_preset = {
        let (preset, span, granularity) = (preset.clone(), span.clone(), granularity.clone());
        Callback::from(move |e: Event| {
            let next = Preset::parse(&event_value(&e));
            preset.set(next);
            if next != Preset::Custom {
                span.set(window(next, js_sys::Date::now()));
                granularity.set(if next == Preset::Day {
                    usage::Granularity::HOUR
                } else {
                    usage::Granularity::DAY
                });
            }
        })
    };
    let apply_custom = {
        let (span, custom_from, custom_to) = (span.clone(), custom_from.clone(), custom_to.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(next) = custom_window(parse_date(&custom_from), parse_date(&custom_to)) {
                span.set(next);
            }
        })
    };
    let on_granularity = {
        let granularity = granularity.clone();
        Callback::from(move |e: Event| {
            granularity.set(if event_value(&e) == "HOUR" {
                usage::Granularity::HOUR
            } else {
                usage::Granularity::DAY
            })
        })
    };
    let on_group = {
        let group_by = group_by.clone();
        Callback::from(move |e: Event| {
            group_by.set(match event_value(&e).as_str() {
                "KEY" => usage::UsageGroupBy::KEY,
                "USER" => usage::UsageGroupBy::USER,
                "PROVIDER" => usage::UsageGroupBy::PROVIDER,
                "CLUSTER" => usage::UsageGroupBy::CLUSTER,
                "NONE" => usage::UsageGroupBy::NONE,
                _ => usage::UsageGroupBy::MODEL,
            })
        })
    };
    let csv = format!(
        "/usage.csv?from={}&to={}&granularity={}&group_by={}&top={TOP}{}",
        String::from(js_sys::encode_uri_component(&iso(span.0))),
        String::from(js_sys::encode_uri_component(&iso(span.1))),
        if *granularity == usage::Granularity::HOUR {
            "hour"
        } else {
            "day"
        },
        match *group_by {
            usage::UsageGroupBy::KEY => "key",
            usage::UsageGroupBy::USER => "user",
            usage::UsageGroupBy::PROVIDER => "provider",
            usage::UsageGroupBy::CLUSTER => "cluster",
            usage::UsageGroupBy::NONE => "none",
            _ => "model",
        },
        if everyone { "&all_users=true" } else { "" },
    );
    let content = render(&query, |data: &usage::ResponseData| {
        let report = &data.usage;
        let totals = &report.totals;
        if totals.requests == 0 && report.previous_totals.requests == 0 {
            return html! { <Empty title="usage-empty-title" body={Some(AttrValue::from("usage-empty-body"))} /> };
        }
        let change = |c: Option<f64>| {
            Some(i18n.t_with("usage-change", &[("change", format::change(c).into())]))
        };
        let series = &report.series;
        let spend_lines = per_group(&i18n, series, |p| Some(p.spend));
        let tokens_lines = vec![
            Line {
                name: i18n.t("tokens-input"),
                points: summed(series, |p| p.prompt_tokens as f64),
            },
            Line {
                name: i18n.t("tokens-output"),
                points: summed(series, |p| p.completion_tokens as f64),
            },
        ];
        let request_lines = per_group(&i18n, series, |p| Some(p.requests as f64));
        let error_lines = per_group(&i18n, series, |p| Some(p.error_rate * 100.0));
        let latency_lines = if series.len() == 1 {
            vec![
                Line {
                    name: "p50".into(),
                    points: series[0]
                        .points
                        .iter()
                        .filter_map(|p| p.latency_p50_ms.map(|v| (p.start.clone(), v)))
                        .collect(),
                },
                Line {
                    name: "p95".into(),
                    points: series[0]
                        .points
                        .iter()
                        .filter_map(|p| p.latency_p95_ms.map(|v| (p.start.clone(), v)))
                        .collect(),
                },
            ]
        } else {
            per_group(&i18n, series, |p| p.latency_p95_ms)
        };
        let money = |v: f64| format::money(v, &currency);
        let number = |v: f64| format::count(v.round() as i64);
        let pct = |v: f64| format!("{v:.1}%");
        let ms = |v: f64| format::millis(v);
        let mut top: Vec<&usage::UsageUsageSeries> = series.iter().collect();
        top.sort_by(|a, b| b.totals.spend.total_cmp(&a.totals.spend));
        html! {
            <>
                <div class="sy-grid sy-grid--totals">
                    { total_card("total-spend", i18n.t("usage-spend"), money(totals.spend), change(report.change.spend)) }
                    { total_card("total-requests", i18n.t("usage-requests"), format::count(totals.requests), change(report.change.requests)) }
                    { total_card("total-tokens", i18n.t("usage-tokens"), format::count(totals.prompt_tokens + totals.completion_tokens), change(report.change.tokens)) }
                    { total_card("total-errors", i18n.t("usage-error-rate"), format::percent(totals.error_rate), None) }
                    { total_card("total-latency", i18n.t("usage-latency"),
                        format!("{} / {}", totals.latency_p50_ms.map(ms).unwrap_or_else(|| "—".into()), totals.latency_p95_ms.map(ms).unwrap_or_else(|| "—".into())), None) }
                </div>
                <div class="sy-charts">
                    <Chart id="chart-spend" title={i18n.t("usage-spend")} option={time_series(&spend_lines, &currency, true)} table={lines_table(&i18n, &spend_lines, money)} />
                    <Chart id="chart-tokens" title={i18n.t("usage-tokens")} option={time_series(&tokens_lines, "", false)} table={lines_table(&i18n, &tokens_lines, number)} />
                    <Chart id="chart-requests" title={i18n.t("usage-requests")} option={time_series(&request_lines, "", true)} table={lines_table(&i18n, &request_lines, number)} />
                    <Chart id="chart-errors" title={i18n.t("usage-error-rate")} option={time_series(&error_lines, "%", false)} table={lines_table(&i18n, &error_lines, pct)} />
                    <Chart id="chart-latency" title={i18n.t("usage-latency")} option={time_series(&latency_lines, "ms", false)} table={lines_table(&i18n, &latency_lines, ms)} />
                </div>
                <h2 class="pf-v6-c-title pf-m-lg">{ i18n.t("usage-top") }</h2>
                <div class="sy-table-wrap">
                    <table class="pf-v6-c-table pf-m-compact" id="usage-top" aria-label={i18n.t("usage-top")}>
                        <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("usage-group") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("usage-requests") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("tokens-input") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("tokens-output") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("usage-error-rate") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("usage-spend") }</th>
                        </tr></thead>
                        <tbody class="pf-v6-c-table__tbody">
                            { for top.iter().map(|s| html! {
                                <tr class="pf-v6-c-table__tr">
                                    <th class="pf-v6-c-table__th" scope="row">{ group_name(&i18n, s) }</th>
                                    <td class="pf-v6-c-table__td">{ format::count(s.totals.requests) }</td>
                                    <td class="pf-v6-c-table__td">{ format::count(s.totals.prompt_tokens) }</td>
                                    <td class="pf-v6-c-table__td">{ format::count(s.totals.completion_tokens) }</td>
                                    <td class="pf-v6-c-table__td">{ format::percent(s.totals.error_rate) }</td>
                                    <td class="pf-v6-c-table__td sy-spend">{ money(s.totals.spend) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            </>
        }
    });
    let select = |id: &str,
                  label: String,
                  onchange: Callback<Event>,
                  options: Vec<(String, String, bool)>| {
        html! {
            <div class="pf-v6-c-form__group sy-filter">
                <label class="pf-v6-c-form__label" for={id.to_owned()}>{ label }</label>
                <span class="pf-v6-c-form-control">
                    <select id={id.to_owned()} {onchange}>
                        { for options.into_iter().map(|(value, text, selected)| html! { <option {value} {selected}>{ text }</option> }) }
                    </select>
                </span>
            </div>
        }
    };
    html! {
        <>
            if everyone {
                { page_header("admin-usage-title", i18n.t("nav-admin-usage"), Some(i18n.t("usage-everyone-lead"))) }
            } else {
                { page_header("usage-title", i18n.t("nav-usage"), Some(i18n.t("usage-lead"))) }
            }
            <section class="pf-v6-c-page__main-section">
                <div class="sy-toolbar">
                    { select("usage-period", i18n.t("usage-period"), on_preset,
                        Preset::ALL.iter().map(|p| (p.value().to_owned(), i18n.t(p.message()), *preset == *p)).collect()) }
                    { select("usage-granularity", i18n.t("usage-granularity"), on_granularity, vec![
                        ("HOUR".into(), i18n.t("granularity-hour"), *granularity == usage::Granularity::HOUR),
                        ("DAY".into(), i18n.t("granularity-day"), *granularity == usage::Granularity::DAY),
                    ]) }
                    { select("usage-group", i18n.t("usage-split"), on_group, split_options(&i18n, &group_by, everyone)) }
                    <a class="pf-v6-c-button pf-m-secondary" href={csv} download="usage.csv" id="usage-csv">{ i18n.t("usage-csv") }</a>
                </div>
                if *preset == Preset::Custom {
                    <form class="sy-toolbar" onsubmit={apply_custom} id="usage-custom">
                        <div class="pf-v6-c-form__group sy-filter">
                            <label class="pf-v6-c-form__label" for="usage-from">{ i18n.t("usage-from") }</label>
                            <span class="pf-v6-c-form-control"><input id="usage-from" type="date" value={(*custom_from).clone()}
                                oninput={let s = custom_from.clone(); move |e: InputEvent| s.set(event_value(&e))} /></span>
                        </div>
                        <div class="pf-v6-c-form__group sy-filter">
                            <label class="pf-v6-c-form__label" for="usage-to">{ i18n.t("usage-to") }</label>
                            <span class="pf-v6-c-form-control"><input id="usage-to" type="date" value={(*custom_to).clone()}
                                oninput={let s = custom_to.clone(); move |e: InputEvent| s.set(event_value(&e))} /></span>
                        </div>
                        <button class="pf-v6-c-button pf-m-primary" type="submit">{ i18n.t("apply") }</button>
                    </form>
                }
                <p class="sy-muted" id="usage-range">{ i18n.t_with("usage-range", &[("from", format::datetime(&iso(span.0)).into()), ("to", format::datetime(&iso(span.1)).into())]) }</p>
                { content }
            </section>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_whole_buckets_ending_after_now() {
        let now = 1_764_491_209_000.0; // 2025-11-30T08:26:49Z
        let (from, to) = window(Preset::Day, now);
        assert_eq!(to - from, 24.0 * HOUR_MS);
        assert!(to > now && to - now <= HOUR_MS);
        assert_eq!(to % HOUR_MS, 0.0);
        let (from, to) = window(Preset::Week, now);
        assert_eq!(to - from, 7.0 * DAY_MS);
        assert!(to > now && to - now <= DAY_MS);
        assert_eq!(from % DAY_MS, 0.0);
        let (midnight, next) = today(now);
        assert_eq!((midnight % DAY_MS, next - midnight), (0.0, DAY_MS));
        assert!(midnight <= now && now < next);
        assert_eq!(
            window(Preset::Quarter, now).1 - window(Preset::Quarter, now).0,
            90.0 * DAY_MS
        );
    }

    #[test]
    fn custom_periods_include_both_days_and_refuse_backwards_ones() {
        assert_eq!(custom_window(0.0, DAY_MS), Some((0.0, 2.0 * DAY_MS)));
        assert_eq!(custom_window(DAY_MS, 0.0), None);
        assert_eq!(custom_window(f64::NAN, 0.0), None);
    }

    #[test]
    fn buckets_are_summed_across_groups() {
        let point = |start: &str, prompt: i64| usage::UsageUsageSeriesPoints {
            start: start.into(),
            requests: 1,
            errors: 0,
            prompt_tokens: prompt,
            completion_tokens: 0,
            spend: 0.0,
            error_rate: 0.0,
            latency_p50_ms: None,
            latency_p95_ms: None,
        };
        let sums = |points: Vec<usage::UsageUsageSeriesPoints>| usage::UsageUsageSeriesTotals {
            requests: points.len() as i64,
            errors: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
            spend: 0.0,
            error_rate: 0.0,
            latency_p50_ms: None,
            latency_p95_ms: None,
        };
        let a = vec![point("d1", 3), point("d2", 4)];
        let b = vec![point("d2", 10)];
        let series = vec![
            usage::UsageUsageSeries {
                group: Some("a".into()),
                label: None,
                totals: sums(a.clone()),
                points: a,
            },
            usage::UsageUsageSeries {
                group: Some("b".into()),
                label: None,
                totals: sums(b.clone()),
                points: b,
            },
        ];
        assert_eq!(
            summed(&series, |p| p.prompt_tokens as f64),
            vec![("d1".into(), 3.0), ("d2".into(), 14.0)]
        );
    }
}
