//! `use_session`: who is signed in and how one may sign in, loaded once per mount.

use yew::prelude::*;

use crate::api::{self, ApiError, session::ResponseData};

/// Where the session request stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    /// Not answered yet.
    Loading,
    /// Answered: `me` is `None` when nobody is signed in.
    Ready(ResponseData),
    /// Failed; the message is shown to the user.
    Failed(ApiError),
}

/// Fetches the session when the component mounts.
#[hook]
pub fn use_session() -> SessionState {
    let state = use_state(|| SessionState::Loading);
    {
        let state = state.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                state.set(match api::fetch_session().await {
                    Ok(data) => SessionState::Ready(data),
                    Err(error) => SessionState::Failed(error),
                });
            });
        });
    }
    (*state).clone()
}

/// Sends the browser to `url` with a full page load (after sign-in and sign-out, so every
/// component starts from the new session).
pub fn go_to(url: &str) {
    if let Some(window) = web_sys::window() {
        // A failed navigation leaves the page as it is; there is nothing better to do.
        let _ = window.location().assign(url);
    }
}
