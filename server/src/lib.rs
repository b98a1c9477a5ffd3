//! Switchyard's server: the HTTP surface (`router`, `routes`), the gateway engine (`gateway`,
//! `quota`, `spend`), identity, configuration and start-up (`run`). Data flows one way, from
//! the routes to the engine and services to storage; `ARCHITECTURE.md` has the map.
//!
//! The binary in `main.rs` is a thin shell over [`run`]; everything else lives here so the
//! pieces stay small and testable.

#[cfg(test)]
mod arbitrary;
pub mod cache;
pub mod cli;
pub mod clients;
pub mod config;
pub mod db;
pub mod error;
pub mod gateway;
pub mod guardrail;
pub mod identity;
pub mod import;
pub mod listener;
pub mod metrics;
pub mod otel;
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
