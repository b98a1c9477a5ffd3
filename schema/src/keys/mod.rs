//! Virtual keys: `sk-…` secrets stored only as SHA-256 hashes, their owners, models, limits,
//! expiry and blocking; and the version counter that tells replicas to drop cached keys.

mod graphql;
mod portal;
mod service;

pub use graphql::{ApiKey, CreatedKey, KeyMutation, KeyQuery};
pub use portal::{Expiry, KeyEdit, KeyRequest, LimitRequest, PortalKeys, Scope};

pub use service::{
    AuthKey, Budget, Issued, KEYS_VERSION_KEY, KeyChanges, KeyFilter, KeyRecord, KeyService,
    Limits, NewKey, ORIGIN_ADMIN_API, ORIGIN_PLAYGROUND, ORIGIN_PORTAL, display_name, hash_key,
};
