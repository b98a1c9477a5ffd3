//! The model catalog: cards or a table, searched and filtered in the browser (one request
//! for the whole catalog, so typing filters at once), prices per million tokens in the
//! platform currency, capabilities, each cluster's health, and one-click subscription.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, Catalog as CatalogQuery, Subscribe, catalog};
use crate::app::Route;
use crate::components::modal::Modal;
use crate::components::states::{Empty, render};
use crate::format;
use crate::hooks::{Toast, use_error_toast, use_mutation, use_portal, use_query, use_toasts};
use crate::i18n::{I18n, use_i18n};
use crate::pages::{bind, event_checked, event_value, page_header};

type Model = catalog::CatalogModelsNodes;

/// What the person narrowed the catalog to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub search: String,
    pub capability: String,
    pub cluster: String,
    pub provider: String,
    pub subscribed_only: bool,
}

/// The message id naming a capability (by its GraphQL name, `CHAT`…).
pub fn capability_message(tag: &str) -> &'static str {
    match tag {
        "CHAT" => "cap-chat",
        "COMPLETION" => "cap-completion",
        "EMBEDDINGS" => "cap-embeddings",
        "DOCUMENT_CONVERSION" => "cap-document-conversion",
        "TOKENIZE" => "cap-tokenize",
        "VISION" => "cap-vision",
        "TOOLS" => "cap-tools",
        "RERANK" => "cap-rerank",
        "AUDIO_TRANSCRIPTION" => "cap-audio-transcription",
        "MESSAGES" => "cap-messages",
        _ => "cap-other",
    }
}

/// The GraphQL name of a generated enum value (`ACTIVE`, `CHAT`…).
pub fn tag(value: &impl std::fmt::Debug) -> String {
    format!("{value:?}")
}

fn capability_tag(capability: &catalog::Capability) -> String {
    tag(capability)
}

/// Whether `model` passes `filter` (every search word in its name, description or
/// provider, any case; the other filters exactly).
pub fn matches(model: &Model, filter: &Filter) -> bool {
    let haystack = format!(
        "{} {} {}",
        model.name,
        model.description.as_deref().unwrap_or_default(),
        model.provider
    )
    .to_lowercase();
    filter
        .search
        .to_lowercase()
        .split_whitespace()
        .all(|word| haystack.contains(word))
        && (filter.capability.is_empty()
            || model
                .capabilities
                .iter()
                .any(|c| capability_tag(c) == filter.capability))
        && (filter.cluster.is_empty() || model.clusters.contains(&filter.cluster))
        && (filter.provider.is_empty() || model.provider == filter.provider)
        && (!filter.subscribed_only || model.my_subscription_status.is_some())
}

fn distinct(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut list: Vec<String> = values.collect();
    list.sort();
    list.dedup();
    list
}

/// The message id and label colour of a subscription status (by its GraphQL name).
pub fn status_badge(status: &str) -> (&'static str, &'static str) {
    match status {
        "ACTIVE" => ("status-active", "pf-m-green"),
        "PENDING" => ("status-pending", "pf-m-orange"),
        "DENIED" => ("status-denied", "pf-m-red"),
        _ => ("status-cancelled", "pf-m-grey"),
    }
}

/// A compact PatternFly label.
pub fn label(text: String, colour: &str) -> Html {
    html! {
        <span class={classes!("pf-v6-c-label", "pf-m-compact", colour.to_owned())}>
            <span class="pf-v6-c-label__content">{ text }</span>
        </span>
    }
}

/// The labels for a model: capabilities, restricted, my status.
fn model_labels(i18n: &I18n, model: &Model) -> Html {
    html! {
        <div class="pf-v6-c-label-group sy-labels">
            { for model.capabilities.iter().map(|c| label(i18n.t(capability_message(&tag(c))), "pf-m-blue")) }
            if model.restricted { { label(i18n.t("restricted"), "pf-m-purple") } }
            if let Some(status) = &model.my_subscription_status {
                { { let (id, colour) = status_badge(&tag(status)); label(i18n.t(id), colour) } }
            }
        </div>
    }
}

/// Each cluster's deployment health.
fn health(i18n: &I18n, model: &Model) -> Html {
    html! {
        <ul class="sy-health" aria-label={i18n.t("health")}>
            { for model.deployments.iter().map(|d| {
                let (id, class) = match (d.enabled, d.healthy) {
                    (false, _) => ("health-disabled", "sy-dot sy-dot--off"),
                    (true, Some(true)) => ("health-healthy", "sy-dot sy-dot--ok"),
                    (true, Some(false)) => ("health-unhealthy", "sy-dot sy-dot--bad"),
                    (true, None) => ("health-unknown", "sy-dot"),
                };
                html! { <li><span class={class} aria-hidden="true"></span>{ format!("{}: {}", d.cluster, i18n.t(id)) }</li> }
            }) }
        </ul>
    }
}

fn prices(i18n: &I18n, model: &Model, currency: &str) -> String {
    i18n.t_with(
        "price-per-million",
        &[
            (
                "input",
                format::money(model.input_price_per_million, currency).into(),
            ),
            (
                "output",
                format::money(model.output_price_per_million, currency).into(),
            ),
        ],
    )
}

/// Properties of [`SubscribeButton`].
#[derive(Properties, PartialEq)]
pub struct SubscribeButtonProps {
    pub model_id: AttrValue,
    pub model_name: AttrValue,
    pub restricted: bool,
    pub on_done: Callback<()>,
}

/// Subscribes in one click; a restricted model first asks why (for the administrators who
/// approve it).
#[component]
pub fn SubscribeButton(props: &SubscribeButtonProps) -> Html {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let asking = use_state(|| false);
    let reason = use_state(String::new);
    let mutation = use_mutation::<Subscribe>({
        let (asking, toasts, i18n) = (asking.clone(), toasts.clone(), i18n.clone());
        let (name, on_done) = (props.model_name.to_string(), props.on_done.clone());
        Callback::from(move |data: api::subscribe::ResponseData| {
            asking.set(false);
            let pending = data.subscribe.status == api::subscribe::SubscriptionStatus::PENDING;
            let message = if pending {
                "subscribed-pending"
            } else {
                "subscribed-active"
            };
            toasts.push.emit(Toast {
                variant: if pending { "info" } else { "success" },
                title: i18n.t_with(message, &[("model", name.clone().into())]),
            });
            on_done.emit(());
        })
    });
    use_error_toast(mutation.error.clone());
    let busy = mutation.busy;
    let send = {
        let (reason, run, model_id) = (
            reason.clone(),
            mutation.run.clone(),
            props.model_id.to_string(),
        );
        Callback::from(move |()| {
            run.emit(api::subscribe::Variables {
                model_id: model_id.clone(),
                reason: Some((*reason).clone()).filter(|r| !r.trim().is_empty()),
            })
        })
    };
    let onclick = {
        let (asking, send, restricted) = (asking.clone(), send.clone(), props.restricted);
        Callback::from(move |_: MouseEvent| {
            if restricted {
                asking.set(true);
            } else {
                send.emit(());
            }
        })
    };
    let text = if props.restricted {
        i18n.t("request-access")
    } else {
        i18n.t("subscribe")
    };
    let close = {
        let asking = asking.clone();
        Callback::from(move |()| asking.set(false))
    };
    let footer = html! {
        <>
            <button class="pf-v6-c-button pf-m-primary" type="button" id="access-send" disabled={busy}
                onclick={let send = send.clone(); move |_| send.emit(())}>{ i18n.t("request-access") }</button>
            <button class="pf-v6-c-button pf-m-link" type="button"
                onclick={let close = close.clone(); move |_| close.emit(())}>{ i18n.t("cancel") }</button>
        </>
    };
    html! {
        <>
            <button class="pf-v6-c-button pf-m-primary pf-m-small" type="button" disabled={busy}
                id={format!("subscribe-{}", props.model_name.replace('/', "-"))}
                aria-label={format!("{text}: {}", props.model_name)} {onclick}>{ text }</button>
            if *asking {
                <Modal id="access-dialog" title={i18n.t_with("access-title", &[("model", props.model_name.to_string().into())])}
                    on_close={close} {footer}>
                    <p>{ i18n.t("model-restricted-explained") }</p>
                    <div class="pf-v6-c-form__group">
                        <label class="pf-v6-c-form__label" for="access-reason">{ i18n.t("access-reason") }</label>
                        <span class="pf-v6-c-form-control">
                            <textarea id="access-reason" rows="3" maxlength="1000" value={(*reason).clone()}
                                oninput={let reason = reason.clone(); move |e: InputEvent| reason.set(event_value(&e))} />
                        </span>
                    </div>
                </Modal>
            }
        </>
    }
}

/// The catalog page.
#[component]
pub fn CatalogPage() -> Html {
    let i18n = use_i18n();
    let currency = use_portal().currency();
    let query = use_query::<CatalogQuery>(catalog::Variables { filter: None });
    let search = use_state(String::new);
    let filter = use_state(Filter::default);
    let as_table = use_state(|| false);
    let set = |apply: fn(&mut Filter, Event)| {
        let filter = filter.clone();
        Callback::from(move |e: Event| {
            let mut next = (*filter).clone();
            apply(&mut next, e);
            filter.set(next);
        })
    };
    let on_capability = set(|f, e| f.capability = event_value(&e));
    let on_cluster = set(|f, e| f.cluster = event_value(&e));
    let on_provider = set(|f, e| f.provider = event_value(&e));
    let on_subscribed = set(|f, e| f.subscribed_only = event_checked(&e));
    let view_toggle = |table: bool, id: &str, text: String| {
        let as_table = as_table.clone();
        let pressed = *as_table == table;
        html! {
            <button class={classes!("pf-v6-c-button", if pressed { "pf-m-primary" } else { "pf-m-secondary" })}
                type="button" id={id.to_owned()} aria-pressed={pressed.to_string()}
                onclick={move |_| as_table.set(table)}>{ text }</button>
        }
    };
    let reload = query.reload.clone();
    let content = render(&query, |data: &catalog::ResponseData| {
        let models = &data.models.nodes;
        let mut active = (*filter).clone();
        active.search = (*search).clone();
        let shown: Vec<&Model> = models.iter().filter(|m| matches(m, &active)).collect();
        let clusters = distinct(models.iter().flat_map(|m| m.clusters.clone()));
        let providers = distinct(models.iter().map(|m| m.provider.clone()));
        let capabilities = distinct(
            models
                .iter()
                .flat_map(|m| m.capabilities.iter().map(capability_tag)),
        );
        let select = |id: &str,
                      label: String,
                      all: String,
                      current: &str,
                      options: Vec<(String, String)>,
                      onchange: Callback<Event>| {
            html! {
                <div class="pf-v6-c-form__group sy-filter">
                    <label class="pf-v6-c-form__label" for={id.to_owned()}>{ label }</label>
                    <span class="pf-v6-c-form-control">
                        <select id={id.to_owned()} {onchange}>
                            <option value="" selected={current.is_empty()}>{ all }</option>
                            { for options.into_iter().map(|(value, text)| html! {
                                <option selected={value.as_str() == current} value={value.clone()}>{ text }</option>
                            }) }
                        </select>
                    </span>
                </div>
            }
        };
        let capability_options = capabilities
            .into_iter()
            .map(|value| {
                let text = i18n.t(capability_message(&value));
                (value, text)
            })
            .collect();
        let body = if models.is_empty() {
            html! { <Empty title="catalog-empty-title" body={Some(AttrValue::from("catalog-empty-body"))} /> }
        } else if shown.is_empty() {
            html! { <Empty title="catalog-no-match" /> }
        } else if *as_table {
            html! {
                <div class="sy-table-wrap">
                    <table class="pf-v6-c-table pf-m-compact" id="catalog-table" aria-label={i18n.t("nav-catalog")}>
                        <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-model") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-provider") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-capabilities") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-price") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-context") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("health") }</th>
                            <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-actions") }</th>
                        </tr></thead>
                        <tbody class="pf-v6-c-table__tbody">
                            { for shown.iter().map(|m| html! {
                                <tr class="pf-v6-c-table__tr" key={m.id.clone()}>
                                    <td class="pf-v6-c-table__td"><Link<Route> to={Route::Model { name: m.name.clone() }}>{ &m.name }</Link<Route>></td>
                                    <td class="pf-v6-c-table__td">{ &m.provider }</td>
                                    <td class="pf-v6-c-table__td">{ model_labels(&i18n, m) }</td>
                                    <td class="pf-v6-c-table__td">{ prices(&i18n, m, &currency) }</td>
                                    <td class="pf-v6-c-table__td">{ m.context_length.map(format::count).unwrap_or_default() }</td>
                                    <td class="pf-v6-c-table__td">{ health(&i18n, m) }</td>
                                    <td class="pf-v6-c-table__td">
                                        if m.my_subscription_status.is_none() {
                                            <SubscribeButton model_id={m.id.clone()} model_name={m.name.clone()} restricted={m.restricted} on_done={reload.clone()} />
                                        }
                                    </td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        } else {
            html! {
                <div class="sy-cards" id="catalog-cards">
                    { for shown.iter().map(|m| html! {
                        <article class="pf-v6-c-card sy-model-card" key={m.id.clone()} aria-labelledby={format!("model-{}", m.id)}
                            id={format!("card-{}", m.name.replace('/', "-"))}>
                            <div class="pf-v6-c-card__title">
                                <h2 class="pf-v6-c-card__title-text" id={format!("model-{}", m.id)}>
                                    <Link<Route> to={Route::Model { name: m.name.clone() }}>{ &m.name }</Link<Route>>
                                </h2>
                                <span class="sy-muted">{ &m.provider }</span>
                            </div>
                            <div class="pf-v6-c-card__body">
                                { model_labels(&i18n, m) }
                                if let Some(description) = &m.description { <p>{ description }</p> }
                                <p>{ prices(&i18n, m, &currency) }</p>
                                if let Some(context) = m.context_length {
                                    <p>{ i18n.t_with("context-length", &[("tokens", format::count(context).into())]) }</p>
                                }
                                { health(&i18n, m) }
                            </div>
                            <div class="pf-v6-c-card__footer">
                                if m.my_subscription_status.is_none() {
                                    <SubscribeButton model_id={m.id.clone()} model_name={m.name.clone()} restricted={m.restricted} on_done={reload.clone()} />
                                }
                            </div>
                        </article>
                    }) }
                </div>
            }
        };
        html! {
            <>
                <div class="sy-toolbar">
                    <div class="pf-v6-c-form__group sy-filter sy-filter--search">
                        <label class="pf-v6-c-form__label" for="catalog-search">{ i18n.t("search") }</label>
                        <span class="pf-v6-c-form-control">
                            <input id="catalog-search" type="search" value={(*search).clone()} oninput={bind(&search)}
                                placeholder={i18n.t("catalog-search-placeholder")} />
                        </span>
                    </div>
                    { select("filter-capability", i18n.t("col-capabilities"), i18n.t("filter-all"), &filter.capability, capability_options, on_capability.clone()) }
                    { select("filter-cluster", i18n.t("filter-cluster"), i18n.t("filter-all"), &filter.cluster, clusters.into_iter().map(|c| (c.clone(), c)).collect(), on_cluster.clone()) }
                    { select("filter-provider", i18n.t("col-provider"), i18n.t("filter-all"), &filter.provider, providers.into_iter().map(|p| (p.clone(), p)).collect(), on_provider.clone()) }
                    <div class="pf-v6-c-check sy-filter">
                        <input class="pf-v6-c-check__input" type="checkbox" id="filter-subscribed"
                            checked={filter.subscribed_only} onchange={on_subscribed.clone()} />
                        <label class="pf-v6-c-check__label" for="filter-subscribed">{ i18n.t("filter-subscribed") }</label>
                    </div>
                    <div class="sy-view-toggle" role="group" aria-label={i18n.t("view")}>
                        { view_toggle(false, "view-cards", i18n.t("view-cards")) }
                        { view_toggle(true, "view-table", i18n.t("view-table")) }
                    </div>
                </div>
                <p class="sy-muted" id="catalog-count" aria-live="polite">
                    { i18n.t_with("catalog-count", &[("shown", (shown.len() as i64).into()), ("total", data.models.total_count.into())]) }
                </p>
                { body }
            </>
        }
    });
    html! {
        <>
            { page_header("catalog-title", i18n.t("nav-catalog"), Some(i18n.t("catalog-lead"))) }
            <section class="pf-v6-c-page__main-section">{ content }</section>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(name: &str, provider: &str, clusters: &[&str], subscribed: bool) -> Model {
        Model {
            id: name.into(),
            name: name.into(),
            description: Some("A Granite chat model".into()),
            provider: provider.into(),
            capabilities: vec![catalog::Capability::CHAT],
            context_length: Some(8192),
            input_price_per_million: 0.2,
            output_price_per_million: 0.6,
            restricted: false,
            clusters: clusters.iter().map(|c| (*c).to_owned()).collect(),
            my_subscription_status: subscribed.then_some(catalog::SubscriptionStatus::ACTIVE),
            deployments: vec![],
        }
    }

    #[test]
    fn every_search_word_must_appear_in_name_description_or_provider() {
        let m = model("ibm/granite-8b", "hosted_vllm", &["aws"], false);
        let search = |s: &str| Filter {
            search: s.into(),
            ..Filter::default()
        };
        assert!(matches(&m, &search("")));
        assert!(matches(&m, &search("GRANITE chat")));
        assert!(matches(&m, &search("vllm")));
        assert!(!matches(&m, &search("granite llama")));
    }

    #[test]
    fn the_other_filters_narrow_exactly() {
        let m = model("granite", "hosted_vllm", &["aws", "gaudi"], false);
        let f = |apply: fn(&mut Filter)| {
            let mut filter = Filter::default();
            apply(&mut filter);
            matches(&m, &filter)
        };
        assert!(f(|x| x.cluster = "gaudi".into()));
        assert!(!f(|x| x.cluster = "azure".into()));
        assert!(f(|x| x.capability = "CHAT".into()));
        assert!(!f(|x| x.capability = "EMBEDDINGS".into()));
        assert!(!f(|x| x.provider = "openai".into()));
        assert!(!f(|x| x.subscribed_only = true));
        assert!(matches(
            &model("g", "p", &[], true),
            &Filter {
                subscribed_only: true,
                ..Filter::default()
            }
        ));
    }
}
