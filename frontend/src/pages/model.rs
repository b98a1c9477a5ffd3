//! One model: its details and prices, each cluster's deployment, my subscription with its
//! history and actions, and code for calling it through the gateway.

use yew::prelude::*;

use crate::api::{ModelPage as ModelQuery, model_page};
use crate::components::snippets::{Call, Snippets};
use crate::components::states::{NotFound, render};
use crate::format;
use crate::hooks::{use_portal, use_query};
use crate::i18n::use_i18n;
use crate::pages::catalog::{SubscribeButton, capability_message, label, status_badge, tag};
use crate::pages::subscriptions::{Event, SubscriptionActions, history};

/// The snippet call that suits a model's capabilities.
pub fn call_for(capabilities: &[String]) -> Call {
    let has = |c: &str| capabilities.iter().any(|x| x == c);
    if has("CHAT") {
        Call::Chat
    } else if has("EMBEDDINGS") {
        Call::Embeddings
    } else if has("DOCUMENT_CONVERSION") {
        Call::DocumentConversion
    } else if has("RERANK") {
        Call::Rerank
    } else if has("AUDIO_TRANSCRIPTION") {
        Call::Transcription
    } else if has("COMPLETION") {
        Call::Completion
    } else {
        Call::Chat
    }
}

/// Properties of [`ModelPage`].
#[derive(Properties, PartialEq)]
pub struct ModelPageProps {
    pub name: AttrValue,
}

/// The model page.
#[component]
pub fn ModelPage(props: &ModelPageProps) -> Html {
    let i18n = use_i18n();
    let portal = use_portal();
    let currency = portal.currency();
    let me = portal.me().and_then(|m| m.user_id.clone());
    let query = use_query::<ModelQuery>(model_page::Variables {
        name: props.name.to_string(),
    });
    let reload = query.reload.clone();
    render(&query, |data: &model_page::ResponseData| {
        let Some(model) = &data.model else {
            return html! { <NotFound /> };
        };
        let mine = data
            .my_subscriptions
            .iter()
            .find(|s| s.model.as_ref().is_some_and(|m| m.name == model.name));
        let capabilities: Vec<String> = model.capabilities.iter().map(tag).collect();
        let subscription = match mine {
            Some(s) => {
                let status = tag(&s.status);
                let (id, colour) = status_badge(&status);
                let events: Vec<Event<'_>> = s
                    .history
                    .iter()
                    .map(|h| Event {
                        from: h.from_status.as_ref().map(tag),
                        to: tag(&h.to_status),
                        by_me: h.actor_user_id.is_some() && h.actor_user_id == me,
                        reason: h.reason.as_deref(),
                        at: &h.at,
                    })
                    .collect();
                html! {
                    <>
                        <p id="model-subscription-status">{ label(i18n.t(id), colour) }</p>
                        if let Some(reason) = &s.reason { <p class="sy-muted">{ reason }</p> }
                        { history(&i18n, &events) }
                        <SubscriptionActions id={s.id.clone()} status={status} model_id={model.id.clone()}
                            model_name={model.name.clone()} restricted={model.restricted} on_done={reload.clone()} />
                    </>
                }
            }
            None => html! {
                <>
                    <p>{ if model.restricted { i18n.t("model-restricted-explained") } else { i18n.t("model-open-explained") } }</p>
                    <SubscribeButton model_id={model.id.clone()} model_name={model.name.clone()}
                        restricted={model.restricted} on_done={reload.clone()} />
                </>
            },
        };
        html! {
            <>
                <section class="pf-v6-c-page__main-section">
                    <div class="pf-v6-c-content">
                        <h1 class="pf-v6-c-title pf-m-2xl" id="model-title">{ &model.name }</h1>
                        if let Some(description) = &model.description { <p>{ description }</p> }
                    </div>
                    <div class="pf-v6-c-label-group sy-labels">
                        { for capabilities.iter().map(|c| label(i18n.t(capability_message(c)), "pf-m-blue")) }
                        if model.restricted { { label(i18n.t("restricted"), "pf-m-purple") } }
                    </div>
                </section>
                <section class="pf-v6-c-page__main-section sy-grid">
                    <div class="pf-v6-c-card">
                        <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ i18n.t("model-details") }</h2></div>
                        <div class="pf-v6-c-card__body">
                            <dl class="pf-v6-c-description-list pf-m-horizontal">
                                <div class="pf-v6-c-description-list__group">
                                    <dt class="pf-v6-c-description-list__term">{ i18n.t("col-provider") }</dt>
                                    <dd class="pf-v6-c-description-list__description">{ &model.provider }</dd>
                                </div>
                                <div class="pf-v6-c-description-list__group">
                                    <dt class="pf-v6-c-description-list__term">{ i18n.t("price-input") }</dt>
                                    <dd class="pf-v6-c-description-list__description">{ format::money(model.input_price_per_million, &currency) }</dd>
                                </div>
                                <div class="pf-v6-c-description-list__group">
                                    <dt class="pf-v6-c-description-list__term">{ i18n.t("price-output") }</dt>
                                    <dd class="pf-v6-c-description-list__description">{ format::money(model.output_price_per_million, &currency) }</dd>
                                </div>
                                if model.price_per_audio_minute > 0.0 {
                                    <div class="pf-v6-c-description-list__group">
                                        <dt class="pf-v6-c-description-list__term">{ i18n.t("price-audio-minute") }</dt>
                                        <dd class="pf-v6-c-description-list__description">{ format::money(model.price_per_audio_minute, &currency) }</dd>
                                    </div>
                                }
                                if let Some(context) = model.context_length {
                                    <div class="pf-v6-c-description-list__group">
                                        <dt class="pf-v6-c-description-list__term">{ i18n.t("col-context") }</dt>
                                        <dd class="pf-v6-c-description-list__description">{ format::count(context) }</dd>
                                    </div>
                                }
                            </dl>
                        </div>
                    </div>
                    <div class="pf-v6-c-card">
                        <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ i18n.t("model-deployments") }</h2></div>
                        <div class="pf-v6-c-card__body">
                            <ul class="sy-list" id="model-deployments">
                                { for model.deployments.iter().map(|d| {
                                    let state = match (d.enabled, d.healthy) {
                                        (false, _) => "health-disabled",
                                        (true, Some(true)) => "health-healthy",
                                        (true, Some(false)) => "health-unhealthy",
                                        (true, None) => "health-unknown",
                                    };
                                    html! { <li>{ format!("{}: {}", d.cluster, i18n.t(state)) }</li> }
                                }) }
                            </ul>
                        </div>
                    </div>
                    <div class="pf-v6-c-card" id="model-subscription">
                        <div class="pf-v6-c-card__title"><h2 class="pf-v6-c-card__title-text">{ i18n.t("model-my-subscription") }</h2></div>
                        <div class="pf-v6-c-card__body">{ subscription }</div>
                    </div>
                </section>
                <section class="pf-v6-c-page__main-section">
                    <h2 class="pf-v6-c-title pf-m-lg">{ i18n.t("model-how-to-call") }</h2>
                    <Snippets id="model-snippets" call={call_for(&capabilities)} secret="$OPENAI_API_KEY" model={model.name.clone()} />
                </section>
            </>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_follows_the_main_capability() {
        let caps = |c: &[&str]| c.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(call_for(&caps(&["COMPLETION", "CHAT"])), Call::Chat);
        assert_eq!(call_for(&caps(&["EMBEDDINGS"])), Call::Embeddings);
        assert_eq!(
            call_for(&caps(&["DOCUMENT_CONVERSION"])),
            Call::DocumentConversion
        );
        assert_eq!(call_for(&caps(&["COMPLETION"])), Call::Completion);
        assert_eq!(call_for(&[]), Call::Chat);
    }
}
