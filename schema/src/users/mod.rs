//! Users: the people (or automation identities) keys belong to, with their own limits.

mod admin;
mod graphql;
mod service;

pub use admin::{UserAdmin, UserUpdate, matching};
pub use graphql::{User, UserMutation, UserQuery};

pub use service::{NewUser, UserChanges, UserService, role_from_litellm};
