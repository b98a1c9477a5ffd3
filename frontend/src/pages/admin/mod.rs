//! The administration console: one module per admin page, the guard that shows "not allowed"
//! to people without an admin role, and what every admin page shares. `admin-readonly` sees
//! each page whole, with every control that changes something disabled and a notice saying
//! why; the server refuses those changes too (the authorization matrix proves it).

pub mod banners;
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
