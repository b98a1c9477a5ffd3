//! The administration console: one module per admin page, the guard that shows "not allowed"
//! to people without an admin role, and what every admin page shares. `admin-readonly` sees
//! each page whole, with every control that changes something disabled and a notice saying
//! why; the server refuses those changes too (the authorization matrix proves it).

pub mod audit;
pub mod banners;
pub mod branding;
pub mod models;
pub mod overview;
pub mod queue;
pub mod settings;
pub mod users;

use std::future::Future;

use yew::prelude::*;

use crate::api::ApiError;
use crate::components::states::NotAllowed;
use crate::hooks::{Toast, use_portal, use_toasts};
use crate::i18n::{Translator, use_i18n};

/// Properties of [`AdminOnly`].
#[derive(Properties, PartialEq)]
pub struct AdminOnlyProps {
    pub children: Html,
}

/// Shows its page to administrators (both roles); everyone else gets the "not allowed" page.
#[component]
pub fn AdminOnly(props: &AdminOnlyProps) -> Html {
    if use_portal().is_admin() {
        props.children.clone()
    } else {
        html! { <NotAllowed /> }
    }
}

/// What an admin page needs to know about the caller's rights.
#[derive(Clone, PartialEq)]
pub struct Rights {
    /// May change things (`admin`); otherwise only look (`admin-readonly`).
    pub write: bool,
    /// Why a change control is disabled, for its `title`.
    pub why_not: Option<AttrValue>,
}

/// The caller's rights on admin pages.
#[hook]
pub fn use_rights() -> Rights {
    let write = use_portal().can_administer();
    let i18n = use_i18n();
    Rights {
        write,
        why_not: (!write).then(|| AttrValue::from(i18n.t("admin-read-only-why"))),
    }
}

/// The heading of an admin page, and for read-only administrators the notice that every
/// control that changes something is disabled.
pub fn admin_header(id: &str, title: String, lead: String, rights: &Rights) -> Html {
    html! {
        <>
            { crate::pages::page_header(id, title, Some(lead)) }
            if let Some(why) = &rights.why_not {
                <section class="pf-v6-c-page__main-section sy-section-tight">
                    <div class="pf-v6-c-alert pf-m-info pf-m-inline" id="read-only-notice">
                        <p class="pf-v6-c-alert__title">{ why }</p>
                    </div>
                </section>
            }
        </>
    }
}

/// Where a form's or a dialog's save stands: under way, and why the last one was refused.
#[derive(Clone, PartialEq)]
pub struct Saving {
    busy: UseStateHandle<bool>,
    error: UseStateHandle<Option<String>>,
}

/// A form's or dialog's [`Saving`] state.
#[hook]
pub fn use_saving() -> Saving {
    Saving {
        busy: use_state(|| false),
        error: use_state(|| None),
    }
}

/// After a save: toasts message `saved` (an id), then calls `then`.
#[hook]
pub fn use_saved_toast(saved: &'static str, then: Callback<()>) -> Callback<()> {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    Callback::from(move |()| {
        toasts.push.emit(Toast {
            variant: "success",
            title: i18n.t(saved),
        });
        then.emit(());
    })
}

impl Saving {
    /// Shows why the form was not sent (or was refused).
    pub fn refuse(&self, message: String) {
        self.error.set(Some(message));
    }

    /// Runs `save`, busy meanwhile; then `on_done`, or the refusal is shown.
    pub fn run_all(
        &self,
        save: impl Future<Output = Result<(), ApiError>> + 'static,
        on_done: Callback<()>,
    ) {
        let (busy, error) = (self.busy.clone(), self.error.clone());
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let result = save.await;
            busy.set(false);
            match result {
                Ok(()) => {
                    error.set(None);
                    on_done.emit(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    }

    /// Runs operation `Q` with `variables`; `on_done` gets its data.
    pub fn run<Q>(&self, variables: Q::Variables, on_done: Callback<Q::ResponseData>)
    where
        Q: graphql_client::GraphQLQuery + 'static,
        Q::Variables: 'static,
    {
        let answer = std::rc::Rc::new(std::cell::RefCell::new(None));
        let kept = answer.clone();
        let save = async move {
            let data = crate::api::run::<Q>(variables).await?;
            kept.replace(Some(data));
            Ok(())
        };
        self.run_all(
            save,
            Callback::from(move |()| {
                if let Some(data) = answer.take() {
                    on_done.emit(data);
                }
            }),
        );
    }

    /// The refusal, as an alert `{form}-error`, if there is one.
    pub fn error(&self, form: &str) -> Html {
        match &*self.error {
            Some(message) => html! {
                <div class="pf-v6-c-alert pf-m-danger pf-m-inline" role="alert" id={format!("{form}-error")}>
                    <p class="pf-v6-c-alert__title">{ message }</p>
                </div>
            },
            None => html! {},
        }
    }

    /// A page form's Save button, `{form}-save`: disabled while saving and for read-only
    /// administrators.
    pub fn actions(&self, form: &str, rights: &Rights, label: String) -> Html {
        html! {
            <div class="pf-v6-c-form__actions">
                <button class="pf-v6-c-button pf-m-primary" type="submit" id={format!("{form}-save")}
                    disabled={!rights.write || *self.busy} title={rights.why_not.clone()}>{ label }</button>
            </div>
        }
    }

    /// A dialog's buttons: `label` (id `{form}-save`, off while saving) and Cancel.
    pub fn footer(
        &self,
        i18n: &crate::i18n::I18n,
        form: &str,
        label: String,
        on_save: Callback<MouseEvent>,
        on_close: &Callback<()>,
    ) -> Html {
        let close = on_close.clone();
        html! {
            <>
                <button class="pf-v6-c-button pf-m-primary" type="button" id={format!("{form}-save")}
                    disabled={*self.busy} onclick={on_save}>{ label }</button>
                <button class="pf-v6-c-button pf-m-link" type="button"
                    onclick={move |_| close.emit(())}>{ i18n.t("cancel") }</button>
            </>
        }
    }
}

/// Checkboxes for `options` (value, message id): each has the id `{prefix}-{value}` (value in
/// lower case), is ticked when `selected` holds its value, and tells `on_toggle` its value
/// and whether it is now ticked.
pub fn checks(
    i18n: &Translator,
    prefix: &str,
    options: &[(&'static str, &'static str)],
    selected: &[String],
    disabled: bool,
    on_toggle: &Callback<(String, bool)>,
) -> Html {
    html! {
        { for options.iter().map(|&(value, message)| {
            let on_toggle = on_toggle.clone();
            let onchange = Callback::from(move |e: Event| {
                on_toggle.emit((value.to_owned(), crate::pages::event_checked(&e)))
            });
            let id = format!("{prefix}-{}", value.to_lowercase());
            html! {
                <div class="pf-v6-c-check">
                    <input class="pf-v6-c-check__input" type="checkbox" id={id.clone()} {disabled}
                        checked={selected.iter().any(|s| s == value)} {onchange} />
                    <label class="pf-v6-c-check__label" for={id}>{ i18n.t(message) }</label>
                </div>
            }
        }) }
    }
}

/// `list` with `value` in it (once) when `on`, without it otherwise.
pub fn toggled(list: &[String], value: &str, on: bool) -> Vec<String> {
    let mut next: Vec<String> = list.iter().filter(|v| *v != value).cloned().collect();
    if on {
        next.push(value.to_owned());
    }
    next
}

/// A callback that ticks values in and out of the list in `state`.
pub fn toggle_in(state: &UseStateHandle<Vec<String>>) -> Callback<(String, bool)> {
    let state = state.clone();
    Callback::from(move |(value, on): (String, bool)| state.set(toggled(&state, &value, on)))
}

/// A filter in a toolbar: its label and its control (which has the id `id`).
fn filter_group(i18n: &Translator, id: &str, label_id: &str, control: Html) -> Html {
    html! {
        <div class="pf-v6-c-form__group sy-filter">
            <label class="pf-v6-c-form__label" for={id.to_owned()}>{ i18n.t(label_id) }</label>
            <span class="pf-v6-c-form-control">{ control }</span>
        </div>
    }
}

/// A filter's drop-down: "All" (the empty value) and `options` (value, text), `value` chosen.
pub fn filter_select(
    i18n: &Translator,
    id: &str,
    label_id: &str,
    value: &str,
    options: Vec<(String, String)>,
    onchange: Callback<Event>,
) -> Html {
    let control = html! {
        <select id={id.to_owned()} {onchange}>
            <option value="" selected={value.is_empty()}>{ i18n.t("filter-all") }</option>
            { for options.into_iter().map(|(v, text)| html! {
                <option selected={v == value} value={v.clone()}>{ text }</option>
            }) }
        </select>
    };
    filter_group(i18n, id, label_id, control)
}

/// A filter's date field (`YYYY-MM-DD`).
pub fn date_filter(
    i18n: &Translator,
    id: &str,
    label_id: &str,
    value: &str,
    onchange: Callback<Event>,
) -> Html {
    let control = html! {
        <input id={id.to_owned()} type="date" value={value.to_owned()} {onchange} />
    };
    filter_group(i18n, id, label_id, control)
}

/// A filter's text field, applied when its form is sent; its placeholder is the message
/// `<label_id>-placeholder`.
pub fn text_filter(
    i18n: &Translator,
    id: &str,
    label_id: &str,
    value: &str,
    oninput: Callback<InputEvent>,
) -> Html {
    let control = html! {
        <input id={id.to_owned()} type="search" value={value.to_owned()} {oninput}
            placeholder={i18n.t(&format!("{label_id}-placeholder"))} />
    };
    filter_group(i18n, id, label_id, control)
}

/// The instants a filter's dates stand for, both days whole (UTC): from the start of `since`
/// up to (not including) the midnight after `until`, as the server's `until` is exclusive.
/// A date not fully typed is no bound.
pub fn day_bounds(since: &str, until: &str) -> (Option<String>, Option<String>) {
    let start = |day: &str| format!("{day}T00:00:00Z");
    (
        parse_day(since).map(|_| start(since)),
        parse_day(until).map(|(y, m, d)| start(&next_day(y, m, d))),
    )
}

/// `YYYY-MM-DD` as numbers, when it is a real date.
fn parse_day(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    (text.len() == 10 && (1..=12).contains(&month) && (1..=days_in(year, month)).contains(&day))
        .then_some((year, month, day))
}

fn days_in(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The day after a real date, as `YYYY-MM-DD`.
fn next_day(year: i32, month: u32, day: u32) -> String {
    let (year, month, day) = if day < days_in(year, month) {
        (year, month, day + 1)
    } else if month < 12 {
        (year, month + 1, 1)
    } else {
        (year + 1, 1, 1)
    };
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_ticked_in_once_and_out_entirely() {
        let list = vec!["USER".to_owned()];
        assert_eq!(toggled(&list, "ADMIN", true), ["USER", "ADMIN"]);
        assert_eq!(toggled(&list, "USER", true), ["USER"]);
        assert!(toggled(&list, "USER", false).is_empty());
    }

    #[test]
    fn a_date_range_covers_whole_days_up_to_the_next_midnight() {
        assert_eq!(
            day_bounds("2026-11-01", "2026-11-30"),
            (
                Some("2026-11-01T00:00:00Z".to_owned()),
                Some("2026-12-01T00:00:00Z".to_owned())
            )
        );
        assert_eq!(
            day_bounds("", "2026-12-31").1.as_deref(),
            Some("2027-01-01T00:00:00Z")
        );
        assert_eq!(
            day_bounds("", "2028-02-28").1.as_deref(),
            Some("2028-02-29T00:00:00Z")
        );
        assert_eq!(
            day_bounds("", "2027-02-28").1.as_deref(),
            Some("2027-03-01T00:00:00Z")
        );
        assert_eq!(day_bounds("2026-1", "2026-02-30"), (None, None));
    }
}
