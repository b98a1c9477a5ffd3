//! `use_mutation`: runs a typed GraphQL mutation on demand and keeps where it stands (busy,
//! the last failure) for the button and the message beside it. As with `use_query`, an
//! answer saying the session ended or access was lost reloads the portal context.

use graphql_client::GraphQLQuery;
use yew::prelude::*;

use crate::api::{self, ApiError, ErrorKind};
use crate::hooks::portal::Portal;

/// A mutation ready to run.
pub struct Mutation<V> {
    /// Runs it with these variables.
    pub run: Callback<V>,
    /// A run is under way.
    pub busy: bool,
    /// Why the last run failed (cleared by the next run).
    pub error: Option<ApiError>,
}

/// Mutation `Q`; `on_done` gets the data of each successful run.
#[hook]
pub fn use_mutation<Q>(on_done: Callback<Q::ResponseData>) -> Mutation<Q::Variables>
where
    Q: GraphQLQuery + 'static,
    Q::Variables: 'static,
    Q::ResponseData: 'static,
{
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let refresh_portal = use_context::<Portal>().map(|portal| portal.refresh);
    let run = {
        let (busy, error) = (busy.clone(), error.clone());
        Callback::from(move |variables: Q::Variables| {
            let (busy, error, on_done, refresh_portal) = (
                busy.clone(),
                error.clone(),
                on_done.clone(),
                refresh_portal.clone(),
            );
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<Q>(variables).await;
                busy.set(false);
                match result {
                    Ok(data) => on_done.emit(data),
                    Err(failure) => {
                        if matches!(
                            failure.kind,
                            ErrorKind::Unauthenticated | ErrorKind::Forbidden
                        ) && let Some(refresh) = &refresh_portal
                        {
                            refresh.emit(());
                        }
                        error.set(Some(failure));
                    }
                }
            });
        })
    };
    Mutation {
        run,
        busy: *busy,
        error: (*error).clone(),
    }
}
