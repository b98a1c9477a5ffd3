//! The application core: domain services over sea-orm, and the GraphQL schema on top.
//!
//! Each domain is a module exporting its service and its `XQuery`/`XMutation`/`XSubscription`
//! parts; [`build_schema`] merges them at the root and sets the depth and complexity limits.
//! Resolvers stay thin: they read the caller and arguments, call one service, and map the result.

pub mod access;
pub mod audit;
pub mod banners;
pub mod branding;
pub mod catalog;
pub mod convert;
pub mod counters;
pub mod duration;
pub mod error;
pub mod guardrails;
pub mod identity;
pub mod keys;
pub mod limits;
pub mod live;
pub mod pagination;
pub mod retention;
mod rfc3339;
pub mod search;
pub mod secret;
pub mod settings;
pub mod spend;
pub mod subscriptions;
pub mod system;
pub mod turns;
pub mod txn;
pub mod usage;
pub mod users;

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{MergedObject, MergedSubscription, Schema};
use sea_orm::DatabaseConnection;

pub use error::DomainError;

/// The root query: every domain's query fields.
#[derive(MergedObject, Default)]
pub struct Query(
    system::SystemQuery,
    branding::BrandingQuery,
    identity::IdentityQuery,
    catalog::CatalogQuery,
    subscriptions::SubscriptionQuery,
    keys::KeyQuery,
    usage::UsageQuery,
    audit::AuditQuery,
    users::UserQuery,
    banners::BannerQuery,
    settings::SettingsQuery,
    guardrails::GuardrailQuery,
);

/// The root mutation: every domain's mutations.
#[derive(MergedObject, Default)]
pub struct Mutation(
    identity::IdentityMutation,
    identity::IdentityAdminMutation,
    subscriptions::SubscriptionMutation,
    keys::KeyMutation,
    users::UserMutation,
    branding::BrandingMutation,
    banners::BannerMutation,
    catalog::CatalogAdminMutation,
    settings::SettingsMutation,
    guardrails::GuardrailMutation,
);

/// The root subscription: every domain's live feeds.
#[derive(MergedSubscription, Default)]
pub struct Subscription(system::SystemSubscription, live::LiveSubscription);

/// The executable schema type served at `/graphql` and `/graphql/ws`.
pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Deepest query nesting accepted; deeper queries are rejected before they run. The
/// standard introspection query (GraphiQL, code generators) needs 13.
pub const MAX_DEPTH: usize = 16;
/// Highest query complexity accepted (roughly: fields selected, lists weighted).
pub const MAX_COMPLEXITY: usize = 1_000;

/// What the schema needs from the process that serves it.
#[derive(Clone)]
pub struct Deps {
    /// The database every service reads and writes.
    pub db: DatabaseConnection,
    /// The server's version, reported by the `version` field.
    pub version: &'static str,
    /// Sign-in, sessions and tokens.
    pub identity: identity::IdentityServices,
    /// Deployment health as this replica's checks see it (none in tests without a gateway).
    pub health: Option<Arc<dyn catalog::DeploymentHealth>>,
    /// Where settled requests are published for live subscribers.
    pub live: live::LiveHub,
    /// Sealing credentials and calling model servers, for catalog administration.
    pub model_servers: Option<Arc<dyn catalog::ModelServers>>,
    /// Checking and applying guardrails (none where no gateway serves them).
    pub guardrails: Option<Arc<dyn guardrails::GuardrailRules>>,
}

/// Builds the schema with its services attached and its limits set.
pub fn build_schema(deps: Deps) -> AppSchema {
    let builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .data(branding::BrandingService::new(deps.db.clone()))
    .data(deps.identity)
    .data(catalog::CatalogService::new(deps.db.clone()))
    .data(DataLoader::new(
        catalog::ModelLoader(catalog::CatalogService::new(deps.db.clone())),
        tokio::spawn,
    ))
    .data(subscriptions::SubscriptionService::new(deps.db.clone()))
    .data(
        Arc::new(subscriptions::SubscriptionService::new(deps.db.clone()))
            as Arc<dyn catalog::SubscriptionStatuses>,
    )
    .data(DataLoader::new(
        subscriptions::HistoryLoader(subscriptions::SubscriptionService::new(deps.db.clone())),
        tokio::spawn,
    ))
    .data(keys::PortalKeys::new(deps.db.clone()))
    .data(settings::SettingsService::new(deps.db.clone()))
    .data(deps.live)
    .data(usage::UsageService::new(deps.db.clone()))
    .data(audit::AuditService::new(deps.db.clone()))
    .data(users::UserAdmin::new(deps.db.clone()))
    .data(banners::BannerService::new(deps.db.clone()))
    .data(guardrails::GuardrailService::new(deps.db.clone()))
    .extension(audit::AuditTrail)
    .extension(identity::WriteGate)
    .extension(identity::OneLogin)
    .data(system::ServerVersion(deps.version))
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY);
    let builder = match deps.health {
        Some(health) => builder.data(health),
        None => builder,
    };
    let builder = match deps.guardrails {
        Some(rules) => builder.data(rules),
        None => builder,
    };
    match deps.model_servers {
        Some(servers) => builder.data(servers).finish(),
        None => builder.finish(),
    }
}

/// The SDL of the schema, as checked in at `schema/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .finish()
    .sdl()
}
