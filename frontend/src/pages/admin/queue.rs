//! The subscription queue: everyone's subscriptions, pending first by default, narrowed by
//! status, model, user and dates; each row names the subscriber (name and e-mail) and keeps
//! its history. Administrators approve in bulk, deny in bulk with a reason the users read,
//! and revert a decision. The list refreshes itself every few seconds, so a new request
//! appears without a reload.

use std::collections::BTreeSet;

use yew::prelude::*;

use crate::api::{
    self, AdminQueue, ApproveSubscriptions, DenySubscriptions, RevertSubscription, admin_queue,
};
use crate::components::modal::{Confirm, Modal};
use crate::components::states::{Empty, render};
use crate::format;
use crate::hooks::{Toast, use_error_toast, use_mutation, use_portal, use_query, use_toasts};
use crate::i18n::use_i18n;
use crate::pages::admin::{admin_header, date_filter, day_bounds, filter_select, use_rights};
use crate::pages::catalog::{label, status_badge, tag};
use crate::pages::subscriptions::{Event as HistoryEvent, history};
use crate::pages::{bind, event_checked, event_value};

/// How often the queue asks for changes while it is open.
const REFRESH_MS: u32 = 3_000;

type Row = admin_queue::AdminQueueSubscriptionQueueNodes;

/// What is being decided in a dialog.
#[derive(Clone, PartialEq)]
enum Dialog {
    None,
    Deny(Vec<String>),
    Revert { id: String, what: String },
}

/// The filters, as typed.
#[derive(Clone, PartialEq, Default)]
struct Filters {
    /// A status's GraphQL name, or empty for every status.
    status: String,
    model_id: String,
    user: String,
    /// `YYYY-MM-DD`, inclusive.
    since: String,
    until: String,
}

impl Filters {
    fn variables(&self) -> admin_queue::Variables {
        let status = match self.status.as_str() {
            "PENDING" => Some(admin_queue::SubscriptionStatus::PENDING),
            "ACTIVE" => Some(admin_queue::SubscriptionStatus::ACTIVE),
            "DENIED" => Some(admin_queue::SubscriptionStatus::DENIED),
            "CANCELLED" => Some(admin_queue::SubscriptionStatus::CANCELLED),
            _ => None,
        };
        let (since, until) = day_bounds(&self.since, &self.until);
        admin_queue::Variables {
            filter: Some(admin_queue::SubscriptionQueueFilter {
                status,
                model_id: Some(self.model_id.clone()).filter(|m| !m.is_empty()),
                user_id: None,
                user_search: Some(self.user.trim().to_owned()).filter(|u| !u.is_empty()),
                since,
                until,
            }),
        }
    }
}

/// "Name <e-mail>" for a row's subscriber, falling back to the external id.
fn who(row: &Row) -> (String, Option<String>) {
    match &row.subscriber {
        Some(s) => (
            s.display_name
                .clone()
                .unwrap_or_else(|| s.external_id.clone()),
            s.email.clone(),
        ),
        None => (row.id.clone(), None),
    }
}

/// The admin subscription queue page.
#[component]
pub fn AdminQueuePage() -> Html {
    let i18n = use_i18n();
    let rights = use_rights();
    let toasts = use_toasts();
    let me = use_portal().me().and_then(|m| m.user_id.clone());
    let filters = use_state(|| Filters {
        status: "PENDING".into(),
        ..Filters::default()
    });
    let user_text = use_state(String::new);
    let query = use_query::<AdminQueue>(filters.variables());
    let selected = use_state(BTreeSet::<String>::new);
    let dialog = use_state(|| Dialog::None);
    let reason = use_state(String::new);
    let reason_missing = use_state(|| false);
    {
        let reload = query.reload.clone();
        use_effect_with((), move |()| {
            let timer = gloo_timers::callback::Interval::new(REFRESH_MS, move || reload.emit(()));
            move || drop(timer)
        });
    }
    // Every decision: close the dialog, clear the selection, say what happened, reload.
    let decided = |message: &'static str| {
        let (dialog, selected, toasts, reload, i18n) = (
            dialog.clone(),
            selected.clone(),
            toasts.clone(),
            query.reload.clone(),
            i18n.clone(),
        );
        Callback::from(move |count: usize| {
            dialog.set(Dialog::None);
            selected.set(BTreeSet::new());
            toasts.push.emit(Toast {
                variant: "success",
                title: i18n.t_with(message, &[("count", (count as i64).into())]),
            });
            reload.emit(());
        })
    };
    let approve = use_mutation::<ApproveSubscriptions>(
        decided("queue-approved")
            .reform(|d: api::approve_subscriptions::ResponseData| d.approve_subscriptions.len()),
    );
    let deny = use_mutation::<DenySubscriptions>(
        decided("queue-denied")
            .reform(|d: api::deny_subscriptions::ResponseData| d.deny_subscriptions.len()),
    );
    let revert = use_mutation::<RevertSubscription>(decided("queue-reverted").reform(|_| 1usize));
    use_error_toast(
        approve
            .error
            .clone()
            .or(deny.error.clone())
            .or(revert.error.clone()),
    );
    let busy = approve.busy || deny.busy || revert.busy;

    let set_filter = |apply: fn(&mut Filters, String)| {
        let (filters, selected) = (filters.clone(), selected.clone());
        Callback::from(move |e: Event| {
            let mut next = (*filters).clone();
            apply(&mut next, event_value(&e));
            selected.set(BTreeSet::new());
            filters.set(next);
        })
    };
    let search_user = {
        let (filters, user_text) = (filters.clone(), user_text.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut next = (*filters).clone();
            next.user = (*user_text).clone();
            filters.set(next);
        })
    };
    let approve_selected = {
        let (run, selected) = (approve.run.clone(), selected.clone());
        Callback::from(move |_: MouseEvent| {
            run.emit(api::approve_subscriptions::Variables {
                ids: selected.iter().cloned().collect(),
            })
        })
    };
    let open_deny = {
        let (dialog, selected, reason, missing) = (
            dialog.clone(),
            selected.clone(),
            reason.clone(),
            reason_missing.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            reason.set(String::new());
            missing.set(false);
            dialog.set(Dialog::Deny(selected.iter().cloned().collect()));
        })
    };
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |()| dialog.set(Dialog::None))
    };
    let send_deny = {
        let (run, dialog, reason, missing) = (
            deny.run.clone(),
            dialog.clone(),
            reason.clone(),
            reason_missing.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Dialog::Deny(ids) = &*dialog else { return };
            let text = reason.trim().to_owned();
            if text.is_empty() {
                missing.set(true);
                return;
            }
            run.emit(api::deny_subscriptions::Variables {
                ids: ids.clone(),
                reason: text,
            });
        })
    };
    let send_revert = {
        let (run, dialog) = (revert.run.clone(), dialog.clone());
        Callback::from(move |()| {
            if let Dialog::Revert { id, .. } = &*dialog {
                run.emit(api::revert_subscription::Variables {
                    id: id.clone(),
                    reason: None,
                });
            }
        })
    };

    let current = (*filters).clone();
    let content = render(&query, |data: &admin_queue::ResponseData| {
        let rows = &data.subscription_queue.nodes;
        let mut models: Vec<(String, String)> = data
            .models
            .nodes
            .iter()
            .map(|m| (m.id.clone(), m.name.clone()))
            .collect();
        models.sort_by(|a, b| a.1.cmp(&b.1));
        let pending: Vec<String> = rows
            .iter()
            .filter(|r| tag(&r.status) == "PENDING")
            .map(|r| r.id.clone())
            .collect();
        let all_selected = !pending.is_empty() && pending.iter().all(|id| selected.contains(id));
        let toggle_all = {
            let (selected, pending) = (selected.clone(), pending.clone());
            Callback::from(move |e: Event| {
                selected.set(if event_checked(&e) {
                    pending.iter().cloned().collect()
                } else {
                    BTreeSet::new()
                })
            })
        };
        let statuses = ["PENDING", "ACTIVE", "DENIED", "CANCELLED"]
            .into_iter()
            .map(|s| (s.to_owned(), i18n.t(status_badge(s).0)))
            .collect();
        html! {
            <>
                <div class="sy-toolbar">
                    { filter_select(&i18n, "queue-status", "col-status", &current.status, statuses, set_filter(|f, v| f.status = v)) }
                    { filter_select(&i18n, "queue-model", "col-model", &current.model_id, models, set_filter(|f, v| f.model_id = v)) }
                    <form class="pf-v6-c-form__group sy-filter sy-filter--search" onsubmit={search_user.clone()} role="search">
                        <label class="pf-v6-c-form__label" for="queue-user">{ i18n.t("queue-user") }</label>
                        <span class="pf-v6-c-form-control">
                            <input id="queue-user" type="search" value={(*user_text).clone()} oninput={bind(&user_text)}
                                placeholder={i18n.t("queue-user-placeholder")} />
                        </span>
                    </form>
                    { date_filter(&i18n, "queue-since", "queue-since", &current.since, set_filter(|f, v| f.since = v)) }
                    { date_filter(&i18n, "queue-until", "queue-until", &current.until, set_filter(|f, v| f.until = v)) }
                </div>
                <div class="sy-toolbar">
                    <p class="sy-muted" id="queue-count" aria-live="polite">
                        { i18n.t_with("queue-count", &[("count", data.subscription_queue.total_count.into())]) }
                    </p>
                    <button class="pf-v6-c-button pf-m-primary" type="button" id="queue-approve"
                        disabled={!rights.write || selected.is_empty() || busy} title={rights.why_not.clone()}
                        onclick={approve_selected.clone()}>
                        { i18n.t_with("queue-approve-selected", &[("count", (selected.len() as i64).into())]) }
                    </button>
                    <button class="pf-v6-c-button pf-m-danger" type="button" id="queue-deny"
                        disabled={!rights.write || selected.is_empty() || busy} title={rights.why_not.clone()}
                        onclick={open_deny.clone()}>
                        { i18n.t_with("queue-deny-selected", &[("count", (selected.len() as i64).into())]) }
                    </button>
                </div>
                if rows.is_empty() {
                    <Empty title="queue-empty-title" body={Some(AttrValue::from("queue-empty-body"))} />
                } else {
                    <div class="sy-table-wrap">
                        <table class="pf-v6-c-table" id="queue-table" aria-label={i18n.t("nav-admin-queue")}>
                            <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                                <th class="pf-v6-c-table__th" scope="col">
                                    <input type="checkbox" id="queue-select-all" checked={all_selected}
                                        disabled={!rights.write || pending.is_empty()} onchange={toggle_all}
                                        aria-label={i18n.t("queue-select-all")} />
                                </th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("queue-user") }</th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-model") }</th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-status") }</th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-history") }</th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("col-actions") }</th>
                            </tr></thead>
                            <tbody class="pf-v6-c-table__tbody">
                                { for rows.iter().map(|row| {
                                    let status = tag(&row.status);
                                    let (status_id, colour) = status_badge(&status);
                                    let model = row.model.as_ref().map(|m| m.name.clone()).unwrap_or_default();
                                    let (name, email) = who(row);
                                    let pending_row = status == "PENDING";
                                    let checked = selected.contains(&row.id);
                                    let on_check = {
                                        let (selected, id) = (selected.clone(), row.id.clone());
                                        Callback::from(move |e: Event| {
                                            let mut next = (*selected).clone();
                                            if event_checked(&e) { next.insert(id.clone()); } else { next.remove(&id); }
                                            selected.set(next);
                                        })
                                    };
                                    let events: Vec<HistoryEvent<'_>> = row.history.iter().map(|h| HistoryEvent {
                                        from: h.from_status.as_ref().map(tag),
                                        to: tag(&h.to_status),
                                        by_me: h.actor_user_id.is_some() && h.actor_user_id == me,
                                        reason: h.reason.as_deref(),
                                        at: &h.at,
                                    }).collect();
                                    let slug = format!("{}-{}", model.replace('/', "-"), row.id);
                                    let open_revert = {
                                        let (dialog, id) = (dialog.clone(), row.id.clone());
                                        let what = format!("{name} · {model}");
                                        Callback::from(move |_: MouseEvent| dialog.set(Dialog::Revert { id: id.clone(), what: what.clone() }))
                                    };
                                    html! {
                                        <tr class="pf-v6-c-table__tr" key={row.id.clone()} id={format!("queue-row-{}", row.id)}>
                                            <td class="pf-v6-c-table__td">
                                                if pending_row {
                                                    <input type="checkbox" id={format!("queue-select-{}", row.id)} {checked}
                                                        disabled={!rights.write} onchange={on_check}
                                                        aria-label={i18n.t_with("queue-select", &[("user", name.clone().into()), ("model", model.clone().into())])} />
                                                }
                                            </td>
                                            <td class="pf-v6-c-table__td">
                                                <strong>{ &name }</strong>
                                                if let Some(email) = &email { <br /><span class="sy-muted">{ email }</span> }
                                            </td>
                                            <td class="pf-v6-c-table__td">{ &model }</td>
                                            <td class="pf-v6-c-table__td">
                                                { label(i18n.t(status_id), colour) }
                                                if let Some(reason) = &row.reason { <p class="sy-muted">{ reason }</p> }
                                            </td>
                                            <td class="pf-v6-c-table__td">
                                                <details><summary>{ format::datetime(&row.updated_at) }</summary>{ history(&i18n, &events) }</details>
                                            </td>
                                            <td class="pf-v6-c-table__td">
                                                if matches!(status.as_str(), "ACTIVE" | "DENIED") {
                                                    <button class="pf-v6-c-button pf-m-secondary pf-m-small" type="button"
                                                        id={format!("queue-revert-{slug}")} disabled={!rights.write || busy}
                                                        title={rights.why_not.clone()} onclick={open_revert}>{ i18n.t("queue-revert") }</button>
                                                }
                                            </td>
                                        </tr>
                                    }
                                }) }
                            </tbody>
                        </table>
                    </div>
                }
            </>
        }
    });
    html! {
        <>
            { admin_header("queue-title", i18n.t("nav-admin-queue"), i18n.t("queue-lead"), &rights) }
            <section class="pf-v6-c-page__main-section">{ content }</section>
            if let Dialog::Deny(ids) = &*dialog {
                <Modal id="deny-dialog" title={i18n.t_with("queue-deny-title", &[("count", (ids.len() as i64).into())])}
                    on_close={close.clone()}
                    footer={html! {
                        <>
                            <button class="pf-v6-c-button pf-m-danger" type="button" id="deny-send"
                                disabled={busy} onclick={send_deny.clone()}>{ i18n.t("queue-deny") }</button>
                            <button class="pf-v6-c-button pf-m-link" type="button"
                                onclick={let close = close.clone(); move |_| close.emit(())}>{ i18n.t("cancel") }</button>
                        </>
                    }}>
                    <div class="pf-v6-c-form__group">
                        <label class="pf-v6-c-form__label" for="deny-reason">{ i18n.t("queue-deny-reason") }</label>
                        <span class={classes!("pf-v6-c-form-control", reason_missing.then_some("pf-m-error"))}>
                            <textarea id="deny-reason" rows="3" required=true value={(*reason).clone()}
                                aria-invalid={reason_missing.to_string()} aria-describedby="deny-reason-help"
                                oninput={let reason = reason.clone(); move |e: InputEvent| reason.set(event_value(&e))} />
                        </span>
                        <p class="pf-v6-c-form__helper-text" id="deny-reason-help">
                            { if *reason_missing { i18n.t("queue-deny-reason-required") } else { i18n.t("queue-deny-reason-help") } }
                        </p>
                    </div>
                </Modal>
            }
            if let Dialog::Revert { what, .. } = &*dialog {
                <Confirm id="revert-dialog" title={i18n.t("queue-revert")} busy={busy}
                    body={i18n.t_with("queue-revert-body", &[("what", what.clone().into())])}
                    confirm={i18n.t("queue-revert")} on_confirm={send_revert.clone()} on_cancel={close.clone()} />
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_the_queue_query() {
        let filters = Filters {
            status: "PENDING".into(),
            model_id: String::new(),
            user: "  ana ".into(),
            since: "2026-11-01".into(),
            until: "2026-11-30".into(),
        };
        let filter = filters.variables().filter.unwrap();
        assert_eq!(
            filter.status,
            Some(admin_queue::SubscriptionStatus::PENDING)
        );
        assert_eq!(filter.model_id, None);
        assert_eq!(filter.user_search.as_deref(), Some("ana"));
        assert_eq!(filter.since.as_deref(), Some("2026-11-01T00:00:00Z"));
        assert_eq!(filter.until.as_deref(), Some("2026-12-01T00:00:00Z"));
        let everything = Filters::default().variables().filter.unwrap();
        assert_eq!(everything.status, None);
        assert_eq!(everything.user_search, None);
        assert_eq!(everything.since, None);
    }
}
