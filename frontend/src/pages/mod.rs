//! One module per route, and the small helpers their forms share.

pub mod account;
pub mod admin;
pub mod catalog;
pub mod home;
pub mod keys;
pub mod login;
pub mod model;
pub mod playground;
pub mod set_password;
pub mod subscriptions;
pub mod usage;

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The browser tab's title for a portal titled `title` (empty while loading).
pub fn document_title(title: &str) -> String {
    if title.is_empty() {
        "Switchyard".to_owned()
    } else {
        title.to_owned()
    }
}

/// The value of the input, select or text area an event came from.
pub fn event_value(event: &Event) -> String {
    let Some(target) = event.target() else {
        return String::new();
    };
    if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
        return input.value();
    }
    if let Some(select) = target.dyn_ref::<web_sys::HtmlSelectElement>() {
        return select.value();
    }
    target
        .dyn_ref::<web_sys::HtmlTextAreaElement>()
        .map(|area| area.value())
        .unwrap_or_default()
}

/// Whether the checkbox an event came from is checked.
pub fn event_checked(event: &Event) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|input| input.checked())
}

/// A callback that stores an input's text in `state`.
pub fn bind(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| state.set(event_value(&e)))
}

/// The page heading section every page starts with.
pub fn page_header(id: &str, title: String, lead: Option<String>) -> Html {
    html! {
        <section class="pf-v6-c-page__main-section">
            <div class="pf-v6-c-content">
                <h1 class="pf-v6-c-title pf-m-2xl" id={id.to_owned()}>{ title }</h1>
                if let Some(lead) = lead {
                    <p>{ lead }</p>
                }
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::document_title;

    #[test]
    fn the_tab_title_falls_back_while_loading() {
        assert_eq!(document_title(""), "Switchyard");
        assert_eq!(document_title("Acme AI"), "Acme AI");
    }
}
