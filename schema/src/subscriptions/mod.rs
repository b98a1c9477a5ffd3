//! Model subscriptions: a user's access to a model, approved by administrators for restricted
//! models, with every transition recorded.

mod graphql;
mod service;

pub use crate::catalog::SubscriptionStatus;
pub use graphql::{
    HistoryLoader, Subscription, SubscriptionEvent, SubscriptionMutation, SubscriptionQuery,
};
pub use service::{QueueFilter, Status, SubscriptionService};
