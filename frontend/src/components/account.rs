//! The masthead's account area: who is signed in and a sign-out button, or a sign-in link.

use yew::prelude::*;

use crate::api;
use crate::hooks::{SessionState, go_to, use_session};

/// The account area of the masthead.
#[component]
pub fn Account() -> Html {
    let session = use_session();
    let error = use_state(|| None::<String>);
    let sign_out = {
        let error = error.clone();
        Callback::from(move |_: MouseEvent| {
            let error = error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::logout().await {
                    Ok(next) => go_to(&next),
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        })
    };
    let body = match session {
        SessionState::Ready(data) => match data.me {
            Some(me) => html! {
                <>
                    <span class="sy-account__name" id="signed-in-as">{ me.name }</span>
                    <button class="pf-v6-c-button pf-m-secondary" id="sign-out" onclick={sign_out}>
                        { "Sign out" }
                    </button>
                </>
            },
            None => html! {
                <a class="pf-v6-c-button pf-m-primary" id="sign-in" href="/login">{ "Sign in" }</a>
            },
        },
        SessionState::Loading | SessionState::Failed(_) => html! {},
    };
    html! {
        <div class="sy-account">
            { body }
            if let Some(message) = &*error {
                <span class="sy-account__error" role="alert">{ message }</span>
            }
        </div>
    }
}
