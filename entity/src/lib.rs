//! The database tables of Switchyard as sea-orm entities, one module per table.
//!
//! Entities only describe storage: they hold what services give them and carry no business
//! rules. Money is stored exactly as integer nano-units of the configured currency
//! (`*_nanos`, 1 unit = 1_000_000_000 nanos); per-token prices are nano-units per token.

pub mod api_key;
pub mod api_key_model;
pub mod audit_log;
pub mod banner;
pub mod banner_dismissal;
pub mod branding;
pub mod branding_asset;
pub mod cluster_rollup;
pub mod deployment;
pub mod guardrail;
pub mod login_state;
pub mod model;
pub mod personal_access_token;
pub mod session;
pub mod setting;
pub mod spend_log;
pub mod spend_request;
pub mod spend_subject;
pub mod subscription;
pub mod subscription_event;
pub mod usage_rollup;
pub mod user;

/// The identifier of the single `branding` row.
pub const BRANDING_ROW_ID: i32 = 1;
