//! Toasts: short notices in the corner (budget alerts, "copied", a finished action) that go
//! away by themselves after a while or when closed.

use yew::prelude::*;

use crate::i18n::use_i18n;

/// One notice.
#[derive(Clone, PartialEq)]
pub struct Toast {
    /// PatternFly alert variant: `success`, `info`, `warning` or `danger`.
    pub variant: &'static str,
    pub title: String,
}

/// Shows toasts.
#[derive(Clone, PartialEq)]
pub struct Toasts {
    pub push: Callback<Toast>,
}

/// How long a toast stays, in milliseconds.
const TOAST_MS: u32 = 8_000;

/// Properties of [`ToastProvider`].
#[derive(Properties, PartialEq)]
pub struct ToastProviderProps {
    pub children: Html,
}

/// Provides [`Toasts`] and shows them.
#[component]
pub fn ToastProvider(props: &ToastProviderProps) -> Html {
    let i18n = use_i18n();
    let list = use_reducer(ToastList::default);
    let push = {
        let list = list.dispatcher();
        Callback::from(move |toast: Toast| {
            let list = list.clone();
            let id = js_sys::Math::random().to_bits();
            list.dispatch(ToastAction::Push(id, toast));
            gloo_timers::callback::Timeout::new(TOAST_MS, move || {
                list.dispatch(ToastAction::Close(id));
            })
            .forget();
        })
    };
    let close = |id: u64| {
        let list = list.dispatcher();
        Callback::from(move |_: MouseEvent| list.dispatch(ToastAction::Close(id)))
    };
    html! {
        <ContextProvider<Toasts> context={Toasts { push }}>
            { props.children.clone() }
            <div id="toasts" role="status" aria-live="polite">
            <ul class="pf-v6-c-alert-group pf-m-toast">
                { for list.items.iter().map(|(id, toast)| html! {
                    <li class="pf-v6-c-alert-group__item" key={id.to_string()}>
                        <div class={classes!("pf-v6-c-alert", format!("pf-m-{}", toast.variant))}>
                            <p class="pf-v6-c-alert__title">{ &toast.title }</p>
                            <div class="pf-v6-c-alert__action">
                                <button class="pf-v6-c-button pf-m-plain" type="button"
                                    aria-label={i18n.t("close")} onclick={close(*id)}>{ "×" }</button>
                            </div>
                        </div>
                    </li>
                }) }
            </ul>
            </div>
        </ContextProvider<Toasts>>
    }
}

#[derive(Default, PartialEq)]
struct ToastList {
    items: Vec<(u64, Toast)>,
}

enum ToastAction {
    Push(u64, Toast),
    Close(u64),
}

impl Reducible for ToastList {
    type Action = ToastAction;
    fn reduce(self: std::rc::Rc<Self>, action: ToastAction) -> std::rc::Rc<Self> {
        let mut items = self.items.clone();
        match action {
            ToastAction::Push(id, toast) => {
                items.push((id, toast));
                // At most five at once: the oldest goes first.
                if items.len() > 5 {
                    items.remove(0);
                }
            }
            ToastAction::Close(id) => items.retain(|(i, _)| *i != id),
        }
        std::rc::Rc::new(Self { items })
    }
}

/// The toasts.
#[hook]
pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().unwrap_or_else(|| Toasts {
        push: Callback::noop(),
    })
}

/// Shows each new failure of an action as a toast.
#[hook]
pub fn use_error_toast(error: Option<crate::api::ApiError>) {
    let toasts = use_toasts();
    use_effect_with(error, move |error| {
        if let Some(error) = error {
            toasts.push.emit(Toast {
                variant: "danger",
                title: error.to_string(),
            });
        }
    });
}
