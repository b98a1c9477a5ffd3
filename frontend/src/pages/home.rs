//! Home: my spend against my budget this period, my keys and subscriptions at a glance, the
//! API base URL to copy, and a live ticker of my requests as they settle.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{Home as HomeQuery, SpendUpdates, home, live, spend_updates};
use crate::app::Route;
use crate::components::budget_bar::BudgetBar;
use crate::components::copy::CopyButton;
use crate::components::snippets::api_base;
use crate::components::states::render;
use crate::format;
use crate::hooks::{use_portal, use_query};
use crate::i18n::use_i18n;
use crate::pages::page_header;

/// How many settled requests the ticker keeps.
const TICKER_LEN: usize = 8;

/// The home page.
#[component]
pub fn Home() -> Html {
    let i18n = use_i18n();
    let portal = use_portal();
    let currency = portal.currency();
    let query = use_query::<HomeQuery>(home::Variables);
    let ticker = use_state(Vec::<spend_updates::SpendUpdatesSpendUpdates>::new);
    let feed_state = use_state(|| live::FeedState::Connecting);
    {
        let (ticker, feed_state, reload) =
            (ticker.clone(), feed_state.clone(), query.reload.clone());
        use_effect_with((), move |()| {
            let list = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
            let on_event = Callback::from(move |data: spend_updates::ResponseData| {
                let mut items = list.borrow_mut();
                items.insert(0, data.spend_updates);
                items.truncate(TICKER_LEN);
                ticker.set(items.clone());
                reload.emit(());
            });
            let feed = live::subscribe::<SpendUpdates>(
                spend_updates::Variables,
                on_event,
                Callback::from(move |s| feed_state.set(s)),
            );
            move || drop(feed)
        });
    }
    let name = portal.me().map(|m| m.name.clone()).unwrap_or_default();
    let base = api_base();
    let content = render(&query, |data: &home::ResponseData| {
        let account = &data.my_account;
        let resets = account
            .budget_resets_at
            .as_deref()
            .map(|at| i18n.t_with("home-resets", &[("at", format::datetime(at).into())]));
        let active: Vec<_> = data
            .my_subscriptions
            .iter()
            .filter(|s| s.status == home::SubscriptionStatus::ACTIVE)
            .collect();
        let pending = data
            .my_subscriptions
            .iter()
            .filter(|s| s.status == home::SubscriptionStatus::PENDING)
            .count();
        html! {
            <div class="sy-grid">
                <div class="pf-v6-c-card" id="home-budget">
                    <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ i18n.t("home-budget") }</h2></div>
                    <div class="pf-v6-c-card__body">
                        <p class="sy-big" id="home-spend">{ format::money(account.spend, &currency) }</p>
                        <BudgetBar spend={account.spend} budget={account.max_budget}
                            currency={currency.clone()} label={i18n.t("home-budget")} />
                        if let Some(resets) = resets { <p class="sy-muted">{ resets }</p> }
                    </div>
                </div>
                <div class="pf-v6-c-card" id="home-keys">
                    <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">
                        { i18n.t_with("keys-count", &[("count", data.my_keys.total_count.into())]) }
                    </h2></div>
                    <div class="pf-v6-c-card__body">
                        if data.my_keys.nodes.is_empty() {
                            <p>{ i18n.t("home-no-keys") }</p>
                        } else {
                            <ul class="sy-list">
                                { for data.my_keys.nodes.iter().map(|k| html! {
                                    <li>
                                        <strong>{ k.name.clone().unwrap_or_else(|| k.display.clone()) }</strong>
                                        { " · " }<code>{ &k.display }</code>
                                        { " · " }{ format::money(k.spend, &currency) }
                                        if k.blocked { { " · " }<span class="pf-v6-c-label pf-m-red pf-m-compact"><span class="pf-v6-c-label__content">{ i18n.t("key-revoked") }</span></span> }
                                    </li>
                                }) }
                            </ul>
                        }
                    </div>
                    <div class="pf-v6-c-card__footer">
                        <Link<Route> to={Route::Keys}>{ i18n.t("home-manage-keys") }</Link<Route>>
                    </div>
                </div>
                <div class="pf-v6-c-card" id="home-subscriptions">
                    <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ i18n.t("nav-subscriptions") }</h2></div>
                    <div class="pf-v6-c-card__body">
                        <p>{ i18n.t_with("home-subscriptions", &[("active", (active.len() as i64).into()), ("pending", (pending as i64).into())]) }</p>
                        <ul class="sy-list">
                            { for active.iter().filter_map(|s| s.model.as_ref()).map(|m| html! {
                                <li><Link<Route> to={Route::Model { name: m.name.clone() }}>{ &m.name }</Link<Route>></li>
                            }) }
                        </ul>
                    </div>
                    <div class="pf-v6-c-card__footer">
                        <Link<Route> to={Route::Catalog}>{ i18n.t("home-browse-catalog") }</Link<Route>>
                    </div>
                </div>
            </div>
        }
    });
    let feed_label = match *feed_state {
        live::FeedState::Live => i18n.t("live-on"),
        live::FeedState::Connecting => i18n.t("live-connecting"),
        live::FeedState::Reconnecting => i18n.t("live-reconnecting"),
    };
    html! {
        <>
            { page_header("home-title", i18n.t_with("home-welcome", &[("name", name.into())]), None) }
            <section class="pf-v6-c-page__main-section">
                <div class="pf-v6-c-card sy-base-url">
                    <div class="pf-v6-c-card__body">
                        <label for="api-base" class="pf-v6-c-form__label">{ i18n.t("home-api-base") }</label>
                        <div class="sy-inline">
                            <span class="pf-v6-c-form-control pf-m-readonly">
                                <input id="api-base" readonly=true value={base.clone()} />
                            </span>
                            <CopyButton text={base} id="copy-api-base" what={i18n.t("home-api-base")} />
                        </div>
                    </div>
                </div>
                { content }
                <div class="pf-v6-c-card" id="home-ticker">
                    <div class="pf-v6-c-card__header">
                        <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ i18n.t("home-live") }</h2></div>
                        <div class="pf-v6-c-card__actions"><span class="pf-v6-c-label pf-m-compact" id="feed-state"><span class="pf-v6-c-label__content">{ feed_label }</span></span></div>
                    </div>
                    <div class="pf-v6-c-card__body">
                        if ticker.is_empty() {
                            <p class="sy-muted">{ i18n.t("home-live-empty") }</p>
                        } else {
                            <ul class="sy-list" aria-live="polite">
                                { for ticker.iter().map(|u| html! {
                                    <li key={u.request_id.clone()}>
                                        { format::datetime(&u.at) }{ " · " }<strong>{ &u.model }</strong>
                                        { " · " }{ i18n.t_with("tokens-in-out", &[("input", u.prompt_tokens.into()), ("output", u.completion_tokens.into())]) }
                                        { " · " }{ format::money(u.cost, &currency) }
                                    </li>
                                }) }
                            </ul>
                        }
                    </div>
                </div>
            </section>
        </>
    }
}
