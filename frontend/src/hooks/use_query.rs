//! `use_query`: runs a typed GraphQL query when the component mounts and again whenever its
//! variables change or `reload` is called; keeps the last data while reloading, so a live
//! refresh does not blank the page. An answer saying the session ended or the caller may no
//! longer do this reloads the portal context too (sign-in again, or the nav without the
//! sections the roles lost).

use std::rc::Rc;

use graphql_client::GraphQLQuery;
use yew::prelude::*;

use crate::api::{self, ApiError, ErrorKind};
use crate::hooks::portal::Portal;

/// Where a query stands.
pub struct QueryState<T> {
    /// The latest data, kept while a reload runs.
    pub data: Option<Rc<T>>,
    /// The latest failure (cleared by the next success).
    pub error: Option<ApiError>,
    /// A request is under way.
    pub loading: bool,
    /// Runs the query again.
    pub reload: Callback<()>,
}

impl<T> Clone for QueryState<T> {
    fn clone(&self) -> Self {
        Self {
            data: self.data.clone(),
            error: self.error.clone(),
            loading: self.loading,
            reload: self.reload.clone(),
        }
    }
}

impl<T> PartialEq for QueryState<T> {
    fn eq(&self, other: &Self) -> bool {
        let same_data = match (&self.data, &other.data) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_data && self.error == other.error && self.loading == other.loading
    }
}

struct Snapshot<T> {
    data: Option<Rc<T>>,
    error: Option<ApiError>,
    loading: bool,
}

impl<T> Clone for Snapshot<T> {
    fn clone(&self) -> Self {
        Self {
            data: self.data.clone(),
            error: self.error.clone(),
            loading: self.loading,
        }
    }
}

/// Runs query `Q` with `variables`.
#[hook]
pub fn use_query<Q>(variables: Q::Variables) -> QueryState<Q::ResponseData>
where
    Q: GraphQLQuery + 'static,
    Q::Variables: Clone + PartialEq + 'static,
    Q::ResponseData: 'static,
{
    let generation = use_state(|| 0u32);
    let snapshot = use_state(|| Snapshot::<Q::ResponseData> {
        data: None,
        error: None,
        loading: true,
    });
    // Only the newest request may write its answer: an older one that returns late is dropped.
    let latest = use_mut_ref(|| 0u64);
    // Absent inside the portal provider itself, whose own query this may be.
    let refresh_portal = use_context::<Portal>().map(|portal| portal.refresh);
    {
        let snapshot = snapshot.clone();
        use_effect_with((variables, *generation), move |(variables, _)| {
            let ticket = {
                let mut latest = latest.borrow_mut();
                *latest += 1;
                *latest
            };
            let before = (*snapshot).clone();
            if !before.loading {
                snapshot.set(Snapshot {
                    loading: true,
                    ..before.clone()
                });
            }
            let variables = variables.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<Q>(variables).await;
                if *latest.borrow() != ticket {
                    return;
                }
                snapshot.set(match result {
                    Ok(data) => Snapshot {
                        data: Some(Rc::new(data)),
                        error: None,
                        loading: false,
                    },
                    Err(error) => {
                        if matches!(
                            error.kind,
                            ErrorKind::Unauthenticated | ErrorKind::Forbidden
                        ) && let Some(refresh) = &refresh_portal
                        {
                            refresh.emit(());
                        }
                        Snapshot {
                            data: before.data,
                            error: Some(error),
                            loading: false,
                        }
                    }
                });
            });
        });
    }
    let reload = {
        let generation = generation.clone();
        Callback::from(move |()| generation.set(generation.wrapping_add(1)))
    };
    let current = (*snapshot).clone();
    QueryState {
        data: current.data,
        error: current.error,
        loading: current.loading,
        reload,
    }
}
