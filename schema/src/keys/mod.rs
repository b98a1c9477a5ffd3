//! Virtual keys: `sk-…` secrets stored only as SHA-256 hashes, their owners, models, limits,
//! expiry and blocking; and the version counter that tells replicas to drop cached keys.
//!
//! `access` decides which models a key reaches; `service` is the id-based store (and what the
//! gateway reads); `portal` the portal's rules (the key policy, subscriptions) over it;
//! `litellm` the LiteLLM admin API's shape (names, external user ids) translated to it;
//! `graphql` the portal's API.

mod access;
mod graphql;
mod litellm;
mod portal;
mod service;

pub use access::ModelAccess;
pub use graphql::{ApiKey, CreatedKey, KeyMutation, KeyQuery};
pub use portal::{Expiry, KeyEdit, KeyRequest, PortalKeys, Scope};

pub use litellm::{Imported, ImportedKey, KeyFilter, LiteLlmKey, LiteLlmKeyChanges, LiteLlmKeys};
pub use service::{
    AuthKey, Blocker, Issued, KEYS_VERSION_KEY, KeyChanges, KeyRecord, KeyService, NewKey,
    ORIGIN_ADMIN_API, ORIGIN_PLAYGROUND, ORIGIN_PORTAL, display_name, hash_key,
};
