//! My subscriptions: each model's status, its history (who, when, why) and what I can do
//! next: cancel, ask for a review after a denial, subscribe again after a cancellation.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, CancelSubscription, MySubscriptions, RequestReview, my_subscriptions};
use crate::app::Route;
use crate::components::modal::{Confirm, Modal};
use crate::components::states::{Empty, render};
use crate::format;
use crate::hooks::{Toast, use_error_toast, use_mutation, use_portal, use_query, use_toasts};
use crate::i18n::{I18n, use_i18n};
use crate::pages::catalog::{SubscribeButton, label, status_badge, tag};
use crate::pages::{event_value, page_header};

/// One transition, as the generated types of any query carry it.
pub struct Event<'a> {
    pub from: Option<String>,
    pub to: String,
    pub by_me: bool,
    pub reason: Option<&'a str>,
    pub at: &'a str,
}

/// A subscription's history as a list.
pub fn history(i18n: &I18n, events: &[Event<'_>]) -> Html {
    html! {
        <ol class="sy-history">
            { for events.iter().map(|e| {
                let to = i18n.t(status_badge(&e.to).0);
                let who = if e.by_me { i18n.t("history-by-you") } else { i18n.t("history-by-admin") };
                html! {
                    <li>
                        <time datetime={e.at.to_owned()}>{ format::datetime(e.at) }</time>{ " · " }
                        { match &e.from {
                            Some(from) => i18n.t_with("history-change", &[("from", i18n.t(status_badge(from).0).into()), ("to", to.into())]),
                            None => i18n.t_with("history-start", &[("to", to.into())]),
                        } }
                        { " · " }{ who }
                        if let Some(reason) = e.reason { { " · " }<q>{ reason }</q> }
                    </li>
                }
            }) }
        </ol>
    }
}

/// Properties of [`SubscriptionActions`].
#[derive(Properties, PartialEq)]
pub struct SubscriptionActionsProps {
    pub id: AttrValue,
    /// The status's GraphQL name.
    pub status: AttrValue,
    pub model_id: AttrValue,
    pub model_name: AttrValue,
    pub restricted: bool,
    pub on_done: Callback<()>,
}

#[derive(Clone, Copy, PartialEq)]
enum Dialog {
    None,
    Cancel,
    Review,
}

/// What I can do with a subscription in its state.
#[component]
pub fn SubscriptionActions(props: &SubscriptionActionsProps) -> Html {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let dialog = use_state(|| Dialog::None);
    let message = use_state(String::new);
    let open = |d: Dialog| {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| dialog.set(d))
    };
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |()| dialog.set(Dialog::None))
    };
    // Either action: close the dialog, say what happened, reload the page's data.
    let done = |title: String| {
        let (dialog, toasts, on_done) = (dialog.clone(), toasts.clone(), props.on_done.clone());
        Callback::from(move |()| {
            dialog.set(Dialog::None);
            toasts.push.emit(Toast {
                variant: "success",
                title: title.clone(),
            });
            on_done.emit(());
        })
    };
    let cancelled = done(i18n.t_with(
        "subscription-cancelled",
        &[("model", props.model_name.to_string().into())],
    ));
    let cancel_mutation = use_mutation::<CancelSubscription>(cancelled.reform(|_| ()));
    let reviewed = done(i18n.t("review-requested"));
    let review_mutation = use_mutation::<RequestReview>(reviewed.reform(|_| ()));
    use_error_toast(
        cancel_mutation
            .error
            .clone()
            .or(review_mutation.error.clone()),
    );
    let busy = cancel_mutation.busy || review_mutation.busy;
    let cancel = {
        let (id, run) = (props.id.to_string(), cancel_mutation.run.clone());
        Callback::from(move |()| run.emit(api::cancel_subscription::Variables { id: id.clone() }))
    };
    let review = {
        let (id, run, message) = (
            props.id.to_string(),
            review_mutation.run.clone(),
            message.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            run.emit(api::request_review::Variables {
                id: id.clone(),
                message: Some((*message).clone()).filter(|m| !m.trim().is_empty()),
            })
        })
    };
    let slug = props.model_name.replace('/', "-");
    html! {
        <div class="sy-actions">
            { match props.status.as_str() {
                "ACTIVE" | "PENDING" => html! {
                    <button class="pf-v6-c-button pf-m-secondary pf-m-small" type="button"
                        id={format!("cancel-{slug}")} onclick={open(Dialog::Cancel)}>{ i18n.t("cancel-subscription") }</button>
                },
                "DENIED" => html! {
                    <button class="pf-v6-c-button pf-m-secondary pf-m-small" type="button"
                        id={format!("review-{slug}")} onclick={open(Dialog::Review)}>{ i18n.t("request-review") }</button>
                },
                _ => html! {
                    <SubscribeButton model_id={props.model_id.clone()} model_name={props.model_name.clone()}
                        restricted={props.restricted} on_done={props.on_done.clone()} />
                },
            } }
            if *dialog == Dialog::Cancel {
                <Confirm id="confirm-cancel" title={i18n.t("cancel-subscription")} danger=true busy={busy}
                    body={i18n.t_with("cancel-subscription-body", &[("model", props.model_name.to_string().into())])}
                    confirm={i18n.t("cancel-subscription")} on_confirm={cancel} on_cancel={close.clone()} />
            }
            if *dialog == Dialog::Review {
                <Modal id="review-dialog" title={i18n.t("request-review")} on_close={close.clone()}
                    footer={html! {
                        <>
                            <button class="pf-v6-c-button pf-m-primary" type="button" id="review-send"
                                disabled={busy} onclick={review}>{ i18n.t("send") }</button>
                            <button class="pf-v6-c-button pf-m-link" type="button"
                                onclick={let close = close.clone(); move |_| close.emit(())}>{ i18n.t("cancel") }</button>
                        </>
                    }}>
                    <div class="pf-v6-c-form__group">
                        <label class="pf-v6-c-form__label" for="review-message">{ i18n.t("review-message") }</label>
                        <span class="pf-v6-c-form-control">
                            <textarea id="review-message" rows="4" value={(*message).clone()}
                                oninput={let message = message.clone(); move |e: InputEvent| message.set(event_value(&e))} />
                        </span>
                    </div>
                </Modal>
            }
        </div>
    }
}

/// The subscriptions page.
#[component]
pub fn SubscriptionsPage() -> Html {
    let i18n = use_i18n();
    let me = use_portal().me().and_then(|m| m.user_id.clone());
    let query = use_query::<MySubscriptions>(my_subscriptions::Variables);
    let reload = query.reload.clone();
    let content = render(&query, |data: &my_subscriptions::ResponseData| {
        if data.my_subscriptions.is_empty() {
            return html! {
                <Empty title="subscriptions-empty-title" body={Some(AttrValue::from("subscriptions-empty-body"))}>
                    <Link<Route> to={Route::Catalog} classes="pf-v6-c-button pf-m-primary">{ i18n.t("home-browse-catalog") }</Link<Route>>
                </Empty>
            };
        }
        html! {
            <div class="sy-table-wrap">
                <table class="pf-v6-c-table" id="subscriptions-table" aria-label={i18n.t("nav-subscriptions")}>
                    <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-model") }</th>
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-status") }</th>
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-history") }</th>
                        <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-actions") }</th>
                    </tr></thead>
                    <tbody class="pf-v6-c-table__tbody">
                        { for data.my_subscriptions.iter().map(|s| {
                            let status = tag(&s.status);
                            let (id, colour) = status_badge(&status);
                            let model = s.model.as_ref();
                            let name = model.map(|m| m.name.clone()).unwrap_or_default();
                            let events: Vec<Event<'_>> = s.history.iter().map(|h| Event {
                                from: h.from_status.as_ref().map(tag),
                                to: tag(&h.to_status),
                                by_me: h.actor_user_id.is_some() && h.actor_user_id == me,
                                reason: h.reason.as_deref(),
                                at: &h.at,
                            }).collect();
                            html! {
                                <tr class="pf-v6-c-table__tr" key={s.id.clone()} id={format!("subscription-{}", name.replace('/', "-"))}>
                                    <td class="pf-v6-c-table__td"><Link<Route> to={Route::Model { name: name.clone() }}>{ &name }</Link<Route>></td>
                                    <td class="pf-v6-c-table__td">
                                        { label(i18n.t(id), colour) }
                                        if let Some(reason) = &s.reason { <p class="sy-muted">{ reason }</p> }
                                    </td>
                                    <td class="pf-v6-c-table__td">
                                        <details><summary>{ format::datetime(&s.updated_at) }</summary>{ history(&i18n, &events) }</details>
                                    </td>
                                    <td class="pf-v6-c-table__td">
                                        <SubscriptionActions id={s.id.clone()} status={status.clone()} model_name={name.clone()}
                                            model_id={model.map(|m| m.id.clone()).unwrap_or_default()}
                                            restricted={model.is_some_and(|m| m.restricted)} on_done={reload.clone()} />
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        }
    });
    html! {
        <>
            { page_header("subscriptions-title", i18n.t("nav-subscriptions"), Some(i18n.t("subscriptions-lead"))) }
            <section class="pf-v6-c-page__main-section">{ content }</section>
        </>
    }
}
