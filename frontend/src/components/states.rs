//! The three states every page has besides its content: loading, failed (worded by the
//! kind of failure, with a retry), and empty. "Not allowed" and "not found" are whole pages.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{ApiError, ErrorKind};
use crate::app::Route;
use crate::hooks::QueryState;
use crate::i18n::use_i18n;

/// Shown while the first answer is on its way.
#[component]
pub fn Loading() -> Html {
    let i18n = use_i18n();
    html! {
        <div class="sy-state sy-state--loading" role="status" aria-busy="true">
            <span class="pf-v6-c-spinner pf-m-lg" role="progressbar" aria-label={i18n.t("loading")}>
                <span class="pf-v6-c-spinner__path"></span>
            </span>
            <p>{ i18n.t("loading") }</p>
        </div>
    }
}

/// Properties of [`Failed`].
#[derive(Properties, PartialEq)]
pub struct FailedProps {
    pub error: ApiError,
    /// Offered as "Try again" when set.
    #[prop_or_default]
    pub retry: Option<Callback<()>>,
}

/// A failure in words: what kind, the server's message, and a retry.
#[component]
pub fn Failed(props: &FailedProps) -> Html {
    let i18n = use_i18n();
    match props.error.kind {
        ErrorKind::Forbidden => return html! { <NotAllowed /> },
        ErrorKind::NotFound => return html! { <NotFound /> },
        _ => {}
    }
    let retry = props.retry.clone().map(|retry| {
        html! {
            <button class="pf-v6-c-button pf-m-secondary" type="button" id="retry"
                onclick={move |_| retry.emit(())}>{ i18n.t("retry") }</button>
        }
    });
    html! {
        <div class="pf-v6-c-alert pf-m-danger pf-m-inline sy-state" role="alert" id="page-error">
            <p class="pf-v6-c-alert__title">{ i18n.t(props.error.kind.message_id()) }</p>
            <div class="pf-v6-c-alert__description">
                <p>{ &props.error.message }</p>
                if props.error.kind == ErrorKind::Unauthenticated {
                    <p><a href="/login">{ i18n.t("sign-in") }</a></p>
                }
            </div>
            if let Some(retry) = retry {
                <div class="pf-v6-c-alert__action-group">{ retry }</div>
            }
        </div>
    }
}

/// Properties of [`Empty`].
#[derive(Properties, PartialEq)]
pub struct EmptyProps {
    /// The message id of the title.
    pub title: AttrValue,
    /// The message id of the explanation.
    #[prop_or_default]
    pub body: Option<AttrValue>,
    /// An action, such as a link to the catalog.
    #[prop_or_default]
    pub children: Html,
}

/// Nothing to show yet, and what to do about it.
#[component]
pub fn Empty(props: &EmptyProps) -> Html {
    let i18n = use_i18n();
    html! {
        <div class="pf-v6-c-empty-state sy-empty">
            <div class="pf-v6-c-empty-state__content">
                <div class="pf-v6-c-empty-state__header">
                    <h2 class="pf-v6-c-empty-state__title-text">{ i18n.t(&props.title) }</h2>
                </div>
                if let Some(body) = &props.body {
                    <div class="pf-v6-c-empty-state__body">{ i18n.t(body) }</div>
                }
                <div class="pf-v6-c-empty-state__footer">{ props.children.clone() }</div>
            </div>
        </div>
    }
}

/// Renders a query: loading until the first answer, the failure if there is no data, else
/// `view` of the data.
pub fn render<T>(state: &QueryState<T>, view: impl FnOnce(&T) -> Html) -> Html {
    match (&state.data, &state.error) {
        (Some(data), _) => view(data),
        (None, Some(error)) => {
            html! { <Failed error={error.clone()} retry={state.reload.clone()} /> }
        }
        (None, None) => html! { <Loading /> },
    }
}

/// The page for a place the caller may not go.
#[component]
pub fn NotAllowed() -> Html {
    let i18n = use_i18n();
    html! {
        <section class="pf-v6-c-page__main-section" id="not-allowed">
            <div class="pf-v6-c-content">
                <h1 class="pf-v6-c-title pf-m-xl">{ i18n.t("not-allowed-title") }</h1>
                <p>{ i18n.t("not-allowed-body") }</p>
                <p><Link<Route> to={Route::Home}>{ i18n.t("go-home") }</Link<Route>></p>
            </div>
        </section>
    }
}

/// The page for an address the portal does not know.
#[component]
pub fn NotFound() -> Html {
    let i18n = use_i18n();
    html! {
        <section class="pf-v6-c-page__main-section">
            <div class="pf-v6-c-content">
                <h1 class="pf-v6-c-title pf-m-xl" id="not-found">{ i18n.t("not-found-title") }</h1>
                <p>
                    { i18n.t("not-found-body") }{ " " }
                    <Link<Route> to={Route::Home}>{ i18n.t("go-home") }</Link<Route>>
                </p>
            </div>
        </section>
    }
}
