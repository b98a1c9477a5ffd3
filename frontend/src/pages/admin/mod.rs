//! The administration console: one module per admin page, the guard that shows "not allowed"
//! to people without an admin role, and what every admin page shares. `admin-readonly` sees
//! each page whole, with every control that changes something disabled and a notice saying
//! why; the server refuses those changes too (the authorization matrix proves it).

pub mod banners;
pub mod models;
pub mod queue;
pub mod settings;

use yew::prelude::*;

use crate::components::states::NotAllowed;
use crate::hooks::use_portal;
use crate::i18n::use_i18n;

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

/// Where an admin dialog's save stands: under way, and why the last one failed.
#[derive(Clone, PartialEq)]
pub struct Saving {
    pub busy: UseStateHandle<bool>,
    pub error: UseStateHandle<Option<String>>,
}

/// A dialog's [`Saving`] state.
#[hook]
pub fn use_saving() -> Saving {
    Saving {
        busy: use_state(|| false),
        error: use_state(|| None),
    }
}

impl Saving {
    /// Runs `Q` with `variables`; `on_done` gets its data, a failure is shown in the dialog.
    pub fn run<Q>(&self, variables: Q::Variables, on_done: Callback<Q::ResponseData>)
    where
        Q: graphql_client::GraphQLQuery + 'static,
        Q::Variables: 'static,
    {
        let (busy, error) = (self.busy.clone(), self.error.clone());
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let result = crate::api::run::<Q>(variables).await;
            busy.set(false);
            match result {
                Ok(data) => on_done.emit(data),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    }

    /// Shows `message` as the dialog's failure.
    pub fn fail(&self, message: String) {
        self.error.set(Some(message));
    }

    /// The failure, if any, as an alert with `id`.
    pub fn alert(&self, id: &str) -> Html {
        match &*self.error {
            Some(message) => html! {
                <div class="pf-v6-c-alert pf-m-danger pf-m-inline" role="alert" id={id.to_owned()}>
                    <p class="pf-v6-c-alert__title">{ message }</p>
                </div>
            },
            None => html! {},
        }
    }

    /// A dialog's buttons: `label` (id `save_id`, off while saving) and Cancel.
    pub fn footer(
        &self,
        i18n: &crate::i18n::I18n,
        save_id: &str,
        label: String,
        on_save: Callback<MouseEvent>,
        on_close: &Callback<()>,
    ) -> Html {
        let close = on_close.clone();
        html! {
            <>
                <button class="pf-v6-c-button pf-m-primary" type="button" id={save_id.to_owned()}
                    disabled={*self.busy} onclick={on_save}>{ label }</button>
                <button class="pf-v6-c-button pf-m-link" type="button"
                    onclick={move |_| close.emit(())}>{ i18n.t("cancel") }</button>
            </>
        }
    }
}
