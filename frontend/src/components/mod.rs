//! Reusable view pieces.

pub mod account;
pub mod layout;
