//! The audit log: every change, newest first, narrowed by action, actor, object, dates and
//! free text. Each entry opens to the state before the change, what was asked and what came
//! of it, as the server stored them (secrets already redacted), and the same entries download
//! as CSV from `/audit.csv`. Nothing here changes anything, so both administrator roles see
//! the same page, without the read-only notice.

use std::collections::BTreeSet;

use serde_json::Value;
use yew::prelude::*;

use crate::api::{AdminAudit, admin_audit};
use crate::components::states::{Empty, render};
use crate::format;
use crate::hooks::use_query;
use crate::i18n::{Translator, use_i18n};
use crate::pages::admin::{date_filter, day_bounds, filter_select, text_filter};
use crate::pages::catalog::label;
use crate::pages::{event_value, page_header};

/// Entries on one page.
const PAGE: i64 = 50;

/// The most entries the server reads for one filter (the newest); the count stops there.
const KEPT: i64 = 1_000;

type Entry = admin_audit::AdminAuditAuditLogNodes;

/// The filters, as typed.
#[derive(Clone, PartialEq, Default)]
struct Filters {
    /// One action exactly, or empty for every action.
    action: String,
    actor: String,
    /// Part of the object's type or id.
    target: String,
    /// Anything recorded.
    text: String,
    /// `YYYY-MM-DD`, inclusive.
    since: String,
    until: String,
}

/// `Some` trimmed text, or `None` when blank.
fn given(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

impl Filters {
    fn filter(&self) -> admin_audit::AuditLogFilter {
        let (since, until) = day_bounds(&self.since, &self.until);
        admin_audit::AuditLogFilter {
            actor_user_id: None,
            actor: given(&self.actor),
            action: given(&self.action),
            target_type: None,
            target: given(&self.target),
            text: given(&self.text),
            since,
            until,
        }
    }

    /// The same filters as `/audit.csv`'s query parameters (name, value), not yet encoded.
    fn csv_parameters(&self) -> Vec<(&'static str, String)> {
        let filter = self.filter();
        [
            ("action", filter.action),
            ("actor", filter.actor),
            ("target", filter.target),
            ("text", filter.text),
            ("since", filter.since),
            ("until", filter.until),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect()
    }
}

/// The address of the CSV export of what `filters` select.
fn csv_address(filters: &Filters) -> String {
    let query: Vec<String> = filters
        .csv_parameters()
        .into_iter()
        .map(|(name, value)| {
            format!(
                "{name}={}",
                String::from(js_sys::encode_uri_component(&value))
            )
        })
        .collect();
    if query.is_empty() {
        "/audit.csv".to_owned()
    } else {
        format!("/audit.csv?{}", query.join("&"))
    }
}

/// What an entry recorded, as the expander shows it: pretty JSON, or `None` for nothing.
#[derive(Debug, PartialEq)]
struct Recorded {
    before: Option<String>,
    input: Option<String>,
    result: Option<String>,
    /// Why the change was refused, when it was.
    refused: Option<String>,
}

impl Recorded {
    /// Reads an entry's `before` and `after` (`{input, result, refused?}`).
    fn of(before: Option<&Value>, after: Option<&Value>) -> Self {
        let pretty = |value: Option<&Value>| {
            value
                .filter(|v| !v.is_null())
                .map(|v| serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string()))
        };
        let part = |name: &str| pretty(after.and_then(|a| a.get(name)));
        Self {
            before: pretty(before),
            input: part("input"),
            result: part("result"),
            refused: after
                .and_then(|a| a.get("refused"))
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }
}

/// One part of an entry's details: its title and its JSON, or "nothing recorded".
fn part(i18n: &Translator, title_id: &str, json: Option<&String>) -> Html {
    html! {
        <div class="sy-audit-part">
            <p class="sy-audit-part__title">{ i18n.t(title_id) }</p>
            if let Some(json) = json {
                <pre class="sy-json">{ json }</pre>
            } else {
                <p class="sy-muted">{ i18n.t("audit-nothing") }</p>
            }
        </div>
    }
}

/// One entry: its row, and when open the row of its details.
fn entry_rows(i18n: &Translator, entry: &Entry, open: bool, toggle: Callback<MouseEvent>) -> Html {
    let recorded = Recorded::of(entry.before.as_ref(), entry.after.as_ref());
    let details_id = format!("audit-details-{}", entry.id);
    // The visible word first, so the accessible name holds it (WCAG 2.5.3).
    let shown = i18n.t(if open { "audit-hide" } else { "audit-show" });
    let name = format!(
        "{shown}: {}",
        i18n.t_with(
            "audit-details-of",
            &[
                ("action", entry.action.clone().into()),
                ("actor", entry.actor.clone().into()),
            ]
        )
    );
    html! {
        <tbody class={classes!("pf-v6-c-table__tbody", open.then_some("pf-m-expanded"))} key={entry.id.clone()}>
            <tr class="pf-v6-c-table__tr" id={format!("audit-row-{}", entry.id)}>
                <td class="pf-v6-c-table__td">{ format::datetime(&entry.at) }</td>
                <td class="pf-v6-c-table__td sy-break">{ &entry.actor }</td>
                <td class="pf-v6-c-table__td">
                    <code>{ &entry.action }</code>
                    if recorded.refused.is_some() {
                        { " " }{ label(i18n.t("audit-refused"), "pf-m-red") }
                    }
                </td>
                <td class="pf-v6-c-table__td sy-break">
                    { &entry.target_type }
                    if let Some(id) = &entry.target_id { <br /><span class="sy-muted">{ id }</span> }
                </td>
                <td class="pf-v6-c-table__td">
                    <button class="pf-v6-c-button pf-m-link pf-m-inline" type="button"
                        id={format!("audit-toggle-{}", entry.id)} aria-expanded={open.to_string()}
                        aria-controls={open.then(|| details_id.clone())}
                        aria-label={name}
                        onclick={toggle}>
                        { shown }
                    </button>
                </td>
            </tr>
            if open {
                <tr class="pf-v6-c-table__tr pf-v6-c-table__expandable-row pf-m-expanded" id={details_id}>
                    <td class="pf-v6-c-table__td" colspan="5">
                        <div class="pf-v6-c-table__expandable-row-content">
                            if let Some(reason) = &recorded.refused {
                                <p class="sy-audit-refused">{ i18n.t_with("audit-refused-why", &[("reason", reason.clone().into())]) }</p>
                            }
                            <div class="sy-audit-parts">
                                { part(i18n, "audit-before", recorded.before.as_ref()) }
                                { part(i18n, "audit-input", recorded.input.as_ref()) }
                                { part(i18n, "audit-result", recorded.result.as_ref()) }
                            </div>
                        </div>
                    </td>
                </tr>
            }
        </tbody>
    }
}

/// The audit log page.
#[component]
pub fn AdminAuditPage() -> Html {
    let i18n = use_i18n();
    // What is typed, and what the list shows (text fields apply on Enter or "Search").
    let draft = use_state(Filters::default);
    let applied = use_state(Filters::default);
    // The cursors of the pages before this one (the first page has none).
    let cursors = use_state(Vec::<String>::new);
    let open = use_state(BTreeSet::<String>::new);
    let query = use_query::<AdminAudit>(admin_audit::Variables {
        filter: Some(applied.filter()),
        first: Some(PAGE),
        after: cursors.last().cloned(),
    });

    let apply = {
        let (applied, cursors, open) = (applied.clone(), cursors.clone(), open.clone());
        Callback::from(move |next: Filters| {
            cursors.set(Vec::new());
            open.set(BTreeSet::new());
            applied.set(next);
        })
    };
    // A select or a date applies at once (with whatever text is typed); text waits.
    let set_field = |change: fn(&mut Filters, String), at_once: bool| {
        let (draft, apply) = (draft.clone(), apply.clone());
        Callback::from(move |e: Event| {
            let mut next = (*draft).clone();
            change(&mut next, event_value(&e));
            if at_once {
                apply.emit(next.clone());
            }
            draft.set(next);
        })
    };
    let type_text = |change: fn(&mut Filters, String)| {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let mut next = (*draft).clone();
            change(&mut next, event_value(&e));
            draft.set(next);
        })
    };
    let search = {
        let (draft, apply) = (draft.clone(), apply.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            apply.emit((*draft).clone());
        })
    };
    let newer = {
        let (cursors, open) = (cursors.clone(), open.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*cursors).clone();
            next.pop();
            open.set(BTreeSet::new());
            cursors.set(next);
        })
    };

    let typed = (*draft).clone();
    let content = render(&query, |data: &admin_audit::ResponseData| {
        let log = &data.audit_log;
        let actions = data
            .audit_actions
            .iter()
            .map(|a| (a.clone(), a.clone()))
            .collect();
        let older = {
            let (cursors, open, end) = (
                cursors.clone(),
                open.clone(),
                log.page_info.end_cursor.clone(),
            );
            Callback::from(move |_: MouseEvent| {
                if let Some(end) = &end {
                    let mut next = (*cursors).clone();
                    next.push(end.clone());
                    open.set(BTreeSet::new());
                    cursors.set(next);
                }
            })
        };
        html! {
            <>
                <form class="sy-toolbar" role="search" onsubmit={search.clone()} id="audit-filters">
                    { filter_select(&i18n, "audit-action", "audit-action", &typed.action, actions, set_field(|f, v| f.action = v, true)) }
                    { text_filter(&i18n, "audit-actor", "audit-actor", &typed.actor, type_text(|f, v| f.actor = v)) }
                    { text_filter(&i18n, "audit-object", "audit-object", &typed.target, type_text(|f, v| f.target = v)) }
                    { date_filter(&i18n, "audit-since", "audit-since", &typed.since, set_field(|f, v| f.since = v, true)) }
                    { date_filter(&i18n, "audit-until", "audit-until", &typed.until, set_field(|f, v| f.until = v, true)) }
                    <div class="pf-v6-c-form__group sy-filter sy-filter--search">
                        <label class="pf-v6-c-form__label" for="audit-text">{ i18n.t("audit-text") }</label>
                        <span class="pf-v6-c-form-control">
                            <input id="audit-text" type="search" value={typed.text.clone()} oninput={type_text(|f, v| f.text = v)}
                                placeholder={i18n.t("audit-text-placeholder")} />
                        </span>
                    </div>
                    <button class="pf-v6-c-button pf-m-primary" type="submit" id="audit-search">{ i18n.t("search") }</button>
                </form>
                <div class="sy-toolbar">
                    <p class="sy-muted" id="audit-count" aria-live="polite">
                        { i18n.t_with("audit-count", &[("count", log.total_count.into())]) }
                    </p>
                    <a class="pf-v6-c-button pf-m-secondary" href={csv_address(&applied)} download="audit.csv" id="audit-csv">
                        { i18n.t("audit-csv") }
                    </a>
                </div>
                if log.total_count >= KEPT {
                    <p class="sy-muted" id="audit-limit">{ i18n.t_with("audit-limit", &[("count", KEPT.into())]) }</p>
                }
                if log.nodes.is_empty() {
                    <Empty title="audit-empty-title" body={Some(AttrValue::from("audit-empty-body"))} />
                } else {
                    <div class="sy-table-wrap">
                        <table class="pf-v6-c-table pf-m-expandable" id="audit-table" aria-label={i18n.t("nav-admin-audit")}>
                            <thead class="pf-v6-c-table__thead"><tr class="pf-v6-c-table__tr">
                                <th class="pf-v6-c-table__th pf-m-nowrap" scope="col">{ i18n.t("audit-when") }</th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("audit-actor") }</th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("audit-action") }</th>
                                <th class="pf-v6-c-table__th" scope="col">{ i18n.t("audit-object") }</th>
                                <th class="pf-v6-c-table__th pf-m-fit-content" scope="col">{ i18n.t("audit-details") }</th>
                            </tr></thead>
                            { for log.nodes.iter().map(|entry| {
                                let is_open = open.contains(&entry.id);
                                let toggle = {
                                    let (open, id) = (open.clone(), entry.id.clone());
                                    Callback::from(move |_: MouseEvent| {
                                        let mut next = (*open).clone();
                                        if !next.remove(&id) { next.insert(id.clone()); }
                                        open.set(next);
                                    })
                                };
                                entry_rows(&i18n, entry, is_open, toggle)
                            }) }
                        </table>
                    </div>
                    <div class="sy-actions sy-pager">
                        <button class="pf-v6-c-button pf-m-secondary" type="button" id="audit-newer"
                            disabled={cursors.is_empty()} onclick={newer.clone()}>{ i18n.t("audit-newer") }</button>
                        <button class="pf-v6-c-button pf-m-secondary" type="button" id="audit-older"
                            disabled={!log.page_info.has_next_page} onclick={older}>{ i18n.t("audit-older") }</button>
                    </div>
                }
            </>
        }
    });
    html! {
        <>
            { page_header("audit-title", i18n.t("nav-admin-audit"), Some(i18n.t("audit-lead"))) }
            <section class="pf-v6-c-page__main-section">{ content }</section>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_the_query_and_the_export_parameters() {
        let filters = Filters {
            action: "setKeyPolicy".into(),
            actor: "  ada ".into(),
            target: String::new(),
            text: "100%".into(),
            since: "2026-11-01".into(),
            until: "2026-11-3".into(),
        };
        let filter = filters.filter();
        assert_eq!(filter.action.as_deref(), Some("setKeyPolicy"));
        assert_eq!(filter.actor.as_deref(), Some("ada"));
        assert_eq!(filter.target, None);
        assert_eq!(filter.since.as_deref(), Some("2026-11-01T00:00:00Z"));
        assert_eq!(filter.until, None, "a date not fully typed is no bound");
        assert_eq!(
            filters.csv_parameters(),
            [
                ("action", "setKeyPolicy".to_owned()),
                ("actor", "ada".to_owned()),
                ("text", "100%".to_owned()),
                ("since", "2026-11-01T00:00:00Z".to_owned()),
            ]
        );
        assert!(Filters::default().csv_parameters().is_empty());
    }

    #[test]
    fn an_entry_opens_to_its_before_input_and_result() {
        let after = serde_json::json!({"input": {"id": "b1"}, "result": null, "refused": "no"});
        let before = serde_json::json!({"markdown": "Hi"});
        let recorded = Recorded::of(Some(&before), Some(&after));
        assert_eq!(
            recorded,
            Recorded {
                before: Some("{\n  \"markdown\": \"Hi\"\n}".into()),
                input: Some("{\n  \"id\": \"b1\"\n}".into()),
                result: None,
                refused: Some("no".into()),
            }
        );
        assert_eq!(
            Recorded::of(None, None),
            Recorded {
                before: None,
                input: None,
                result: None,
                refused: None
            }
        );
    }
}
