//! HTTP handlers, one module per surface. Handlers are thin: they extract, call, convert.

pub mod branding;
pub mod graphql;
pub mod health;
pub mod security;
pub mod spa;
pub mod usage;
