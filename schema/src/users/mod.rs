//! Users: the people (or automation identities) keys belong to, with their own limits.

mod service;

pub use service::{NewUser, UserChanges, UserService, role_from_litellm};
