//! A copy-to-clipboard button: the Clipboard API, falling back to selecting the text and
//! `execCommand("copy")` where the API is refused; either way a toast says what happened.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::hooks::{Toast, use_toasts};
use crate::i18n::use_i18n;

/// Properties of [`CopyButton`].
#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// The text to copy.
    pub text: AttrValue,
    /// The button's id (tests and labels refer to it).
    #[prop_or_default]
    pub id: Option<AttrValue>,
    /// What is copied, for the accessible label.
    pub what: AttrValue,
}

/// Copies `text`.
#[component]
pub fn CopyButton(props: &CopyButtonProps) -> Html {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let onclick = {
        let text = props.text.to_string();
        let (copied, failed) = (i18n.t("copied"), i18n.t("copy-failed"));
        Callback::from(move |_: MouseEvent| {
            let (text, toasts, copied, failed) =
                (text.clone(), toasts.clone(), copied.clone(), failed.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let ok = copy(&text).await;
                toasts.push.emit(Toast {
                    variant: if ok { "success" } else { "warning" },
                    title: if ok { copied } else { failed },
                });
            });
        })
    };
    html! {
        <button class="pf-v6-c-button pf-m-secondary" type="button" id={props.id.clone()}
            aria-label={format!("{} {}", i18n.t("copy"), props.what)} {onclick}>
            { i18n.t("copy") }
        </button>
    }
}

/// Puts `text` on the clipboard; false when the browser refused both ways.
pub async fn copy(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
        return true;
    }
    fallback_copy(&window, text)
}

fn fallback_copy(window: &web_sys::Window, text: &str) -> bool {
    let Some(document) = window.document() else {
        return false;
    };
    let Ok(area) = document.create_element("textarea") else {
        return false;
    };
    let Ok(area) = area.dyn_into::<web_sys::HtmlTextAreaElement>() else {
        return false;
    };
    area.set_value(text);
    let _ = area.set_attribute("aria-hidden", "true");
    let _ = area.set_attribute("style", "position:fixed;top:-1000px");
    let Some(body) = document.body() else {
        return false;
    };
    let _ = body.append_child(&area);
    area.select();
    let copied = document
        .dyn_ref::<web_sys::HtmlDocument>()
        .and_then(|d| d.exec_command("copy").ok())
        .unwrap_or(false);
    area.remove();
    copied
}
