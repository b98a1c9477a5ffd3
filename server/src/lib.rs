//! Switchyard's server: configuration, storage start-up, the HTTP router and its routes.
//!
//! The binary in `main.rs` is a thin shell over [`run`]; everything else lives here so the
//! pieces stay small and testable.

pub mod cache;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod gateway;
pub mod identity;
pub mod metrics;
pub mod periodic;
pub mod quota;
pub mod router;
pub mod routes;
pub mod run;
pub mod secrets;
pub mod spend;
pub mod state;
pub mod telemetry;

/// The version of this build, reported by `--version`, readiness and GraphQL.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
