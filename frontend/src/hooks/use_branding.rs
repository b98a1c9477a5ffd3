//! `use_branding`: loads the branding once per mount and keeps the result.

use yew::prelude::*;

use crate::api::{self, ApiError, branding::ResponseData};

/// Where the branding request stands.
#[derive(Debug, Clone, PartialEq)]
pub enum BrandingState {
    /// Not answered yet.
    Loading,
    /// Loaded.
    Ready(ResponseData),
    /// Failed; the message is shown to the user.
    Failed(ApiError),
}

/// Fetches the branding when the component mounts.
#[hook]
pub fn use_branding() -> BrandingState {
    let state = use_state(|| BrandingState::Loading);
    {
        let state = state.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                state.set(match api::fetch_branding().await {
                    Ok(data) => BrandingState::Ready(data),
                    Err(error) => BrandingState::Failed(error),
                });
            });
        });
    }
    (*state).clone()
}
