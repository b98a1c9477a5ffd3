//! Virtual keys: `sk-…` secrets stored only as SHA-256 hashes, their owners, models, limits,
//! expiry and blocking; and the version counter that tells replicas to drop cached keys.

mod service;

pub use service::{
    AuthKey, Budget, Issued, KeyChanges, KeyFilter, KeyRecord, KeyService, Limits, NewKey,
    ORIGIN_ADMIN_API, ORIGIN_PORTAL, display_name, hash_key,
};
