//! A modal dialog (PatternFly backdrop and modal box): focus moves into it when it opens,
//! Tab and Shift+Tab stay inside it, Escape closes it, and focus returns to where it was.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::i18n::use_i18n;

/// What can take focus inside a dialog.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// Properties of [`Modal`].
#[derive(Properties, PartialEq)]
pub struct ModalProps {
    /// The dialog's id; its title gets `{id}-title`.
    pub id: AttrValue,
    pub title: AttrValue,
    /// Closes the dialog (Escape, the close button).
    pub on_close: Callback<()>,
    pub children: Html,
    /// Buttons at the bottom.
    #[prop_or_default]
    pub footer: Html,
    /// Wider box for code.
    #[prop_or_default]
    pub wide: bool,
}

fn focusables(root: &web_sys::Element) -> Vec<HtmlElement> {
    let Ok(list) = root.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .collect()
}

fn active_element() -> Option<HtmlElement> {
    web_sys::window()?
        .document()?
        .active_element()?
        .dyn_into::<HtmlElement>()
        .ok()
}

/// A modal dialog.
#[component]
pub fn Modal(props: &ModalProps) -> Html {
    let i18n = use_i18n();
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with((), move |()| {
            let opener = active_element();
            if let Some(root) = node.cast::<web_sys::Element>() {
                // The first field if there is one, else the first button.
                let first = root
                    .query_selector("input:not([disabled]), select, textarea")
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<HtmlElement>().ok())
                    .or_else(|| focusables(&root).into_iter().next());
                if let Some(first) = first {
                    let _ = first.focus();
                }
            }
            move || {
                if let Some(opener) = opener {
                    let _ = opener.focus();
                }
            }
        });
    }
    let onkeydown = {
        let node = node.clone();
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                on_close.emit(());
                return;
            }
            if e.key() != "Tab" {
                return;
            }
            let Some(root) = node.cast::<web_sys::Element>() else {
                return;
            };
            let items = focusables(&root);
            let (Some(first), Some(last)) = (items.first(), items.last()) else {
                return;
            };
            let active = active_element();
            let at = |el: &HtmlElement| active.as_ref().is_some_and(|a| a == el);
            if e.shift_key() && at(first) {
                e.prevent_default();
                let _ = last.focus();
            } else if !e.shift_key() && at(last) {
                e.prevent_default();
                let _ = first.focus();
            }
        })
    };
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let title_id = format!("{}-title", props.id);
    html! {
        <div class="pf-v6-c-backdrop">
            <div class="pf-v6-l-bullseye">
                <div class={classes!("pf-v6-c-modal-box", if props.wide { "pf-m-lg" } else { "pf-m-md" })}
                    role="dialog" aria-modal="true" aria-labelledby={title_id.clone()}
                    id={props.id.clone()} ref={node} {onkeydown}>
                    <div class="pf-v6-c-modal-box__close">
                        <button class="pf-v6-c-button pf-m-plain" type="button"
                            aria-label={i18n.t("close")} onclick={close}>{ "×" }</button>
                    </div>
                    <header class="pf-v6-c-modal-box__header">
                        <h1 class="pf-v6-c-modal-box__title" id={title_id}>{ &props.title }</h1>
                    </header>
                    <div class="pf-v6-c-modal-box__body">{ props.children.clone() }</div>
                    <footer class="pf-v6-c-modal-box__footer">{ props.footer.clone() }</footer>
                </div>
            </div>
        </div>
    }
}

/// Properties of [`Confirm`].
#[derive(Properties, PartialEq)]
pub struct ConfirmProps {
    pub id: AttrValue,
    pub title: AttrValue,
    /// What will happen, naming the object.
    pub body: AttrValue,
    /// The confirming button's text.
    pub confirm: AttrValue,
    /// Danger styling for destructive actions.
    #[prop_or_default]
    pub danger: bool,
    pub on_confirm: Callback<()>,
    pub on_cancel: Callback<()>,
    /// The action is under way.
    #[prop_or_default]
    pub busy: bool,
}

/// "Are you sure?", naming what the action touches.
#[component]
pub fn Confirm(props: &ConfirmProps) -> Html {
    let i18n = use_i18n();
    let on_confirm = props.on_confirm.clone();
    let on_cancel = props.on_cancel.clone();
    let footer = html! {
        <>
            <button class={classes!("pf-v6-c-button", if props.danger { "pf-m-danger" } else { "pf-m-primary" })}
                type="button" id={format!("{}-confirm", props.id)} disabled={props.busy}
                onclick={move |_| on_confirm.emit(())}>{ &props.confirm }</button>
            <button class="pf-v6-c-button pf-m-link" type="button"
                onclick={move |_| on_cancel.emit(())}>{ i18n.t("cancel") }</button>
        </>
    };
    html! {
        <Modal id={props.id.clone()} title={props.title.clone()} on_close={props.on_cancel.clone()} {footer}>
            <p>{ &props.body }</p>
        </Modal>
    }
}
